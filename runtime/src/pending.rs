//! Pending server-to-client requests, and the guard that removes each one on
//! every exit path.
//!
//! The map is keyed by (connection, request id). It lives inside each
//! connection's registry entry rather than beside the registry: registering a
//! request and checking that its connection is live is then one step under
//! one lock, and removing a connection drops all of its waiters together, so
//! they resolve with `Canceled` at once.

use std::collections::HashMap;
use std::sync::Arc;

use attestwire_protocol::{JsonRpcErrorObject, RequestId};
use serde_json::Value;
use tokio::sync::{mpsc, oneshot};

use crate::error::RequestError;
use crate::registry::ConnectionId;
use crate::server::Shared;

/// The pending requests of one connection, by id. The server issues only
/// integer ids, so the key is the integer: 16 bytes an entry instead of 40
/// with `RequestId` (BENCHMARKS.md, figure 5), and a string id in an answer
/// matches nothing.
pub(crate) type Pending = HashMap<i64, oneshot::Sender<Reply>>;

/// What the client answered.
pub(crate) enum Reply {
    /// A `result`, not yet checked against the method's response type.
    Result(Value),
    /// A JSON-RPC error. Boxed: errors are rare, and the reply's size is
    /// paid by every pending request's oneshot (BENCHMARKS.md, figure 5).
    Error(Box<JsonRpcErrorObject>),
    /// A message with this request's id that is not a valid response.
    Invalid,
}

/// A request registered on a live connection, ready to be sent.
pub(crate) struct Registered {
    _guard: PendingGuard,
    outbox: Option<mpsc::Sender<Vec<u8>>>,
    reply: oneshot::Receiver<Reply>,
}

/// Registers request `id` on `connection`; `None` when the connection is not
/// live.
pub(crate) fn register(
    shared: &Arc<Shared>,
    connection: ConnectionId,
    id: i64,
) -> Option<Registered> {
    let (waiter, reply) = oneshot::channel();
    let outbox = {
        let mut registry = shared.registry();
        let state = registry.get_mut(connection)?;
        state.pending.insert(id, waiter);
        state.outbox.clone()
    };
    Some(Registered {
        _guard: PendingGuard {
            shared: Arc::clone(shared),
            connection,
            id,
        },
        outbox: Some(outbox),
        reply,
    })
}

impl Registered {
    /// Queues `line` and waits for the answer. The caller bounds it with the
    /// deadline; dropping `self` on any path removes the pending entry.
    pub(crate) async fn exchange(&mut self, line: Vec<u8>) -> Result<Reply, RequestError> {
        let Some(outbox) = self.outbox.take() else {
            return Err(RequestError::Canceled);
        };
        match outbox.try_send(line) {
            Ok(()) => drop(outbox),
            Err(mpsc::error::TrySendError::Closed(_)) => return Err(RequestError::Canceled),
            Err(mpsc::error::TrySendError::Full(line)) => {
                // Waiting for queue space is rare, and the send future is
                // 200 bytes: boxed here, it is not carried inline by every
                // pending request (BENCHMARKS.md, figure 5).
                let send = Box::pin(async move { outbox.send(line).await });
                // Watch the reply while waiting for queue space: a
                // connection that closes meanwhile drops our waiter, and we
                // return `Canceled` now instead of at the deadline.
                tokio::select! {
                    biased;
                    reply = &mut self.reply => return reply.map_err(|_| RequestError::Canceled),
                    sent = send => sent.map_err(|_| RequestError::Canceled)?,
                }
            }
        }
        // The sender is gone by now (dropped, or moved into the finished
        // send): holding it past the send would keep a closing connection's
        // writer waiting for us.
        (&mut self.reply).await.map_err(|_| RequestError::Canceled)
    }
}

/// Removes its (connection, id) entry when dropped, whatever the exit:
/// answer, error, timeout, disconnect, or the caller's future dropped.
struct PendingGuard {
    shared: Arc<Shared>,
    connection: ConnectionId,
    id: i64,
}

impl Drop for PendingGuard {
    fn drop(&mut self) {
        // Usually gone already: the reader took it to deliver the answer, or
        // the connection was removed.
        let waiter = self
            .shared
            .registry()
            .take_pending(self.connection, &RequestId::Integer(self.id));
        drop(waiter);
    }
}
