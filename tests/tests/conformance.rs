//! "The schema accepts exactly what serde writes": every vector against its
//! committed `schema/<Type>.json` and against the bundle's `$defs`, in Rust.

use std::collections::BTreeMap;

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
    for path in schema_paths() {
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

/// Every schema file under `schema/`; the frozen releases under
/// `schema/releases/` are bundles of earlier versions, not this one's.
fn schema_paths() -> Vec<std::path::PathBuf> {
    let dir = repo_root().join("schema");
    let mut paths: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.is_file() && path.extension().is_some_and(|x| x == "json"))
        .collect();
    paths.sort();
    paths
}

/// Every committed schema file by name (`AttestationHeader.json`, …).
fn schema_files() -> BTreeMap<String, Value> {
    schema_paths()
        .into_iter()
        .map(|path| {
            let name = path.file_name().unwrap().to_str().unwrap().to_owned();
            let text = std::fs::read_to_string(&path).unwrap();
            (name, serde_json::from_str(&text).unwrap())
        })
        .collect()
}

/// `scheme://authority/path`, no fragment: what a document's `$id` must be
/// for a validator to register it, and for `$ref`s to resolve against it.
fn is_absolute_uri(id: &str) -> bool {
    let Some((scheme, rest)) = id.split_once("://") else {
        return false;
    };
    let scheme_ok = scheme.starts_with(|c: char| c.is_ascii_alphabetic())
        && scheme
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c));
    let authority = rest.split('/').next().unwrap_or_default();
    scheme_ok
        && !authority.is_empty()
        && !id.contains('#')
        && !id.chars().any(|c| c.is_whitespace() || c.is_control())
}

#[test]
fn every_schema_file_has_an_absolute_id_no_other_file_has() {
    let files = schema_files();
    assert!(files.len() > 20, "only {} schema files", files.len());
    let mut owners: BTreeMap<&str, &str> = BTreeMap::new();
    for (name, schema) in &files {
        let id = schema["$id"]
            .as_str()
            .unwrap_or_else(|| panic!("schema/{name} has no $id"));
        assert!(
            is_absolute_uri(id),
            "schema/{name}: $id {id:?} is not absolute"
        );
        if let Some(other) = owners.insert(id, name) {
            panic!("schema/{name} and schema/{other} share the $id {id}");
        }
    }
    // The scheme is codegen's, not a copy: per type `<base><Type>.json`,
    // the bundle versioned.
    let bundle = attestwire_codegen::BUNDLE_PATH.trim_start_matches("schema/");
    for (name, schema) in &files {
        let want = match name.strip_suffix(".json") {
            _ if name == bundle => attestwire_codegen::bundle_id(),
            Some(type_name) => attestwire_codegen::schema_id(type_name),
            None => panic!("schema/{name} is not a .json file"),
        };
        assert_eq!(schema["$id"], want, "schema/{name}");
    }
    let bundle_id = files[bundle]["$id"].as_str().unwrap();
    assert!(
        bundle_id.starts_with(attestwire_codegen::SCHEMA_ID_BASE)
            && bundle_id.contains(env!("CARGO_PKG_VERSION")),
        "the bundle's $id {bundle_id} names no release"
    );
}

/// Every `$ref` anywhere in `value`.
fn refs<'a>(value: &'a Value, out: &mut Vec<&'a str>) {
    match value {
        Value::Object(map) => {
            if let Some(Value::String(r)) = map.get("$ref") {
                out.push(r);
            }
            map.values().for_each(|v| refs(v, out));
        }
        Value::Array(items) => items.iter().for_each(|v| refs(v, out)),
        _ => {}
    }
}

/// What the fragment `#/…` (a JSON pointer) points at in `doc`.
fn resolve<'a>(doc: &'a Value, fragment: &str) -> Option<&'a Value> {
    doc.pointer(fragment.strip_prefix('#')?)
}

#[test]
fn every_schema_file_resolves_alone_or_through_the_ids_it_names() {
    let files = schema_files();
    let by_id: BTreeMap<&str, &Value> = files
        .values()
        .map(|s| (s["$id"].as_str().unwrap(), s))
        .collect();
    for (name, schema) in &files {
        let mut found = Vec::new();
        refs(schema, &mut found);
        for r in found {
            // A `#…` ref stays in this file; anything else must be another
            // file's `$id`, optionally with a fragment into it.
            let (doc, fragment) = match r.split_once('#') {
                Some(("", fragment)) => (schema, format!("#{fragment}")),
                Some((id, fragment)) => (
                    *by_id
                        .get(id)
                        .unwrap_or_else(|| panic!("schema/{name}: $ref {r} names no file")),
                    format!("#{fragment}"),
                ),
                None => (
                    *by_id
                        .get(r)
                        .unwrap_or_else(|| panic!("schema/{name}: $ref {r} names no file")),
                    "#".to_owned(),
                ),
            };
            assert!(
                resolve(doc, &fragment).is_some(),
                "schema/{name}: $ref {r} does not resolve"
            );
        }
    }
}

#[test]
fn bundle_description_names_every_type_file() {
    let files = schema_files();
    let bundle = attestwire_codegen::BUNDLE_PATH.trim_start_matches("schema/");
    let description = files[bundle]["description"].as_str().unwrap();
    for name in files.keys().filter(|n| *n != bundle) {
        assert!(
            description.contains(&format!("\n- `schema/{name}`: ")),
            "the bundle's description does not say what schema/{name} validates:\n{description}"
        );
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
    assert_eq!(t["pattern"], r"^[\x21-\x7E]+$");
}
