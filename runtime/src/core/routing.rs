//! Which received messages are answers to the core's requests, and handing
//! each to its waiting caller. Runs on the host's reader; never awaits.

use std::borrow::Cow;

use attestwire_protocol::{JsonRpcError, JsonRpcMessage, JsonRpcVersion, RequestId};
use serde::Deserialize;
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::core::Core;
use crate::core::pending::Reply;
use crate::core::registry::ConnectionId;

/// What the fast path made of a line.
pub(crate) enum Fast {
    /// An answer to one of the core's requests; consumed.
    Ours,
    /// A well-formed successful response with a string id that is not the
    /// core's.
    Foreign(RequestId),
    /// Not a plain successful response: take the general path.
    Other,
}

/// The common line is an answer to one of our requests: read it straight
/// into its fields instead of a whole-line `Value` converted twice
/// (BENCHMARKS.md, figure 1). Anything else, including a line this cannot
/// read, takes the general path ([`route_object`]), which decides the same
/// way for every line this accepts: no `method`, no `error`, a valid `id`
/// and `jsonrpc`, and a `result` make a response.
pub(crate) fn route_fast(core: &Core, connection: ConnectionId, line: &[u8]) -> Fast {
    let Ok(answer) = serde_json::from_slice::<Answer<'_>>(line) else {
        return Fast::Other;
    };
    if answer.method || answer.error {
        return Fast::Other;
    }
    let Answer { id, result, .. } = answer;
    if core.resolve_text(connection, &id, || Reply::Result(result)) {
        Fast::Ours
    } else {
        Fast::Foreign(RequestId::String(id.into_owned()))
    }
}

/// The general path, over a parsed message: `true` when it is
/// response-shaped (no `method`; a `result` or an `error`) and carries one
/// of the core's ids. A message with our id that is not a valid response
/// ends its request now as malformed (status 4) rather than at its deadline.
pub(crate) fn route_object(
    core: &Core,
    connection: ConnectionId,
    map: &Map<String, Value>,
) -> bool {
    if !is_response_shaped(map) {
        return false;
    }
    let Some(id) = map.get("id").and_then(|id| RequestId::deserialize(id).ok()) else {
        return false;
    };
    core.resolve_with(connection, &id, || {
        match JsonRpcMessage::deserialize(&Value::Object(map.clone())) {
            // Reached only by answers the fast path cannot read, such as one
            // repeating a top-level member, or a host's parsed message.
            Ok(JsonRpcMessage::Response(response)) => Reply::Value(Box::new(response.result)),
            Ok(JsonRpcMessage::Error(JsonRpcError {
                id: Some(_), error, ..
            })) => Reply::Error(Box::new(error)),
            // Both `result` and `error`, or a bad member: status 4.
            _ => Reply::Invalid,
        }
    })
}

/// No `method`, and a `result` or an `error`: what a response looks like,
/// valid or not.
pub(crate) fn is_response_shaped(map: &Map<String, Value>) -> bool {
    !map.contains_key("method") && (map.contains_key("result") || map.contains_key("error"))
}

/// [`Core::handle_message`]: the fast path, then the general one.
pub(crate) fn handle_message(core: &Core, connection: ConnectionId, json: &[u8]) -> bool {
    match route_fast(core, connection, json) {
        Fast::Ours => true,
        Fast::Foreign(_) => false,
        Fast::Other => match serde_json::from_slice::<Value>(json) {
            Ok(Value::Object(map)) => route_object(core, connection, &map),
            _ => false,
        },
    }
}

/// A successful response with a string id, read without building the rest
/// of the line. The id is borrowed from the line (the core's ids never need
/// escaping); an integer id fails here and takes the general path, which
/// decides the same way.
#[derive(Deserialize)]
struct Answer<'a> {
    // Validated ("2.0" or absent), then not needed.
    #[serde(default, rename = "jsonrpc")]
    _jsonrpc: JsonRpcVersion,
    #[serde(borrow)]
    id: Cow<'a, str>,
    result: Box<RawValue>,
    /// Whether a `method` member is present at all, even as `null`: such a
    /// line is a request, and the general path answers it.
    #[serde(default, deserialize_with = "present")]
    method: bool,
    /// Whether an `error` member is present too: a line with both is not a
    /// response (status 4), and the general path says so.
    #[serde(default, deserialize_with = "present")]
    error: bool,
}

fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer).map(|_| true)
}
