//! What a connection does with each line a client sends: the handshake,
//! responses to our requests, and a JSON-RPC error for everything else.
//! Runs inside the reader and never awaits.

use attestwire_protocol::{
    ErrorCode, Initialize, InitializeResponse, Initialized, JsonRpcError, JsonRpcErrorObject,
    JsonRpcMessage, JsonRpcNotification, JsonRpcRequest, JsonRpcResponse, JsonRpcVersion, Method,
    Notification, RequestId,
};
use serde::Deserialize;
use serde_json::Value;
use serde_json::value::RawValue;

use crate::pending::Reply;
use crate::registry::{ConnectionId, Handshake};
use crate::server::Shared;
use crate::transport::encode_line;

/// Handles one line; returns the answer to queue, if any.
pub(crate) fn handle_line(
    shared: &Shared,
    connection: ConnectionId,
    line: &[u8],
) -> Option<Vec<u8>> {
    if line.iter().all(u8::is_ascii_whitespace) {
        return None;
    }
    // The common line is an answer to one of our requests: read it straight
    // into its fields instead of a whole-line `Value` converted twice
    // (BENCHMARKS.md, figure 1). Anything else, including a line this
    // cannot read, takes the general path below, which decides the same way
    // for every line this accepts: no `method`, a valid `id` and `jsonrpc`,
    // and a `result` make a response.
    if let Ok(answer) = serde_json::from_slice::<Answer>(line)
        && !answer.method
    {
        resolve(shared, connection, answer.id, Reply::Result(answer.result));
        return None;
    }
    let Ok(value) = serde_json::from_slice::<Value>(line) else {
        return error_answer(
            None,
            ErrorCode::PARSE_ERROR,
            "parse error: the line is not valid JSON",
        );
    };
    let Value::Object(map) = &value else {
        return error_answer(
            None,
            ErrorCode::INVALID_REQUEST,
            "invalid request: expected a JSON object",
        );
    };
    // Read before the message is consumed, for answering (or resolving) a
    // message that turns out to be invalid.
    let id = map.get("id").and_then(|id| RequestId::deserialize(id).ok());
    let is_response =
        !map.contains_key("method") && (map.contains_key("result") || map.contains_key("error"));

    match serde_json::from_value::<JsonRpcMessage>(value) {
        Ok(JsonRpcMessage::Request(request)) => handle_request(shared, connection, request),
        Ok(JsonRpcMessage::Notification(notification)) => {
            handle_notification(shared, connection, &notification);
            None
        }
        Ok(JsonRpcMessage::Response(response)) => {
            // Reached only by answers the fast path cannot read, such as
            // one repeating a top-level member.
            let reply = serde_json::value::to_raw_value(&response.result)
                .map_or(Reply::Invalid, Reply::Result);
            resolve(shared, connection, response.id, reply);
            None
        }
        Ok(JsonRpcMessage::Error(JsonRpcError {
            id: Some(id),
            error,
            ..
        })) => {
            resolve(shared, connection, id, Reply::Error(Box::new(error)));
            None
        }
        Ok(JsonRpcMessage::Error(JsonRpcError {
            id: None, error, ..
        })) => {
            tracing::debug!(
                connection = connection.get(),
                code = error.code.0,
                "client sent an error with id null; dropped"
            );
            None
        }
        // A response is never answered. If it names one of our requests,
        // that caller learns now that the answer is unusable (status 4)
        // instead of waiting for its deadline.
        Err(_) if is_response => {
            match id {
                Some(id) => resolve(shared, connection, id, Reply::Invalid),
                None => tracing::debug!(
                    connection = connection.get(),
                    "invalid response without a usable id; dropped"
                ),
            }
            None
        }
        Err(error) => error_answer(
            id,
            ErrorCode::INVALID_REQUEST,
            format!("invalid request: {error}"),
        ),
    }
}

/// A successful response, read without building the rest of the line.
#[derive(Deserialize)]
struct Answer {
    // Validated ("2.0" or absent), then not needed.
    #[serde(default, rename = "jsonrpc")]
    _jsonrpc: JsonRpcVersion,
    id: RequestId,
    result: Box<RawValue>,
    /// Whether a `method` member is present at all, even as `null`: such a
    /// line is a request, and the general path answers it.
    #[serde(default, deserialize_with = "present")]
    method: bool,
}

fn present<'de, D: serde::Deserializer<'de>>(deserializer: D) -> Result<bool, D::Error> {
    serde::de::IgnoredAny::deserialize(deserializer).map(|_| true)
}

/// The answer sent before closing a connection whose line is too long.
pub(crate) fn frame_too_long(limit: usize) -> Option<Vec<u8>> {
    error_answer(
        None,
        ErrorCode::INVALID_REQUEST,
        format!(
            "invalid request: the line exceeds the frame limit of {limit} bytes; closing the connection"
        ),
    )
}

fn handle_request(
    shared: &Shared,
    connection: ConnectionId,
    request: JsonRpcRequest,
) -> Option<Vec<u8>> {
    let JsonRpcRequest {
        id, method, params, ..
    } = request;
    let mut registry = shared.registry();
    // Gone already: the connection is closing, nobody reads the answer.
    let state = registry.get_mut(connection)?;
    let initialized = state.handshake != Handshake::AwaitingInitialize;

    if method == Initialize::METHOD {
        if initialized {
            return error_answer(
                Some(id),
                ErrorCode::INVALID_REQUEST,
                "invalid request: initialize was already received on this connection",
            );
        }
        let params: <Initialize as Method>::Params =
            match serde_json::from_value(params.unwrap_or(Value::Null)) {
                Ok(params) => params,
                Err(error) => {
                    return error_answer(
                        Some(id),
                        ErrorCode::INVALID_PARAMS,
                        format!("invalid params for initialize: {error}"),
                    );
                }
            };
        let capabilities = params.capabilities.unwrap_or_default();
        // Updated before the answer is queued: once the client reads the
        // answer, the connection is already eligible for requests.
        state.handshake = Handshake::Initialized;
        state.capabilities = capabilities;
        drop(registry);
        tracing::debug!(
            connection = connection.get(),
            client = %params.client_info.name,
            version = %params.client_info.version,
            request_attestation = capabilities.request_attestation,
            "client initialized"
        );
        let result: <Initialize as Method>::Response = InitializeResponse {
            server_info: shared.config.server_info.clone(),
        };
        return response_answer(id, &result);
    }
    if !initialized {
        return error_answer(
            Some(id),
            ErrorCode::NOT_INITIALIZED,
            "not initialized: send initialize first",
        );
    }
    error_answer(
        Some(id),
        ErrorCode::METHOD_NOT_FOUND,
        format!("method not found: {method}"),
    )
}

/// Notifications get no answer, whatever they are.
fn handle_notification(
    shared: &Shared,
    connection: ConnectionId,
    notification: &JsonRpcNotification,
) {
    if notification.method != Initialized::METHOD {
        tracing::debug!(
            connection = connection.get(),
            method = %notification.method,
            "unknown notification; ignored"
        );
        return;
    }
    let mut registry = shared.registry();
    match registry.get_mut(connection) {
        Some(state) if state.handshake == Handshake::Initialized => {
            state.handshake = Handshake::Ready;
        }
        _ => tracing::debug!(
            connection = connection.get(),
            "`initialized` without a pending handshake; ignored"
        ),
    }
}

/// Hands a response to the caller waiting for (this connection, id).
fn resolve(shared: &Shared, connection: ConnectionId, id: RequestId, reply: Reply) {
    // Only the id is logged: a result may hold a token.
    let waiter = shared.registry().take_pending(connection, &id);
    match waiter {
        Some(waiter) => {
            if waiter.send(reply).is_err() {
                tracing::debug!(
                    connection = connection.get(),
                    %id,
                    "response arrived as its caller gave up; dropped"
                );
            }
        }
        None => tracing::debug!(
            connection = connection.get(),
            %id,
            "response matches no pending request on this connection (late, duplicate or unknown); dropped"
        ),
    }
}

/// The longest error `message` we send, in bytes. Messages may quote the
/// client's values escaped for Rust's `Debug` (serde's `invalid type: string
/// "…"`, our `unsupported jsonrpc version "…"`), where one byte the client
/// sent can become seven (DEL is `\u{7f}`). Unbounded, a 1 MiB line could
/// queue a 7 MiB answer; bounded, an answer costs its echoed id (never longer
/// than the line) plus a constant, so a full queue holds at most
/// `write_queue` frames.
const MAX_MESSAGE: usize = 256;

fn error_answer(
    id: Option<RequestId>,
    code: ErrorCode,
    message: impl Into<String>,
) -> Option<Vec<u8>> {
    encode_line(&JsonRpcError {
        jsonrpc: JsonRpcVersion,
        id,
        error: JsonRpcErrorObject::new(code, bounded(message.into())),
    })
}

/// `message`, cut to at most `MAX_MESSAGE` bytes (at a character boundary,
/// marked with `...`).
fn bounded(mut message: String) -> String {
    const MARK: &str = "...";
    if message.len() > MAX_MESSAGE {
        let mut end = MAX_MESSAGE - MARK.len();
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        message.truncate(end);
        message.push_str(MARK);
    }
    message
}

fn response_answer(id: RequestId, result: &impl serde::Serialize) -> Option<Vec<u8>> {
    let result = match serde_json::to_value(result) {
        Ok(result) => result,
        Err(error) => {
            tracing::error!(%error, "could not encode a result");
            return error_answer(Some(id), ErrorCode::INTERNAL_ERROR, "internal error");
        }
    };
    encode_line(&JsonRpcResponse {
        jsonrpc: JsonRpcVersion,
        id,
        result,
    })
}

#[cfg(test)]
mod tests {
    use super::{MAX_MESSAGE, bounded};

    #[test]
    fn short_message_is_kept_as_is() {
        let message = "method not found: thread/start".to_owned();
        assert_eq!(bounded(message.clone()), message);
        let exact = "x".repeat(MAX_MESSAGE);
        assert_eq!(bounded(exact.clone()), exact);
    }

    #[test]
    fn long_message_is_cut_at_a_character_boundary_and_marked() {
        let message = format!("method not found: {}", "é".repeat(MAX_MESSAGE));
        let cut = bounded(message.clone());
        assert!(cut.len() <= MAX_MESSAGE, "{}", cut.len());
        assert!(cut.ends_with("é..."), "{cut}");
        assert!(message.starts_with(cut.trim_end_matches("...")));
    }
}
