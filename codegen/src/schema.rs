//! `schema/<Type>.json` per exported type and the `$defs` bundle.

use std::collections::BTreeMap;

use attestwire_protocol::{ExportVisitor, WireType, visit_exported_types};
use schemars::generate::SchemaSettings;
use schemars::transform::{Transform, transform_subschemas};
use schemars::{Schema, SchemaGenerator};
use serde_json::{Map, Value, json};

use crate::{GenerateError, insert};

const COMMENT: &str = "generated — do not edit; run `just write-schema`";

// Every schema's `$id` starts here, and only here. An `$id` names a schema;
// it is not a promise that the URL serves it (nothing is published yet), so
// the base is a name the project can own later, and moving it is one line.
//
// `schema/<Type>.json` is `<base><Type>.json`, without a version: it names
// the type as this checkout defines it, and a `$ref` a consumer writes to it
// keeps working from release to release. The bundle is
// `<base><version>/attestwire.schema.json`, with the workspace version
// (protocol and codegen share it): a release's frozen bundle
// (`schema/releases/`) and the current one then never claim the same `$id`,
// so a validator can load both side by side, and `<bundle>#/$defs/<Type>`
// pins a type to a release.
/// The base URL of every schema's `$id`.
pub const SCHEMA_ID_BASE: &str = "https://schemas.attestwire.dev/protocol/";

/// The bundle's file, relative to the repository root.
pub const BUNDLE_PATH: &str = "schema/attestwire.schema.json";

/// The `$id` of `schema/<type_name>.json`.
pub fn schema_id(type_name: &str) -> String {
    format!("{SCHEMA_ID_BASE}{type_name}.json")
}

/// The `$id` of the bundle, `schema/attestwire.schema.json`.
pub fn bundle_id() -> String {
    format!(
        "{SCHEMA_ID_BASE}{}/attestwire.schema.json",
        env!("CARGO_PKG_VERSION")
    )
}

fn settings() -> SchemaSettings {
    SchemaSettings::draft2020_12()
        .with_transform(AbsentNotNull)
        .with_transform(NoRustIntFormats)
}

/// "Absent or value": a property that may be left out never accepts `null`
/// (serde rejects it through `present`, TypeScript types it `field?: T`).
/// schemars adds `null` to every `Option`; this takes it off again wherever
/// the property is not required. Required nullable properties
/// (`JsonRpcError.id`) keep it.
#[derive(Debug, Clone, Copy)]
struct AbsentNotNull;

impl Transform for AbsentNotNull {
    fn transform(&mut self, schema: &mut Schema) {
        transform_subschemas(self, schema);
        let required: Vec<String> = match schema.get("required") {
            Some(Value::Array(r)) => r
                .iter()
                .filter_map(|v| v.as_str().map(str::to_owned))
                .collect(),
            _ => Vec::new(),
        };
        let Some(Value::Object(props)) = schema.get_mut("properties") else {
            return;
        };
        for (name, prop) in props.iter_mut() {
            if !required.contains(name) {
                strip_null(prop);
            }
        }
    }
}

/// Integer `format`s (`int64`, `uint8`, …) are schemars' note of the Rust
/// type, not a JSON Schema vocabulary term: validators such as ajv reject
/// unknown formats in strict mode, and the `minimum`/`maximum` bounds already
/// say what is allowed.
#[derive(Debug, Clone, Copy)]
struct NoRustIntFormats;

impl Transform for NoRustIntFormats {
    fn transform(&mut self, schema: &mut Schema) {
        transform_subschemas(self, schema);
        let rust_int = matches!(
            schema.get("format").and_then(Value::as_str),
            Some(
                "int8"
                    | "int16"
                    | "int32"
                    | "int64"
                    | "uint8"
                    | "uint16"
                    | "uint32"
                    | "uint64"
                    | "uint"
            )
        );
        if rust_int {
            schema.remove("format");
        }
    }
}

fn strip_null(prop: &mut Value) {
    let Value::Object(map) = prop else { return };
    if let Some(Value::Array(types)) = map.get_mut("type") {
        types.retain(|t| t != "null");
        if let [only] = types.as_slice() {
            let only = only.clone();
            map.insert("type".to_owned(), only);
        }
    }
    if let Some(Value::Array(branches)) = map.get_mut("anyOf") {
        branches.retain(|b| *b != json!({ "type": "null" }));
        if let [only] = branches.as_slice() {
            let Value::Object(only) = only.clone() else {
                return;
            };
            map.remove("anyOf");
            for (k, v) in only {
                map.entry(k).or_insert(v);
            }
        }
    }
}

/// The exported types' schema names, in export order, without repeats.
struct Collect {
    single: Vec<(String, Value)>,
    bundle: SchemaGenerator,
}

impl ExportVisitor for Collect {
    fn visit<T: WireType>(&mut self) {
        let name = T::schema_name().into_owned();
        if self.single.iter().any(|(n, _)| *n == name) {
            return;
        }
        // One generator per root type, so a file holds only what it uses.
        let schema = SchemaGenerator::new(settings()).into_root_schema_for::<T>();
        self.single.push((name, schema.to_value()));
        self.bundle.subschema_for::<T>();
    }
}

/// Writes every schema file into `out` and returns the bundle as written.
pub(crate) fn generate(out: &mut BTreeMap<String, String>) -> Result<Value, GenerateError> {
    let mut collect = Collect {
        single: Vec::new(),
        bundle: SchemaGenerator::new(settings()),
    };
    visit_exported_types(&mut collect);

    let description = bundle_description(&collect.single);
    for (name, schema) in collect.single {
        let path = format!("schema/{name}.json");
        let text = render(&path, with_id_and_comment(schema, schema_id(&name)))?;
        insert(out, path, text)?;
    }

    let defs = collect.bundle.take_definitions(true);
    let bundle = json!({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": bundle_id(),
        "$comment": COMMENT,
        "title": format!("attestwire protocol {}", attestwire_protocol::PROTOCOL_VERSION),
        "description": description,
        "$defs": Value::Object(defs),
    });
    let bundle = sort(bundle);
    let path = BUNDLE_PATH.to_owned();
    let text = render(&path, bundle.clone())?;
    insert(out, path, text)?;
    Ok(bundle)
}

/// What the bundle holds and which file validates what: one line per
/// exported type, in export order, with the first sentence of its own
/// description, so that the list cannot fall behind the export list.
fn bundle_description(types: &[(String, Value)]) -> String {
    let mut out = format!(
        "Every attestwire wire type under `$defs`: JSON-RPC framing, the handshake, \
         `attestation/generate` and the `x-oai-attestation` envelope. Each type is \
         also a file of its own, `schema/<Type>.json` with `$id` `{}`, that \
         validates the same messages as `$defs/<Type>` and needs no other file. \
         Which file validates what:\n",
        schema_id("<Type>")
    );
    for (name, schema) in types {
        let what = schema
            .get("description")
            .and_then(Value::as_str)
            .map(first_sentence)
            .unwrap_or_default();
        out.push_str(&format!("\n- `schema/{name}.json`: {what}"));
    }
    out
}

/// The text up to and including the first `.` that ends a sentence, on one
/// line.
fn first_sentence(text: &str) -> String {
    let flat = text.split_whitespace().collect::<Vec<_>>().join(" ");
    let end = flat
        .match_indices(". ")
        .map(|(i, _)| i + 1)
        .find(|&i| !flat[..i].ends_with("e.g."))
        .unwrap_or(flat.len());
    flat[..end].to_owned()
}

fn with_id_and_comment(schema: Value, id: String) -> Value {
    match schema {
        Value::Object(mut map) => {
            map.insert("$id".to_owned(), Value::String(id));
            map.insert("$comment".to_owned(), Value::String(COMMENT.to_owned()));
            Value::Object(map)
        }
        other => other,
    }
}

/// Sorted keys (serde_json's map is ordered), two-space indent, final LF.
fn render(path: &str, value: Value) -> Result<String, GenerateError> {
    let sorted = sort(value);
    let mut text = serde_json::to_string_pretty(&sorted).map_err(|source| GenerateError::Json {
        path: path.to_owned(),
        source,
    })?;
    text.push('\n');
    Ok(text)
}

// serde_json keeps `Map` sorted unless `preserve_order` is on somewhere in
// the build; sorting here makes the output independent of that feature.
fn sort(value: Value) -> Value {
    match value {
        Value::Object(map) => {
            let sorted: BTreeMap<String, Value> =
                map.into_iter().map(|(k, v)| (k, sort(v))).collect();
            Value::Object(sorted.into_iter().collect::<Map<_, _>>())
        }
        Value::Array(items) => Value::Array(items.into_iter().map(sort).collect()),
        other => other,
    }
}
