//! Single-value wire fields: `"jsonrpc":"2.0"` and the envelope's `"v":1`.
//!
//! Each is a unit type that always serializes to its one value and refuses any
//! other on input, so a wrong version is a deserialization error with a clear
//! message instead of a silently accepted field.

#[cfg(feature = "schema")]
use std::borrow::Cow;
use std::fmt;

#[cfg(feature = "schema")]
use schemars::{JsonSchema, Schema, SchemaGenerator, json_schema};
use serde::de::{self, Deserializer, Visitor};
use serde::{Serialize, Serializer};
#[cfg(feature = "schema")]
use ts_rs::{Config, TS};

/// The JSON-RPC version marker. Always written as `"jsonrpc":"2.0"`; the
/// field may be left out on input (Codex-style clients omit it), and any
/// other value is rejected.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct JsonRpcVersion;

impl JsonRpcVersion {
    /// The only accepted value.
    pub const VALUE: &'static str = "2.0";
}

impl Serialize for JsonRpcVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(Self::VALUE)
    }
}

impl<'de> de::Deserialize<'de> for JsonRpcVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = JsonRpcVersion;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the string \"2.0\"")
            }
            fn visit_str<E: de::Error>(self, v: &str) -> Result<JsonRpcVersion, E> {
                if v == JsonRpcVersion::VALUE {
                    Ok(JsonRpcVersion)
                } else {
                    Err(E::custom(format_args!(
                        "unsupported jsonrpc version {v:?}, expected \"2.0\""
                    )))
                }
            }
        }
        deserializer.deserialize_str(V)
    }
}

#[cfg(feature = "schema")]
impl JsonSchema for JsonRpcVersion {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "JsonRpcVersion".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "const": JsonRpcVersion::VALUE, "type": "string" })
    }
}

// Inlined as a literal type: there is no `JsonRpcVersion.ts`.
#[cfg(feature = "schema")]
impl TS for JsonRpcVersion {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;
    fn name(_: &Config) -> String {
        "\"2.0\"".to_owned()
    }
    fn inline(cfg: &Config) -> String {
        Self::name(cfg)
    }
}

/// The envelope format version: always `1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default)]
pub struct HeaderVersion;

impl HeaderVersion {
    /// The only accepted value.
    pub const VALUE: u8 = 1;
}

impl Serialize for HeaderVersion {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_u8(Self::VALUE)
    }
}

impl<'de> de::Deserialize<'de> for HeaderVersion {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = HeaderVersion;
            fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
                f.write_str("the integer 1")
            }
            fn visit_u64<E: de::Error>(self, v: u64) -> Result<HeaderVersion, E> {
                if v == u64::from(HeaderVersion::VALUE) {
                    Ok(HeaderVersion)
                } else {
                    Err(E::custom(format_args!(
                        "unsupported envelope version {v}, expected 1"
                    )))
                }
            }
            fn visit_i64<E: de::Error>(self, v: i64) -> Result<HeaderVersion, E> {
                Err(E::custom(format_args!(
                    "unsupported envelope version {v}, expected 1"
                )))
            }
        }
        deserializer.deserialize_u64(V)
    }
}

#[cfg(feature = "schema")]
impl JsonSchema for HeaderVersion {
    fn inline_schema() -> bool {
        true
    }
    fn schema_name() -> Cow<'static, str> {
        "HeaderVersion".into()
    }
    fn json_schema(_: &mut SchemaGenerator) -> Schema {
        json_schema!({ "const": HeaderVersion::VALUE, "type": "integer" })
    }
}

#[cfg(feature = "schema")]
impl TS for HeaderVersion {
    type WithoutGenerics = Self;
    type OptionInnerType = Self;
    fn name(_: &Config) -> String {
        "1".to_owned()
    }
    fn inline(cfg: &Config) -> String {
        Self::name(cfg)
    }
}
