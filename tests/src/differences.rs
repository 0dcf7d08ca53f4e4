//! Where serde and the JSON Schema legitimately disagree — the one list.
//!
//! Property tests compare the two on mutated vectors; a disagreement passes
//! only when it is one of these, with its reason. Anything else is a bug in
//! the types, the schema generation or this list.

use serde_json::Value;

/// A known, accepted difference between what serde and the schema accept.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KnownDifference {
    /// A number written with a fraction or exponent but an integer value
    /// (`1.0`, `1e0`) where an integer is expected (ids, codes, `s`, `v`).
    /// JSON Schema's `integer` is the mathematical value, so the schema
    /// accepts it; serde reads such a number as a float and rejects it. The
    /// server never writes one, and rejecting keeps `1` and `1.0` from
    /// naming the same request. Schema-only acceptance; serde is stricter.
    IntegralFloat,
    /// A JSON array where an object with named fields is expected. serde's
    /// derived structs also accept the fields positionally (`["app","1.0"]`
    /// for `ClientInfo`); the schema says `type: object`. No sender writes
    /// arrays there, and rejecting them in serde would need a hand-written
    /// `Deserialize` for every struct. Serde-only acceptance.
    ArrayForStruct,
    /// A string escape for half of a surrogate pair (`"\ud800"`) in a
    /// string the schema accepts as any string (an id, a name, a message).
    /// serde_json rejects it, as its strings are UTF-8; `JSON.parse`
    /// accepts it as a lone UTF-16 unit, and the schema cannot see the
    /// difference. A token cannot carry one: the token rule rejects it in
    /// every view. serde is stricter.
    LoneSurrogate,
}

impl KnownDifference {
    /// Whether replacing a value with `inserted` can cause this difference.
    pub fn explains(self, inserted: &Value, serde_ok: bool, schema_ok: bool) -> bool {
        match self {
            Self::IntegralFloat => {
                !serde_ok
                    && schema_ok
                    && inserted
                        .as_f64()
                        .is_some_and(|f| inserted.is_f64() && f.fract() == 0.0)
            }
            Self::ArrayForStruct => serde_ok && !schema_ok && inserted.is_array(),
            // About the text, not a value: see `applies_to`.
            Self::LoneSurrogate => false,
        }
    }

    /// Every known difference.
    pub const ALL: [Self; 2] = [Self::IntegralFloat, Self::ArrayForStruct];
}
