//! "Ask every connection that can answer": two WebSocket clients of
//! `codex-host --listen` on one thread, both opted in. The one that started
//! the thread (the lowest connection id) never answers `attestation/generate`
//! — a hung window — and the other, which resumed the thread, does: its turn
//! gets status 0 with its token, well inside the deadline, and the silent
//! one was asked too.

mod codex_support;

use std::time::{Duration, Instant};

use codex_support::client::{Answers, Client};
use codex_support::{HostProcess, TOKEN, s0};
use serde_json::json;

/// Long, so that a status 0 is plainly not a deadline reached: asking only
/// the silent connection would give status 1 after all of it.
const DEADLINE: Duration = Duration::from_secs(20);

#[tokio::test]
async fn a_silent_connection_beside_a_healthy_one_gives_status_0_from_the_healthy_one() {
    let deadline_ms = DEADLINE.as_millis().to_string();
    let args = [
        "--listen",
        "ws://127.0.0.1:0",
        "--attestation-timeout-ms",
        &deadline_ms,
    ];
    let (mut host, stdio) = HostProcess::start(&args, Answers::Silent);
    let address = host.listening().await;
    let thread = json!({ "threadId": "thread-shared" });

    let mut silent = Client::ws(address, Answers::Silent).await;
    silent.initialize().await;
    silent.result("thread/start", thread.clone()).await;
    let mut healthy = Client::ws(address, Answers::Token).await;
    healthy.initialize().await;
    assert_eq!(
        healthy.result("thread/resume", thread.clone()).await,
        thread
    );

    let asked = Instant::now();
    let result = healthy.result("turn/start", thread.clone()).await;
    let took = asked.elapsed();
    assert_eq!(
        result,
        json!({ "approval": { "decision": "approved" }, "attestation": s0(TOKEN) })
    );
    assert!(
        took < DEADLINE / 2,
        "took {took:?} of a {DEADLINE:?} deadline"
    );
    // Both were asked: the healthy one's answer won.
    let request = silent.asked_for("attestation/generate").await;
    assert!(request["id"].is_string(), "{request}");
    assert_eq!(healthy.asked.len(), 2, "{:?}", healthy.asked);

    drop((silent, healthy));
    host.finish(stdio).await;
}
