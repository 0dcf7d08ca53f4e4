//! "For every exported type, what serde writes, what the JSON Schema accepts
//! and what serde reads back agree" — on generated values, not only on
//! hand-picked vectors; and on mutations of the vectors, serde accepts a
//! value exactly when the schema does, up to `differences::KnownDifference`.
//!
//! Case counts are small so `cargo test` stays fast; for a longer local run:
//! `PROPTEST_CASES=20000 cargo test -p attestwire-tests --test properties`.

use std::sync::OnceLock;

use attestwire_protocol::{
    self as p, AttestationHeader, AttestationStatus, AttestationToken, MAX_SAFE_INTEGER, RequestId,
};
use attestwire_tests::differences::KnownDifference;
use attestwire_tests::schemas::Schemas;
use attestwire_tests::strategies::{self, JsonShape};
use attestwire_tests::vectors::{self, serde_round_trip};
use proptest::prelude::*;
use serde::Serialize;
use serde::de::DeserializeOwned;
use serde_json::{Value, json};

fn schemas() -> &'static Schemas {
    static S: OnceLock<Schemas> = OnceLock::new();
    S.get_or_init(|| Schemas::load().unwrap())
}

fn config() -> ProptestConfig {
    // PROPTEST_CASES overrides this default.
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|c| c.parse().ok())
            .unwrap_or(256),
        ..ProptestConfig::default()
    }
}

// ---- generators -----------------------------------------------------------

fn json_value() -> impl Strategy<Value = Value> {
    strategies::json_value(JsonShape {
        depth: 3,
        size: 24,
        items: 4,
        key: "[a-zA-Z_]{1,6}",
    })
}

fn request_id() -> impl Strategy<Value = RequestId> {
    prop_oneof![
        (-MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER).prop_map(RequestId::Integer),
        Just(RequestId::Integer(MAX_SAFE_INTEGER)),
        Just(RequestId::Integer(-MAX_SAFE_INTEGER)),
        ".{0,12}".prop_map(RequestId::String),
    ]
}

fn token() -> impl Strategy<Value = AttestationToken> {
    prop_oneof![
        8 => prop::collection::vec(0x21u8..=0x7E, 1..=64),
        1 => prop::collection::vec(0x21u8..=0x7E, 8000..=8192),
    ]
    .prop_map(|bytes| AttestationToken::new(String::from_utf8(bytes).unwrap()).unwrap())
}

fn status() -> impl Strategy<Value = AttestationStatus> {
    prop::sample::select(AttestationStatus::ALL.to_vec())
}

fn header() -> impl Strategy<Value = AttestationHeader> {
    prop_oneof![
        token().prop_map(AttestationHeader::ok),
        status().prop_filter_map("failure statuses", AttestationHeader::failure),
    ]
}

fn opt<T: std::fmt::Debug + Clone>(
    s: impl Strategy<Value = T>,
) -> impl Strategy<Value = Option<T>> {
    prop::option::of(s)
}

fn client_info() -> impl Strategy<Value = p::ClientInfo> {
    (".{0,10}", ".{0,6}", opt(".{0,10}")).prop_map(|(name, version, title)| p::ClientInfo {
        name,
        version,
        title,
    })
}

fn capabilities() -> impl Strategy<Value = p::ClientCapabilities> {
    any::<bool>().prop_map(|request_attestation| p::ClientCapabilities {
        request_attestation,
    })
}

fn initialize_params() -> impl Strategy<Value = p::InitializeParams> {
    (client_info(), opt(capabilities())).prop_map(|(client_info, capabilities)| {
        p::InitializeParams {
            client_info,
            capabilities,
        }
    })
}

fn error_object() -> impl Strategy<Value = p::JsonRpcErrorObject> {
    (
        -MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER,
        ".{0,12}",
        opt(json_value()),
    )
        .prop_map(|(code, message, data)| p::JsonRpcErrorObject {
            code: p::ErrorCode(code),
            message,
            data,
        })
}

fn request() -> impl Strategy<Value = p::JsonRpcRequest> {
    (request_id(), ".{0,12}", opt(json_value())).prop_map(|(id, method, params)| {
        p::JsonRpcRequest {
            jsonrpc: p::JsonRpcVersion,
            id,
            method,
            params,
        }
    })
}

fn notification() -> impl Strategy<Value = p::JsonRpcNotification> {
    (".{0,12}", opt(json_value())).prop_map(|(method, params)| p::JsonRpcNotification {
        jsonrpc: p::JsonRpcVersion,
        method,
        params,
    })
}

fn response() -> impl Strategy<Value = p::JsonRpcResponse> {
    (request_id(), json_value()).prop_map(|(id, result)| p::JsonRpcResponse::new(id, result))
}

fn error() -> impl Strategy<Value = p::JsonRpcError> {
    (opt(request_id()), error_object()).prop_map(|(id, error)| p::JsonRpcError::new(id, error))
}

fn message() -> impl Strategy<Value = p::JsonRpcMessage> {
    prop_oneof![
        request().prop_map(p::JsonRpcMessage::Request),
        notification().prop_map(p::JsonRpcMessage::Notification),
        response().prop_map(p::JsonRpcMessage::Response),
        error().prop_map(p::JsonRpcMessage::Error),
    ]
}

// ---- serde -> schema -> serde ---------------------------------------------

/// Serializes `value`, validates it as `type_name` in both schema views, and
/// reads it back to an equal value that re-serializes to the same bytes.
fn agrees<T>(type_name: &str, value: &T) -> Result<(), TestCaseError>
where
    T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug,
{
    let text = serde_json::to_string(value).unwrap();
    let json: Value = serde_json::from_str(&text).unwrap();
    let verdict = schemas().verdict(type_name, &json).unwrap();
    prop_assert!(
        verdict.single && verdict.bundled,
        "{type_name}: schema rejects what serde wrote: {text}\n{:?}",
        schemas().errors(type_name, &json)
    );
    let back: T = serde_json::from_str(&text)
        .map_err(|e| TestCaseError::fail(format!("{type_name}: {text}: {e}")))?;
    prop_assert_eq!(&back, value);
    prop_assert_eq!(serde_json::to_string(&back).unwrap(), text);
    Ok(())
}

proptest! {
    #![proptest_config(config())]

    #[test]
    fn request_id_agrees(v in request_id()) { agrees("RequestId", &v)?; }

    #[test]
    fn error_code_agrees(v in -MAX_SAFE_INTEGER..=MAX_SAFE_INTEGER) {
        agrees("ErrorCode", &p::ErrorCode(v))?;
    }

    #[test]
    fn framing_agrees(
        req in request(), note in notification(), resp in response(), err in error(),
        obj in error_object(), msg in message(),
    ) {
        agrees("JsonRpcRequest", &req)?;
        agrees("JsonRpcNotification", &note)?;
        agrees("JsonRpcResponse", &resp)?;
        agrees("JsonRpcError", &err)?;
        agrees("JsonRpcErrorObject", &obj)?;
        agrees("JsonRpcMessage", &msg)?;
    }

    #[test]
    fn handshake_agrees(
        params in initialize_params(), info in client_info(), caps in capabilities(),
        name in ".{0,8}", version in ".{0,8}", id in request_id(),
    ) {
        agrees("InitializeParams", &params)?;
        agrees("ClientInfo", &info)?;
        agrees("ClientCapabilities", &caps)?;
        let server_info = p::ServerInfo { name, version };
        agrees("ServerInfo", &server_info)?;
        agrees("InitializeResponse", &p::InitializeResponse::new(server_info))?;
        let request = p::ClientRequestPayload::Initialize(params).into_request(id);
        agrees("ClientRequest", &request)?;
        agrees(
            "ClientNotification",
            &p::ClientNotification::Initialized { jsonrpc: p::JsonRpcVersion },
        )?;
    }

    #[test]
    fn attestation_agrees(t in token(), id in request_id(), s in status()) {
        agrees("AttestationGenerateParams", &p::AttestationGenerateParams {})?;
        agrees("AttestationGenerateResponse", &p::AttestationGenerateResponse { token: t })?;
        let request = p::ServerRequestPayload::AttestationGenerate(p::AttestationGenerateParams {})
            .into_request(id);
        agrees("ServerRequest", &request)?;
        agrees("AttestationStatus", &s)?;
    }

    /// The header value is visible ASCII, is what serde writes, and carries
    /// a token satisfying the rule exactly when the status is 0.
    #[test]
    fn header_value_is_ascii_and_carries_a_token_iff_ok(h in header()) {
        agrees("AttestationHeader", &h)?;
        let value = h.to_header_value();
        prop_assert!(value.bytes().all(|b| (0x21..=0x7E).contains(&b)), "{value}");
        prop_assert_eq!(&value, &serde_json::to_string(&h).unwrap());
        prop_assert!(http::HeaderValue::from_str(&value).is_ok());
        let json: Value = serde_json::from_str(&value).unwrap();
        let is_ok = json["s"] == 0;
        match json.get("t").and_then(Value::as_str) {
            Some(t) => prop_assert!(is_ok && p::validate_token(t).is_ok()),
            None => prop_assert!(!is_ok),
        }
    }
}

// ---- mutations: serde accepts iff the schema accepts ----------------------

/// Values to put where something else was: wrong types, out-of-range and
/// integral-float numbers, empty and odd strings, nulls, arrays, objects.
fn replacement() -> impl Strategy<Value = Value> {
    prop_oneof![
        Just(Value::Null),
        Just(json!(true)),
        Just(json!(0)),
        Just(json!(-1)),
        Just(json!(1)),
        Just(json!(4)),
        Just(json!(5)),
        Just(json!(1.5)),
        Just(json!(1.0)),
        Just(json!(MAX_SAFE_INTEGER)),
        Just(json!(MAX_SAFE_INTEGER + 1)),
        Just(json!(-MAX_SAFE_INTEGER - 1)),
        Just(json!(1u64 << 60)),
        Just(json!(u64::MAX)),
        Just(json!("")),
        Just(json!("2.0")),
        Just(json!("a b")),
        Just(json!("caf\u{e9}")),
        Just(json!("attestation/generate")),
        Just(json!("initialize")),
        Just(json!([])),
        Just(json!(["app", "1.0"])),
        Just(json!({})),
        Just(json!({ "token": "abc" })),
        json_value(),
    ]
}

#[derive(Debug, Clone)]
enum Mutation {
    /// Drop the `n`-th key (mod count) of the `k`-th object (mod count).
    Drop(usize, usize),
    /// Replace the `k`-th node with a value.
    Replace(usize, Value),
    /// Add a key to the `k`-th object.
    Add(usize, String, Value),
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
        "clientInfo",
        "capabilities",
        "requestAttestation",
        "title",
        "extra",
    ])
    .prop_map(str::to_owned);
    prop_oneof![
        (any::<usize>(), any::<usize>()).prop_map(|(k, n)| Mutation::Drop(k, n)),
        (any::<usize>(), replacement()).prop_map(|(k, v)| Mutation::Replace(k, v)),
        (any::<usize>(), key, replacement()).prop_map(|(k, n, v)| Mutation::Add(k, n, v)),
    ]
}

/// Every node, depth-first, as a mutable reference path (list of steps).
fn paths(value: &Value, here: &mut Vec<Step>, out: &mut Vec<Vec<Step>>) {
    out.push(here.clone());
    match value {
        Value::Object(map) => {
            for (k, v) in map {
                here.push(Step::Key(k.clone()));
                paths(v, here, out);
                here.pop();
            }
        }
        Value::Array(items) => {
            for (i, v) in items.iter().enumerate() {
                here.push(Step::Index(i));
                paths(v, here, out);
                here.pop();
            }
        }
        _ => {}
    }
}

#[derive(Debug, Clone)]
enum Step {
    Key(String),
    Index(usize),
}

fn at<'a>(value: &'a mut Value, path: &[Step]) -> &'a mut Value {
    path.iter().fold(value, |v, step| match step {
        Step::Key(k) => &mut v[k.as_str()],
        Step::Index(i) => &mut v[*i],
    })
}

/// Applies `m`; returns the value inserted, if any.
fn apply(value: &mut Value, m: &Mutation) -> Option<Value> {
    let mut all = Vec::new();
    paths(value, &mut Vec::new(), &mut all);
    let objects: Vec<&Vec<Step>> = {
        let snapshot = value.clone();
        all.iter()
            .filter(|p| {
                let mut s = snapshot.clone();
                at(&mut s, p).is_object()
            })
            .collect()
    };
    match m {
        Mutation::Drop(k, n) => {
            let path = objects.get(k % objects.len().max(1))?;
            let map = at(value, path).as_object_mut()?;
            let key = map.keys().nth(n % map.len().max(1))?.clone();
            map.remove(&key);
            None
        }
        Mutation::Replace(k, v) => {
            let path = &all[k % all.len()];
            *at(value, path) = v.clone();
            Some(v.clone())
        }
        Mutation::Add(k, name, v) => {
            let path = objects.get(k % objects.len().max(1))?;
            at(value, path)
                .as_object_mut()?
                .insert(name.clone(), v.clone());
            Some(v.clone())
        }
    }
}

fn seeds() -> &'static Vec<(String, Value)> {
    static S: OnceLock<Vec<(String, Value)>> = OnceLock::new();
    S.get_or_init(|| {
        let v = vectors::load().unwrap();
        v.positive
            .iter()
            .chain(&v.accepted)
            .chain(&v.negative)
            .map(|c| (c.type_name.clone(), serde_json::from_str(&c.json).unwrap()))
            .collect()
    })
}

proptest! {
    // Mutations find disagreements rarely (the first real one took ~500
    // cases), so this property gets more cases than the others.
    #![proptest_config(ProptestConfig { cases: config().cases * 8, ..config() })]

    #[test]
    fn serde_accepts_a_mutated_vector_iff_the_schema_does(
        seed in any::<prop::sample::Index>(),
        mutations in prop::collection::vec(mutation(), 1..=3),
    ) {
        let (type_name, original) = seed.get(seeds());
        let mut value = original.clone();
        let inserted: Vec<Value> = mutations.iter().filter_map(|m| apply(&mut value, m)).collect();
        let text = value.to_string();
        let serde_ok = serde_round_trip(type_name, &text).is_ok();
        let verdict = schemas().verdict(type_name, &value).unwrap();
        prop_assert_eq!(verdict.single, verdict.bundled, "{} {}: schema file and bundle disagree", type_name, text);
        if serde_ok != verdict.single {
            let known = KnownDifference::ALL.iter().find(|d| {
                inserted.iter().any(|v| d.explains(v, serde_ok, verdict.single))
            });
            prop_assert!(
                known.is_some(),
                "{} {}: serde {} but the schema {} ({:?}); mutations {:?}",
                type_name,
                text,
                if serde_ok { "accepts" } else { "rejects" },
                if verdict.single { "accepts" } else { "rejects" },
                schemas().errors(type_name, &value),
                mutations
            );
        }
    }
}

#[test]
fn the_known_differences_are_real() {
    // Each listed difference must still exist; when one is fixed, drop it
    // from the list instead of leaving an excuse behind.
    let schemas = schemas();
    let float_id = json!(1.0);
    assert!(serde_round_trip("RequestId", &float_id.to_string()).is_err());
    assert!(schemas.verdict("RequestId", &float_id).unwrap().single);
    let positional = json!(["app", "1.0"]);
    assert!(serde_round_trip("ClientInfo", &positional.to_string()).is_ok());
    assert!(!schemas.verdict("ClientInfo", &positional).unwrap().single);
}
