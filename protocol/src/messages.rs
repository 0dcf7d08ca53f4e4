//! Whole messages, per direction: everything a client may send
//! ([`ClientMessage`]) and everything the server may send
//! ([`ServerMessage`]), with responses typed by what they can answer.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::de::{self, Deserializer};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
#[cfg(feature = "schema")]
use ts_rs::TS;

use crate::id::RequestId;
#[cfg(feature = "schema")]
use crate::jsonrpc::guard_variants;
use crate::jsonrpc::{JsonRpcError, MessageKind, Never, classify};
use crate::literal::JsonRpcVersion;
use crate::registry::{
    ClientNotification, ClientRequest, ClientRequestResult, ServerRequest, ServerRequestResult,
};

/// A successful response the client sends: the result of one of the
/// server's requests, e.g. `{ token }` answering `attestation/generate`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
pub struct ClientResponse {
    /// Always `"2.0"`; may be left out by clients.
    #[serde(default)]
    #[cfg_attr(feature = "schema", ts(as = "Option<JsonRpcVersion>", optional))]
    pub jsonrpc: JsonRpcVersion,
    /// The `id` of the server request this answers.
    pub id: RequestId,
    /// The result: one of the server requests' response types.
    pub result: ServerRequestResult,
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

/// A successful response the server sends: the result of one of the
/// client's requests, e.g. `{ serverInfo }` answering `initialize`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
pub struct ServerResponse {
    /// Always `"2.0"`; the server always writes it.
    #[serde(default)]
    #[cfg_attr(feature = "schema", ts(as = "Option<JsonRpcVersion>", optional))]
    pub jsonrpc: JsonRpcVersion,
    /// The `id` of the client request this answers.
    pub id: RequestId,
    /// The result: one of the client requests' response types.
    pub result: ClientRequestResult,
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

impl ClientResponse {
    /// The response answering `id` with `result`.
    pub fn new(id: RequestId, result: ServerRequestResult) -> Self {
        Self {
            jsonrpc: JsonRpcVersion,
            id,
            result,
            error: None,
        }
    }
}

impl ServerResponse {
    /// The response answering `id` with `result`.
    pub fn new(id: RequestId, result: ClientRequestResult) -> Self {
        Self {
            jsonrpc: JsonRpcVersion,
            id,
            result,
            error: None,
        }
    }
}

/// Every message a client may send: its requests and notifications, and
/// responses and errors answering the server's requests. Classified by its
/// keys: `method` and `id` make a request, `method` alone a notification,
/// `result` a response, `error` an error; both `result` and `error`, or
/// neither, is invalid.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
#[serde(untagged)]
#[cfg_attr(feature = "schema", schemars(transform = guard_client_message))]
pub enum ClientMessage {
    /// A request to the server.
    Request(ClientRequest),
    /// A notification to the server.
    Notification(ClientNotification),
    /// A successful answer to a server request.
    Response(ClientResponse),
    /// A failed answer to a server request.
    Error(JsonRpcError),
}

/// Every message the server may send: its requests, and responses and
/// errors answering the client's requests. Classified by its keys like
/// [`ClientMessage`]; the server sends no notifications.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
#[serde(untagged)]
#[cfg_attr(feature = "schema", schemars(transform = guard_server_message))]
pub enum ServerMessage {
    /// A request to the client.
    Request(ServerRequest),
    /// A successful answer to a client request.
    Response(ServerResponse),
    /// A failed answer to a client request, or to a line that could not be
    /// read (`"id":null`).
    Error(JsonRpcError),
}

// The guards make the schema classify by keys as `Deserialize` does (see
// `JsonRpcMessage`): a notification must not have `id`, a response or an
// error must not have `method`.
#[cfg(feature = "schema")]
fn guard_client_message(schema: &mut schemars::Schema) {
    guard_variants(schema, &[&[], &["id"], &["method"], &["method"]]);
}

#[cfg(feature = "schema")]
fn guard_server_message(schema: &mut schemars::Schema) {
    guard_variants(schema, &[&[], &["method"], &["method"]]);
}

fn parse<T: de::DeserializeOwned, E: de::Error>(map: Map<String, Value>) -> Result<T, E> {
    serde_json::from_value(Value::Object(map)).map_err(E::custom)
}

impl<'de> Deserialize<'de> for ClientMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(deserializer)?;
        match classify(&map).map_err(de::Error::custom)? {
            MessageKind::Request => parse(map).map(Self::Request),
            MessageKind::Notification => parse(map).map(Self::Notification),
            MessageKind::Response => parse(map).map(Self::Response),
            MessageKind::Error => parse(map).map(Self::Error),
        }
    }
}

impl<'de> Deserialize<'de> for ServerMessage {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let map = Map::<String, Value>::deserialize(deserializer)?;
        match classify(&map).map_err(de::Error::custom)? {
            MessageKind::Request => parse(map).map(Self::Request),
            MessageKind::Notification => Err(de::Error::custom(
                "the server sends no notifications: a message with `method` needs an `id`",
            )),
            MessageKind::Response => parse(map).map(Self::Response),
            MessageKind::Error => parse(map).map(Self::Error),
        }
    }
}

macro_rules! from_variants {
    ($Enum:ident { $($Variant:ident($T:ty)),* $(,)? }) => {
        $(impl From<$T> for $Enum {
            fn from(value: $T) -> Self {
                Self::$Variant(value)
            }
        })*
    };
}

from_variants!(ClientMessage {
    Request(ClientRequest),
    Notification(ClientNotification),
    Response(ClientResponse),
    Error(JsonRpcError),
});

from_variants!(ServerMessage {
    Request(ServerRequest),
    Response(ServerResponse),
    Error(JsonRpcError),
});

#[cfg(test)]
mod tests {
    use super::*;

    fn client(json: &str) -> Result<ClientMessage, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    fn server(json: &str) -> Result<ServerMessage, String> {
        serde_json::from_str(json).map_err(|e| e.to_string())
    }

    #[test]
    fn a_client_response_carries_a_server_request_result() {
        let ok = client(r#"{"id":"attestwire:1","result":{"token":"v1.abc"}}"#).unwrap();
        assert!(matches!(ok, ClientMessage::Response(_)));
        let err = client(r#"{"id":"attestwire:1","result":{"token":"a b"}}"#).unwrap_err();
        assert!(err.contains("outside visible ASCII"), "{err}");
        let err = client(r#"{"id":1,"result":{"tokn":42}}"#).unwrap_err();
        assert!(err.contains("missing field `token`"), "{err}");
    }

    #[test]
    fn result_and_error_together_or_neither_is_invalid() {
        for json in [
            r#"{"id":1,"result":{"token":"t"},"error":{"code":1,"message":"x"}}"#,
            r#"{"id":1}"#,
        ] {
            assert!(client(json).is_err(), "{json}");
            assert!(server(json).is_err(), "{json}");
        }
        let err = client(r#"{"id":1,"result":{"token":"t"},"error":null}"#).unwrap_err();
        assert!(err.contains("never both"), "{err}");
    }

    #[test]
    fn the_server_sends_no_notifications() {
        let err = server(r#"{"method":"attestation/generate","params":{}}"#).unwrap_err();
        assert!(err.contains("no notifications"), "{err}");
        assert!(matches!(
            server(r#"{"id":"attestwire:1","method":"attestation/generate","params":{}}"#),
            Ok(ServerMessage::Request(_))
        ));
    }
}
