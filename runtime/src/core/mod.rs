//! The core: pending requests, deadlines, thread subscriptions and the
//! attestation flow, driven by a host that owns the connections and their
//! bytes. It does no I/O and never awaits its host.

pub(crate) mod attestation;
pub(crate) mod config;
pub(crate) mod error;
pub(crate) mod fanout;
pub(crate) mod pending;
pub(crate) mod registry;
pub(crate) mod routing;
pub(crate) mod sink;

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use attestwire_protocol::{
    ClientCapabilities, JsonRpcErrorObject, JsonRpcVersion, MAX_SAFE_INTEGER, Method, RequestId,
};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tokio::sync::Notify;
use tokio::time::Instant;

pub use crate::core::config::CoreConfig;
use crate::core::error::{MalformedResponse, RequestError};
use crate::core::pending::{IdForm, Reply};
use crate::core::registry::{ConnectionId, Registry};
use crate::core::sink::{MessageSink, OutgoingMessage};

/// The request → deadline → answer flow and the attestation header, for a
/// host that owns its connections: the built-in [`Server`](crate::Server),
/// or a server with its own transport and protocol.
///
/// The host tells the core what happens — a connection [opened](Self::open)
/// (with a sink for its outgoing messages), finished `initialize`
/// ([`initialized`](Self::initialized)), [subscribed](Self::subscribe) to a
/// thread, received a response ([`handle_message`](Self::handle_message)),
/// closed (dropping its [`CoreConnection`]) — and the core answers at once.
/// Cheap to clone: clones share the same state.
///
/// Guarantees: a request's deadline covers the whole flow; an answer is
/// matched by (connection, id), so an answer on another connection, a late
/// or a duplicate one is dropped; a closed connection resolves its pending
/// requests at once with [`RequestError::Canceled`] (status 3); a pending
/// entry is removed on every path, including a dropped caller.
#[derive(Clone)]
pub struct Core {
    inner: Arc<Inner>,
}

/// What every clone of a [`Core`] and every pending request shares.
pub(crate) struct Inner {
    pub(crate) config: CoreConfig,
    pub(crate) ids: IdForm,
    next_connection: AtomicU64,
    next_request: AtomicU64,
    registry: Mutex<Registry>,
    /// Wakes the attestation flows waiting out a startup grace when a
    /// connection subscribes or opts in (`fanout::Waiting`). Notified only
    /// when the grace is on, so without it nothing ever waits here.
    arrivals: Notify,
}

impl Inner {
    /// The registry, locked. Never held across an `.await` or a call into
    /// the host (a sink).
    pub(crate) fn registry(&self) -> MutexGuard<'_, Registry> {
        // Every change under this lock is a single insert or remove, so a
        // panic elsewhere cannot leave it half-done: poisoning carries no
        // information here.
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A connection may have become one to ask: wakes the flows waiting
    /// for one. Called after the lock is released.
    fn arrived(&self) {
        if !self.config.startup_grace.is_zero() {
            self.arrivals.notify_waiters();
        }
    }
}

/// A connection registered with a [`Core`]. Dropping it closes the
/// connection in the core: it is unsubscribed everywhere and its pending
/// requests resolve at once with [`RequestError::Canceled`]. Keep it in the
/// host's per-connection state, so that every way a connection ends
/// closes it.
pub struct CoreConnection {
    core: Core,
    id: ConnectionId,
}

impl CoreConnection {
    /// The connection's id in the core.
    pub fn id(&self) -> ConnectionId {
        self.id
    }

    /// The core this connection belongs to.
    pub fn core(&self) -> &Core {
        &self.core
    }

    /// [`Core::initialized`] for this connection.
    pub fn initialized(&self, capabilities: &ClientCapabilities) -> bool {
        self.core.initialized(self.id, capabilities)
    }

    /// [`Core::subscribe`] for this connection.
    pub fn subscribe(&self, thread_id: impl Into<String>) -> bool {
        self.core.subscribe(self.id, thread_id)
    }

    /// [`Core::unsubscribe`] for this connection.
    pub fn unsubscribe(&self, thread_id: &str) -> bool {
        self.core.unsubscribe(self.id, thread_id)
    }

    /// [`Core::handle_message`] for a message received on this connection.
    pub fn handle_message(&self, json: &[u8]) -> bool {
        self.core.handle_message(self.id, json)
    }

    /// [`Core::handle_object`] for a message received on this connection.
    pub fn handle_object(&self, message: &Map<String, Value>) -> bool {
        self.core.handle_object(self.id, message)
    }

    /// Closes the connection now; the same as dropping it.
    pub fn close(self) {}
}

impl Drop for CoreConnection {
    fn drop(&mut self) {
        let removed = self.core.inner.registry().remove(self.id);
        // Dropped after the lock is released: this wakes the waiters.
        drop(removed);
    }
}

impl fmt::Debug for CoreConnection {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("CoreConnection")
            .field("id", &self.id)
            .finish_non_exhaustive()
    }
}

impl Core {
    /// A core without connections.
    pub fn new(config: CoreConfig) -> Self {
        let ids = IdForm::new(config.id_prefix.clone());
        Self {
            inner: Arc::new(Inner {
                config,
                ids,
                next_connection: AtomicU64::new(1),
                next_request: AtomicU64::new(0),
                registry: Mutex::new(Registry::default()),
                arrivals: Notify::new(),
            }),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &CoreConfig {
        &self.inner.config
    }

    /// Registers a connection whose outgoing messages go to `sink`. It is
    /// not asked for attestations until [`initialized`](Self::initialized)
    /// reports that it opted in.
    pub fn open(&self, sink: impl MessageSink) -> CoreConnection {
        let sink: Arc<dyn MessageSink> = Arc::new(sink);
        let id = ConnectionId::new(self.inner.next_connection.fetch_add(1, Ordering::Relaxed));
        self.inner.registry().insert(id, sink);
        CoreConnection {
            core: self.clone(),
            id,
        }
    }

    /// Records that the connection finished `initialize` with these
    /// capabilities. With `requestAttestation: true` it becomes a candidate
    /// for the attestations of the threads it is subscribed to. `false` when
    /// the connection is gone.
    pub fn initialized(&self, connection: ConnectionId, capabilities: &ClientCapabilities) -> bool {
        {
            let mut registry = self.inner.registry();
            let Some(state) = registry.get_mut(connection) else {
                return false;
            };
            state.opted_in = capabilities.request_attestation;
        }
        if capabilities.request_attestation {
            self.inner.arrived();
        }
        true
    }

    /// Subscribes a connection to a thread: it becomes a candidate for the
    /// thread's attestation requests. `false` when the connection is gone.
    pub fn subscribe(&self, connection: ConnectionId, thread_id: impl Into<String>) -> bool {
        let subscribed = self
            .inner
            .registry()
            .subscribe(connection, thread_id.into());
        if subscribed {
            self.inner.arrived();
        }
        subscribed
    }

    /// Undoes [`subscribe`](Self::subscribe). `false` when the connection is
    /// gone.
    pub fn unsubscribe(&self, connection: ConnectionId, thread_id: &str) -> bool {
        self.inner.registry().unsubscribe(connection, thread_id)
    }

    /// Sends the request `M` to a connection and waits for its typed
    /// response. `M` is any [`Method`]: ours, or one a host declares for its
    /// own server → client requests.
    ///
    /// `deadline` counts from this call and covers everything. The message
    /// goes to the connection's sink when the future is first polled; a
    /// full or closed sink, like an unknown or closed connection, ends the
    /// request at once with [`RequestError::Canceled`]. The answer is
    /// matched by (connection, id); a late or duplicate answer is dropped.
    /// The pending entry is removed on every path, including when the
    /// returned future is dropped.
    ///
    /// The future must run on a Tokio runtime with the time driver enabled.
    pub fn request<M>(
        &self,
        connection: ConnectionId,
        params: M::Params,
        deadline: Duration,
    ) -> impl Future<Output = Result<M::Response, RequestError>> + Send + 'static
    where
        M: Method + 'static,
    {
        self.request_until::<M>(connection, params, expiry(deadline), deadline)
    }

    /// [`request`](Self::request) with its deadline already started: it
    /// ends at `expires`, and `deadline` is what the error reports.
    pub(crate) fn request_until<M>(
        &self,
        connection: ConnectionId,
        params: M::Params,
        expires: Instant,
        deadline: Duration,
    ) -> impl Future<Output = Result<M::Response, RequestError>> + Send + 'static
    where
        M: Method + 'static,
    {
        let key = self.next_request_key();
        // Encoded now so the future holds bytes, not `M::Params`, and is
        // `Send` whatever the params type.
        let message = self.encode_request::<M>(key, &params);
        let inner = Arc::clone(&self.inner);
        async move {
            let message = message.ok_or(RequestError::Canceled)?;
            let mut registered =
                pending::register(&inner, connection, key).ok_or(RequestError::Canceled)?;
            registered.send(message)?;
            let reply = tokio::time::timeout_at(expires, registered.reply())
                .await
                .map_err(|_| RequestError::Timeout { deadline })??;
            drop(registered);
            decode::<M>(reply)
        }
    }

    /// Request number `key` of method `M`, as it goes on the wire.
    pub(crate) fn encode_request<M: Method>(
        &self,
        key: u64,
        params: &M::Params,
    ) -> Option<OutgoingMessage> {
        OutgoingMessage::encode(&OutgoingRequest {
            jsonrpc: JsonRpcVersion,
            id: &self.inner.ids.id(key),
            method: M::METHOD,
            params,
        })
    }

    /// Whether `id` has the form of the core's request ids. A host may route
    /// a response by this alone: every id of this form is the core's, and
    /// no other is.
    pub fn is_own_id(&self, id: &RequestId) -> bool {
        self.inner.ids.is_own(id)
    }

    /// Hands the core one message the host received on `connection`, as
    /// JSON text. Returns `true` when it was a response (result or error) to
    /// one of the core's requests, consumed now, whether or not its caller
    /// still waits; `false` for everything else, which stays the host's (a
    /// request, a notification, a response to the host's own request, a
    /// line that is not JSON).
    ///
    /// A message that has the core's id but is not a valid response (say,
    /// both `result` and `error`) is the core's too: its request ends now as
    /// [`RequestError::Malformed`] (status 4).
    pub fn handle_message(&self, connection: ConnectionId, json: &[u8]) -> bool {
        crate::core::routing::handle_message(self, connection, json)
    }

    /// [`handle_message`](Self::handle_message) for a host that has already
    /// parsed the message into a JSON object: the same decision, an invalid
    /// response with the core's id included.
    pub fn handle_object(&self, connection: ConnectionId, message: &Map<String, Value>) -> bool {
        crate::core::routing::route_object(self, connection, message)
    }

    /// For a host that parsed the message itself: a successful response
    /// with this `id` and `result` arrived on `connection`. `true` when the
    /// id is the core's (the host then forgets the message), `false` when it
    /// is the host's own.
    pub fn handle_result(&self, connection: ConnectionId, id: &RequestId, result: &Value) -> bool {
        self.resolve_with(connection, id, || Reply::Value(Box::new(result.clone())))
    }

    /// For a host that parsed the message itself: an error response with
    /// this `id` arrived on `connection`. `true` when the id is the core's.
    pub fn handle_error(
        &self,
        connection: ConnectionId,
        id: &RequestId,
        error: &JsonRpcErrorObject,
    ) -> bool {
        self.resolve_with(connection, id, || Reply::Error(Box::new(error.clone())))
    }

    /// Resolves the core's request `id` on `connection` with `reply()` if it
    /// is still pending. `false` (nothing done) when `id` is not the core's.
    pub(crate) fn resolve_with(
        &self,
        connection: ConnectionId,
        id: &RequestId,
        reply: impl FnOnce() -> Reply,
    ) -> bool {
        match id {
            RequestId::String(text) => self.resolve_text(connection, text, reply),
            RequestId::Integer(_) => false,
        }
    }

    /// [`resolve_with`](Self::resolve_with) for a string id, as the answer
    /// fast path reads it (borrowed from the line, not allocated).
    pub(crate) fn resolve_text(
        &self,
        connection: ConnectionId,
        id: &str,
        reply: impl FnOnce() -> Reply,
    ) -> bool {
        if !self.inner.ids.is_own_text(id) {
            return false;
        }
        let waiter = self
            .inner
            .ids
            .key(id)
            .and_then(|key| self.inner.registry().take_pending(connection, key));
        // Only the id is logged: a result may hold a token.
        match waiter {
            Some(waiter) => {
                if waiter.send(reply()).is_err() {
                    tracing::debug!(
                        connection = connection.get(),
                        id,
                        "response arrived as its caller gave up; dropped"
                    );
                }
            }
            None => tracing::debug!(
                connection = connection.get(),
                id,
                "response matches no pending request on this connection (late, duplicate or unknown); dropped"
            ),
        }
        true
    }

    /// How many connections are open.
    pub fn connection_count(&self) -> usize {
        self.inner.registry().connection_count()
    }

    /// How many requests are waiting for an answer, over all connections.
    /// Returns to 0 once every caller has its result or gave up.
    pub fn pending_count(&self) -> usize {
        self.inner.registry().pending_count()
    }

    pub(crate) fn inner(&self) -> &Arc<Inner> {
        &self.inner
    }

    /// A fresh request number, unique within this core.
    pub(crate) fn next_request_key(&self) -> u64 {
        // Numbers stay within 2^53 − 1 like every id a client may echo;
        // wrapping after that many requests is as good as never.
        self.inner.next_request.fetch_add(1, Ordering::Relaxed) % MAX_SAFE_INTEGER.unsigned_abs()
            + 1
    }
}

impl fmt::Debug for Core {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let registry = self.inner.registry();
        f.debug_struct("Core")
            .field("connections", &registry.connection_count())
            .field("pending", &registry.pending_count())
            .finish_non_exhaustive()
    }
}

/// A server → client request as it goes on the wire.
#[derive(Serialize)]
struct OutgoingRequest<'a, P> {
    jsonrpc: JsonRpcVersion,
    id: &'a RequestId,
    method: &'static str,
    params: &'a P,
}

/// What the client answered, as `M`'s response or why not.
pub(crate) fn decode<M: Method>(reply: Reply) -> Result<M::Response, RequestError> {
    let malformed = |error: serde_json::Error| {
        RequestError::Malformed(MalformedResponse::from_serde(M::METHOD, &error))
    };
    match reply {
        Reply::Result(raw) => serde_json::from_str(raw.get()).map_err(malformed),
        Reply::Value(value) => M::Response::deserialize(&*value).map_err(malformed),
        Reply::Error(error) => Err(RequestError::Rejected(*error)),
        Reply::Invalid => Err(RequestError::Malformed(MalformedResponse::not_a_response(
            M::METHOD,
        ))),
    }
}

/// When a deadline that starts now ends. `Instant + Duration` panics on
/// overflow; a deadline too far to represent (e.g. `Duration::MAX`) becomes
/// thirty years, which is tokio's own "far future".
pub(crate) fn expiry(deadline: Duration) -> Instant {
    const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);
    let now = Instant::now();
    now.checked_add(deadline)
        .or_else(|| now.checked_add(FAR_FUTURE))
        .unwrap_or(now)
}
