//! Figures 1, 3 and 4: one in-memory app over `tokio::io::duplex`.

use std::time::{Duration, Instant};

use attestwire_runtime::{AttestationContext, AttestationProvider};
use tokio::io::{AsyncBufReadExt, BufReader};

use super::{latency_row, p50_p99, p50_p99_rows};
use crate::Row;
use crate::support::{App, Side, connect_app, interleaved, server, size, spawn_echo};

/// Rounds of one block per side (see [`interleaved`]).
fn rounds_and_block() -> (usize, usize) {
    (size(20, 2), size(1_000, 20))
}

/// Figure 1: `header_for_request` against an app that answers at once, beside a raw
/// JSONL echo over the same kind of pipe (write a line, read a line), in
/// interleaved blocks. `figure` names where the caller runs (see `main`).
pub(crate) async fn round_trip(figure: &'static str) -> Vec<Row> {
    let server = server(Duration::from_secs(5));
    let (_id, _app) = connect_app(&server, "t", App::Answer).await;
    let ctx = AttestationContext::new("t");
    let (read, write) = tokio::io::split(spawn_echo());
    let mut sides = [
        Side::Runtime { server, ctx },
        Side::raw(write, BufReader::new(read)),
    ];
    let (rounds, block) = rounds_and_block();
    let [runtime, echo] = &mut interleaved(&mut sides, rounds, block).await[..] else {
        unreachable!("two sides")
    };
    p50_p99_rows(
        figure,
        "",
        runtime,
        echo,
        "raw echo",
        Some(("ratio ≤ 1.5", 1.5)),
    )
    .into()
}

/// Figure 3: an app that never answers, deadline 100 ms, real clock: time until the
/// header is returned, beside `tokio::time::sleep(100 ms)` on the same runtime,
/// one sample of each in turn.
pub(crate) async fn timeout_precision() -> Vec<Row> {
    let samples_wanted = size(100, 3);
    let deadline = Duration::from_millis(100);
    let server = server(deadline);
    let (_id, _app) = connect_app(&server, "t", App::Silent).await;
    let ctx = AttestationContext::new("t");
    let mut samples = Vec::with_capacity(samples_wanted);
    let mut base = Vec::with_capacity(samples_wanted);
    for _ in 0..samples_wanted {
        let start = Instant::now();
        let header = server.header_for_request(&ctx).await;
        samples.push(start.elapsed());
        assert_eq!(header.unwrap().as_bytes(), br#"{"v":1,"s":1}"#);

        let start = Instant::now();
        tokio::time::sleep(deadline).await;
        base.push(start.elapsed());
    }
    assert_eq!(server.pending_count(), 0);
    let (p50, p99) = p50_p99(&mut samples);
    let max = samples[samples.len() - 1];
    let (b50, b99) = p50_p99(&mut base);
    let bmax = base[base.len() - 1];
    let row = |metric: &str, v: Duration, b: Duration, goal, met| {
        latency_row(
            "3 timeout precision (100 ms)",
            metric,
            v,
            b,
            "tokio sleep",
            goal,
            met,
        )
    };
    vec![
        row("p50", p50, b50, "–", None),
        row(
            "p99",
            p99,
            b99,
            "≤ 102 ms",
            Some(p99 <= Duration::from_millis(102)),
        ),
        row("max", max, bmax, "–", None),
    ]
}

/// Figure 4: an app that closes its end while a request is pending: time from the
/// close to the status 3 header, beside how long a plain reader takes to see
/// the same pipe's EOF.
pub(crate) async fn disconnect_latency() -> Vec<Row> {
    let samples_wanted = size(300, 10);
    let mut samples = Vec::with_capacity(samples_wanted);
    let mut base = Vec::with_capacity(samples_wanted);
    for i in 0..samples_wanted {
        let server = server(Duration::from_secs(10));
        let thread = format!("t{i}");
        let (id, app) = connect_app(&server, &thread, App::CloseOnRequest).await;
        let ctx = AttestationContext::new(thread);
        let header = server.header_for_request(&ctx).await;
        let returned = Instant::now();
        let closed_at = app.await.unwrap().unwrap();
        assert_eq!(header.unwrap().as_bytes(), br#"{"v":1,"s":3}"#);
        assert_eq!(server.pending_count(), 0, "connection {id:?}");
        samples.push(returned.saturating_duration_since(closed_at));

        let (near, far) = tokio::io::duplex(1024);
        let reader = tokio::spawn(async move {
            let mut read = BufReader::new(near);
            let mut line = Vec::new();
            let _ = read.read_until(b'\n', &mut line).await;
            Instant::now()
        });
        tokio::task::yield_now().await;
        let closed_at = Instant::now();
        drop(far);
        base.push(reader.await.unwrap().saturating_duration_since(closed_at));
    }
    let (p50, p99) = p50_p99(&mut samples);
    let (b50, b99) = p50_p99(&mut base);
    const FIGURE: &str = "4 disconnect → s=3";
    vec![
        latency_row(FIGURE, "p50", p50, b50, "pipe EOF seen", "–", None),
        latency_row(
            FIGURE,
            "p99",
            p99,
            b99,
            "pipe EOF seen",
            "≤ 1 ms",
            Some(p99 <= Duration::from_millis(1)),
        ),
    ]
}
