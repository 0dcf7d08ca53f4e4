//! The keywords that bound one value: `type`, `enum`/`const`, numeric and
//! length bounds, object properties, `allOf`.

use std::collections::BTreeSet;

use serde_json::{Map, Value};

use super::walk::{Effect, Walker, at, show};

impl Walker<'_> {
    pub(super) fn types(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        path: &[String],
        flipped: bool,
    ) {
        let types = |m: &Map<String, Value>| -> Option<BTreeSet<String>> {
            match m.get("type")? {
                Value::String(t) => Some(BTreeSet::from([t.clone()])),
                Value::Array(ts) => Some(
                    ts.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect(),
                ),
                _ => None,
            }
        };
        // An integer is a number: `number` covers `integer`.
        let covers = |set: &BTreeSet<String>, t: &str| {
            set.contains(t) || (t == "integer" && set.contains("number"))
        };
        match (types(o), types(n)) {
            (Some(a), Some(b)) => {
                for t in a.iter().filter(|t| !covers(&b, t)) {
                    self.emit(path, flipped, Effect::Narrows, format!("type {t} removed"));
                }
                for t in b.iter().filter(|t| !covers(&a, t)) {
                    self.emit(path, flipped, Effect::Widens, format!("type {t} added"));
                }
            }
            (None, Some(b)) => {
                let list = b.into_iter().collect::<Vec<_>>().join(", ");
                self.emit(
                    path,
                    flipped,
                    Effect::Narrows,
                    format!("now only type {list}"),
                );
            }
            (Some(a), None) => {
                let list = a.into_iter().collect::<Vec<_>>().join(", ");
                self.emit(
                    path,
                    flipped,
                    Effect::Widens,
                    format!("no longer only type {list}"),
                );
            }
            (None, None) => {}
        }
    }

    /// `enum` and `const`, as one set of allowed values.
    pub(super) fn values(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        path: &[String],
        flipped: bool,
    ) {
        let values = |m: &Map<String, Value>| -> Option<Vec<Value>> {
            if let Some(c) = m.get("const") {
                return Some(vec![c.clone()]);
            }
            m.get("enum").and_then(Value::as_array).cloned()
        };
        match (values(o), values(n)) {
            (Some(a), Some(b)) if a.len() == 1 && b.len() == 1 && a != b => self.emit(
                path,
                flipped,
                Effect::Unknown,
                format!("value {} → {}", show(&a[0]), show(&b[0])),
            ),
            (Some(a), Some(b)) => {
                for v in a.iter().filter(|v| !b.contains(v)) {
                    self.emit(
                        path,
                        flipped,
                        Effect::Narrows,
                        format!("value {} removed", show(v)),
                    );
                }
                for v in b.iter().filter(|v| !a.contains(v)) {
                    self.emit(
                        path,
                        flipped,
                        Effect::Widens,
                        format!("value {} added", show(v)),
                    );
                }
            }
            (None, Some(b)) => self.emit(
                path,
                flipped,
                Effect::Narrows,
                format!("now only {}", show(&Value::Array(b))),
            ),
            (Some(a), None) => self.emit(
                path,
                flipped,
                Effect::Widens,
                format!("no longer only {}", show(&Value::Array(a))),
            ),
            (None, None) => {}
        }
    }

    pub(super) fn bound(
        &mut self,
        k: &str,
        larger_narrows: bool,
        a: Option<&Value>,
        b: Option<&Value>,
        path: &[String],
        flipped: bool,
    ) {
        let (effect, text) = match (a, b) {
            (Some(a), Some(b)) if a != b => match (a.as_f64(), b.as_f64()) {
                (Some(x), Some(y)) => {
                    let tighter = (y > x) == larger_narrows;
                    let (effect, word) = if tighter {
                        (Effect::Narrows, "tighter")
                    } else {
                        (Effect::Widens, "looser")
                    };
                    (effect, format!("{k} {} → {} ({word})", show(a), show(b)))
                }
                _ => (Effect::Unknown, format!("{k} {} → {}", show(a), show(b))),
            },
            (None, Some(b)) => (Effect::Narrows, format!("{k} {} added (tighter)", show(b))),
            (Some(a), None) => (Effect::Widens, format!("{k} {} removed (looser)", show(a))),
            _ => return,
        };
        self.emit(path, flipped, effect, text);
    }

    pub(super) fn properties(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        path: &[String],
        flipped: bool,
    ) {
        let empty = Map::new();
        let props = |m: &Map<String, Value>| {
            m.get("properties")
                .and_then(Value::as_object)
                .cloned()
                .unwrap_or_else(|| empty.clone())
        };
        let (op, np) = (props(o), props(n));
        let closed = |m: &Map<String, Value>| {
            ["additionalProperties", "unevaluatedProperties"]
                .iter()
                .any(|k| m.get(*k) == Some(&Value::Bool(false)))
        };
        let names: BTreeSet<&String> = op.keys().chain(np.keys()).collect();
        for name in names {
            let here = at(path, &format!(".{name}"));
            match (op.get(name), np.get(name)) {
                (Some(a), Some(b)) => self.schema(a, b, &here, flipped),
                (Some(_), None) if closed(n) => self.emit(
                    &here,
                    flipped,
                    Effect::Narrows,
                    "property removed (additional properties are not allowed)".into(),
                ),
                (Some(_), None) => {
                    self.emit(&here, flipped, Effect::Same, "property removed".into())
                }
                (None, Some(_)) if closed(o) => self.emit(
                    &here,
                    flipped,
                    Effect::Widens,
                    "property added (additional properties were not allowed)".into(),
                ),
                (None, Some(_)) => self.emit(&here, flipped, Effect::Same, "property added".into()),
                (None, None) => {}
            }
        }
        let required = |m: &Map<String, Value>| -> BTreeSet<String> {
            m.get("required")
                .and_then(Value::as_array)
                .map(|r| {
                    r.iter()
                        .filter_map(Value::as_str)
                        .map(str::to_owned)
                        .collect()
                })
                .unwrap_or_default()
        };
        let (or, nr) = (required(o), required(n));
        for name in nr.difference(&or) {
            self.emit(
                &at(path, &format!(".{name}")),
                flipped,
                Effect::Narrows,
                "property now required".into(),
            );
        }
        for name in or.difference(&nr) {
            self.emit(
                &at(path, &format!(".{name}")),
                flipped,
                Effect::Widens,
                "property no longer required".into(),
            );
        }
        for k in ["additionalProperties", "unevaluatedProperties"] {
            let any = Value::Bool(true);
            let (a, b) = (o.get(k).unwrap_or(&any), n.get(k).unwrap_or(&any));
            match (a, b) {
                (Value::Bool(x), Value::Bool(y)) if x == y => {}
                (_, Value::Bool(false)) => {
                    self.emit(path, flipped, Effect::Narrows, format!("{k} now false"))
                }
                (Value::Bool(false), _) => self.emit(
                    path,
                    flipped,
                    Effect::Widens,
                    format!("{k} no longer false"),
                ),
                _ => self.schema(a, b, &at(path, &format!("({k})")), flipped),
            }
        }
    }

    pub(super) fn all_of(
        &mut self,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        path: &[String],
        flipped: bool,
    ) {
        let list = |m: &Map<String, Value>| {
            m.get("allOf")
                .and_then(Value::as_array)
                .cloned()
                .unwrap_or_default()
        };
        let (a, b) = (list(o), list(n));
        for i in 0..a.len().max(b.len()) {
            let here = at(path, &format!("(allOf {i})"));
            match (a.get(i), b.get(i)) {
                (Some(x), Some(y)) => self.schema(x, y, &here, flipped),
                (None, Some(_)) => {
                    self.emit(&here, flipped, Effect::Narrows, "constraint added".into())
                }
                (Some(_), None) => {
                    self.emit(&here, flipped, Effect::Widens, "constraint removed".into())
                }
                (None, None) => {}
            }
        }
    }
}
