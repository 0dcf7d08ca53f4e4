//! "The schema accepts exactly what serde writes": every vector against its
//! committed `schema/<Type>.json` and against the bundle's `$defs`, in Rust.

use attestwire_tests::schemas::Schemas;
use attestwire_tests::vectors::{self, Vector, repo_root};
use serde_json::{Value, json};

fn check(schemas: &Schemas, case: &Vector, text: &str, want_valid: bool) -> Option<String> {
    let instance: Value = serde_json::from_str(text).unwrap();
    let verdict = schemas.verdict(&case.type_name, &instance).unwrap();
    (verdict.single != want_valid || verdict.bundled != want_valid).then(|| {
        format!(
            "{} ({}): expected {}, got {verdict:?}, errors: {:?}",
            case.name,
            case.type_name,
            if want_valid { "valid" } else { "invalid" },
            schemas.errors(&case.type_name, &instance)
        )
    })
}

#[test]
fn every_positive_and_accepted_vector_validates() {
    let v = vectors::load().unwrap();
    let schemas = Schemas::load().unwrap();
    let mut failures = Vec::new();
    for case in &v.positive {
        failures.extend(check(&schemas, case, &case.json, true));
    }
    for case in &v.accepted {
        failures.extend(check(&schemas, case, &case.json, true));
        failures.extend(check(
            &schemas,
            case,
            case.canonical.as_deref().unwrap(),
            true,
        ));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_negative_vector_is_rejected_by_the_schema() {
    let v = vectors::load().unwrap();
    let schemas = Schemas::load().unwrap();
    let failures: Vec<String> = v
        .negative
        .iter()
        .filter_map(|case| check(&schemas, case, &case.json, false))
        .collect();
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_schema_file_is_draft_2020_12_with_a_description() {
    let dir = repo_root().join("schema");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let path = entry.unwrap().path();
        let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema",
            "{}",
            path.display()
        );
        assert!(
            schema["description"]
                .as_str()
                .is_some_and(|d| !d.is_empty()),
            "{} has no description",
            path.display()
        );
        jsonschema::meta::validate(&schema)
            .unwrap_or_else(|e| panic!("{} is not a valid schema: {e}", path.display()));
    }
}

#[test]
fn envelope_schema_encodes_the_status_enum_and_the_token_rule() {
    let text = std::fs::read_to_string(repo_root().join("schema/AttestationHeader.json")).unwrap();
    let schema: Value = serde_json::from_str(&text).unwrap();
    let status = &schema["$defs"]["AttestationStatus"];
    assert_eq!(status["enum"], json!([0, 1, 2, 3, 4]));
    let described = status["oneOf"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|b| b["description"].as_str().is_some_and(|d| !d.is_empty()))
        .count();
    assert_eq!(described, 5, "each status value needs a description");
    let t = &schema["properties"]["t"];
    assert_eq!(t["minLength"], 1);
    assert_eq!(t["maxLength"], 8192);
    assert_eq!(t["pattern"], r"^[\x21-\x7E]*$");
}
