//! The measurements that take every side in turn, the order rotating, so
//! that a shared machine's drift hits every side alike. Index 0 is the
//! floor (or, for timeouts, `tokio::time::sleep`), then attestwire (the
//! request, the header flow), rmcp, async-lsp, tower-lsp-server.

use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::app::{self, Mode};
use crate::measure::{self, DEADLINE, LONG, block};
use crate::sides::{AsyncLsp, Attestwire, AttestwireHeader, Floor, Outcome, Rmcp, Side, TowerLsp};

/// How many sides, the floor included.
pub(crate) const SIDES: usize = 6;

/// Every side's round trips per second with `n` in flight on one
/// connection, measured `repeats` times with the sides' order rotating (a
/// shared machine drifts), each time `rounds` × `n` round trips after `n`
/// to warm up; the median of the repeats. Indexes as in [`latency`].
pub(crate) async fn throughput(n: usize, rounds: usize, repeats: usize) -> [f64; SIDES] {
    let mut floor = Floor::connect().await;
    let (attestwire, _a) = Attestwire::connect(Mode::Answer, LONG).await;
    let (header, _h) = AttestwireHeader::connect(Mode::Answer, LONG).await;
    let (rmcp, _b) = Rmcp::connect(Mode::Answer, LONG).await;
    let (async_lsp, _c) = AsyncLsp::connect(Mode::Answer, LONG).await;
    let (tower_lsp, _d) = TowerLsp::connect(Mode::Answer, LONG).await;
    let (attestwire, header, rmcp, async_lsp, tower_lsp) = (
        Arc::new(attestwire),
        Arc::new(header),
        Arc::new(rmcp),
        Arc::new(async_lsp),
        Arc::new(tower_lsp),
    );
    let mut runs: [Vec<f64>; SIDES] = Default::default();
    for repeat in 0..repeats {
        for k in 0..SIDES {
            let i = (repeat + k) % SIDES;
            let per_second = match i {
                0 => {
                    floor.burst(n, 1).await;
                    let start = Instant::now();
                    let done = floor.burst(n, rounds).await;
                    done as f64 / start.elapsed().as_secs_f64()
                }
                1 => measure::throughput(&attestwire, n, rounds).await,
                2 => measure::throughput(&header, n, rounds).await,
                3 => measure::throughput(&rmcp, n, rounds).await,
                4 => measure::throughput(&async_lsp, n, rounds).await,
                _ => measure::throughput(&tower_lsp, n, rounds).await,
            };
            runs[i].push(per_second);
        }
    }
    runs.map(|mut r| {
        r.sort_by(f64::total_cmp);
        r[r.len() / 2]
    })
}

/// Every side's round trips against an app that answers at once, in
/// `rounds` blocks of `n`, the sides' order rotating each round (after a
/// block each to warm up), so that drift hits every side alike. Sorted.
/// Index 0 is the floor, then attestwire (request, header flow), rmcp,
/// async-lsp, tower-lsp-server.
pub(crate) async fn latency(rounds: usize, n: usize) -> [Vec<Duration>; SIDES] {
    let mut floor = Floor::connect().await;
    let (attestwire, _a) = Attestwire::connect(Mode::Answer, DEADLINE).await;
    let (header, _h) = AttestwireHeader::connect(Mode::Answer, DEADLINE).await;
    let (rmcp, _b) = Rmcp::connect(Mode::Answer, DEADLINE).await;
    let (async_lsp, _c) = AsyncLsp::connect(Mode::Answer, DEADLINE).await;
    let (tower_lsp, _d) = TowerLsp::connect(Mode::Answer, DEADLINE).await;
    let mut samples: [Vec<Duration>; SIDES] = Default::default();
    let mut warm = Vec::with_capacity(n);
    block(&attestwire, 1, &mut warm).await;
    block(&header, 1, &mut warm).await;
    block(&rmcp, 1, &mut warm).await;
    block(&async_lsp, 1, &mut warm).await;
    block(&tower_lsp, 1, &mut warm).await;
    println!(
        "What each side writes for one request (framing aside), and the app answers with the same id:\n"
    );
    for (name, app) in [
        (Attestwire::NAME, &_a),
        (AttestwireHeader::NAME, &_h),
        (Rmcp::NAME, &_b),
        (AsyncLsp::NAME, &_c),
        (TowerLsp::NAME, &_d),
    ] {
        println!("- {name}: `{}`", app.first_request().unwrap_or("?"));
    }
    println!(
        "- the app: `{{\"jsonrpc\":\"2.0\",\"id\":<the id>,\"result\":{{\"token\":\"{}\"}}}}`\n",
        app::TOKEN
    );
    for round in 0..=rounds {
        for k in 0..SIDES {
            let i = (round + k) % SIDES;
            let into = if round == 0 {
                &mut warm
            } else {
                &mut samples[i]
            };
            match i {
                0 => {
                    for _ in 0..n {
                        let elapsed = floor.once().await;
                        into.push(elapsed);
                    }
                }
                1 => block(&attestwire, n, into).await,
                2 => block(&header, n, into).await,
                3 => block(&rmcp, n, into).await,
                4 => block(&async_lsp, n, into).await,
                _ => block(&tower_lsp, n, into).await,
            }
            warm.clear();
        }
    }
    for s in &mut samples {
        s.sort();
    }
    samples
}

/// One request at a time on a silent app under the job's deadline, every
/// side in turn, with `tokio::time::sleep` of the deadline in index 0.
/// Returns how long each took to come back, sorted.
pub(crate) async fn timeout_precision(samples: usize) -> [Vec<Duration>; SIDES] {
    let (attestwire, _a) = Attestwire::connect(Mode::Silent, DEADLINE).await;
    let (header, _h) = AttestwireHeader::connect(Mode::Silent, DEADLINE).await;
    let (rmcp, _b) = Rmcp::connect(Mode::Silent, DEADLINE).await;
    let (async_lsp, _c) = AsyncLsp::connect(Mode::Silent, DEADLINE).await;
    let (tower_lsp, _d) = TowerLsp::connect(Mode::Silent, DEADLINE).await;
    let mut out: [Vec<Duration>; SIDES] = Default::default();
    async fn one<S: Side>(side: &S) -> Duration {
        let start = Instant::now();
        let outcome = side.call(DEADLINE).await;
        let elapsed = start.elapsed();
        assert_ne!(
            outcome,
            Outcome::Token,
            "{}: a silent app answered",
            S::NAME
        );
        elapsed
    }
    for _ in 0..samples {
        let start = Instant::now();
        tokio::time::sleep(DEADLINE).await;
        out[0].push(start.elapsed());
        out[1].push(one(&attestwire).await);
        out[2].push(one(&header).await);
        out[3].push(one(&rmcp).await);
        out[4].push(one(&async_lsp).await);
        out[5].push(one(&tower_lsp).await);
    }
    for s in &mut out {
        s.sort();
    }
    out
}
