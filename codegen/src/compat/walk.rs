//! The structural diff of two schemas, keyword by keyword, from one root.
//!
//! Each difference is classed by what it does to the set of accepted
//! messages (narrows, widens, cannot tell, or nothing), then judged by the
//! root's [`Breaks`]. Assumptions, stated because JSON Schema alone cannot
//! settle them:
//! - A writer sends only the properties its schema names. So adding or
//!   removing an *optional* property of an open object is compatible either
//!   way; on a closed object (`additionalProperties: false`) a removal
//!   narrows and an addition widens.
//! - A changed `pattern`, `format`, `multipleOf` or `if` cannot be proved
//!   narrower or wider: it breaks whoever reads it.
//! - Union branches (`anyOf`/`oneOf`) are matched by a key: the `const` of
//!   a property every branch has (`method`), a branch's own `const`, its
//!   `$ref` target, its `title`, its single `type`, else its position.

use std::collections::{BTreeSet, HashSet};

use serde_json::{Map, Value};

use super::{Breaks, Change, Root, Verdict};

/// What a difference does to the set of messages a schema accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(super) enum Effect {
    Narrows,
    Widens,
    /// Could be either: breaks every reader.
    Unknown,
    /// Accepts the same messages (descriptions, a renamed `$def`, an
    /// optional property).
    Same,
}

const ANNOTATIONS: [&str; 8] = [
    "description",
    "title",
    "$comment",
    "examples",
    "default",
    "deprecated",
    "readOnly",
    "writeOnly",
];

/// `(keyword, true when a larger value narrows)`.
const BOUNDS: [(&str, bool); 12] = [
    ("minimum", true),
    ("exclusiveMinimum", true),
    ("minLength", true),
    ("minItems", true),
    ("minProperties", true),
    ("minContains", true),
    ("maximum", false),
    ("exclusiveMaximum", false),
    ("maxLength", false),
    ("maxItems", false),
    ("maxProperties", false),
    ("maxContains", false),
];

/// Constraints that may be added or removed but whose change of value
/// cannot be judged.
const OPAQUE: [&str; 5] = [
    "pattern",
    "format",
    "multipleOf",
    "contentEncoding",
    "contentMediaType",
];

/// Keywords handled elsewhere, or that do not constrain a message.
const HANDLED: [&str; 22] = [
    "$ref",
    "$defs",
    "definitions",
    "$schema",
    "$id",
    "$anchor",
    "type",
    "enum",
    "const",
    "properties",
    "required",
    "additionalProperties",
    "unevaluatedProperties",
    "items",
    "anyOf",
    "oneOf",
    "allOf",
    "not",
    "if",
    "then",
    "else",
    "uniqueItems",
];

/// The changes reached from `root`.
pub(super) fn walk_root(old: &Value, new: &Value, root: &Root) -> Vec<Change> {
    let empty = Map::new();
    let defs = |b: &'_ Value| -> Map<String, Value> {
        b.get("$defs")
            .and_then(Value::as_object)
            .unwrap_or(&empty)
            .clone()
    };
    let mut walker = Walker {
        old_defs: defs(old),
        new_defs: defs(new),
        root,
        seen: HashSet::new(),
        out: Vec::new(),
    };
    let path = vec![root.def.to_owned()];
    match (
        walker.old_defs.get(root.def).cloned(),
        walker.new_defs.get(root.def).cloned(),
    ) {
        (Some(o), Some(n)) => {
            walker
                .seen
                .insert((root.def.to_owned(), root.def.to_owned(), false));
            walker.schema(&o, &n, &path, false);
        }
        (Some(_), None) => walker.emit(&path, false, Effect::Unknown, "root type removed".into()),
        (None, Some(_)) => walker.emit(
            &path,
            false,
            Effect::Same,
            "root type added (no old reader or writer)".into(),
        ),
        (None, None) => {}
    }
    walker.out
}

pub(super) struct Walker<'a> {
    pub(super) old_defs: Map<String, Value>,
    pub(super) new_defs: Map<String, Value>,
    pub(super) root: &'a Root,
    /// `(old def, new def, flipped)` pairs already compared from this root:
    /// each is judged once, at the first path that reaches it.
    pub(super) seen: HashSet<(String, String, bool)>,
    pub(super) out: Vec<Change>,
}

/// `path` with `suffix` added to its last segment.
pub(super) fn at(path: &[String], suffix: &str) -> Vec<String> {
    let mut p = path.to_vec();
    if let Some(last) = p.last_mut() {
        last.push_str(suffix);
    }
    p
}

pub(super) fn ref_target(schema: &Map<String, Value>) -> Option<&str> {
    schema
        .get("$ref")
        .and_then(Value::as_str)
        .and_then(|r| r.strip_prefix("#/$defs/"))
}

pub(super) fn show(value: &Value) -> String {
    value.to_string()
}

/// Whitespace collapsed, so a wrapped doc comment still matches a phrase.
pub(super) fn flat(text: &str) -> String {
    text.split_whitespace().collect::<Vec<_>>().join(" ")
}

impl Walker<'_> {
    pub(super) fn emit(&mut self, path: &[String], flipped: bool, effect: Effect, change: String) {
        let effect = match (flipped, effect) {
            (true, Effect::Narrows) => Effect::Widens,
            (true, Effect::Widens) => Effect::Narrows,
            (_, e) => e,
        };
        let breaks = match effect {
            Effect::Same => false,
            Effect::Unknown => true,
            Effect::Narrows => self.root.breaks == Breaks::OnNarrowing,
            Effect::Widens => self.root.breaks == Breaks::OnWidening,
        };
        let verdict = if breaks {
            Verdict::Breaking {
                reader: self.root.reader,
            }
        } else {
            Verdict::Compatible
        };
        self.out.push(Change {
            path: path.join(" > "),
            change,
            verdict,
        });
    }

    pub(super) fn schema(&mut self, old: &Value, new: &Value, path: &[String], flipped: bool) {
        match (old, new) {
            (Value::Object(o), Value::Object(n)) => self.object(o, n, path, flipped),
            (Value::Bool(a), Value::Bool(b)) if a == b => {}
            (Value::Bool(true), _) => self.emit(
                path,
                flipped,
                Effect::Narrows,
                "was any value, now constrained".into(),
            ),
            (Value::Bool(false), _) => self.emit(
                path,
                flipped,
                Effect::Widens,
                "was no value, now allowed".into(),
            ),
            (_, Value::Bool(true)) => {
                self.emit(path, flipped, Effect::Widens, "now any value".into())
            }
            (_, Value::Bool(false)) => {
                self.emit(path, flipped, Effect::Narrows, "now no value".into())
            }
            _ => self.emit(path, flipped, Effect::Unknown, "not a schema".into()),
        }
    }

    fn object(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        path: &[String],
        flipped: bool,
    ) {
        match (ref_target(o), ref_target(n)) {
            (Some(a), Some(b)) => {
                let (a, b) = (a.to_owned(), b.to_owned());
                self.follow(&a, &b, path, flipped);
            }
            (Some(a), None) => {
                if let Some(merged) = self.inline(o, a, true) {
                    self.keywords(&merged, n, path, flipped);
                } else {
                    self.emit(
                        path,
                        flipped,
                        Effect::Unknown,
                        format!("old `$ref` to missing `{a}`"),
                    );
                }
                return;
            }
            (None, Some(b)) => {
                if let Some(merged) = self.inline(n, b, false) {
                    self.keywords(o, &merged, path, flipped);
                } else {
                    self.emit(
                        path,
                        flipped,
                        Effect::Unknown,
                        format!("`$ref` to missing `{b}`"),
                    );
                }
                return;
            }
            (None, None) => {}
        }
        self.keywords(o, n, path, flipped);
    }

    /// The target of `schema`'s `$ref` with `schema`'s other keywords laid
    /// over it: how it reads when the other side wrote it inline.
    fn inline(
        &self,
        schema: &Map<String, Value>,
        target: &str,
        old: bool,
    ) -> Option<Map<String, Value>> {
        let defs = if old { &self.old_defs } else { &self.new_defs };
        let mut merged = defs.get(target)?.as_object()?.clone();
        for (k, v) in schema {
            if k != "$ref" {
                merged.insert(k.clone(), v.clone());
            }
        }
        Some(merged)
    }

    fn follow(&mut self, a: &str, b: &str, path: &[String], flipped: bool) {
        if a != b {
            self.emit(
                path,
                flipped,
                Effect::Same,
                format!("now refers to `{b}` (was `{a}`)"),
            );
        }
        if !self.seen.insert((a.to_owned(), b.to_owned(), flipped)) {
            return;
        }
        let mut inner = path.to_vec();
        inner.push(b.to_owned());
        match (self.old_defs.get(a).cloned(), self.new_defs.get(b).cloned()) {
            (Some(o), Some(n)) => self.schema(&o, &n, &inner, flipped),
            _ => self.emit(
                &inner,
                flipped,
                Effect::Unknown,
                "`$ref` to a missing `$def`".into(),
            ),
        }
    }

    /// Every keyword but `$ref`.
    fn keywords(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        path: &[String],
        flipped: bool,
    ) {
        for k in ANNOTATIONS {
            if o.get(k) != n.get(k) {
                self.emit(path, flipped, Effect::Same, format!("{k} changed"));
            }
        }
        self.types(o, n, path, flipped);
        self.values(o, n, path, flipped);
        for (k, larger_narrows) in BOUNDS {
            self.bound(k, larger_narrows, o.get(k), n.get(k), path, flipped);
        }
        for k in OPAQUE {
            match (o.get(k), n.get(k)) {
                (a, b) if a == b => {}
                (None, Some(b)) => self.emit(
                    path,
                    flipped,
                    Effect::Narrows,
                    format!("{k} {} added", show(b)),
                ),
                (Some(a), None) => self.emit(
                    path,
                    flipped,
                    Effect::Widens,
                    format!("{k} {} removed", show(a)),
                ),
                (Some(a), Some(b)) => self.emit(
                    path,
                    flipped,
                    Effect::Unknown,
                    format!(
                        "{k} {} → {} (cannot tell narrower or wider)",
                        show(a),
                        show(b)
                    ),
                ),
                (None, None) => {}
            }
        }
        let unique = |m: &Map<String, Value>| m.get("uniqueItems") == Some(&Value::Bool(true));
        match (unique(o), unique(n)) {
            (false, true) => self.emit(
                path,
                flipped,
                Effect::Narrows,
                "items must now be unique".into(),
            ),
            (true, false) => self.emit(
                path,
                flipped,
                Effect::Widens,
                "items need no longer be unique".into(),
            ),
            _ => {}
        }
        self.properties(o, n, path, flipped);
        let any = Value::Bool(true);
        if o.get("items").is_some() || n.get("items").is_some() {
            let (a, b) = (
                o.get("items").unwrap_or(&any),
                n.get("items").unwrap_or(&any),
            );
            self.schema(a, b, &at(path, "[]"), flipped);
        }
        for k in ["anyOf", "oneOf"] {
            self.union(k, o, n, path, flipped);
        }
        self.all_of(o, n, path, flipped);
        if o.get("not").is_some() || n.get("not").is_some() {
            // Not `true` for a missing `not`: `not: true` rejects everything.
            let none = Value::Bool(false);
            let (a, b) = (o.get("not").unwrap_or(&none), n.get("not").unwrap_or(&none));
            self.schema(a, b, &at(path, "(not)"), !flipped);
        }
        if o.get("if") != n.get("if") {
            self.emit(
                path,
                flipped,
                Effect::Unknown,
                "`if` condition changed (cannot tell narrower or wider)".into(),
            );
        }
        for k in ["then", "else"] {
            let (a, b) = (o.get(k).unwrap_or(&any), n.get(k).unwrap_or(&any));
            self.schema(a, b, &at(path, &format!("({k})")), flipped);
        }
        let known = |k: &String| {
            ANNOTATIONS.contains(&k.as_str())
                || OPAQUE.contains(&k.as_str())
                || HANDLED.contains(&k.as_str())
                || BOUNDS.iter().any(|(b, _)| b == k)
        };
        let others: BTreeSet<&String> = o.keys().chain(n.keys()).filter(|k| !known(k)).collect();
        for k in others {
            if o.get(k) != n.get(k) {
                self.emit(
                    path,
                    flipped,
                    Effect::Unknown,
                    format!("{k} changed (not judged by the gate)"),
                );
            }
        }
    }
}
