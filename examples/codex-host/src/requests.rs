//! The host's own server → client requests waiting for an answer, by the
//! integer ids it issues from 0, as Codex does. The attestwire core keeps
//! its own requests in its own table under string ids (`"attestwire:1"`),
//! so the two tables never see each other's ids.

use std::collections::HashMap;
use std::fmt;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use crate::wire::Outgoing;

/// What the client answered: its `result`, or its `error`.
pub(crate) type Answer = Result<Value, Value>;

/// Why one of the host's requests has no result.
#[derive(Debug)]
pub(crate) enum RequestFailed {
    /// The client answered with this error.
    Rejected(Value),
    /// No answer in time.
    TimedOut(Duration),
    /// The connection closed first.
    Closed,
}

impl fmt::Display for RequestFailed {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Rejected(error) => write!(f, "answered with the error {error}"),
            Self::TimedOut(timeout) => write!(f, "no answer within {timeout:?}"),
            Self::Closed => f.write_str("the connection closed"),
        }
    }
}

/// The table, shared by the reader (which resolves entries) and the tasks
/// that wait on them.
#[derive(Clone, Default)]
pub(crate) struct ServerRequests {
    table: Arc<Mutex<Table>>,
}

#[derive(Default)]
struct Table {
    next_id: i64,
    waiting: HashMap<i64, oneshot::Sender<Answer>>,
    /// Set at the end of the input: no new request may wait for an answer
    /// that cannot come.
    closed: bool,
}

impl ServerRequests {
    /// Queues the request `method` for the writer and waits for the
    /// client's answer; `timeout` covers both.
    pub(crate) async fn send(
        &self,
        outgoing: &mpsc::Sender<Outgoing>,
        method: &'static str,
        params: Value,
        timeout: Duration,
    ) -> Result<Value, RequestFailed> {
        let (id, answer) = self.register().ok_or(RequestFailed::Closed)?;
        // Removes the entry on every way out: answered, timed out, closed,
        // or this future dropped.
        let _entry = Entry { requests: self, id };
        let exchange = async {
            let request = Outgoing::Request { id, method, params };
            outgoing
                .send(request)
                .await
                .map_err(|_| RequestFailed::Closed)?;
            answer.await.map_err(|_| RequestFailed::Closed)
        };
        match tokio::time::timeout(timeout, exchange).await {
            Ok(Ok(Ok(result))) => Ok(result),
            Ok(Ok(Err(error))) => Err(RequestFailed::Rejected(error)),
            Ok(Err(failed)) => Err(failed),
            Err(_) => Err(RequestFailed::TimedOut(timeout)),
        }
    }

    /// Hands an answer to its waiting request. `false` when no request with
    /// this id waits (late, duplicate or never sent): the answer is dropped.
    pub(crate) fn resolve(&self, id: i64, answer: Answer) -> bool {
        let waiter = self.lock().waiting.remove(&id);
        waiter.is_some_and(|waiter| waiter.send(answer).is_ok())
    }

    /// Ends every waiting request now with [`RequestFailed::Closed`], and
    /// every later one at once.
    pub(crate) fn close(&self) {
        let waiting = {
            let mut table = self.lock();
            table.closed = true;
            std::mem::take(&mut table.waiting)
        };
        // Dropped outside the lock: this wakes the waiters.
        drop(waiting);
    }

    fn register(&self) -> Option<(i64, oneshot::Receiver<Answer>)> {
        let mut table = self.lock();
        if table.closed {
            return None;
        }
        let id = table.next_id;
        // 2^63 requests on one connection is as good as never.
        table.next_id = id.wrapping_add(1);
        let (sender, receiver) = oneshot::channel();
        table.waiting.insert(id, sender);
        Some((id, receiver))
    }

    fn lock(&self) -> MutexGuard<'_, Table> {
        // Every change under the lock is one insert or remove: a panic
        // elsewhere cannot leave the table half-changed.
        self.table.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

struct Entry<'a> {
    requests: &'a ServerRequests,
    id: i64,
}

impl Drop for Entry<'_> {
    fn drop(&mut self) {
        let removed = self.requests.lock().waiting.remove(&self.id);
        drop(removed);
    }
}
