//! Figure 2: the round trip against the end-to-end tests' Node client over
//! its stdio, beside a raw JSONL echo to a Node echo script over the same
//! kind of pipes.

use std::process::Stdio;
use std::time::{Duration, Instant};

use attestwire_runtime::{AttestationContext, AttestationProvider};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::Command;

use super::{latency_row, p50_p99};
use crate::Row;
use crate::support::server;

const ROUND_TRIPS: usize = 5_000;
const WARM_UP: usize = 500;
const ECHO: &str = "process.stdin.on('data', (d) => process.stdout.write(d));";
const REQUEST_LINE: &[u8] =
    b"{\"method\":\"attestation/generate\",\"jsonrpc\":\"2.0\",\"id\":12345,\"params\":{}}\n";

pub(crate) async fn process_round_trip() -> Vec<Row> {
    // Installs npm dependencies from the lock files and compiles the client
    // (tsc) if needed; panics with how to install Node when it is missing.
    let client = attestwire_tests::node::compiled_client();

    let server = server(Duration::from_secs(5));
    let mut child = Command::new("node")
        .arg(&client.main_js)
        .args(["ok", "--quiet"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let connection = server.connect(child.stdout.take().unwrap(), child.stdin.take().unwrap());
    let id = connection.id();
    tokio::spawn(connection.serve());
    server.subscribe(id, "t");
    let ctx = AttestationContext::new("t");
    // `None` until the client has finished the handshake.
    while server.header_for_request(&ctx).await.is_none() {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    let mut samples = Vec::with_capacity(ROUND_TRIPS);
    for i in 0..ROUND_TRIPS + WARM_UP {
        let start = Instant::now();
        let header = server.header_for_request(&ctx).await;
        if i >= WARM_UP {
            samples.push(start.elapsed());
        }
        assert!(header.is_some_and(|h| h.as_bytes().starts_with(b"{\"v\":1,\"s\":0")));
    }
    drop(child);

    let mut echo = Command::new("node")
        .args(["-e", ECHO])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut write = echo.stdin.take().unwrap();
    let mut read = BufReader::new(echo.stdout.take().unwrap());
    let mut line = Vec::new();
    let mut base = Vec::with_capacity(ROUND_TRIPS);
    for i in 0..ROUND_TRIPS + WARM_UP {
        let start = Instant::now();
        write.write_all(REQUEST_LINE).await.unwrap();
        line.clear();
        read.read_until(b'\n', &mut line).await.unwrap();
        if i >= WARM_UP {
            base.push(start.elapsed());
        }
    }
    drop(echo);
    drop(client);

    let (p50, p99) = p50_p99(&mut samples);
    let (b50, b99) = p50_p99(&mut base);
    let ratio = p50.as_secs_f64() / b50.as_secs_f64();
    const FIGURE: &str = "2 round trip (Node over stdio)";
    vec![
        latency_row(
            FIGURE,
            "p50",
            p50,
            b50,
            "Node echo",
            "ratio ≤ 1.3",
            Some(ratio <= 1.3),
        ),
        latency_row(FIGURE, "p99", p99, b99, "Node echo", "–", None),
    ]
}
