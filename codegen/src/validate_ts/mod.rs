//! `validate.ts`: the bundle's `$defs` compiled into dependency-free
//! TypeScript, one check per type, and the `parse…` functions the package
//! exports from its root.
//!
//! The input is the bundle `schema.rs` built in the same `generate()` call,
//! as JSON, not the Rust types: the checks are a fourth view of the schema,
//! so they are made from it (`compile.rs` turns each keyword into code or
//! fails, with `assertions.rs` for the keywords on one value and
//! `branches.rs` for `anyOf` and `oneOf` and the functions branches call).

mod assertions;
mod branches;
mod compile;

use std::fmt::Write;

use serde_json::Value;

use crate::{GENERATED_HEADER, GenerateError};

/// The exported parsers: `$def` it checks, what it reads. Each `$def` gets
/// `parse<Def>(text)` (JSON.parse, then the check) and `validate<Def>(value)`
/// (the check of an already-parsed value, so a host that parsed the line
/// itself does not parse it twice).
const PARSERS: [(&str, &str); 3] = [
    (
        "ServerMessage",
        "one line the server sent (what a client reads)",
    ),
    (
        "ClientMessage",
        "one line a client sent (what a server written in TypeScript reads)",
    ),
    (
        "AttestationHeader",
        "the value of an `x-oai-attestation` header (what the backend reads)",
    ),
];

pub(crate) struct ValidateTs {
    pub(crate) text: String,
    /// Type-only exports for `index.ts`.
    pub(crate) types: Vec<String>,
    /// Value exports for `index.ts`.
    pub(crate) values: Vec<String>,
}

/// Helpers every check may call.
const HELPERS: &str = r#"
/** A JSON object: not `null`, not an array. */
function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/**
 * The length of `s` in code points, as JSON Schema's `minLength` and
 * `maxLength` count (a surrogate pair is one character; `s.length` counts
 * UTF-16 units). Called only when `s.length` alone cannot decide.
 */
function codePoints(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      const d = s.charCodeAt(i + 1);
      if (d >= 0xdc00 && d <= 0xdfff) i++;
    }
    n++;
  }
  return n;
}

/**
 * How close the value came to the branch that gave `error`: deeper is
 * closer. At one depth, a missing member (the value is not of this kind)
 * ranks below a member that must not be there (the right kind, one member
 * too many), which ranks below a member that is there but wrong.
 */
function closeness(error: string): number {
  const end = error.indexOf(": ");
  let depth = 0;
  for (let i = 0; i < end; i++) {
    const c = error.charCodeAt(i);
    if (c === 0x2e || c === 0x5b) depth++; // `.` or `[`
  }
  const rule = error.slice(end + 2);
  if (rule === "must not be present") return 3 * depth - 2;
  if (rule.startsWith("must have required property")) return 3 * depth;
  return 3 * depth + 2;
}

/**
 * The error for a value no branch of an `anyOf` or `oneOf` accepts: the
 * first error of the branch the value came closest to, or, when the closest
 * errors are all about the value itself (not a member), each of them.
 */
function noBranch(errors: readonly string[]): string {
  let best = errors[0] as string;
  let score = closeness(best);
  for (let i = 1; i < errors.length; i++) {
    const e = errors[i] as string;
    const s = closeness(e);
    if (s > score) {
      best = e;
      score = s;
    }
  }
  if (!best.startsWith(": ")) return best;
  // Each rule once: three branches missing the same member are one reason.
  const rules = [...new Set(errors.filter((e) => closeness(e) === score).map((e) => e.slice(2)))];
  return rules.length === 1 ? best : ": must match one of: " + rules.join("; or ");
}
"#;

/// `validate.ts` for `bundle` (the value written to
/// `schema/attestwire.schema.json`).
pub(crate) fn render(bundle: &Value) -> Result<ValidateTs, GenerateError> {
    let Some(Value::Object(defs)) = bundle.get("$defs") else {
        return Err(GenerateError::Validator {
            at: "#".to_owned(),
            message: "the bundle has no $defs object".to_owned(),
        });
    };
    for (def, _) in PARSERS {
        if !defs.contains_key(def) {
            return Err(GenerateError::Validator {
                at: format!("#/$defs/{def}"),
                message: "a parser's type is missing from the bundle".to_owned(),
            });
        }
    }
    let compiled = compile::compile(defs)?;

    let mut t = format!("{GENERATED_HEADER}\n");
    t.push_str(
        "// Runtime checks compiled from schema/attestwire.schema.json by attestwire-codegen\n\
         // (codegen/src/validate_ts/): one function per `$defs` type, accepting exactly\n\
         // what the schema accepts. A check returns `undefined` for a valid value, or\n\
         // the error relative to it: a path (`.result.token`), \": \", the rule. Errors\n\
         // name schema members and schema constants only, never a value of the input.\n",
    );
    let mut parsed: Vec<&str> = PARSERS.iter().map(|(def, _)| *def).collect();
    parsed.sort_unstable();
    for def in parsed {
        let _ = writeln!(t, "import type {{ {def} }} from \"./{def}.js\";");
    }
    t.push_str(
        "\n/**\n * What a `parse…` or `validate…` function returns: the message, typed,\n \
         * or why the text (or value) is not one. `error` is a JSON path and the\n \
         * rule it breaks, e.g. `$.result.token: must match pattern\n \
         * ^[\\x21-\\x7E]+$`; it never contains a value of the input, so it is\n \
         * safe to log even when the input holds a token.\n \
         */\n\
         export type ParseResult<T> = { ok: true; message: T } | { ok: false; error: string };\n",
    );
    t.push_str(
        "\n/** The error of text that `JSON.parse` rejects (its own message quotes the text). */\n\
         const NOT_JSON = \"$: must be valid JSON\";\n",
    );
    for (def, what) in PARSERS {
        let _ = write!(
            t,
            "\n/**\n * Parses and checks {what}:\n \
             * `JSON.parse`, then `validate{def}`. Accepts exactly what\n \
             * `schema/{def}.json` accepts. Never throws: text that is not JSON, or\n \
             * not a valid `{def}`, gives `ok: false` and the first rule it breaks.\n \
             */\n\
             export function parse{def}(text: string): ParseResult<{def}> {{\n  \
             let value: unknown;\n  \
             try {{\n    value = JSON.parse(text);\n  }} catch {{\n    \
             return {{ ok: false, error: NOT_JSON }};\n  }}\n  \
             return validate{def}(value);\n}}\n\
             \n/**\n * Checks an already-parsed `value` (what `JSON.parse` returned, or a\n \
             * member of a larger message) as a `{def}`, exactly as\n \
             * `parse{def}` checks text, so a line is never parsed twice.\n \
             * Never throws; on success `message` is `value` itself, typed.\n \
             */\n\
             export function validate{def}(value: unknown): ParseResult<{def}> {{\n  \
             const error = check{def}(value);\n  \
             return error === undefined\n    ? {{ ok: true, message: value as {def} }}\n    \
             : {{ ok: false, error: \"$\" + error }};\n}}\n"
        );
    }
    t.push_str(
        "\n/**\n * Checks an already-parsed `value` as the type named `type` (any type of the\n \
         * schema bundle): `undefined` when it is valid, else the error as the\n \
         * `parse…` functions report it. Not exported from the package root: the\n \
         * agreement tests (tests/ts/agreement.mjs) import it from\n \
         * `dist/esm/validate.js` by path.\n */\n\
         export function validateAs(type: CheckedType, value: unknown): string | undefined {\n  \
         const error = CHECKS[type](value);\n  \
         return error === undefined ? undefined : \"$\" + error;\n}\n",
    );
    t.push_str("\nconst CHECKS = {\n");
    for name in defs.keys() {
        let _ = writeln!(t, "  {name}: check{name},");
    }
    t.push_str(
        "} as const;\n\n/** The name of every type `validateAs` checks: the bundle's `$defs`. */\n\
         export type CheckedType = keyof typeof CHECKS;\n",
    );
    if !compiled.patterns.is_empty() {
        t.push('\n');
        t.push_str(&compiled.patterns);
    }
    t.push_str(HELPERS);
    t.push_str(&compiled.functions);

    Ok(ValidateTs {
        text: t,
        types: vec!["ParseResult".to_owned()],
        values: PARSERS
            .iter()
            .flat_map(|(def, _)| [format!("parse{def}"), format!("validate{def}")])
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    fn bundle(defs: Value) -> Value {
        let mut defs = defs;
        for (def, _) in PARSERS {
            defs[def] = json!({ "type": "object" });
        }
        json!({ "$defs": defs })
    }

    fn error(defs: Value) -> String {
        match render(&bundle(defs)) {
            Ok(_) => panic!("codegen accepted a schema it cannot compile"),
            Err(e) => e.to_string(),
        }
    }

    #[test]
    fn an_unknown_keyword_fails_the_codegen_with_its_location() {
        let e = error(json!({ "Open": { "type": "object", "additionalProperties": false } }));
        assert!(
            e.contains("#/$defs/Open") && e.contains("additionalProperties"),
            "{e}"
        );
        let e = error(json!({ "Deep": { "properties": { "x": { "format": "email" } } } }));
        assert!(
            e.contains("#/$defs/Deep/properties/x") && e.contains("format"),
            "{e}"
        );
    }

    #[test]
    fn an_unresolvable_ref_or_a_deep_constant_fails_the_codegen() {
        assert!(error(json!({ "R": { "$ref": "#/$defs/Nope" } })).contains("names no $def"));
        assert!(error(json!({ "R": { "$ref": "other.json" } })).contains("#/$defs/"));
        assert!(error(json!({ "C": { "const": { "a": 1 } } })).contains("primitive"));
    }

    #[test]
    fn a_member_named_like_an_object_prototype_property_is_refused() {
        let e = error(json!({ "P": { "required": ["constructor"] } }));
        assert!(e.contains("Object.prototype"), "{e}");
    }

    #[test]
    fn rules_are_string_constants_in_the_code() {
        let out = render(&bundle(json!({
            "Token": { "type": "string", "minLength": 1, "maxLength": 8192, "pattern": "^[\\x21-\\x7E]+$" }
        })))
        .unwrap();
        assert!(
            out.text
                .contains(r#"return ": must have at most 8192 characters";"#),
            "{}",
            out.text
        );
        assert!(
            out.text
                .contains(r#"const PATTERN_0 = new RegExp("^[\\x21-\\x7E]+$", "u");"#)
        );
    }
}
