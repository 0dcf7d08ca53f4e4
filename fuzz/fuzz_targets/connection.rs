//! A full server connection fed arbitrary client bytes while an attestation
//! request is pending. The client opts in, is subscribed, reads the
//! `attestation/generate` request (id "attestwire:1": each run has a fresh server), then
//! sends the fuzz bytes in chunks of a fuzz-chosen size, optionally with a
//! correct answer spliced in, and closes. On tokio's paused clock.
//!
//! Properties: no panic; every line the server writes is a JSON-RPC message
//! no longer than the frame limit plus a constant; the header resolves to
//! one of the five envelopes within the deadline; and afterwards
//! `pending_count() == 0` and `connection_count() == 0`.
//!
//! Input: `[flags, splice, chunk, pause, client bytes…]`. `flags` bit 0:
//! send `initialized`; bit 1: splice the correct answer in at byte
//! `splice * len / 256`; bit 2: at the end close the read side too, so the
//! server's last writes may fail; bit 3: wait 1 ms after each chunk (a
//! trickle, which can outlast the deadline). `chunk`: write size, 0 = all at
//! once. `pause`: milliseconds to wait before closing (the 100 ms deadline
//! may pass first).
#![no_main]

use std::time::Duration;

use attestwire_protocol::{JsonRpcMessage, ServerInfo};
use attestwire_runtime::{AttestationContext, AttestationProvider, Server, ServerConfig};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::runtime::Runtime;
use tokio::sync::mpsc;
use tokio::time::Instant;

const DEADLINE: Duration = Duration::from_millis(100);
const FRAME_LIMIT: usize = 4096;
const PIPE_BYTES: usize = 8 * 1024;
/// What an answer may add to the line it answers: the envelope and the
/// (bounded) error message.
const ANSWER_OVERHEAD: usize = 1024;
const TOKEN: &str = "v1.fuzz";
const INITIALIZE: &[u8] = br#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"clientInfo":{"name":"fuzz","version":"1"},"capabilities":{"requestAttestation":true}}}
"#;
const INITIALIZED: &[u8] = b"{\"jsonrpc\":\"2.0\",\"method\":\"initialized\"}\n";

thread_local! {
    // One runtime for all runs: building one per run would dominate. Its
    // paused clock simply keeps moving forward from run to run.
    static RUNTIME: Runtime = tokio::runtime::Builder::new_current_thread()
        .enable_time()
        .start_paused(true)
        .build()
        .expect("a runtime");
}

fn is_envelope(header: &[u8]) -> bool {
    let fixed: [&[u8]; 4] = [
        br#"{"v":1,"s":1}"#,
        br#"{"v":1,"s":2}"#,
        br#"{"v":1,"s":3}"#,
        br#"{"v":1,"s":4}"#,
    ];
    if fixed.contains(&header) {
        return true;
    }
    // Status 0: a token of 1..=8192 visible ASCII bytes without `"` or `\`
    // (which JSON would escape). The fuzz bytes may answer with their own.
    header
        .strip_prefix(br#"{"v":1,"s":0,"t":""#)
        .and_then(|rest| rest.strip_suffix(br#""}"#))
        .is_some_and(|token| {
            (1..=8192).contains(&token.len())
                && token
                    .iter()
                    .all(|&b| (0x21..=0x7E).contains(&b) && b != b'"' && b != b'\\')
        })
}

async fn run(flags: u8, splice: u8, chunk: u8, pause: u8, input: &[u8]) {
    let mut config = ServerConfig::new(ServerInfo {
        name: "fuzz".to_owned(),
        version: "0".to_owned(),
    });
    config.frame_limit = FRAME_LIMIT;
    config.write_queue = 4;
    config.attestation_deadline = DEADLINE;
    let server = Server::new(config);

    let (mut client_writer, server_reader) = tokio::io::duplex(PIPE_BYTES);
    let (server_writer, client_reader) = tokio::io::duplex(PIPE_BYTES);
    let connection = server.connect(server_reader, server_writer);
    let id = connection.id();
    let serve = tokio::spawn(connection.serve());

    // Reads everything the server writes, so it never waits on us; hands
    // over the initialize result and our request.
    let (events, mut seen) = mpsc::unbounded_channel::<Value>();
    let read_side_open = flags & 4 == 0;
    let drain = tokio::spawn(async move {
        let mut lines = BufReader::new(client_reader).lines();
        while let Ok(Some(line)) = lines.next_line().await {
            // An answer costs at most the line it answers (its echoed id)
            // plus a constant, so a full queue holds at most `write_queue`
            // frames.
            assert!(
                line.len() <= FRAME_LIMIT + ANSWER_OVERHEAD,
                "a {}-byte line from the server",
                line.len()
            );
            let message: Value = serde_json::from_str(&line).expect("the server writes JSON");
            serde_json::from_value::<JsonRpcMessage>(message.clone())
                .expect("the server writes JSON-RPC messages");
            let handshake = message["id"] == 0 && message.get("result").is_some();
            if handshake || message["method"] == "attestation/generate" {
                // The receiver is gone once the request is seen; fine.
                let _ = events.send(message);
            }
        }
    });

    client_writer
        .write_all(INITIALIZE)
        .await
        .expect("pipe open");
    if flags & 1 != 0 {
        client_writer
            .write_all(INITIALIZED)
            .await
            .expect("pipe open");
    }
    assert!(seen.recv().await.is_some(), "initialize answered");
    assert!(server.subscribe(id, "thread"));

    let start = Instant::now();
    let attest = {
        let server = server.clone();
        tokio::spawn(async move {
            let header = server
                .header_for_request(&AttestationContext::new("thread"))
                .await;
            (header, start.elapsed())
        })
    };
    let request = seen.recv().await.expect("the request is sent");
    assert_eq!(request["id"], "attestwire:1");
    drop(seen);

    let mut bytes = input.to_vec();
    if flags & 2 != 0 {
        let at = usize::from(splice) * bytes.len() / 256;
        let answer = format!(r#"{{"jsonrpc":"2.0","id":"attestwire:1","result":{{"token":"{TOKEN}"}}}}"#);
        bytes.splice(at..at, format!("\n{answer}\n").into_bytes());
    }
    let size = if chunk == 0 {
        bytes.len().max(1)
    } else {
        usize::from(chunk)
    };
    for piece in bytes.chunks(size) {
        // Fails once the server closed the connection (frame limit).
        if client_writer.write_all(piece).await.is_err() {
            break;
        }
        if flags & 8 != 0 {
            tokio::time::sleep(Duration::from_millis(1)).await;
        }
    }
    tokio::time::sleep(Duration::from_millis(pause.into())).await;
    if !read_side_open {
        drain.abort();
    }
    drop(client_writer);

    let _ = serve.await.expect("serve does not panic");
    let (header, elapsed) = attest.await.expect("the provider does not panic");
    let header = header.expect("an opted-in connection gets a header");
    assert!(
        is_envelope(header.as_bytes()),
        "not an envelope: {:?}",
        String::from_utf8_lossy(header.as_bytes())
    );
    assert!(elapsed <= DEADLINE, "resolved after {elapsed:?}");
    if read_side_open {
        drain.await.expect("the drain does not panic");
    }
    assert_eq!(server.pending_count(), 0);
    assert_eq!(server.connection_count(), 0);
}

fuzz_target!(|data: &[u8]| {
    let [flags, splice, chunk, pause, input @ ..] = data else {
        return;
    };
    RUNTIME.with(|runtime| {
        runtime.block_on(run(*flags, *splice, *chunk, *pause, input));
    });
});
