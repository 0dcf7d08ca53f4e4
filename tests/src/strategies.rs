//! Property-test generators shared by the test files.

use proptest::prelude::*;
use serde_json::{Value, json};

/// How large the JSON values of [`json_value`] grow.
#[derive(Debug, Clone, Copy)]
pub struct JsonShape {
    /// Levels of arrays and objects inside one another.
    pub depth: u32,
    /// The size the recursion aims for, in nodes.
    pub size: u32,
    /// The most items in one array or object (exclusive).
    pub items: usize,
    /// The regex an object key matches.
    pub key: &'static str,
}

/// Any JSON value: null, booleans, integers, floats, short strings, and
/// arrays and objects of them, as large as `shape` says.
pub fn json_value(shape: JsonShape) -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        (-1e9f64..1e9).prop_map(|f| json!(f)),
        ".{0,8}".prop_map(Value::String),
    ];
    leaf.prop_recursive(shape.depth, shape.size, shape.items as u32, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..shape.items).prop_map(Value::Array),
            prop::collection::btree_map(shape.key, inner, 0..shape.items)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}
