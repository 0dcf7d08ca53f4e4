//! `methods.ts`: method-name constants, request maps, status and error-code
//! constants, the token rule — all read from the protocol crate.

use std::collections::BTreeSet;
use std::fmt::Write;

use attestwire_protocol::{
    AttestationStatus, Direction, ErrorCode, HEADER_NAME, JsonRpcVersion, Method, MethodVisitor,
    Notification, TOKEN_MAX_BYTES, TOKEN_MIN_BYTES, TOKEN_PATTERN, WireType, visit_methods,
};
use ts_rs::{Config, TS};

use crate::GENERATED_HEADER;
use crate::typescript::MERGED_WITH_CONSTANTS;

pub(crate) struct MethodsTs {
    pub(crate) text: String,
    /// Type-only exports, for `index.ts`.
    pub(crate) types: Vec<String>,
    /// Value exports (each also a type where `MERGED_WITH_CONSTANTS` says so).
    pub(crate) values: Vec<String>,
}

struct Entry {
    name: &'static str,
    method: &'static str,
    params: String,
    response: Option<String>,
}

struct Collect<'a> {
    cfg: &'a Config,
    server: Vec<Entry>,
    client: Vec<Entry>,
    notifications: Vec<Entry>,
}

impl MethodVisitor for Collect<'_> {
    fn request<M: Method>(&mut self, name: &'static str, direction: Direction)
    where
        M::Params: WireType,
        M::Response: WireType,
    {
        let entry = Entry {
            name,
            method: M::METHOD,
            params: <M::Params as TS>::ident(self.cfg),
            response: Some(<M::Response as TS>::ident(self.cfg)),
        };
        match direction {
            Direction::ServerToClient => self.server.push(entry),
            Direction::ClientToServer => self.client.push(entry),
        }
    }

    fn client_notification<N: Notification>(&mut self, name: &'static str) {
        self.notifications.push(Entry {
            name,
            method: N::METHOD,
            params: "undefined".to_owned(),
            response: None,
        });
    }
}

// `write!` into a `String` cannot fail; the results are ignored on purpose.
pub(crate) fn render(cfg: &Config) -> MethodsTs {
    let mut c = Collect {
        cfg,
        server: Vec::new(),
        client: Vec::new(),
        notifications: Vec::new(),
    };
    visit_methods(&mut c);

    let mut imports: BTreeSet<String> = MERGED_WITH_CONSTANTS
        .into_iter()
        .map(|s| format!("{s} as {s}Type"))
        .collect();
    for e in c.server.iter().chain(&c.client) {
        imports.insert(e.params.clone());
        imports.extend(e.response.clone());
    }

    let mut t = format!("{GENERATED_HEADER}\n");
    for import in &imports {
        let file = import.split(' ').next().unwrap_or(import);
        let _ = writeln!(t, "import type {{ {import} }} from \"./{file}.js\";");
    }

    method_group(
        &mut t,
        "ServerRequest",
        "requests the server sends to the client",
        &c.server,
    );
    method_group(
        &mut t,
        "ClientRequest",
        "requests the client sends to the server",
        &c.client,
    );
    method_group(
        &mut t,
        "ClientNotification",
        "notifications the client sends to the server",
        &c.notifications,
    );

    t.push_str("\n/** Named values of `AttestationStatus`, the envelope's `s`. */\n");
    t.push_str("export const AttestationStatus = {\n");
    for s in AttestationStatus::ALL {
        let _ = writeln!(
            t,
            "  /** {} */\n  {}: {},",
            s.description(),
            s.name(),
            s.code()
        );
    }
    t.push_str("} as const satisfies Record<string, AttestationStatusType>;\n");
    t.push_str("export type AttestationStatus = AttestationStatusType;\n");

    t.push_str("\n/** Named JSON-RPC error codes this protocol sends. */\n");
    t.push_str("export const ErrorCode = {\n");
    for (name, code) in ErrorCode::NAMED {
        let _ = writeln!(t, "  {name}: {code},");
    }
    t.push_str("} as const satisfies Record<string, ErrorCodeType>;\n");
    t.push_str("export type ErrorCode = ErrorCodeType;\n");

    let _ = write!(
        t,
        "\n/** The HTTP header that carries the envelope. */\n\
         export const ATTESTATION_HEADER_NAME = \"{HEADER_NAME}\";\n\
         \n/** The value of every message's `jsonrpc` member. */\n\
         export const JSONRPC_VERSION = \"{}\";\n\
         \n/** The fewest characters an attestation token may have. */\n\
         export const TOKEN_MIN_LENGTH = {TOKEN_MIN_BYTES};\n\
         \n/** The most characters an attestation token may have. */\n\
         export const TOKEN_MAX_LENGTH = {TOKEN_MAX_BYTES};\n\
         \n/** Visible ASCII only (0x21–0x7E); the length is checked separately. */\n\
         export const TOKEN_PATTERN = /{}/;\n\
         \n/**\n * `true` when `token` satisfies the token rule: 1 to 8192 characters, each\n \
         * visible ASCII (0x21–0x7E). The server reports any other token as\n \
         * `AttestationStatus.MalformedResponse`.\n */\n\
         export function isValidAttestationToken(token: string): boolean {{\n  \
         return (\n    token.length >= TOKEN_MIN_LENGTH &&\n    \
         token.length <= TOKEN_MAX_LENGTH &&\n    TOKEN_PATTERN.test(token)\n  );\n}}\n",
        JsonRpcVersion::VALUE,
        TOKEN_PATTERN,
    );

    let mut types = Vec::new();
    let mut values: Vec<String> = MERGED_WITH_CONSTANTS.map(str::to_owned).to_vec();
    for group in ["ServerRequest", "ClientRequest", "ClientNotification"] {
        values.push(format!("{group}Method"));
        types.push(format!("{group}Map"));
    }
    values.extend(
        [
            "ATTESTATION_HEADER_NAME",
            "JSONRPC_VERSION",
            "TOKEN_MIN_LENGTH",
            "TOKEN_MAX_LENGTH",
            "TOKEN_PATTERN",
            "isValidAttestationToken",
        ]
        .map(str::to_owned),
    );
    MethodsTs {
        text: t,
        types,
        values,
    }
}

fn method_group(t: &mut String, group: &str, what: &str, entries: &[Entry]) {
    let _ = write!(
        t,
        "\n/** Method names of {what}. */\nexport const {group}Method = {{\n"
    );
    for e in entries {
        let _ = writeln!(t, "  {}: \"{}\",", e.name, e.method);
    }
    let _ = writeln!(t, "}} as const;");
    let _ = writeln!(
        t,
        "export type {group}Method = (typeof {group}Method)[keyof typeof {group}Method];"
    );
    let _ = write!(
        t,
        "\n/** For each method of the {what}: its params{}. */\nexport type {group}Map = {{\n",
        if entries.iter().any(|e| e.response.is_some()) {
            " and the result of its response"
        } else {
            ""
        }
    );
    for e in entries {
        match &e.response {
            Some(response) => {
                let _ = writeln!(
                    t,
                    "  \"{}\": {{ params: {}; response: {} }};",
                    e.method, e.params, response
                );
            }
            None => {
                let _ = writeln!(t, "  \"{}\": {{ params: {} }};", e.method, e.params);
            }
        }
    }
    t.push_str("};\n");
}
