//! attestwire: `Server::request::<AttestationGenerate>` with its deadline,
//! over the built-in JSONL server.

use std::time::Duration;

use attestwire_protocol::{AttestationGenerate, AttestationGenerateParams, ServerInfo};
use attestwire_runtime::{ConnectionId, Server, ServerConfig};

use super::{Outcome, Side, check};
use crate::app::{self, App, DUPLEX_BUFFER, Framing, Handshake, Mode};

const HANDSHAKE: Handshake = Handshake {
    initialize: r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"clientInfo":{"name":"bench","version":"0"},"capabilities":{"requestAttestation":true}}}"#,
    initialized: r#"{"jsonrpc":"2.0","method":"initialized"}"#,
};

pub(crate) struct Attestwire {
    server: Server,
    connection: ConnectionId,
}

impl Side for Attestwire {
    const NAME: &'static str = "attestwire";

    async fn connect(mode: Mode) -> (Self, App) {
        let mut config = ServerConfig::new(ServerInfo {
            name: "bench".into(),
            version: "0".into(),
        });
        // All 10,000 requests in flight share one connection here. The
        // default queue (64 messages) refuses a request that finds it full
        // at once, by design (status 3, never a wait); the peers' queues
        // wait or are unbounded, so ours is made as deep as the load.
        config.write_queue = 16 * 1024;
        let server = Server::new(config);
        let (app_end, server_end) = tokio::io::duplex(DUPLEX_BUFFER);
        let (read, write) = tokio::io::split(server_end);
        let connection = server.connect(read, write);
        let id = connection.id();
        tokio::spawn(connection.serve());
        let (app, ready) = app::spawn(app_end, Framing::Jsonl, Some(HANDSHAKE), mode);
        ready.await.expect("attestwire handshake");
        (
            Self {
                server,
                connection: id,
            },
            app,
        )
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
