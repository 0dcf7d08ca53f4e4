//! "Every wire vector deserializes and re-serializes byte-identically; every
//! deliberately bad vector is rejected by serde." (DESIGN.md, Three views)

use std::collections::BTreeSet;

use attestwire_protocol::{ExportVisitor, WireType, visit_exported_types};
use attestwire_tests::vectors::{self, serde_round_trip};

#[test]
fn positive_vectors_round_trip_byte_identically() {
    let v = vectors::load().unwrap();
    assert!(v.positive.len() >= 30, "vectors file looks truncated");
    for case in &v.positive {
        match serde_round_trip(&case.type_name, &case.json) {
            Ok(out) => assert_eq!(out, case.json, "{}: re-serialized differently", case.name),
            Err(e) => panic!("{} ({}): rejected by serde: {e}", case.name, case.type_name),
        }
    }
}

#[test]
fn accepted_vectors_deserialize_to_their_canonical_form() {
    let v = vectors::load().unwrap();
    for case in &v.accepted {
        let canonical = case.canonical.as_deref().unwrap();
        let out = serde_round_trip(&case.type_name, &case.json)
            .unwrap_or_else(|e| panic!("{}: rejected by serde: {e}", case.name));
        assert_eq!(out, canonical, "{}", case.name);
        // The canonical form is itself a fixed point.
        assert_eq!(
            serde_round_trip(&case.type_name, canonical).unwrap(),
            canonical,
            "{}",
            case.name
        );
    }
}

#[test]
fn negative_vectors_are_rejected_by_serde_with_a_message() {
    let v = vectors::load().unwrap();
    for case in &v.negative {
        match serde_round_trip(&case.type_name, &case.json) {
            Ok(out) => panic!(
                "{} ({}): serde accepted it as {out}; it must reject it because {}",
                case.name,
                case.type_name,
                case.why.as_deref().unwrap_or("?")
            ),
            Err(e) => assert!(!e.is_empty(), "{}", case.name),
        }
    }
}

#[test]
fn the_issue_negative_vectors_are_all_present() {
    // Issue 2 names these; keep them from being dropped from the file.
    let v = vectors::load().unwrap();
    let names: BTreeSet<&str> = v.negative.iter().map(|c| c.name.as_str()).collect();
    for required in [
        "id_fraction",
        "id_too_large",
        "status_5",
        "header_token_with_space",
        "header_empty_token",
        "header_token_8193",
        "response_missing_token",
        "server_request_unknown_method",
    ] {
        assert!(
            names.contains(required),
            "missing negative vector {required}"
        );
    }
}

struct Names(BTreeSet<String>);

impl ExportVisitor for Names {
    fn visit<T: WireType>(&mut self) {
        self.0.insert(T::schema_name().into_owned());
    }
}

#[test]
fn every_exported_type_has_a_positive_vector() {
    let mut names = Names(BTreeSet::new());
    visit_exported_types(&mut names);
    let v = vectors::load().unwrap();
    let covered: BTreeSet<String> = v.positive.iter().map(|c| c.type_name.clone()).collect();
    let missing: Vec<_> = names.0.difference(&covered).collect();
    assert!(missing.is_empty(), "no positive vector for {missing:?}");
    // And the exported names are exactly the contract's list.
    let contract: BTreeSet<String> = [
        "RequestId",
        "JsonRpcRequest",
        "JsonRpcNotification",
        "JsonRpcResponse",
        "JsonRpcError",
        "JsonRpcErrorObject",
        "JsonRpcMessage",
        "ErrorCode",
        "InitializeParams",
        "ClientInfo",
        "ClientCapabilities",
        "InitializeResponse",
        "ServerInfo",
        "AttestationGenerateParams",
        "AttestationGenerateResponse",
        "ServerRequest",
        "ClientRequest",
        "ClientNotification",
        "AttestationStatus",
        "AttestationHeader",
        "ServerRequestResult",
        "ClientRequestResult",
        "ClientResponse",
        "ServerResponse",
        "ClientMessage",
        "ServerMessage",
    ]
    .map(str::to_owned)
    .into();
    assert_eq!(names.0, contract);
}
