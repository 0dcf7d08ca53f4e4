//! Wire types of the attestwire protocol: JSON-RPC 2.0 framing, the
//! `initialize` handshake, `attestation/generate`, and the
//! `x-oai-attestation` envelope. No I/O; serde, JSON Schema and TypeScript
//! views of every type are derived from the same definitions.
//!
//! # Features
//!
//! - `schema` (off by default): the JSON Schema (`schemars::JsonSchema`)
//!   and TypeScript (`ts_rs::TS`) views of every wire type, and the export
//!   visitors (`visit_exported_types`, `visit_methods`, `WireType`,
//!   `ExportVisitor`, `MethodVisitor`) that `attestwire-codegen` reads. A
//!   server needs only serde, and builds neither schemars nor ts-rs.

mod attestation;
#[cfg(feature = "schema")]
mod exports;
mod header;
mod id;
mod initialize;
mod jsonrpc;
mod literal;
mod messages;
mod optional;
mod registry;

pub use attestation::{
    AttestationGenerateParams, AttestationGenerateResponse, AttestationToken, TOKEN_MAX_BYTES,
    TOKEN_MIN_BYTES, TOKEN_PATTERN, TokenError, validate_token,
};
#[cfg(feature = "schema")]
pub use exports::{ExportVisitor, WireType, visit_exported_types, visit_methods};
pub use header::{AttestationHeader, AttestationStatus, HEADER_NAME};
pub use id::{MAX_SAFE_INTEGER, RequestId};
pub use initialize::{
    ClientCapabilities, ClientInfo, InitializeParams, InitializeResponse, PROTOCOL_VERSION,
    ServerInfo,
};
pub use jsonrpc::{
    ErrorCode, JsonRpcError, JsonRpcErrorObject, JsonRpcMessage, JsonRpcNotification,
    JsonRpcRequest, JsonRpcResponse, Never,
};
pub use literal::{HeaderVersion, JsonRpcVersion};
pub use messages::{ClientMessage, ClientResponse, ServerMessage, ServerResponse};
#[cfg(feature = "schema")]
pub use registry::MethodVisitor;
pub use registry::{
    AttestationGenerate, ClientNotification, ClientRequest, ClientRequestPayload,
    ClientRequestResult, Direction, Initialize, Initialized, Method, Notification, ServerRequest,
    ServerRequestPayload, ServerRequestResult,
};
