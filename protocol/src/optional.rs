//! "Absent or value": fields that may be left out, but are never `null`.
//!
//! serde reads `null` into an `Option` as `None`, while the schema (without
//! `null`) and the TypeScript type (`field?: T`) reject it. Deserializing
//! through [`present`] makes serde reject it too, so all three views agree.

use serde::{Deserialize, Deserializer};

/// Used as `#[serde(default, deserialize_with = "crate::optional::present")]`:
/// serde calls it only when the field is present, and `null` then fails with
/// the inner type's own error ("invalid type: null, expected …").
pub(crate) fn present<'de, D, T>(deserializer: D) -> Result<Option<T>, D::Error>
where
    D: Deserializer<'de>,
    T: Deserialize<'de>,
{
    T::deserialize(deserializer).map(Some)
}
