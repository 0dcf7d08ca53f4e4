//! The connections registry: per connection its handshake state,
//! capabilities, subscribed threads, outgoing queue and pending requests.

use std::collections::{BTreeMap, HashSet};
use std::fmt;

use attestwire_protocol::{ClientCapabilities, RequestId};
use tokio::sync::{mpsc, oneshot};

use crate::pending::{Pending, Reply};

/// Identifies one connection of a [`Server`](crate::Server). Ids increase
/// monotonically in the order connections are made and are never reused, so
/// "the lowest id" means "the oldest live connection".
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ConnectionId(u64);

impl ConnectionId {
    pub(crate) fn new(value: u64) -> Self {
        Self(value)
    }

    /// The id as a number, e.g. for logs.
    pub fn get(self) -> u64 {
        self.0
    }
}

impl fmt::Display for ConnectionId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Where a connection is in the handshake.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Handshake {
    /// Only `initialize` is served; other requests get -32002.
    AwaitingInitialize,
    /// `initialize` was answered. As in LSP, the server may send requests
    /// from here on: the client learned our capabilities from the response.
    Initialized,
    /// The client also sent the `initialized` notification.
    Ready,
}

/// One live connection.
pub(crate) struct ConnectionState {
    pub(crate) handshake: Handshake,
    pub(crate) capabilities: ClientCapabilities,
    threads: HashSet<String>,
    pub(crate) outbox: mpsc::Sender<Vec<u8>>,
    pub(crate) pending: Pending,
}

/// Every live connection, ordered by id.
#[derive(Default)]
pub(crate) struct Registry {
    connections: BTreeMap<ConnectionId, ConnectionState>,
}

impl Registry {
    pub(crate) fn insert(&mut self, id: ConnectionId, outbox: mpsc::Sender<Vec<u8>>) {
        self.connections.insert(
            id,
            ConnectionState {
                handshake: Handshake::AwaitingInitialize,
                capabilities: ClientCapabilities::default(),
                threads: HashSet::new(),
                outbox,
                pending: Pending::default(),
            },
        );
    }

    /// Removes a connection. Dropping the returned state drops its pending
    /// senders, which resolves every waiting caller with `Canceled` at once;
    /// do it after releasing the lock.
    #[must_use = "drop the state outside the lock"]
    pub(crate) fn remove(&mut self, id: ConnectionId) -> Option<ConnectionState> {
        self.connections.remove(&id)
    }

    pub(crate) fn get_mut(&mut self, id: ConnectionId) -> Option<&mut ConnectionState> {
        self.connections.get_mut(&id)
    }

    pub(crate) fn subscribe(&mut self, id: ConnectionId, thread_id: String) -> bool {
        self.get_mut(id)
            .map(|state| state.threads.insert(thread_id))
            .is_some()
    }

    pub(crate) fn unsubscribe(&mut self, id: ConnectionId, thread_id: &str) -> bool {
        self.get_mut(id)
            .map(|state| state.threads.remove(thread_id))
            .is_some()
    }

    /// The connection to ask for a thread's attestation: the lowest-id one
    /// that finished `initialize`, opted in, and is subscribed to the thread.
    pub(crate) fn attestation_target(&self, thread_id: &str) -> Option<ConnectionId> {
        self.connections
            .iter()
            .find(|(_, state)| {
                state.handshake != Handshake::AwaitingInitialize
                    && state.capabilities.request_attestation
                    && state.threads.contains(thread_id)
            })
            .map(|(id, _)| *id)
    }

    /// Takes the waiter for `id` on this connection only: a response is
    /// matched by (connection, id), so another connection's answer with the
    /// same id finds nothing.
    pub(crate) fn take_pending(
        &mut self,
        connection: ConnectionId,
        id: &RequestId,
    ) -> Option<oneshot::Sender<Reply>> {
        self.get_mut(connection)?.pending.remove(id)
    }

    pub(crate) fn connection_count(&self) -> usize {
        self.connections.len()
    }

    pub(crate) fn pending_count(&self) -> usize {
        self.connections.values().map(|s| s.pending.len()).sum()
    }
}
