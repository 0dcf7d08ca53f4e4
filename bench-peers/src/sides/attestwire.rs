//! attestwire over the built-in JSONL server, two ways: the typed request
//! with its deadline (`Server::request::<AttestationGenerate>`, the peers'
//! equivalent), and the whole header flow a server runs before an upstream
//! call (`Server::attestation_header`: ask every opted-in connection
//! subscribed to the thread, one here, check the token, build the
//! `x-oai-attestation` value).

use std::time::Duration;

use attestwire_protocol::{AttestationGenerate, AttestationGenerateParams, ServerInfo};
use attestwire_runtime::{AttestationContext, ConnectionId, Server, ServerConfig};

use super::{Outcome, Side, check};
use crate::app::{self, App, DUPLEX_BUFFER, Framing, Handshake, Mode, TOKEN};

const HANDSHAKE: Handshake = Handshake {
    initialize: r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"clientInfo":{"name":"bench","version":"0"},"capabilities":{"requestAttestation":true}}}"#,
    initialized: r#"{"jsonrpc":"2.0","method":"initialized"}"#,
};

/// The thread the header flow's connection is subscribed to.
const THREAD: &str = "bench-thread";

/// A server with one connection to the app, handshake done.
async fn serve(mode: Mode, attestation_deadline: Duration) -> (Server, ConnectionId, App) {
    let mut config = ServerConfig::new(ServerInfo {
        name: "bench".into(),
        version: "0".into(),
    });
    // All 10,000 requests in flight share one connection here. The
    // default queue (64 messages) refuses a request that finds it full
    // at once, by design (status 3, never a wait); the peers' queues
    // wait or are unbounded, so ours is made as deep as the load.
    config.write_queue = 16 * 1024;
    config.attestation_deadline = attestation_deadline;
    let server = Server::new(config);
    let (app_end, server_end) = tokio::io::duplex(DUPLEX_BUFFER);
    let (read, write) = tokio::io::split(server_end);
    let connection = server.connect(read, write);
    let id = connection.id();
    tokio::spawn(connection.serve());
    let (app, ready) = app::spawn(app_end, Framing::Jsonl, Some(HANDSHAKE), mode);
    ready.await.expect("attestwire handshake");
    (server, id, app)
}

/// `Server::request::<AttestationGenerate>(connection, {}, deadline)`.
pub(crate) struct Attestwire {
    server: Server,
    connection: ConnectionId,
}

impl Side for Attestwire {
    const NAME: &'static str = "attestwire";

    async fn connect(mode: Mode, _deadline: Duration) -> (Self, App) {
        let (server, connection, app) = serve(mode, Duration::from_millis(100)).await;
        (Self { server, connection }, app)
    }

    // An `async fn`, as the peers' are: the request's future is made in the
    // body and stored once. (Made outside and captured by an `async move`
    // block, it would be stored twice, as the captured value and as the
    // awaited one: 584 B where the runtime's future is 288 B.)
    async fn call(&self, deadline: Duration) -> Outcome {
        let request = self.server.request::<AttestationGenerate>(
            self.connection,
            AttestationGenerateParams {},
            deadline,
        );
        match request.await {
            Ok(response) => check(response.token.expose()),
            Err(error) => Outcome::Failed(format!("Err({error:?})")),
        }
    }

    fn pending(&self) -> Option<usize> {
        Some(self.server.pending_count())
    }
}

/// `Server::attestation_header(&context)`, the deadline being the server's
/// `attestation_deadline`.
pub(crate) struct AttestwireHeader {
    server: Server,
    context: AttestationContext,
    /// `{"v":1,"s":0,"t":"<TOKEN>"}`, what an answer must become.
    ok: String,
}

impl Side for AttestwireHeader {
    const NAME: &'static str = "attestwire, whole header flow";

    async fn connect(mode: Mode, deadline: Duration) -> (Self, App) {
        let (server, connection, app) = serve(mode, deadline).await;
        server.subscribe(connection, THREAD);
        let side = Self {
            server,
            context: AttestationContext::new(THREAD),
            ok: format!(r#"{{"v":1,"s":0,"t":"{TOKEN}"}}"#),
        };
        (side, app)
    }

    async fn call(&self, _deadline: Duration) -> Outcome {
        match self.server.attestation_header(&self.context).await {
            Ok(header) if header.as_bytes() == self.ok.as_bytes() => Outcome::Token,
            // `HeaderValue`'s `Debug` prints "Sensitive"; the bytes are
            // an envelope without a token here.
            Ok(header) => Outcome::Failed(format!(
                "Ok({})",
                String::from_utf8_lossy(header.as_bytes())
            )),
            Err(no_header) => Outcome::Failed(format!("Err({no_header:?})")),
        }
    }

    fn pending(&self) -> Option<usize> {
        Some(self.server.pending_count())
    }
}
