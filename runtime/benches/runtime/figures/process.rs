//! Figure 2: the round trip against a Node app on `@attestwire/client`
//! (`bench-ts/app.mjs`) over its stdio, beside a raw JSONL echo to a Node
//! echo script over the same kind of pipes. Two more sides drive the same
//! app with a plain loop (no runtime), once plainly and once waiting under a
//! deadline as the runtime does, which splits the ratio into what the app, a
//! timed wait and the runtime each cost.

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::time::Duration;

use attestwire_protocol::{InitializeResponse, JsonRpcResponse, RequestId, ServerInfo};
use attestwire_runtime::{AttestationContext, AttestationProvider};
use tokio::io::{AsyncBufRead, AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};

use super::p50_p99_rows;
use crate::Row;
use crate::support::{Side, interleaved, server, size};

const DEADLINE: Duration = Duration::from_millis(100);
const ECHO: &str = "process.stdin.on('data', (d) => process.stdout.write(d));";
/// How long the client may take to start and finish its handshake before the
/// bench fails (rather than waiting forever, as it once did when the client
/// began ignoring an invalid `initialize` result).
const HANDSHAKE: Duration = Duration::from_secs(30);

/// Node ready, `generated/` and `client/` built, `bench-ts/` installed from
/// their lock files (as the end-to-end tests do, under their lock, which
/// is returned: hold it until the app has exited), and the app's script.
pub(crate) fn prepare_app() -> (attestwire_tests::node::NodeLock, PathBuf) {
    use attestwire_tests::node;
    let lock = node::prepare();
    node::build_client(&lock);
    let bench_ts = node::repo_root().join("bench-ts");
    node::npm_ci(&lock, &bench_ts);
    (lock, bench_ts.join("app.mjs"))
}

/// `client_js` is the app's script ([`prepare_app`]). `figure` names where
/// the caller runs (see `main`).
pub(crate) async fn process_round_trip(client_js: &Path, figure: &'static str) -> Vec<Row> {
    let server = server(DEADLINE);
    let mut served = spawn(Command::new("node").arg(client_js));
    let connection = server.connect(served.stdout.take().unwrap(), served.stdin.take().unwrap());
    let id = connection.id();
    tokio::spawn(connection.serve());
    server.subscribe(id, "t");
    let ctx = AttestationContext::new("t");
    // `None` until the client has finished the handshake.
    tokio::time::timeout(HANDSHAKE, async {
        while server.header_for_request(&ctx).await.is_none() {
            tokio::time::sleep(Duration::from_millis(5)).await;
        }
    })
    .await
    .expect("the Node client completes the handshake with the runtime");

    let (raw, mut raw_child) = raw_client(client_js).await;
    let (timed, mut timed_child) = raw_client(client_js).await;
    let mut echo = spawn(Command::new("node").args(["-e", ECHO]));
    let echo_side = Side::raw(
        echo.stdin.take().unwrap(),
        BufReader::new(echo.stdout.take().unwrap()),
    );

    let mut sides = [
        Side::Runtime { server, ctx },
        raw,
        timed.with_deadline(DEADLINE),
        echo_side,
    ];
    // 20 rounds of 250 per side (2 of 20 in quick mode).
    let mut samples = interleaved(&mut sides, size(20, 2), size(250, 20)).await;
    for child in [&mut served, &mut raw_child, &mut timed_child, &mut echo] {
        let _ = child.kill().await;
    }

    let [runtime, raw, timed, echo] = &mut samples[..] else {
        unreachable!("four sides")
    };
    let mut rows = Vec::new();
    rows.extend(p50_p99_rows(
        figure,
        "",
        runtime,
        echo,
        "Node echo",
        Some(("ratio ≤ 1.3", 1.3)),
    ));
    rows.extend(p50_p99_rows(
        figure,
        "client without runtime",
        raw,
        echo,
        "Node echo",
        None,
    ));
    rows.extend(p50_p99_rows(
        figure,
        "client without runtime, timed wait",
        timed,
        echo,
        "Node echo",
        None,
    ));
    rows
}

/// The app, started and taken through its handshake by hand, as a raw
/// side. The `initialize` result is a real [`InitializeResponse`], written
/// by serde: the client validates what it reads.
async fn raw_client(client_js: &Path) -> (Side, Child) {
    let mut child = spawn(Command::new("node").arg(client_js));
    let mut write = child.stdin.take().unwrap();
    let mut read = BufReader::new(child.stdout.take().unwrap());
    let mut line = Vec::new();
    read_line(&mut read, &mut line, "no `initialize` from the client").await;
    let request: serde_json::Value = serde_json::from_slice(&line).unwrap();
    assert_eq!(request["method"], "initialize", "{request}");
    let id: RequestId = serde_json::from_value(request["id"].clone()).unwrap();
    let result = InitializeResponse::new(ServerInfo {
        name: "bench".into(),
        version: "0".into(),
    });
    let response = JsonRpcResponse::new(id, serde_json::to_value(result).unwrap());
    let mut answer = serde_json::to_vec(&response).unwrap();
    answer.push(b'\n');
    write.write_all(&answer).await.unwrap();
    line.clear();
    read_line(
        &mut read,
        &mut line,
        "no `initialized` from the client: did it accept the `initialize` result?",
    )
    .await;
    assert!(
        line.starts_with(b"{\"jsonrpc\":\"2.0\",\"method\":\"initialized\""),
        "{}",
        String::from_utf8_lossy(&line)
    );
    (Side::raw(write, read), child)
}

/// Reads one line within [`HANDSHAKE`]; panics with `missing` otherwise.
async fn read_line(read: &mut (impl AsyncBufRead + Unpin), line: &mut Vec<u8>, missing: &str) {
    match tokio::time::timeout(HANDSHAKE, read.read_until(b'\n', line)).await {
        Ok(Ok(n)) if n > 0 => {}
        Ok(Ok(_)) => panic!("{missing} (its stdout closed)"),
        Ok(Err(e)) => panic!("{missing}: {e}"),
        Err(_) => panic!("{missing} within {HANDSHAKE:?}"),
    }
}

fn spawn(command: &mut Command) -> Child {
    command
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap()
}
