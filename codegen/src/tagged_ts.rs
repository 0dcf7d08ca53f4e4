//! `ServerRequest.ts`, `ClientRequest.ts` and `ClientNotification.ts`,
//! written from the method tables rather than by ts-rs: one union member
//! per method, each with the method's doc comment, and a `switch` on
//! `method` that TypeScript can prove exhaustive even while a table has
//! one method.

use std::collections::BTreeSet;
use std::fmt::Write;

use attestwire_protocol::{ClientNotification, ClientRequest, ServerRequest};
use ts_rs::{Config, TS};

use crate::GENERATED_HEADER;
use crate::methods_ts::{Entry, tables};

/// The type names this module writes (ts-rs's versions are not used).
pub(crate) const NAMES: [&str; 3] = ["ServerRequest", "ClientRequest", "ClientNotification"];

/// `(path relative to generated/src, contents)` for each of [`NAMES`].
pub(crate) fn render(cfg: &Config) -> Vec<(String, String)> {
    let c = tables(cfg);
    vec![
        file("ServerRequest", ServerRequest::docs(), &c.server),
        file("ClientRequest", ClientRequest::docs(), &c.client),
        file(
            "ClientNotification",
            ClientNotification::docs(),
            &c.notifications,
        ),
    ]
}

/// `doc` as a JSDoc block at `indent`, one source line per line.
pub(crate) fn jsdoc(out: &mut String, indent: &str, doc: &str) {
    let lines: Vec<&str> = doc
        .lines()
        .map(|l| l.strip_prefix(' ').unwrap_or(l).trim_end())
        .collect();
    let _ = writeln!(out, "{indent}/**");
    for line in lines {
        if line.is_empty() {
            let _ = writeln!(out, "{indent} *");
        } else {
            let _ = writeln!(out, "{indent} * {line}");
        }
    }
    let _ = writeln!(out, "{indent} */");
}

/// The text of a JSDoc block as ts-rs renders it (`/**`, ` * line`, ` */`).
fn plain(docs: &str) -> String {
    docs.lines()
        .map(str::trim)
        .filter(|l| *l != "/**" && *l != "*/")
        .map(|l| l.strip_prefix('*').unwrap_or(l))
        .collect::<Vec<_>>()
        .join("\n")
}

// `write!` into a `String` cannot fail; the results are ignored on purpose.
fn file(name: &str, docs: Option<String>, members: &[Entry]) -> (String, String) {
    let mut imports = BTreeSet::new();
    for m in members.iter().filter(|m| m.response.is_some()) {
        imports.insert(m.params.clone());
        imports.insert("RequestId".to_owned());
    }
    let mut t = format!("{GENERATED_HEADER}\n");
    for import in &imports {
        let _ = writeln!(t, "import type {{ {import} }} from \"./{import}.js\";");
    }
    t.push('\n');
    jsdoc(&mut t, "", &plain(docs.as_deref().unwrap_or(name)));
    let _ = writeln!(t, "export type {name} =");
    for m in members {
        t.push_str("  | {\n");
        let doc = if m.doc.is_empty() {
            format!("The method `{}`.", m.method)
        } else {
            m.doc.to_owned()
        };
        jsdoc(&mut t, "      ", &doc);
        let _ = writeln!(t, "      method: \"{}\";", m.method);
        jsdoc(
            &mut t,
            "      ",
            "Always `\"2.0\"`; may be left out by clients.",
        );
        t.push_str("      jsonrpc?: \"2.0\";\n");
        if m.response.is_some() {
            let params = &m.params;
            jsdoc(
                &mut t,
                "      ",
                "Chosen by the sender; echoed in the response.",
            );
            t.push_str("      id: RequestId;\n");
            jsdoc(&mut t, "      ", "The method's parameters.");
            let _ = writeln!(t, "      params: {params};");
        } else {
            jsdoc(&mut t, "      ", "None: a notification has no params.");
            t.push_str("      params?: undefined;\n");
        }
        t.push_str("    }\n");
    }
    // TypeScript narrows by `method` only a union: with one member,
    // `default: { const unhandled: never = request; }` would not compile.
    let only = members.len() == 1;
    if only {
        t.push_str("  | NoOtherMethod");
    }
    // An empty table (never the case today) is `never`.
    if members.is_empty() {
        t.push_str("  never");
    }
    t.push_str(";\n");
    if only {
        let keys = if members.iter().any(|m| m.response.is_some()) {
            "method: never; jsonrpc?: never; id: never; params: never"
        } else {
            "method: never; jsonrpc?: never; params?: never"
        };
        t.push('\n');
        jsdoc(
            &mut t,
            "",
            &format!(
                "No value has this type. It keeps `{name}` a union while its table\n\
                 has one method, so that `switch (message.method)` narrows to `never`\n\
                 in `default` (TypeScript narrows unions only); it goes away when a\n\
                 second method is added."
            ),
        );
        let _ = writeln!(t, "type NoOtherMethod = {{ {keys} }};");
    }
    (format!("{name}.ts"), t)
}
