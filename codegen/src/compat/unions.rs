//! Unions (`anyOf`/`oneOf`): branches matched across versions by key, and
//! the capability gate for a new method the server sends.

use serde_json::{Map, Value};

use super::walk::{Effect, Walker, at, flat, ref_target};
use super::{Breaks, CAPABILITIES_DEF, GATE_PHRASE, Reader};

impl Walker<'_> {
    pub(super) fn union(
        &mut self,
        k: &str,
        o: &Map<String, Value>,
        n: &Map<String, Value>,
        path: &[String],
        flipped: bool,
    ) {
        let (a, b) = match (
            o.get(k).and_then(Value::as_array),
            n.get(k).and_then(Value::as_array),
        ) {
            (None, None) => return,
            (None, Some(b)) => {
                let text = format!("now must match {k} of {} branches", b.len());
                return self.emit(path, flipped, Effect::Narrows, text);
            }
            (Some(a), None) => {
                let text = format!("no longer must match {k} of {} branches", a.len());
                return self.emit(path, flipped, Effect::Widens, text);
            }
            (Some(a), Some(b)) => (a.clone(), b.clone()),
        };
        let (old_keys, new_keys) = branch_keys(&a, &b);
        for (i, key) in old_keys.iter().enumerate() {
            let Some(j) = new_keys.iter().position(|k| k == key) else {
                self.emit(
                    path,
                    flipped,
                    Effect::Narrows,
                    format!("variant {} removed", key.label()),
                );
                continue;
            };
            self.schema(&a[i], &b[j], &at(path, &key.suffix()), flipped);
        }
        for (j, key) in new_keys.iter().enumerate() {
            if old_keys.contains(key) {
                continue;
            }
            let (effect, text) = self.added_variant(&b[j], key, flipped);
            self.emit(path, flipped, effect, text);
        }
    }

    /// A new branch widens, unless it is a gated method on a root the
    /// server writes to the client (see [`GATE_PHRASE`]): capabilities are
    /// what a client declares, so they gate nothing the backend reads.
    fn added_variant(&self, branch: &Value, key: &Key, flipped: bool) -> (Effect, String) {
        let added = format!("variant {} added", key.label());
        if self.root.breaks != Breaks::OnWidening || self.root.reader != Reader::Client || flipped {
            return (Effect::Widens, added);
        }
        let mut text = branch
            .get("description")
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned();
        // A `$ref` branch may carry the phrase itself or in its target.
        if let Some(d) = branch
            .as_object()
            .and_then(ref_target)
            .and_then(|target| self.new_defs.get(target))
            .and_then(|d| d.get("description"))
            .and_then(Value::as_str)
        {
            text.push(' ');
            text.push_str(d);
        }
        let text = flat(&text);
        let Some(name) = text
            .split_once(GATE_PHRASE)
            .and_then(|(_, rest)| rest.split_once('`'))
            .map(|(name, _)| name.to_owned())
        else {
            return (
                Effect::Widens,
                format!("{added}, not gated by a capability"),
            );
        };
        let caps = |defs: &Map<String, Value>, what: &str| -> bool {
            defs.get(CAPABILITIES_DEF)
                .and_then(|c| c.get(what))
                .is_some_and(|p| match p {
                    Value::Object(props) => props.contains_key(&name),
                    Value::Array(req) => req.iter().any(|r| r.as_str() == Some(name.as_str())),
                    _ => false,
                })
        };
        let in_new = caps(&self.new_defs, "properties");
        let in_old = caps(&self.old_defs, "properties");
        let required = caps(&self.new_defs, "required");
        if in_new && !in_old && !required {
            (
                Effect::Same,
                format!("{added}, gated by the new optional `capabilities.{name}`"),
            )
        } else if !in_new {
            (
                Effect::Widens,
                format!("{added}; `capabilities.{name}` is not in {CAPABILITIES_DEF}"),
            )
        } else if in_old {
            (
                Effect::Widens,
                format!("{added}; old clients may already set `capabilities.{name}`"),
            )
        } else {
            (
                Effect::Widens,
                format!("{added}; `capabilities.{name}` is required, not optional"),
            )
        }
    }
}

/// How a union branch is recognised across versions.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Key {
    /// By a discriminator property's or its own `const`: `[initialize]`.
    Value(String),
    /// By its `$ref` target; the path names the target already.
    Ref(String),
    /// By position.
    Index(usize),
}

impl Key {
    fn label(&self) -> String {
        match self {
            Self::Value(v) | Self::Ref(v) => format!("`{v}`"),
            Self::Index(i) => format!("#{i}"),
        }
    }

    fn suffix(&self) -> String {
        match self {
            Self::Value(v) => format!("[{v}]"),
            Self::Ref(_) => String::new(),
            Self::Index(i) => format!("[#{i}]"),
        }
    }
}

/// Keys for both branch lists: each branch by the first rule that applies
/// to it (see the module doc), or every branch by position when that gives
/// two branches of one side the same key.
fn branch_keys(a: &[Value], b: &[Value]) -> (Vec<Key>, Vec<Key>) {
    let all: Vec<&Value> = a.iter().chain(b).collect();
    // The property whose `const` tells every branch apart; `method` first,
    // since it names a JSON-RPC method.
    let mut names: Vec<&String> = all
        .iter()
        .filter_map(|br| br.get("properties").and_then(Value::as_object))
        .flat_map(|props| props.keys())
        .collect();
    names.sort_by_key(|n| (n.as_str() != "method", n.as_str()));
    names.dedup();
    let discriminator = names.into_iter().find(|name| {
        all.iter()
            .all(|br| br.pointer(&format!("/properties/{name}/const")).is_some())
    });
    let text = |v: &Value| v.as_str().map_or_else(|| v.to_string(), str::to_owned);
    let key = |br: &Value| -> Option<Key> {
        if let Some(v) = discriminator.and_then(|d| br.pointer(&format!("/properties/{d}/const"))) {
            return Some(Key::Value(text(v)));
        }
        if let Some(v) = br.get("const") {
            return Some(Key::Value(text(v)));
        }
        if let Some(t) = br.as_object().and_then(ref_target) {
            return Some(Key::Ref(t.to_owned()));
        }
        br.get("title")
            .or_else(|| br.get("type"))
            .and_then(Value::as_str)
            .map(|t| Key::Value(t.to_owned()))
    };
    let keys = |list: &[Value]| {
        list.iter()
            .map(key)
            .collect::<Option<Vec<Key>>>()
            .filter(|keys| distinct(keys))
    };
    match (keys(a), keys(b)) {
        (Some(ka), Some(kb)) => (ka, kb),
        _ => (
            (0..a.len()).map(Key::Index).collect(),
            (0..b.len()).map(Key::Index).collect(),
        ),
    }
}

fn distinct(keys: &[Key]) -> bool {
    keys.iter().enumerate().all(|(i, k)| !keys[..i].contains(k))
}
