//! `cargo run --release --manifest-path bench-peers/Cargo.toml`: the same
//! job (the server asks the app a request, the app answers at once) through
//! attestwire and the Rust JSON-RPC libraries a server team would otherwise
//! pick, on the same pipe, runtime and payloads. Prints the tables of
//! BENCHMARKS.md ("Peers, side by side") and writes the charts to
//! `bench-peers/charts/`. Asserts no timing.

mod alloc;
mod app;
mod charts;
mod interleaved;
mod measure;
mod report;
mod sides;

use std::path::Path;
use std::time::{Duration, Instant};

use charts::Series;
use interleaved::{latency, throughput, timeout_precision};
use report::SideResult;
use sides::{AsyncLsp, Attestwire, AttestwireHeader, Floor, Rmcp, Side, TowerLsp};

#[global_allocator]
static ALLOCATOR: alloc::Counting = alloc::Counting;

/// How much of everything; `PEERS_QUICK=1` for a short run (no charts written).
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
    // A quick run (CI's, to keep the bench from rotting) keeps no charts.
    if !quick {
        write_charts(&results);
    }
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
