//! Shared pieces of the benchmark: an in-memory app, percentiles, RSS.

use std::time::{Duration, Instant};

use attestwire_protocol::ServerInfo;
use attestwire_runtime::{ConnectionId, Server, ServerConfig};
use serde::Deserialize;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};

pub(crate) fn server(deadline: Duration) -> Server {
    let mut config = ServerConfig::new(ServerInfo {
        name: "bench".into(),
        version: "0".into(),
    });
    config.attestation_deadline = deadline;
    Server::new(config)
}

/// How the in-memory app answers `attestation/generate`.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum App {
    /// At once, with a token.
    Answer,
    /// Never; it only reads.
    Silent,
    /// It closes its end when the request arrives, and reports when.
    CloseOnRequest,
}

#[derive(Deserialize)]
struct Incoming {
    id: Option<u64>,
}

const INITIALIZE: &[u8] = b"{\"jsonrpc\":\"2.0\",\"id\":0,\"method\":\"initialize\",\"params\":{\"clientInfo\":{\"name\":\"bench\",\"version\":\"0\"},\"capabilities\":{\"requestAttestation\":true}}}\n{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}\n";

/// Connects an in-memory app, completes the handshake, subscribes it to
/// `thread`, and returns its id and the app's pipe end (dropping that end is
/// the app disconnecting).
pub(crate) async fn connect_app(
    server: &Server,
    thread: &str,
    app: App,
) -> (ConnectionId, tokio::task::JoinHandle<Option<Instant>>) {
    let (app_end, server_end) = tokio::io::duplex(64 * 1024);
    let (read, write) = tokio::io::split(server_end);
    let connection = server.connect(read, write);
    let id = connection.id();
    tokio::spawn(connection.serve());
    server.subscribe(id, thread);
    let (ready, initialized) = tokio::sync::oneshot::channel();
    let task = tokio::spawn(run_app(app_end, app, ready));
    // The runtime records the handshake before it writes `initialize`'s
    // reply, so once the app has read that reply it is eligible.
    let _ = initialized.await;
    (id, task)
}

async fn run_app(
    stream: DuplexStream,
    app: App,
    ready: tokio::sync::oneshot::Sender<()>,
) -> Option<Instant> {
    let mut ready = Some(ready);
    let (read, mut write) = tokio::io::split(stream);
    if write.write_all(INITIALIZE).await.is_err() {
        return None;
    }
    let mut lines = BufReader::new(read);
    let mut line = Vec::new();
    let mut out = Vec::with_capacity(128);
    loop {
        line.clear();
        match lines.read_until(b'\n', &mut line).await {
            Ok(0) | Err(_) => return None,
            Ok(_) => {}
        }
        if let Some(ready) = ready.take() {
            let _ = ready.send(()); // the first line is the initialize result
            continue;
        }
        match app {
            App::Silent => continue,
            App::CloseOnRequest => {
                drop((lines, write));
                return Some(Instant::now());
            }
            App::Answer => {}
        }
        let Ok(Incoming { id: Some(id) }) = serde_json::from_slice::<Incoming>(&line) else {
            continue;
        };
        out.clear();
        out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
        out.extend_from_slice(id.to_string().as_bytes());
        out.extend_from_slice(b",\"result\":{\"token\":\"v1.bench-token\"}}\n");
        if write.write_all(&out).await.is_err() {
            return None;
        }
    }
}

/// A raw JSONL echo task on one end of a fresh pipe; returns the other end.
pub(crate) fn spawn_echo() -> DuplexStream {
    let (near, far) = tokio::io::duplex(64 * 1024);
    tokio::spawn(async move {
        let (read, mut write) = tokio::io::split(far);
        let mut read = BufReader::new(read);
        let mut line = Vec::new();
        while read.read_until(b'\n', &mut line).await.is_ok_and(|n| n > 0) {
            if write.write_all(&line).await.is_err() {
                return;
            }
            line.clear();
        }
    });
    near
}

/// p-th percentile (0..=100) of sorted samples.
pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}

/// (current RSS, peak RSS) in bytes, from /proc/self/status.
pub(crate) fn rss() -> (u64, u64) {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<u64>().ok())
            .map_or(0, |kb| kb * 1024)
    };
    (field("VmRSS:"), field("VmHWM:"))
}
