//! One method registry per direction.
//!
//! Every method is declared once, in a table below, as
//! `Name => "wire/method" { params: P, response: R }`. The macros expand a
//! table into the marker types (`impl Method`), the method-tagged request
//! enum, its payload enum (a request before an id is assigned) and the
//! export list. No method string is written anywhere else.

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
#[cfg(feature = "schema")]
use ts_rs::TS;

use crate::attestation::{AttestationGenerateParams, AttestationGenerateResponse};
#[cfg(feature = "schema")]
use crate::exports::WireType;
use crate::id::RequestId;
use crate::initialize::{InitializeParams, InitializeResponse};
use crate::literal::JsonRpcVersion;

/// A request method, as a type: the method string and the types of its
/// params and response, checked at compile time.
///
/// The methods of this crate's tables implement it, and so may a server's
/// own crate for methods of its own (the runtime's typed requests and
/// handlers take any `Method`):
///
/// ```
/// use attestwire_protocol::Method;
///
/// /// Asks the user to approve an item (a method of the host's protocol).
/// pub enum ItemApprove {}
///
/// #[derive(serde::Serialize, serde::Deserialize)]
/// #[serde(rename_all = "camelCase")]
/// pub struct ItemApproveParams { pub thread_id: String }
///
/// impl Method for ItemApprove {
///     const METHOD: &'static str = "item/approve";
///     type Params = ItemApproveParams;
///     type Response = serde_json::Value;
/// }
/// ```
pub trait Method {
    /// The wire name, e.g. `"attestation/generate"`.
    const METHOD: &'static str;
    /// The `params` of the request.
    type Params: Serialize + DeserializeOwned + Send + 'static;
    /// The `result` of a successful response.
    type Response: Serialize + DeserializeOwned + Send + 'static;
    /// What the method does, for generated documentation (the table
    /// entry's doc comment); empty by default.
    const DOC: &'static str = "";
}

/// A notification method, as a type.
pub trait Notification {
    /// The wire name, e.g. `"initialized"`.
    const METHOD: &'static str;
    /// The `params` of the notification; `()` when it has none (absent
    /// params read as `null`).
    type Params: Serialize + DeserializeOwned + Send + 'static;
    /// What the notification means, for generated documentation; empty by
    /// default.
    const DOC: &'static str = "";
}

/// Who sends a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    /// The server sends it; the client answers.
    ServerToClient,
    /// The client sends it; the server answers.
    ClientToServer,
}

/// Receives every method of the registry, for code generation.
#[cfg(feature = "schema")]
pub trait MethodVisitor {
    /// A request method; `name` is its Rust/TypeScript identifier.
    fn request<M: Method>(&mut self, name: &'static str, direction: Direction)
    where
        M::Params: WireType,
        M::Response: WireType;
    /// A notification the client sends.
    fn client_notification<N: Notification>(&mut self, name: &'static str);
}

macro_rules! request_table {
    (
        $(#[$enum_doc:meta])*
        enum $Enum:ident;
        $(#[$payload_doc:meta])*
        payload $Payload:ident;
        $(#[$result_doc:meta])*
        result $Result:ident;
        direction $direction:ident;
        $(
            $(#[doc = $doc:literal])*
            $Name:ident => $method:literal { params: $Params:ty, response: $Response:ty $(,)? }
        ),* $(,)?
    ) => {
        $(
            $(#[doc = $doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum $Name {}

            impl Method for $Name {
                const METHOD: &'static str = $method;
                type Params = $Params;
                type Response = $Response;
                const DOC: &'static str = concat!($($doc, "\n"),*);
            }

            impl $Name {
                /// Wraps typed params into the direction's payload enum.
                pub fn payload(params: $Params) -> $Payload {
                    $Payload::$Name(params)
                }
            }
        )*

        $(#[$enum_doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
        #[serde(tag = "method")]
        pub enum $Enum {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $method)]
                $Name {
                    /// Always `"2.0"`; may be left out by clients.
                    #[serde(default)]
                    #[cfg_attr(feature = "schema", ts(as = "Option<JsonRpcVersion>", optional))]
                    jsonrpc: JsonRpcVersion,
                    /// Chosen by the sender; echoed in the response.
                    id: RequestId,
                    /// The method's parameters.
                    params: $Params,
                },
            )*
        }

        impl $Enum {
            /// Every method name of this direction, in table order.
            pub const METHODS: &'static [&'static str] = &[$($method),*];

            /// The wire method name.
            pub fn method(&self) -> &'static str {
                match self {
                    $(Self::$Name { .. } => <$Name as Method>::METHOD,)*
                }
            }

            /// The request id.
            pub fn id(&self) -> &RequestId {
                match self {
                    $(Self::$Name { id, .. } => id,)*
                }
            }
        }

        $(#[$result_doc])*
        #[derive(Debug, Clone, PartialEq, Serialize)]
        #[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
        #[serde(untagged)]
        pub enum $Result {
            $(
                $(#[doc = $doc])*
                $Name($Response),
            )*
        }

        impl<'de> Deserialize<'de> for $Result {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                // Tried in table order; when none fits, the first method's
                // own error says why (`untagged` would say only "did not
                // match any variant").
                let value = serde_json::Value::deserialize(deserializer)?;
                let mut first = None;
                $(
                    match <$Response>::deserialize(&value) {
                        Ok(result) => return Ok(Self::$Name(result)),
                        Err(e) => {
                            first.get_or_insert(e);
                        }
                    }
                )*
                Err(serde::de::Error::custom(match first {
                    Some(e) => e.to_string(),
                    None => "this direction has no methods".to_owned(),
                }))
            }
        }

        $(#[$payload_doc])*
        #[derive(Debug, Clone, PartialEq)]
        pub enum $Payload {
            $(
                $(#[doc = $doc])*
                $Name($Params),
            )*
        }

        impl $Payload {
            /// The wire method name.
            pub fn method(&self) -> &'static str {
                match self {
                    $(Self::$Name(_) => <$Name as Method>::METHOD,)*
                }
            }

            /// The request this payload becomes once it has an id.
            pub fn into_request(self, id: RequestId) -> $Enum {
                match self {
                    $(Self::$Name(params) => $Enum::$Name { jsonrpc: JsonRpcVersion, id, params },)*
                }
            }
        }

        impl $Enum {
            /// Passes every method of this table to `visitor`.
            #[cfg(feature = "schema")]
            pub fn visit_methods(visitor: &mut impl MethodVisitor) {
                $(visitor.request::<$Name>(stringify!($Name), Direction::$direction);)*
            }
        }
    };
}

macro_rules! notification_table {
    (
        $(#[$enum_doc:meta])*
        enum $Enum:ident;
        $(
            $(#[doc = $doc:literal])*
            $Name:ident => $method:literal
        ),* $(,)?
    ) => {
        $(
            $(#[doc = $doc])*
            #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
            pub enum $Name {}

            impl Notification for $Name {
                const METHOD: &'static str = $method;
                type Params = ();
                const DOC: &'static str = concat!($($doc, "\n"),*);
            }
        )*

        $(#[$enum_doc])*
        #[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
        #[serde(tag = "method")]
        pub enum $Enum {
            $(
                $(#[doc = $doc])*
                #[serde(rename = $method)]
                $Name {
                    /// Always `"2.0"`; may be left out by clients.
                    #[serde(default)]
                    #[cfg_attr(feature = "schema", ts(as = "Option<JsonRpcVersion>", optional))]
                    jsonrpc: JsonRpcVersion,
                },
            )*
        }

        impl $Enum {
            /// Every method name of this table, in table order.
            pub const METHODS: &'static [&'static str] = &[$($method),*];

            /// The wire method name.
            pub fn method(&self) -> &'static str {
                match self {
                    $(Self::$Name { .. } => <$Name as Notification>::METHOD,)*
                }
            }

            /// Passes every notification of this table to `visitor`.
            #[cfg(feature = "schema")]
            pub fn visit_methods(visitor: &mut impl MethodVisitor) {
                $(visitor.client_notification::<$Name>(stringify!($Name));)*
            }
        }
    };
}

request_table! {
    /// A request the server sends to the client, tagged by `method`.
    enum ServerRequest;
    // Rust-only: the runtime assigns the id when it sends the payload.
    /// A server request's method and params before an id is assigned.
    payload ServerRequestPayload;
    /// The result of any request the server sends: what a client's
    /// successful response carries.
    result ServerRequestResult;
    direction ServerToClient;

    /// Asks the app for a fresh attestation token. Sent only to clients that
    /// set `capabilities.requestAttestation`; the server waits at most its
    /// deadline (default 100 ms) for the answer.
    AttestationGenerate => "attestation/generate" {
        params: AttestationGenerateParams,
        response: AttestationGenerateResponse,
    },
}

request_table! {
    /// A request the client sends to the server, tagged by `method`.
    enum ClientRequest;
    /// A client request's method and params before an id is assigned.
    payload ClientRequestPayload;
    /// The result of any request the client sends: what the server's
    /// successful response carries.
    result ClientRequestResult;
    direction ClientToServer;

    /// The first request of every connection: who the client is and what it
    /// supports. Any other request before it fails with -32002.
    Initialize => "initialize" {
        params: InitializeParams,
        response: InitializeResponse,
    },
}

notification_table! {
    /// A notification the client sends to the server, tagged by `method`.
    enum ClientNotification;

    /// Sent by the client after it has read the `initialize` response.
    Initialized => "initialized",
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn payload_becomes_a_request_with_the_given_id() {
        let payload = AttestationGenerate::payload(AttestationGenerateParams {});
        assert_eq!(payload.method(), "attestation/generate");
        let request = payload.into_request(RequestId::Integer(7));
        assert_eq!(request.method(), AttestationGenerate::METHOD);
        assert_eq!(request.id(), &RequestId::Integer(7));
        assert_eq!(
            serde_json::to_string(&request).unwrap(),
            r#"{"method":"attestation/generate","jsonrpc":"2.0","id":7,"params":{}}"#
        );
    }

    #[test]
    fn method_lists_come_from_the_tables() {
        assert_eq!(ServerRequest::METHODS, &["attestation/generate"]);
        assert_eq!(ClientRequest::METHODS, &["initialize"]);
        assert_eq!(ClientNotification::METHODS, &["initialized"]);
    }

    #[test]
    fn codex_style_initialize_without_jsonrpc_is_read() {
        let request: ClientRequest = serde_json::from_str(
            r#"{"id":1,"method":"initialize","params":{"clientInfo":{"name":"a","version":"1"}}}"#,
        )
        .unwrap();
        assert_eq!(request.method(), "initialize");
        assert_eq!(request.id(), &RequestId::Integer(1));
    }
}
