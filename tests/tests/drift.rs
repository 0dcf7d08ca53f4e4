//! "Committed outputs are current": the drift test fails, with the command
//! to run, whenever `schema/` or `generated/src/` differ from fresh output.

use std::path::Path;

use attestwire_tests::vectors::repo_root;

#[test]
fn committed_generated_files_are_current() {
    let files = attestwire_codegen::generate().unwrap();
    let drift = attestwire_codegen::check(&repo_root(), &files).unwrap();
    assert!(
        drift.is_empty(),
        "committed generated files are out of date:\n{}",
        drift.report()
    );
}

fn scratch(name: &str) -> std::path::PathBuf {
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
