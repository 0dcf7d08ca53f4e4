//! "`attestwire-codegen release` freezes the current bundle as
//! `schema/releases/<version>.json`. It refuses to overwrite an existing
//! release that has different content." The releases survive `write` and
//! are not orphans to `check`.

// Helpers here are test code too (clippy.toml allows unwrap only inside
// `#[test]` functions): a failed unwrap is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use attestwire_codegen::{
    BUNDLE_PATH, RELEASES_DIR, ReleaseOutcome, Version, newest_release, release,
};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("release")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn files(bundle: &str) -> BTreeMap<String, String> {
    BTreeMap::from([(BUNDLE_PATH.to_owned(), bundle.to_owned())])
}

#[test]
fn release_freezes_the_bundle_once_and_never_rewrites_it() {
    let root = scratch("freeze");
    let path = root.join(RELEASES_DIR).join("0.1.0.json");
    assert_eq!(
        release(&root, &files("{\"a\":1}\n"), "0.1.0").unwrap(),
        ReleaseOutcome::Written(path.clone())
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"a\":1}\n");
    assert_eq!(
        release(&root, &files("{\"a\":1}\n"), "0.1.0").unwrap(),
        ReleaseOutcome::Unchanged(path.clone())
    );
    assert_eq!(
        release(&root, &files("{\"a\":2}\n"), "0.1.0").unwrap(),
        ReleaseOutcome::Conflict(path.clone())
    );
    assert_eq!(std::fs::read_to_string(&path).unwrap(), "{\"a\":1}\n");
    // Another version is another file.
    let next = root.join(RELEASES_DIR).join("0.2.0.json");
    assert_eq!(
        release(&root, &files("{\"a\":2}\n"), "0.2.0").unwrap(),
        ReleaseOutcome::Written(next)
    );
}

#[test]
fn release_without_a_bundle_is_an_error() {
    let root = scratch("no-bundle");
    let err = release(&root, &BTreeMap::new(), "0.1.0").unwrap_err();
    assert!(err.to_string().contains(BUNDLE_PATH), "{err}");
}

#[test]
fn newest_release_is_the_highest_version_not_the_last_name() {
    let root = scratch("newest");
    assert_eq!(newest_release(&root).unwrap(), None);
    let dir = root.join(RELEASES_DIR);
    std::fs::create_dir_all(&dir).unwrap();
    for name in [
        "0.9.0.json",
        "0.10.0.json",
        "0.10.0-rc.1.json",
        "0.2.0.json",
        "README.md",
    ] {
        std::fs::write(dir.join(name), "{}\n").unwrap();
    }
    let (version, path) = newest_release(&root).unwrap().unwrap();
    assert_eq!(version, Version::parse("0.10.0").unwrap());
    assert_eq!(path, dir.join("0.10.0.json"));

    std::fs::write(dir.join("latest.json"), "{}\n").unwrap();
    let err = newest_release(&root).unwrap_err();
    assert!(format!("{err:#}").contains("latest.json"), "{err:#}");
}

#[test]
fn write_keeps_the_releases_and_check_does_not_call_them_orphans() {
    let root = scratch("kept");
    let generated = attestwire_codegen::generate().unwrap();
    attestwire_codegen::write(&root, &generated).unwrap();
    release(&root, &generated, "0.1.0").unwrap();
    let frozen = root.join(RELEASES_DIR).join("0.1.0.json");
    // An orphan next to it still goes.
    std::fs::write(root.join("schema/Removed.json"), "{}\n").unwrap();

    let drift = attestwire_codegen::check(&root, &generated).unwrap();
    assert_eq!(drift.orphaned, ["schema/Removed.json"]);
    attestwire_codegen::write(&root, &generated).unwrap();
    assert!(
        attestwire_codegen::check(&root, &generated)
            .unwrap()
            .is_empty()
    );
    assert!(!root.join("schema/Removed.json").exists());
    assert_eq!(
        std::fs::read_to_string(&frozen).unwrap(),
        generated[BUNDLE_PATH]
    );
}

/// The workspace version, which the generated bundle carries.
const CURRENT: &str = env!("CARGO_PKG_VERSION");

/// The generated bundle, as an older release `version` that lacked status 4.
fn release_without_status_4(root: &Path, generated: &BTreeMap<String, String>, version: &str) {
    let mut old: serde_json::Value = serde_json::from_str(&generated[BUNDLE_PATH]).unwrap();
    let id = old["$id"]
        .as_str()
        .unwrap()
        .replace(&format!("/{CURRENT}/"), &format!("/{version}/"));
    old["$id"] = id.into();
    let statuses = old.pointer_mut("/$defs/AttestationStatus/enum").unwrap();
    statuses.as_array_mut().unwrap().retain(|s| *s != 4);
    let text = serde_json::to_string_pretty(&old).unwrap();
    release(root, &files(&text), version).unwrap();
}

#[test]
fn check_judges_the_bundle_against_the_newest_release() {
    let root = scratch("gate");
    let generated = attestwire_codegen::generate().unwrap();
    attestwire_codegen::write(&root, &generated).unwrap();
    assert!(
        attestwire_codegen::judge_against_newest_release(&root, &generated)
            .unwrap()
            .is_none()
    );

    // 0.0.9 → 0.1.0 (or later) is a minor or major bump: the new status passes.
    release_without_status_4(&root, &generated, "0.0.9");
    let (path, judgement) = attestwire_codegen::judge_against_newest_release(&root, &generated)
        .unwrap()
        .unwrap();
    assert_eq!(path, root.join(RELEASES_DIR).join("0.0.9.json"));
    assert!(judgement.passes(), "{}", judgement.render());
    assert!(
        judgement
            .report
            .breaking()
            .any(|c| c.change == "value 4 added"),
        "{}",
        judgement.render()
    );

    // Released as the current version itself (the newest by version, not
    // by name), the same change is unbumped.
    release_without_status_4(&root, &generated, CURRENT);
    let (path, judgement) = attestwire_codegen::judge_against_newest_release(&root, &generated)
        .unwrap()
        .unwrap();
    assert_eq!(
        path,
        root.join(RELEASES_DIR).join(format!("{CURRENT}.json"))
    );
    assert!(!judgement.passes(), "{}", judgement.render());
}
