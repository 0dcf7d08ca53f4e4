//! The connections registry: per connection its handshake state,
//! capabilities, subscribed threads, outgoing queue and pending requests.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
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

/// Every live connection, ordered by id, and for each thread the
/// connections subscribed to it.
#[derive(Default)]
pub(crate) struct Registry {
    connections: BTreeMap<ConnectionId, ConnectionState>,
    // Picking a thread's target scans only that thread's subscribers: a
    // scan over every connection made 10,000 connections run at ~4,500
    // attestations/s (BENCHMARKS.md, figure 5).
    subscribers: HashMap<String, BTreeSet<ConnectionId>>,
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
        let state = self.connections.remove(&id)?;
        for thread in &state.threads {
            self.forget_subscriber(thread, id);
        }
        Some(state)
    }

    fn forget_subscriber(&mut self, thread_id: &str, id: ConnectionId) {
        if let Some(set) = self.subscribers.get_mut(thread_id) {
            set.remove(&id);
            if set.is_empty() {
                self.subscribers.remove(thread_id);
            }
        }
    }

    pub(crate) fn get_mut(&mut self, id: ConnectionId) -> Option<&mut ConnectionState> {
        self.connections.get_mut(&id)
    }

    pub(crate) fn subscribe(&mut self, id: ConnectionId, thread_id: String) -> bool {
        let Some(state) = self.connections.get_mut(&id) else {
            return false;
        };
        state.threads.insert(thread_id.clone());
        self.subscribers.entry(thread_id).or_default().insert(id);
        true
    }

    pub(crate) fn unsubscribe(&mut self, id: ConnectionId, thread_id: &str) -> bool {
        let Some(state) = self.connections.get_mut(&id) else {
            return false;
        };
        state.threads.remove(thread_id);
        self.forget_subscriber(thread_id, id);
        true
    }

    /// The connection to ask for a thread's attestation: the lowest-id one
    /// that finished `initialize`, opted in, and is subscribed to the thread.
    pub(crate) fn attestation_target(&self, thread_id: &str) -> Option<ConnectionId> {
        self.subscribers.get(thread_id)?.iter().copied().find(|id| {
            self.connections.get(id).is_some_and(|state| {
                state.handshake != Handshake::AwaitingInitialize
                    && state.capabilities.request_attestation
            })
        })
    }

    /// Takes the waiter for `id` on this connection only: a response is
    /// matched by (connection, id), so another connection's answer with the
    /// same id finds nothing.
    pub(crate) fn take_pending(
        &mut self,
        connection: ConnectionId,
        id: &RequestId,
    ) -> Option<oneshot::Sender<Reply>> {
        let RequestId::Integer(id) = id else {
            return None; // the server issues only integer ids
        };
        self.get_mut(connection)?.pending.remove(id)
    }

    pub(crate) fn connection_count(&self) -> usize {
        self.connections.len()
    }

    pub(crate) fn pending_count(&self) -> usize {
        self.connections.values().map(|s| s.pending.len()).sum()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn registry_with(ids: &[u64]) -> Registry {
        let mut registry = Registry::default();
        for &id in ids {
            let (outbox, _) = mpsc::channel(1);
            registry.insert(ConnectionId::new(id), outbox);
            let state = registry.get_mut(ConnectionId::new(id)).unwrap();
            state.handshake = Handshake::Ready;
            state.capabilities.request_attestation = true;
        }
        registry
    }

    #[test]
    fn target_is_the_lowest_eligible_subscriber_of_the_thread() {
        let mut registry = registry_with(&[1, 2, 3]);
        assert_eq!(registry.attestation_target("t"), None);
        assert!(registry.subscribe(ConnectionId::new(3), "t".into()));
        assert!(registry.subscribe(ConnectionId::new(2), "t".into()));
        assert!(registry.subscribe(ConnectionId::new(1), "other".into()));
        assert_eq!(registry.attestation_target("t"), Some(ConnectionId::new(2)));
        registry
            .get_mut(ConnectionId::new(2))
            .unwrap()
            .capabilities
            .request_attestation = false;
        assert_eq!(registry.attestation_target("t"), Some(ConnectionId::new(3)));
    }

    #[test]
    fn unsubscribe_and_remove_leave_no_index_entry_behind() {
        let mut registry = registry_with(&[1, 2]);
        registry.subscribe(ConnectionId::new(1), "t".into());
        registry.subscribe(ConnectionId::new(2), "t".into());
        registry.subscribe(ConnectionId::new(2), "u".into());
        assert!(registry.unsubscribe(ConnectionId::new(1), "t"));
        drop(registry.remove(ConnectionId::new(2)));
        assert!(registry.subscribers.is_empty());
        assert_eq!(registry.attestation_target("t"), None);
        assert!(!registry.subscribe(ConnectionId::new(2), "t".into()));
        assert!(registry.subscribers.is_empty());
    }
}
