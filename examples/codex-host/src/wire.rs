//! The host's own JSON-RPC messages, as the Codex app-server has its own:
//! what the reader makes of a line, what the writer writes, and the params
//! of the host's methods. Nothing here knows about attestwire except one
//! field of the capabilities and one variant of `Outgoing`.

use attestwire_protocol::ClientCapabilities; // [attestwire]
use attestwire_runtime::OutgoingMessage; // [attestwire]
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

pub(crate) const PARSE_ERROR: i64 = -32700;
pub(crate) const INVALID_REQUEST: i64 = -32600;
pub(crate) const METHOD_NOT_FOUND: i64 = -32601;
pub(crate) const INVALID_PARAMS: i64 = -32602;
pub(crate) const NOT_INITIALIZED: i64 = -32002;

/// The `jsonrpc` member: optional on input (Codex clients leave it out),
/// always written.
const JSONRPC: &str = "2.0";

/// A client's request id, echoed in the answer.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub(crate) enum RequestId {
    Integer(i64),
    String(String),
}

/// A JSON-RPC error object.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct ErrorObject {
    pub(crate) code: i64,
    pub(crate) message: String,
}

impl ErrorObject {
    pub(crate) fn new(code: i64, message: impl Into<String>) -> Self {
        Self {
            code,
            message: message.into(),
        }
    }
}

/// One line from the client.
#[derive(Debug)]
pub(crate) enum Incoming {
    Request {
        id: RequestId,
        method: String,
        params: Option<Value>,
    },
    Notification,
    /// An answer to a server → client request: the core's or the host's.
    /// `id` is the integer id, if it is one (the host's ids are integers).
    Response {
        id: Option<i64>,
        answer: Result<Value, Value>,
    },
}

/// Reads one line. `Err` is the error to answer with.
pub(crate) fn parse(line: &[u8]) -> Result<Incoming, Outgoing> {
    let Ok(value) = serde_json::from_slice::<Value>(line) else {
        return Err(Outgoing::error(None, PARSE_ERROR, "parse error"));
    };
    let Value::Object(mut message) = value else {
        return Err(Outgoing::error(None, INVALID_REQUEST, "not a JSON object"));
    };
    let id = message.remove("id");
    let method = message.remove("method");
    let request_id = id.clone().and_then(|id| RequestId::deserialize(id).ok());
    if message.get("jsonrpc").is_some_and(|v| v != JSONRPC) {
        let error = format!("jsonrpc must be \"{JSONRPC}\"");
        return Err(Outgoing::error(request_id, INVALID_REQUEST, error));
    }
    match (method, request_id) {
        (Some(Value::String(method)), Some(id)) => Ok(Incoming::Request {
            id,
            method,
            params: message.remove("params"),
        }),
        (Some(Value::String(_)), None) if id.is_none() => Ok(Incoming::Notification),
        (None, _) if is_response(&message) => Ok(Incoming::Response {
            id: id.as_ref().and_then(Value::as_i64),
            answer: match (message.remove("result"), message.remove("error")) {
                (Some(result), None) => Ok(result),
                (_, error) => Err(error.unwrap_or(Value::Null)),
            },
        }),
        (_, id) => Err(Outgoing::error(id, INVALID_REQUEST, "invalid request")),
    }
}

fn is_response(message: &Map<String, Value>) -> bool {
    message.contains_key("result") || message.contains_key("error")
}

/// A method's params, or the -32602 error to answer with.
pub(crate) fn params<P: DeserializeOwned>(params: Option<Value>) -> Result<P, ErrorObject> {
    serde_json::from_value(params.unwrap_or(Value::Null))
        .map_err(|error| ErrorObject::new(INVALID_PARAMS, format!("invalid params: {error}")))
}

/// What the writer task writes, one message a line.
#[derive(Debug)]
pub(crate) enum Outgoing {
    Response {
        id: RequestId,
        result: Value,
    },
    Error {
        id: Option<RequestId>,
        error: ErrorObject,
    },
    /// The host's own server → client request, with its own integer id.
    Request {
        id: i64,
        method: &'static str,
        params: Value,
    },
    /// A request the attestwire core encoded (`attestation/generate`),
    /// written as it is.
    Core(OutgoingMessage), // [attestwire]
}

impl Outgoing {
    pub(crate) fn error(id: Option<RequestId>, code: i64, message: impl Into<String>) -> Self {
        Self::Error {
            id,
            error: ErrorObject::new(code, message),
        }
    }

    /// The message as one line of JSONL.
    pub(crate) fn into_line(self) -> Result<String, serde_json::Error> {
        let mut line = self.into_text()?;
        line.push('\n');
        Ok(line)
    }

    /// The message as one compact JSON text, without a newline: a
    /// WebSocket text frame.
    pub(crate) fn into_text(self) -> Result<String, serde_json::Error> {
        // Structs rather than `json!`, so that `jsonrpc` comes first
        // whatever serde_json features the build turns on.
        #[derive(Serialize)]
        struct ResponseLine<'a> {
            jsonrpc: &'static str,
            id: &'a RequestId,
            result: &'a Value,
        }
        #[derive(Serialize)]
        struct ErrorLine<'a> {
            jsonrpc: &'static str,
            id: &'a Option<RequestId>,
            error: &'a ErrorObject,
        }
        #[derive(Serialize)]
        struct RequestLine<'a> {
            jsonrpc: &'static str,
            id: i64,
            method: &'a str,
            params: &'a Value,
        }
        Ok(match self {
            Self::Response { id, result } => serde_json::to_string(&ResponseLine {
                jsonrpc: JSONRPC,
                id: &id,
                result: &result,
            })?,
            Self::Error { id, error } => serde_json::to_string(&ErrorLine {
                jsonrpc: JSONRPC,
                id: &id,
                error: &error,
            })?,
            Self::Request { id, method, params } => serde_json::to_string(&RequestLine {
                jsonrpc: JSONRPC,
                id,
                method,
                params: &params,
            })?,
            Self::Core(message) => message.into_string(), // [attestwire]
        })
    }
}

/// Params of `initialize`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct InitializeParams {
    pub(crate) client_info: ClientInfo,
    #[serde(default)]
    pub(crate) capabilities: Capabilities,
}

#[derive(Debug, Deserialize)]
pub(crate) struct ClientInfo {
    pub(crate) name: String,
    pub(crate) version: String,
}

/// The host's capabilities, with attestwire's flattened in: the client
/// writes `{"experimentalApi":true,"requestAttestation":true}`.
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct Capabilities {
    #[serde(default)]
    pub(crate) experimental_api: bool,
    #[serde(flatten)] // [attestwire]
    pub(crate) attestation: ClientCapabilities, // [attestwire]
}

/// Params of `thread/start` and `turn/start`.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub(crate) struct ThreadParams {
    pub(crate) thread_id: String,
}
