//! Shared pieces of the benchmark: an in-memory app, percentiles, RSS.

use std::pin::Pin;
use std::time::{Duration, Instant};

use attestwire_protocol::ServerInfo;
use attestwire_runtime::{
    AttestationContext, AttestationProvider, ConnectionId, Server, ServerConfig,
};
use serde::Deserialize;
use tokio::io::{
    AsyncBufRead, AsyncBufReadExt, AsyncWrite, AsyncWriteExt, BufReader, DuplexStream,
};

/// Whether `ATTESTWIRE_BENCH_QUICK` is set (and not `0`): every figure runs
/// with tiny counts, only to prove that the bench still runs to the end (CI
/// does this); its numbers mean nothing.
pub(crate) fn quick() -> bool {
    static QUICK: std::sync::OnceLock<bool> = std::sync::OnceLock::new();
    *QUICK.get_or_init(|| std::env::var_os("ATTESTWIRE_BENCH_QUICK").is_some_and(|v| v != "0"))
}

/// `full`, or `tiny` in [`quick`] mode.
pub(crate) fn size(full: usize, tiny: usize) -> usize {
    if quick() { tiny } else { full }
}

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

/// The runtime's ids are strings without escapes, so the app borrows them.
#[derive(Deserialize)]
struct Incoming<'a> {
    #[serde(borrow)]
    id: Option<&'a str>,
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
        out.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":\"");
        out.extend_from_slice(id.as_bytes());
        out.extend_from_slice(b"\",\"result\":{\"token\":\"v1.bench-token\"}}\n");
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

/// The request line the raw baselines write (what the runtime writes, less
/// the id's digits).
pub(crate) const REQUEST_LINE: &[u8] =
    b"{\"jsonrpc\":\"2.0\",\"id\":\"attestwire:12345\",\"method\":\"attestation/generate\",\"params\":{}}\n";

/// One way of doing a round trip.
pub(crate) enum Side {
    /// `header_for_request` for a thread whose app answers with a token.
    Runtime {
        server: Server,
        ctx: AttestationContext,
    },
    /// [`REQUEST_LINE`] written, one line read back, no runtime; with a
    /// `deadline`, the read waits under `tokio::time::timeout` as the
    /// runtime's caller does.
    Raw {
        write: Pin<Box<dyn AsyncWrite + Send>>,
        read: Pin<Box<dyn AsyncBufRead + Send>>,
        line: Vec<u8>,
        deadline: Option<Duration>,
    },
}

impl Side {
    pub(crate) fn raw(
        write: impl AsyncWrite + Send + 'static,
        read: impl AsyncBufRead + Send + 'static,
    ) -> Self {
        Side::Raw {
            write: Box::pin(write),
            read: Box::pin(read),
            line: Vec::with_capacity(256),
            deadline: None,
        }
    }

    /// The same, each read waiting under a `deadline`.
    pub(crate) fn with_deadline(mut self, within: Duration) -> Self {
        if let Side::Raw { deadline, .. } = &mut self {
            *deadline = Some(within);
        }
        self
    }

    async fn once(&mut self) -> Duration {
        match self {
            Side::Runtime { server, ctx } => {
                let start = Instant::now();
                let header = server.header_for_request(ctx).await;
                let elapsed = start.elapsed();
                assert!(header.is_some_and(|h| h.as_bytes().starts_with(b"{\"v\":1,\"s\":0")));
                elapsed
            }
            Side::Raw {
                write,
                read,
                line,
                deadline,
            } => {
                line.clear();
                let start = Instant::now();
                write.write_all(REQUEST_LINE).await.unwrap();
                match deadline {
                    None => read.read_until(b'\n', line).await.unwrap(),
                    Some(within) => tokio::time::timeout(*within, read.read_until(b'\n', line))
                        .await
                        .expect("answered within the deadline")
                        .unwrap(),
                };
                let elapsed = start.elapsed();
                assert!(line.ends_with(b"\n"), "the peer closed: {line:?}");
                elapsed
            }
        }
    }
}

/// Round trips of every side, taken in `rounds` blocks of `block` each, the
/// sides' order rotating from round to round (after `block` warm-up round
/// trips each), so that the machine's drift during the run hits every side
/// alike. Returns each side's samples. With `ATTESTWIRE_BENCH_ROUNDS` set,
/// prints each round's p50 and context switches per round trip (of this
/// process's threads) for every side to stderr.
pub(crate) async fn interleaved(
    sides: &mut [Side],
    rounds: usize,
    block: usize,
) -> Vec<Vec<Duration>> {
    let verbose = std::env::var_os("ATTESTWIRE_BENCH_ROUNDS").is_some();
    for side in sides.iter_mut() {
        for _ in 0..block {
            side.once().await;
        }
    }
    let mut samples = vec![Vec::with_capacity(rounds * block); sides.len()];
    let mut report = vec![String::new(); sides.len()];
    for round in 0..rounds {
        for k in 0..sides.len() {
            let i = (round + k) % sides.len();
            let before = verbose.then(context_switches);
            for _ in 0..block {
                let elapsed = sides[i].once().await;
                samples[i].push(elapsed);
            }
            if let Some(before) = before {
                let mut last = samples[i][samples[i].len() - block..].to_vec();
                last.sort();
                report[i] = format!(
                    "{:6.1} µs {:4.2} cs",
                    last[block / 2].as_secs_f64() * 1e6,
                    (context_switches() - before) as f64 / block as f64
                );
            }
        }
        if verbose {
            eprintln!("round {round:2}: {}", report.join(" | "));
        }
    }
    samples
}

/// Context switches so far, over all of this process's threads.
fn context_switches() -> u64 {
    let Ok(tasks) = std::fs::read_dir("/proc/self/task") else {
        return 0;
    };
    tasks
        .flatten()
        .filter_map(|task| std::fs::read_to_string(task.path().join("status")).ok())
        .flat_map(|status| {
            status
                .lines()
                .filter(|l| l.contains("ctxt_switches:"))
                .filter_map(|l| l.split_whitespace().nth(1)?.parse::<u64>().ok())
                .collect::<Vec<_>>()
        })
        .sum()
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
