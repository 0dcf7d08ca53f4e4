//! The assertions on one value: `type`, `const`, `enum`, `minimum` and
//! `maximum`, `minLength`, `maxLength` and `pattern`, and an object's
//! `required` and `properties`.

use std::fmt::Write;

use serde_json::{Map, Value};

use super::compile::{
    Compiler, Known, PROTOTYPE_NAMES, Place, Site, always_valid, is_identifier, js_str, unsupported,
};
use crate::GenerateError;

/// A primitive schema constant as a JavaScript literal.
pub(super) fn literal(value: &Value, at: &str) -> Result<String, GenerateError> {
    match value {
        Value::Null | Value::Bool(_) | Value::Number(_) | Value::String(_) => Ok(value.to_string()),
        _ => Err(unsupported(
            at,
            "only primitive constants are supported (deep equality is not generated)",
        )),
    }
}

/// A member's path step: `.name`, or `["…"]` for a name that is not an
/// identifier.
fn step(name: &str) -> String {
    if is_identifier(name) {
        format!(".{name}")
    } else {
        format!("[{}]", js_str(name))
    }
}

fn non_negative_int(value: &Value, at: &str) -> Result<u64, GenerateError> {
    value
        .as_u64()
        .ok_or_else(|| unsupported(at, "must be a non-negative integer"))
}

/// Opens `if (<guard>) {` unless `known` already says the type; returns the
/// indent inside and whether a block was opened.
fn guard(code: &mut String, ind: &str, known: bool, test: &str) -> (String, bool) {
    if known {
        (ind.to_owned(), false)
    } else {
        let _ = writeln!(code, "{ind}if ({test}) {{");
        (format!("{ind}  "), true)
    }
}

fn close(code: &mut String, ind: &str, opened: bool) {
    if opened {
        let _ = writeln!(code, "{ind}}}");
    }
}

impl Compiler<'_> {
    pub(super) fn type_check(
        &mut self,
        t: &Value,
        site: Site<'_>,
        code: &mut String,
    ) -> Result<Known, GenerateError> {
        let Site { var, path, at, ind } = site;
        let names: Vec<&str> = match t {
            Value::String(s) => vec![s.as_str()],
            Value::Array(items) => items
                .iter()
                .map(|i| {
                    i.as_str()
                        .ok_or_else(|| unsupported(at, "a type that is not a string"))
                })
                .collect::<Result<_, _>>()?,
            _ => return Err(unsupported(at, "type is neither a string nor an array")),
        };
        // Each test fails for a value of that type; the value is bad when
        // every one fails.
        let mut tests = Vec::new();
        for name in &names {
            tests.push(match *name {
                "object" => format!("!isObject({var})"),
                "array" => format!("!Array.isArray({var})"),
                "string" => format!("typeof {var} !== \"string\""),
                "boolean" => format!("typeof {var} !== \"boolean\""),
                "null" => format!("{var} !== null"),
                // JSON.parse never yields NaN or ±Infinity; a value from
                // elsewhere must not pass as a number either.
                "number" => format!("!Number.isFinite({var})"),
                "integer" => format!("!Number.isInteger({var})"),
                other => return Err(unsupported(at, format!("unknown type {other:?}"))),
            });
        }
        let _ = writeln!(code, "{ind}if ({}) {{", tests.join(" && "));
        Self::fail(
            code,
            &format!("{ind}  "),
            path,
            &format!("must be {}", names.join(" or ")),
        );
        let _ = writeln!(code, "{ind}}}");
        Ok(match names.as_slice() {
            ["object"] => Known::Object,
            ["string"] => Known::String,
            ["number" | "integer"] => Known::Number,
            _ => Known::Nothing,
        })
    }
}

impl Compiler<'_> {
    /// `minimum` and `maximum` (inclusive), on numbers only.
    pub(super) fn numbers(
        &mut self,
        map: &Map<String, Value>,
        site: Site<'_>,
        known: Known,
        code: &mut String,
    ) -> Result<(), GenerateError> {
        let Site { var, path, at, ind } = site;
        let bounds: Vec<(&str, &str, &Value)> = [("minimum", "<", ">="), ("maximum", ">", "<=")]
            .into_iter()
            .filter_map(|(kw, op, says)| map.get(kw).map(|v| (op, says, v)))
            .collect();
        if bounds.is_empty() {
            return Ok(());
        }
        let (inner, opened) = guard(
            code,
            ind,
            known == Known::Number,
            &format!("typeof {var} === \"number\""),
        );
        for (op, says, bound) in bounds {
            if !bound.is_number() {
                return Err(unsupported(at, "a bound that is not a number"));
            }
            let _ = writeln!(code, "{inner}if (({var} as number) {op} {bound}) {{");
            Self::fail(
                code,
                &format!("{inner}  "),
                path,
                &format!("must be {says} {bound}"),
            );
            let _ = writeln!(code, "{inner}}}");
        }
        close(code, ind, opened);
        Ok(())
    }

    /// `minLength`, `maxLength` (in code points, as JSON Schema counts) and
    /// `pattern`, on strings only.
    pub(super) fn strings(
        &mut self,
        map: &Map<String, Value>,
        site: Site<'_>,
        known: Known,
        code: &mut String,
    ) -> Result<(), GenerateError> {
        let Site { var, path, at, ind } = site;
        let (min, max, pattern) = (
            map.get("minLength"),
            map.get("maxLength"),
            map.get("pattern"),
        );
        if min.is_none() && max.is_none() && pattern.is_none() {
            return Ok(());
        }
        let (inner, opened) = guard(
            code,
            ind,
            known == Known::String,
            &format!("typeof {var} === \"string\""),
        );
        let deeper = format!("{inner}  ");
        if let Some(min) = min {
            let min = non_negative_int(min, &format!("{at}/minLength"))?;
            // UTF-16 units ≥ code points ≥ units / 2: count only in between.
            let _ = writeln!(
                code,
                "{inner}if ({var}.length < {min} || ({var}.length < {} && codePoints({var}) < {min})) {{",
                min.saturating_mul(2)
            );
            let unit = if min == 1 { "character" } else { "characters" };
            Self::fail(
                code,
                &deeper,
                path,
                &format!("must have at least {min} {unit}"),
            );
            let _ = writeln!(code, "{inner}}}");
        }
        if let Some(max) = max {
            let max = non_negative_int(max, &format!("{at}/maxLength"))?;
            let _ = writeln!(
                code,
                "{inner}if ({var}.length > {max} && codePoints({var}) > {max}) {{"
            );
            let unit = if max == 1 { "character" } else { "characters" };
            Self::fail(
                code,
                &deeper,
                path,
                &format!("must have at most {max} {unit}"),
            );
            let _ = writeln!(code, "{inner}}}");
        }
        if let Some(pattern) = pattern {
            let Value::String(source) = pattern else {
                return Err(unsupported(
                    &format!("{at}/pattern"),
                    "pattern is not a string",
                ));
            };
            let i = match self.patterns.iter().position(|p| p == source) {
                Some(i) => i,
                None => {
                    self.patterns.push(source.clone());
                    self.patterns.len() - 1
                }
            };
            let _ = writeln!(code, "{inner}if (!PATTERN_{i}.test({var})) {{");
            Self::fail(code, &deeper, path, &format!("must match pattern {source}"));
            let _ = writeln!(code, "{inner}}}");
        }
        close(code, ind, opened);
        Ok(())
    }

    /// `required` and `properties`, on objects only. A member is present
    /// when it is not `undefined`: JSON.parse never makes an `undefined`
    /// member, and no schema name is on `Object.prototype`.
    pub(super) fn object(
        &mut self,
        map: &Map<String, Value>,
        site: Site<'_>,
        known: Known,
        code: &mut String,
    ) -> Result<(), GenerateError> {
        let Site { var, path, at, ind } = site;
        let required = match map.get("required") {
            None => Vec::new(),
            Some(Value::Array(names)) => names
                .iter()
                .map(|n| {
                    n.as_str().ok_or_else(|| {
                        unsupported(&format!("{at}/required"), "a name that is not a string")
                    })
                })
                .collect::<Result<_, _>>()?,
            Some(_) => {
                return Err(unsupported(
                    &format!("{at}/required"),
                    "required is not an array",
                ));
            }
        };
        let properties = match map.get("properties") {
            None => None,
            Some(Value::Object(props)) => Some(props),
            Some(_) => {
                return Err(unsupported(
                    &format!("{at}/properties"),
                    "properties is not an object",
                ));
            }
        };
        let checked: Vec<(&String, &Value)> = properties
            .into_iter()
            .flatten()
            .filter(|(_, sub)| !always_valid(sub))
            .collect();
        if required.is_empty() && checked.is_empty() {
            return Ok(());
        }
        for name in required
            .iter()
            .copied()
            .chain(checked.iter().map(|(n, _)| n.as_str()))
        {
            if PROTOTYPE_NAMES.contains(&name) {
                return Err(unsupported(
                    at,
                    format!("member {name:?} is a name on Object.prototype"),
                ));
            }
        }
        let (inner, opened) = guard(
            code,
            ind,
            known == Known::Object,
            &format!("isObject({var})"),
        );
        let o = self.var("o");
        let _ = writeln!(code, "{inner}const {o} = {var} as Record<string, unknown>;");
        for name in &required {
            let _ = writeln!(code, "{inner}if ({o}[{}] === undefined) {{", js_str(name));
            Self::fail(
                code,
                &format!("{inner}  "),
                path,
                &format!("must have required property {}", js_str(name)),
            );
            let _ = writeln!(code, "{inner}}}");
        }
        for (name, sub) in checked {
            let member = self.var("m");
            let member_path = format!("{path}{}", step(name));
            let _ = writeln!(code, "{inner}const {member} = {o}[{}];", js_str(name));
            // A required member is known to be present by now.
            let present = required.contains(&name.as_str());
            let (deeper, opened) = guard(code, &inner, present, &format!("{member} !== undefined"));
            let member_site = Site {
                var: &member,
                path: &member_path,
                at: &format!("{at}/properties/{name}"),
                ind: &deeper,
            };
            self.schema(sub, member_site, Place::Member, code)?;
            close(code, &inner, opened);
        }
        close(code, ind, opened);
        Ok(())
    }
}
