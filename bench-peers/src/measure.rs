//! What is measured for each side, the same way for every side.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::alloc::{live_blocks, live_bytes};
use crate::app::Mode;
use crate::sides::{Outcome, Side};

/// The job's deadline.
pub(crate) const DEADLINE: Duration = Duration::from_millis(100);
/// A deadline that never fires during a measurement.
pub(crate) const LONG: Duration = Duration::from_secs(600);

/// `n` round trips of `side` against an app that answers at once, each
/// under the job's deadline, appended to `samples`.
pub(crate) async fn block<S: Side>(side: &S, n: usize, samples: &mut Vec<Duration>) {
    for _ in 0..n {
        let start = Instant::now();
        let outcome = side.call(DEADLINE).await;
        samples.push(start.elapsed());
        assert_eq!(outcome, Outcome::Token, "{}", S::NAME);
    }
}

/// Round trips per second with `in_flight` requests in flight on `side`'s
/// one connection: `in_flight` tasks, each doing `rounds` round trips in a
/// row (after one unmeasured round to warm up).
pub(crate) async fn throughput<S: Side>(side: &Arc<S>, in_flight: usize, rounds: usize) -> f64 {
    let warm = run(side, in_flight, 1).await;
    assert_eq!(
        warm,
        in_flight,
        "{}: every warm-up round trip answered",
        S::NAME
    );
    let start = Instant::now();
    let done = run(side, in_flight, rounds).await;
    let elapsed = start.elapsed();
    assert_eq!(
        done,
        in_flight * rounds,
        "{}: every round trip answered",
        S::NAME
    );
    done as f64 / elapsed.as_secs_f64()
}

async fn run<S: Side>(side: &Arc<S>, tasks: usize, rounds: usize) -> usize {
    let workers: Vec<_> = (0..tasks)
        .map(|_| {
            let side = Arc::clone(side);
            tokio::spawn(async move {
                let mut ok = 0;
                for _ in 0..rounds {
                    // Long: queueing 10,000 requests must not time any out.
                    if side.call(LONG).await == Outcome::Token {
                        ok += 1;
                    }
                }
                ok
            })
        })
        .collect();
    let mut done = 0;
    for worker in workers {
        done += worker.await.unwrap_or(0);
    }
    done
}

/// Heap bytes per pending request: `n` requests pending against a silent
/// app (each a task, as a server's handlers would make them), live bytes
/// minus before, ÷ `n`. Then the app answers them all.
pub(crate) async fn bytes_per_pending<S: Side>(n: usize) -> Memory {
    let (side, app) = S::connect(Mode::Silent, LONG).await;
    let future_size = std::mem::size_of_val(&side.call(LONG));
    let side = Arc::new(side);
    let mut callers = Vec::with_capacity(n);
    settle().await;
    let before = live_bytes();
    let blocks_before = live_blocks();
    for _ in 0..n {
        let side = Arc::clone(&side);
        callers.push(tokio::spawn(async move { side.call(LONG).await }));
    }
    wait_until(|| app.requests() >= n, S::NAME).await;
    settle().await;
    let after = live_bytes();
    let blocks_after = live_blocks();
    app.answer_late();
    for caller in callers {
        assert_eq!(caller.await.ok(), Some(Outcome::Token), "{}", S::NAME);
    }
    Memory {
        bytes: (after - before) as f64 / n as f64,
        blocks: (blocks_after - blocks_before) as f64 / n as f64,
        future: future_size,
    }
}

/// Heap held per pending request.
pub(crate) struct Memory {
    /// Bytes.
    pub(crate) bytes: f64,
    /// Blocks (allocations).
    pub(crate) blocks: f64,
    /// `size_of_val` of one request's future before it is polled: the
    /// library's part of each task.
    pub(crate) future: usize,
}

/// What `n` requests under the job's deadline leave behind on a silent app.
pub(crate) struct Leftovers {
    /// What the library returned, and how many times.
    pub(crate) outcomes: BTreeMap<String, usize>,
    /// When the last of them returned, from the first call.
    pub(crate) last_returned: Duration,
    /// Requests the app received.
    pub(crate) requests_seen: usize,
    /// Cancel notifications the app received.
    pub(crate) cancels_seen: usize,
    /// The library's own count of pending entries after the deadline, where
    /// it can be read.
    pub(crate) pending: Option<usize>,
    /// Heap bytes still held after the deadline (and a settle), ÷ `n`:
    /// entries left behind, and any capacity the library keeps.
    pub(crate) retained: f64,
    /// Heap bytes freed when the app then answers every request late, ÷
    /// `n`: what entries left behind held (0 when none were).
    pub(crate) freed_by_late_answers: f64,
    /// The library's pending count after the late answers.
    pub(crate) pending_after_late: Option<usize>,
}

/// `n` requests under the job's deadline against a silent app, all at once;
/// then what is left, and whether a late answer frees anything.
pub(crate) async fn leftovers<S: Side>(n: usize) -> Leftovers {
    let (side, app) = S::connect(Mode::Silent, DEADLINE).await;
    let side = Arc::new(side);
    let mut callers = Vec::with_capacity(n);
    settle().await;
    let before = live_bytes();
    let start = Instant::now();
    for _ in 0..n {
        let side = Arc::clone(&side);
        callers.push(tokio::spawn(async move {
            let outcome = side.call(DEADLINE).await;
            (outcome, Instant::now())
        }));
    }
    let mut outcomes = BTreeMap::new();
    let mut last = start;
    for caller in callers {
        let (outcome, at) = caller.await.expect("caller");
        last = last.max(at);
        let key = match outcome {
            Outcome::Token => "a token".to_owned(),
            Outcome::Failed(text) => text,
        };
        *outcomes.entry(key).or_insert(0) += 1;
    }
    // Long enough for a library to finish sending its cancels.
    settle().await;
    settle().await;
    let retained = live_bytes() - before;
    let pending = side.pending();
    let cancels_seen = app.cancels();
    let requests_seen = app.requests();
    let held = live_bytes();
    app.answer_late();
    settle().await;
    settle().await;
    let freed = held - live_bytes();
    Leftovers {
        outcomes,
        last_returned: last - start,
        requests_seen,
        cancels_seen,
        pending,
        retained: retained as f64 / n as f64,
        freed_by_late_answers: freed as f64 / n as f64,
        pending_after_late: side.pending(),
    }
}

/// Lets the tasks and the allocator settle before reading memory.
async fn settle() {
    tokio::time::sleep(Duration::from_millis(200)).await;
}

async fn wait_until(done: impl Fn() -> bool, what: &str) {
    let start = Instant::now();
    while !done() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "{what}: the app never saw every request"
        );
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
}

/// p-th percentile (0..=100) of sorted samples.
pub(crate) fn percentile(sorted: &[Duration], p: f64) -> Duration {
    if sorted.is_empty() {
        return Duration::ZERO;
    }
    let rank = ((p / 100.0) * (sorted.len() - 1) as f64).round() as usize;
    sorted[rank.min(sorted.len() - 1)]
}
