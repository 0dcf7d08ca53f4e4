//! `attestation/generate`: the server asks the client for a fresh token.

#[cfg(feature = "schema")]
use std::borrow::Cow;
use std::fmt;

#[cfg(feature = "schema")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::{Deserialize, Serialize};
#[cfg(feature = "schema")]
use ts_rs::{Config, TS};

/// The fewest bytes a token may have.
pub const TOKEN_MIN_BYTES: usize = 1;
/// The most bytes a token may have.
pub const TOKEN_MAX_BYTES: usize = 8192;
/// The token rule as an ECMAScript / JSON Schema pattern: one or more
/// visible ASCII characters, so it rejects the empty string on its own (the
/// upper length is checked by `maxLength`).
pub const TOKEN_PATTERN: &str = r"^[\x21-\x7E]+$";

/// Why a string breaks the token rule. Never carries the token itself, so it
/// is safe to log.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum TokenError {
    /// The token is the empty string.
    #[error("attestation token is empty")]
    Empty,
    /// The token is longer than 8192 bytes.
    #[error("attestation token is {len} bytes, more than the limit of {TOKEN_MAX_BYTES}")]
    TooLong {
        /// The token's length in bytes.
        len: usize,
    },
    /// A byte outside 0x21–0x7E (visible ASCII).
    #[error("attestation token byte {index} is 0x{byte:02X}, outside visible ASCII 0x21-0x7E")]
    InvalidByte {
        /// Offset of the first offending byte.
        index: usize,
        /// The offending byte.
        byte: u8,
    },
}

/// Checks a token against the token rule: 1 to 8192 bytes, each a visible
/// ASCII character (0x21–0x7E). A token that passes can be placed in an HTTP
/// header value without escaping problems.
pub fn validate_token(token: &str) -> Result<(), TokenError> {
    let bytes = token.as_bytes();
    if bytes.is_empty() {
        return Err(TokenError::Empty);
    }
    if bytes.len() > TOKEN_MAX_BYTES {
        return Err(TokenError::TooLong { len: bytes.len() });
    }
    match bytes.iter().position(|b| !(0x21..=0x7E).contains(b)) {
        Some(index) => Err(TokenError::InvalidByte {
            index,
            byte: bytes[index],
        }),
        None => Ok(()),
    }
}

/// An attestation token that satisfies the token rule. Opaque: its `Debug`
/// output shows only its length, so it cannot leak into logs.
#[derive(Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct AttestationToken(String);

impl AttestationToken {
    /// Validates `token` against the token rule.
    pub fn new(token: impl Into<String>) -> Result<Self, TokenError> {
        let token = token.into();
        validate_token(&token)?;
        Ok(Self(token))
    }

    /// The token text. Callers must not log it.
    pub fn expose(&self) -> &str {
        &self.0
    }

    /// The token's length in bytes.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always `false`: the rule forbids empty tokens.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

impl TryFrom<String> for AttestationToken {
    type Error = TokenError;
    fn try_from(value: String) -> Result<Self, TokenError> {
        Self::new(value)
    }
}

impl From<AttestationToken> for String {
    fn from(value: AttestationToken) -> Self {
        value.0
    }
}

impl fmt::Debug for AttestationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "AttestationToken(<redacted, {} bytes>)", self.0.len())
    }
}

#[cfg(feature = "schema")]
impl JsonSchema for AttestationToken {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "AttestationToken".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({
            "type": "string",
            "minLength": TOKEN_MIN_BYTES,
            "maxLength": TOKEN_MAX_BYTES,
            "pattern": TOKEN_PATTERN,
        })
    }
}

// A plain `string` in TypeScript; the rule is stated in the field's JSDoc.
#[cfg(feature = "schema")]
impl TS for AttestationToken {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;
    fn name(_: &Config) -> String {
        "string".to_owned()
    }
    fn inline(cfg: &Config) -> String {
        Self::name(cfg)
    }
}

/// Params of `attestation/generate`: an empty object, `{}`.
// TypeScript `{}`: reads as an empty object in hovers and rejects `null`
// and `undefined` (ts-rs would write `Record<symbol, never>`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
#[cfg_attr(feature = "schema", ts(type = "{}"))]
pub struct AttestationGenerateParams {}

/// Result of `attestation/generate`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
pub struct AttestationGenerateResponse {
    /// A fresh attestation token: 1 to 8192 characters, each visible ASCII
    /// (0x21–0x7E, no spaces). A response that breaks this rule is treated
    /// as malformed (status 4).
    pub token: AttestationToken,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn token_rule_accepts_1_to_8192_visible_ascii_bytes() {
        assert_eq!(validate_token("!"), Ok(()));
        assert_eq!(validate_token("~"), Ok(()));
        assert_eq!(validate_token(&"A".repeat(8192)), Ok(()));
        assert_eq!(validate_token("v1.opaque-client-payload"), Ok(()));
    }

    #[test]
    fn token_rule_rejections_name_the_problem() {
        assert_eq!(validate_token(""), Err(TokenError::Empty));
        assert_eq!(
            validate_token(&"A".repeat(8193)),
            Err(TokenError::TooLong { len: 8193 })
        );
        let cases = [
            ("a b", 1, 0x20),
            ("a\u{1}b", 1, 0x01),
            ("a\u{7f}", 1, 0x7F),
            ("caf\u{e9}", 3, 0xC3),
            ("\tx", 0, 0x09),
        ];
        for (token, index, byte) in cases {
            assert_eq!(
                validate_token(token),
                Err(TokenError::InvalidByte { index, byte }),
                "{token:?}"
            );
        }
    }

    #[test]
    fn response_with_a_bad_token_does_not_deserialize() {
        for json in [
            r#"{"token":""}"#,
            r#"{"token":"a b"}"#,
            r#"{"token":"a\u007f"}"#,
            r#"{}"#,
            r#"{"token":null}"#,
        ] {
            let err = serde_json::from_str::<AttestationGenerateResponse>(json).unwrap_err();
            assert!(!err.to_string().is_empty());
        }
        let ok: AttestationGenerateResponse = serde_json::from_str(r#"{"token":"abc"}"#).unwrap();
        assert_eq!(ok.token.expose(), "abc");
    }

    #[test]
    fn token_error_messages_do_not_contain_the_token() {
        let err = AttestationToken::new("SECRET TOKEN").unwrap_err();
        assert!(!err.to_string().contains("SECRET"), "{err}");
    }
}
