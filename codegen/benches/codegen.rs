//! `cargo bench -p attestwire-codegen`: figure 7 of BENCHMARKS.md.
//! `attestwire-codegen write` and `check`, in process, release, into a
//! scratch folder (the same work as the binary, without touching the
//! repository), beside writing / reading the same bytes with no generation.
//! Asserts nothing; prints the figure's rows in the table's format.

// A benchmark is a program run by hand: a failed setup step may panic with
// its message, like a test.
#![allow(clippy::unwrap_used, clippy::expect_used, missing_docs)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

const RUNS: usize = 30;

fn scratch() -> PathBuf {
    std::env::temp_dir().join(format!("attestwire-bench-codegen-{}", std::process::id()))
}

/// The p50 of [`RUNS`] timed calls, after one warm-up call.
fn time(mut f: impl FnMut()) -> Duration {
    f();
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    samples.sort();
    samples[samples.len() / 2]
}

fn fmt(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    }
}

fn copy_only(root: &Path, files: &BTreeMap<String, String>) {
    let _ = std::fs::remove_dir_all(root.join("schema"));
    let _ = std::fs::remove_dir_all(root.join("generated/src"));
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

fn main() {
    let root = scratch();
    let files = attestwire_codegen::generate().unwrap();
    let write = time(|| {
        let files = attestwire_codegen::generate().unwrap();
        attestwire_codegen::write(&root, &files).unwrap();
    });
    let check = time(|| {
        let files = attestwire_codegen::generate().unwrap();
        assert!(attestwire_codegen::check(&root, &files).unwrap().is_empty());
    });
    let write_base = time(|| copy_only(&root, &files));
    let check_base = time(|| {
        for (rel, text) in &files {
            assert_eq!(&std::fs::read_to_string(root.join(rel)).unwrap(), text);
        }
    });
    let _ = std::fs::remove_dir_all(&root);
    println!(
        "| figure | metric | value | baseline | ratio | goal | met |\n|---|---|---|---|---|---|---|"
    );
    for (metric, v, b, base) in [
        ("write (p50)", write, write_base, "writing the same bytes"),
        ("check (p50)", check, check_base, "reading the same bytes"),
    ] {
        let met = if v <= Duration::from_millis(100) {
            "yes"
        } else {
            "**no**"
        };
        println!(
            "| 7 codegen (release, in process) | {metric} | {} | {} {base} | {:.2} | ≤ 100 ms | {met} |",
            fmt(v),
            fmt(b),
            v.as_secs_f64() / b.as_secs_f64()
        );
    }
}
