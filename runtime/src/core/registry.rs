//! The core's registry: per connection whether it may be asked for
//! attestations, its subscribed threads, its sink and its pending requests.

use std::collections::{BTreeMap, BTreeSet, HashMap, HashSet};
use std::fmt;
use std::sync::Arc;

use tokio::sync::oneshot;

use crate::core::pending::{Pending, Reply};
use crate::core::sink::MessageSink;

/// Identifies one connection of a [`Core`](crate::Core) (and so of a
/// [`Server`](crate::Server)). Ids increase
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

/// One live connection.
pub(crate) struct ConnectionState {
    /// The host reported `initialize` with `requestAttestation: true`: only
    /// then is the connection asked for attestations.
    pub(crate) opted_in: bool,
    threads: HashSet<String>,
    pub(crate) sink: Arc<dyn MessageSink>,
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
    pub(crate) fn insert(&mut self, id: ConnectionId, sink: Arc<dyn MessageSink>) {
        self.connections.insert(
            id,
            ConnectionState {
                opted_in: false,
                threads: HashSet::new(),
                sink,
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

    /// The connections subscribed to a thread, lowest id first; `None` when
    /// none is (the index never keeps an empty set).
    pub(crate) fn subscribers(&self, thread_id: &str) -> Option<&BTreeSet<ConnectionId>> {
        self.subscribers.get(thread_id)
    }

    /// The connection is live and its host reported `initialize` with
    /// `requestAttestation: true`.
    pub(crate) fn opted_in(&self, id: ConnectionId) -> bool {
        self.connections
            .get(&id)
            .is_some_and(|state| state.opted_in)
    }

    /// Takes the waiter for request `key` on this connection only: a
    /// response is matched by (connection, id), so another connection's
    /// answer with the same id finds nothing.
    pub(crate) fn take_pending(
        &mut self,
        connection: ConnectionId,
        key: u64,
    ) -> Option<oneshot::Sender<Reply>> {
        self.get_mut(connection)?.pending.remove(&key)
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
            let sink = |_| Err(crate::SinkError::Closed);
            registry.insert(ConnectionId::new(id), Arc::new(sink));
            registry.get_mut(ConnectionId::new(id)).unwrap().opted_in = true;
        }
        registry
    }

    #[test]
    fn subscribers_are_listed_lowest_id_first_with_their_opt_in() {
        let mut registry = registry_with(&[1, 2, 3]);
        assert!(registry.subscribers("t").is_none());
        assert!(registry.subscribe(ConnectionId::new(3), "t".into()));
        assert!(registry.subscribe(ConnectionId::new(2), "t".into()));
        assert!(registry.subscribe(ConnectionId::new(1), "other".into()));
        let listed: Vec<_> = registry
            .subscribers("t")
            .into_iter()
            .flatten()
            .copied()
            .collect();
        assert_eq!(listed, [ConnectionId::new(2), ConnectionId::new(3)]);
        registry.get_mut(ConnectionId::new(2)).unwrap().opted_in = false;
        assert!(!registry.opted_in(ConnectionId::new(2)));
        assert!(registry.opted_in(ConnectionId::new(3)));
        assert!(!registry.opted_in(ConnectionId::new(9)));
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
        assert!(registry.subscribers("t").is_none());
        assert!(!registry.subscribe(ConnectionId::new(2), "t".into()));
        assert!(registry.subscribers.is_empty());
    }
}
