//! `RequestId`: a JSON-RPC id, kept exact in TypeScript.

use std::fmt;

#[cfg(feature = "schema")]
use schemars::JsonSchema;
use serde::de::{self, Deserializer, Visitor};
use serde::{Deserialize, Serialize};
#[cfg(feature = "schema")]
use ts_rs::TS;

/// The largest integer id: 2^53 − 1, the largest integer a JavaScript
/// `number` holds exactly (`Number.MAX_SAFE_INTEGER`).
pub const MAX_SAFE_INTEGER: i64 = (1 << 53) - 1;

/// A JSON-RPC request id: a string, or an integer from −(2^53 − 1) to
/// 2^53 − 1 so that a TypeScript `number` holds it exactly. Ids the server
/// issues are always integers. `null`, fractions and larger integers are not
/// ids.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[cfg_attr(feature = "schema", derive(JsonSchema, TS))]
#[serde(untagged)]
pub enum RequestId {
    /// An integer id within ±(2^53 − 1).
    Integer(
        #[cfg_attr(feature = "schema", schemars(range(min = -MAX_SAFE_INTEGER, max = MAX_SAFE_INTEGER)))]
        #[cfg_attr(feature = "schema", ts(type = "number"))]
        i64,
    ),
    /// A string id.
    String(String),
}

impl RequestId {
    /// An integer id, or `None` when it is outside ±(2^53 − 1).
    pub fn integer(value: i64) -> Option<Self> {
        (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER)
            .contains(&value)
            .then_some(Self::Integer(value))
    }
}

impl From<String> for RequestId {
    fn from(value: String) -> Self {
        Self::String(value)
    }
}

impl From<&str> for RequestId {
    fn from(value: &str) -> Self {
        Self::String(value.to_owned())
    }
}

impl From<u32> for RequestId {
    fn from(value: u32) -> Self {
        Self::Integer(i64::from(value))
    }
}

impl fmt::Display for RequestId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Debug-style quoting so that `1` and `"1"` read differently in logs.
        match self {
            Self::Integer(n) => write!(f, "{n}"),
            Self::String(s) => write!(f, "{s:?}"),
        }
    }
}

const EXPECTING: &str = "a string or an integer within ±(2^53 − 1)";

impl<'de> Deserialize<'de> for RequestId {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = RequestId;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str(EXPECTING)
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<RequestId, E> {
                RequestId::integer(v)
                    .ok_or_else(|| E::custom(format_args!("request id {v} is outside ±(2^53 − 1)")))
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<RequestId, E> {
                i64::try_from(v)
                    .ok()
                    .and_then(RequestId::integer)
                    .ok_or_else(|| E::custom(format_args!("request id {v} is outside ±(2^53 − 1)")))
            }
            fn visit_f64<E: de::Error>(self, v: f64) -> Result<RequestId, E> {
                Err(E::custom(format_args!(
                    "request id {v} is not an integer; expected {EXPECTING}"
                )))
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<RequestId, E> {
                Ok(RequestId::String(v.to_owned()))
            }
            fn visit_string<E: de::Error>(self, v: String) -> Result<RequestId, E> {
                Ok(RequestId::String(v))
            }
        }
        deserializer.deserialize_any(V)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn integer_and_string_ids_round_trip() {
        for json in ["0", "-1", "9007199254740991", "-9007199254740991", r#""7""#] {
            let id: RequestId = serde_json::from_str(json).unwrap();
            assert_eq!(serde_json::to_string(&id).unwrap(), json);
        }
        // `1` and `"1"` are different ids.
        assert_ne!(
            serde_json::from_str::<RequestId>("1").unwrap(),
            serde_json::from_str::<RequestId>(r#""1""#).unwrap()
        );
    }

    #[test]
    fn non_ids_are_rejected_with_a_clear_message() {
        let cases = [
            ("1.5", "not an integer"),
            ("9007199254740992", "outside"),
            ("1152921504606846976", "outside"),
            ("-9007199254740992", "outside"),
            ("null", "a string or an integer"),
            ("{}", "a string or an integer"),
            ("true", "a string or an integer"),
        ];
        for (json, needle) in cases {
            let err = serde_json::from_str::<RequestId>(json)
                .unwrap_err()
                .to_string();
            assert!(err.contains(needle), "{json}: {err}");
        }
    }

    #[test]
    fn integer_constructor_enforces_the_safe_range() {
        assert_eq!(
            RequestId::integer(MAX_SAFE_INTEGER),
            Some(RequestId::Integer(MAX_SAFE_INTEGER))
        );
        assert_eq!(RequestId::integer(MAX_SAFE_INTEGER + 1), None);
        assert_eq!(RequestId::integer(-MAX_SAFE_INTEGER - 1), None);
    }
}
