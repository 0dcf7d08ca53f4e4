//! Issue 12's reproduction, end to end: two checkouts share one
//! `CARGO_TARGET_DIR`; the codegen is built in A; B, whose files are older
//! than that build, runs `check` and `write`. Cargo, comparing mtimes, runs
//! A's binary in B. Before the fix it checked A's tree (and passed while B
//! was stale) and wrote into A; now it refuses, names both trees and says
//! how to get a fresh build, and the fresh build then works on B.

use std::path::Path;
use std::time::{Duration, SystemTime};

use attestwire_tests::checkout::{self, text};

/// Sets the modification time of every file under `dir` to `time`.
fn age(dir: &Path, time: SystemTime) {
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            age(&path, time);
        } else {
            let file = std::fs::File::options().write(true).open(&path).unwrap();
            file.set_modified(time).unwrap();
        }
    }
}

#[test]
fn a_build_from_another_checkout_is_refused_and_a_fresh_one_works() {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("two-checkouts");
    let target = scratch.join("target");
    let a = checkout::copy_to(&scratch.join("a"));
    let built = checkout::codegen(&a, &target, &["check"]);
    assert!(built.status.success(), "check in A:\n{}", text(&built));

    // B is cloned later, but its files are older than A's build.
    let b = checkout::copy_to(&scratch.join("b"));
    age(&b, SystemTime::now() - Duration::from_secs(30 * 24 * 3600));
    let a_bundle = std::fs::read_to_string(a.join("schema/attestwire.schema.json")).unwrap();
    // B's generated files are stale: with A's binary the check passed.
    std::fs::write(b.join("schema/ServerInfo.json"), "{}\n").unwrap();

    for command in ["check", "write"] {
        let out = checkout::codegen(&b, &target, &[command]);
        let said = text(&out);
        assert_eq!(out.status.code(), Some(2), "{command} in B:\n{said}");
        assert!(
            said.contains(&format!("compiled from the tree at {}", a.display()))
                && said.contains(&format!("running on the tree at {}", b.display())),
            "{command} in B does not name both trees:\n{said}"
        );
        assert!(said.contains("CARGO_TARGET_DIR"), "{said}");
    }
    // `write` in B wrote nothing into A.
    assert_eq!(
        std::fs::read_to_string(a.join("schema/attestwire.schema.json")).unwrap(),
        a_bundle
    );

    // The fix the message gives: a fresh build from B, which then sees B's
    // stale file.
    for file in ["protocol/src/lib.rs", "codegen/src/lib.rs"] {
        let f = std::fs::File::options()
            .write(true)
            .open(b.join(file))
            .unwrap();
        f.set_modified(SystemTime::now()).unwrap();
    }
    let fresh = checkout::codegen(&b, &target, &["check"]);
    assert_eq!(fresh.status.code(), Some(1), "{}", text(&fresh));
    assert!(
        text(&fresh).contains("stale: schema/ServerInfo.json"),
        "{}",
        text(&fresh)
    );
}
