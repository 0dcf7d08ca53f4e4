//! The threads started on this server, shared by every connection: a thread
//! outlives the connection that started it, so another connection (a second
//! window, or the same app after a reconnect) can `thread/resume` it.

use std::collections::HashSet;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};

/// Every thread started so far, by id. Never shrinks: this host keeps no
/// state per thread beyond its id, as Codex keeps a thread after its
/// connections are gone.
#[derive(Clone, Default)]
pub(crate) struct Threads {
    started: Arc<Mutex<HashSet<String>>>,
}

impl Threads {
    /// Records `thread_id` as started; starting it again changes nothing.
    pub(crate) fn start(&self, thread_id: &str) {
        let mut started = self.lock();
        if !started.contains(thread_id) {
            started.insert(thread_id.to_owned());
        }
    }

    /// Whether some connection has started `thread_id`.
    pub(crate) fn exists(&self, thread_id: &str) -> bool {
        self.lock().contains(thread_id)
    }

    fn lock(&self) -> MutexGuard<'_, HashSet<String>> {
        // Each change is one insert: a panic elsewhere cannot leave the set
        // half-changed.
        self.started.lock().unwrap_or_else(PoisonError::into_inner)
    }
}
