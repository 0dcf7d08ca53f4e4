//! `methods.ts`: method-name constants, request maps, status and error-code
//! constants, the token rule — all read from the protocol crate.

use std::collections::BTreeSet;
use std::fmt::Write;

use attestwire_protocol::{
    AttestationStatus, Direction, ErrorCode, HEADER_NAME, JsonRpcVersion, Method, MethodVisitor,
    Notification, PROTOCOL_VERSION, TOKEN_MAX_BYTES, TOKEN_MIN_BYTES, TOKEN_PATTERN, WireType,
    visit_methods,
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

/// One method of a table, with its TypeScript type names.
pub(crate) struct Entry {
    /// The Rust / TypeScript identifier, e.g. `AttestationGenerate`.
    pub(crate) name: &'static str,
    /// The wire name, e.g. `attestation/generate`.
    pub(crate) method: &'static str,
    /// The table entry's doc comment (may be empty).
    pub(crate) doc: &'static str,
    /// The params type (`undefined` for a notification).
    pub(crate) params: String,
    /// The response type; `None` for a notification.
    pub(crate) response: Option<String>,
}

/// Every method of every table, in table order.
pub(crate) struct Tables {
    pub(crate) server: Vec<Entry>,
    pub(crate) client: Vec<Entry>,
    pub(crate) notifications: Vec<Entry>,
}

struct Collect<'a> {
    cfg: &'a Config,
    server: Vec<Entry>,
    client: Vec<Entry>,
    notifications: Vec<Entry>,
}

/// The method tables, read from the protocol crate.
pub(crate) fn tables(cfg: &Config) -> Tables {
    let mut c = Collect {
        cfg,
        server: Vec::new(),
        client: Vec::new(),
        notifications: Vec::new(),
    };
    visit_methods(&mut c);
    Tables {
        server: c.server,
        client: c.client,
        notifications: c.notifications,
    }
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
            doc: M::DOC,
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
            doc: N::DOC,
            params: "undefined".to_owned(),
            response: None,
        });
    }
}

// `write!` into a `String` cannot fail; the results are ignored on purpose.
pub(crate) fn render(cfg: &Config) -> MethodsTs {
    let c = tables(cfg);

    let mut imports: BTreeSet<String> = MERGED_WITH_CONSTANTS
        .into_iter()
        .map(|s| format!("{s} as {s}Type"))
        .collect();
    imports.insert("RequestId".to_owned());
    imports.insert("JsonRpcError".to_owned());
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
    t.push_str(
        "/** The envelope's status `s`: one of the values above. */\n\
         export type AttestationStatus = AttestationStatusType;\n",
    );

    t.push_str("\n/** Named JSON-RPC error codes this protocol sends. */\n");
    t.push_str("export const ErrorCode = {\n");
    for (name, code, doc) in ErrorCode::NAMED {
        let _ = writeln!(t, "  /** {code}: {doc} */\n  {name}: {code},");
    }
    t.push_str("} as const satisfies Record<string, ErrorCodeType>;\n");
    t.push_str(
        "/** A JSON-RPC error code: one of the above, or any other integer a client sends. */\n\
         export type ErrorCode = ErrorCodeType;\n",
    );

    let _ = write!(
        t,
        "\n/** The HTTP header that carries the envelope. */\n\
         export const ATTESTATION_HEADER_NAME = \"{HEADER_NAME}\";\n\
         \n/**\n * The version of the attestwire protocol this package describes (semver): the\n \
         * workspace version, also the package's `version` and what a server sends\n \
         * as `protocolVersion` in the `initialize` result.\n */\n\
         export const PROTOCOL_VERSION = \"{}\";\n\
         \n/** The value of every message's `jsonrpc` member. */\n\
         export const JSONRPC_VERSION = \"{}\";\n\
         \n/** The fewest characters an attestation token may have. */\n\
         export const TOKEN_MIN_LENGTH = {TOKEN_MIN_BYTES};\n\
         \n/** The most characters an attestation token may have. */\n\
         export const TOKEN_MAX_LENGTH = {TOKEN_MAX_BYTES};\n\
         \n/**\n * One or more visible ASCII characters (0x21–0x7E): rejects the empty\n \
         * string by itself; the upper length is checked separately.\n */\n\
         export const TOKEN_PATTERN = /{}/;\n\
         \n/**\n * `true` when `token` satisfies the token rule: 1 to 8192 characters, each\n \
         * visible ASCII (0x21–0x7E). The server reports any other token as\n \
         * `AttestationStatus.MalformedResponse`.\n */\n\
         export function isValidAttestationToken(token: string): boolean {{\n  \
         return (\n    token.length >= TOKEN_MIN_LENGTH &&\n    \
         token.length <= TOKEN_MAX_LENGTH &&\n    TOKEN_PATTERN.test(token)\n  );\n}}\n",
        PROTOCOL_VERSION,
        JsonRpcVersion::VALUE,
        TOKEN_PATTERN,
    );

    t.push_str(BUILDERS);

    let mut types: Vec<String> = [
        "HostMethods",
        "NoHostMethods",
        "ServerRequestMapWith",
        "ClientRequestMapWith",
        "ClientNotificationMapWith",
        "ParamsOf",
        "ResponseOf",
        "ServerRequestOf",
        "ServerRequestResponse",
        "ClientRequestOf",
        "ClientRequestResponse",
        "ClientNotificationOf",
    ]
    .map(str::to_owned)
    .to_vec();
    let mut values: Vec<String> = MERGED_WITH_CONSTANTS.map(str::to_owned).to_vec();
    for group in ["ServerRequest", "ClientRequest", "ClientNotification"] {
        values.push(format!("{group}Method"));
        types.push(format!("{group}Map"));
    }
    values.extend(
        [
            "ATTESTATION_HEADER_NAME",
            "PROTOCOL_VERSION",
            "JSONRPC_VERSION",
            "TOKEN_MIN_LENGTH",
            "TOKEN_MAX_LENGTH",
            "TOKEN_PATTERN",
            "isValidAttestationToken",
            "makeResponse",
            "makeError",
            "makeRequest",
            "makeNotification",
        ]
        .map(str::to_owned),
    );
    MethodsTs {
        text: t,
        types,
        values,
    }
}

/// The method's doc comment, or its name when it has none.
fn method_doc(e: &Entry) -> String {
    if e.doc.is_empty() {
        format!("The method `{}`.", e.method)
    } else {
        e.doc.to_owned()
    }
}

/// Types and functions built from the maps: a message for one method, with
/// its params or result checked against that method's types. Each takes an
/// optional `H`, the host's own methods, merged with attestwire's.
const BUILDERS: &str = r#"
/**
 * A host's own methods, beside attestwire's: for a server whose protocol has
 * methods of its own (Codex's `thread/start`, `turn/start`, `item/approve`).
 * Each member maps a method name to `{ params, response }` (requests) or
 * `{ params }` (notifications); leave out what the host does not have. Pass
 * it as the type parameter `H` of the builders, the message types and
 * `createServerRequestDispatcher`: where a host method has the name of one of
 * attestwire's, the host's entry wins. Without `H` they know attestwire's
 * methods alone. A type only: nothing checks a host's message against it at
 * run time.
 *
 * ```ts
 * type Codex = {
 *   requests: { "thread/start": { params: { threadId: string }; response: { threadId: string } } };
 *   serverRequests: { "item/approve": { params: { threadId: string }; response: { decision: string } } };
 * };
 * makeRequest<Codex>("thread/start", 1, { threadId: "t1" });
 * ```
 */
export interface HostMethods {
  /** Requests the client (the app) sends to the server. */
  requests?: object;
  /** Notifications the client sends to the server. */
  notifications?: object;
  /** Requests the server sends to the client. */
  serverRequests?: object;
  /** Notifications the server sends to the client. */
  serverNotifications?: object;
}

/** No host methods: attestwire's alone (the default of every `H`). */
export type NoHostMethods = Record<never, never>;

/** The member `K` of the host's methods `H`, or no methods. */
type HostPart<H, K extends keyof HostMethods> = H extends { [P in K]?: infer Part }
  ? NonNullable<Part> extends object
    ? NonNullable<Part>
    : NoHostMethods
  : NoHostMethods;

/** attestwire's map `Ours` and the host's `Host`; the host's entry wins on a shared name. */
type WithHost<Ours, Host> = [keyof Host] extends [never] ? Ours : Omit<Ours, keyof Host> & Host;

/** `ServerRequestMap` and the host's `serverRequests`. */
export type ServerRequestMapWith<H> = WithHost<ServerRequestMap, HostPart<H, "serverRequests">>;
/** `ClientRequestMap` and the host's `requests`. */
export type ClientRequestMapWith<H> = WithHost<ClientRequestMap, HostPart<H, "requests">>;
/** `ClientNotificationMap` and the host's `notifications`. */
export type ClientNotificationMapWith<H> = WithHost<ClientNotificationMap, HostPart<H, "notifications">>;

/** The params of a method map's entry (`undefined` when it has none). */
export type ParamsOf<E> = E extends { params: infer P } ? P : undefined;
/** The result of a method map's entry. */
export type ResponseOf<E> = E extends { response: infer R } ? R : unknown;

/** The request the server sends for the method `M` (of attestwire's, or of the host's `H`). */
export type ServerRequestOf<M extends keyof ServerRequestMapWith<H> & string, H = NoHostMethods> = {
  /** The method name. */
  method: M;
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** Chosen by the sender; echoed in the response. */
  id: RequestId;
  /** The method's parameters. */
  params: ParamsOf<ServerRequestMapWith<H>[M]>;
};

/**
 * The successful response a client sends to the server request `M`: its
 * `result` is `M`'s response type (`{ token }` for `attestation/generate`).
 */
export type ServerRequestResponse<M extends keyof ServerRequestMapWith<H> & string, H = NoHostMethods> = {
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** The `id` of the request this answers. */
  id: RequestId;
  /** The result: the method's response type. */
  result: ResponseOf<ServerRequestMapWith<H>[M]>;
  /** Never present: a response has `result` or `error`, never both. */
  error?: never;
};

/** The request a client sends for the method `M` (of attestwire's, or of the host's `H`). */
export type ClientRequestOf<M extends keyof ClientRequestMapWith<H> & string, H = NoHostMethods> = {
  /** The method name. */
  method: M;
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** Chosen by the sender; echoed in the response. */
  id: RequestId;
  /** The method's parameters. */
  params: ParamsOf<ClientRequestMapWith<H>[M]>;
};

/** The successful response the server sends to the client request `M`. */
export type ClientRequestResponse<M extends keyof ClientRequestMapWith<H> & string, H = NoHostMethods> = {
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** The `id` of the request this answers. */
  id: RequestId;
  /** The result: the method's response type. */
  result: ResponseOf<ClientRequestMapWith<H>[M]>;
  /** Never present: a response has `result` or `error`, never both. */
  error?: never;
};

/** The notification a client sends for the method `M` (of attestwire's, or of the host's `H`). */
export type ClientNotificationOf<M extends keyof ClientNotificationMapWith<H> & string, H = NoHostMethods> = {
  /** The method name. */
  method: M;
  /** Always `"2.0"`; may be left out. */
  jsonrpc?: "2.0";
  /** The notification's parameters; attestwire's take none. */
  params?: ParamsOf<ClientNotificationMapWith<H>[M]>;
};

// The overloads taking the host's `H` list their arguments as a union of
// tuples, one per method, so that an explicit `H` still ties the params (or
// result) to the method: TypeScript does not infer `M` once `H` is given.

/** `makeResponse`'s arguments for each method of `Map`. */
type ResponseArgs<Map> = {
  [M in keyof Map & string]: [request: { method: M; id: RequestId }, result: ResponseOf<Map[M]>];
}[keyof Map & string];

/** `makeRequest`'s arguments for each method of `Map`. */
type RequestArgs<Map> = {
  [M in keyof Map & string]: [method: M, id: RequestId, params: ParamsOf<Map[M]>];
}[keyof Map & string];

/** `makeNotification`'s arguments for each method of `Map`: params may be left out when the method takes none. */
type NotificationArgs<Map> = {
  [M in keyof Map & string]: undefined extends ParamsOf<Map[M]>
    ? [method: M, params?: ParamsOf<Map[M]>]
    : [method: M, params: ParamsOf<Map[M]>];
}[keyof Map & string];

/**
 * The successful response to `request`, a server request: `result` must be
 * the response type of the request's method.
 *
 * ```ts
 * makeResponse(request, { token }) // request: ServerRequestOf<"attestation/generate">
 * ```
 */
export function makeResponse<M extends ServerRequestMethod>(
  request: { method: M; id: RequestId },
  result: ServerRequestMap[M]["response"],
): ServerRequestResponse<M>;
/**
 * The successful response to a server request of attestwire's or of the
 * host's methods `H`: `makeResponse<Codex>({ method: "item/approve", id }, { decision })`.
 */
export function makeResponse<H extends HostMethods>(
  ...args: ResponseArgs<ServerRequestMapWith<H>>
): ServerRequestResponse<keyof ServerRequestMapWith<H> & string, H>;
/** One body for both signatures: the types above did the checking. */
export function makeResponse(
  request: { id: RequestId },
  result: unknown,
): { jsonrpc?: "2.0"; id: RequestId; result: unknown } {
  return { jsonrpc: JSONRPC_VERSION, id: request.id, result };
}

/**
 * An error response answering the request `id` (`null` when the request's id
 * could not be read). `data` is left out when `undefined`.
 */
export function makeError(
  id: RequestId | null,
  code: ErrorCode,
  message: string,
  data?: unknown,
): JsonRpcError {
  const error = data === undefined ? { code, message } : { code, message, data };
  return { jsonrpc: JSONRPC_VERSION, id, error };
}

/** A client request for `method`, with `params` checked against it. */
export function makeRequest<M extends ClientRequestMethod>(
  method: M,
  id: RequestId,
  params: ClientRequestMap[M]["params"],
): ClientRequestOf<M>;
/**
 * A client request for `method` of attestwire's or of the host's methods
 * `H`, with `params` checked against it:
 * `makeRequest<Codex>("thread/start", 2, { threadId: "t1" })`.
 */
export function makeRequest<H extends HostMethods>(
  ...args: RequestArgs<ClientRequestMapWith<H>>
): ClientRequestOf<keyof ClientRequestMapWith<H> & string, H>;
/** One body for both signatures: the types above did the checking. */
export function makeRequest(
  method: string,
  id: RequestId,
  params: unknown,
): { jsonrpc?: "2.0"; id: RequestId; method: string; params: unknown } {
  return { jsonrpc: JSONRPC_VERSION, id, method, params };
}

/** A client notification for `method` (none of attestwire's has params). */
export function makeNotification<M extends ClientNotificationMethod>(
  method: M,
): ClientNotificationOf<M>;
/**
 * A client notification for `method` of attestwire's or of the host's
 * methods `H`, with its params when it has any:
 * `makeNotification<Codex>("thread/archive", { threadId: "t1" })`.
 */
export function makeNotification<H extends HostMethods>(
  ...args: NotificationArgs<ClientNotificationMapWith<H>>
): ClientNotificationOf<keyof ClientNotificationMapWith<H> & string, H>;
/** One body for both signatures: the types above did the checking. */
export function makeNotification(
  method: string,
  params?: unknown,
): { jsonrpc?: "2.0"; method: string; params?: unknown } {
  return params === undefined
    ? { jsonrpc: JSONRPC_VERSION, method }
    : { jsonrpc: JSONRPC_VERSION, method, params };
}
"#;

fn method_group(t: &mut String, group: &str, what: &str, entries: &[Entry]) {
    let _ = write!(
        t,
        "\n/** Method names of {what}. */\nexport const {group}Method = {{\n"
    );
    for e in entries {
        crate::tagged_ts::jsdoc(t, "  ", &method_doc(e));
        let _ = writeln!(t, "  {}: \"{}\",", e.name, e.method);
    }
    let _ = writeln!(t, "}} as const;");
    let _ = writeln!(
        t,
        "/** The method name of one of the {what}. */\n\
         export type {group}Method = (typeof {group}Method)[keyof typeof {group}Method];"
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
        crate::tagged_ts::jsdoc(t, "  ", &method_doc(e));
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
