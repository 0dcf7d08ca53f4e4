//! The core's errors: why a typed server-to-client request produced no
//! usable response. (A served connection's errors are the server's,
//! `server/error.rs`.)

use std::time::Duration;

use attestwire_protocol::JsonRpcErrorObject;

/// Why a server-to-client request produced no usable response.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RequestError {
    /// No answer before the deadline, which covers queueing, writing and
    /// waiting.
    #[error("no response within the deadline of {deadline:?}")]
    Timeout {
        /// The deadline the request was given.
        deadline: Duration,
    },
    /// The client answered with a JSON-RPC error.
    // Display shows the code only: the message is the client's text.
    #[error("the client answered with JSON-RPC error {}", .0.code)]
    Rejected(JsonRpcErrorObject),
    /// The request could not complete: the connection is unknown or closed,
    /// or the send failed.
    #[error("the request was canceled: the connection closed or the send failed")]
    Canceled,
    /// The client answered, but not with the method's response type.
    #[error(transparent)]
    Malformed(MalformedResponse),
}

/// A response that does not fit the method's response type. Its message
/// never quotes the client's values, so a token sent in the wrong place
/// cannot reach a log through it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("malformed `{method}` response: {reason}")]
pub struct MalformedResponse {
    method: &'static str,
    reason: String,
}

impl MalformedResponse {
    /// The result did not deserialize into the response type.
    pub(crate) fn from_serde(method: &'static str, error: &serde_json::Error) -> Self {
        Self {
            method,
            reason: redact_values(&error.to_string()),
        }
    }

    /// The answer had the id of the request but was not a valid JSON-RPC
    /// response (e.g. a wrong `jsonrpc` value, or an `error` that is not an
    /// error object).
    pub(crate) fn not_a_response(method: &'static str) -> Self {
        Self {
            method,
            reason: "the answer is not a valid JSON-RPC response".to_owned(),
        }
    }

    /// The wire name of the method that got the response.
    pub fn method(&self) -> &'static str {
        self.method
    }

    /// What is wrong with the response, with the client's values left out.
    pub fn reason(&self) -> &str {
        &self.reason
    }
}

/// Removes the client's values from a serde message.
///
/// serde names the offending value before `, expected …`, quoting a string
/// (`invalid type: string "v1.abc", expected …`) and back-ticking a field or
/// variant (`unknown variant `v1.abc``); such a value may be a token the app
/// put in the wrong place. What follows `expected` describes our own type and
/// is kept, as are the field names of `missing field` / `duplicate field`.
/// Custom messages (the token rule's) never quote the value and pass as they
/// are.
fn redact_values(message: &str) -> String {
    if message.starts_with("missing field") || message.starts_with("duplicate field") {
        return message.to_owned();
    }
    let (head, tail) = match message.find(", expected") {
        Some(at) => message.split_at(at),
        None => (message, ""),
    };
    let mut out = String::with_capacity(message.len());
    let mut chars = head.chars();
    while let Some(c) = chars.next() {
        out.push(c);
        if c == '"' || c == '`' {
            out.push_str("...");
            // Skip to the closing delimiter; serde escapes quotes inside a
            // string with a backslash.
            while let Some(inner) = chars.next() {
                if inner == '\\' {
                    chars.next();
                } else if inner == c {
                    out.push(c);
                    break;
                }
            }
        }
    }
    out.push_str(tail);
    out
}

#[cfg(test)]
mod tests {
    use super::redact_values;

    #[test]
    fn quoted_string_value_is_redacted_and_expectation_kept() {
        assert_eq!(
            redact_values(
                r#"invalid type: string "v1.se\"cret", expected struct AttestationGenerateResponse"#
            ),
            r#"invalid type: string "...", expected struct AttestationGenerateResponse"#
        );
    }

    #[test]
    fn backticked_variant_is_redacted() {
        assert_eq!(
            redact_values("unknown variant `v1.secret`, expected `a` or `b`"),
            "unknown variant `...`, expected `a` or `b`"
        );
    }

    #[test]
    fn missing_field_names_our_field() {
        assert_eq!(
            redact_values("missing field `token`"),
            "missing field `token`"
        );
    }

    #[test]
    fn token_rule_message_passes_unchanged() {
        let message = "attestation token byte 3 is 0x20, outside visible ASCII 0x21-0x7E";
        assert_eq!(redact_values(message), message);
    }
}
