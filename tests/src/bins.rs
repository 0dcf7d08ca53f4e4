//! Executables of the workspace's other packages, for the tests that run
//! them as processes.
//!
//! A binary of another package has no `CARGO_BIN_EXE_*`, and
//! `target/debug/<bin>` may be missing or stale (`cargo test -p
//! attestwire-tests` does not build it). So the test asks the cargo that runs
//! it (`$CARGO`) to build it, and takes the path from cargo's own report,
//! which holds whatever the target dir (`CARGO_TARGET_DIR`,
//! `build.target-dir`) is. `-p <package>` is the build `cargo run -p
//! <package>` makes, so the two share artifacts; when it is fresh this takes
//! a fraction of a second.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;

use serde_json::Value;

use crate::vectors::repo_root;

/// `examples/codex-host`'s executable, built once per test process.
pub fn codex_host() -> &'static Path {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| build_bin("codex-host", "codex-host"))
}

/// Builds `bin` of `package` with the cargo running the test and returns
/// the executable cargo reports. Panics (the test fails) when cargo cannot
/// build it.
pub fn build_bin(package: &str, bin: &str) -> PathBuf {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["build", "--quiet", "--package", package, "--bin", bin])
        .arg("--message-format=json-render-diagnostics")
        .current_dir(repo_root())
        .stderr(Stdio::inherit())
        .output()
        .unwrap_or_else(|e| panic!("cannot run cargo to build {package}: {e}"));
    assert!(out.status.success(), "cargo build -p {package} failed");
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|line| serde_json::from_str::<Value>(line).ok())
        .filter(|message| message["target"]["name"] == bin)
        .find_map(|message| message["executable"].as_str().map(PathBuf::from))
        .unwrap_or_else(|| panic!("cargo reported no {bin} executable"))
}
