//! "`attestwire-codegen compat OLD.json NEW.json`": the gate on two
//! published bundles. Exit 0 when it passes, 1 with the table on an
//! unbumped breaking change, 2 when a bundle cannot be read.

// Helpers here are test code too (clippy.toml allows unwrap only inside
// `#[test]` functions): a failed unwrap is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::{Value, json};

fn scratch(name: &str) -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR"))
        .join("compat-cli")
        .join(name);
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

fn header_bundle(version: &str, statuses: Value) -> Value {
    json!({
        "$id": format!("https://schemas.attestwire.dev/protocol/{version}/attestwire.schema.json"),
        "$defs": {
            "AttestationHeader": {
                "type": "object",
                "properties": { "s": { "$ref": "#/$defs/AttestationStatus" } },
                "required": ["s"],
            },
            "AttestationStatus": { "type": "integer", "enum": statuses },
        },
    })
}

fn compat(dir: &Path, old: &Value, new: &Value) -> Output {
    let (a, b) = (dir.join("old.json"), dir.join("new.json"));
    std::fs::write(&a, old.to_string()).unwrap();
    std::fs::write(&b, new.to_string()).unwrap();
    Command::new(env!("CARGO_BIN_EXE_attestwire-codegen"))
        .arg("compat")
        .args([&a, &b])
        .output()
        .unwrap()
}

fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Whitespace collapsed: the columns' widths follow their contents.
fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

#[test]
fn identical_bundles_pass() {
    let dir = scratch("identical");
    let old = header_bundle("0.1.0", json!([0, 1]));
    let out = compat(&dir, &old, &old);
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert_eq!(stdout(&out), "compatibility 0.1.0 → 0.1.0: no changes\n");
}

#[test]
fn unbumped_breaking_change_exits_1_with_the_table() {
    let dir = scratch("unbumped");
    let out = compat(
        &dir,
        &header_bundle("0.1.0", json!([0, 1])),
        &header_bundle("0.1.1", json!([0, 1, 2])),
    );
    assert_eq!(out.status.code(), Some(1), "{}", stdout(&out));
    let text = flat(&stdout(&out));
    assert!(
        text.starts_with("verdict reader type path change"),
        "{text}"
    );
    let row = "breaking backend AttestationHeader.s > AttestationStatus value 2 added";
    assert!(text.contains(row), "{text}");
    let verdict = "0.1.0 → 0.1.1: 1 change, 1 breaking: a breaking change needs";
    assert!(text.contains(verdict), "{text}");
}

#[test]
fn bumped_breaking_change_and_compatible_change_exit_0() {
    let dir = scratch("bumped");
    let out = compat(
        &dir,
        &header_bundle("0.1.0", json!([0, 1])),
        &header_bundle("0.2.0", json!([0, 1, 2])),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    assert!(stdout(&out).contains("allowed by the version bump"));

    let out = compat(
        &dir,
        &header_bundle("0.1.0", json!([0, 1])),
        &header_bundle("0.1.1", json!([0])),
    );
    assert_eq!(out.status.code(), Some(0), "{}", stdout(&out));
    let text = flat(&stdout(&out));
    let row = "compatible - AttestationHeader.s > AttestationStatus value 1 removed";
    assert!(text.contains(row), "{text}");
    assert!(
        text.ends_with("0.1.0 → 0.1.1: 1 change, all compatible"),
        "{text}"
    );
}

#[test]
fn unreadable_bundle_or_id_without_a_version_exits_2() {
    let dir = scratch("unreadable");
    let out = Command::new(env!("CARGO_BIN_EXE_attestwire-codegen"))
        .args(["compat", "missing-old.json", "missing-new.json"])
        .current_dir(&dir)
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("missing-old.json"));

    let mut no_version = header_bundle("0.1.0", json!([0]));
    no_version["$id"] = json!("https://example.com/latest/attestwire.schema.json");
    let out = compat(&dir, &header_bundle("0.1.0", json!([0])), &no_version);
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("the new bundle's `$id`") && stderr.contains("holds no version"),
        "{stderr}"
    );
}

#[test]
fn compat_needs_two_files() {
    let out = Command::new(env!("CARGO_BIN_EXE_attestwire-codegen"))
        .args(["compat", "only-one.json"])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("compat needs OLD.json and NEW.json"));
}
