//! Pending server-to-client requests, and the guard that removes each one on
//! every exit path.
//!
//! The map is keyed by (connection, request id). It lives inside each
//! connection's registry entry rather than beside the registry: registering a
//! request and checking that its connection is live is then one step under
//! one lock, and removing a connection drops all of its waiters together, so
//! they resolve with `Canceled` at once.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};
use std::sync::Arc;

use attestwire_protocol::{JsonRpcErrorObject, RequestId};
use serde_json::value::RawValue;
use tokio::sync::{mpsc, oneshot};

use crate::error::RequestError;
use crate::registry::ConnectionId;
use crate::server::Shared;

/// The pending requests of one connection, by id. The server issues only
/// integer ids, so the key is the integer: 16 bytes an entry instead of 40
/// with `RequestId` (BENCHMARKS.md, figure 5), and a string id in an answer
/// matches nothing.
pub(crate) type Pending = HashMap<i64, oneshot::Sender<Reply>, BuildHasherDefault<IdHasher>>;

/// Hashes the server-issued integer ids with one multiplication instead of
/// SipHash (BENCHMARKS.md, figure 1). SipHash guards a map against keys
/// chosen to collide; these keys are chosen by the server, and a client's id
/// is only ever looked up, never inserted.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Not used by `i64` keys; kept correct for any other input.
        for &byte in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(GOLDEN);
        }
    }

    fn write_i64(&mut self, id: i64) {
        // Sequential ids differ in their low bits; the multiplication
        // spreads them over the high bits too, which the table's tags use.
        self.0 = id.cast_unsigned().wrapping_mul(GOLDEN);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// 2^64 / φ, odd: multiplying by it is a bijection that mixes low bits up.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// What the client answered.
pub(crate) enum Reply {
    /// A `result` as the client wrote it (validated JSON), parsed only into
    /// the method's response type: never into a `Value` first
    /// (BENCHMARKS.md, figure 1).
    Result(Box<RawValue>),
    /// A JSON-RPC error. Boxed: errors are rare, and the reply's size is
    /// paid by every pending request's oneshot (BENCHMARKS.md, figure 5).
    Error(Box<JsonRpcErrorObject>),
    /// A message with this request's id that is not a valid response.
    Invalid,
}

/// A request registered on a live connection, ready to be sent.
pub(crate) struct Registered {
    guard: PendingGuard,
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
        guard: PendingGuard {
            shared: Arc::clone(shared),
            connection,
            id,
            removed: false,
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
                    reply = &mut self.reply => return self.settled(reply),
                    sent = send => sent.map_err(|_| RequestError::Canceled)?,
                }
            }
        }
        // The sender is gone by now (dropped, or moved into the finished
        // send): holding it past the send would keep a closing connection's
        // writer waiting for us.
        let reply = (&mut self.reply).await;
        self.settled(reply)
    }

    /// The reply arrived, or its sender was dropped: either way the entry
    /// has left the map (only the map holds senders), and the guard need not
    /// look for it.
    fn settled(
        &mut self,
        reply: Result<Reply, oneshot::error::RecvError>,
    ) -> Result<Reply, RequestError> {
        self.guard.removed = true;
        reply.map_err(|_| RequestError::Canceled)
    }
}

/// Removes its (connection, id) entry when dropped, whatever the exit:
/// answer, error, timeout, disconnect, or the caller's future dropped.
struct PendingGuard {
    shared: Arc<Shared>,
    connection: ConnectionId,
    id: i64,
    /// Known to be gone from the map already: the reader took it to deliver
    /// the answer, or the connection was removed.
    removed: bool,
}

impl Drop for PendingGuard {
    fn drop(&mut self) {
        if self.removed {
            return;
        }
        // Timed out, or the caller's future was dropped: still there,
        // unless an answer or a disconnect raced us to it.
        let waiter = self
            .shared
            .registry()
            .take_pending(self.connection, &RequestId::Integer(self.id));
        drop(waiter);
    }
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;
    use std::hash::BuildHasher;

    use super::*;

    // The table picks a bucket from a hash's low bits and a tag from its top
    // 7 bits: sequential ids must spread over both, or lookups degrade to
    // scans.
    #[test]
    fn sequential_ids_spread_over_buckets_and_tags() {
        let build = BuildHasherDefault::<IdHasher>::default();
        let hashes: Vec<u64> = (1..=1024_i64).map(|id| build.hash_one(id)).collect();
        let buckets: HashSet<u64> = hashes.iter().map(|h| h & 1023).collect();
        let tags: HashSet<u64> = hashes.iter().map(|h| h >> 57).collect();
        assert_eq!(buckets.len(), 1024, "distinct buckets in a 1024-slot table");
        assert_eq!(tags.len(), 128, "every 7-bit tag is used");
    }
}
