//! "Committed outputs are current": the drift test fails, with the command
//! to run, whenever `schema/` or `generated/src/` differ from fresh output.
//! Like `attestwire-codegen check`, it finds the tree at run time and
//! refuses one the codegen was not compiled from.

use std::path::{Path, PathBuf};

/// The checkout this test runs in, found as `attestwire-codegen check`
/// finds it: from cargo's run-time `CARGO_MANIFEST_DIR` (not the
/// compile-time one, which names wherever this binary was built), and only
/// when the codegen's compiled-in types are that checkout's. With two
/// checkouts sharing a target dir, a stale build would otherwise check the
/// other checkout's files and pass.
fn checked_root() -> PathBuf {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let cwd = std::env::current_dir().unwrap();
    let root = attestwire_codegen::find_root(None, manifest_dir.as_deref(), &cwd).unwrap();
    if let Err(e) =
        attestwire_codegen::ensure_built_from(&attestwire_codegen::compiled_root(), &root.path)
    {
        panic!("{e}");
    }
    root.path
}

#[test]
fn committed_generated_files_are_current() {
    let files = attestwire_codegen::generate().unwrap();
    let drift = attestwire_codegen::check(&checked_root(), &files).unwrap();
    assert!(
        drift.is_empty(),
        "committed generated files are out of date:\n{}",
        drift.report()
    );
}

#[test]
fn the_drift_check_refuses_a_tree_the_codegen_was_not_compiled_from() {
    let other = scratch("drift-other-tree");
    let err = attestwire_codegen::ensure_built_from(&attestwire_codegen::compiled_root(), &other)
        .unwrap_err()
        .to_string();
    assert!(err.contains("compiled from the tree at"), "{err}");
    assert!(
        err.contains(&other.canonicalize().unwrap().display().to_string()),
        "{err}"
    );
    // And the tree it runs in is the one it was compiled from.
    assert_eq!(
        checked_root().canonicalize().unwrap(),
        attestwire_tests::vectors::repo_root()
            .canonicalize()
            .unwrap()
    );
}

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

#[test]
fn check_names_stale_missing_and_orphaned_files_with_a_diff() {
    let root = scratch("drift-detects");
    let files = attestwire_codegen::generate().unwrap();
    attestwire_codegen::write(&root, &files).unwrap();
    assert!(attestwire_codegen::check(&root, &files).unwrap().is_empty());

    // A hand edit (or a doc comment changed in the Rust types and not yet
    // regenerated) shows up as a changed line.
    let stale = root.join("generated/src/ClientInfo.ts");
    let text = std::fs::read_to_string(&stale).unwrap();
    std::fs::write(&stale, format!("{text}// hand edit\n")).unwrap();
    std::fs::remove_file(root.join("schema/ServerInfo.json")).unwrap();
    std::fs::write(
        root.join("generated/src/Removed.ts"),
        "export type Removed = 1;\n",
    )
    .unwrap();

    let drift = attestwire_codegen::check(&root, &files).unwrap();
    assert_eq!(drift.stale, ["generated/src/ClientInfo.ts"]);
    assert_eq!(drift.missing, ["schema/ServerInfo.json"]);
    assert_eq!(drift.orphaned, ["generated/src/Removed.ts"]);
    let report = drift.report();
    assert!(report.contains("-// hand edit"), "{report}");
    assert!(report.contains("+++ b/schema/ServerInfo.json"), "{report}");
    assert!(report.contains("-export type Removed = 1;"), "{report}");
    assert!(report.contains("run `just write-schema`"), "{report}");

    // `write` replaces the owned folders wholly: no orphan survives.
    attestwire_codegen::write(&root, &files).unwrap();
    assert!(attestwire_codegen::check(&root, &files).unwrap().is_empty());
    assert!(!root.join("generated/src/Removed.ts").exists());
}

#[test]
fn write_leaves_hand_kept_files_outside_the_owned_folders() {
    let root = scratch("drift-keeps-package-json");
    std::fs::create_dir_all(root.join("generated")).unwrap();
    std::fs::write(root.join("generated/package.json"), "{}\n").unwrap();
    let files = attestwire_codegen::generate().unwrap();
    attestwire_codegen::write(&root, &files).unwrap();
    assert_eq!(
        std::fs::read_to_string(root.join("generated/package.json")).unwrap(),
        "{}\n"
    );
}

/// The protocol's version is one number in every place that states it: the
/// workspace (the crates'), the npm package's `version`, the TypeScript
/// `PROTOCOL_VERSION`, and the bundle's `$id` and title.
#[test]
fn the_protocol_version_is_the_same_everywhere() {
    let version = attestwire_protocol::PROTOCOL_VERSION;
    assert_eq!(version, env!("CARGO_PKG_VERSION"));
    let package: serde_json::Value = serde_json::from_str(
        &std::fs::read_to_string(checked_root().join("generated/package.json")).unwrap(),
    )
    .unwrap();
    assert_eq!(
        package["version"], version,
        "generated/package.json's version must be the workspace version"
    );
    let files = attestwire_codegen::generate().unwrap();
    assert!(
        files["generated/src/methods.ts"]
            .contains(&format!("export const PROTOCOL_VERSION = \"{version}\";"))
    );
    let bundle: serde_json::Value =
        serde_json::from_str(&files[attestwire_codegen::BUNDLE_PATH]).unwrap();
    assert_eq!(bundle["title"], format!("attestwire protocol {version}"));
    assert!(
        bundle["$id"]
            .as_str()
            .unwrap()
            .contains(&format!("/{version}/"))
    );
}
