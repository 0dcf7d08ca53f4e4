//! The `x-oai-attestation` header and its JSON envelope.

#[cfg(feature = "schema")]
use std::borrow::Cow;

#[cfg(feature = "schema")]
use schemars::{JsonSchema, Schema, SchemaGenerator};
use serde::{Deserialize, Deserializer, Serialize};
#[cfg(feature = "schema")]
use serde_json::{Value, json};
use serde_repr::{Deserialize_repr, Serialize_repr};
#[cfg(feature = "schema")]
use ts_rs::{Config, TS};

use crate::attestation::AttestationToken;
use crate::literal::HeaderVersion;

/// The HTTP header that carries the envelope (lower case, as HTTP/2 requires).
pub const HEADER_NAME: &str = "x-oai-attestation";

/// How the attempt to get a token ended, as sent in the envelope's `s`.
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize_repr, Deserialize_repr,
)]
#[repr(u8)]
pub enum AttestationStatus {
    /// 0: the app answered with a valid token; `t` holds it.
    Ok = 0,
    /// 1: the app did not answer before the deadline.
    Timeout = 1,
    /// 2: the app answered with a JSON-RPC error.
    RequestFailed = 2,
    /// 3: the request could not complete: the connection closed, or the send failed.
    RequestCanceled = 3,
    /// 4: the answer was not `{ token }`, or the token broke the token rule.
    MalformedResponse = 4,
}

impl AttestationStatus {
    /// Every status, in wire order.
    pub const ALL: [Self; 5] = [
        Self::Ok,
        Self::Timeout,
        Self::RequestFailed,
        Self::RequestCanceled,
        Self::MalformedResponse,
    ];

    /// The wire value.
    pub const fn code(self) -> u8 {
        self as u8
    }

    /// The status's name, as used for the TypeScript constants.
    pub const fn name(self) -> &'static str {
        match self {
            Self::Ok => "Ok",
            Self::Timeout => "Timeout",
            Self::RequestFailed => "RequestFailed",
            Self::RequestCanceled => "RequestCanceled",
            Self::MalformedResponse => "MalformedResponse",
        }
    }

    /// What the status means, for the schema and the TypeScript docs.
    pub const fn description(self) -> &'static str {
        match self {
            Self::Ok => "The app answered with a valid token; `t` holds it.",
            Self::Timeout => "The app did not answer before the deadline.",
            Self::RequestFailed => "The app answered with a JSON-RPC error.",
            Self::RequestCanceled => {
                "The request could not complete: the connection closed, or the send failed."
            }
            Self::MalformedResponse => {
                "The answer was not `{ token }`, or the token broke the token rule."
            }
        }
    }
}

#[cfg(feature = "schema")]
const STATUS_DOC: &str = "How the attempt to get a token ended: 0 Ok, 1 Timeout, 2 RequestFailed, 3 RequestCanceled, 4 MalformedResponse.";

#[cfg(feature = "schema")]
impl JsonSchema for AttestationStatus {
    fn schema_name() -> Cow<'static, str> {
        "AttestationStatus".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        let codes: Vec<u8> = Self::ALL.iter().map(|s| s.code()).collect();
        let branches: Vec<Value> = Self::ALL
            .iter()
            .map(
                |s| json!({ "const": s.code(), "title": s.name(), "description": s.description() }),
            )
            .collect();
        let mut schema = Schema::default();
        schema.insert("description".to_owned(), json!(STATUS_DOC));
        schema.insert("type".to_owned(), json!("integer"));
        schema.insert("enum".to_owned(), json!(codes));
        schema.insert("oneOf".to_owned(), json!(branches));
        schema
    }
}

#[cfg(feature = "schema")]
impl TS for AttestationStatus {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;
    fn docs() -> Option<String> {
        let mut docs = format!("/**\n * {STATUS_DOC}\n *\n");
        for s in Self::ALL {
            docs.push_str(&format!(
                " * - `{}` {}: {}\n",
                s.code(),
                s.name(),
                s.description()
            ));
        }
        docs.push_str(" *\n * Named constants: `AttestationStatus` in `methods.ts`.\n */\n");
        Some(docs)
    }
    fn name(_: &Config) -> String {
        "AttestationStatus".to_owned()
    }
    fn inline(_: &Config) -> String {
        let codes: Vec<String> = Self::ALL.iter().map(|s| s.code().to_string()).collect();
        codes.join(" | ")
    }
    fn decl(cfg: &Config) -> String {
        format!("type AttestationStatus = {};", Self::inline(cfg))
    }
    fn decl_concrete(cfg: &Config) -> String {
        Self::decl(cfg)
    }
    fn output_path() -> Option<std::path::PathBuf> {
        Some("AttestationStatus.ts".into())
    }
}

// One text for the Rust docs and the TypeScript JSDoc (a `const` cannot be
// used in `#[doc]`, a macro expanding to a literal can).
macro_rules! header_doc {
    () => {
        "The value of the `x-oai-attestation` header: compact JSON\n\
         `{\"v\":1,\"s\":STATUS,\"t\":TOKEN}`, keys in that order, no spaces. `t` is\n\
         present exactly when `s` is 0."
    };
}
macro_rules! token_doc {
    () => {
        "The token, present exactly when `s` is 0: 1 to 8192 characters, each\n\
         visible ASCII (0x21–0x7E)."
    };
}

#[doc = header_doc!()]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema))]
#[cfg_attr(feature = "schema", schemars(transform = token_iff_ok))]
pub struct AttestationHeader {
    /// Envelope format version; always `1`.
    #[serde(rename = "v")]
    version: HeaderVersion,
    /// How the attempt ended; see `AttestationStatus`.
    #[serde(rename = "s")]
    status: AttestationStatus,
    #[doc = token_doc!()]
    #[serde(rename = "t", default, skip_serializing_if = "Option::is_none")]
    token: Option<AttestationToken>,
}

// Written by hand so that TypeScript, like serde and the schema, ties `t` to
// `s`: a union of "status 0 with a token" and "any other status without
// one", instead of the derived `{ s: AttestationStatus, t?: string }` that
// accepts `{v:1,s:0}` and `{v:1,s:1,t:"…"}`.
#[cfg(feature = "schema")]
impl TS for AttestationHeader {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;
    fn docs() -> Option<String> {
        Some(jsdoc("", header_doc!()))
    }
    fn name(_: &Config) -> String {
        "AttestationHeader".to_owned()
    }
    fn inline(_: &Config) -> String {
        let failures: Vec<String> = Self::failure_statuses()
            .map(|s| s.code().to_string())
            .collect();
        format!(
            "{{\n{v}  v: 1;\n{s_ok}  s: 0;\n{t}  t: string;\n}} | {{\n{v}  v: 1;\n{s_fail}  s: {};\n}}",
            failures.join(" | "),
            v = jsdoc("  ", "Envelope format version; always `1`."),
            s_ok = jsdoc(
                "  ",
                "`AttestationStatus.Ok`: the app answered with a valid token."
            ),
            t = jsdoc("  ", token_doc!()),
            s_fail = jsdoc(
                "  ",
                "How the attempt ended without a token; see `AttestationStatus`."
            ),
        )
    }
    fn decl(cfg: &Config) -> String {
        format!("type AttestationHeader = {};", Self::inline(cfg))
    }
    fn decl_concrete(cfg: &Config) -> String {
        Self::decl(cfg)
    }
    fn output_path() -> Option<std::path::PathBuf> {
        Some("AttestationHeader.ts".into())
    }
}

#[cfg(feature = "schema")]
/// A JSDoc block for `text`, each line prefixed by `indent`.
fn jsdoc(indent: &str, text: &str) -> String {
    let mut out = format!("{indent}/**\n");
    for line in text.lines() {
        out.push_str(&format!("{indent} * {line}\n"));
    }
    out.push_str(&format!("{indent} */\n"));
    out
}

#[cfg(feature = "schema")]
/// `t` is required when `s` is 0 and forbidden otherwise, as in `Deserialize`.
// Each branch names `t` in its own `properties` because strict validators
// (ajv's strictRequired) look for a `required` name only in the subschema
// that holds it, not in the parent's `properties`. `t: true` adds no rule
// (the parent's `properties.t` still checks the token); `t: false` in `else`
// forbids `t`, which for an object (the parent says `type: object`) is what
// `not: { required: ["t"] }` said.
fn token_iff_ok(schema: &mut Schema) {
    schema.insert(
        "if".to_owned(),
        json!({ "properties": { "s": { "const": 0 } } }),
    );
    schema.insert(
        "then".to_owned(),
        json!({ "properties": { "t": true }, "required": ["t"] }),
    );
    schema.insert("else".to_owned(), json!({ "properties": { "t": false } }));
}

impl AttestationHeader {
    /// Status 0 with the token.
    pub fn ok(token: AttestationToken) -> Self {
        Self {
            version: HeaderVersion,
            status: AttestationStatus::Ok,
            token: Some(token),
        }
    }

    /// A status without a token. `None` for `AttestationStatus::Ok`, which
    /// needs one (use [`AttestationHeader::ok`]).
    pub fn failure(status: AttestationStatus) -> Option<Self> {
        (status != AttestationStatus::Ok).then_some(Self {
            version: HeaderVersion,
            status,
            token: None,
        })
    }

    /// Status 1: no answer before the deadline.
    pub fn timeout() -> Self {
        Self::without_token(AttestationStatus::Timeout)
    }

    /// Status 2: the app answered with a JSON-RPC error.
    pub fn request_failed() -> Self {
        Self::without_token(AttestationStatus::RequestFailed)
    }

    /// Status 3: the connection closed or the send failed.
    pub fn request_canceled() -> Self {
        Self::without_token(AttestationStatus::RequestCanceled)
    }

    /// Status 4: the answer was not `{ token }` or broke the token rule.
    pub fn malformed_response() -> Self {
        Self::without_token(AttestationStatus::MalformedResponse)
    }

    fn without_token(status: AttestationStatus) -> Self {
        Self {
            version: HeaderVersion,
            status,
            token: None,
        }
    }

    #[cfg(feature = "schema")]
    fn failure_statuses() -> impl Iterator<Item = AttestationStatus> {
        AttestationStatus::ALL
            .into_iter()
            .filter(|s| *s != AttestationStatus::Ok)
    }

    /// The status `s`.
    pub fn status(&self) -> AttestationStatus {
        self.status
    }

    /// The token `t`, present exactly when the status is `Ok`.
    pub fn token(&self) -> Option<&AttestationToken> {
        self.token.as_ref()
    }

    /// The header value: compact JSON, keys `v`, `s`, `t` in that order.
    /// Always visible ASCII, so it is always a valid HTTP header value.
    pub fn to_header_value(&self) -> String {
        // Written by hand: infallible, one allocation, and byte-identical to
        // `serde_json::to_string` (a test holds the two together). The token
        // is visible ASCII, so `"` and `\` are the only bytes JSON escapes.
        let token = self.token.as_ref().map(AttestationToken::expose);
        let mut out = String::with_capacity(24 + token.map_or(0, |t| t.len() + t.len() / 8));
        out.push_str("{\"v\":1,\"s\":");
        out.push(char::from(b'0' + self.status.code()));
        if let Some(token) = token {
            out.push_str(",\"t\":\"");
            // Copy the runs between escapes whole, found with SIMD: pushing
            // char by char made a 2 KiB envelope 3x slower than serde_json
            // (BENCHMARKS.md, figure 6); this is ~2.5x faster than it.
            let mut run = 0;
            for i in memchr::memchr2_iter(b'"', b'\\', token.as_bytes()) {
                out.push_str(&token[run..i]);
                out.push('\\');
                run = i;
            }
            out.push_str(&token[run..]);
            out.push('"');
        }
        out.push('}');
        out
    }
}

/// Why an envelope is invalid beyond its field types.
#[derive(Deserialize)]
struct RawHeader {
    v: HeaderVersion,
    s: AttestationStatus,
    #[serde(default, deserialize_with = "crate::optional::present")]
    t: Option<AttestationToken>,
}

impl<'de> Deserialize<'de> for AttestationHeader {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        // Read as a JSON object first, as the messages are: a member written
        // twice keeps its last value, as `JSON.parse` (and so the TypeScript
        // validator and any JSON Schema validator) does, so every view reads
        // the same envelope from the same text; and an array is no envelope.
        let map = serde_json::Map::<String, serde_json::Value>::deserialize(deserializer)?;
        let raw = RawHeader::deserialize(serde_json::Value::Object(map))
            .map_err(serde::de::Error::custom)?;
        match (raw.s, raw.t) {
            (AttestationStatus::Ok, Some(token)) => Ok(Self {
                version: raw.v,
                status: AttestationStatus::Ok,
                token: Some(token),
            }),
            (AttestationStatus::Ok, None) => Err(serde::de::Error::custom(
                "envelope with status 0 must carry a token `t`",
            )),
            (status, None) => Ok(Self::without_token(status)),
            (status, Some(_)) => Err(serde::de::Error::custom(format_args!(
                "envelope with status {} must not carry a token `t`",
                status.code()
            ))),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn token(s: &str) -> AttestationToken {
        AttestationToken::new(s).unwrap()
    }

    /// DESIGN.md's five byte-exact header values.
    #[test]
    fn the_five_design_vectors_are_byte_exact() {
        let cases = [
            (
                AttestationHeader::ok(token("v1.opaque-client-payload")),
                r#"{"v":1,"s":0,"t":"v1.opaque-client-payload"}"#,
            ),
            (AttestationHeader::timeout(), r#"{"v":1,"s":1}"#),
            (AttestationHeader::request_failed(), r#"{"v":1,"s":2}"#),
            (AttestationHeader::request_canceled(), r#"{"v":1,"s":3}"#),
            (AttestationHeader::malformed_response(), r#"{"v":1,"s":4}"#),
        ];
        for (header, expected) in cases {
            assert_eq!(header.to_header_value(), expected);
            assert_eq!(serde_json::to_string(&header).unwrap(), expected);
            let back: AttestationHeader = serde_json::from_str(expected).unwrap();
            assert_eq!(back, header);
        }
    }

    #[test]
    fn header_value_escapes_quote_and_backslash_like_serde_json() {
        for raw in [r#"a"b"#, r"a\b", r#"\"\\""#, "!~", r#"""#] {
            let header = AttestationHeader::ok(token(raw));
            assert_eq!(
                header.to_header_value(),
                serde_json::to_string(&header).unwrap()
            );
        }
        assert_eq!(
            AttestationHeader::ok(token(r#"a"b\c"#)).to_header_value(),
            r#"{"v":1,"s":0,"t":"a\"b\\c"}"#
        );
    }

    #[test]
    fn header_name_is_lower_case_x_oai_attestation() {
        assert_eq!(HEADER_NAME, "x-oai-attestation");
    }

    #[test]
    fn failure_refuses_status_ok_without_token() {
        assert_eq!(AttestationHeader::failure(AttestationStatus::Ok), None);
        for status in &AttestationStatus::ALL[1..] {
            let header = AttestationHeader::failure(*status).unwrap();
            assert_eq!(header.status(), *status);
            assert_eq!(header.token(), None);
        }
    }

    #[test]
    fn status_wire_values_are_0_to_4_and_5_is_rejected() {
        for (i, s) in AttestationStatus::ALL.iter().enumerate() {
            assert_eq!(usize::from(s.code()), i);
            assert_eq!(serde_json::to_string(s).unwrap(), i.to_string());
        }
        assert!(serde_json::from_str::<AttestationStatus>("5").is_err());
    }

    #[test]
    fn debug_output_never_shows_the_token() {
        let header = AttestationHeader::ok(token("SECRET-TOKEN-123"));
        let debug = format!("{header:?}");
        assert!(!debug.contains("SECRET-TOKEN-123"), "{debug}");
        assert!(debug.contains("16 bytes"), "{debug}");
    }
}
