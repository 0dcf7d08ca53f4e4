//! Copies of this checkout, and `attestwire-codegen` run in one: for tests
//! that change the protocol crate or share a target dir between trees.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use crate::vectors::repo_root;

/// Copies the checkout's files (tracked and new, not ignored) to `dest`,
/// replacing whatever was there. Every copied file is new, so cargo sees
/// the copy as changed against any earlier build.
pub fn copy_to(dest: &Path) -> PathBuf {
    let root = repo_root();
    let _ = std::fs::remove_dir_all(dest);
    let listed = Command::new("git")
        .args([
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ])
        .current_dir(&root)
        .output()
        .unwrap_or_else(|e| panic!("git is needed to copy the checkout: {e}"));
    assert!(listed.status.success(), "git ls-files failed");
    for rel in listed.stdout.split(|b| *b == 0).filter(|r| !r.is_empty()) {
        let rel = Path::new(std::str::from_utf8(rel).unwrap_or_else(|e| panic!("{e}")));
        let from = root.join(rel);
        // A file deleted in the work tree but still tracked.
        if !from.is_file() {
            continue;
        }
        let to = dest.join(rel);
        if let Some(parent) = to.parent() {
            std::fs::create_dir_all(parent).unwrap_or_else(|e| panic!("{e}"));
        }
        std::fs::copy(&from, &to).unwrap_or_else(|e| panic!("copying {rel:?}: {e}"));
    }
    dest.to_owned()
}

/// `cargo run -p attestwire-codegen -- <args>` in `tree`, building into
/// `target`.
pub fn codegen(tree: &Path, target: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .args([
            "run",
            "--quiet",
            "--offline",
            "-p",
            "attestwire-codegen",
            "--",
        ])
        .args(args)
        .current_dir(tree)
        .env("CARGO_TARGET_DIR", target)
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .unwrap_or_else(|e| panic!("running cargo: {e}"))
}

/// stdout then stderr, as text.
pub fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}
