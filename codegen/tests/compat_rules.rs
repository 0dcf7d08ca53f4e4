//! "Narrowing what a side reads, or widening what a side writes, breaks that
//! reader; a breaking change needs the semver bump (major; minor while 0.x)."
//!
//! One test per rule of the gate: a small bundle with the real root names
//! (`ClientMessage` read by the server, `ServerMessage` read by the client,
//! `AttestationHeader` read by the backend), one mutation, and the verdict
//! expected for each change.

// Helpers here are test code too (clippy.toml allows unwrap only inside
// `#[test]` functions): a failed unwrap is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use attestwire_codegen::{Judgement, Reader, Verdict, Version, compare};
use serde_json::{Value, json};

use Verdict::{Breaking, Compatible};

const SERVER: Verdict = Breaking {
    reader: Reader::Server,
};
const CLIENT: Verdict = Breaking {
    reader: Reader::Client,
};
const BACKEND: Verdict = Breaking {
    reader: Reader::Backend,
};

fn bundle(version: &str, defs: Value) -> Value {
    json!({
        "$id": format!("https://schemas.attestwire.dev/protocol/{version}/attestwire.schema.json"),
        "$defs": defs,
    })
}

/// A protocol in miniature. `Token` is shared: the client's response (read
/// by the server) and the header (read by the backend) both use it.
fn base() -> Value {
    bundle(
        "0.1.0",
        json!({
            "ClientMessage": { "anyOf": [
                { "$ref": "#/$defs/ClientRequest" },
                { "$ref": "#/$defs/ClientResponse" },
            ]},
            "ClientRequest": { "oneOf": [
                {
                    "description": "The first request.",
                    "type": "object",
                    "properties": {
                        "method": { "const": "initialize", "type": "string" },
                        "params": { "$ref": "#/$defs/InitializeParams" },
                    },
                    "required": ["method", "params"],
                },
                {
                    "type": "object",
                    "properties": {
                        "method": { "const": "thread/start", "type": "string" },
                        "params": { "type": "object" },
                    },
                    "required": ["method", "params"],
                },
            ]},
            "InitializeParams": {
                "type": "object",
                "properties": {
                    "clientInfo": { "$ref": "#/$defs/ClientInfo" },
                    "capabilities": { "$ref": "#/$defs/ClientCapabilities" },
                },
                "required": ["clientInfo"],
            },
            "ClientInfo": {
                "description": "Who the client is.",
                "type": "object",
                "properties": {
                    "name": { "type": "string", "maxLength": 64 },
                    "title": { "type": "string" },
                },
                "required": ["name"],
                "additionalProperties": false,
            },
            "ClientCapabilities": {
                "type": "object",
                "properties": { "requestAttestation": { "type": "boolean" } },
            },
            "ClientResponse": {
                "type": "object",
                "properties": {
                    "id": { "type": "integer" },
                    "result": { "anyOf": [{ "$ref": "#/$defs/AttestationGenerateResponse" }] },
                },
                "required": ["id", "result"],
            },
            "AttestationGenerateResponse": {
                "type": "object",
                "properties": { "token": { "$ref": "#/$defs/Token" } },
                "required": ["token"],
            },
            "Token": {
                "type": "string",
                "minLength": 1,
                "maxLength": 8192,
                "pattern": "^[\\x21-\\x7E]*$",
            },
            "ServerMessage": { "anyOf": [
                { "$ref": "#/$defs/ServerRequest" },
                { "$ref": "#/$defs/ServerResponse" },
            ]},
            "ServerRequest": { "oneOf": [
                {
                    "description": "Asks for a token. Sent only to clients that\nset `capabilities.requestAttestation`.",
                    "type": "object",
                    "properties": {
                        "method": { "const": "attestation/generate", "type": "string" },
                        "params": { "type": "object" },
                    },
                    "required": ["method", "params"],
                },
            ]},
            "ServerResponse": {
                "type": "object",
                "properties": {
                    "id": { "type": "integer" },
                    "result": { "$ref": "#/$defs/InitializeResponse" },
                },
                "required": ["id", "result"],
            },
            "InitializeResponse": {
                "type": "object",
                "properties": {
                    "serverInfo": {
                        "type": "object",
                        "properties": { "name": { "type": "string" } },
                        "required": ["name"],
                    },
                },
                "required": ["serverInfo"],
            },
            "AttestationHeader": {
                "type": "object",
                "properties": {
                    "v": { "const": 1, "type": "integer" },
                    "s": { "$ref": "#/$defs/AttestationStatus" },
                    "t": { "$ref": "#/$defs/Token" },
                },
                "required": ["v", "s"],
            },
            "AttestationStatus": { "type": "integer", "enum": [0, 1, 2, 3, 4] },
        }),
    )
}

/// `base()` changed by `edit`, which gets `$defs`.
fn mutated(edit: impl FnOnce(&mut Value)) -> Value {
    let mut b = base();
    edit(&mut b["$defs"]);
    b
}

/// Every change of `base()` → `new`, as `(path, change, verdict)`.
fn changes(new: &Value) -> Vec<(String, String, Verdict)> {
    compare(&base(), new)
        .changes
        .into_iter()
        .map(|c| (c.path, c.change, c.verdict))
        .collect()
}

fn row(path: &str, change: &str, verdict: Verdict) -> (String, String, Verdict) {
    (path.to_owned(), change.to_owned(), verdict)
}

fn push(list: &mut Value, item: Value) {
    list.as_array_mut().unwrap().push(item);
}

fn server_method(method: &str, description: &str) -> Value {
    json!({
        "description": description,
        "type": "object",
        "properties": {
            "method": { "const": method, "type": "string" },
            "params": { "type": "object" },
        },
        "required": ["method", "params"],
    })
}

#[test]
fn identical_bundles_have_no_changes() {
    assert_eq!(changes(&base()), []);
}

#[test]
fn removed_client_request_method_breaks_the_server() {
    let new = mutated(|d| {
        d["ClientRequest"]["oneOf"]
            .as_array_mut()
            .unwrap()
            .remove(1);
    });
    assert_eq!(
        changes(&new),
        [row(
            "ClientMessage > ClientRequest",
            "variant `thread/start` removed",
            SERVER
        )]
    );
}

#[test]
fn new_client_request_method_is_compatible() {
    let new = mutated(|d| {
        let mut method = d["ClientRequest"]["oneOf"][1].clone();
        method["properties"]["method"]["const"] = json!("thread/resume");
        push(&mut d["ClientRequest"]["oneOf"], method);
    });
    assert_eq!(
        changes(&new),
        [row(
            "ClientMessage > ClientRequest",
            "variant `thread/resume` added",
            Compatible
        )]
    );
}

#[test]
fn renamed_client_request_method_breaks_the_server() {
    let new = mutated(|d| {
        d["ClientRequest"]["oneOf"][1]["properties"]["method"]["const"] = json!("thread/begin");
    });
    assert_eq!(
        changes(&new),
        [
            row(
                "ClientMessage > ClientRequest",
                "variant `thread/start` removed",
                SERVER
            ),
            row(
                "ClientMessage > ClientRequest",
                "variant `thread/begin` added",
                Compatible
            ),
        ]
    );
}

#[test]
fn new_ungated_server_method_breaks_the_client() {
    let new = mutated(|d| {
        push(
            &mut d["ServerRequest"]["oneOf"],
            server_method("thread/notify", "Tells the app something."),
        );
    });
    assert_eq!(
        changes(&new),
        [row(
            "ServerMessage > ServerRequest",
            "variant `thread/notify` added, not gated by a capability",
            CLIENT
        )]
    );
}

#[test]
fn new_server_method_gated_by_a_new_optional_capability_is_compatible() {
    let new = mutated(|d| {
        d["ClientCapabilities"]["properties"]["threadNotify"] = json!({ "type": "boolean" });
        push(
            &mut d["ServerRequest"]["oneOf"],
            server_method(
                "thread/notify",
                "Tells the app something. Sent only to clients that set\n`capabilities.threadNotify`.",
            ),
        );
    });
    assert_eq!(
        changes(&new),
        [
            row(
                "ClientMessage > ClientRequest[initialize].params > InitializeParams.capabilities > ClientCapabilities.threadNotify",
                "property added",
                Compatible
            ),
            row(
                "ServerMessage > ServerRequest",
                "variant `thread/notify` added, gated by the new optional `capabilities.threadNotify`",
                Compatible
            ),
        ]
    );
}

#[test]
fn a_capability_old_clients_know_or_lack_does_not_gate_a_new_server_method() {
    // Old clients that set `requestAttestation` have never heard of the new
    // method; a capability that is not declared gates nothing; a required
    // one is set by every new client and refused from old ones.
    let gated_by = |name: &str, declare: Option<Value>| {
        mutated(|d| {
            if let Some(schema) = declare {
                d["ClientCapabilities"]["properties"][name] = schema;
                d["ClientCapabilities"]["required"] = json!([name]);
            }
            let text = format!("Sent only to clients that set `capabilities.{name}`.");
            push(
                &mut d["ServerRequest"]["oneOf"],
                server_method("thread/notify", &text),
            );
        })
    };
    let verdict_of_variant = |new: &Value| {
        changes(new)
            .into_iter()
            .find(|(_, change, _)| change.starts_with("variant `thread/notify` added"))
            .unwrap()
    };
    let (_, text, verdict) = verdict_of_variant(&gated_by("requestAttestation", None));
    assert_eq!(verdict, CLIENT);
    assert!(
        text.ends_with("old clients may already set `capabilities.requestAttestation`"),
        "{text}"
    );
    let (_, text, verdict) = verdict_of_variant(&gated_by("threadNotify", None));
    assert_eq!(verdict, CLIENT);
    assert!(
        text.ends_with("`capabilities.threadNotify` is not in ClientCapabilities"),
        "{text}"
    );
    let (_, text, verdict) = verdict_of_variant(&gated_by(
        "threadNotify",
        Some(json!({ "type": "boolean" })),
    ));
    assert_eq!(verdict, CLIENT);
    assert!(
        text.ends_with("`capabilities.threadNotify` is required, not optional"),
        "{text}"
    );
}

#[test]
fn renamed_server_method_breaks_the_client() {
    let new = mutated(|d| {
        d["ServerRequest"]["oneOf"][0]["properties"]["method"]["const"] = json!("attestation/mint");
    });
    // The removal alone is compatible (old clients are simply never sent
    // it); the new name is an ungated method they do not know.
    assert_eq!(
        changes(&new),
        [
            row(
                "ServerMessage > ServerRequest",
                "variant `attestation/generate` removed",
                Compatible
            ),
            row(
                "ServerMessage > ServerRequest",
                "variant `attestation/mint` added; old clients may already set `capabilities.requestAttestation`",
                CLIENT
            ),
        ]
    );
}

#[test]
fn new_required_property_breaks_what_the_server_reads_only() {
    let new = mutated(|d| {
        d["ClientInfo"]["properties"]["version"] = json!({ "type": "string" });
        d["ClientInfo"]["required"] = json!(["name", "version"]);
        let server_info = &mut d["InitializeResponse"]["properties"]["serverInfo"];
        server_info["properties"]["version"] = json!({ "type": "string" });
        server_info["required"] = json!(["name", "version"]);
    });
    let info = "ClientMessage > ClientRequest[initialize].params > InitializeParams.clientInfo > ClientInfo.version";
    let server_info =
        "ServerMessage > ServerResponse.result > InitializeResponse.serverInfo.version";
    assert_eq!(
        changes(&new),
        [
            // ClientInfo is closed: a property old clients may not send.
            row(
                info,
                "property added (additional properties were not allowed)",
                Compatible
            ),
            row(info, "property now required", SERVER),
            row(server_info, "property added", Compatible),
            row(server_info, "property now required", Compatible),
        ]
    );
}

#[test]
fn removed_required_property_breaks_what_the_client_reads_only() {
    let new = mutated(|d| {
        d["ClientInfo"]["required"] = json!([]);
        d["InitializeResponse"]["properties"]["serverInfo"]["required"] = json!([]);
    });
    assert_eq!(
        changes(&new),
        [
            row(
                "ClientMessage > ClientRequest[initialize].params > InitializeParams.clientInfo > ClientInfo.name",
                "property no longer required",
                Compatible
            ),
            row(
                "ServerMessage > ServerResponse.result > InitializeResponse.serverInfo.name",
                "property no longer required",
                CLIENT
            ),
        ]
    );
}

#[test]
fn removed_property_of_a_closed_object_breaks_its_reader() {
    let new = mutated(|d| {
        d["ClientInfo"]["properties"]
            .as_object_mut()
            .unwrap()
            .remove("title");
    });
    assert_eq!(
        changes(&new),
        [row(
            "ClientMessage > ClientRequest[initialize].params > InitializeParams.clientInfo > ClientInfo.title",
            "property removed (additional properties are not allowed)",
            SERVER
        )]
    );
}

#[test]
fn widened_status_enum_breaks_the_backend_and_narrowed_is_compatible() {
    let widened = mutated(|d| push(&mut d["AttestationStatus"]["enum"], json!(5)));
    assert_eq!(
        changes(&widened),
        [row(
            "AttestationHeader.s > AttestationStatus",
            "value 5 added",
            BACKEND
        )]
    );
    let narrowed = mutated(|d| d["AttestationStatus"]["enum"] = json!([0, 1, 2, 3]));
    assert_eq!(
        changes(&narrowed),
        [row(
            "AttestationHeader.s > AttestationStatus",
            "value 4 removed",
            Compatible
        )]
    );
}

#[test]
fn changed_const_breaks_its_reader_either_way() {
    let new = mutated(|d| d["AttestationHeader"]["properties"]["v"]["const"] = json!(2));
    assert_eq!(
        changes(&new),
        [row("AttestationHeader.v", "value 1 → 2", BACKEND)]
    );
}

#[test]
fn tighter_token_breaks_the_server_and_looser_breaks_the_backend() {
    // One `$def`, two uses, each judged by its own reader.
    let response =
        "ClientMessage > ClientResponse.result > AttestationGenerateResponse.token > Token";
    let header = "AttestationHeader.t > Token";
    let tighter = mutated(|d| d["Token"]["maxLength"] = json!(4096));
    assert_eq!(
        changes(&tighter),
        [
            row(response, "maxLength 8192 → 4096 (tighter)", SERVER),
            row(header, "maxLength 8192 → 4096 (tighter)", Compatible),
        ]
    );
    let looser = mutated(|d| d["Token"]["maxLength"] = json!(16384));
    assert_eq!(
        changes(&looser),
        [
            row(response, "maxLength 8192 → 16384 (looser)", Compatible),
            row(header, "maxLength 8192 → 16384 (looser)", BACKEND),
        ]
    );
    let raised_minimum = mutated(|d| d["Token"]["minLength"] = json!(8));
    assert_eq!(
        changes(&raised_minimum),
        [
            row(response, "minLength 1 → 8 (tighter)", SERVER),
            row(header, "minLength 1 → 8 (tighter)", Compatible),
        ]
    );
}

#[test]
fn changed_pattern_breaks_every_reader() {
    let new = mutated(|d| d["Token"]["pattern"] = json!("^[A-Za-z0-9._-]*$"));
    let verdicts: Vec<Verdict> = changes(&new).into_iter().map(|(_, _, v)| v).collect();
    assert_eq!(verdicts, [SERVER, BACKEND]);
    let (_, text, _) = &changes(&new)[0];
    assert!(text.contains("cannot tell narrower or wider"), "{text}");
}

#[test]
fn type_narrowed_breaks_the_reader_and_widened_is_compatible_for_it() {
    let widened =
        mutated(|d| d["ClientResponse"]["properties"]["id"]["type"] = json!(["integer", "string"]));
    assert_eq!(
        changes(&widened),
        [row(
            "ClientMessage > ClientResponse.id",
            "type string added",
            Compatible
        )]
    );
    let narrowed = mutated(|d| d["ClientInfo"]["properties"]["title"]["type"] = json!("null"));
    let info = "ClientMessage > ClientRequest[initialize].params > InitializeParams.clientInfo > ClientInfo.title";
    assert_eq!(
        changes(&narrowed),
        [
            row(info, "type string removed", SERVER),
            row(info, "type null added", Compatible),
        ]
    );
}

#[test]
fn description_only_change_is_compatible_and_listed() {
    let new = mutated(|d| {
        d["ClientInfo"]["description"] = json!("Who the client is: name and title.");
        d["ServerRequest"]["oneOf"][0]["description"] = json!(
            "Asks for a fresh token. Sent only to clients that set `capabilities.requestAttestation`."
        );
    });
    assert_eq!(
        changes(&new),
        [
            row(
                "ClientMessage > ClientRequest[initialize].params > InitializeParams.clientInfo > ClientInfo",
                "description changed",
                Compatible
            ),
            row(
                "ServerMessage > ServerRequest[attestation/generate]",
                "description changed",
                Compatible
            ),
        ]
    );
}

#[test]
fn renamed_def_with_the_same_shape_is_compatible() {
    let new = mutated(|d| {
        let token = d.as_object_mut().unwrap().remove("Token").unwrap();
        d["AttestationToken"] = token;
        d["AttestationGenerateResponse"]["properties"]["token"]["$ref"] =
            json!("#/$defs/AttestationToken");
        d["AttestationHeader"]["properties"]["t"]["$ref"] = json!("#/$defs/AttestationToken");
    });
    let verdicts: Vec<Verdict> = changes(&new).into_iter().map(|(_, _, v)| v).collect();
    assert_eq!(verdicts, [Compatible, Compatible]);
    assert_eq!(
        changes(&new)[1].1,
        "now refers to `AttestationToken` (was `Token`)"
    );
}

#[test]
fn breaking_change_passes_with_a_minor_bump_while_0x_and_fails_with_a_patch_bump() {
    let tighter = |version: &str| {
        let mut b = mutated(|d| d["Token"]["maxLength"] = json!(4096));
        b["$id"] = bundle(version, json!({}))["$id"].clone();
        b
    };
    let minor = Judgement::of(&base(), &tighter("0.2.0")).unwrap();
    assert!(minor.passes());
    assert!(
        minor
            .render()
            .ends_with("1 breaking, allowed by the version bump\n"),
        "{}",
        minor.render()
    );
    let patch = Judgement::of(&base(), &tighter("0.1.1")).unwrap();
    assert!(!patch.passes());
    assert!(
        patch
            .render()
            .contains("a breaking change needs a major version bump"),
        "{}",
        patch.render()
    );
    assert!(!Judgement::of(&base(), &tighter("0.1.0")).unwrap().passes());

    let report = compare(&base(), &tighter("2.0.0"));
    let v = |s: &str| Version::parse(s).unwrap();
    assert!(report.passes(&v("1.3.0"), &v("2.0.0")));
    assert!(!report.passes(&v("1.3.0"), &v("1.4.0")));
}

#[test]
fn compatible_change_passes_with_a_patch_bump() {
    let mut new = mutated(|d| d["ClientInfo"]["description"] = json!("Who."));
    new["$id"] = bundle("0.1.1", json!({}))["$id"].clone();
    let judgement = Judgement::of(&base(), &new).unwrap();
    assert!(judgement.passes());
    assert!(
        judgement.render().ends_with("1 change, all compatible\n"),
        "{}",
        judgement.render()
    );
}

#[test]
fn the_table_puts_breaking_changes_first_in_columns() {
    let new = mutated(|d| {
        d["ClientInfo"]["description"] = json!("Who.");
        d["Token"]["maxLength"] = json!(4096);
    });
    let table = compare(&base(), &new).render_table();
    let expected = "\
verdict     reader  type path                                                                                    change
breaking    server  ClientMessage > ClientResponse.result > AttestationGenerateResponse.token > Token            maxLength 8192 → 4096 (tighter)
compatible  -       ClientMessage > ClientRequest[initialize].params > InitializeParams.clientInfo > ClientInfo  description changed
compatible  -       AttestationHeader.t > Token                                                                  maxLength 8192 → 4096 (tighter)
";
    assert_eq!(table, expected, "\n{table}");
}

#[test]
fn new_status_variant_breaks_the_backend_whatever_its_description_says() {
    // Capabilities are the client's: they gate nothing the backend reads.
    let old = mutated(|d| d["AttestationStatus"]["oneOf"] = json!([{ "const": 0 }]));
    let mut new = old.clone();
    new["$defs"]["AttestationStatus"]["enum"] = json!([0, 1, 2, 3, 4, 5]);
    new["$defs"]["AttestationStatus"]["oneOf"] = json!([
        { "const": 0 },
        { "const": 5, "description": "Sent only to clients that set `capabilities.requestAttestation`." },
    ]);
    let changes: Vec<(String, Verdict)> = compare(&old, &new)
        .changes
        .into_iter()
        .map(|c| (c.change, c.verdict))
        .collect();
    assert_eq!(
        changes,
        [
            ("value 5 added".to_owned(), BACKEND),
            ("variant `5` added".to_owned(), BACKEND),
        ]
    );
}

#[test]
fn opening_a_closed_object_breaks_the_reader_of_what_is_written() {
    let new = mutated(|d| {
        d["ClientInfo"]
            .as_object_mut()
            .unwrap()
            .remove("additionalProperties");
        d["InitializeResponse"]["additionalProperties"] = json!(false);
    });
    assert_eq!(
        changes(&new),
        [
            row(
                "ClientMessage > ClientRequest[initialize].params > InitializeParams.clientInfo > ClientInfo",
                "additionalProperties no longer false",
                Compatible
            ),
            row(
                "ServerMessage > ServerResponse.result > InitializeResponse",
                "additionalProperties now false",
                Compatible
            ),
        ]
    );
    let reopened = mutated(|d| d["InitializeResponse"]["additionalProperties"] = json!(true));
    let closed = mutated(|d| d["InitializeResponse"]["additionalProperties"] = json!(false));
    let (_, text, verdict) = compare(&closed, &reopened)
        .changes
        .into_iter()
        .map(|c| (c.path, c.change, c.verdict))
        .next()
        .unwrap();
    assert_eq!(
        (text.as_str(), verdict),
        ("additionalProperties no longer false", CLIENT)
    );
}

#[test]
fn a_constraint_under_not_is_judged_the_other_way() {
    // `not: { maxLength: 10 }` means "longer than 10": raising 10 narrows.
    let with_not = |limit: u32| mutated(|d| d["Token"]["not"] = json!({ "maxLength": limit }));
    let changes: Vec<(String, Verdict)> = compare(&with_not(10), &with_not(20))
        .changes
        .into_iter()
        .map(|c| (c.path, c.verdict))
        .collect();
    assert_eq!(
        changes,
        [
            ("ClientMessage > ClientResponse.result > AttestationGenerateResponse.token > Token(not)".to_owned(), SERVER),
            ("AttestationHeader.t > Token(not)".to_owned(), Compatible),
        ]
    );
}

#[test]
fn a_recursive_def_is_walked_once() {
    let tree = |max: u32| {
        mutated(|d| {
            d["Node"] = json!({
                "type": "object",
                "properties": {
                    "name": { "type": "string", "maxLength": max },
                    "children": { "type": "array", "items": { "$ref": "#/$defs/Node" } },
                },
            });
            d["ClientResponse"]["properties"]["tree"] = json!({ "$ref": "#/$defs/Node" });
        })
    };
    let changes: Vec<String> = compare(&tree(8), &tree(4))
        .changes
        .into_iter()
        .map(|c| c.path)
        .collect();
    assert_eq!(changes, ["ClientMessage > ClientResponse.tree > Node.name"]);
}
