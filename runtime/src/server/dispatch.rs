//! What the built-in server does with each line a client sends: answers
//! to the core's requests go to the core; the handshake and protocol errors
//! are answered here; the host's methods go to their handlers. Runs inside
//! the reader and never awaits.

use std::future::Future;
use std::pin::Pin;

use attestwire_protocol::{
    ErrorCode, Initialize, InitializeParams, InitializeResponse, Initialized, JsonRpcError,
    JsonRpcErrorObject, JsonRpcMessage, JsonRpcNotification, JsonRpcRequest, JsonRpcVersion,
    Method, Notification, RequestId,
};
use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::{Map, Value};

use crate::core::registry::ConnectionId;
use crate::core::routing::{self, Fast};
use crate::core::sink::OutgoingMessage;
use crate::server::handlers::{CatchUnwind, RequestContext};
use crate::server::{ConnectionInfo, Server};

/// What the reader does after a line.
pub(crate) enum Work {
    /// Nothing more.
    None,
    /// Queue this answer.
    Answer(Vec<u8>),
    /// Run a handler off the reader; queue its answer, if any.
    Spawn(Pin<Box<dyn Future<Output = Option<Vec<u8>>> + Send>>),
}

impl From<Option<Vec<u8>>> for Work {
    fn from(answer: Option<Vec<u8>>) -> Self {
        answer.map_or(Self::None, Self::Answer)
    }
}

/// Handles one line.
pub(crate) fn handle_line(server: &Server, connection: ConnectionId, line: &[u8]) -> Work {
    if line.iter().all(u8::is_ascii_whitespace) {
        return Work::None;
    }
    let core = server.core();
    match routing::route_fast(core, connection, line) {
        Fast::Ours => return Work::None,
        Fast::Foreign(id) => {
            foreign_response(connection, &id);
            return Work::None;
        }
        Fast::Other => {}
    }
    let Ok(value) = serde_json::from_slice::<Value>(line) else {
        return error_answer(
            None,
            ErrorCode::PARSE_ERROR,
            "parse error: the line is not valid JSON",
        )
        .into();
    };
    let Value::Object(map) = value else {
        return error_answer(
            None,
            ErrorCode::INVALID_REQUEST,
            "invalid request: expected a JSON object",
        )
        .into();
    };
    if routing::is_response_shaped(&map) {
        // A response is never answered: ours goes to its caller (an invalid
        // one ends it as malformed), any other is dropped. Every request
        // this server sends goes through the core, so no other table waits.
        if !routing::route_object(core, connection, &map) {
            match map.get("id").and_then(|id| RequestId::deserialize(id).ok()) {
                Some(id) => foreign_response(connection, &id),
                None => tracing::debug!(
                    connection = connection.get(),
                    "response without a usable id; dropped"
                ),
            }
        }
        return Work::None;
    }
    // Read before the message is consumed, for answering a message that
    // turns out to be invalid.
    let id = map.get("id").and_then(|id| RequestId::deserialize(id).ok());
    match serde_json::from_value::<JsonRpcMessage>(Value::Object(map)) {
        Ok(JsonRpcMessage::Request(request)) => handle_request(server, connection, request),
        Ok(JsonRpcMessage::Notification(notification)) => {
            handle_notification(server, connection, notification)
        }
        // Response-shaped messages were routed above.
        Ok(JsonRpcMessage::Response(_) | JsonRpcMessage::Error(_)) => Work::None,
        Err(error) => error_answer(
            id,
            ErrorCode::INVALID_REQUEST,
            format!("invalid request: {error}"),
        )
        .into(),
    }
}

fn foreign_response(connection: ConnectionId, id: &RequestId) {
    tracing::debug!(
        connection = connection.get(),
        %id,
        "response to no request of this server; dropped"
    );
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

fn handle_request(server: &Server, connection: ConnectionId, request: JsonRpcRequest) -> Work {
    let JsonRpcRequest {
        id, method, params, ..
    } = request;
    let shared = server.shared();
    let initialized = {
        let connections = shared.connections();
        // Gone already: the connection is closing, nobody reads the answer.
        let Some(host) = connections.get(&connection) else {
            return Work::None;
        };
        host.info.is_some()
    };
    if method == Initialize::METHOD {
        if initialized {
            return error_answer(
                Some(id),
                ErrorCode::INVALID_REQUEST,
                "invalid request: initialize was already received on this connection",
            )
            .into();
        }
        return initialize(server, connection, id, params).into();
    }
    if !initialized {
        return error_answer(
            Some(id),
            ErrorCode::NOT_INITIALIZED,
            "not initialized: send initialize first",
        )
        .into();
    }
    let Some(handler) = shared.handlers.requests.get(&method) else {
        return error_answer(
            Some(id),
            ErrorCode::METHOD_NOT_FOUND,
            format!("method not found: {method}"),
        )
        .into();
    };
    let context = RequestContext {
        server: server.clone(),
        connection,
        id: Some(id.clone()),
    };
    let handler = handler.clone();
    Work::Spawn(Box::pin(async move {
        let outcome = CatchUnwind(Box::pin(async move { handler(context, params).await })).await;
        match outcome {
            Ok(Ok(result)) => response_answer(id, &result),
            Ok(Err(error)) => error_object_answer(Some(id), error),
            Err(_) => {
                tracing::error!(
                    connection = connection.get(),
                    %method,
                    "request handler panicked; answered -32603"
                );
                error_answer(
                    Some(id),
                    ErrorCode::INTERNAL_ERROR,
                    "internal error: the handler failed",
                )
            }
        }
    }))
}

/// Serves `initialize`: records what the client said, tells the core, calls
/// the handshake hook, and answers with `serverInfo`.
fn initialize(
    server: &Server,
    connection: ConnectionId,
    id: RequestId,
    params: Option<Value>,
) -> Option<Vec<u8>> {
    let params = params.unwrap_or(Value::Null);
    let typed = match InitializeParams::deserialize(&params) {
        Ok(typed) => typed,
        Err(error) => {
            return error_answer(
                Some(id),
                ErrorCode::INVALID_PARAMS,
                format!("invalid params for initialize: {error}"),
            );
        }
    };
    let capabilities = typed.capabilities.unwrap_or_default();
    // Every member the client sent, ours and the ones we do not know.
    let raw_capabilities = match params {
        Value::Object(mut params) => match params.remove("capabilities") {
            Some(Value::Object(capabilities)) => capabilities,
            _ => Map::new(),
        },
        _ => Map::new(),
    };
    let info = ConnectionInfo {
        id: connection,
        client_info: typed.client_info,
        capabilities: raw_capabilities,
        request_attestation: capabilities.request_attestation,
        initialized_notification: false,
    };
    let shared = server.shared();
    {
        let mut connections = shared.connections();
        let host = connections.get_mut(&connection)?;
        host.info = Some(info.clone());
    }
    // Told before the answer is queued: once the client reads the answer,
    // the connection is already eligible for requests.
    shared.core.initialized(connection, &capabilities);
    tracing::debug!(
        connection = connection.get(),
        client = %info.client_info.name,
        version = %info.client_info.version,
        request_attestation = capabilities.request_attestation,
        "client initialized"
    );
    if let Some(hook) = &shared.on_handshake {
        hook(server, &info);
    }
    let result: <Initialize as Method>::Response =
        InitializeResponse::new(shared.config.server_info.clone());
    match serde_json::value::to_raw_value(&result) {
        Ok(result) => response_answer(id, &result),
        Err(_) => error_answer(Some(id), ErrorCode::INTERNAL_ERROR, "internal error"),
    }
}

/// Notifications get no answer, whatever they are.
fn handle_notification(
    server: &Server,
    connection: ConnectionId,
    notification: JsonRpcNotification,
) -> Work {
    let shared = server.shared();
    if notification.method == Initialized::METHOD {
        let mut connections = shared.connections();
        match connections
            .get_mut(&connection)
            .and_then(|host| host.info.as_mut())
        {
            Some(info) if !info.initialized_notification => info.initialized_notification = true,
            _ => tracing::debug!(
                connection = connection.get(),
                "`initialized` without a pending handshake; ignored"
            ),
        }
        return Work::None;
    }
    let Some(handler) = shared.handlers.notifications.get(&notification.method) else {
        tracing::debug!(
            connection = connection.get(),
            method = %notification.method,
            "unknown notification; ignored"
        );
        return Work::None;
    };
    let context = RequestContext {
        server: server.clone(),
        connection,
        id: None,
    };
    let future = handler(context, notification.params);
    let method = notification.method;
    Work::Spawn(Box::pin(async move {
        if CatchUnwind(future).await.is_err() {
            tracing::error!(
                connection = connection.get(),
                %method,
                "notification handler panicked"
            );
        }
        None
    }))
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
    error_object_answer(id, JsonRpcErrorObject::new(code, message))
}

/// A handler's error goes out as it named it, with its message bounded
/// like ours.
fn error_object_answer(id: Option<RequestId>, mut error: JsonRpcErrorObject) -> Option<Vec<u8>> {
    error.message = bounded(error.message);
    encode_line(&JsonRpcError::new(id, error))
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

fn response_answer(id: RequestId, result: &RawValue) -> Option<Vec<u8>> {
    encode_line(&Response {
        jsonrpc: JsonRpcVersion,
        id,
        result,
    })
}

/// A successful response whose result is already encoded.
#[derive(Serialize)]
struct Response<'a> {
    jsonrpc: JsonRpcVersion,
    id: RequestId,
    result: &'a RawValue,
}

fn encode_line(message: &impl Serialize) -> Option<Vec<u8>> {
    OutgoingMessage::encode(message).map(OutgoingMessage::into_line)
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
