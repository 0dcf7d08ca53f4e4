//! The wire vectors of `tests/vectors/wire.json`, and dispatch from a type
//! name to its serde round trip.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::OnceLock;

use attestwire_protocol::{ExportVisitor, WireType, visit_exported_types};
use serde::Deserialize;

/// The repository root.
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// One vector: a literal JSON text and the exported type it is checked as.
#[derive(Debug, Clone, Deserialize)]
pub struct Vector {
    /// Names the wire case.
    pub name: String,
    /// The exported type (schema and TypeScript name).
    #[serde(rename = "type")]
    pub type_name: String,
    /// The literal JSON text.
    pub json: String,
    /// For `accepted`: what serde writes back.
    #[serde(default)]
    pub canonical: Option<String>,
    /// For `negative`: why it must be rejected.
    #[serde(default)]
    pub why: Option<String>,
}

/// All vectors.
#[derive(Debug, Clone, Deserialize)]
pub struct Vectors {
    /// Deserialize and re-serialize byte-identically; valid under the schema.
    pub positive: Vec<Vector>,
    /// Deserialize, re-serialize to `canonical`; both valid under the schema.
    pub accepted: Vec<Vector>,
    /// Rejected by serde and by the schema.
    pub negative: Vec<Vector>,
}

/// Reads `tests/vectors/wire.json`.
pub fn load() -> anyhow::Result<Vectors> {
    let path = repo_root().join("tests/vectors/wire.json");
    let text = std::fs::read_to_string(&path)?;
    Ok(serde_json::from_str(&text)?)
}

fn round_trip<T: WireType>(json: &str) -> Result<String, String> {
    let value: T = serde_json::from_str(json).map_err(|e| e.to_string())?;
    serde_json::to_string(&value).map_err(|e| e.to_string())
}

type RoundTrip = fn(&str) -> Result<String, String>;

/// Every exported type's round trip, by name, from the protocol's own export
/// list: a type added there is covered here without another list.
fn round_trips() -> &'static BTreeMap<String, RoundTrip> {
    struct Collect(BTreeMap<String, RoundTrip>);
    impl ExportVisitor for Collect {
        fn visit<T: WireType>(&mut self) {
            self.0
                .insert(T::schema_name().into_owned(), round_trip::<T> as RoundTrip);
        }
    }
    static TABLE: OnceLock<BTreeMap<String, RoundTrip>> = OnceLock::new();
    TABLE.get_or_init(|| {
        let mut collect = Collect(BTreeMap::new());
        visit_exported_types(&mut collect);
        collect.0
    })
}

/// Deserializes `json` as the exported type named `type_name` and serializes
/// it again; `Err` carries serde's message.
pub fn serde_round_trip(type_name: &str, json: &str) -> Result<String, String> {
    match round_trips().get(type_name) {
        Some(round_trip) => round_trip(json),
        None => Err(format!("no exported type named {type_name}")),
    }
}
