//! The server: its configuration, its connections, and typed
//! server-to-client requests.

use std::fmt;
use std::future::Future;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, PoisonError};
use std::time::Duration;

use attestwire_protocol::{MAX_SAFE_INTEGER, Method, RequestId, ServerInfo, ServerRequestPayload};
use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;
use tokio::time::Instant;

use crate::connection::Connection;
use crate::error::{MalformedResponse, RequestError};
use crate::pending::{self, Reply};
use crate::registry::{ConnectionId, Registry};
use crate::transport;

/// The default frame limit: 1 MiB.
const DEFAULT_FRAME_LIMIT: usize = 1024 * 1024;
/// The default length of a connection's outgoing queue, in messages.
const DEFAULT_WRITE_QUEUE: usize = 64;
/// The default attestation deadline.
const DEFAULT_ATTESTATION_DEADLINE: Duration = Duration::from_millis(100);

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
    /// How many outgoing messages a connection queues before senders wait
    /// (back pressure from a slow reader). Default 64; 0 counts as 1.
    pub write_queue: usize,
    /// How long the attestation flow waits for the app, queueing and writing
    /// included. Default 100 ms.
    pub attestation_deadline: Duration,
}

impl ServerConfig {
    /// The defaults, with the `serverInfo` this server sends.
    pub fn new(server_info: ServerInfo) -> Self {
        Self {
            server_info,
            frame_limit: DEFAULT_FRAME_LIMIT,
            write_queue: DEFAULT_WRITE_QUEUE,
            attestation_deadline: DEFAULT_ATTESTATION_DEADLINE,
        }
    }
}

/// Accepts client connections and sends them typed requests. Cheap to
/// clone: clones share the same connections.
#[derive(Clone)]
pub struct Server {
    shared: Arc<Shared>,
}

/// What every clone of a [`Server`] and every connection task shares.
pub(crate) struct Shared {
    pub(crate) config: ServerConfig,
    next_connection: AtomicU64,
    next_request: AtomicU64,
    registry: Mutex<Registry>,
}

impl Shared {
    /// The registry, locked. Never hold it across an `.await`.
    pub(crate) fn registry(&self) -> MutexGuard<'_, Registry> {
        // Every change under this lock is a single insert or remove, so a
        // panic elsewhere cannot leave it half-done: poisoning carries no
        // information here.
        self.registry.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// A fresh integer id, unique within this server: `RequestId::Integer`
    /// of it goes on the wire, and the bare integer keys the pending entry.
    fn next_request_id(&self) -> i64 {
        // Ids stay within ±(2^53 − 1) so that TypeScript holds them exactly;
        // wrapping after 2^53 − 1 requests is as good as never.
        let n = self.next_request.fetch_add(1, Ordering::Relaxed) % MAX_SAFE_INTEGER.unsigned_abs();
        n.cast_signed() + 1
    }
}

impl Server {
    /// A server without connections.
    pub fn new(config: ServerConfig) -> Self {
        Self {
            shared: Arc::new(Shared {
                config,
                next_connection: AtomicU64::new(1),
                next_request: AtomicU64::new(0),
                registry: Mutex::new(Registry::default()),
            }),
        }
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
        let id = ConnectionId::new(self.shared.next_connection.fetch_add(1, Ordering::Relaxed));
        let (outbox, queue) = mpsc::channel(self.shared.config.write_queue.max(1));
        self.shared.registry().insert(id, outbox.clone());
        Connection::new(Arc::clone(&self.shared), id, reader, writer, outbox, queue)
    }

    /// Subscribes a connection to a thread: it becomes a candidate for the
    /// thread's attestation requests. `false` when the connection is gone.
    pub fn subscribe(&self, connection: ConnectionId, thread_id: impl Into<String>) -> bool {
        self.shared
            .registry()
            .subscribe(connection, thread_id.into())
    }

    /// Undoes [`subscribe`](Self::subscribe). `false` when the connection is
    /// gone.
    pub fn unsubscribe(&self, connection: ConnectionId, thread_id: &str) -> bool {
        self.shared.registry().unsubscribe(connection, thread_id)
    }

    /// Sends the request `M` to a connection and waits for its typed
    /// response.
    ///
    /// `deadline` counts from this call and covers everything: queueing
    /// behind other messages, writing, and waiting for the answer. The
    /// answer is matched by (connection, id); a late or duplicate answer is
    /// dropped. The pending entry is removed on every path, including when
    /// the returned future is dropped. The request is sent whatever the
    /// connection's handshake state; the attestation flow picks only
    /// initialized, opted-in connections.
    ///
    /// The future must run on a Tokio runtime with the time driver enabled.
    pub fn request<M>(
        &self,
        connection: ConnectionId,
        params: M::Params,
        deadline: Duration,
    ) -> impl Future<Output = Result<M::Response, RequestError>> + Send + 'static
    where
        M: Method<Payload = ServerRequestPayload> + 'static,
    {
        let expires = expiry(deadline);
        let id = self.shared.next_request_id();
        // Encoded now so the future holds bytes, not `M::Params`, and is
        // `Send` whatever the params type.
        let line = transport::encode_line(&M::payload(params).into_request(RequestId::Integer(id)));
        let shared = Arc::clone(&self.shared);
        async move {
            let line = line.ok_or(RequestError::Canceled)?;
            let mut registered =
                pending::register(&shared, connection, id).ok_or(RequestError::Canceled)?;
            let reply = tokio::time::timeout_at(expires, registered.exchange(line))
                .await
                .map_err(|_| RequestError::Timeout { deadline })??;
            drop(registered);
            match reply {
                Reply::Result(raw) => serde_json::from_str(raw.get()).map_err(|error| {
                    RequestError::Malformed(MalformedResponse::from_serde(M::METHOD, &error))
                }),
                Reply::Error(error) => Err(RequestError::Rejected(*error)),
                Reply::Invalid => Err(RequestError::Malformed(MalformedResponse::not_a_response(
                    M::METHOD,
                ))),
            }
        }
    }

    /// How many connections are live (registered and not yet closed).
    pub fn connection_count(&self) -> usize {
        self.shared.registry().connection_count()
    }

    /// How many requests are waiting for an answer, over all connections.
    /// Returns to 0 once every caller has its result or gave up.
    pub fn pending_count(&self) -> usize {
        self.shared.registry().pending_count()
    }

    pub(crate) fn shared(&self) -> &Shared {
        &self.shared
    }
}

impl fmt::Debug for Server {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let registry = self.shared.registry();
        f.debug_struct("Server")
            .field("connections", &registry.connection_count())
            .field("pending", &registry.pending_count())
            .finish_non_exhaustive()
    }
}

/// When a deadline that starts now ends. `Instant + Duration` panics on
/// overflow; a deadline too far to represent (e.g. `Duration::MAX`) becomes
/// thirty years, which is tokio's own "far future".
fn expiry(deadline: Duration) -> Instant {
    const FAR_FUTURE: Duration = Duration::from_secs(86_400 * 365 * 30);
    let now = Instant::now();
    now.checked_add(deadline)
        .or_else(|| now.checked_add(FAR_FUTURE))
        .unwrap_or(now)
}
