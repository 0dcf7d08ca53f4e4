//! `cargo run --release --manifest-path bench-peers/Cargo.toml`: the same
//! job (the server asks the app a request, the app answers at once) through
//! attestwire and the Rust JSON-RPC libraries a server team would otherwise
//! pick, on the same pipe, runtime and payloads. Prints the tables of
//! BENCHMARKS.md ("Peers, side by side") and writes the charts to
//! `bench-peers/charts/`. Asserts no timing.

mod alloc;
mod app;
mod charts;
mod measure;
mod report;
mod sides;

use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use app::Mode;
use charts::Series;
use measure::{DEADLINE, LONG, block};
use report::SideResult;
use sides::{AsyncLsp, Attestwire, AttestwireHeader, Floor, Outcome, Rmcp, Side, TowerLsp};

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// How much of everything; `PEERS_QUICK=1` for a short run.
struct Sizes {
    /// Latency: rounds of one block per side, sides rotating.
    rounds: usize,
    block: usize,
    /// Throughput, bytes per pending and the deadline's leftovers.
    in_flight: usize,
    throughput_rounds: usize,
    /// Throughput measured this many times per side (the median is kept).
    throughput_repeats: usize,
    /// Single requests on a silent app, per side.
    timeouts: usize,
}

const SIDES: usize = 6;

fn main() {
    let quick = std::env::var_os("PEERS_QUICK").is_some_and(|v| v != "0");
    let sizes = if quick {
        Sizes {
            rounds: 4,
            block: 200,
            in_flight: 10_000,
            throughput_rounds: 2,
            throughput_repeats: 1,
            timeouts: 10,
        }
    } else {
        Sizes {
            rounds: 20,
            block: 1_000,
            in_flight: 10_000,
            throughput_rounds: 3,
            throughput_repeats: 5,
            timeouts: 100,
        }
    };
    let started = Instant::now();

    // Latency and timeout precision run pinned to one CPU, with the
    // runtime's workers, as the runtime's own figures 1 to 4 do (see
    // BENCHMARKS.md: unpinned, a round trip flips between two regimes on
    // this 2-vCPU machine). `PEERS_PIN=0` runs unpinned.
    let all_cpus = rustix::thread::sched_getaffinity(None).ok();
    let pinned = std::env::var("PEERS_PIN").map_or(true, |v| v != "0")
        && all_cpus.as_ref().is_some_and(pin_to_first_cpu);
    let latency_runtime = runtime();
    let mut latency = on_worker(&latency_runtime, latency(sizes.rounds, sizes.block));
    let mut timeouts = on_worker(&latency_runtime, timeout_precision(sizes.timeouts));
    drop(latency_runtime);
    eprintln!(
        "latency and timeouts done at {:.1} s",
        started.elapsed().as_secs_f64()
    );

    // Throughput and memory on both CPUs, as figure 5.
    if let Some(all) = &all_cpus {
        let _ = rustix::thread::sched_setaffinity(None, all);
    }
    let rt = runtime();
    let n = sizes.in_flight;
    let mut throughput = on_worker(
        &rt,
        throughput(n, sizes.throughput_rounds, sizes.throughput_repeats),
    );
    let mut results = vec![SideResult {
        name: Floor::NAME,
        is_peer: false,
        latency: std::mem::take(&mut latency[0]),
        throughput: throughput[0],
        memory: None,
        leftovers: None,
        timeout: std::mem::take(&mut timeouts[0]),
        timeout_name: "tokio::time::sleep(100 ms), no library",
    }];
    let mut take = |i: usize| {
        (
            std::mem::take(&mut latency[i]),
            std::mem::take(&mut timeouts[i]),
            std::mem::take(&mut throughput[i]),
        )
    };
    results.push(memory::<Attestwire>(&rt, n, false, take(1)));
    results.push(memory::<AttestwireHeader>(&rt, n, false, take(2)));
    results.push(memory::<Rmcp>(&rt, n, true, take(3)));
    results.push(memory::<AsyncLsp>(&rt, n, true, take(4)));
    results.push(memory::<TowerLsp>(&rt, n, true, take(5)));
    drop(rt);

    // Latency table order: attestwire, the peers, the floor.
    results.rotate_left(1);
    print!("{}", report::tables(&results, n));
    println!(
        "\n(in {:.1} s on {} CPUs; latency and timeouts {}; p50/p99 of {} × {} round trips per side after {} to warm up)",
        started.elapsed().as_secs_f64(),
        std::thread::available_parallelism().map_or(1, usize::from),
        if pinned {
            "pinned to one CPU"
        } else {
            "not pinned"
        },
        sizes.rounds,
        sizes.block,
        sizes.block,
    );
    write_charts(&results);
}

/// Bytes per pending and the deadline's leftovers of `S`, with its
/// latency, timeout and throughput figures from the earlier phases.
fn memory<S: Side>(
    rt: &tokio::runtime::Runtime,
    n: usize,
    is_peer: bool,
    (latency, timeout, throughput): (Vec<Duration>, Vec<Duration>, f64),
) -> SideResult {
    let memory = on_worker(rt, measure::bytes_per_pending::<S>(n));
    let leftovers = on_worker(rt, measure::leftovers::<S>(n));
    eprintln!("{} done", S::NAME);
    SideResult {
        name: S::NAME,
        is_peer,
        latency,
        throughput,
        memory: Some(memory),
        leftovers: Some(leftovers),
        timeout,
        timeout_name: S::NAME,
    }
}

/// Every side's round trips per second with `n` in flight on one
/// connection, measured `repeats` times with the sides' order rotating (a
/// shared machine drifts), each time `rounds` × `n` round trips after `n`
/// to warm up; the median of the repeats. Indexes as in [`latency`].
async fn throughput(n: usize, rounds: usize, repeats: usize) -> [f64; SIDES] {
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
async fn latency(rounds: usize, n: usize) -> [Vec<Duration>; SIDES] {
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
async fn timeout_precision(samples: usize) -> [Vec<Duration>; SIDES] {
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

fn write_charts(results: &[SideResult]) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("charts");
    std::fs::create_dir_all(&dir).expect("charts folder");
    let series: Vec<Series<'_>> = results
        .iter()
        .map(|s| Series {
            name: s.name,
            sorted: &s.latency,
        })
        .collect();
    let roundtrip = dir.join("roundtrip.svg");
    charts::cdf(
        &roundtrip,
        "Round trip over tokio::io::duplex, app answers at once (caller on a worker, one CPU)",
        "round trip (µs, log scale)",
        1e-6,
        true,
        &series,
    )
    .expect("round-trip chart");
    let ours = results
        .iter()
        .find(|s| s.name == sides::ATTESTWIRE)
        .expect("attestwire");
    let header = results
        .iter()
        .find(|s| s.name == AttestwireHeader::NAME)
        .expect("attestwire header");
    let floor = results
        .iter()
        .find(|s| s.name == Floor::NAME)
        .expect("floor");
    let timeout = dir.join("timeout.svg");
    charts::cdf(
        &timeout,
        "100 ms deadline on a silent app: attestwire against tokio::time::sleep(100 ms), one CPU",
        "returned after (ms)",
        1e-3,
        false,
        &[
            Series {
                name: "attestwire Server::request, deadline 100 ms",
                sorted: &ours.timeout,
            },
            Series {
                name: "attestwire attestation_header, deadline 100 ms",
                sorted: &header.timeout,
            },
            Series {
                name: "tokio::time::sleep(100 ms)",
                sorted: &floor.timeout,
            },
        ],
    )
    .expect("timeout chart");
    eprintln!("wrote {} and {}", roundtrip.display(), timeout.display());
}

/// The runtime every measurement runs on: multi-thread, 2 workers (as the
/// runtime's own benches).
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .expect("runtime")
}

/// Restricts the calling thread (and the threads it starts from now on) to
/// the first CPU of `all`. `false` if that fails.
fn pin_to_first_cpu(all: &rustix::thread::CpuSet) -> bool {
    let Some(first) = (0..rustix::thread::CpuSet::MAX_CPU).find(|&cpu| all.is_set(cpu)) else {
        return false;
    };
    let mut one = rustix::thread::CpuSet::new();
    one.set(first);
    rustix::thread::sched_setaffinity(None, &one).is_ok()
}

/// Runs `f` as a task on one of the runtime's workers, where a server's
/// request handler calls from.
fn on_worker<F>(runtime: &tokio::runtime::Runtime, f: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime.block_on(async { tokio::spawn(f).await.expect("measurement task") })
}
