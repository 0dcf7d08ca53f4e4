//! The built-in JSONL server: a host of the [`Core`] that owns each
//! connection's bytes, answers `initialize`, and serves the host's own
//! client methods through registered handlers.

pub(crate) mod connection;
pub(crate) mod dispatch;
pub(crate) mod error;
pub(crate) mod handlers;
pub(crate) mod outbox;
pub(crate) mod transport;

use std::collections::HashMap;
use std::fmt;
use std::future::Future;
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use attestwire_protocol::{ClientInfo, Method, ServerInfo};
use http::HeaderValue;
use serde_json::{Map, Value};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::oneshot;

use crate::core::attestation::{AttestationContext, AttestationProvider, HeaderFuture, NoHeader};
use crate::core::error::RequestError;
use crate::core::registry::ConnectionId;
use crate::core::{Core, CoreConfig};
use crate::server::connection::Connection;
use crate::server::handlers::{Handlers, RequestContext};

/// The default frame limit: 1 MiB.
const DEFAULT_FRAME_LIMIT: usize = 1024 * 1024;
/// The default length of a connection's outgoing queue, in messages.
const DEFAULT_WRITE_QUEUE: usize = 64;
/// The default byte budget of a connection's outgoing queue: 4 MiB.
const DEFAULT_WRITE_QUEUE_BYTES: usize = 4 * 1024 * 1024;
/// The default write-stall limit.
const DEFAULT_WRITE_STALL: Duration = Duration::from_secs(10);
/// The default bound on a connection's handlers in flight.
const DEFAULT_HANDLERS_IN_FLIGHT: usize = 32;

/// How a [`Server`] treats its connections. Start from
/// [`ServerConfig::new`], which sets the defaults, and change fields as
/// needed.
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct ServerConfig {
    /// Sent to every client as `serverInfo` in the `initialize` result.
    pub server_info: ServerInfo,
    /// The longest line a client may send, in bytes, without its newline.
    /// A longer line is never buffered whole: the connection is closed.
    /// Default 1 MiB.
    pub frame_limit: usize,
    /// How many outgoing messages a connection queues. Answers and handler
    /// results wait for room (back pressure from a slow reader); a request
    /// of ours that finds the queue full ends at once as canceled (status
    /// 3). Default 64; 0 counts as 1.
    pub write_queue: usize,
    /// How many bytes a connection's outgoing queue holds, with the same
    /// rules as [`write_queue`](Self::write_queue); a single larger message
    /// goes alone. Default 4 MiB.
    pub write_queue_bytes: usize,
    /// How long one write to a client may make no progress before the
    /// connection is closed (the client stopped reading); its pending
    /// requests then resolve as canceled. Default 10 s.
    pub write_stall: Duration,
    /// How many of a connection's handlers run at once. At the bound the
    /// reader waits for one to finish (back pressure: it reads nothing
    /// meanwhile, answers included), so set it above what a client keeps in
    /// flight. Default 32; 0 counts as 1.
    pub handlers_in_flight: usize,
    /// How long the attestation flow waits for the app, queueing and writing
    /// included. Default 100 ms.
    pub attestation_deadline: Duration,
    /// How long the attestation flow may wait, within its deadline, for a
    /// connection to ask when none is there yet; see
    /// [`CoreConfig::startup_grace`]. Default zero.
    pub startup_grace: Duration,
}

impl ServerConfig {
    /// The defaults, with the `serverInfo` this server sends.
    pub fn new(server_info: ServerInfo) -> Self {
        Self {
            server_info,
            frame_limit: DEFAULT_FRAME_LIMIT,
            write_queue: DEFAULT_WRITE_QUEUE,
            write_queue_bytes: DEFAULT_WRITE_QUEUE_BYTES,
            write_stall: DEFAULT_WRITE_STALL,
            handlers_in_flight: DEFAULT_HANDLERS_IN_FLIGHT,
            attestation_deadline: CoreConfig::default().attestation_deadline,
            startup_grace: CoreConfig::default().startup_grace,
        }
    }
}

/// What a client said in `initialize`, for the host's logs and decisions.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub struct ConnectionInfo {
    /// The connection.
    pub id: ConnectionId,
    /// `clientInfo` from `initialize`.
    pub client_info: ClientInfo,
    /// `capabilities` from `initialize` as the client sent them, members we
    /// do not know included (empty when absent).
    pub capabilities: Map<String, Value>,
    /// Whether the client set `capabilities.requestAttestation`.
    pub request_attestation: bool,
    /// Whether the client has also sent the `initialized` notification.
    pub initialized_notification: bool,
}

/// Called when a connection's handshake completes, with the server and what
/// the client said; on the connection's reader, so keep it short (spawn for
/// slow work).
pub(crate) type HandshakeHook = Arc<dyn Fn(&Server, &ConnectionInfo) + Send + Sync>;

/// Accepts client connections, serves `initialize` and the host's
/// registered methods, and sends clients typed requests. Cheap to clone:
/// clones share the same connections.
#[derive(Clone)]
pub struct Server {
    shared: Arc<Shared>,
}

/// What every clone of a [`Server`] and every connection task shares.
pub(crate) struct Shared {
    pub(crate) config: ServerConfig,
    pub(crate) core: Core,
    pub(crate) handlers: Handlers,
    pub(crate) on_handshake: Option<HandshakeHook>,
    connections: Mutex<HashMap<ConnectionId, HostConnection>>,
}

/// The built-in host's view of one connection (the core keeps the rest).
pub(crate) struct HostConnection {
    /// `Some` once `initialize` was answered.
    pub(crate) info: Option<ConnectionInfo>,
    disconnect: Option<oneshot::Sender<()>>,
}

impl Shared {
    /// The host's connections, locked. Never held across an `.await`, and
    /// never together with the core's lock.
    pub(crate) fn connections(&self) -> MutexGuard<'_, HashMap<ConnectionId, HostConnection>> {
        // Single inserts and removes only: poisoning carries no information.
        self.connections
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }
}

/// Registers the host's methods and hooks, then builds the [`Server`].
#[must_use = "call `build` to get the server"]
pub struct ServerBuilder {
    config: ServerConfig,
    handlers: Handlers,
    on_handshake: Option<HandshakeHook>,
}

impl ServerBuilder {
    /// Serves client request `M` (a method of the host's protocol) with
    /// `handler`. Bad params get -32602 without calling it; its
    /// `Err(error)` is sent as that JSON-RPC error; a panic is sent as
    /// -32603 and the connection lives on. Handlers run off the reader, at
    /// most [`ServerConfig::handlers_in_flight`] at once per connection.
    ///
    /// `initialize` is always the built-in one: a handler for it is never
    /// called. A later handler for the same method replaces an earlier one.
    pub fn handle<M, F, Fut>(mut self, handler: F) -> Self
    where
        M: Method + 'static,
        F: Fn(RequestContext, M::Params) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<M::Response, attestwire_protocol::JsonRpcErrorObject>>
            + Send
            + 'static,
    {
        let handler = handlers::typed_request::<M, F, Fut>(handler);
        self.handlers.requests.insert(M::METHOD.to_owned(), handler);
        self
    }

    /// Serves client request `method` with raw JSON: `params` as sent
    /// (`None` when absent), the result as a `Value`. Otherwise as
    /// [`handle`](Self::handle).
    pub fn handle_raw<F, Fut>(mut self, method: impl Into<String>, handler: F) -> Self
    where
        F: Fn(RequestContext, Option<Value>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Result<Value, attestwire_protocol::JsonRpcErrorObject>>
            + Send
            + 'static,
    {
        let handler = handlers::raw_request(handler);
        self.handlers.requests.insert(method.into(), handler);
        self
    }

    /// Handles client notification `N` off the reader, under the same bound
    /// as requests. Bad params and panics are logged and dropped.
    pub fn on_notification<N, F, Fut>(mut self, handler: F) -> Self
    where
        N: attestwire_protocol::Notification + 'static,
        F: Fn(RequestContext, N::Params) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let handler = handlers::typed_notification::<N, F, Fut>(handler);
        self.handlers
            .notifications
            .insert(N::METHOD.to_owned(), handler);
        self
    }

    /// Handles client notification `method` with raw JSON params.
    pub fn on_notification_raw<F, Fut>(mut self, method: impl Into<String>, handler: F) -> Self
    where
        F: Fn(RequestContext, Option<Value>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        let handler = handlers::raw_notification(handler);
        self.handlers.notifications.insert(method.into(), handler);
        self
    }

    /// Calls `hook` when a connection's `initialize` has been answered (it
    /// is eligible for attestation from then on if it opted in). Runs on
    /// the connection's reader: keep it short.
    pub fn on_handshake(
        mut self,
        hook: impl Fn(&Server, &ConnectionInfo) + Send + Sync + 'static,
    ) -> Self {
        self.on_handshake = Some(Arc::new(hook));
        self
    }

    /// The server.
    pub fn build(self) -> Server {
        let core = CoreConfig {
            attestation_deadline: self.config.attestation_deadline,
            startup_grace: self.config.startup_grace,
            ..CoreConfig::default()
        };
        Server {
            shared: Arc::new(Shared {
                config: self.config,
                core: Core::new(core),
                handlers: self.handlers,
                on_handshake: self.on_handshake,
                connections: Mutex::new(HashMap::new()),
            }),
        }
    }
}

impl Server {
    /// A server that serves `initialize` only (every other request gets
    /// -32601); [`builder`](Self::builder) adds the host's methods.
    pub fn new(config: ServerConfig) -> Self {
        Self::builder(config).build()
    }

    /// Starts a server with handlers and hooks.
    pub fn builder(config: ServerConfig) -> ServerBuilder {
        ServerBuilder {
            config,
            handlers: Handlers::default(),
            on_handshake: None,
        }
    }

    /// The core this server hosts: the same connections, pending requests
    /// and subscriptions.
    pub fn core(&self) -> &Core {
        &self.shared.core
    }

    /// Registers a connection over a byte stream (stdio of a child process,
    /// a TCP or Unix socket, `tokio::io::split` of a duplex stream) and
    /// returns it with its id; nothing is read or written until
    /// [`Connection::serve`] runs. Dropping the `Connection` unserved
    /// unregisters it.
    pub fn connect<R, W>(&self, reader: R, writer: W) -> Connection<R, W>
    where
        R: AsyncRead + Unpin,
        W: AsyncWrite + Unpin,
    {
        let config = &self.shared.config;
        let (outbox, inbox) = outbox::outbox(config.write_queue, config.write_queue_bytes);
        let core = self.shared.core.open(outbox.clone());
        let (disconnect, disconnected) = oneshot::channel();
        self.shared.connections().insert(
            core.id(),
            HostConnection {
                info: None,
                disconnect: Some(disconnect),
            },
        );
        Connection::new(
            self.clone(),
            core,
            reader,
            writer,
            outbox,
            inbox,
            disconnected,
        )
    }

    /// Subscribes a connection to a thread: it becomes a candidate for the
    /// thread's attestation requests. `false` when the connection is gone.
    pub fn subscribe(&self, connection: ConnectionId, thread_id: impl Into<String>) -> bool {
        self.shared.core.subscribe(connection, thread_id)
    }

    /// Undoes [`subscribe`](Self::subscribe). `false` when the connection is
    /// gone.
    pub fn unsubscribe(&self, connection: ConnectionId, thread_id: &str) -> bool {
        self.shared.core.unsubscribe(connection, thread_id)
    }

    /// Sends the request `M` (ours, or a method of the host's protocol) to
    /// a connection and waits for its typed response; see
    /// [`Core::request`]. The request is sent whatever the connection's
    /// handshake state; the attestation flow picks only initialized,
    /// opted-in connections.
    pub fn request<M>(
        &self,
        connection: ConnectionId,
        params: M::Params,
        deadline: Duration,
    ) -> impl Future<Output = Result<M::Response, RequestError>> + Send + 'static
    where
        M: Method + 'static,
    {
        self.shared.core.request::<M>(connection, params, deadline)
    }

    /// The header for a request made in `context`, or why there is none;
    /// see [`Core::attestation_header`].
    pub fn attestation_header(
        &self,
        context: &AttestationContext,
    ) -> impl Future<Output = Result<HeaderValue, NoHeader>> + Send + 'static {
        self.shared.core.attestation_header(context)
    }

    /// What the client said in `initialize`; `None` before it, or when the
    /// connection is gone.
    pub fn connection_info(&self, connection: ConnectionId) -> Option<ConnectionInfo> {
        self.shared
            .connections()
            .get(&connection)
            .and_then(|host| host.info.clone())
    }

    /// Ends a connection: its `serve` returns soon after (what is queued
    /// gets a short grace to be written), and its pending requests resolve
    /// as canceled at once. `false` when it is gone or already ending.
    pub fn disconnect(&self, connection: ConnectionId) -> bool {
        let disconnect = self
            .shared
            .connections()
            .get_mut(&connection)
            .and_then(|host| host.disconnect.take());
        disconnect.is_some_and(|disconnect| disconnect.send(()).is_ok())
    }

    /// How many connections are live (registered and not yet closed).
    pub fn connection_count(&self) -> usize {
        self.shared.core.connection_count()
    }

    /// How many requests are waiting for an answer, over all connections.
    /// Returns to 0 once every caller has its result or gave up.
    pub fn pending_count(&self) -> usize {
        self.shared.core.pending_count()
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }
}

/// [`Server::attestation_header`], with "no header" as `None`.
impl AttestationProvider for Server {
    fn header_for_request<'a>(&'a self, context: &'a AttestationContext) -> HeaderFuture<'a> {
        self.shared.core.header_for_request(context)
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Server")
            .field("core", &self.shared.core)
            .finish_non_exhaustive()
    }
}
