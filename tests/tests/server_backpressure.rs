//! "Bound the queue in bytes too" and "a client that stops reading while
//! our requests wait is closed after a configurable write stall": the
//! built-in server's outgoing queue holds at most its byte budget, and a
//! writer that makes no progress for the stall limit closes the connection,
//! resolving its pending requests as canceled.

mod runtime_support;

use std::time::Duration;

use attestwire_protocol::{AttestationGenerate, AttestationGenerateParams};
use attestwire_runtime::{RequestError, ServeError, Server, ServerConfig};
use runtime_support::*;
use serde_json::json;
use tokio::time::Instant;

/// Pipes that hold almost nothing, so the server's queue is what holds the
/// backlog.
const PIPE: usize = 16;

fn server_with(configure: impl FnOnce(&mut ServerConfig)) -> Server {
    let mut config = ServerConfig::new(server_info());
    configure(&mut config);
    Server::new(config)
}

/// An unknown-method request whose id is `len` bytes long: its -32601
/// answer echoes the id, so each answer costs about `len` bytes.
fn long_id_request(i: usize, len: usize) -> serde_json::Value {
    let id = format!("{i:04}{}", "x".repeat(len - 4));
    json!({ "jsonrpc": "2.0", "id": id, "method": "test/echo-my-id" })
}

#[tokio::test(start_paused = true)]
async fn the_queue_holds_at_most_its_byte_budget_and_a_full_budget_cancels_our_request() {
    const BUDGET: usize = 4096;
    const ID: usize = 1000;
    const ANSWERS: usize = 6;
    // Plenty of message slots: only the byte budget can be what fills.
    let server = server_with(|config| {
        config.write_queue = 64;
        config.write_queue_bytes = BUDGET;
    });
    // Requests flow freely into the server; answers back hardly at all.
    let app = connect_raw_over_pipes(&server, 64 * 1024, PIPE);
    let mut app = handshake(&server, app, opted_in(&["thread-1"])).await;
    // The client stops reading and sends 6 requests whose answers are
    // ~1 KB each: the budget takes three (the writer holds the first while
    // the pipe is full), the reader then waits with the rest in its read
    // buffer. Six would fit the 64 message slots: only bytes can refuse.
    for i in 0..ANSWERS {
        app.send(long_id_request(i, ID)).await;
    }
    tokio::time::sleep(Duration::from_millis(1)).await;
    let start = Instant::now();
    let header = attest(&server, "thread-1");
    assert_eq!(bytes(header.await.unwrap()), Some(S3.to_vec()));
    assert_eq!(start.elapsed(), Duration::ZERO, "refused at once");

    // Reading again, the client gets every answer in order: the bound held
    // the reader back, it lost nothing.
    for i in 0..ANSWERS {
        let answer = app.recv().await;
        assert_eq!(answer["error"]["code"], -32601);
        assert!(
            answer["id"]
                .as_str()
                .unwrap()
                .starts_with(&format!("{i:04}")),
            "answer {i} in order"
        );
    }
    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    app.respond_token(&id, "v1.after").await;
    assert_eq!(bytes(header.await.unwrap()), Some(s0("v1.after")));
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_client_that_stops_reading_is_closed_after_the_write_stall() {
    let stall = Duration::from_secs(10);
    let server = server_with(|config| config.write_stall = stall);
    let mut app = connect_client_over(&server, opted_in(&["thread-1"]), PIPE).await;
    let start = Instant::now();
    // Our request waits with a deadline far past the stall: the writer
    // blocks on it (the pipe holds 16 bytes), then the stall closes the
    // connection and the request ends as canceled.
    let waiting = tokio::spawn(server.request::<AttestationGenerate>(
        app.id,
        AttestationGenerateParams {},
        Duration::from_secs(60),
    ));
    assert!(matches!(
        waiting.await.unwrap(),
        Err(RequestError::Canceled)
    ));
    assert_eq!(start.elapsed(), stall);
    assert!(matches!(
        app.served().await,
        Err(ServeError::WriteStalled { limit }) if limit == stall
    ));
    assert_eq!(server.connection_count(), 0);
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_slow_reader_is_not_a_stalled_one() {
    let stall = Duration::from_secs(10);
    let server = server_with(|config| config.write_stall = stall);
    let mut app = connect_client_over(&server, opted_in(&[]), PIPE).await;
    // Each answer is longer than the pipe; the client reads one line every
    // 9 s, each write progresses before the stall limit, and the
    // connection lives.
    for i in 0..3 {
        app.send(long_id_request(i, 100)).await;
    }
    for _ in 0..3 {
        tokio::time::sleep(Duration::from_secs(9)).await;
        assert_eq!(app.recv().await["error"]["code"], -32601);
    }
    assert_eq!(server.connection_count(), 1);
    assert_eq!(server.pending_count(), 0);
}

#[test]
fn the_defaults_are_those_of_the_issue() {
    let config = ServerConfig::new(server_info());
    assert_eq!(config.write_queue_bytes, 4 * 1024 * 1024);
    assert_eq!(config.write_stall, Duration::from_secs(10));
    assert_eq!(config.write_queue, 64);
}
