//! The wire vectors of `tests/vectors/wire.json`, and dispatch from a type
//! name to its serde round trip.

use std::path::PathBuf;

use attestwire_protocol as p;
use serde::Deserialize;
use serde::de::DeserializeOwned;

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

fn round_trip<T: DeserializeOwned + serde::Serialize>(json: &str) -> Result<String, String> {
    let value: T = serde_json::from_str(json).map_err(|e| e.to_string())?;
    serde_json::to_string(&value).map_err(|e| e.to_string())
}

/// Deserializes `json` as the exported type named `type_name` and serializes
/// it again; `Err` carries serde's message.
pub fn serde_round_trip(type_name: &str, json: &str) -> Result<String, String> {
    match type_name {
        "RequestId" => round_trip::<p::RequestId>(json),
        "ErrorCode" => round_trip::<p::ErrorCode>(json),
        "JsonRpcRequest" => round_trip::<p::JsonRpcRequest>(json),
        "JsonRpcNotification" => round_trip::<p::JsonRpcNotification>(json),
        "JsonRpcResponse" => round_trip::<p::JsonRpcResponse>(json),
        "JsonRpcError" => round_trip::<p::JsonRpcError>(json),
        "JsonRpcErrorObject" => round_trip::<p::JsonRpcErrorObject>(json),
        "JsonRpcMessage" => round_trip::<p::JsonRpcMessage>(json),
        "InitializeParams" => round_trip::<p::InitializeParams>(json),
        "ClientInfo" => round_trip::<p::ClientInfo>(json),
        "ClientCapabilities" => round_trip::<p::ClientCapabilities>(json),
        "InitializeResponse" => round_trip::<p::InitializeResponse>(json),
        "ServerInfo" => round_trip::<p::ServerInfo>(json),
        "AttestationGenerateParams" => round_trip::<p::AttestationGenerateParams>(json),
        "AttestationGenerateResponse" => round_trip::<p::AttestationGenerateResponse>(json),
        "ServerRequest" => round_trip::<p::ServerRequest>(json),
        "ClientRequest" => round_trip::<p::ClientRequest>(json),
        "ClientNotification" => round_trip::<p::ClientNotification>(json),
        "AttestationStatus" => round_trip::<p::AttestationStatus>(json),
        "AttestationHeader" => round_trip::<p::AttestationHeader>(json),
        other => Err(format!("no exported type named {other}")),
    }
}
