//! Figure 5: 10,000 connections with 10 requests in flight each.

use std::sync::Arc;
use std::time::{Duration, Instant};

use attestwire_runtime::{AttestationContext, AttestationProvider, Server};
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};

use crate::Row;
use crate::support::{App, connect_app, rss, server, size, spawn_echo};

/// Connections: 10,000 (100 in quick mode).
fn connections() -> usize {
    size(10_000, 100)
}
const IN_FLIGHT: usize = 10;
/// Round trips per in-flight slot in the throughput phase.
const ROUNDS: usize = 3;

pub(crate) async fn scale() -> Vec<Row> {
    let (memory, pending_left_a) = memory_per_pending().await;
    let (throughput, pending_left_b) = throughput().await;
    let echo = echo_throughput().await;
    let (_, peak) = rss();
    let ratio = throughput / echo;
    let left = pending_left_a + pending_left_b;
    vec![
        Row {
            figure: "5 scale: 10k conns × 10 in flight",
            metric: "round trips/s".into(),
            value: format!("{throughput:.0}"),
            baseline: format!("{echo:.0} raw echo/s"),
            ratio: Some(ratio),
            goal: "≥ 100,000/s",
            met: Some(throughput >= 100_000.0),
        },
        Row {
            figure: "5 scale: 10k conns × 10 in flight",
            metric: "bytes per pending request".into(),
            value: format!("{:.0} B", memory.per_pending),
            baseline: format!("{:.0} B per idle connection", memory.per_connection),
            ratio: Some(memory.per_pending / memory.per_connection),
            goal: "≤ 1 KiB",
            met: Some(memory.per_pending <= 1024.0),
        },
        Row {
            figure: "5 scale: 10k conns × 10 in flight",
            metric: "peak RSS (whole bench so far)".into(),
            value: format!("{:.1} MiB", peak as f64 / 1048576.0),
            baseline: "–".into(),
            ratio: None,
            goal: "–",
            met: None,
        },
        Row {
            figure: "5 scale: 10k conns × 10 in flight",
            metric: "pending left at the end".into(),
            value: left.to_string(),
            baseline: "–".into(),
            ratio: None,
            goal: "0",
            met: Some(left == 0),
        },
    ]
}

struct Memory {
    per_pending: f64,
    per_connection: f64,
}

/// Apps that never answer; RSS before and after 100,000 requests are
/// pending. Then every caller gives up (tasks aborted) and the count must
/// return to 0.
async fn memory_per_pending() -> (Memory, usize) {
    let server = server(Duration::from_secs(600));
    let (before_connections, _) = rss();
    let mut apps = Vec::with_capacity(connections());
    for i in 0..connections() {
        apps.push(connect_app(&server, &format!("t{i}"), App::Silent).await);
    }
    settle().await;
    let (before, _) = rss();
    let mut callers = Vec::with_capacity(connections() * IN_FLIGHT);
    for i in 0..connections() {
        let ctx = Arc::new(AttestationContext::new(format!("t{i}")));
        for _ in 0..IN_FLIGHT {
            let server = server.clone();
            let ctx = Arc::clone(&ctx);
            callers.push(tokio::spawn(async move {
                server.header_for_request(&ctx).await;
            }));
        }
    }
    while server.pending_count() < connections() * IN_FLIGHT {
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
    settle().await;
    let (after, _) = rss();
    for caller in &callers {
        caller.abort();
    }
    for caller in callers {
        let _ = caller.await;
    }
    let left = server.pending_count();
    drop(apps);
    let memory = Memory {
        per_pending: after.saturating_sub(before) as f64 / (connections() * IN_FLIGHT) as f64,
        per_connection: before.saturating_sub(before_connections) as f64 / connections() as f64,
    };
    (memory, left)
}

/// Apps that answer at once; 10 workers per connection each doing
/// `ROUNDS` round trips in a row.
async fn throughput() -> (f64, usize) {
    let server: Server = server(Duration::from_secs(60));
    let mut apps = Vec::with_capacity(connections());
    for i in 0..connections() {
        apps.push(connect_app(&server, &format!("t{i}"), App::Answer).await);
    }
    let start = Instant::now();
    let mut workers = Vec::with_capacity(connections() * IN_FLIGHT);
    for i in 0..connections() {
        let ctx = Arc::new(AttestationContext::new(format!("t{i}")));
        for _ in 0..IN_FLIGHT {
            let server = server.clone();
            let ctx = Arc::clone(&ctx);
            workers.push(tokio::spawn(async move {
                let mut ok = 0usize;
                for _ in 0..ROUNDS {
                    if server
                        .header_for_request(&ctx)
                        .await
                        .is_some_and(|h| h.as_bytes().starts_with(b"{\"v\":1,\"s\":0"))
                    {
                        ok += 1;
                    }
                }
                ok
            }));
        }
    }
    let mut completed = 0;
    for worker in workers {
        completed += worker.await.unwrap_or(0);
    }
    let elapsed = start.elapsed();
    assert_eq!(
        completed,
        connections() * IN_FLIGHT * ROUNDS,
        "every round trip answered"
    );
    let left = server.pending_count();
    drop(apps);
    (completed as f64 / elapsed.as_secs_f64(), left)
}

/// The same number of round trips as raw JSONL echoes over 10,000 duplex
/// pipes, with 10 lines in flight per pipe.
async fn echo_throughput() -> f64 {
    const LINE: &[u8] =
        b"{\"jsonrpc\":\"2.0\",\"id\":12345,\"result\":{\"token\":\"v1.bench-token\"}}\n";
    let start = Instant::now();
    let mut pipes = Vec::with_capacity(connections());
    for _ in 0..connections() {
        let near = spawn_echo();
        pipes.push(tokio::spawn(async move {
            let (read, mut write) = tokio::io::split(near);
            let mut read = BufReader::new(read);
            let mut line = Vec::new();
            let mut done = 0;
            for _ in 0..ROUNDS {
                for _ in 0..IN_FLIGHT {
                    write.write_all(LINE).await.unwrap();
                }
                for _ in 0..IN_FLIGHT {
                    line.clear();
                    read.read_until(b'\n', &mut line).await.unwrap();
                    done += 1;
                }
            }
            done
        }));
    }
    let mut total = 0usize;
    for pipe in pipes {
        total += pipe.await.unwrap_or(0);
    }
    total as f64 / start.elapsed().as_secs_f64()
}

/// Lets the allocator and the tasks settle before reading RSS.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(200)).await;
}
