//! The handshake: `initialize` (request) then `initialized` (notification).

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::{Deserialize, Serialize};
#[cfg(feature = "schema")]
use ts_rs::TS;

/// Params of `initialize`, the first request a client sends.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
#[serde(rename_all = "camelCase")]
pub struct InitializeParams {
    /// Who the client is.
    pub client_info: ClientInfo,
    /// What the client supports; absent means no optional capability.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::optional::present"
    )]
    #[cfg_attr(feature = "schema", ts(optional))]
    pub capabilities: Option<ClientCapabilities>,
}

/// The client's name and version, for logs and diagnostics.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
#[serde(rename_all = "camelCase")]
pub struct ClientInfo {
    /// A stable machine-readable name, e.g. `"codex-desktop"`.
    pub name: String,
    /// The client's version, e.g. `"1.4.2"`.
    pub version: String,
    /// A human-readable name; absent when the client gives none.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::optional::present"
    )]
    #[cfg_attr(feature = "schema", ts(optional))]
    pub title: Option<String>,
}

/// Optional features the client supports. Other members (a newer client's,
/// or a host protocol's own, such as `experimentalApi`) are accepted and
/// ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
// The TypeScript view says in its type what serde and the schema already do:
// any other member is allowed, so a host's literal
// `{ requestAttestation: true, experimentalApi: true }` compiles (without
// the index signature TypeScript's excess-property check refuses it). Keep
// the member list here in step with the fields below; the snapshot and the
// conformance vectors show a drift.
#[cfg_attr(
    feature = "schema",
    ts(
        type = "{\n  /**\n   * `true` when the client answers `attestation/generate`. Absent means\n   * `false`: the server then never sends it that request.\n   */\n  requestAttestation?: boolean;\n  /**\n   * Any other capability: a newer client's, or the host protocol's own\n   * (e.g. `experimentalApi`). The server ignores it.\n   */\n  [member: string]: unknown;\n}"
    )
)]
// One member, renamed by hand: ts-rs refuses `rename_all` beside `ts(type)`.
pub struct ClientCapabilities {
    /// `true` when the client answers `attestation/generate`. Absent means
    /// `false`: the server then never sends it that request.
    #[serde(
        rename = "requestAttestation",
        default,
        skip_serializing_if = "is_false"
    )]
    pub request_attestation: bool,
}

// serde's `skip_serializing_if` takes a path to a function of `&T`.
#[allow(clippy::trivially_copy_pass_by_ref)]
fn is_false(value: &bool) -> bool {
    !*value
}

/// Result of `initialize`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
#[serde(rename_all = "camelCase")]
pub struct InitializeResponse {
    /// Who the server is.
    pub server_info: ServerInfo,
    /// The version of the attestwire protocol the server speaks (semver),
    /// e.g. `"0.1.0"`; absent from servers that do not say.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::optional::present"
    )]
    #[cfg_attr(feature = "schema", ts(optional))]
    pub protocol_version: Option<String>,
}

impl InitializeResponse {
    /// The response of a server speaking this crate's [`PROTOCOL_VERSION`].
    pub fn new(server_info: ServerInfo) -> Self {
        Self {
            server_info,
            protocol_version: Some(PROTOCOL_VERSION.to_owned()),
        }
    }
}

/// The protocol's version: the workspace version (semver), which the schema
/// bundle, the TypeScript package (`PROTOCOL_VERSION`) and the `initialize`
/// result carry too. A breaking change to what an older reader accepts
/// needs a major bump (a minor one while 0.x); `attestwire-codegen check`
/// enforces it against the newest frozen release.
pub const PROTOCOL_VERSION: &str = env!("CARGO_PKG_VERSION");

/// The server's name and version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
#[serde(rename_all = "camelCase")]
pub struct ServerInfo {
    /// A stable machine-readable name.
    pub name: String,
    /// The server's version.
    pub version: String,
}
