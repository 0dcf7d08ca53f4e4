//! `cargo bench -p attestwire-runtime`: what the runtime costs, each figure
//! beside a baseline measured in the same run, as a ratio. (Figure 7, the
//! codegen, is `cargo bench -p attestwire-codegen`.)
//! Asserts nothing; prints a table (see BENCHMARKS.md).
//! `ATTESTWIRE_BENCH_QUICK=1` runs every figure with tiny counts, which CI
//! does (in the test profile, `cargo test --bench runtime`) so that the bench
//! cannot rot; it writes nothing either way.

// A benchmark is a program run by hand: a failed setup step may panic with
// its message, like a test; the library code it measures may not.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod figures;
mod support;

use std::fmt::Write as _;

/// One row of the table.
pub(crate) struct Row {
    pub(crate) figure: &'static str,
    pub(crate) metric: String,
    pub(crate) value: String,
    pub(crate) baseline: String,
    pub(crate) ratio: Option<f64>,
    pub(crate) goal: &'static str,
    pub(crate) met: Option<bool>,
}

fn main() {
    // `cargo bench` passes `--bench`; a filter word runs only matching figures.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .collect();
    let wanted = |name: &str| filter.is_empty() || filter.iter().any(|f| name.contains(f.as_str()));
    let started = std::time::Instant::now();
    let mut rows: Vec<Row> = Vec::new();

    // Latency figures (1 to 4) run pinned to one CPU, with everything they
    // start: the runtime's workers and the Node children inherit the mask.
    // Unpinned, on this shared 2-vCPU machine, a Node round trip settles
    // into one of two regimes (~10–25 µs or ~45–85 µs; likely whether the
    // pair shares a CPU or wakes an idle vCPU) and flips between them every
    // few hundred round trips, so figure 2's ratio moved from 0.7 to 1.7
    // between identical runs. Pinned, every side pays the same hand-off.
    // `ATTESTWIRE_BENCH_PIN=0` runs them unpinned;
    // `ATTESTWIRE_BENCH_ROUNDS=1` prints each round's p50s (figures 1, 2).
    let all_cpus = rustix::thread::sched_getaffinity(None).ok();
    let pinned = std::env::var("ATTESTWIRE_BENCH_PIN").map_or(true, |v| v != "0")
        && all_cpus.as_ref().is_some_and(pin_to_first_cpu);
    let latency_runtime = runtime();
    // Figures 1 and 2 run twice: with the caller on one of the runtime's
    // workers, where a server's request handler calls from, and on the
    // thread that called `block_on`, from which every wake-up crosses
    // threads.
    if wanted("1-roundtrip") {
        rows.extend(on_worker(
            &latency_runtime,
            figures::round_trip("1 round trip (duplex), caller on a worker"),
        ));
        rows.extend(latency_runtime.block_on(figures::round_trip(
            "1 round trip (duplex), caller outside the runtime",
        )));
    }
    if wanted("2-process") {
        // Installs npm dependencies from the lock files and builds
        // generated/ and client/ if needed; panics with how to install Node
        // when it is missing. The lock is held until the figure is done.
        let (lock, app) = figures::prepare_app();
        let app_js = app.clone();
        rows.extend(on_worker(&latency_runtime, async move {
            figures::process_round_trip(
                &app_js,
                "2 round trip (Node over stdio), caller on a worker",
            )
            .await
        }));
        rows.extend(latency_runtime.block_on(figures::process_round_trip(
            &app,
            "2 round trip (Node over stdio), caller outside the runtime",
        )));
        drop(lock);
    }
    if wanted("3-timeout") {
        rows.extend(on_worker(&latency_runtime, figures::timeout_precision()));
    }
    if wanted("4-disconnect") {
        rows.extend(on_worker(&latency_runtime, figures::disconnect_latency()));
    }
    drop(latency_runtime);

    // Throughput (figure 5) uses both CPUs: "≥ 100,000 round trips/s on 2 cores".
    if let Some(all) = &all_cpus {
        let _ = rustix::thread::sched_setaffinity(None, all);
    }
    if wanted("5-scale") {
        rows.extend(on_worker(&runtime(), figures::scale()));
    }
    if wanted("6-envelope") {
        rows.extend(figures::envelope());
    }
    print!("{}", table(&rows));
    println!(
        "\n(all figures in {:.1} s on {} cores; figures 1 to 4 {}{})",
        started.elapsed().as_secs_f64(),
        cores(),
        if pinned {
            "pinned to one CPU"
        } else {
            "not pinned"
        },
        if support::quick() {
            "; QUICK MODE: tiny counts, the numbers mean nothing"
        } else {
            ""
        }
    );
}

/// The runtime every figure runs on: multi-thread, 2 workers.
fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap()
}

/// Restricts the calling thread (and the threads and processes it starts
/// from now on) to the first CPU of `all`. `false` if that fails.
fn pin_to_first_cpu(all: &rustix::thread::CpuSet) -> bool {
    let Some(first) = (0..rustix::thread::CpuSet::MAX_CPU).find(|&cpu| all.is_set(cpu)) else {
        return false;
    };
    let mut one = rustix::thread::CpuSet::new();
    one.set(first);
    rustix::thread::sched_setaffinity(None, &one).is_ok()
}

/// Runs a figure as a task on one of the runtime's workers, where a server's
/// request handler calls the runtime from, rather than on the thread that
/// called `block_on` (every wake-up would then cross threads).
fn on_worker<F>(runtime: &tokio::runtime::Runtime, figure: F) -> F::Output
where
    F: std::future::Future + Send + 'static,
    F::Output: Send + 'static,
{
    runtime.block_on(async { tokio::spawn(figure).await.unwrap() })
}

fn cores() -> usize {
    std::thread::available_parallelism().map_or(1, usize::from)
}

fn table(rows: &[Row]) -> String {
    let mut out = String::from(
        "| figure | metric | value | baseline | ratio | goal | met |\n|---|---|---|---|---|---|---|\n",
    );
    for r in rows {
        let ratio = r
            .ratio
            .map_or_else(|| "–".to_owned(), |x| format!("{x:.2}"));
        let met = match r.met {
            Some(true) => "yes",
            Some(false) => "**no**",
            None => "–",
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} | {} | {} |",
            r.figure, r.metric, r.value, r.baseline, ratio, r.goal, met
        );
    }
    out
}
