//! The committed JSON Schemas, compiled once, per type and through the bundle.

use std::collections::BTreeMap;

use serde_json::{Value, json};

use crate::vectors::repo_root;

/// A validator per exported type from `schema/<Type>.json`, and one per type
/// through `schema/attestwire.schema.json`'s `$defs`.
pub struct Schemas {
    single: BTreeMap<String, jsonschema::Validator>,
    bundled: BTreeMap<String, jsonschema::Validator>,
}

/// What the two schema views say of one instance.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Verdict {
    /// `schema/<Type>.json` accepts it.
    pub single: bool,
    /// The bundle's `$defs/<Type>` accepts it.
    pub bundled: bool,
}

impl Schemas {
    /// Compiles every `schema/*.json` except the bundle, and the bundle once
    /// per type.
    pub fn load() -> anyhow::Result<Self> {
        let dir = repo_root().join("schema");
        let bundle: Value = serde_json::from_str(&std::fs::read_to_string(
            dir.join("attestwire.schema.json"),
        )?)?;
        let mut single = BTreeMap::new();
        let mut bundled = BTreeMap::new();
        for entry in std::fs::read_dir(&dir)? {
            let path = entry?.path();
            let Some(name) = path
                .file_name()
                .and_then(|n| n.to_str())
                .and_then(|n| n.strip_suffix(".json"))
            else {
                continue;
            };
            if name == "attestwire.schema" {
                continue;
            }
            let schema: Value = serde_json::from_str(&std::fs::read_to_string(&path)?)?;
            let validator = jsonschema::draft202012::new(&schema)
                .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
            single.insert(name.to_owned(), validator);
            let mut via_bundle = bundle.clone();
            via_bundle["$ref"] = json!(format!("#/$defs/{name}"));
            let validator = jsonschema::draft202012::new(&via_bundle)
                .map_err(|e| anyhow::anyhow!("bundle $defs/{name}: {e}"))?;
            bundled.insert(name.to_owned(), validator);
        }
        Ok(Self { single, bundled })
    }

    /// Validates `instance` as the exported type `type_name`.
    pub fn verdict(&self, type_name: &str, instance: &Value) -> anyhow::Result<Verdict> {
        let single = self
            .single
            .get(type_name)
            .ok_or_else(|| anyhow::anyhow!("no schema/{type_name}.json"))?;
        let bundled = self
            .bundled
            .get(type_name)
            .ok_or_else(|| anyhow::anyhow!("no $defs/{type_name} in the bundle"))?;
        Ok(Verdict {
            single: single.is_valid(instance),
            bundled: bundled.is_valid(instance),
        })
    }

    /// The schema's error messages for `instance`, for failure reports.
    pub fn errors(&self, type_name: &str, instance: &Value) -> Vec<String> {
        self.single
            .get(type_name)
            .map(|v| v.iter_errors(instance).map(|e| e.to_string()).collect())
            .unwrap_or_default()
    }
}
