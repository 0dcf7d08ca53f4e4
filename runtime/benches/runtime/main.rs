//! `cargo bench -p attestwire-runtime`: what the runtime and codegen cost,
//! each figure beside a baseline measured in the same run, as a ratio.
//! Asserts nothing; prints a table (see BENCHMARKS.md).

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
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .enable_all()
        .build()
        .unwrap();
    let mut rows: Vec<Row> = Vec::new();
    let started = std::time::Instant::now();
    if wanted("1-roundtrip") {
        rows.extend(runtime.block_on(figures::round_trip()));
    }
    if wanted("2-process") {
        rows.extend(runtime.block_on(figures::process_round_trip()));
    }
    if wanted("3-timeout") {
        rows.extend(runtime.block_on(figures::timeout_precision()));
    }
    if wanted("4-disconnect") {
        rows.extend(runtime.block_on(figures::disconnect_latency()));
    }
    if wanted("5-scale") {
        rows.extend(runtime.block_on(figures::scale()));
    }
    if wanted("6-envelope") {
        rows.extend(figures::envelope());
    }
    if wanted("7-codegen") {
        rows.extend(figures::codegen());
    }
    print!("{}", table(&rows));
    println!(
        "\n(all figures in {:.1} s on {} cores)",
        started.elapsed().as_secs_f64(),
        cores()
    );
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
