//! An in-memory fake desktop app for the runtime tests: a [`FakeClient`]
//! speaks JSONL to a [`Server`] over `tokio::io::duplex` pipes, one pipe per
//! direction so a test can close either side alone.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::collections::HashSet;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use attestwire_protocol::ServerInfo;
use attestwire_runtime::{
    AttestationContext, AttestationProvider, ConnectionId, ServeError, Server, ServerConfig,
};
use http::HeaderValue;
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines};
use tokio::task::JoinHandle;

/// The default deadline of the attestation flow.
pub(crate) const DEADLINE: Duration = Duration::from_millis(100);
/// How long (in paused time) a client waits for a message before the test
/// fails instead of hanging.
const RECV_PATIENCE: Duration = Duration::from_secs(60);
const PIPE_BYTES: usize = 64 * 1024;

/// The five envelope literals of DESIGN.md.
pub(crate) const S1: &[u8] = br#"{"v":1,"s":1}"#;
pub(crate) const S2: &[u8] = br#"{"v":1,"s":2}"#;
pub(crate) const S3: &[u8] = br#"{"v":1,"s":3}"#;
pub(crate) const S4: &[u8] = br#"{"v":1,"s":4}"#;

/// `{"v":1,"s":0,"t":TOKEN}` for a token without `"` or `\`.
pub(crate) fn s0(token: &str) -> Vec<u8> {
    format!(r#"{{"v":1,"s":0,"t":"{token}"}}"#).into_bytes()
}

pub(crate) fn server_info() -> ServerInfo {
    ServerInfo {
        name: "attestwire-test-server".to_owned(),
        version: "0.0.1".to_owned(),
    }
}

/// A server with the default configuration.
pub(crate) fn server() -> Server {
    Server::new(ServerConfig::new(server_info()))
}

/// A server whose connections queue at most `messages` outgoing messages.
pub(crate) fn server_with_write_queue(messages: usize) -> Server {
    let mut config = ServerConfig::new(server_info());
    config.write_queue = messages;
    Server::new(config)
}

/// A server whose attestation flow waits up to `grace` for a connection to
/// ask.
pub(crate) fn server_with_startup_grace(grace: Duration) -> Server {
    let mut config = ServerConfig::new(server_info());
    config.startup_grace = grace;
    Server::new(config)
}

/// A server with a frame limit of `limit` bytes.
pub(crate) fn server_with_frame_limit(limit: usize) -> Server {
    let mut config = ServerConfig::new(server_info());
    config.frame_limit = limit;
    Server::new(config)
}

/// The wire id of the core's request number `n`: `"attestwire:<n>"`.
pub(crate) fn core_id(n: u64) -> Value {
    json!(format!("attestwire:{n}"))
}

/// The number in one of the core's ids.
pub(crate) fn core_id_number(id: &Value) -> u64 {
    id.as_str()
        .and_then(|id| id.strip_prefix("attestwire:"))
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("not an id of the core: {id}"))
}

/// How a fake client sets itself up.
#[derive(Clone, Copy)]
pub(crate) struct Opts {
    /// Sets `capabilities.requestAttestation`.
    pub(crate) opt_in: bool,
    /// Threads the server subscribes the connection to after the handshake.
    pub(crate) threads: &'static [&'static str],
}

/// Opted in and subscribed to `thread`.
pub(crate) fn opted_in(threads: &'static [&'static str]) -> Opts {
    Opts {
        opt_in: true,
        threads,
    }
}

/// The app side of one connection.
pub(crate) struct FakeClient {
    pub(crate) id: ConnectionId,
    lines: Option<Lines<BufReader<DuplexStream>>>,
    writer: Option<DuplexStream>,
    serve: Option<JoinHandle<Result<(), ServeError>>>,
    syncs: u64,
}

/// A connection served by `server`, before any message.
pub(crate) fn connect_raw(server: &Server) -> FakeClient {
    connect_raw_over(server, PIPE_BYTES)
}

/// Like [`connect_raw`], over pipes that hold `pipe_bytes` each.
pub(crate) fn connect_raw_over(server: &Server, pipe_bytes: usize) -> FakeClient {
    connect_raw_over_pipes(server, pipe_bytes, pipe_bytes)
}

/// Like [`connect_raw`], over a pipe to the server holding `to_server`
/// bytes and one to the client holding `to_client`.
pub(crate) fn connect_raw_over_pipes(
    server: &Server,
    to_server: usize,
    to_client: usize,
) -> FakeClient {
    let (client_writer, server_reader) = tokio::io::duplex(to_server);
    let (server_writer, client_reader) = tokio::io::duplex(to_client);
    let connection = server.connect(server_reader, server_writer);
    let id = connection.id();
    FakeClient {
        id,
        lines: Some(BufReader::new(client_reader).lines()),
        writer: Some(client_writer),
        serve: Some(tokio::spawn(connection.serve())),
        syncs: 0,
    }
}

/// A connection that completed the handshake (`initialize`, its result,
/// `initialized`) and is subscribed to `opts.threads`.
pub(crate) async fn connect_client(server: &Server, opts: Opts) -> FakeClient {
    connect_client_over(server, opts, PIPE_BYTES).await
}

/// Like [`connect_client`], over pipes that hold `pipe_bytes` each.
pub(crate) async fn connect_client_over(
    server: &Server,
    opts: Opts,
    pipe_bytes: usize,
) -> FakeClient {
    handshake(server, connect_raw_over(server, pipe_bytes), opts).await
}

/// Completes the handshake of a fresh connection and subscribes it to
/// `opts.threads`.
pub(crate) async fn handshake(server: &Server, mut client: FakeClient, opts: Opts) -> FakeClient {
    let capabilities = if opts.opt_in {
        json!({ "requestAttestation": true })
    } else {
        json!({})
    };
    client
        .send(json!({
            "jsonrpc": "2.0",
            "id": 0,
            "method": "initialize",
            "params": {
                "clientInfo": { "name": "fake-app", "version": "1.0.0" },
                "capabilities": capabilities,
            },
        }))
        .await;
    assert_eq!(
        client.recv().await,
        json!({
            "jsonrpc": "2.0",
            "id": 0,
            "result": {
                "serverInfo": { "name": "attestwire-test-server", "version": "0.0.1" },
                "protocolVersion": attestwire_protocol::PROTOCOL_VERSION,
            },
        })
    );
    client
        .send(json!({ "jsonrpc": "2.0", "method": "initialized" }))
        .await;
    for thread in opts.threads {
        assert!(server.subscribe(client.id, *thread));
    }
    client
}

impl FakeClient {
    /// Writes one raw line (the newline is added).
    pub(crate) async fn send_line(&mut self, line: &str) {
        let writer = self.writer.as_mut().expect("write side is open");
        writer.write_all(line.as_bytes()).await.unwrap();
        writer.write_all(b"\n").await.unwrap();
    }

    /// Writes bytes as they are, without a newline.
    pub(crate) async fn send_raw(&mut self, bytes: &[u8]) {
        let writer = self.writer.as_mut().expect("write side is open");
        writer.write_all(bytes).await.unwrap();
    }

    /// Writes one message as a compact JSON line.
    pub(crate) async fn send(&mut self, message: Value) {
        self.send_line(&message.to_string()).await;
    }

    fn lines_mut(&mut self) -> &mut Lines<BufReader<DuplexStream>> {
        self.lines.as_mut().expect("read side is open")
    }

    /// The next raw line from the server; `None` at the end of the stream.
    pub(crate) async fn recv_line(&mut self) -> Option<String> {
        tokio::time::timeout(RECV_PATIENCE, self.lines_mut().next_line())
            .await
            .expect("the server sent nothing")
            .unwrap()
    }

    /// The next message from the server.
    pub(crate) async fn recv(&mut self) -> Value {
        let line = self
            .recv_line()
            .await
            .expect("the server closed the stream");
        serde_json::from_str(&line).unwrap()
    }

    /// Asserts that the server closed its side of the stream.
    pub(crate) async fn recv_eof(&mut self) {
        assert_eq!(self.recv_line().await, None);
    }

    /// The next `attestation/generate` request; returns its id.
    pub(crate) async fn next_request(&mut self) -> Value {
        let request = self.recv().await;
        assert_eq!(request["jsonrpc"], "2.0");
        assert_eq!(request["method"], "attestation/generate");
        assert_eq!(request["params"], json!({}));
        assert!(
            request["id"]
                .as_str()
                .is_some_and(|id| id.starts_with("attestwire:")),
            "the core's ids are strings of its own form: {request}"
        );
        request["id"].clone()
    }

    /// Answers request `id` with `result`.
    pub(crate) async fn respond(&mut self, id: &Value, result: Value) {
        self.send(json!({ "jsonrpc": "2.0", "id": id, "result": result }))
            .await;
    }

    /// Answers request `id` with `{ token }`.
    pub(crate) async fn respond_token(&mut self, id: &Value, token: &str) {
        self.respond(id, json!({ "token": token })).await;
    }

    /// Answers request `id` with a JSON-RPC error.
    pub(crate) async fn respond_error(&mut self, id: &Value, code: i64, message: &str) {
        self.send(json!({
            "jsonrpc": "2.0",
            "id": id,
            "error": { "code": code, "message": message },
        }))
        .await;
    }

    /// A barrier: sends a request the server does not know and waits for its
    /// -32601. The server reads lines in order, so everything sent before
    /// has been handled; the answer being the next message also proves the
    /// server sent nothing else meanwhile.
    pub(crate) async fn sync(&mut self) {
        self.syncs += 1;
        let id = format!("sync-{}", self.syncs);
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": "test/sync" }))
            .await;
        let answer = self.recv().await;
        assert_eq!(
            answer["id"],
            json!(id),
            "expected the sync answer, got {answer}"
        );
        assert_eq!(answer["error"]["code"], -32601);
    }

    /// Stops reading: the server's next write fails.
    pub(crate) fn close_read_side(&mut self) {
        self.lines = None;
    }

    /// Closes both directions and returns how `serve` ended.
    pub(crate) async fn close(mut self) -> Result<(), ServeError> {
        self.lines = None;
        self.writer = None;
        self.served().await
    }

    /// Waits for `serve` to end (without closing anything).
    pub(crate) async fn served(&mut self) -> Result<(), ServeError> {
        let serve = self.serve.take().expect("served once");
        tokio::time::timeout(RECV_PATIENCE, serve)
            .await
            .expect("serve did not end")
            .unwrap()
    }
}

/// Runs the attestation flow for `thread` in its own task, as a request
/// handler of the server would.
pub(crate) fn attest(server: &Server, thread: &str) -> JoinHandle<Option<HeaderValue>> {
    let server = server.clone();
    let context = AttestationContext::new(thread);
    tokio::spawn(async move { server.header_for_request(&context).await })
}

/// An outbound `POST` to `uri`.
pub(crate) fn outbound(uri: &str) -> http::Request<()> {
    http::Request::post(uri).body(()).unwrap()
}

/// The header bytes, or `None`.
pub(crate) fn bytes(header: Option<HeaderValue>) -> Option<Vec<u8>> {
    header.map(|value| value.as_bytes().to_vec())
}

/// Lets `client` answer every `attestation/generate` with `token(id)` in a
/// task of its own; counts the requests it saw. The task ends when the
/// server closes the stream.
pub(crate) fn answer_all(
    mut client: FakeClient,
    token: impl Fn(&Value) -> String + Send + 'static,
) -> (Arc<AtomicUsize>, JoinHandle<FakeClient>) {
    let asked = Arc::new(AtomicUsize::new(0));
    let counter = Arc::clone(&asked);
    let task = tokio::spawn(async move {
        // No patience limit here: the app may legitimately wait forever.
        while let Some(line) = client.lines_mut().next_line().await.unwrap() {
            let request: Value = serde_json::from_str(&line).unwrap();
            assert_eq!(request["method"], "attestation/generate");
            counter.fetch_add(1, Ordering::SeqCst);
            let id = request["id"].clone();
            client.respond_token(&id, &token(&id)).await;
        }
        client
    });
    (asked, task)
}

/// Asserts that `tokens` are pairwise distinct.
pub(crate) fn assert_distinct<'a>(tokens: impl IntoIterator<Item = &'a str>) {
    let mut seen = HashSet::new();
    for token in tokens {
        assert!(seen.insert(token), "token {token} handed out twice");
    }
}
