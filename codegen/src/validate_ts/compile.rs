//! One JSON Schema (2020-12, the subset the bundle uses) compiled into
//! TypeScript statements. Every keyword is either compiled or rejected; an
//! unknown one fails the codegen instead of being skipped, so the validators
//! can never accept what the schema rejects because a keyword was ignored.
//!
//! A check returns `undefined` when the value is valid, and otherwise the
//! error relative to the value: `".result.token: must match pattern …"`
//! (path from the value, `": "`, the rule). Paths are written into the code
//! as string constants, so a failure inside one function costs no string
//! building; only a `$ref` or a branch that fails prefixes its caller's path.
//! No message contains a value of the instance: only schema names and the
//! schema's own constants.
//!
//! This file holds the walk over one schema (`Compiler::schema`) and the
//! `$def` functions; `assertions.rs` compiles the keywords on one value and
//! `branches.rs` the subschemas that get functions of their own (`anyOf`,
//! `oneOf`, `not`, `if`).

use std::fmt::Write;

use serde_json::{Map, Value};

use super::assertions::literal;
use crate::GenerateError;

/// Keywords with no effect on validation.
pub(super) const ANNOTATIONS: [&str; 5] =
    ["$comment", "default", "description", "examples", "title"];

/// Keywords this compiler turns into checks.
const VALIDATING: [&str; 17] = [
    "type",
    "const",
    "enum",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "required",
    "properties",
    "$ref",
    "anyOf",
    "oneOf",
    "not",
    "if",
    // `then` and `else` are read with `if`.
    "then",
    "else",
];

/// Names on `Object.prototype`: a check reads a property as `o[name]`, which
/// would find these on any object, so a schema property so named is refused.
pub(super) const PROTOTYPE_NAMES: [&str; 12] = [
    "__proto__",
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
];

pub(super) fn unsupported(at: &str, message: impl std::fmt::Display) -> GenerateError {
    GenerateError::Validator {
        at: at.to_owned(),
        message: message.to_string(),
    }
}

/// A JavaScript string literal (JSON's string syntax is valid JavaScript).
pub(super) fn js_str(text: &str) -> String {
    Value::String(text.to_owned()).to_string()
}

/// `true` for `true`, `{}` and a schema of annotations only.
pub(super) fn always_valid(schema: &Value) -> bool {
    match schema {
        Value::Bool(b) => *b,
        Value::Object(map) => map.keys().all(|k| ANNOTATIONS.contains(&k.as_str())),
        _ => false,
    }
}

/// Where a subschema sits, for the wording of a `false` schema.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Place {
    /// The value of a member named in `properties`: `false` forbids it.
    Member,
    /// Anywhere else.
    Value,
}

/// What `typeof`-level check has already passed for a variable.
#[derive(Clone, Copy, PartialEq, Eq)]
pub(super) enum Known {
    Nothing,
    Object,
    String,
    Number,
}

/// Where generated statements check a value: the parameters every keyword's
/// compiler takes, bundled so a subschema states only what changes
/// (`Site { at: &format!("{at}/then"), ..site }`).
#[derive(Clone, Copy)]
pub(super) struct Site<'a> {
    /// The TypeScript variable holding the value (`v`, `m3`).
    pub(super) var: &'a str,
    /// The value's path from the checked value, as errors print it
    /// (`.result.token`; empty for the checked value itself).
    pub(super) path: &'a str,
    /// The schema's JSON pointer (`#/$defs/Token/pattern`), for codegen errors.
    pub(super) at: &'a str,
    /// The indent of the statements.
    pub(super) ind: &'a str,
}

impl<'a> Site<'a> {
    /// The parameter `v` of a check function, at the schema `at`.
    pub(super) fn root(at: &'a str) -> Self {
        Site {
            var: "v",
            path: "",
            at,
            ind: "  ",
        }
    }
}

pub(super) struct Compiler<'a> {
    defs: &'a Map<String, Value>,
    /// `PATTERN_<i>` sources, in order of first use.
    pub(super) patterns: Vec<String>,
    /// Functions for branches (`anyOf`, `oneOf`, `not`, `if`).
    pub(super) branches: String,
    next_var: usize,
}

impl Compiler<'_> {
    pub(super) fn var(&mut self, prefix: &str) -> String {
        self.next_var += 1;
        format!("{prefix}{}", self.next_var)
    }

    /// `return "<path>: <rule>";`
    pub(super) fn fail(code: &mut String, ind: &str, path: &str, rule: &str) {
        let _ = writeln!(code, "{ind}return {};", js_str(&format!("{path}: {rule}")));
    }

    /// `return <path> + <error>;` for an error relative to the value at `path`.
    pub(super) fn fail_with(code: &mut String, ind: &str, path: &str, error: &str) {
        if path.is_empty() {
            let _ = writeln!(code, "{ind}return {error};");
        } else {
            let _ = writeln!(code, "{ind}return {} + {error};", js_str(path));
        }
    }

    pub(super) fn ref_target(&self, r: &str, at: &str) -> Result<String, GenerateError> {
        let name = r
            .strip_prefix("#/$defs/")
            .ok_or_else(|| unsupported(at, format!("$ref {r:?} is not `#/$defs/<Type>`")))?;
        if !self.defs.contains_key(name) {
            return Err(unsupported(at, format!("$ref {r:?} names no $def")));
        }
        Ok(check_fn(name))
    }

    /// Appends statements that `return` the error when `var` breaks `schema`.
    /// Returns `true` when they always return (the schema accepts nothing).
    pub(super) fn schema(
        &mut self,
        schema: &Value,
        site: Site<'_>,
        place: Place,
        code: &mut String,
    ) -> Result<bool, GenerateError> {
        let Site { var, path, at, ind } = site;
        let map = match schema {
            Value::Bool(true) => return Ok(false),
            Value::Bool(false) => {
                let rule = match place {
                    Place::Member => "must not be present",
                    Place::Value => "must not match the `false` schema",
                };
                Self::fail(code, ind, path, rule);
                return Ok(true);
            }
            Value::Object(map) => map,
            other => {
                return Err(unsupported(
                    at,
                    format!("a schema must be an object or a boolean, not {other}"),
                ));
            }
        };
        for key in map.keys() {
            let known = ANNOTATIONS.contains(&key.as_str()) || VALIDATING.contains(&key.as_str());
            if !known {
                return Err(unsupported(at, format!("unsupported keyword {key:?}")));
            }
            if (key == "then" || key == "else") && !map.contains_key("if") {
                return Err(unsupported(at, format!("{key:?} without \"if\"")));
            }
        }
        let mut known = Known::Nothing;
        if let Some(t) = map.get("type") {
            let at = format!("{at}/type");
            known = self.type_check(t, Site { at: &at, ..site }, code)?;
        }
        if let Some(c) = map.get("const") {
            let lit = literal(c, &format!("{at}/const"))?;
            let rule = format!("must equal {lit}");
            let _ = writeln!(code, "{ind}if ({var} !== {lit}) {{");
            Self::fail(code, &format!("{ind}  "), path, &rule);
            let _ = writeln!(code, "{ind}}}");
        }
        if let Some(e) = map.get("enum") {
            let Value::Array(items) = e else {
                return Err(unsupported(at, "enum is not an array"));
            };
            let lits = items
                .iter()
                .map(|i| literal(i, &format!("{at}/enum")))
                .collect::<Result<Vec<_>, _>>()?;
            let cond = lits
                .iter()
                .map(|l| format!("{var} !== {l}"))
                .collect::<Vec<_>>()
                .join(" && ");
            let _ = writeln!(
                code,
                "{ind}if ({}) {{",
                if cond.is_empty() {
                    "true".to_owned()
                } else {
                    cond
                }
            );
            Self::fail(
                code,
                &format!("{ind}  "),
                path,
                &format!("must be one of {}", lits.join(", ")),
            );
            let _ = writeln!(code, "{ind}}}");
        }
        // `$ref` before the sibling keywords: in a branch like
        // `{ "$ref": "#/$defs/ClientResponse", "properties": { "method": false } }`
        // the referenced type's own error says best what the value is not.
        if let Some(Value::String(r)) = map.get("$ref") {
            let f = self.ref_target(r, at)?;
            let e = self.var("e");
            let _ = writeln!(code, "{ind}const {e} = {f}({var});");
            let _ = writeln!(code, "{ind}if ({e} !== undefined) {{");
            Self::fail_with(code, &format!("{ind}  "), path, &e);
            let _ = writeln!(code, "{ind}}}");
        } else if map.contains_key("$ref") {
            return Err(unsupported(at, "$ref is not a string"));
        }
        self.numbers(map, site, known, code)?;
        self.strings(map, site, known, code)?;
        self.object(map, site, known, code)?;
        let mut always_fails = false;
        for kw in ["anyOf", "oneOf"] {
            if let Some(branches) = map.get(kw) {
                let at = format!("{at}/{kw}");
                always_fails |=
                    self.branches(kw, branches, Site { at: &at, ..site }, place, code)?;
            }
        }
        if let Some(not) = map.get("not") {
            if always_valid(not) {
                let rule = match place {
                    Place::Member => "must not be present",
                    Place::Value => "must not match `not: {}`",
                };
                Self::fail(code, ind, path, rule);
                return Ok(true);
            }
            let f = self.callable(not, &format!("{at}/not"))?;
            let _ = writeln!(code, "{ind}if ({f}({var}) === undefined) {{");
            Self::fail(
                code,
                &format!("{ind}  "),
                path,
                "must not match the schema in `not`",
            );
            let _ = writeln!(code, "{ind}}}");
        }
        if let Some(cond) = map.get("if") {
            let f = self.callable(cond, &format!("{at}/if"))?;
            let inner = format!("{ind}  ");
            let _ = writeln!(code, "{ind}if ({f}({var}) === undefined) {{");
            if let Some(then) = map.get("then") {
                let at = format!("{at}/then");
                let then_site = Site {
                    at: &at,
                    ind: &inner,
                    ..site
                };
                self.schema(then, then_site, place, code)?;
            }
            let _ = writeln!(code, "{ind}}} else {{");
            if let Some(els) = map.get("else") {
                let at = format!("{at}/else");
                let else_site = Site {
                    at: &at,
                    ind: &inner,
                    ..site
                };
                self.schema(els, else_site, place, code)?;
            }
            let _ = writeln!(code, "{ind}}}");
        }
        Ok(always_fails)
    }
}

/// The name of the function checking `$defs/<name>`.
fn check_fn(name: &str) -> String {
    format!("check{name}")
}

/// The checks of every `$def`, with what they need around them.
pub(super) struct Compiled {
    /// `const PATTERN_<i> = new RegExp(…, "u");` lines.
    pub(super) patterns: String,
    /// `function check<Def>(v: unknown): string | undefined` per `$def`, in
    /// name order, then the branch functions they call.
    pub(super) functions: String,
}

/// Compiles every `$def` of the bundle; `at` in errors is a JSON pointer.
pub(super) fn compile(defs: &Map<String, Value>) -> Result<Compiled, GenerateError> {
    let mut c = Compiler {
        defs,
        patterns: Vec::new(),
        branches: String::new(),
        next_var: 0,
    };
    let mut functions = String::new();
    for (name, schema) in defs {
        if !is_identifier(name) {
            return Err(unsupported(
                &format!("#/$defs/{name}"),
                "a $def name must be a TypeScript identifier",
            ));
        }
        let mut body = String::new();
        let at = format!("#/$defs/{name}");
        let always_fails = c.schema(schema, Site::root(&at), Place::Value, &mut body)?;
        let _ = write!(
            functions,
            "\n/** `{name}`: `undefined` when `v` is valid, else the error. */\n\
             function {}(v: unknown): string | undefined {{\n{body}{}}}\n",
            check_fn(name),
            if always_fails {
                ""
            } else {
                "  return undefined;\n"
            }
        );
    }
    functions.push_str(&c.branches);
    let mut patterns = String::new();
    for (i, source) in c.patterns.iter().enumerate() {
        // `new RegExp` from the schema's own string, with the `u` flag, is
        // how ajv compiles `pattern`: no re-escaping into a literal.
        let _ = writeln!(
            patterns,
            "const PATTERN_{i} = new RegExp({}, \"u\");",
            js_str(source)
        );
    }
    Ok(Compiled {
        patterns,
        functions,
    })
}

pub(super) fn is_identifier(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_alphabetic() || c == '_')
        && name.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}
