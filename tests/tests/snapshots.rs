//! "Every generated file" is an insta snapshot: a change to the protocol
//! types shows up in review as a diff of exactly what TypeScript and schema
//! readers will see.
//!
//! The workspace version is written as `{version}` in the snapshots: it
//! appears in exactly three places (the `PROTOCOL_VERSION` constant, the
//! bundle's `$id` and its title), and a release (`attestwire-codegen release
//! --bump …`) moves it without changing what any reader sees, so a release
//! needs no snapshot review.

/// The three places where the generated files carry the workspace version,
/// each with the version replaced by `{version}`.
fn without_version(text: &str) -> String {
    let v = attestwire_protocol::PROTOCOL_VERSION;
    text.replace(
        &format!("PROTOCOL_VERSION = \"{v}\""),
        "PROTOCOL_VERSION = \"{version}\"",
    )
    .replace(
        &format!("/protocol/{v}/attestwire.schema.json"),
        "/protocol/{version}/attestwire.schema.json",
    )
    .replace(
        &format!("\"attestwire protocol {v}\""),
        "\"attestwire protocol {version}\"",
    )
}

#[test]
fn every_generated_file_matches_its_snapshot() {
    let files = attestwire_codegen::generate().unwrap();
    assert!(
        files.len() > 40,
        "codegen produced only {} files",
        files.len()
    );
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots");
    settings.set_prepend_module_to_snapshot(false);
    settings.set_omit_expression(true);
    settings.bind(|| {
        for (path, text) in &files {
            insta::assert_snapshot!(path.replace('/', "__"), without_version(text));
        }
    });
}

#[test]
fn the_version_is_redacted_in_exactly_three_places() {
    let files = attestwire_codegen::generate().unwrap();
    let redacted: usize = files
        .values()
        .map(|text| without_version(text).matches("{version}").count())
        .sum();
    assert_eq!(redacted, 3, "where the version is written changed");
}

#[test]
fn generation_is_deterministic() {
    let a = attestwire_codegen::generate().unwrap();
    let b = attestwire_codegen::generate().unwrap();
    assert_eq!(a, b);
    for (path, text) in &a {
        assert!(text.ends_with('\n'), "{path} lacks a final newline");
        assert!(!text.contains('\r'), "{path} has a CR");
        assert!(!text.contains('\t'), "{path} has a tab");
    }
}
