//! What a TypeScript or schema reader must never see: `bigint`, snake_case
//! fields, Rust-only remarks, or a file without the generated header.

use attestwire_codegen::{GENERATED_HEADER, generate};

fn ts_files() -> Vec<(String, String)> {
    generate()
        .unwrap()
        .into_iter()
        .filter(|(p, _)| p.ends_with(".ts"))
        .collect()
}

#[test]
fn every_ts_file_starts_with_the_generated_header() {
    for (path, text) in ts_files() {
        assert_eq!(text.lines().next(), Some(GENERATED_HEADER), "{path}");
    }
}

#[test]
fn no_bigint_anywhere() {
    for (path, text) in ts_files() {
        assert!(!text.contains("bigint"), "{path} mentions bigint");
    }
}

#[test]
fn no_snake_case_field_names() {
    for (path, text) in ts_files() {
        for line in text.lines() {
            let line = line.trim_start();
            if line.starts_with("export") || line.starts_with("//") || line.starts_with('*') {
                continue;
            }
            let Some((key, _)) = line.split_once(':') else {
                continue;
            };
            let key = key.trim_end_matches('?').trim_matches('"');
            let is_ident = key.chars().all(|c| c.is_ascii_alphanumeric() || c == '_');
            assert!(
                !(is_ident && key.contains('_')),
                "{path}: snake_case field `{key}` in line {line:?}"
            );
        }
    }
}

/// The schema's property names are the wire's, so none may be snake_case
/// either. This also guards a struct whose fields are renamed one by one
/// (`ClientCapabilities`, where ts-rs refuses `rename_all`): a new field
/// without its `rename` fails here, not in a client.
#[test]
fn no_snake_case_property_in_any_schema() {
    fn walk(path: &str, at: &str, value: &serde_json::Value) {
        match value {
            serde_json::Value::Object(map) => {
                if let Some(serde_json::Value::Object(properties)) = map.get("properties") {
                    for name in properties.keys() {
                        assert!(
                            !name.contains('_'),
                            "{path}: snake_case property `{name}` at {at}"
                        );
                    }
                }
                for (key, child) in map {
                    walk(path, &format!("{at}/{key}"), child);
                }
            }
            serde_json::Value::Array(items) => {
                for (i, child) in items.iter().enumerate() {
                    walk(path, &format!("{at}/{i}"), child);
                }
            }
            _ => {}
        }
    }
    let files = generate().unwrap();
    let schemas: Vec<_> = files.iter().filter(|(p, _)| p.ends_with(".json")).collect();
    assert!(schemas.len() > 20, "only {} schema files", schemas.len());
    for (path, text) in schemas {
        walk(path, "#", &serde_json::from_str(text).unwrap());
    }
}

#[test]
fn no_rust_only_remarks_reach_typescript_or_schema() {
    let needles = [
        "Rust", "serde", "schemars", "ts-rs", "Option<", "Vec<", "crate::", "Self", "pub ",
        "impl ", "`None`", "`Some",
    ];
    for (path, text) in generate().unwrap() {
        for needle in needles {
            assert!(
                !text.contains(needle),
                "{path} contains Rust-only text {needle:?}"
            );
        }
    }
}

/// "JSDoc on every exported member": every `export` declaration, every
/// member of an exported object type and every named constant (the
/// `ErrorCode` values, the method names) has a JSDoc block right above it,
/// so a hover always says what the thing is.
#[test]
fn every_export_and_every_member_has_jsdoc() {
    let mut missing = Vec::new();
    for (path, text) in ts_files() {
        if path.ends_with("/index.ts") {
            continue; // re-exports only; the docs are where the names are declared
        }
        let lines: Vec<&str> = text.lines().collect();
        for (i, line) in lines.iter().enumerate() {
            let trimmed = line.trim_start();
            let declaration = trimmed.starts_with("export type ")
                || trimmed.starts_with("export const ")
                || trimmed.starts_with("export function ");
            // A member of an object type or of a constant object: `name: …`
            // or `"name": …` inside braces (indented).
            let member = line.starts_with(' ')
                && !trimmed.starts_with('*')
                && !trimmed.starts_with("/*")
                && !trimmed.starts_with("//")
                && !trimmed.starts_with('|')
                && !trimmed.starts_with("return")
                && !trimmed.starts_with('}')
                && !trimmed.starts_with("const ")
                && !trimmed.starts_with("token.")
                && !trimmed.starts_with("TOKEN_")
                && !trimmed.contains('(')
                && trimmed.split_once(':').is_some_and(|(key, _)| {
                    key.trim_end_matches('?')
                        .trim_matches('"')
                        .chars()
                        .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == '/')
                });
            // Members count inside an exported type or constant object,
            // not in a function, a function type's parameters, or a
            // declaration the package does not export.
            let enclosing = lines[..i].iter().rev().find(|l| !l.starts_with(' '));
            let in_exported_object = enclosing.is_some_and(|l| {
                (l.starts_with("export type ") || l.starts_with("export const "))
                    && !l.trim_end().ends_with('(')
            });
            if declaration || (member && in_exported_object) {
                let above = i.checked_sub(1).map(|j| lines[j].trim_end());
                if !above.is_some_and(|l| l.ends_with("*/")) {
                    missing.push(format!("{path}:{}: {}", i + 1, line.trim()));
                }
            }
        }
    }
    assert!(
        missing.is_empty(),
        "no JSDoc above:\n{}",
        missing.join("\n")
    );
}

/// `ClientCapabilities` is the one type whose TypeScript view is written by
/// hand (`ts(type = …)` in the protocol crate, for its index signature): it
/// must still list every member the schema has, with the schema's
/// description as its JSDoc, and say that other members are allowed, as the
/// schema (no `additionalProperties`) and serde (unknown members ignored) do.
#[test]
fn client_capabilities_lists_every_schema_member_and_admits_others() {
    let files = generate().unwrap();
    let ts = &files["generated/src/ClientCapabilities.ts"];
    let schema: serde_json::Value =
        serde_json::from_str(&files["schema/ClientCapabilities.json"]).unwrap();
    assert!(
        schema.get("additionalProperties").is_none(),
        "the schema must keep admitting other members"
    );
    let properties = schema["properties"].as_object().unwrap();
    assert!(!properties.is_empty());
    for (name, property) in properties {
        assert!(
            ts.contains(&format!("  {name}?: ")),
            "ClientCapabilities.ts lacks `{name}`:\n{ts}"
        );
        let jsdoc: String = property["description"]
            .as_str()
            .unwrap()
            .lines()
            .map(|line| format!("   * {line}\n"))
            .collect();
        assert!(
            ts.contains(&jsdoc),
            "ClientCapabilities.ts has another description of `{name}`:\n{ts}"
        );
    }
    assert!(ts.contains("  [member: string]: unknown;\n"), "{ts}");
}
