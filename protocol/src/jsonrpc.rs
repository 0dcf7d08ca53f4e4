//! JSON-RPC 2.0 framing: the four message shapes and error objects.
//!
//! These are method-agnostic (`params`/`result` are raw JSON); the typed,
//! method-tagged views live in `registry`.

use std::fmt;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
#[cfg(feature = "schema")]
use ts_rs::TS;

use crate::id::RequestId;
use crate::literal::JsonRpcVersion;

// `jsonrpc` is the one deliberate exception to "default iff skip": the server
// always writes it, and accepts messages that leave it out.

/// A JSON-RPC request: a call that expects exactly one response with the
/// same `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
pub struct JsonRpcRequest {
    /// Always `"2.0"`; may be left out by clients.
    #[serde(default)]
    #[cfg_attr(feature = "schema", ts(as = "Option<JsonRpcVersion>", optional))]
    pub jsonrpc: JsonRpcVersion,
    /// Chosen by the sender; echoed in the response.
    pub id: RequestId,
    /// The method name, e.g. `"initialize"`.
    pub method: String,
    /// The method's parameters; absent when the method takes none.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::optional::present"
    )]
    #[cfg_attr(feature = "schema", ts(optional, type = "unknown"))]
    pub params: Option<Value>,
}

/// A JSON-RPC notification: a message without `id` that gets no response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
pub struct JsonRpcNotification {
    /// Always `"2.0"`; may be left out by clients.
    #[serde(default)]
    #[cfg_attr(feature = "schema", ts(as = "Option<JsonRpcVersion>", optional))]
    pub jsonrpc: JsonRpcVersion,
    /// The notification name, e.g. `"initialized"`.
    pub method: String,
    /// The notification's parameters; absent when it takes none.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::optional::present"
    )]
    #[cfg_attr(feature = "schema", ts(optional, type = "unknown"))]
    pub params: Option<Value>,
}

/// A successful JSON-RPC response to the request with the same `id`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
pub struct JsonRpcResponse {
    /// Always `"2.0"`; may be left out by clients.
    #[serde(default)]
    #[cfg_attr(feature = "schema", ts(as = "Option<JsonRpcVersion>", optional))]
    pub jsonrpc: JsonRpcVersion,
    /// The `id` of the request this answers.
    pub id: RequestId,
    /// The method's result; its shape is the method's response type.
    #[cfg_attr(feature = "schema", ts(type = "unknown"))]
    pub result: Value,
    /// Never present: a message with both `result` and `error` is invalid.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::jsonrpc::forbid_error"
    )]
    #[cfg_attr(
        feature = "schema",
        schemars(schema_with = "crate::jsonrpc::forbidden")
    )]
    #[cfg_attr(feature = "schema", ts(optional, type = "never"))]
    pub error: Option<Never>,
}

/// A failed JSON-RPC response. `id` is `null` only when the request's id
/// could not be read (an unparseable line).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
pub struct JsonRpcError {
    /// Always `"2.0"`; may be left out by clients.
    #[serde(default)]
    #[cfg_attr(feature = "schema", ts(as = "Option<JsonRpcVersion>", optional))]
    pub jsonrpc: JsonRpcVersion,
    /// The `id` of the request this answers, or `null` when it is unknown.
    #[serde(deserialize_with = "present_or_null")]
    #[cfg_attr(
        feature = "schema",
        schemars(required, schema_with = "nullable_request_id")
    )]
    pub id: Option<RequestId>,
    /// What went wrong.
    pub error: JsonRpcErrorObject,
    /// Never present: a message with both `result` and `error` is invalid.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::jsonrpc::forbid_result"
    )]
    #[cfg_attr(
        feature = "schema",
        schemars(schema_with = "crate::jsonrpc::forbidden")
    )]
    #[cfg_attr(feature = "schema", ts(optional, type = "never"))]
    pub result: Option<Never>,
}

impl JsonRpcError {
    /// An error response answering `id` (`None` for `"id":null`).
    pub fn new(id: Option<RequestId>, error: JsonRpcErrorObject) -> Self {
        Self {
            jsonrpc: JsonRpcVersion,
            id,
            error,
            result: None,
        }
    }
}

impl JsonRpcResponse {
    /// A successful response answering `id`.
    pub fn new(id: RequestId, result: Value) -> Self {
        Self {
            jsonrpc: JsonRpcVersion,
            id,
            result,
            error: None,
        }
    }
}

/// A member that must not appear: `result` on an error and `error` on a
/// successful response. It has no values, so such a field is always `None`;
/// its schema is `false` and its TypeScript type `never`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub enum Never {}

#[cfg(feature = "schema")]
/// The schema of a member that must not appear.
pub(crate) fn forbidden(_: &mut schemars::SchemaGenerator) -> schemars::Schema {
    schemars::Schema::from(false)
}

pub(crate) fn forbid_error<'de, D: Deserializer<'de>>(_: D) -> Result<Option<Never>, D::Error> {
    Err(de::Error::custom(BOTH))
}

pub(crate) fn forbid_result<'de, D: Deserializer<'de>>(_: D) -> Result<Option<Never>, D::Error> {
    Err(de::Error::custom(BOTH))
}

/// Why a message with both members is rejected.
pub(crate) const BOTH: &str = "a response has `result` or `error`, never both";

/// The `error` member of a failed response.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
pub struct JsonRpcErrorObject {
    /// A JSON-RPC error code; see `ErrorCode` for the ones this protocol uses.
    pub code: ErrorCode,
    /// A short human-readable description of the error.
    pub message: String,
    /// Extra information about the error; absent when there is none.
    #[serde(
        default,
        skip_serializing_if = "Option::is_none",
        deserialize_with = "crate::optional::present"
    )]
    #[cfg_attr(feature = "schema", ts(optional, type = "unknown"))]
    pub data: Option<Value>,
}

impl JsonRpcErrorObject {
    /// An error object without `data`.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
            data: None,
        }
    }
}

/// A JSON-RPC error code: an integer. The codes this protocol sends are
/// -32700 parse error (the line is not JSON), -32600 invalid request,
/// -32601 method not found, -32602 invalid params, -32603 internal error and
/// -32002 not initialized (a request other than `initialize` came before the
/// handshake). Other codes may appear in errors sent by clients.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
#[serde(transparent)]
pub struct ErrorCode(
    #[cfg_attr(feature = "schema", schemars(range(min = -crate::id::MAX_SAFE_INTEGER, max = crate::id::MAX_SAFE_INTEGER)))]
    #[cfg_attr(feature = "schema", ts(type = "number"))]
    pub i64,
);

impl ErrorCode {
    /// -32700: the line is not valid JSON.
    pub const PARSE_ERROR: Self = Self(-32700);
    /// -32600: the JSON is not a valid request.
    pub const INVALID_REQUEST: Self = Self(-32600);
    /// -32601: the method does not exist.
    pub const METHOD_NOT_FOUND: Self = Self(-32601);
    /// -32602: the params do not fit the method.
    pub const INVALID_PARAMS: Self = Self(-32602);
    /// -32603: the server failed internally.
    pub const INTERNAL_ERROR: Self = Self(-32603);
    /// -32002: a request other than `initialize` came before the handshake.
    pub const NOT_INITIALIZED: Self = Self(-32002);

    /// Every named code with its wire-facing name and what it means, for
    /// codegen and docs.
    pub const NAMED: &'static [(&'static str, ErrorCode, &'static str)] = &[
        (
            "ParseError",
            Self::PARSE_ERROR,
            "The line is not valid JSON.",
        ),
        (
            "InvalidRequest",
            Self::INVALID_REQUEST,
            "The JSON is not a valid request (or a second `initialize`).",
        ),
        (
            "MethodNotFound",
            Self::METHOD_NOT_FOUND,
            "The method does not exist.",
        ),
        (
            "InvalidParams",
            Self::INVALID_PARAMS,
            "The params do not fit the method.",
        ),
        (
            "InternalError",
            Self::INTERNAL_ERROR,
            "The receiver failed internally (a handler threw or panicked).",
        ),
        (
            "NotInitialized",
            Self::NOT_INITIALIZED,
            "A request other than `initialize` came before the handshake.",
        ),
    ];
}

impl<'de> Deserialize<'de> for ErrorCode {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Same bounds as the schema: a code TypeScript's `number` holds exactly.
        let code = i64::deserialize(deserializer)?;
        if (-crate::id::MAX_SAFE_INTEGER..=crate::id::MAX_SAFE_INTEGER).contains(&code) {
            Ok(Self(code))
        } else {
            Err(de::Error::custom(format_args!(
                "error code {code} is outside ±(2^53 − 1)"
            )))
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// `Option<RequestId>` that must be present: `null` is `None`, absence is an
/// error (serde would otherwise default a missing `Option` to `None`).
fn present_or_null<'de, D: Deserializer<'de>>(d: D) -> Result<Option<RequestId>, D::Error> {
    Option::<RequestId>::deserialize(d)
}

#[cfg(feature = "schema")]
/// `RequestId | null`, stated by hand: with `deserialize_with` schemars would
/// inline the id's schema and drop the `null`.
fn nullable_request_id(generator: &mut schemars::SchemaGenerator) -> schemars::Schema {
    let id = generator.subschema_for::<RequestId>();
    schemars::json_schema!({ "anyOf": [id, { "type": "null" }] })
}

/// Any JSON-RPC message. Which shape a message has is decided by its keys,
/// not by trial: with `method` and `id` it is a request; with `method` alone,
/// a notification; with `result`, a response; with `error`, an error.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
#[serde(untagged)]
#[cfg_attr(feature = "schema", schemars(transform = guard_message_variants))]
pub enum JsonRpcMessage {
    /// A call that expects a response.
    Request(JsonRpcRequest),
    /// A message that expects no response.
    Notification(JsonRpcNotification),
    /// A successful response.
    Response(JsonRpcResponse),
    /// A failed response.
    Error(JsonRpcError),
}

#[cfg(feature = "schema")]
/// Makes the schema classify by keys exactly as `Deserialize` does: without
/// these guards a request with a bad id would still match the notification
/// branch, and the schema would accept what serde rejects.
// A guard forbids a key with `properties: { key: false }` rather than
// `not: { required: [key] }`: the same rule for an object, and one that
// strict validators (ajv's strictRequired and strictTypes) accept. The
// message's `type: object` is what every branch's `$ref` says already;
// stated at the top, it tells strictTypes that `properties` here applies.
fn guard_message_variants(schema: &mut schemars::Schema) {
    guard_variants(schema, &[&[], &["id"], &["method"], &["method"]]);
}

#[cfg(feature = "schema")]
/// Forbids, in the `anyOf` branch at each position, the keys listed for it
/// (an empty list leaves the branch alone), and states `type: object` at the
/// top. `result`+`error` need no guard: each response type forbids the
/// other member itself.
pub(crate) fn guard_variants(schema: &mut schemars::Schema, guards: &[&[&str]]) {
    schema.insert("type".to_owned(), Value::from("object"));
    if let Some(Value::Array(branches)) = schema.get_mut("anyOf") {
        for (branch, forbidden) in branches.iter_mut().zip(guards) {
            if let (Value::Object(branch), false) = (branch, forbidden.is_empty()) {
                let props = forbidden
                    .iter()
                    .map(|key| ((*key).to_owned(), Value::Bool(false)))
                    .collect();
                branch.insert("properties".to_owned(), Value::Object(props));
            }
        }
    }
}

/// Why a JSON object is not a JSON-RPC message.
pub(crate) fn classify(map: &Map<String, Value>) -> Result<MessageKind, &'static str> {
    if map.contains_key("method") {
        if map.contains_key("id") {
            Ok(MessageKind::Request)
        } else {
            Ok(MessageKind::Notification)
        }
    } else if map.contains_key("result") && map.contains_key("error") {
        Err(BOTH)
    } else if map.contains_key("result") {
        Ok(MessageKind::Response)
    } else if map.contains_key("error") {
        Ok(MessageKind::Error)
    } else {
        Err("not a JSON-RPC message: expected a `method`, `result` or `error` member")
    }
}

pub(crate) enum MessageKind {
    /// `method` and `id`.
    Request,
    /// `method` without `id`.
    Notification,
    /// `result`.
    Response,
    /// `error`.
    Error,
}

impl<'de> Deserialize<'de> for JsonRpcMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Classifying by keys (instead of `untagged` trial and error) means a
        // request with a bad id is reported as such, not silently read as a
        // notification.
        let map = Map::<String, Value>::deserialize(deserializer)?;
        let kind = classify(&map).map_err(de::Error::custom)?;
        let value = Value::Object(map);
        let parsed = match kind {
            MessageKind::Request => serde_json::from_value(value).map(Self::Request),
            MessageKind::Notification => serde_json::from_value(value).map(Self::Notification),
            MessageKind::Response => serde_json::from_value(value).map(Self::Response),
            MessageKind::Error => serde_json::from_value(value).map(Self::Error),
        };
        parsed.map_err(de::Error::custom)
    }
}

impl JsonRpcMessage {
    /// The message's id, if it has one (`None` for notifications and for
    /// errors with `"id":null`).
    pub fn id(&self) -> Option<&RequestId> {
        match self {
            Self::Request(r) => Some(&r.id),
            Self::Notification(_) => None,
            Self::Response(r) => Some(&r.id),
            Self::Error(e) => e.id.as_ref(),
        }
    }
}

impl From<JsonRpcRequest> for JsonRpcMessage {
    fn from(value: JsonRpcRequest) -> Self {
        Self::Request(value)
    }
}

impl From<JsonRpcNotification> for JsonRpcMessage {
    fn from(value: JsonRpcNotification) -> Self {
        Self::Notification(value)
    }
}

impl From<JsonRpcResponse> for JsonRpcMessage {
    fn from(value: JsonRpcResponse) -> Self {
        Self::Response(value)
    }
}

impl From<JsonRpcError> for JsonRpcMessage {
    fn from(value: JsonRpcError) -> Self {
        Self::Error(value)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(json: &str) -> Result<JsonRpcMessage, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn messages_are_classified_by_their_keys() {
        assert!(matches!(
            parse(r#"{"id":1,"method":"m"}"#),
            Ok(JsonRpcMessage::Request(_))
        ));
        assert!(matches!(
            parse(r#"{"method":"m"}"#),
            Ok(JsonRpcMessage::Notification(_))
        ));
        assert!(matches!(
            parse(r#"{"id":1,"result":null}"#),
            Ok(JsonRpcMessage::Response(_))
        ));
        assert!(matches!(
            parse(r#"{"id":null,"error":{"code":-32700,"message":"x"}}"#),
            Ok(JsonRpcMessage::Error(_))
        ));
    }

    #[test]
    fn a_request_with_a_bad_id_is_an_error_not_a_notification() {
        let err = parse(r#"{"id":1.5,"method":"m"}"#).unwrap_err();
        assert!(err.contains("not an integer"), "{err}");
    }

    #[test]
    fn jsonrpc_is_written_always_and_read_optionally() {
        let m = parse(r#"{"id":1,"method":"m"}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&m).unwrap(),
            r#"{"jsonrpc":"2.0","id":1,"method":"m"}"#
        );
        let err = parse(r#"{"jsonrpc":"1.0","id":1,"method":"m"}"#).unwrap_err();
        assert!(err.contains("unsupported jsonrpc version"), "{err}");
    }

    #[test]
    fn error_response_needs_an_id_member_even_if_null() {
        let err = serde_json::from_str::<JsonRpcError>(r#"{"error":{"code":1,"message":"x"}}"#)
            .unwrap_err()
            .to_string();
        assert!(err.contains("missing field `id`"), "{err}");
    }

    #[test]
    fn non_objects_and_empty_objects_are_not_messages() {
        assert!(parse("[]").is_err());
        assert!(parse("1").is_err());
        let err = parse("{}").unwrap_err();
        assert!(err.contains("not a JSON-RPC message"), "{err}");
    }
}
