//! Pending server-to-client requests, the ids the core gives them, and the
//! guard that removes each one on every exit path.
//!
//! The map is keyed by (connection, request id). It lives inside each
//! connection's registry entry rather than beside the registry: registering a
//! request and checking that its connection is live is then one step under
//! one lock, and removing a connection drops all of its waiters together, so
//! they resolve with `Canceled` at once.

use std::borrow::Cow;
use std::collections::HashMap;
use std::future::Future;
use std::hash::{BuildHasherDefault, Hasher};
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};
use std::time::Duration;

use attestwire_protocol::{JsonRpcErrorObject, RequestId};
use serde_json::Value;
use serde_json::value::RawValue;
use tokio::sync::oneshot;

use crate::core::Inner;
use crate::core::error::RequestError;
use crate::core::registry::{ConnectionId, Registry};
use crate::core::sink::{MessageSink, OutgoingMessage};

/// The pending requests of one connection, by the number in their id: 16
/// bytes an entry (BENCHMARKS.md, figure 5).
pub(crate) type Pending = HashMap<u64, oneshot::Sender<Reply>, BuildHasherDefault<IdHasher>>;

/// Hashes the core's request numbers with one multiplication instead of
/// SipHash (BENCHMARKS.md, figure 1). SipHash guards a map against keys
/// chosen to collide; these keys are chosen by the core, and a client's id
/// is only ever looked up, never inserted.
#[derive(Default)]
pub(crate) struct IdHasher(u64);

impl Hasher for IdHasher {
    fn write(&mut self, bytes: &[u8]) {
        // Not used by `u64` keys; kept correct for any other input.
        for &byte in bytes {
            self.0 = (self.0.rotate_left(5) ^ u64::from(byte)).wrapping_mul(GOLDEN);
        }
    }

    fn write_u64(&mut self, id: u64) {
        // Sequential ids differ in their low bits; the multiplication
        // spreads them over the high bits too, which the table's tags use.
        self.0 = id.wrapping_mul(GOLDEN);
    }

    fn finish(&self) -> u64 {
        self.0
    }
}

/// 2^64 / φ, odd: multiplying by it is a bijection that mixes low bits up.
const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

/// The form of the core's request ids: the string `<prefix><n>`, `n` a
/// decimal number from 1 without leading zeros (`"attestwire:1"`, …).
///
/// A string never equals an integer id, so a host counting integers (as
/// Codex does from 0) can never clash with it; a host issuing strings of its
/// own only has to avoid this prefix, or give the core another one.
#[derive(Debug, Clone)]
pub(crate) struct IdForm {
    prefix: Cow<'static, str>,
}

impl IdForm {
    pub(crate) fn new(prefix: Cow<'static, str>) -> Self {
        Self { prefix }
    }

    /// The wire id of request number `n`.
    pub(crate) fn id(&self, n: u64) -> RequestId {
        // Written by hand: `format!` cost ~500 instructions a request here,
        // a sixth of the runtime's share of a round trip (BENCHMARKS.md,
        // figure 1).
        let mut digits = [0u8; 20];
        let mut at = digits.len();
        let mut rest = n;
        loop {
            at -= 1;
            digits[at] = b'0' + (rest % 10) as u8;
            rest /= 10;
            if rest == 0 {
                break;
            }
        }
        let mut id = String::with_capacity(self.prefix.len() + digits.len() - at);
        id.push_str(&self.prefix);
        for &digit in &digits[at..] {
            id.push(char::from(digit));
        }
        RequestId::String(id)
    }

    /// Whether `id` has the core's form; checks the text only.
    pub(crate) fn is_own(&self, id: &RequestId) -> bool {
        matches!(id, RequestId::String(text) if self.is_own_text(text))
    }

    /// Whether a string id has the core's form.
    pub(crate) fn is_own_text(&self, text: &str) -> bool {
        text.starts_with(&*self.prefix)
    }

    /// The number in a string id of the core's form. `None` for any other id, and
    /// for one with the prefix but not exactly as the core writes it
    /// (`"attestwire:01"`): the client answered with an id the core never
    /// issued.
    pub(crate) fn key(&self, text: &str) -> Option<u64> {
        let digits = text.strip_prefix(&*self.prefix)?;
        let canonical = digits.bytes().all(|b| b.is_ascii_digit())
            && !digits.is_empty()
            && !digits.starts_with('0');
        if canonical { digits.parse().ok() } else { None }
    }
}

/// What the client answered.
pub(crate) enum Reply {
    /// A `result` as the client wrote it (validated JSON), parsed only into
    /// the method's response type: never into a `Value` first
    /// (BENCHMARKS.md, figure 1).
    Result(Box<RawValue>),
    /// A `result` a host had already parsed. Boxed, like the error: the
    /// reply's size is paid by every pending request's oneshot
    /// (BENCHMARKS.md, figure 5).
    Value(Box<Value>),
    /// A JSON-RPC error.
    Error(Box<JsonRpcErrorObject>),
    /// A message with this request's id that is not a valid response.
    Invalid,
}

/// A request registered on a live connection, ready to be sent.
pub(crate) struct Registered {
    guard: PendingGuard,
    /// Until the message is sent: a sink held longer would keep a closing
    /// connection's writer waiting for us.
    sink: Option<Arc<dyn MessageSink>>,
    reply: oneshot::Receiver<Reply>,
}

/// Registers request `key` on `connection`; `None` when the connection is
/// not live.
pub(crate) fn register(
    inner: &Arc<Inner>,
    connection: ConnectionId,
    key: u64,
) -> Option<Registered> {
    let (sink, Asked { guard, reply }) =
        register_locked(&mut inner.registry(), inner, connection, key)?;
    Some(Registered {
        guard,
        sink: Some(sink),
        reply,
    })
}

/// [`register`] under a lock the caller already holds (the attestation flow
/// picks its connections and registers on all of them in one step): the
/// connection's sink, to send on once the lock is released, and the waiting
/// request. `None` when the connection is not live.
pub(crate) fn register_locked(
    registry: &mut Registry,
    inner: &Arc<Inner>,
    connection: ConnectionId,
    key: u64,
) -> Option<(Arc<dyn MessageSink>, Asked)> {
    let (waiter, reply) = oneshot::channel();
    let state = registry.get_mut(connection)?;
    state.pending.insert(key, waiter);
    let sink = Arc::clone(&state.sink);
    let guard = PendingGuard {
        inner: Arc::clone(inner),
        connection,
        key,
        removed: false,
    };
    Some((sink, Asked { guard, reply }))
}

/// Hands `message` to `sink` at once: a full or closed sink cancels the
/// request now. Call it with no lock held: a sink is the host's code.
pub(crate) fn send(
    sink: &dyn MessageSink,
    connection: ConnectionId,
    message: OutgoingMessage,
) -> Result<(), RequestError> {
    sink.try_send(message).map_err(|error| {
        tracing::debug!(connection = connection.get(), %error, "request not sent");
        RequestError::Canceled
    })
}

impl Registered {
    /// Hands `message` to the connection's sink, at once: a full or closed
    /// sink cancels the request now (the guard removes the entry).
    pub(crate) fn send(&mut self, message: OutgoingMessage) -> Result<(), RequestError> {
        let sink = self.sink.take().ok_or(RequestError::Canceled)?;
        send(&*sink, self.guard.connection, message)
    }

    /// Waits for the answer. The caller bounds it with the deadline;
    /// dropping `self` on any path removes the pending entry.
    pub(crate) async fn reply(&mut self) -> Result<Reply, RequestError> {
        let reply = (&mut self.reply).await;
        // The reply arrived, or its sender was dropped: either way the entry
        // has left the map (only the map holds senders), and the guard need
        // not look for it.
        self.guard.removed = true;
        reply.map_err(|_| RequestError::Canceled)
    }
}

/// A request registered on a live connection and already sent: what the
/// attestation flow waits on, one per connection it asked. 40 bytes; the
/// flow of one connection holds one inline, with its timer and nothing else
/// (BENCHMARKS.md, "Peers, side by side").
pub(crate) struct Asked {
    guard: PendingGuard,
    reply: oneshot::Receiver<Reply>,
}

impl Asked {
    /// The connection asked.
    pub(crate) fn connection(&self) -> ConnectionId {
        self.guard.connection
    }

    /// The number in the request's id.
    pub(crate) fn key(&self) -> u64 {
        self.guard.key
    }

    /// Polls for the answer; `Canceled` when the connection closed. Once
    /// ready, the entry has left the map; dropping `self` on any path
    /// removes it otherwise.
    pub(crate) fn poll_reply(&mut self, cx: &mut Context<'_>) -> Poll<Result<Reply, RequestError>> {
        let reply = std::task::ready!(Pin::new(&mut self.reply).poll(cx));
        // As in `Registered::reply`: only the map holds senders.
        self.guard.removed = true;
        Poll::Ready(reply.map_err(|_| RequestError::Canceled))
    }

    /// Removes the entry now, if it is still there (the deadline passed):
    /// the caller then has its header with nothing left pending.
    pub(crate) fn withdraw(&mut self) {
        self.guard.remove();
    }

    /// The core's attestation deadline, for the timeout's error.
    pub(crate) fn deadline(&self) -> Duration {
        self.guard.inner.config.attestation_deadline
    }
}

/// Removes its (connection, id) entry when dropped, whatever the exit:
/// answer, error, timeout, disconnect, a refused send, or the caller's future
/// dropped.
struct PendingGuard {
    inner: Arc<Inner>,
    connection: ConnectionId,
    key: u64,
    /// Known to be gone from the map already: the reader took it to deliver
    /// the answer, or the connection was removed.
    removed: bool,
}

impl PendingGuard {
    fn remove(&mut self) {
        if self.removed {
            return;
        }
        self.removed = true;
        // Timed out, or the caller's future was dropped: still there,
        // unless an answer or a disconnect raced us to it.
        let waiter = self
            .inner
            .registry()
            .take_pending(self.connection, self.key);
        drop(waiter);
    }
}

impl Drop for PendingGuard {
    fn drop(&mut self) {
        self.remove();
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
        let hashes: Vec<u64> = (1..=1024_u64).map(|id| build.hash_one(id)).collect();
        let buckets: HashSet<u64> = hashes.iter().map(|h| h & 1023).collect();
        let tags: HashSet<u64> = hashes.iter().map(|h| h >> 57).collect();
        assert_eq!(buckets.len(), 1024, "distinct buckets in a 1024-slot table");
        assert_eq!(tags.len(), 128, "every 7-bit tag is used");
    }
}

#[cfg(test)]
mod id_tests {
    use super::*;

    fn key(form: &IdForm, id: &RequestId) -> Option<u64> {
        match id {
            RequestId::String(text) => form.key(text),
            RequestId::Integer(_) => None,
        }
    }

    #[test]
    fn ids_have_the_prefix_form_and_only_the_canonical_text_has_a_key() {
        let form = IdForm::new("attestwire:".into());
        for n in [1, 9, 10, 1234567890, u64::MAX] {
            assert_eq!(form.id(n), RequestId::String(format!("attestwire:{n}")));
        }
        let id = form.id(17);
        assert_eq!(id, RequestId::String("attestwire:17".into()));
        assert!(form.is_own(&id));
        assert_eq!(key(&form, &id), Some(17));
        for other in [
            RequestId::Integer(17),
            RequestId::String("17".into()),
            RequestId::String("attestwire:017".into()),
            RequestId::String("attestwire:0".into()),
            RequestId::String("attestwire:".into()),
            RequestId::String("attestwire:+1".into()),
            RequestId::String("attestwire:1 ".into()),
            RequestId::String("attestwire:99999999999999999999999".into()),
        ] {
            assert_eq!(key(&form, &other), None, "{other}");
        }
        assert!(!form.is_own(&RequestId::Integer(17)));
        assert!(form.is_own(&RequestId::String("attestwire:017".into())));
    }
}
