//! "The TS validators agree with the schema and serde": every vector of
//! `tests/vectors/wire.json`, and a corpus of mutated `ClientMessage`,
//! `ServerMessage` and `AttestationHeader` texts written here by property
//! generators (fixed seed, so the corpus is the same on every run), get one
//! verdict from serde, from the generated TypeScript validator and from ajv
//! (2020-12, strict). Node computes the last two (`tests/ts/agreement.mjs`);
//! this file compares all three. serde may differ from the other two only
//! by a `KnownDifference`; the validator and ajv may never differ.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::fs;

use attestwire_protocol::MAX_SAFE_INTEGER;
use attestwire_tests::differences::KnownDifference;
use attestwire_tests::node;
use attestwire_tests::strategies::{self, JsonShape};
use attestwire_tests::vectors::{self, serde_round_trip};
use proptest::prelude::*;
use proptest::strategy::ValueTree;
use proptest::test_runner::{Config, RngAlgorithm, TestRng, TestRunner};
use serde::Deserialize;
use serde_json::{Value, json};

/// Mutated messages per type.
const PER_TYPE: usize = 4_000;

/// Written into tokens and strings the corpus breaks: no error may quote it.
const SECRET: &str = "S3CR3T";

const SEED: [u8; 32] = *b"attestwire validators corpus v1!";

// ---- generators -----------------------------------------------------------

fn request_id() -> impl Strategy<Value = Value> {
    prop_oneof![
        (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).prop_map(|n| json!(n)),
        (0i64..1000).prop_map(|n| json!(n)),
        Just(json!(MAX_SAFE_INTEGER)),
        Just(json!(-MAX_SAFE_INTEGER)),
        ".{0,12}".prop_map(Value::String),
    ]
}

fn token() -> impl Strategy<Value = String> {
    prop_oneof![
        8 => prop::collection::vec(0x21u8..=0x7E, 1..=40),
        1 => prop::collection::vec(0x21u8..=0x7E, 8192..=8192),
        1 => Just(vec![b'!']),
    ]
    .prop_map(|bytes| {
        let body = String::from_utf8(bytes).unwrap();
        // Most tokens carry the marker, so a leak would show; the
        // boundary lengths stay exact.
        if body.len() < 8192 - SECRET.len() && body.len() > 1 {
            format!("{SECRET}{body}")
        } else {
            body
        }
    })
}

fn text() -> impl Strategy<Value = String> {
    ".{0,10}"
}

/// `"jsonrpc":"2.0"`, present or left out as clients may.
fn with_version(mut value: Value, present: bool) -> Value {
    if present {
        value["jsonrpc"] = json!("2.0");
    }
    value
}

fn error_message() -> impl Strategy<Value = Value> {
    (
        prop_oneof![Just(None), request_id().prop_map(Some)],
        prop_oneof![
            (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).prop_map(|n| json!(n)),
            prop::sample::select(vec![-32700, -32600, -32601, -32602, -32603, -32002])
                .prop_map(|n| json!(n)),
        ],
        text(),
        prop_oneof![3 => Just(None), 1 => json_value().prop_map(Some)],
        any::<bool>(),
    )
        .prop_map(|(id, code, message, data, version)| {
            let mut error = json!({ "code": code, "message": message });
            if let Some(data) = data {
                error["data"] = data;
            }
            with_version(
                json!({ "id": id.unwrap_or(Value::Null), "error": error }),
                version,
            )
        })
}

fn server_message() -> impl Strategy<Value = Value> {
    prop_oneof![
        (request_id(), any::<bool>()).prop_map(|(id, v)| with_version(
            json!({ "id": id, "method": "attestation/generate", "params": {} }),
            v
        )),
        (request_id(), text(), text(), any::<bool>()).prop_map(|(id, name, version, v)| {
            with_version(
                json!({ "id": id, "result": { "serverInfo": { "name": name, "version": version } } }),
                v,
            )
        }),
        error_message(),
    ]
}

fn client_message() -> impl Strategy<Value = Value> {
    let initialize = (
        request_id(),
        text(),
        text(),
        prop::option::of(text()),
        prop::option::of(prop::option::of(any::<bool>())),
        any::<bool>(),
    )
        .prop_map(|(id, name, version, title, caps, v)| {
            let mut info = json!({ "name": name, "version": version });
            if let Some(title) = title {
                info["title"] = json!(title);
            }
            let mut params = json!({ "clientInfo": info });
            match caps {
                None => {}
                Some(None) => params["capabilities"] = json!({}),
                Some(Some(b)) => params["capabilities"] = json!({ "requestAttestation": b }),
            }
            with_version(
                json!({ "id": id, "method": "initialize", "params": params }),
                v,
            )
        });
    prop_oneof![
        initialize,
        any::<bool>().prop_map(|v| with_version(json!({ "method": "initialized" }), v)),
        (request_id(), token(), any::<bool>()).prop_map(|(id, token, v)| with_version(
            json!({ "id": id, "result": { "token": token } }),
            v
        )),
        error_message(),
    ]
}

fn attestation_header() -> impl Strategy<Value = Value> {
    prop_oneof![
        token().prop_map(|t| json!({ "v": 1, "s": 0, "t": t })),
        (1u8..=4).prop_map(|s| json!({ "v": 1, "s": s })),
    ]
}

fn json_value() -> impl Strategy<Value = Value> {
    strategies::json_value(JsonShape {
        depth: 2,
        size: 12,
        items: 3,
        key: "[a-z]{1,5}",
    })
}

/// A token that breaks the rule: empty, 8193 characters, or a valid token
/// with one character outside 0x21–0x7E.
fn bad_token() -> impl Strategy<Value = Value> {
    let outside = prop::sample::select(vec![
        " ", "\u{7f}", "\u{0}", "\t", "\n", "\u{80}", "é", "€", "\u{2028}", "😀", "\u{ffff}",
    ]);
    prop_oneof![
        Just(json!("")),
        Just(json!("a".repeat(8193))),
        Just(json!(format!(
            "{SECRET}{}",
            "b".repeat(8193 - SECRET.len())
        ))),
        // 8192 code points, 8193 UTF-16 units: still too long only by the
        // pattern, not by the length.
        Just(json!(format!("{}😀", "c".repeat(8191)))),
        (token(), outside, any::<prop::sample::Index>()).prop_map(|(t, c, at)| {
            let at = at.index(t.len() + 1);
            json!(format!("{}{c}{}", &t[..at], &t[at..]))
        }),
    ]
}

/// What to put where something else was.
fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        4 => prop::sample::select(vec![
            Value::Null,
            json!(true),
            json!(false),
            json!(0),
            json!(-1),
            json!(1),
            json!(4),
            json!(5),
            json!(1.5),
            json!(1.0),
            json!(-0.0),
            json!(MAX_SAFE_INTEGER),
            json!(MAX_SAFE_INTEGER + 1),
            json!(-MAX_SAFE_INTEGER),
            json!(-MAX_SAFE_INTEGER - 1),
            json!(1u64 << 60),
            json!(u64::MAX),
            json!(1e300),
            json!(""),
            json!("2.0"),
            json!("1.0"),
            json!(format!("{SECRET} x")),
            json!("caf\u{e9}"),
            json!("attestation/generate"),
            json!("attestation/revoke"),
            json!("initialize"),
            json!("initialized"),
            json!("Initialize"),
            json!([]),
            json!(["app", "1.0"]),
            json!([{ "name": "app", "version": "1.0" }]),
            json!({}),
            json!({ "token": "abc" }),
            json!({ "token": format!("{SECRET} bad") }),
            json!({ "serverInfo": { "name": "s", "version": "1" } }),
            json!({ "code": -32603, "message": "m" }),
            json!({ "clientInfo": { "name": "app", "version": "1.0" } }),
        ]),
        1 => bad_token(),
        1 => json_value(),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Drop the `n`-th key of the `k`-th object.
    Drop(usize, usize),
    /// Replace the `k`-th node.
    Replace(usize, Value),
    /// Add (or overwrite) a key of the `k`-th object.
    Add(usize, String, Value),
    /// Put a bad token where the token is (`result.token` or `t`).
    Token(Value),
    /// Repeat the `n`-th top-level key in the text, with this value or
    /// (`None`) the same one. JSON.parse keeps the last of two.
    Duplicate(usize, Option<Value>),
}

fn mutation() -> impl Strategy<Value = Mutation> {
    let key = prop::sample::select(vec![
        "jsonrpc",
        "id",
        "method",
        "params",
        "result",
        "error",
        "t",
        "s",
        "v",
        "token",
        "code",
        "message",
        "data",
        "clientInfo",
        "capabilities",
        "requestAttestation",
        "serverInfo",
        "title",
        "extra",
    ])
    .prop_map(str::to_owned);
    prop_oneof![
        2 => (any::<usize>(), any::<usize>()).prop_map(|(k, n)| Mutation::Drop(k, n)),
        3 => (any::<usize>(), replacement()).prop_map(|(k, v)| Mutation::Replace(k, v)),
        3 => (any::<usize>(), key, replacement()).prop_map(|(k, n, v)| Mutation::Add(k, n, v)),
        1 => bad_token().prop_map(Mutation::Token),
        1 => (any::<usize>(), prop::option::of(replacement()))
            .prop_map(|(n, v)| Mutation::Duplicate(n, v)),
    ]
}

// ---- applying mutations ---------------------------------------------------

/// Every node as a JSON pointer, depth-first.
fn pointers(value: &Value, here: String, out: &mut Vec<String>) {
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                pointers(
                    v,
                    format!("{here}/{}", k.replace('~', "~0").replace('/', "~1")),
                    out,
                );
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                pointers(v, format!("{here}/{i}"), out);
            }
        }
        _ => {}
    }
    out.push(here);
}

/// A mutated message: its text, and the values the mutations inserted.
struct Mutated {
    text: String,
    inserted: Vec<Value>,
    duplicated: bool,
}

fn mutate(mut value: Value, mutations: &[Mutation]) -> Mutated {
    let mut inserted = Vec::new();
    let mut duplicate = None;
    for m in mutations {
        let mut all = Vec::new();
        pointers(&value, String::new(), &mut all);
        let objects: Vec<&String> = all
            .iter()
            .filter(|p| value.pointer(p).is_some_and(Value::is_object))
            .collect();
        match m {
            Mutation::Drop(..) | Mutation::Add(..) if objects.is_empty() => {}
            Mutation::Drop(k, n) => {
                let path = objects[k % objects.len()].clone();
                if let Some(map) = value.pointer_mut(&path).and_then(Value::as_object_mut)
                    && let Some(key) = map.keys().nth(n % map.len().max(1)).cloned()
                {
                    map.remove(&key);
                }
            }
            Mutation::Replace(k, v) => {
                let path = &all[k % all.len()];
                *value.pointer_mut(path).unwrap() = v.clone();
                inserted.push(v.clone());
            }
            Mutation::Add(k, name, v) => {
                let path = objects[k % objects.len()].clone();
                if let Some(map) = value.pointer_mut(&path).and_then(Value::as_object_mut) {
                    map.insert(name.clone(), v.clone());
                    inserted.push(v.clone());
                }
            }
            Mutation::Token(v) => {
                for path in ["/result/token", "/t"] {
                    if let Some(slot) = value.pointer_mut(path) {
                        *slot = v.clone();
                        inserted.push(v.clone());
                    }
                }
            }
            Mutation::Duplicate(n, v) => duplicate = Some((*n, v.clone())),
        }
    }
    let text = value.to_string();
    let Some((n, v)) = duplicate else {
        return Mutated {
            text,
            inserted,
            duplicated: false,
        };
    };
    let Some(map) = value.as_object().filter(|m| !m.is_empty()) else {
        return Mutated {
            text,
            inserted,
            duplicated: false,
        };
    };
    let (key, old) = map.iter().nth(n % map.len()).unwrap();
    let again = v.clone().unwrap_or_else(|| old.clone());
    inserted.extend(v);
    let mut text = text;
    text.pop(); // the closing `}`
    let _ = write!(text, ",{}:{again}}}", Value::String(key.clone()));
    Mutated {
        text,
        inserted,
        duplicated: true,
    }
}

// ---- the corpus -----------------------------------------------------------

#[derive(Debug)]
struct Case {
    type_name: String,
    text: String,
    /// Where it came from: a vector's name, or the mutations.
    origin: String,
    /// For a vector: the verdict every view must give.
    expected: Option<bool>,
    serde: Result<(), String>,
    inserted: Vec<Value>,
    duplicated: bool,
}

fn serde_verdict(type_name: &str, text: &str) -> Result<(), String> {
    serde_round_trip(type_name, text).map(drop)
}

fn vector_cases() -> Vec<Case> {
    let v = vectors::load().unwrap();
    let mut out = Vec::new();
    let mut add = |name: &str, type_name: &str, text: &str, valid: bool| {
        out.push(Case {
            type_name: type_name.to_owned(),
            text: text.to_owned(),
            origin: format!("vector {name}"),
            expected: Some(valid),
            serde: serde_verdict(type_name, text),
            inserted: Vec::new(),
            duplicated: false,
        });
    };
    for c in &v.positive {
        add(&c.name, &c.type_name, &c.json, true);
    }
    for c in &v.accepted {
        add(&c.name, &c.type_name, &c.json, true);
        add(&c.name, &c.type_name, c.canonical.as_deref().unwrap(), true);
    }
    for c in &v.negative {
        add(&c.name, &c.type_name, &c.json, false);
    }
    out
}

fn mutated_cases() -> Vec<Case> {
    let mut runner = TestRunner::new_with_rng(
        Config::default(),
        TestRng::from_seed(RngAlgorithm::ChaCha, &SEED),
    );
    // Three in ten stay as generated, so acceptance is tested too.
    let mutations = prop_oneof![
        3 => Just(Vec::new()),
        7 => prop::collection::vec(mutation(), 1..=3),
    ];
    let types: [(&str, BoxedStrategy<Value>); 3] = [
        ("ServerMessage", server_message().boxed()),
        ("ClientMessage", client_message().boxed()),
        ("AttestationHeader", attestation_header().boxed()),
    ];
    let mut out = Vec::new();
    for (type_name, base) in types {
        let strategy = (base, mutations.clone());
        for _ in 0..PER_TYPE {
            let (value, ms) = strategy.new_tree(&mut runner).unwrap().current();
            let m = mutate(value, &ms);
            out.push(Case {
                type_name: type_name.to_owned(),
                serde: serde_verdict(type_name, &m.text),
                origin: format!("mutations {ms:?}"),
                expected: None,
                text: m.text,
                inserted: m.inserted,
                duplicated: m.duplicated,
            });
        }
    }
    out
}

// ---- running Node and comparing ------------------------------------------

#[derive(Debug, Deserialize)]
struct NodeVerdict {
    ts: bool,
    error: Option<String>,
    ajv: bool,
    /// What `validate<Type>(JSON.parse(text))` said, for the three types
    /// with a root validator, when the text is JSON.
    #[serde(default, rename = "byValue")]
    by_value: Option<ByValue>,
}

#[derive(Debug, Deserialize)]
struct ByValue {
    error: Option<String>,
}

fn node_verdicts(name: &str, cases: &[Case]) -> Vec<NodeVerdict> {
    let dir = node::build_dir();
    let corpus = dir.join(format!("{name}.corpus.json"));
    let verdicts = dir.join(format!("{name}.verdicts.json"));
    let cases_json: Vec<Value> = cases
        .iter()
        .map(|c| json!({ "type": c.type_name, "text": c.text }))
        .collect();
    fs::write(&corpus, json!({ "cases": cases_json }).to_string()).unwrap();
    let script = node::ts_dir().join("agreement.mjs");
    let out = node::run(
        "node",
        &[
            script.to_str().unwrap(),
            corpus.to_str().unwrap(),
            verdicts.to_str().unwrap(),
        ],
        &node::ts_dir(),
    );
    println!("{}", String::from_utf8_lossy(&out.stdout).trim());
    let verdicts: Vec<NodeVerdict> =
        serde_json::from_str(&fs::read_to_string(&verdicts).unwrap()).unwrap();
    assert_eq!(verdicts.len(), cases.len());
    // The validators of parsed values are the parsers minus `JSON.parse`:
    // same verdict, same error, on every case of every corpus.
    let mut checked = 0;
    for (case, v) in cases.iter().zip(&verdicts) {
        let parsed_as_json = serde_json::from_str::<Value>(&case.text).is_ok();
        let has_root_validator = matches!(
            case.type_name.as_str(),
            "ServerMessage" | "ClientMessage" | "AttestationHeader"
        );
        match &v.by_value {
            Some(by_value) => {
                checked += 1;
                assert_eq!(by_value.error, v.error, "by value: {}", short(&case.text));
            }
            None => assert!(
                !(parsed_as_json && has_root_validator),
                "no verdict by value for {}",
                short(&case.text)
            ),
        }
    }
    assert!(
        checked > 0
            || cases
                .iter()
                .all(|c| serde_json::from_str::<Value>(&c.text).is_err()),
        "no case was checked by value"
    );
    verdicts
}

fn short(text: &str) -> String {
    if text.len() <= 300 {
        text.to_owned()
    } else {
        let cut = (0..=300).rev().find(|i| text.is_char_boundary(*i)).unwrap();
        format!("{}… ({} bytes)", &text[..cut], text.len())
    }
}

/// Whether `text` has a `\uD800`–`\uDFFF` escape that is not a high
/// surrogate followed by a low one.
fn has_lone_surrogate_escape(text: &str) -> bool {
    let units: Vec<Option<u16>> = text
        .match_indices("\\u")
        .map(|(i, _)| {
            text.get(i + 2..i + 6)
                .and_then(|h| u16::from_str_radix(h, 16).ok())
        })
        .collect();
    let escapes: Vec<(usize, u16)> = text
        .match_indices("\\u")
        .zip(units)
        .filter_map(|((i, _), u)| u.map(|u| (i, u)))
        .collect();
    escapes.iter().enumerate().any(|(k, &(i, u))| match u {
        0xD800..=0xDBFF => !escapes
            .get(k + 1)
            .is_some_and(|&(j, next)| j == i + 6 && (0xDC00..=0xDFFF).contains(&next)),
        0xDC00..=0xDFFF => {
            !(k > 0 && {
                let (j, prev) = escapes[k - 1];
                j + 6 == i && (0xD800..=0xDBFF).contains(&prev)
            })
        }
        _ => false,
    })
}

/// Hand-written texts at the edges of what JSON.parse and serde_json read
/// alike: number spellings, escapes, duplicates and nulls in odd places.
const EDGES: &[(&str, &str)] = &[
    (
        "ServerMessage",
        r#"{"id":"\ud800","method":"attestation/generate","params":{}}"#,
    ),
    (
        "ServerMessage",
        r#"{"id":"\ud83d\ude00","method":"attestation/generate","params":{}}"#,
    ),
    ("ClientMessage", r#"{"id":1,"result":{"token":"a\udc00"}}"#),
    (
        "ClientMessage",
        r#"{"id":1,"result":{"token":"\u0041\u0042"}}"#,
    ),
    (
        "ServerMessage",
        r#"{"id":-0,"method":"attestation/generate","params":{}}"#,
    ),
    (
        "ServerMessage",
        r#"{"id":1e2,"method":"attestation/generate","params":{}}"#,
    ),
    (
        "ServerMessage",
        r#"{"id":9007199254740991.0000001,"method":"attestation/generate","params":{}}"#,
    ),
    (
        "ServerMessage",
        r#"{"id":9007199254740993,"method":"attestation/generate","params":{}}"#,
    ),
    (
        "ServerMessage",
        r#"{"id":1,"method":"attestation/generate","params":{},"params":{}}"#,
    ),
    (
        "ClientMessage",
        r#"{"id":1,"result":{"token":"a","token":"b c"}}"#,
    ),
    (
        "ClientMessage",
        r#"{"id":1,"result":{"token":"a b","token":"c"}}"#,
    ),
    (
        "ClientMessage",
        r#"{"id":1,"result":{"token":"a"},"error":null}"#,
    ),
    ("ClientMessage", r#"{"id":1,"result":null}"#),
    ("ClientMessage", r#"{"id":null,"method":"initialized"}"#),
    ("ClientMessage", r#"{"method":"initialized","params":null}"#),
    (
        "ClientMessage",
        r#"{"jsonrpc":null,"method":"initialized"}"#,
    ),
    (
        "ServerMessage",
        r#"{"id":1,"result":{"serverInfo":{"name":"a","version":"b"}},"method":null}"#,
    ),
    ("AttestationHeader", r#"{"v":1.0,"s":1}"#),
    ("AttestationHeader", r#"{"v":1,"s":0,"t":"a","x":null}"#),
    ("AttestationHeader", r#"{"v":1,"s":1,"s":0,"t":"a"}"#),
    ("AttestationHeader", r#"{"v":1,"s":1,"t":null}"#),
];

fn numbers(value: &Value) -> Vec<Value> {
    match value {
        Value::Number(_) => vec![value.clone()],
        Value::Array(items) => items.iter().flat_map(numbers).collect(),
        Value::Object(map) => map.values().flat_map(numbers).collect(),
        _ => Vec::new(),
    }
}

fn edge_cases() -> Vec<Case> {
    EDGES
        .iter()
        .map(|(type_name, text)| Case {
            type_name: (*type_name).to_owned(),
            text: (*text).to_owned(),
            origin: "EDGES".to_owned(),
            expected: None,
            serde: serde_verdict(type_name, text),
            // Every number counts as inserted, for `IntegralFloat`.
            inserted: serde_json::from_str::<Value>(text)
                .map(|v| numbers(&v))
                .unwrap_or_default(),
            duplicated: text.matches("\"s\":").count() > 1,
        })
        .collect()
}

/// Why serde's verdict may differ from the schema's on this case, if it may.
fn excuse(case: &Case, serde_ok: bool, schema_ok: bool) -> Option<KnownDifference> {
    if has_lone_surrogate_escape(&case.text) && !serde_ok && schema_ok {
        return Some(KnownDifference::LoneSurrogate);
    }
    KnownDifference::ALL.into_iter().find(|d| {
        case.inserted
            .iter()
            .any(|v| d.explains(v, serde_ok, schema_ok))
    })
}

/// Every disagreement, as a report line; the verdicts of the views must be
/// the same, or (serde only) differ by a known difference.
fn disagreements(
    cases: &[Case],
    verdicts: &[NodeVerdict],
) -> (Vec<String>, BTreeMap<String, usize>) {
    let mut out = Vec::new();
    let mut excused = BTreeMap::new();
    for (case, v) in cases.iter().zip(verdicts) {
        let serde_ok = case.serde.is_ok();
        let mut problems = Vec::new();
        if v.ts != v.ajv {
            problems.push("the TS validator and ajv disagree".to_owned());
        }
        if let Some(want) = case.expected {
            if serde_ok != want || v.ts != want || v.ajv != want {
                problems.push(format!(
                    "the vector must be {}",
                    if want { "valid" } else { "invalid" }
                ));
            }
        } else if serde_ok != v.ts {
            match excuse(case, serde_ok, v.ts) {
                Some(d) => *excused.entry(format!("{d:?}")).or_default() += 1,
                None => problems.push("serde and the TS validator disagree".to_owned()),
            }
        }
        if v.error.as_deref().is_some_and(|e| e.contains(SECRET)) {
            problems.push("the error quotes the input".to_owned());
        }
        if !problems.is_empty() {
            out.push(format!(
                "{} {}: {}\n  serde: {:?}\n  ts: {} {:?}\n  ajv: {}\n  from {}",
                case.type_name,
                short(&case.text),
                problems.join("; "),
                case.serde,
                v.ts,
                v.error,
                v.ajv,
                short(&case.origin),
            ));
        }
    }
    (out, excused)
}

/// Asserts agreement; returns how many serde differences each known
/// difference excused.
fn assert_agree(cases: &[Case], verdicts: &[NodeVerdict]) -> BTreeMap<String, usize> {
    let (found, excused) = disagreements(cases, verdicts);
    assert!(
        found.is_empty(),
        "{} of {} cases disagree; the first ones:\n{}",
        found.len(),
        cases.len(),
        found
            .iter()
            .take(10)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
    excused
}

#[test]
fn every_wire_vector_gets_one_verdict_from_serde_the_ts_validator_and_ajv() {
    let _lock = node::prepare();
    let cases = vector_cases();
    assert!(cases.len() > 100, "only {} vector cases", cases.len());
    let verdicts = node_verdicts("vectors", &cases);
    assert!(assert_agree(&cases, &verdicts).is_empty());
}

#[test]
fn a_mutation_corpus_gets_one_verdict_from_serde_the_ts_validator_and_ajv() {
    let cases = mutated_cases();
    let valid = cases.iter().filter(|c| c.serde.is_ok()).count();
    let invalid = cases.len() - valid;
    println!(
        "validators corpus: {} cases, {valid} valid and {invalid} invalid by serde",
        cases.len()
    );
    assert!(cases.len() >= 10_000, "{}", cases.len());
    assert!(
        valid * 4 >= cases.len(),
        "only {valid} of {} valid",
        cases.len()
    );
    assert!(
        invalid * 4 >= cases.len(),
        "only {invalid} of {} invalid",
        cases.len()
    );
    let secret_rejected = cases
        .iter()
        .filter(|c| c.serde.is_err() && c.text.contains(SECRET))
        .count();
    assert!(
        secret_rejected > 200,
        "only {secret_rejected} rejected cases carry the marker"
    );
    // A member written twice keeps its last value in every view (no
    // difference is excused for it): the corpus has enough of them to show.
    let duplicated = cases.iter().filter(|c| c.duplicated).count();
    assert!(duplicated > 200, "only {duplicated} cases repeat a member");

    let _lock = node::prepare();
    let mut cases = cases;
    cases.extend(edge_cases());
    let verdicts = node_verdicts("mutations", &cases);
    let excused = assert_agree(&cases, &verdicts);
    println!("validators corpus: serde differences excused as known: {excused:?}");
}

#[test]
fn the_corpus_is_the_same_on_every_run() {
    let a: Vec<String> = mutated_cases()
        .into_iter()
        .take(50)
        .map(|c| c.text)
        .collect();
    let b: Vec<String> = mutated_cases()
        .into_iter()
        .take(50)
        .map(|c| c.text)
        .collect();
    assert_eq!(a, b);
}

#[test]
fn a_member_written_twice_keeps_its_last_value_in_serde_as_in_json_parse() {
    // The envelope is read as a JSON map first, as the messages are, so
    // serde reads the text as JSON.parse (and so the validator and ajv)
    // does: the last `s` wins.
    let twice = r#"{"v":1,"s":1,"s":2}"#;
    assert_eq!(
        serde_round_trip("AttestationHeader", twice).unwrap(),
        r#"{"v":1,"s":2}"#
    );
    let twice = r#"{"v":1,"s":1,"s":0,"t":"v1.abc"}"#;
    assert_eq!(
        serde_round_trip("AttestationHeader", twice).unwrap(),
        r#"{"v":1,"s":0,"t":"v1.abc"}"#
    );
    let twice = r#"{"jsonrpc":"2.0","method":"initialized","method":"initialized"}"#;
    assert!(serde_round_trip("ClientMessage", twice).is_ok());
}

#[test]
fn a_lone_surrogate_escape_is_a_known_difference() {
    // serde_json's strings are UTF-8 and refuse half a surrogate pair;
    // JSON.parse keeps it as one UTF-16 unit, which `type: string` accepts.
    let lone = r#"{"id":"\ud800","method":"attestation/generate","params":{}}"#;
    assert!(serde_round_trip("ServerMessage", lone).is_err());
    assert!(has_lone_surrogate_escape(lone));
    let pair = r#"{"id":"\ud83d\ude00","method":"attestation/generate","params":{}}"#;
    assert!(serde_round_trip("ServerMessage", pair).is_ok());
    assert!(!has_lone_surrogate_escape(pair));
    assert!(has_lone_surrogate_escape(r#""\ude00\ud83d""#));
}

/// The errors the README and the issue promise, word for word.
#[test]
fn errors_name_the_path_and_the_rule_and_never_the_token() {
    let _lock = node::prepare();
    let long = "x".repeat(8193);
    let table = [
        (
            "ClientMessage",
            format!(r#"{{"jsonrpc":"2.0","id":1,"result":{{"token":"{SECRET} with a space"}}}}"#),
            r"$.result.token: must match pattern ^[\x21-\x7E]+$",
        ),
        (
            "ClientMessage",
            format!(r#"{{"id":1,"result":{{"token":"{long}"}}}}"#),
            "$.result.token: must have at most 8192 characters",
        ),
        (
            "ClientMessage",
            format!(
                r#"{{"id":1,"result":{{"token":"{SECRET}"}},"error":{{"code":1,"message":"{SECRET}"}}}}"#
            ),
            "$.error: must not be present",
        ),
        (
            "ServerMessage",
            format!(r#"{{"id":"{SECRET}","method":"attestation/{SECRET}","params":{{}}}}"#),
            r#"$.method: must equal "attestation/generate""#,
        ),
        (
            "ServerMessage",
            r#"{"id":1.5,"method":"attestation/generate","params":{}}"#.to_owned(),
            "$.id: must match one of: must be integer; or must be string",
        ),
        (
            "AttestationHeader",
            format!(r#"{{"v":1,"s":1,"t":"{SECRET}"}}"#),
            "$.t: must not be present",
        ),
        (
            "AttestationHeader",
            r#"{"v":1,"s":0}"#.to_owned(),
            r#"$: must have required property "t""#,
        ),
        (
            "ServerMessage",
            format!("{SECRET} is not JSON"),
            "$: must be valid JSON",
        ),
    ];
    let cases: Vec<Case> = table
        .iter()
        .map(|(type_name, text, _)| Case {
            type_name: (*type_name).to_owned(),
            text: text.clone(),
            origin: "errors table".to_owned(),
            expected: None,
            serde: Err(String::new()),
            inserted: Vec::new(),
            duplicated: false,
        })
        .collect();
    let verdicts = node_verdicts("errors", &cases);
    for ((_, text, want), v) in table.iter().zip(&verdicts) {
        assert_eq!(v.error.as_deref(), Some(*want), "{}", short(text));
        assert!(!v.ajv, "ajv accepts {}", short(text));
    }
}

/// Keeps the benchmark script compiling and running: one tiny run, nothing
/// asserted about time.
#[test]
fn the_parse_benchmark_runs() {
    let _lock = node::prepare();
    let script = node::ts_dir().join("bench-parse.mjs");
    let out = node::run(
        "node",
        &[script.to_str().unwrap(), "--iterations", "2000"],
        &node::ts_dir(),
    );
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("ratio"), "{stdout}");
}

/// The README's TypeScript example compiles, strict, under TypeScript 5.9
/// and 7, against the built package: it is the first code an app developer
/// copies.
#[test]
fn the_readme_example_type_checks() {
    let _lock = node::prepare();
    let readme = fs::read_to_string(vectors::repo_root().join("README.md")).unwrap();
    let block = readme
        .split("```ts\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("\n```").map(|(code, _)| code))
        .find(|code| code.contains("parseServerMessage"))
        .expect("the README has a ```ts block using parseServerMessage");
    let dir = node::build_dir().join("readme");
    fs::create_dir_all(&dir).unwrap();
    fs::write(
        dir.join("tsconfig.json"),
        r#"{ "extends": "../../tsconfig.json", "include": ["check.ts"] }"#,
    )
    .unwrap();
    // What the example leaves to the app; `console` is not in `lib: ES2022`.
    let prelude = "declare function mintToken(): Promise<string | undefined>;\n\
                   declare function send(message: object): void;\n\
                   declare const console: { warn(text: string): void };\n";
    fs::write(dir.join("check.ts"), format!("{block}\n{prelude}")).unwrap();
    let tsconfig = dir.join("tsconfig.json");
    for version in node::Tsc::ALL {
        node::tsc(version, &["-p", tsconfig.to_str().unwrap()]);
    }
}

// ---- a host's protocol beside attestwire's ---------------------------------

/// Runs `tests/ts/host.mjs` over `reads` (direction, line) and returns its
/// results: per read, what `read…Message` gave (and that `classify…Message`
/// of the parsed value agreed, with the value itself as the message); the
/// dispatcher's answers; the builders' messages.
fn host_results(reads: &[(&str, &str)]) -> Value {
    let _lock = node::prepare();
    let dir = node::build_dir();
    let cases = dir.join("host.cases.json");
    let results = dir.join("host.results.json");
    let reads: Vec<Value> = reads
        .iter()
        .map(|(direction, text)| json!({ "direction": direction, "text": text }))
        .collect();
    fs::write(&cases, json!({ "reads": reads }).to_string()).unwrap();
    let script = node::ts_dir().join("host.mjs");
    node::run(
        "node",
        &[
            script.to_str().unwrap(),
            cases.to_str().unwrap(),
            results.to_str().unwrap(),
        ],
        &node::ts_dir(),
    );
    serde_json::from_str(&fs::read_to_string(&results).unwrap()).unwrap()
}

/// "A well-formed JSON-RPC message that is not attestwire's is handed over as
/// such, not reported as invalid": `readServerMessage` and
/// `readClientMessage` give attestwire's messages checked, a host's as
/// `kind: "host"` with why it is not attestwire's, and refuse what is not
/// JSON-RPC or breaks the rules of one of attestwire's methods.
#[test]
fn a_hosts_message_is_handed_over_and_attestwires_is_checked() {
    let host = |reason: &str| json!({ "ok": true, "kind": "host", "reason": reason });
    let ours = json!({ "ok": true, "kind": "attestwire" });
    let invalid = |error: &str| json!({ "ok": false, "error": error });
    let table: Vec<(&str, &str, Value)> = vec![
        // codex-host's own request and responses (examples/codex-host/README.md).
        (
            "server",
            r#"{"jsonrpc":"2.0","id":0,"method":"item/approve","params":{"threadId":"t1"}}"#,
            host(r#"$.method: must equal "attestation/generate""#),
        ),
        (
            "server",
            r#"{"jsonrpc":"2.0","id":2,"result":{"threadId":"t1"}}"#,
            host(r#"$.result: must have required property "serverInfo""#),
        ),
        (
            "server",
            r#"{"jsonrpc":"2.0","id":3,"result":{"approval":{"decision":"accept"},"attestation":"{\"v\":1,\"s\":0,\"t\":\"v1.x\"}"}}"#,
            host(r#"$.result: must have required property "serverInfo""#),
        ),
        (
            "server",
            r#"{"method":"thread/updated","params":{"threadId":"t1"}}"#,
            host(r#"$: must have required property "id""#),
        ),
        (
            "server",
            r#"{"id":5,"method":"constructor"}"#,
            host(
                r#"$: must match one of: must have required property "params"; or must have required property "result"; or must have required property "error""#,
            ),
        ),
        // attestwire's, checked.
        (
            "server",
            r#"{"jsonrpc":"2.0","id":"attestwire:0","method":"attestation/generate","params":{}}"#,
            ours.clone(),
        ),
        (
            "server",
            r#"{"id":1,"result":{"serverInfo":{"name":"codex-host","version":"0.1.0"}}}"#,
            ours.clone(),
        ),
        // An error answers anyone's request: JSON-RPC's own shape.
        (
            "server",
            r#"{"id":2,"error":{"code":-32602,"message":"unknown thread"}}"#,
            ours.clone(),
        ),
        // One of attestwire's methods, broken: not the host's to take.
        (
            "server",
            r#"{"id":"attestwire:1","method":"attestation/generate","params":null}"#,
            invalid("$.params: must be object"),
        ),
        // Not JSON-RPC at all.
        ("server", "not json", invalid("$: must be valid JSON")),
        ("server", "[1]", invalid("$: must be object")),
        (
            "server",
            r#"{"id":1}"#,
            invalid(
                r#"$: must match one of: must have required property "method"; or must have required property "result"; or must have required property "error""#,
            ),
        ),
        (
            "server",
            r#"{"jsonrpc":"1.0","id":1,"method":"item/approve"}"#,
            invalid(r#"$.jsonrpc: must equal "2.0""#),
        ),
        (
            "server",
            r#"{"id":1,"result":{},"error":{"code":1,"message":"m"}}"#,
            invalid("$.error: must not be present"),
        ),
        // The other direction: what a server written in TypeScript reads.
        (
            "client",
            r#"{"id":1,"method":"thread/start","params":{"threadId":"t1"}}"#,
            host(r#"$.method: must equal "initialize""#),
        ),
        (
            "client",
            r#"{"id":0,"result":{"decision":"accept"}}"#,
            host(r#"$.result: must have required property "token""#),
        ),
        ("client", r#"{"method":"initialized"}"#, ours.clone()),
        (
            "client",
            r#"{"id":0,"method":"initialize","params":{"clientInfo":{"name":"a","version":"1"},"capabilities":{"requestAttestation":true,"experimentalApi":true}}}"#,
            ours.clone(),
        ),
        (
            "client",
            r#"{"id":0,"method":"initialize","params":{}}"#,
            // (The validator's pick among the branches: `initialized` is closer.)
            invalid(r#"$.method: must equal "initialized""#),
        ),
        // A token that breaks the rule is not attestwire's answer: the
        // reader matches it by id and `reason` says why it is malformed.
        (
            "client",
            r#"{"id":"attestwire:1","result":{"token":"bad token"}}"#,
            host(r"$.result.token: must match pattern ^[\x21-\x7E]+$"),
        ),
    ];
    let reads: Vec<(&str, &str)> = table.iter().map(|(d, t, _)| (*d, *t)).collect();
    let results = host_results(&reads);
    let got = results["reads"].as_array().unwrap();
    assert_eq!(got.len(), table.len());
    let mut wrong = Vec::new();
    for ((direction, text, want), got) in table.iter().zip(got) {
        let mut result = got["result"].clone();
        let message = result.as_object_mut().unwrap().remove("message");
        if &result != want {
            wrong.push(format!(
                "{direction}: {text}\n  got  {result}\n  want {want}"
            ));
            continue;
        }
        if result["ok"] == true {
            // The message is the line's JSON, as it was.
            let parsed: Value = serde_json::from_str(text).unwrap();
            assert_eq!(message, Some(parsed), "{text}");
        } else {
            assert_eq!(message, None, "{text}");
        }
        let same = &got["sameByValue"];
        if serde_json::from_str::<Value>(text).is_ok() {
            assert_eq!(same, &json!(true), "classify disagrees on {text}");
        } else {
            assert_eq!(same, &Value::Null, "{text}");
        }
    }
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// `createServerRequestDispatcher` with a host's handler: the host's
/// requests get their handler's result, a thrown `RpcError` its error, any
/// other throw -32603 without its message, `undefined` a `null` result, and
/// a method with no handler (`Object.prototype`'s names included) -32601.
/// Without a host's handlers, a host's request gets -32601 at once, not
/// silence until the server gives up. The builders write the host's messages.
#[test]
fn the_dispatcher_and_the_builders_speak_the_hosts_methods() {
    let results = host_results(&[]);
    let answers: Vec<(String, Value)> = results["dispatch"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| {
            (
                d["dispatcher"].as_str().unwrap().to_owned(),
                d["answer"].clone(),
            )
        })
        .collect();
    let not_found = |id: Value| json!({ "jsonrpc": "2.0", "id": id, "error": { "code": -32601, "message": "method not found" } });
    let want = [
        (
            "host",
            json!({ "jsonrpc": "2.0", "id": "attestwire:0", "result": { "token": "v1.opaque-client-payload" } }),
        ),
        (
            "host",
            json!({ "jsonrpc": "2.0", "id": 0, "result": { "decision": "accept" } }),
        ),
        (
            "host",
            json!({ "jsonrpc": "2.0", "id": 1, "error": { "code": -32001, "message": "declined", "data": { "why": "policy" } } }),
        ),
        (
            "host",
            json!({ "jsonrpc": "2.0", "id": 2, "error": { "code": -32603, "message": "internal error: the handler of item/approve failed" } }),
        ),
        ("host", json!({ "jsonrpc": "2.0", "id": 3, "result": null })),
        ("host", not_found(json!(4))),
        ("host", not_found(json!(5))),
        ("host", not_found(json!(6))),
        ("host", not_found(json!(7))),
        (
            "plain",
            json!({ "jsonrpc": "2.0", "id": "attestwire:0", "result": { "token": "v1.plain" } }),
        ),
        ("plain", not_found(json!(0))),
        ("plain", not_found(json!(5))),
    ];
    assert_eq!(answers.len(), want.len());
    for ((who, got), (want_who, want)) in answers.iter().zip(&want) {
        assert_eq!(who, want_who);
        assert_eq!(got, want);
        assert!(!got.to_string().contains(SECRET), "{got}");
    }
    // The handler saw the params and id as the server sent them.
    assert_eq!(
        results["calls"][0],
        json!({ "params": { "threadId": "t1" }, "id": 0 })
    );
    assert_eq!(
        results["builders"],
        json!([
            { "jsonrpc": "2.0", "id": 1, "method": "thread/start", "params": { "threadId": "t1" } },
            { "jsonrpc": "2.0", "id": 0, "result": { "decision": "accept" } },
            { "jsonrpc": "2.0", "method": "thread/archive", "params": { "threadId": "t1" } },
            { "jsonrpc": "2.0", "method": "initialized" },
            -32601
        ])
    );
}
