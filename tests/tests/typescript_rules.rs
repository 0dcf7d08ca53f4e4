//! What a TypeScript or schema reader must never see: `bigint`, snake_case
//! fields, Rust-only remarks, or a file without the generated header.

use attestwire_codegen::{GENERATED_HEADER, generate};

fn ts_files() -> Vec<(String, String)> {
    generate()
        .unwrap()
        .into_iter()
        .filter(|(p, _)| p.ends_with(".ts"))
        .collect()
}

#[test]
fn every_ts_file_starts_with_the_generated_header() {
    for (path, text) in ts_files() {
        assert_eq!(text.lines().next(), Some(GENERATED_HEADER), "{path}");
    }
}

#[test]
fn no_bigint_anywhere() {
    for (path, text) in ts_files() {
        assert!(!text.contains("bigint"), "{path} mentions bigint");
    }
}

#[test]
fn no_snake_case_field_names() {
    for (path, text) in ts_files() {
        for line in text.lines() {
            let line = line.trim_start();
            if line.starts_with("export") || line.starts_with("//") || line.starts_with('*') {
                continue;
            }
            let Some((key, _)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim_end_matches('?').trim_matches('"');
            let is_ident = key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            assert!(
                !(is_ident && key.contains('_')),
                "{path}: snake_case field `{key}` in line {line:?}"
            );
        }
    }
}

#[test]
fn no_rust_only_remarks_reach_typescript_or_schema() {
    let needles = [
        "Rust", "serde", "schemars", "ts-rs", "Option<", "Vec<", "crate::", "Self", "pub ",
        "impl ", "`None`", "`Some",
    ];
    for (path, text) in generate().unwrap() {
        for needle in needles {
            assert!(
                !text.contains(needle),
                "{path} contains Rust-only text {needle:?}"
            );
        }
    }
}
