//! The attestwire runtime: typed server-to-client requests under a deadline,
//! and `attestation/generate` turned into the `x-oai-attestation` header of
//! outbound HTTP requests.
//!
//! It has a [`Core`] and two kinds of host. The core holds the pending
//! requests, deadlines, thread subscriptions and the attestation flow; it
//! does no I/O and never awaits its host. A host owns the connections and
//! their bytes:
//! - a server with its own transport and protocol (the Codex app-server,
//!   `examples/codex-host`) drives the core directly;
//! - the built-in [`Server`] serves connections over JSONL itself, answers
//!   `initialize`, and serves the host's own methods through handlers.
//!
//! # A server with its own transport
//!
//! The host tells the core when a connection opens (with its writer queue as
//! the sink), finishes `initialize`, subscribes to a thread, receives a
//! response, and closes (dropping the [`CoreConnection`]):
//!
//! ```
//! use attestwire_protocol::ClientCapabilities;
//! use attestwire_runtime::{AttestationContext, Core, CoreConfig, OutgoingMessage};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let core = Core::new(CoreConfig::default());
//!
//! // A connection opens; the host's writer queue is its sink.
//! let (queue, mut writer) = tokio::sync::mpsc::channel::<OutgoingMessage>(64);
//! let connection = core.open(queue);
//! // Its `initialize` carried our capability, flattened into the host's own.
//! let capabilities: ClientCapabilities = serde_json::from_str(r#"{"requestAttestation":true}"#)?;
//! core.initialized(connection.id(), &capabilities);
//! core.subscribe(connection.id(), "thread-1");
//!
//! // Before an upstream call for thread-1, the host asks for the header...
//! let header = tokio::spawn(core.attestation_header(&AttestationContext::new("thread-1")));
//!
//! // ...its writer sends our request, and its reader hands every response
//! // to the core first: `true` means it was ours.
//! let request: serde_json::Value = serde_json::from_str(writer.recv().await.ok_or("closed")?.as_str())?;
//! let answer = serde_json::json!({ "id": request["id"], "result": { "token": "v1.token" } });
//! assert!(core.handle_message(connection.id(), answer.to_string().as_bytes()));
//! assert_eq!(header.await??, r#"{"v":1,"s":0,"t":"v1.token"}"#);
//! # Ok(())
//! # }
//! ```
//!
//! The core's request ids are strings `"attestwire:<n>"`: they never equal
//! a host's integer ids, and a host issuing strings of its own avoids that
//! prefix or sets another one ([`CoreConfig::id_prefix`]).
//!
//! # The built-in JSONL server
//!
//! A server that accepts one connection (here an in-memory pipe standing for
//! the app's stdio or socket) and attaches the header to an outbound request:
//!
//! ```
//! use attestwire_protocol::{HEADER_NAME, ServerInfo};
//! use attestwire_runtime::{AttestationContext, AttestationScope, Server, ServerConfig};
//! use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
//!
//! # #[tokio::main(flavor = "current_thread")]
//! # async fn main() -> Result<(), Box<dyn std::error::Error>> {
//! let info = ServerInfo { name: "my-server".into(), version: "1.0.0".into() };
//! let server = Server::new(ServerConfig::new(info));
//!
//! let (app, server_end) = tokio::io::duplex(64 * 1024);
//! let (read, write) = tokio::io::split(server_end);
//! let connection = server.connect(read, write);
//! let connection_id = connection.id();
//! tokio::spawn(connection.serve());
//!
//! // The app: it opts in, then answers `attestation/generate` with a token.
//! let (app_read, mut app_write) = tokio::io::split(app);
//! let mut lines = BufReader::new(app_read).lines();
//! app_write.write_all(concat!(
//!     r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"#,
//!     r#""clientInfo":{"name":"app","version":"1.0"},"capabilities":{"requestAttestation":true}}}"#,
//!     "\n",
//!     r#"{"jsonrpc":"2.0","method":"initialized"}"#,
//!     "\n",
//! ).as_bytes()).await?;
//! lines.next_line().await?; // the initialize result
//! tokio::spawn(async move {
//!     let request: serde_json::Value = serde_json::from_str(&lines.next_line().await?.unwrap_or_default())?;
//!     let answer = serde_json::json!({ "jsonrpc": "2.0", "id": request["id"], "result": { "token": "v1.token" } });
//!     app_write.write_all(format!("{answer}\n").as_bytes()).await?;
//!     Ok::<_, Box<dyn std::error::Error + Send + Sync>>(())
//! });
//!
//! // The server: the connection works on thread-1; a request to the
//! // upstream API for that thread gets the header.
//! server.subscribe(connection_id, "thread-1");
//! let scope = AttestationScope::new().allow("https", "api.example.com", "/v1/");
//! let mut request = http::Request::post("https://api.example.com/v1/responses").body(())?;
//! let attached = scope.attach(&server, &AttestationContext::new("thread-1"), &mut request).await;
//! assert!(attached);
//! assert_eq!(request.headers()[HEADER_NAME], r#"{"v":1,"s":0,"t":"v1.token"}"#);
//! # Ok(())
//! # }
//! ```
//!
//! Call it from a task on the Tokio runtime, as a request handler does.
//! There the runtime adds 2–3 µs to a round trip with a Node app over stdio
//! (about 15 µs against 12.3 µs for the same app driven by a plain loop).
//! From a thread outside the runtime (`Handle::block_on`), every call also
//! crosses threads to queue the request and to get the reply, which doubled
//! the round trip in the benchmarks (BENCHMARKS.md, figures 1 and 2).

// A folder per role. Arrows run from the hosts (`server`) and from outbound
// attachment (`outbound`) to `core`, never back: `tests/arrows.rs` checks it.
mod core;
mod outbound;
mod server;

// Hooks for `fuzz/` and the hostile-peer tests; not part of the API.
#[doc(hidden)]
pub mod __fuzz;

pub use core::attestation::{AttestationContext, AttestationProvider, HeaderFuture, NoHeader};
pub use core::error::{MalformedResponse, RequestError};
pub use core::registry::ConnectionId;
pub use core::sink::{MessageSink, OutgoingMessage, SinkError};
pub use core::{Core, CoreConfig, CoreConnection};
pub use outbound::layer::{AttestationLayer, AttestationService};
pub use outbound::scope::AttestationScope;
pub use server::connection::Connection;
pub use server::error::ServeError;
pub use server::handlers::RequestContext;
pub use server::{ConnectionInfo, Server, ServerBuilder, ServerConfig};
