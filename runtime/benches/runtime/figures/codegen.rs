//! Figure 7: `attestwire-codegen write` and `check`, in process, release,
//! into a scratch folder (the same work as the binary, without touching the
//! repository), beside writing / reading the same bytes with no generation.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use super::{fmt, p50_p99};
use crate::Row;

const RUNS: usize = 30;

fn scratch() -> PathBuf {
    std::env::temp_dir().join(format!("attestwire-bench-codegen-{}", std::process::id()))
}

fn time(mut f: impl FnMut()) -> Duration {
    f();
    let mut samples: Vec<Duration> = (0..RUNS)
        .map(|_| {
            let start = Instant::now();
            f();
            start.elapsed()
        })
        .collect();
    p50_p99(&mut samples).0
}

fn copy_only(root: &Path, files: &std::collections::BTreeMap<String, String>) {
    let _ = std::fs::remove_dir_all(root.join("schema"));
    let _ = std::fs::remove_dir_all(root.join("generated/src"));
    for (rel, text) in files {
        let path = root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
    }
}

pub(crate) fn codegen() -> Vec<Row> {
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
    let row = |metric: &str, v: Duration, b: Duration, base: &str| Row {
        figure: "7 codegen (release, in process)",
        metric: metric.into(),
        value: fmt(v),
        baseline: format!("{} {base}", fmt(b)),
        ratio: Some(v.as_secs_f64() / b.as_secs_f64()),
        goal: "≤ 100 ms",
        met: Some(v <= Duration::from_millis(100)),
    };
    vec![
        row("write (p50)", write, write_base, "writing the same bytes"),
        row("check (p50)", check, check_base, "reading the same bytes"),
    ]
}
