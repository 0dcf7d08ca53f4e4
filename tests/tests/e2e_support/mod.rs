//! Setup for the end-to-end tests: the compiled TypeScript client as a real
//! child process served by the runtime over its stdio, and a recording
//! upstream HTTP server.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

pub(crate) mod http;

use std::process::Stdio;
use std::time::Duration;

use attestwire_protocol::ServerInfo;
use attestwire_runtime::{
    AttestationContext, AttestationScope, ConnectionId, ServeError, Server, ServerConfig,
};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

use attestwire_tests::node::{CompiledClient, compiled_client};

/// The thread every test subscribes its app to.
pub(crate) const THREAD: &str = "thread-e2e";

/// The token the client sends in `ok` mode (its default).
pub(crate) const TOKEN: &str = "v1.opaque-client-payload";

/// How long a test waits for something the client must do before failing
/// instead of hanging. Generous: CI is a loaded 2-core machine. Not a timed
/// assertion: a healthy run never comes near it.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

/// The `x-oai-attestation` values of DESIGN.md, byte for byte.
pub(crate) const S1: &str = r#"{"v":1,"s":1}"#;
pub(crate) const S2: &str = r#"{"v":1,"s":2}"#;
pub(crate) const S3: &str = r#"{"v":1,"s":3}"#;
pub(crate) const S4: &str = r#"{"v":1,"s":4}"#;

pub(crate) fn s0(token: &str) -> String {
    format!(r#"{{"v":1,"s":0,"t":"{token}"}}"#)
}

/// Requests to `upstream`'s origin (`http://127.0.0.1:PORT`) under `/v1`
/// get the header: the scope compares ports.
pub(crate) fn scope(upstream: &http::Upstream) -> AttestationScope {
    let origin = upstream.url("");
    AttestationScope::new()
        .allow_origin(&origin, "/v1")
        .unwrap()
}

pub(crate) fn context() -> AttestationContext {
    AttestationContext::new(THREAD)
}

/// The client (`node main.js ARGS…`) served by a runtime `Server` over its
/// stdin/stdout, initialized and subscribed to [`THREAD`].
pub(crate) struct App {
    pub(crate) server: Server,
    pub(crate) connection: ConnectionId,
    child: Child,
    serve: JoinHandle<Result<(), ServeError>>,
    stderr: mpsc::UnboundedReceiver<String>,
    log: Vec<String>,
    // Last: released only after the child is gone.
    _node: CompiledClient,
}

impl App {
    /// Starts the client with `args` (its mode first), serves it with a
    /// server whose attestation deadline is `deadline`, and waits until the
    /// client has the `initialize` result.
    pub(crate) async fn start(args: &[&str], deadline: Duration) -> Self {
        let node = compiled_client();
        let mut child = Command::new("node")
            .arg(&node.main_js)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            // If the test fails before `finish`, the client is killed.
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run node {}: {e}", node.main_js.display()));

        let stderr = child.stderr.take().unwrap();
        let (line_tx, line_rx) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut lines = BufReader::new(stderr).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                if line_tx.send(line).is_err() {
                    return;
                }
            }
        });

        let mut config = ServerConfig::new(ServerInfo {
            name: "attestwire-e2e-server".to_owned(),
            version: "0.0.1".to_owned(),
        });
        config.attestation_deadline = deadline;
        let server = Server::new(config);
        let connection = server.connect(child.stdout.take().unwrap(), child.stdin.take().unwrap());
        let id = connection.id();
        let serve = tokio::spawn(connection.serve());

        let mut app = Self {
            server,
            connection: id,
            child,
            serve,
            stderr: line_rx,
            log: Vec::new(),
            _node: node,
        };
        // The client logs this once it has the `initialize` result; the
        // runtime marks the connection initialized before sending it.
        app.wait_for_log("client: initialized").await;
        assert!(app.server.subscribe(id, THREAD), "connection gone");
        app
    }

    /// Reads the client's stderr until `line` appears.
    pub(crate) async fn wait_for_log(&mut self, line: &str) {
        let found = tokio::time::timeout(PATIENCE, async {
            while let Some(next) = self.stderr.recv().await {
                let found = next == line;
                self.log.push(next);
                if found {
                    return true;
                }
            }
            false
        })
        .await;
        assert!(
            found == Ok(true),
            "the client never logged {line:?}; its stderr:\n{}",
            self.log.join("\n")
        );
    }

    /// Closes the connection (so the client's stdin), waits for the client
    /// to exit and reaps it; returns everything it wrote to stderr.
    pub(crate) async fn finish(mut self) -> ClientLog {
        self.serve.abort();
        let _ = (&mut self.serve).await;
        let status = tokio::time::timeout(PATIENCE, self.child.wait()).await;
        let status = match status {
            Ok(status) => status.unwrap(),
            Err(_) => {
                self.child.kill().await.unwrap();
                panic!("the client did not exit when its stdin closed");
            }
        };
        while let Some(line) = self.stderr.recv().await {
            self.log.push(line);
        }
        assert!(
            status.success(),
            "client {status}; stderr:\n{}",
            self.log.join("\n")
        );
        assert_eq!(self.server.pending_count(), 0, "a pending request leaked");
        ClientLog(std::mem::take(&mut self.log))
    }
}

/// The client's stderr lines.
#[derive(Debug)]
pub(crate) struct ClientLog(pub Vec<String>);

impl ClientLog {
    /// How many `attestation/generate` requests the client received.
    pub(crate) fn generate_requests(&self) -> usize {
        self.0
            .iter()
            .filter(|line| line.starts_with("client: received attestation/generate "))
            .count()
    }
}
