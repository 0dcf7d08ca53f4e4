//! "A client that trickles one byte every few milliseconds does not delay
//! other connections' attestations." Each connection's reader runs on its
//! own, so a slow peer only ever delays itself. On tokio's paused clock the
//! delays below are exact.

mod runtime_support;

use std::time::Duration;

use runtime_support::*;
use serde_json::json;
use tokio::time::{Instant, sleep};

/// How often the trickler sends its next byte.
const TRICKLE_STEP: Duration = Duration::from_millis(3);
/// How long the well-behaved app takes to answer.
const ANSWER_DELAY: Duration = Duration::from_millis(30);
/// How many attestations the well-behaved app serves during the trickle.
const ROUNDS: u32 = 3;

/// Sends `bytes` one at a time, `TRICKLE_STEP` apart.
fn trickle(mut client: FakeClient, bytes: Vec<u8>) -> tokio::task::JoinHandle<FakeClient> {
    tokio::spawn(async move {
        for byte in bytes {
            client.send_raw(&[byte]).await;
            sleep(TRICKLE_STEP).await;
        }
        client
    })
}

#[tokio::test(start_paused = true)]
async fn trickled_answer_times_out_alone_while_another_connection_gets_its_token_on_time() {
    let server = server();
    // The trickler is the older connection: lowest id, served first.
    let mut trickler = connect_client(&server, opted_in(&["thread-slow"])).await;
    let mut app = connect_client(&server, opted_in(&["thread-fast"])).await;

    let slow_start = Instant::now();
    let slow_header = attest(&server, "thread-slow");
    let slow_id = trickler.next_request().await;
    let answer = json!({ "jsonrpc": "2.0", "id": slow_id, "result": { "token": "v1.slow" } });
    let answer = format!("{answer}\n").into_bytes();
    let trickle_time = TRICKLE_STEP * u32::try_from(answer.len()).unwrap();
    assert!(trickle_time > DEADLINE && trickle_time > ANSWER_DELAY * ROUNDS);
    let trickling = trickle(trickler, answer);

    // Several attestations of the other connection while the trickle runs,
    // each as fast as that app answers, not as the trickler.
    for round in 0..ROUNDS {
        let start = Instant::now();
        let header = attest(&server, "thread-fast");
        let id = app.next_request().await;
        sleep(ANSWER_DELAY).await;
        app.respond_token(&id, &format!("v1.fast-{round}")).await;
        assert_eq!(
            bytes(header.await.unwrap()),
            Some(s0(&format!("v1.fast-{round}")))
        );
        let elapsed = start.elapsed();
        assert!(
            elapsed >= ANSWER_DELAY && elapsed < ANSWER_DELAY + TRICKLE_STEP,
            "round {round} took {elapsed:?}"
        );
    }

    assert!(
        !trickling.is_finished(),
        "all rounds ran during the trickle"
    );

    // The trickler's own answer could not arrive within its deadline.
    assert_eq!(bytes(slow_header.await.unwrap()), Some(S1.to_vec()));
    assert_eq!(slow_start.elapsed(), DEADLINE);
    let mut trickler = trickling.await.unwrap();
    assert!(slow_start.elapsed() >= trickle_time);
    // Its complete, late answer is dropped; the connection stays usable.
    trickler.sync().await;
    assert_eq!(server.pending_count(), 0);
    assert_eq!(server.connection_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn endless_trickled_line_does_not_delay_another_connections_attestation() {
    let server = server();
    // Never finishes a line: one byte of an endless JSON string every step,
    // far longer than the whole test, and never reaches the frame limit.
    let trickler = connect_raw(&server);
    let endless = std::iter::once(b'"')
        .chain(std::iter::repeat_n(b'x', 10_000))
        .collect();
    let trickling = trickle(trickler, endless);
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;

    let start = Instant::now();
    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    sleep(ANSWER_DELAY).await;
    app.respond_token(&id, "v1.on-time").await;
    assert_eq!(bytes(header.await.unwrap()), Some(s0("v1.on-time")));
    let elapsed = start.elapsed();
    assert!(
        elapsed >= ANSWER_DELAY && elapsed < ANSWER_DELAY + TRICKLE_STEP,
        "took {elapsed:?}"
    );

    trickling.abort();
    assert_eq!(server.pending_count(), 0);
}
