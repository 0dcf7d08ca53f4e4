//! The compatibility gate on real changes to the protocol crate, through
//! the whole pipeline a developer runs: edit the Rust types, `write`, then
//! `check` against the frozen release (`schema/releases/`). Each mutation is
//! made in a copy of this checkout, built in a target dir of its own (one
//! build of the dependencies, then only the protocol and codegen crates
//! again per mutation), and undone before the next.

use std::path::{Path, PathBuf};

use attestwire_tests::checkout::{self, text};

fn scratch() -> PathBuf {
    Path::new(env!("CARGO_TARGET_TMPDIR")).join("compat-pipeline")
}

fn copy_checkout() -> PathBuf {
    checkout::copy_to(&scratch().join("tree"))
}

fn codegen(tree: &Path, command: &str) -> std::process::Output {
    checkout::codegen(tree, &scratch().join("target"), &[command])
}

/// Replaces every `from` with `to` in `tree/file` (there must be one at
/// least), returning the original text so the caller can restore it.
fn edit(tree: &Path, file: &str, from: &str, to: &str) -> String {
    let path = tree.join(file);
    let original = std::fs::read_to_string(&path).unwrap();
    assert!(original.contains(from), "{file} does not contain {from:?}");
    std::fs::write(&path, original.replace(from, to)).unwrap();
    original
}

/// What `check` says after `write`, with the mutation applied.
struct Verdict {
    passed: bool,
    output: String,
}

fn write_then_check(tree: &Path) -> Verdict {
    let write = codegen(tree, "write");
    assert!(write.status.success(), "write failed:\n{}", text(&write));
    let check = codegen(tree, "check");
    let output = text(&check);
    assert!(
        matches!(check.status.code(), Some(0 | 1)),
        "check neither passed nor failed cleanly:\n{output}"
    );
    Verdict {
        passed: check.status.success(),
        output,
    }
}

/// Applies each edit, runs the pipeline, restores the files.
fn mutation(tree: &Path, edits: &[(&str, &str, &str)]) -> Verdict {
    let originals: Vec<(String, String)> = edits
        .iter()
        .map(|(file, from, to)| ((*file).to_owned(), edit(tree, file, from, to)))
        .collect();
    let verdict = write_then_check(tree);
    for (file, text) in originals.into_iter().rev() {
        std::fs::write(tree.join(file), text).unwrap();
    }
    verdict
}

fn line_with<'a>(output: &'a str, needles: &[&str]) -> Option<&'a str> {
    output
        .lines()
        .find(|line| needles.iter().all(|n| line.contains(n)))
}

const TOKEN_LIMIT: (&str, &str) = (
    "pub const TOKEN_MAX_BYTES: usize = 8192;",
    "protocol/src/attestation.rs",
);

#[test]
fn real_protocol_changes_get_the_gates_verdict() {
    let tree = copy_checkout();

    // The tree as committed passes: it is the release.
    let baseline = write_then_check(&tree);
    assert!(baseline.passed, "{}", baseline.output);
    assert!(
        baseline.output.contains("compared with schema/releases/"),
        "{}",
        baseline.output
    );

    let (limit, attestation) = TOKEN_LIMIT;

    // Tightening the token limit breaks the server reading installed apps'
    // answers (their tokens may be longer).
    let tighter = mutation(
        &tree,
        &[(
            attestation,
            limit,
            "pub const TOKEN_MAX_BYTES: usize = 4096;",
        )],
    );
    assert!(!tighter.passed, "{}", tighter.output);
    assert!(
        line_with(
            &tighter.output,
            &["breaking", "server", "token", "8192 → 4096"]
        )
        .is_some(),
        "{}",
        tighter.output
    );

    // Loosening it breaks the backend reading the envelope the server writes.
    let looser = mutation(
        &tree,
        &[(
            attestation,
            limit,
            "pub const TOKEN_MAX_BYTES: usize = 16384;",
        )],
    );
    assert!(!looser.passed, "{}", looser.output);
    assert!(
        line_with(&looser.output, &["breaking", "backend", "8192 → 16384"]).is_some(),
        "{}",
        looser.output
    );

    // The same tightening passes with the version bumped as semver asks
    // while 0.x (a minor bump), still listing the change. The versions are
    // today's and its minor bump, so a release does not break this test.
    let current = attestwire_protocol::PROTOCOL_VERSION;
    let next = attestwire_codegen::Version::parse(current)
        .unwrap()
        .bumped(attestwire_codegen::Bump::Minor)
        .to_string();
    let (from, to) = (
        format!("version = \"{current}\""),
        format!("version = \"{next}\""),
    );
    let bumped = mutation(
        &tree,
        &[
            (
                attestation,
                limit,
                "pub const TOKEN_MAX_BYTES: usize = 4096;",
            ),
            // The workspace version, and the path dependencies' requirements.
            ("Cargo.toml", &from, &to),
        ],
    );
    assert!(bumped.passed, "{}", bumped.output);
    assert!(
        line_with(&bumped.output, &["breaking", "8192 → 4096"]).is_some(),
        "{}",
        bumped.output
    );

    // Renaming a method old apps answer breaks the client side.
    let renamed = mutation(
        &tree,
        &[(
            "protocol/src/registry.rs",
            "AttestationGenerate => \"attestation/generate\" {",
            "AttestationGenerate => \"attestation/create\" {",
        )],
    );
    assert!(!renamed.passed, "{}", renamed.output);
    assert!(
        line_with(&renamed.output, &["breaking", "attestation/create"]).is_some(),
        "{}",
        renamed.output
    );

    // A new optional client capability is compatible. (Its fields are
    // renamed one by one; `typescript_rules` fails one without `rename`.)
    let capability = mutation(
        &tree,
        &[(
            "protocol/src/initialize.rs",
            "    pub request_attestation: bool,\n}",
            "    pub request_attestation: bool,\n    /// `true` when the client wants thread events.\n    #[serde(rename = \"threadEvents\", default, skip_serializing_if = \"is_false\")]\n    pub thread_events: bool,\n}",
        )],
    );
    assert!(capability.passed, "{}", capability.output);
    assert!(
        line_with(&capability.output, &["compatible", "threadEvents"]).is_some(),
        "{}",
        capability.output
    );

    // A doc comment is compatible, and listed.
    let doc = mutation(
        &tree,
        &[(
            "protocol/src/initialize.rs",
            "/// Who the server is.",
            "/// Who the server is: its name and version.",
        )],
    );
    assert!(doc.passed, "{}", doc.output);
    assert!(
        line_with(&doc.output, &["compatible", "description changed"]).is_some(),
        "{}",
        doc.output
    );
}
