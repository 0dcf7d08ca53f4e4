//! "Every generated file" is an insta snapshot: a change to the protocol
//! types shows up in review as a diff of exactly what TypeScript and schema
//! readers will see.

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
            insta::assert_snapshot!(path.replace('/', "__"), text);
        }
    });
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
