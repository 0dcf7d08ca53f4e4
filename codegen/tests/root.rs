//! "`write`, `check` and `release` find the tree at run time … and refuse,
//! with a message saying what happened and how to get a fresh build, when
//! the binary was compiled from a different tree than the one it runs on."

// Helpers here are test code too (clippy.toml allows unwrap only inside
// `#[test]` functions): a failed unwrap is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::Command;

use attestwire_codegen::{RootError, RootSource, compiled_root, ensure_built_from, find_root};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("root")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A scratch directory with no checkout above it. `CARGO_TARGET_TMPDIR`
/// usually lies inside the checkout (in `target/`), where every search
/// upward ends at the checkout itself.
fn outside(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("attestwire-root-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

/// A directory that looks like a checkout: a workspace `Cargo.toml` and
/// `codegen/Cargo.toml`.
fn checkout(dir: &Path) -> PathBuf {
    std::fs::create_dir_all(dir.join("codegen/src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\nmembers = [\"codegen\"]\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("codegen/Cargo.toml"),
        "[package]\nname = \"attestwire-codegen\"\n",
    )
    .unwrap();
    dir.to_owned()
}

#[test]
fn flag_wins_and_must_be_a_checkout() {
    let dir = scratch("flag");
    let a = checkout(&dir.join("a"));
    let b = checkout(&dir.join("b"));
    let found = find_root(Some(&a), Some(&b.join("codegen")), &b).unwrap();
    assert_eq!((found.path, found.source), (a, RootSource::Flag));

    let not = dir.join("not-a-checkout");
    std::fs::create_dir_all(&not).unwrap();
    let err = find_root(Some(&not), Some(&b.join("codegen")), &b).unwrap_err();
    assert!(matches!(err, RootError::NotACheckout { .. }), "{err}");
    assert!(
        err.to_string().contains("not an attestwire checkout"),
        "{err}"
    );
}

#[test]
fn cargo_manifest_dir_at_run_time_names_the_checkout_above_it() {
    let dir = scratch("manifest");
    let a = checkout(&dir.join("a"));
    let b = checkout(&dir.join("b"));
    // `cargo run -p attestwire-codegen` sets it to `<checkout>/codegen`;
    // `cargo test -p attestwire-tests` to `<checkout>/tests`.
    for member in ["codegen", "tests"] {
        std::fs::create_dir_all(a.join(member)).unwrap();
        let found = find_root(None, Some(&a.join(member)), &b).unwrap();
        assert_eq!(
            (found.path, found.source),
            (a.clone(), RootSource::CargoManifestDir)
        );
    }
}

#[test]
fn manifest_dir_outside_any_checkout_falls_back_to_the_current_directory() {
    let dir = outside("fallback");
    let a = checkout(&dir.join("a"));
    let elsewhere = dir.join("some-other-project");
    std::fs::create_dir_all(&elsewhere).unwrap();
    let deep = a.join("protocol/src");
    std::fs::create_dir_all(&deep).unwrap();
    let found = find_root(None, Some(&elsewhere), &deep).unwrap();
    assert_eq!((found.path, found.source), (a, RootSource::CurrentDir));
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_nearest_checkout_upward_wins_and_a_bare_workspace_is_not_one() {
    let dir = scratch("nearest");
    let outer = checkout(&dir.join("outer"));
    let inner = checkout(&outer.join("vendor/inner"));
    let found = find_root(None, None, &inner.join("codegen")).unwrap();
    assert_eq!(found.path, inner);

    // A workspace without codegen/ (an enclosing project) is passed over.
    let bare = outer.join("bare");
    std::fs::create_dir_all(bare.join("x")).unwrap();
    std::fs::write(bare.join("Cargo.toml"), "[workspace]\n").unwrap();
    assert_eq!(find_root(None, None, &bare.join("x")).unwrap().path, outer);
}

#[test]
fn no_checkout_upward_is_an_error_naming_where_it_looked() {
    let dir = outside("none");
    let err = find_root(None, None, &dir).unwrap_err();
    assert!(matches!(err, RootError::NotFound { .. }));
    let text = err.to_string();
    assert!(
        text.contains(&dir.display().to_string()) && text.contains("--root"),
        "{text}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn the_tree_it_was_compiled_from_is_accepted_however_it_is_spelled() {
    ensure_built_from(&compiled_root(), &compiled_root()).unwrap();
    let spelled = compiled_root().join("codegen/../protocol/..");
    ensure_built_from(&compiled_root(), &spelled).unwrap();
}

#[test]
fn another_tree_is_refused_with_what_happened_and_how_to_fix_it() {
    let other = checkout(&scratch("other-tree"));
    let err = ensure_built_from(&compiled_root(), &other).unwrap_err();
    assert!(matches!(err, RootError::OtherTree { .. }));
    let text = err.to_string();
    let compiled = std::fs::canonicalize(compiled_root()).unwrap();
    let other = std::fs::canonicalize(&other).unwrap();
    for needle in [
        format!("compiled from the tree at {}", compiled.display()),
        format!("running on the tree at {}", other.display()),
        "compiled-in protocol types".to_owned(),
        "share one CARGO_TARGET_DIR".to_owned(),
        "`touch protocol/src/lib.rs codegen/src/lib.rs`".to_owned(),
        "`cargo clean -p attestwire-protocol -p attestwire-codegen`".to_owned(),
        "its own CARGO_TARGET_DIR".to_owned(),
    ] {
        assert!(text.contains(&needle), "missing {needle:?} in:\n{text}");
    }
}

#[test]
fn a_tree_that_no_longer_exists_is_another_tree() {
    let gone = scratch("gone").join("deleted");
    let err = ensure_built_from(&gone, &compiled_root()).unwrap_err();
    assert!(matches!(err, RootError::OtherTree { .. }), "{err}");
}

#[test]
fn the_binary_refuses_a_root_it_was_not_compiled_from() {
    let other = checkout(&scratch("binary-other-tree"));
    for command in ["write", "check", "release"] {
        let out = Command::new(env!("CARGO_BIN_EXE_attestwire-codegen"))
            .args([command, "--root"])
            .arg(&other)
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{command}: {stderr}");
        assert!(
            stderr.contains("was compiled from the tree at"),
            "{command}: {stderr}"
        );
        // Nothing was written into the other tree.
        assert!(!other.join("schema").exists(), "{command}");
    }
}

#[test]
fn the_binary_prints_the_root_it_found() {
    // Run from a member directory with no CARGO_MANIFEST_DIR: found upward.
    let out = Command::new(env!("CARGO_BIN_EXE_attestwire-codegen"))
        .arg("check")
        .env_remove("CARGO_MANIFEST_DIR")
        .current_dir(compiled_root().join("protocol/src"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let first = stdout.lines().next().unwrap_or_default();
    let expected = std::fs::canonicalize(compiled_root()).unwrap();
    assert!(
        first.starts_with("root: ") && first.ends_with("(from the current directory)"),
        "{stdout}"
    );
    assert_eq!(
        std::fs::canonicalize(
            first["root: ".len()..].trim_end_matches(" (from the current directory)")
        )
        .unwrap(),
        expected
    );
}
