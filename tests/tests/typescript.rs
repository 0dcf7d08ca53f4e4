//! "What the TypeScript type allows is what serde writes": the generated
//! package type-checks in strict NodeNext mode under TypeScript 5.9 and 7,
//! accepts every wire vector, rejects the bad ones it can express, and ajv
//! agrees with the schema verdicts. Node tooling lives in `tests/ts/`.

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use attestwire_tests::node::{self, Tsc};
use attestwire_tests::vectors::{self, Vector, Vectors};

/// Negative vectors that TypeScript accepts, and why: a TS type cannot
/// express integer ranges, integrality or string contents. Every other
/// negative vector must fail to type-check. Keep this list exact: a vector
/// that starts failing must be removed from it.
const TS_CANNOT_REJECT: &[(&str, &str)] = &[
    ("id_fraction", "`number` admits fractions"),
    ("id_too_large", "`number` has no range"),
    ("id_just_too_large", "`number` has no range"),
    ("request_id_fraction", "`number` admits fractions"),
    ("request_id_2_pow_60", "`number` has no range"),
    ("message_request_bad_id", "`number` admits fractions"),
    ("error_code_fraction", "`number` admits fractions"),
    ("error_code_2_pow_53", "`number` has no range"),
    ("header_token_with_space", "token rule: string contents"),
    ("header_empty_token", "token rule: string length"),
    ("header_token_8193", "token rule: string length"),
    ("response_empty_token", "token rule: string length"),
    ("response_token_8193", "token rule: string length"),
    ("response_token_space", "token rule: string contents"),
    ("response_token_non_ascii", "token rule: string contents"),
    ("response_token_control", "token rule: string contents"),
    ("response_token_del", "token rule: string contents"),
    (
        "client_message_token_with_space",
        "token rule: string contents",
    ),
    ("client_message_empty_token", "token rule: string length"),
    (
        "server_request_result_bad_token",
        "token rule: string contents",
    ),
    ("attestation_params_number", "`{}` admits primitives"),
];

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn write(path: &Path, contents: &str) {
    if let Some(parent) = path.parent() {
        fs::create_dir_all(parent).unwrap();
    }
    fs::write(path, contents).unwrap();
}

/// One `const` per line, so that a diagnostic's line names its vector and a
/// `@ts-expect-error` covers exactly one vector.
fn declaration(prefix: &str, case: &Vector, json: &str) -> String {
    assert!(
        case.name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '_'),
        "vector name {:?} is not an identifier",
        case.name
    );
    assert!(!json.contains('\n'), "{}: JSON spans lines", case.name);
    format!(
        "export const {prefix}_{}: {} = {json};\n",
        case.name, case.type_name
    )
}

/// `tests/ts/build/vectors.check.ts`: every positive vector and every
/// accepted vector's canonical form assigned to its type; every negative
/// vector under `@ts-expect-error`, unless TypeScript cannot express why it
/// is bad (then it must type-check, to keep [`TS_CANNOT_REJECT`] exact).
fn vector_check_file(v: &Vectors) -> String {
    let cannot: BTreeMap<&str, &str> = TS_CANNOT_REJECT.iter().copied().collect();
    let negative_names: BTreeSet<&str> = v.negative.iter().map(|c| c.name.as_str()).collect();
    for name in cannot.keys() {
        assert!(
            negative_names.contains(name),
            "TS_CANNOT_REJECT names {name}, which is not a negative vector"
        );
    }
    let types: BTreeSet<&str> = v
        .positive
        .iter()
        .chain(&v.accepted)
        .chain(&v.negative)
        .map(|c| c.type_name.as_str())
        .collect();
    let mut out = String::from(
        "// Written by tests/tests/typescript.rs from tests/vectors/wire.json; do not edit.\n",
    );
    out.push_str(&format!(
        "import type {{ {} }} from \"@attestwire/protocol\";\n\n",
        types.into_iter().collect::<Vec<_>>().join(", ")
    ));
    out.push_str("// positive: serde writes exactly this\n");
    for case in &v.positive {
        out.push_str(&declaration("v", case, &case.json));
    }
    out.push_str("\n// accepted: what serde writes back\n");
    for case in &v.accepted {
        out.push_str(&declaration("v", case, case.canonical.as_deref().unwrap()));
    }
    out.push_str("\n// negative: rejected by serde and the schema\n");
    for case in &v.negative {
        match cannot.get(case.name.as_str()) {
            Some(reason) => out.push_str(&format!("// TypeScript accepts it: {reason}\n")),
            None => out.push_str(&format!(
                "// @ts-expect-error {}\n",
                case.why.as_deref().unwrap_or("negative vector")
            )),
        }
        out.push_str(&declaration("n", case, &case.json));
    }
    out
}

fn assert_fails(out: &std::process::Output, version: Tsc, what: &str) {
    let stdout = text(&out.stdout);
    assert!(
        !out.status.success(),
        "tsc {version:?} accepted {what}:\n{stdout}"
    );
    assert!(
        stdout.contains("error TS2322"),
        "tsc {version:?} failed on {what}, but not with the expected assignability error:\n{stdout}{}",
        text(&out.stderr)
    );
}

#[test]
fn generated_package_type_checks_in_strict_nodenext_under_ts_5_9_and_7() {
    let _lock = node::prepare();
    let tsconfig = node::generated_dir().join("tsconfig.json");
    let tsconfig = tsconfig.to_str().unwrap();
    for version in Tsc::ALL {
        node::tsc(version, &["-p", tsconfig, "--noEmit"]);
    }
}

#[test]
fn vectors_and_negative_checks_type_check_against_the_built_package() {
    let _lock = node::prepare();
    let v = vectors::load().unwrap();
    let file = node::build_dir().join("vectors.check.ts");
    let contents = vector_check_file(&v);
    let declared = contents.matches("export const ").count();
    assert_eq!(
        declared,
        v.positive.len() + v.accepted.len() + v.negative.len()
    );
    write(&file, &contents);
    let tsconfig = node::ts_dir().join("tsconfig.json");
    for version in Tsc::ALL {
        let out = node::tsc_output(version, &["-p", tsconfig.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "tsc {version:?} rejects the checks:\n{}{}",
            name_vectors(&text(&out.stdout), &contents),
            text(&out.stderr)
        );
    }
}

/// Appends to each diagnostic in `build/vectors.check.ts` the vector it is
/// about: the one declared on its line, or on the next line for a
/// `@ts-expect-error` comment.
fn name_vectors(diagnostics: &str, contents: &str) -> String {
    let lines: Vec<&str> = contents.lines().collect();
    let vector_at = |line: usize| {
        lines[line.saturating_sub(1)..]
            .iter()
            .take(2)
            .find_map(|l| l.strip_prefix("export const "))
            .and_then(|l| l.split(':').next())
    };
    diagnostics
        .lines()
        .map(|d| {
            let line = d
                .split_once("vectors.check.ts(")
                .and_then(|(_, rest)| rest.split(',').next())
                .and_then(|n| n.parse::<usize>().ok());
            match line.and_then(vector_at) {
                Some(name) => format!("{d}  [vector {name}]\n"),
                None => format!("{d}\n"),
            }
        })
        .collect()
}

#[test]
fn a_wrong_line_fails_the_type_check() {
    let _lock = node::prepare();
    let dir = node::build_dir().join("must-fail");
    // Same compiler options as the real checks; only this file.
    write(
        &dir.join("tsconfig.json"),
        r#"{ "extends": "../../tsconfig.json", "include": ["check.ts"] }"#,
    );
    let header = "import { AttestationStatus } from \"@attestwire/protocol\";\n\
                  export const good: AttestationStatus = AttestationStatus.Timeout;\n";
    let tsconfig = dir.join("tsconfig.json");
    let tsconfig = tsconfig.to_str().unwrap();

    // Without the wrong line the file passes, so the failure below is the
    // wrong line's and not the setup's.
    write(&dir.join("check.ts"), header);
    for version in Tsc::ALL {
        node::tsc(version, &["-p", tsconfig]);
    }

    write(
        &dir.join("check.ts"),
        &format!("{header}export const bad: AttestationStatus = 7;\n"),
    );
    for version in Tsc::ALL {
        let out = node::tsc_output(version, &["-p", tsconfig]);
        assert_fails(&out, version, "`const bad: AttestationStatus = 7`");
        assert!(text(&out.stdout).contains("check.ts(3,"), "{out:?}");
    }
}

/// Every schema file in `schema/` (not the frozen releases under
/// `schema/releases/`), and the number of `$defs` in the bundle.
fn schema_counts() -> (usize, usize) {
    let dir = vectors::repo_root().join("schema");
    let files = fs::read_dir(&dir)
        .unwrap()
        .filter(|e| {
            e.as_ref()
                .unwrap()
                .path()
                .extension()
                .is_some_and(|x| x == "json")
        })
        .count();
    let bundle = vectors::repo_root().join(attestwire_codegen::BUNDLE_PATH);
    let bundle: serde_json::Value =
        serde_json::from_str(&fs::read_to_string(bundle).unwrap()).unwrap();
    (files, bundle["$defs"].as_object().unwrap().len())
}

/// "Every schema file has an absolute `$id`; ajv in strict mode compiles
/// them all": conformance.mjs registers each file by its `$id`, compiles
/// each and every bundle `$defs` entry with every strict option on, resolves
/// a consumer's `$ref`s by `$id`, and then checks every vector.
#[test]
fn ajv_strict_compiles_every_schema_by_id_and_agrees_with_every_vector() {
    let _lock = node::prepare();
    let v = vectors::load().unwrap();
    let (files, defs) = schema_counts();
    // Two views (schema/<Type>.json and the bundle's $defs) per instance;
    // accepted vectors have two instances (json and canonical).
    let expected = 2 * (v.positive.len() + 2 * v.accepted.len() + v.negative.len());
    let script = node::ts_dir().join("conformance.mjs");
    // Not `node::run`: a failing run's summary lines say more than its status.
    let out = node::output("node", &[script.to_str().unwrap()], &vectors::repo_root());
    let stdout = text(&out.stdout);
    let summary: Vec<&str> = stdout.lines().filter(|l| l.starts_with("ajv ")).collect();
    assert_eq!(
        summary,
        [
            format!(
                "ajv strict: {files} files compiled by $id, {defs} bundle $defs compiled, 0 failed"
            ),
            "ajv $ref by $id: 3 passed, 0 failed".to_owned(),
            format!("ajv conformance: {expected} passed, 0 failed"),
        ],
        "{stdout}{}",
        text(&out.stderr)
    );
    assert!(out.status.success(), "{stdout}");
}

#[test]
fn npm_run_build_output_imports_and_requires_in_node() {
    let _lock = node::prepare();
    let dist = node::generated_dir().join("dist");
    for file in [
        "esm/index.js",
        "esm/index.d.ts",
        "esm/methods.js",
        "esm/methods.d.ts",
        "cjs/index.js",
        "cjs/index.d.ts",
        "cjs/methods.js",
        "cjs/methods.d.ts",
    ] {
        assert!(dist.join(file).is_file(), "missing dist/{file}");
    }
    // What makes Node and TypeScript read dist/cjs as CommonJS inside a
    // `"type": "module"` package.
    assert_eq!(
        fs::read_to_string(dist.join("cjs/package.json")).unwrap(),
        "{\"type\":\"commonjs\"}\n"
    );
    let expected = "AttestationStatus.Timeout === 1\n\
                    ServerRequestMethod.AttestationGenerate === 'attestation/generate'\n\
                    isValidAttestationToken true false\n\
                    TOKEN_PATTERN alone rejects '': true\n";
    let body = "console.log(`AttestationStatus.Timeout === ${m.AttestationStatus.Timeout}`);\n\
                console.log(`ServerRequestMethod.AttestationGenerate === '${m.ServerRequestMethod.AttestationGenerate}'`);\n\
                console.log(`isValidAttestationToken ${m.isValidAttestationToken('v1.opaque-client-payload')} ${m.isValidAttestationToken('a b')}`);\n\
                console.log(`TOKEN_PATTERN alone rejects '': ${!m.TOKEN_PATTERN.test('')}`);";
    // Imported and required by name from tests/ts, as an app would: through
    // the package's `exports`, not a path. The CommonJS run has no
    // require(esm), so it can only pass by loading dist/cjs.
    let import = format!("const m = await import('@attestwire/protocol');\n{body}");
    let require = format!("const m = require('@attestwire/protocol');\n{body}");
    let runs: [&[&str]; 2] = [
        &["--input-type=module", "-e", &import],
        &["--no-experimental-require-module", "-e", &require],
    ];
    for args in runs {
        let out = node::run("node", args, &node::ts_dir());
        assert_eq!(text(&out.stdout), expected, "node {}", args[0]);
    }
}

/// A `switch (message.method)` with one `case` per method of `methods` and
/// the exhaustiveness idiom in `default`, over the type `ty`.
fn exhaustive_switch(fn_name: &str, ty: &str, methods: &[&str]) -> String {
    let mut out = format!("export function {fn_name}(message: {ty}): string {{\n");
    out.push_str("  switch (message.method) {\n");
    for method in methods {
        out.push_str(&format!(
            "    case \"{method}\":\n      return message.method;\n"
        ));
    }
    out.push_str(
        "    default: {\n      const unhandled: never = message;\n      return unhandled;\n    }\n  }\n}\n",
    );
    out
}

/// "The exhaustive-switch idiom compiles today, and stops compiling when a
/// table gains a method without a case": the switches are generated from
/// the tables' own method lists, and the grown table is the union the
/// generator writes for one more method.
#[test]
fn exhaustive_switches_over_the_method_tables_compile_and_break_on_a_new_method() {
    use attestwire_protocol::{ClientNotification, ClientRequest, ServerRequest};
    let _lock = node::prepare();
    let dir = node::build_dir().join("exhaustive");
    write(
        &dir.join("tsconfig.json"),
        r#"{ "extends": "../../tsconfig.json", "include": ["check.ts"] }"#,
    );
    let tsconfig = dir.join("tsconfig.json");
    let tsconfig = tsconfig.to_str().unwrap();
    let header = "import type { ClientNotification, ClientRequest, RequestId, ServerRequest } \
                  from \"@attestwire/protocol\";\n";
    let tables: [(&str, &[&str], &str); 3] = [
        (
            "ServerRequest",
            ServerRequest::METHODS,
            "id: RequestId; params: {}",
        ),
        (
            "ClientRequest",
            ClientRequest::METHODS,
            "id: RequestId; params: {}",
        ),
        (
            "ClientNotification",
            ClientNotification::METHODS,
            "params?: undefined",
        ),
    ];
    let mut today = header.to_owned();
    for (ty, methods, _) in tables {
        today.push_str(&exhaustive_switch(&format!("handle{ty}"), ty, methods));
    }
    write(&dir.join("check.ts"), &today);
    for version in Tsc::ALL {
        node::tsc(version, &["-p", tsconfig]);
    }

    for (ty, methods, rest) in tables {
        // The table with one method more: the union ts-rs-style codegen
        // writes, one member per method.
        let grown = format!(
            "{header}type Grown = {ty} | {{ method: \"added/method\"; jsonrpc?: \"2.0\"; {rest} }};\n{}",
            exhaustive_switch("handle", "Grown", methods)
        );
        write(&dir.join("check.ts"), &grown);
        for version in Tsc::ALL {
            let out = node::tsc_output(version, &["-p", tsconfig]);
            assert_fails(
                &out,
                version,
                &format!("a switch over {ty} missing a new method"),
            );
            assert!(
                text(&out.stdout).contains("is not assignable to type 'never'"),
                "{out:?}"
            );
        }
        // A case dropped from today's table fails the same way.
        let dropped = format!("{header}{}", exhaustive_switch("handle", ty, &methods[1..]));
        write(&dir.join("check.ts"), &dropped);
        for version in Tsc::ALL {
            let out = node::tsc_output(version, &["-p", tsconfig]);
            assert_fails(&out, version, &format!("a switch over {ty} missing a case"));
        }
    }
}

/// The typed builders: a response's `result` is checked against the
/// method it answers, and the message it builds is a `ClientMessage`.
#[test]
fn typed_builders_check_the_result_against_the_method() {
    let _lock = node::prepare();
    let dir = node::build_dir().join("builders");
    write(
        &dir.join("tsconfig.json"),
        r#"{ "extends": "../../tsconfig.json", "include": ["check.ts"] }"#,
    );
    let tsconfig = dir.join("tsconfig.json");
    let tsconfig = tsconfig.to_str().unwrap();
    let good = "import { makeError, makeResponse, makeRequest, makeNotification, ErrorCode } from \"@attestwire/protocol\";\n\
                import type { ClientMessage, ClientNotification, ClientNotificationMap, ServerRequest } from \"@attestwire/protocol\";\n\
                export function answer(request: ServerRequest): ClientMessage {\n\
                \x20 switch (request.method) {\n\
                \x20   case \"attestation/generate\":\n\
                \x20     return makeResponse(request, { token: \"v1.abc\" });\n\
                \x20 }\n\
                }\n\
                export const refused: ClientMessage = makeError(\"attestwire:1\", ErrorCode.InternalError, \"no token\");\n\
                export const hello: ClientMessage = makeRequest(\"initialize\", 1, { clientInfo: { name: \"a\", version: \"1\" } });\n\
                export const ready: ClientMessage = makeNotification(\"initialized\");\n\
                // The map and the message agree on `params`: what the map says\n\
                // fits the message, and leaving it out does too.\n\
                export function notify<M extends keyof ClientNotificationMap>(method: M, params: ClientNotificationMap[M][\"params\"]): ClientNotification {\n\
                \x20 return { method, params };\n\
                }\n\
                export const bare: ClientNotification = { method: \"initialized\" };\n";
    write(&dir.join("check.ts"), good);
    for version in Tsc::ALL {
        node::tsc(version, &["-p", tsconfig]);
    }
    for (bad, what) in [
        (
            good.replace("{ token: \"v1.abc\" }", "{ tokn: 42 }"),
            "a result that is not the method's response",
        ),
        (
            good.replace("{ clientInfo: { name: \"a\", version: \"1\" } }", "{}"),
            "initialize params without clientInfo",
        ),
    ] {
        write(&dir.join("check.ts"), &bad);
        for version in Tsc::ALL {
            let out = node::tsc_output(version, &["-p", tsconfig]);
            assert!(!out.status.success(), "tsc {version:?} accepted {what}");
        }
    }
}
