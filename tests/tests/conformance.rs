//! "The schema accepts exactly what serde writes": every vector against its
//! committed `schema/<Type>.json` and against the bundle's `$defs`, in Rust.

use std::collections::BTreeMap;

use attestwire_tests::vectors::{self, Vector, repo_root};
use serde_json::{Value, json};

struct Schemas {
    single: BTreeMap<String, jsonschema::Validator>,
    bundled: BTreeMap<String, jsonschema::Validator>,
}

fn load_schemas(types: impl Iterator<Item = String>) -> Schemas {
    let root = repo_root().join("schema");
    let bundle: Value = serde_json::from_str(
        &std::fs::read_to_string(root.join("attestwire.schema.json")).unwrap(),
    )
    .unwrap();
    let mut single = BTreeMap::new();
    let mut bundled = BTreeMap::new();
    for name in types {
        if single.contains_key(&name) {
            continue;
        }
        let text = std::fs::read_to_string(root.join(format!("{name}.json")))
            .unwrap_or_else(|e| panic!("schema/{name}.json: {e}"));
        let schema: Value = serde_json::from_str(&text).unwrap();
        single.insert(name.clone(), jsonschema::draft202012::new(&schema).unwrap());
        let mut via_bundle = bundle.clone();
        via_bundle["$ref"] = json!(format!("#/$defs/{name}"));
        bundled.insert(
            name.clone(),
            jsonschema::draft202012::new(&via_bundle).unwrap(),
        );
    }
    Schemas { single, bundled }
}

fn all_types(v: &vectors::Vectors) -> impl Iterator<Item = String> + '_ {
    v.positive
        .iter()
        .chain(&v.accepted)
        .chain(&v.negative)
        .map(|c| c.type_name.clone())
}

fn check(schemas: &Schemas, case: &Vector, text: &str, want_valid: bool) -> Option<String> {
    let instance: Value = serde_json::from_str(text).unwrap();
    for (label, map) in [("schema", &schemas.single), ("bundle", &schemas.bundled)] {
        let validator = &map[&case.type_name];
        if validator.is_valid(&instance) != want_valid {
            let errors: Vec<String> = validator
                .iter_errors(&instance)
                .map(|e| e.to_string())
                .collect();
            return Some(format!(
                "{} ({}, {label}): expected {}, errors: {errors:?}",
                case.name,
                case.type_name,
                if want_valid { "valid" } else { "invalid" }
            ));
        }
    }
    None
}

#[test]
fn every_positive_and_accepted_vector_validates() {
    let v = vectors::load().unwrap();
    let schemas = load_schemas(all_types(&v));
    let mut failures = Vec::new();
    for case in &v.positive {
        failures.extend(check(&schemas, case, &case.json, true));
    }
    for case in &v.accepted {
        failures.extend(check(&schemas, case, &case.json, true));
        failures.extend(check(&schemas, case, case.canonical.as_deref().unwrap(), true));
    }
    assert!(failures.is_empty(), "{failures:#?}");
}

#[test]
fn every_negative_vector_is_rejected_by_the_schema() {
    let v = vectors::load().unwrap();
    let schemas = load_schemas(all_types(&v));
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
        let schema: Value =
            serde_json::from_str(&std::fs::read_to_string(&path).unwrap()).unwrap();
        assert_eq!(
            schema["$schema"],
            "https://json-schema.org/draft/2020-12/schema",
            "{}",
            path.display()
        );
        assert!(
            schema["description"].as_str().is_some_and(|d| !d.is_empty()),
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
