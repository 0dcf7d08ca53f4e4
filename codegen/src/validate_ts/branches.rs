//! The subschemas that get functions of their own: `Compiler::callable`
//! writes the function a branch of `anyOf`, `oneOf`, `not` or `if` calls,
//! and `Compiler::branches` compiles `anyOf` and `oneOf` into calls of them.
//! A branch function checks its value as `v` from the empty path; its caller
//! prefixes the error with the value's path.

use std::fmt::Write;

use serde_json::Value;

use super::compile::{ANNOTATIONS, Compiler, Place, Site, unsupported};
use crate::GenerateError;

impl Compiler<'_> {
    /// The function checking `schema`: `check<Def>` for a plain `$ref`, a new
    /// branch function otherwise.
    pub(super) fn callable(&mut self, schema: &Value, at: &str) -> Result<String, GenerateError> {
        if let Value::Object(map) = schema
            && let Some(Value::String(r)) = map.get("$ref")
            && map
                .keys()
                .all(|k| k == "$ref" || ANNOTATIONS.contains(&k.as_str()))
        {
            return self.ref_target(r, at);
        }
        let name = self.var("branch");
        let mut body = String::new();
        let always_fails = self.schema(schema, Site::root(at), Place::Value, &mut body)?;
        let _ = writeln!(
            self.branches,
            "\n// {at}\nfunction {name}(v: unknown): string | undefined {{\n{body}{}}}",
            if always_fails {
                ""
            } else {
                "  return undefined;\n"
            }
        );
        Ok(name)
    }

    /// `anyOf` (at least one branch) and `oneOf` (exactly one). Returns
    /// `true` when the statements always return.
    pub(super) fn branches(
        &mut self,
        kw: &str,
        branches: &Value,
        site: Site<'_>,
        place: Place,
        code: &mut String,
    ) -> Result<bool, GenerateError> {
        let Site { var, path, at, ind } = site;
        let Value::Array(branches) = branches else {
            return Err(unsupported(at, format!("{kw} is not an array")));
        };
        match branches.as_slice() {
            [] => Err(unsupported(at, format!("{kw} is empty"))),
            // One branch: anyOf and oneOf both mean "this one".
            [only] => {
                let at = format!("{at}/0");
                self.schema(only, Site { at: &at, ..site }, place, code)
            }
            _ if kw == "oneOf" && distinct_constants(branches) => {
                // Distinct constants: a value matches at most one, so "exactly
                // one" is "one of these" — a chain of comparisons.
                let lits: Vec<String> = branches
                    .iter()
                    .filter_map(|b| b.get("const").map(Value::to_string))
                    .collect();
                let cond = lits
                    .iter()
                    .map(|l| format!("{var} !== {l}"))
                    .collect::<Vec<_>>()
                    .join(" && ");
                let _ = writeln!(code, "{ind}if ({cond}) {{");
                Self::fail(
                    code,
                    &format!("{ind}  "),
                    path,
                    &format!(
                        "must match exactly one schema in oneOf (be one of {})",
                        lits.join(", ")
                    ),
                );
                let _ = writeln!(code, "{ind}}}");
                Ok(false)
            }
            _ => {
                let fns = branches
                    .iter()
                    .enumerate()
                    .map(|(i, b)| self.callable(b, &format!("{at}/{i}")))
                    .collect::<Result<Vec<_>, _>>()?;
                let errs: Vec<String> = fns.iter().map(|_| self.var("e")).collect();
                if kw == "anyOf" {
                    // Stop at the first branch that accepts.
                    let mut depth = ind.to_owned();
                    for (f, e) in fns.iter().zip(&errs) {
                        let _ = writeln!(code, "{depth}const {e} = {f}({var});");
                        let _ = writeln!(code, "{depth}if ({e} !== undefined) {{");
                        depth.push_str("  ");
                    }
                    Self::fail_with(
                        code,
                        &depth,
                        path,
                        &format!("noBranch([{}])", errs.join(", ")),
                    );
                    for _ in &fns {
                        depth.truncate(depth.len() - 2);
                        let _ = writeln!(code, "{depth}}}");
                    }
                } else {
                    let n = self.var("n");
                    let _ = writeln!(code, "{ind}let {n} = 0;");
                    for (f, e) in fns.iter().zip(&errs) {
                        let _ = writeln!(code, "{ind}const {e} = {f}({var});");
                        let _ = writeln!(code, "{ind}if ({e} === undefined) {n}++;");
                    }
                    let _ = writeln!(code, "{ind}if ({n} === 0) {{");
                    let list = errs
                        .iter()
                        .map(|e| format!("{e} as string"))
                        .collect::<Vec<_>>();
                    Self::fail_with(
                        code,
                        &format!("{ind}  "),
                        path,
                        &format!("noBranch([{}])", list.join(", ")),
                    );
                    let _ = writeln!(code, "{ind}}}");
                    let _ = writeln!(code, "{ind}if ({n} > 1) {{");
                    Self::fail(
                        code,
                        &format!("{ind}  "),
                        path,
                        "must match exactly one schema in oneOf, but matches more",
                    );
                    let _ = writeln!(code, "{ind}}}");
                }
                Ok(false)
            }
        }
    }
}

/// Every branch is `{ const: <primitive> }` plus annotations, and no two
/// constants are equal.
fn distinct_constants(branches: &[Value]) -> bool {
    let mut seen: Vec<&Value> = Vec::new();
    for b in branches {
        let Value::Object(map) = b else { return false };
        let only_const = map
            .keys()
            .all(|k| k == "const" || ANNOTATIONS.contains(&k.as_str()));
        match map.get("const") {
            Some(c @ (Value::Null | Value::Bool(_) | Value::String(_))) if only_const => {
                if seen.contains(&c) {
                    return false;
                }
                seen.push(c);
            }
            // 1 and 1.0 are one JSON Schema number but two serde_json values.
            Some(c @ Value::Number(n)) if only_const => {
                let f = n.as_f64();
                if seen.iter().any(|s| s.as_f64() == f) {
                    return false;
                }
                seen.push(c);
            }
            _ => return false,
        }
    }
    true
}
