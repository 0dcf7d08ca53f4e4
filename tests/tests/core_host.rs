//! "A core that a host drives": the fault matrix through `Core`, with a
//! test host that owns its transport (an mpsc queue per connection standing
//! for its writer) and its own pending table with integer ids counted from
//! 0, as the Codex app-server's are.

use std::collections::HashMap;
use std::time::Duration;

use attestwire_protocol::{ClientCapabilities, JsonRpcErrorObject, RequestId};
use attestwire_runtime::{
    AttestationContext, ConnectionId, Core, CoreConfig, CoreConnection, NoHeader, OutgoingMessage,
    SinkError,
};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::sync::{mpsc, oneshot};
use tokio::task::JoinHandle;
use tokio::time::Instant;

const DEADLINE: Duration = Duration::from_millis(100);
const S1: &[u8] = br#"{"v":1,"s":1}"#;
const S2: &[u8] = br#"{"v":1,"s":2}"#;
const S3: &[u8] = br#"{"v":1,"s":3}"#;
const S4: &[u8] = br#"{"v":1,"s":4}"#;
const THREAD: &str = "thread-1";

fn s0(token: &str) -> Vec<u8> {
    format!(r#"{{"v":1,"s":0,"t":"{token}"}}"#).into_bytes()
}

/// A host's own view of one connection: the core's guard, what the client
/// reads (the host's writer queue), and the host's own pending requests.
struct HostConnection {
    core: Option<CoreConnection>,
    wire: mpsc::Receiver<OutgoingMessage>,
    next_id: i64,
    pending: HashMap<i64, oneshot::Sender<Value>>,
}

impl HostConnection {
    /// Opens a connection on `core` whose writer queue holds `capacity`
    /// messages, with the handshake done (`opt_in`) and subscribed to
    /// [`THREAD`].
    fn open(core: &Core, capacity: usize, opt_in: bool) -> Self {
        let (queue, wire) = mpsc::channel(capacity);
        let connection = core.open(queue);
        let capabilities = ClientCapabilities {
            request_attestation: opt_in,
        };
        assert!(core.initialized(connection.id(), &capabilities));
        assert!(core.subscribe(connection.id(), THREAD));
        Self {
            core: Some(connection),
            wire,
            next_id: 0,
            pending: HashMap::new(),
        }
    }

    fn id(&self) -> ConnectionId {
        self.core.as_ref().unwrap().id()
    }

    /// The host registers a request of its own with the next integer id
    /// (the test plays the client, so nothing needs to be written).
    fn host_request(&mut self) -> (i64, oneshot::Receiver<Value>) {
        let id = self.next_id;
        self.next_id += 1;
        let (answer, answered) = oneshot::channel();
        self.pending.insert(id, answer);
        (id, answered)
    }

    /// What the host's reader does with one line from the client: the core
    /// first, then the host's own table. Returns who took it.
    fn receive(&mut self, core: &Core, line: &Value) -> Taker {
        let bytes = serde_json::to_vec(line).unwrap();
        if core.handle_message(self.id(), &bytes) {
            return Taker::Core;
        }
        let Some(id) = line["id"].as_i64() else {
            return Taker::Nobody;
        };
        match self.pending.remove(&id) {
            Some(answer) => {
                answer.send(line.clone()).unwrap();
                Taker::Host
            }
            None => Taker::Nobody,
        }
    }

    /// The next message the core sent on this connection.
    fn next_core_request(&mut self) -> Value {
        let message = self.wire.try_recv().expect("the core sent a request");
        let request: Value = serde_json::from_str(message.as_str()).unwrap();
        assert_eq!(request["method"], "attestation/generate");
        request
    }
}

/// Who took a message the client sent.
#[derive(Debug, PartialEq, Eq)]
enum Taker {
    Core,
    Host,
    Nobody,
}

fn core() -> Core {
    Core::new(CoreConfig::default())
}

/// The attestation flow for [`THREAD`] in a task of its own, as a host's
/// request handler would run it.
fn attest(core: &Core) -> JoinHandle<Result<Vec<u8>, NoHeader>> {
    let header = core.attestation_header(&AttestationContext::new(THREAD));
    tokio::spawn(async move { header.await.map(|value| value.as_bytes().to_vec()) })
}

/// An opted-in connection on a fresh core, with an attestation pending on
/// it: the core, the host's connection, the flow, and the request the client
/// received.
async fn asked() -> (
    Core,
    HostConnection,
    JoinHandle<Result<Vec<u8>, NoHeader>>,
    Value,
) {
    let core = core();
    let mut host = HostConnection::open(&core, 8, true);
    let header = attest(&core);
    settle().await;
    let request = host.next_core_request();
    (core, host, header, request)
}

/// Lets the spawned flow run up to its send.
async fn settle() {
    tokio::task::yield_now().await;
}

fn answer(id: &Value, result: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "result": result })
}

fn error(id: &Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "error": { "code": -32001, "message": "no token" } })
}

#[tokio::test(start_paused = true)]
async fn every_status_through_a_host_owned_transport() {
    let long_token = "x".repeat(8192);
    let too_long = "x".repeat(8193);
    let cases: Vec<(Option<Value>, Vec<u8>)> = vec![
        (Some(json!({ "token": "v1.core" })), s0("v1.core")),
        (Some(json!({ "token": long_token })), s0(&long_token)),
        (None, S1.to_vec()),
        (Some(json!("error")), S2.to_vec()),
        (Some(json!({ "tokn": "v1.core" })), S4.to_vec()),
        (Some(json!({ "token": "v1 space" })), S4.to_vec()),
        (Some(json!({ "token": "" })), S4.to_vec()),
        (Some(json!({ "token": too_long })), S4.to_vec()),
        (Some(json!({ "token": "v1.é" })), S4.to_vec()),
    ];
    for (reply, expected) in cases {
        // Settling takes no time on the paused clock: `start` is the call.
        let start = Instant::now();
        let (core, mut host, header, request) = asked().await;
        match reply {
            Some(result) if result == json!("error") => {
                assert_eq!(host.receive(&core, &error(&request["id"])), Taker::Core);
            }
            Some(result) => {
                assert_eq!(
                    host.receive(&core, &answer(&request["id"], result)),
                    Taker::Core
                );
            }
            None => {}
        }
        assert_eq!(header.await.unwrap(), Ok(expected.clone()));
        let elapsed = start.elapsed();
        if expected == S1 {
            assert_eq!(elapsed, DEADLINE);
        } else {
            assert!(elapsed < DEADLINE, "{elapsed:?}");
        }
        assert_eq!(core.pending_count(), 0);
    }
}

#[tokio::test(start_paused = true)]
async fn no_header_says_why() {
    let core = core();
    assert_eq!(attest(&core).await.unwrap(), Err(NoHeader::NotSubscribed));

    let mut host = HostConnection::open(&core, 8, false);
    assert_eq!(attest(&core).await.unwrap(), Err(NoHeader::NotOptedIn));
    assert!(host.wire.try_recv().is_err(), "the app is never asked");

    // Opened and subscribed, but `initialize` not reported yet.
    let (queue, _wire) = mpsc::channel(8);
    let fresh = core.open(queue);
    assert!(core.subscribe(fresh.id(), "other"));
    let other = core.attestation_header(&AttestationContext::new("other"));
    assert_eq!(other.await.unwrap_err(), NoHeader::NotOptedIn);

    drop(host.core.take());
    assert_eq!(attest(&core).await.unwrap(), Err(NoHeader::NotSubscribed));
    assert_eq!(core.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_close_while_pending_gives_status_3_at_once() {
    let start = Instant::now();
    let (core, mut host, header, request) = asked().await;
    let closed = host.id();
    drop(host.core.take());
    assert_eq!(header.await.unwrap(), Ok(S3.to_vec()));
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(core.pending_count(), 0);
    assert_eq!(core.connection_count(), 0);
    // A late answer on the closed connection is still recognised as the
    // core's, and dropped.
    let late = serde_json::to_vec(&answer(&request["id"], json!({ "token": "v1.late" }))).unwrap();
    assert!(core.handle_message(closed, &late));
}

#[tokio::test(start_paused = true)]
async fn a_full_or_closed_sink_gives_status_3_at_once() {
    let core = core();
    let mut full = HostConnection::open(&core, 1, true);
    let first = attest(&core);
    settle().await;
    // The queue of one holds the first request; nobody reads it.
    let second = attest(&core);
    assert_eq!(second.await.unwrap(), Ok(S3.to_vec()));
    assert_eq!(first.await.unwrap(), Ok(S1.to_vec()));
    let _ = full.next_core_request();

    let closed_core = self::core();
    let (queue, wire) = mpsc::channel(8);
    let connection = closed_core.open(queue);
    closed_core.initialized(
        connection.id(),
        &ClientCapabilities {
            request_attestation: true,
        },
    );
    closed_core.subscribe(connection.id(), THREAD);
    drop(wire);
    let start = Instant::now();
    assert_eq!(attest(&closed_core).await.unwrap(), Ok(S3.to_vec()));
    assert_eq!(start.elapsed(), Duration::ZERO);

    // A closure sink refusing everything.
    let refusing = self::core();
    let connection2 = refusing.open(|_| Err(SinkError::Full));
    refusing.initialized(
        connection2.id(),
        &ClientCapabilities {
            request_attestation: true,
        },
    );
    refusing.subscribe(connection2.id(), THREAD);
    assert_eq!(attest(&refusing).await.unwrap(), Ok(S3.to_vec()));

    for core in [&core, &closed_core, &refusing] {
        assert_eq!(core.pending_count(), 0);
    }
}

#[tokio::test(start_paused = true)]
async fn an_answer_on_another_connection_is_ignored() {
    let core = core();
    let mut asked = HostConnection::open(&core, 8, true);
    let mut other = HostConnection::open(&core, 8, true);
    assert!(core.unsubscribe(other.id(), THREAD));
    let header = attest(&core);
    settle().await;
    let request = asked.next_core_request();
    let wrong = answer(&request["id"], json!({ "token": "v1.wrong-connection" }));
    // Still the core's id, so the host does not get it either; it is dropped.
    assert_eq!(other.receive(&core, &wrong), Taker::Core);
    assert_eq!(core.pending_count(), 1);
    let right = answer(&request["id"], json!({ "token": "v1.right" }));
    assert_eq!(asked.receive(&core, &right), Taker::Core);
    assert_eq!(header.await.unwrap(), Ok(s0("v1.right")));
    assert_eq!(core.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn late_and_duplicate_answers_are_dropped() {
    let (core, mut host, header, request) = asked().await;
    let first = answer(&request["id"], json!({ "token": "v1.first" }));
    assert_eq!(host.receive(&core, &first), Taker::Core);
    let duplicate = answer(&request["id"], json!({ "token": "v1.second" }));
    assert_eq!(host.receive(&core, &duplicate), Taker::Core);
    assert_eq!(header.await.unwrap(), Ok(s0("v1.first")));

    let timed_out = attest(&core);
    settle().await;
    let request = host.next_core_request();
    assert_eq!(timed_out.await.unwrap(), Ok(S1.to_vec()));
    let late = answer(&request["id"], json!({ "token": "v1.late" }));
    assert_eq!(host.receive(&core, &late), Taker::Core);
    assert_eq!(core.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_dropped_caller_leaves_nothing_pending() {
    let (core, mut host, header, request) = asked().await;
    assert_eq!(core.pending_count(), 1);
    header.abort();
    assert!(header.await.unwrap_err().is_cancelled());
    assert_eq!(core.pending_count(), 0);
    let late = answer(&request["id"], json!({ "token": "v1.nobody" }));
    assert_eq!(host.receive(&core, &late), Taker::Core);
}

/// The host counts its ids from 0 while the core counts its own from 1: the
/// numbers overlap, the ids never do. An answer goes to whoever issued its
/// id, even when the client mixes the payloads up.
#[tokio::test(start_paused = true)]
async fn crossed_ids_with_an_overlapping_host_counter() {
    let core = core();
    let mut host = HostConnection::open(&core, 8, true);
    let (_zero, _) = host.host_request();
    let (host_id, host_answer) = host.host_request();
    let header = attest(&core);
    settle().await;
    let request = host.next_core_request();
    let core_id = request["id"].clone();
    assert_eq!(core_id, json!("attestwire:1"));
    assert_eq!(host_id, 1, "the same number on both sides");

    // The client answers our request with the host's id: the host takes it
    // (its id), the core's request stays pending.
    let to_host = answer(&json!(host_id), json!({ "token": "v1.meant-for-the-core" }));
    assert_eq!(host.receive(&core, &to_host), Taker::Host);
    assert_eq!(core.pending_count(), 1);
    assert_eq!(
        host_answer.await.unwrap()["result"]["token"],
        "v1.meant-for-the-core"
    );

    // The reverse: the host's next request answered with the core's id.
    let (_next, mut next_answer) = host.host_request();
    let to_core = answer(&core_id, json!({ "decision": "approved" }));
    assert_eq!(host.receive(&core, &to_core), Taker::Core);
    assert!(next_answer.try_recv().is_err(), "the host never sees it");
    // The core read it as its own answer: not `{ token }`, so status 4.
    assert_eq!(header.await.unwrap(), Ok(S4.to_vec()));
    assert_eq!(core.pending_count(), 0);
    assert_eq!(
        host.pending.len(),
        2,
        "ids 0 and 2 still wait in the host's table"
    );
}

/// A host that parsed the message itself hands over the id and the result
/// or error; `false` leaves the message with the host.
#[tokio::test(start_paused = true)]
async fn parsed_results_and_errors_are_routed_by_id() {
    let core = core();
    let mut host = HostConnection::open(&core, 8, true);
    let id = host.id();
    let header = attest(&core);
    settle().await;
    let request = host.next_core_request();
    let core_id: RequestId = serde_json::from_value(request["id"].clone()).unwrap();
    assert!(core.is_own_id(&core_id));
    assert!(!core.is_own_id(&RequestId::Integer(1)));
    assert!(!core.handle_result(id, &RequestId::Integer(1), &json!({ "token": "v1.x" })));
    assert!(core.handle_result(id, &core_id, &json!({ "token": "v1.parsed" })));
    assert_eq!(header.await.unwrap(), Ok(s0("v1.parsed")));

    let header = attest(&core);
    settle().await;
    let request = host.next_core_request();
    let core_id: RequestId = serde_json::from_value(request["id"].clone()).unwrap();
    let rejected = JsonRpcErrorObject::new(attestwire_protocol::ErrorCode(-32001), "no");
    assert!(!core.handle_error(id, &RequestId::String("host-1".into()), &rejected));
    assert!(core.handle_error(id, &core_id, &rejected));
    assert_eq!(header.await.unwrap(), Ok(S2.to_vec()));
    assert_eq!(core.pending_count(), 0);
}

/// A line with our id that is not a valid response ends the request now as
/// malformed; lines that are not responses stay the host's.
#[tokio::test(start_paused = true)]
async fn the_core_claims_only_response_shaped_messages_with_its_ids() {
    let core = core();
    let mut host = HostConnection::open(&core, 8, true);
    let id = host.id();
    for line in [
        br#"{"jsonrpc":"2.0","id":"attestwire:1","method":"thread/start","params":{}}"#.as_slice(),
        br#"{"jsonrpc":"2.0","method":"initialized"}"#,
        br#"{"jsonrpc":"2.0","id":0,"result":{}}"#,
        br#"not json"#,
        br#"[1,2]"#,
    ] {
        assert!(
            !core.handle_message(id, line),
            "{}",
            String::from_utf8_lossy(line)
        );
    }
    let header = attest(&core);
    settle().await;
    let request = host.next_core_request();
    let invalid = json!({ "jsonrpc": "1.0", "id": request["id"], "result": { "token": "v1.x" } });
    assert_eq!(host.receive(&core, &invalid), Taker::Core);
    assert_eq!(header.await.unwrap(), Ok(S4.to_vec()));
    assert_eq!(core.pending_count(), 0);
}

/// The capability is a serde type a host flattens into its own
/// `initialize` capabilities: members it does not know stay the host's.
#[test]
fn the_attestation_capability_flattens_into_a_hosts_capabilities() {
    #[derive(Debug, PartialEq, Serialize, Deserialize)]
    #[serde(rename_all = "camelCase")]
    struct HostCapabilities {
        #[serde(default)]
        experimental_api: bool,
        #[serde(flatten)]
        attestation: ClientCapabilities,
    }
    let read: HostCapabilities =
        serde_json::from_value(json!({ "experimentalApi": true, "requestAttestation": true }))
            .unwrap();
    assert!(read.experimental_api);
    assert!(read.attestation.request_attestation);
    let neither: HostCapabilities = serde_json::from_value(json!({})).unwrap();
    assert!(!neither.attestation.request_attestation);
    assert_eq!(
        serde_json::to_value(&read).unwrap(),
        json!({ "experimentalApi": true, "requestAttestation": true })
    );
}

/// A host whose own string ids have the core's default form picks another
/// prefix.
#[tokio::test(start_paused = true)]
async fn a_host_can_give_the_core_another_id_prefix() {
    let core = Core::new(CoreConfig::default().with_id_prefix("aw-core/"));
    let mut host = HostConnection::open(&core, 8, true);
    let header = attest(&core);
    settle().await;
    let request = host.next_core_request();
    assert_eq!(request["id"], "aw-core/1");
    let not_ours = answer(&json!("attestwire:1"), json!({ "token": "v1.x" }));
    assert_eq!(host.receive(&core, &not_ours), Taker::Nobody);
    assert_eq!(
        host.receive(&core, &answer(&request["id"], json!({ "token": "v1.y" }))),
        Taker::Core
    );
    assert_eq!(header.await.unwrap(), Ok(s0("v1.y")));
    assert_eq!(core.pending_count(), 0);
}

/// The same calls through the connection's guard, a message the host has
/// already parsed into an object, and the envelope itself instead of its
/// header value.
#[tokio::test(start_paused = true)]
async fn a_host_drives_the_core_through_the_connection_guard() {
    let core = Core::new(CoreConfig::default().with_attestation_deadline(Duration::from_secs(2)));
    let (queue, mut wire) = mpsc::channel(8);
    let connection = core.open(queue);
    assert!(connection.initialized(&ClientCapabilities {
        request_attestation: true
    }));
    assert!(connection.subscribe("thread-2"));
    let context = AttestationContext::new("thread-2");

    let start = Instant::now();
    let envelope = tokio::spawn(core.attestation_envelope(&context));
    settle().await;
    let request: Value = serde_json::from_str(wire.try_recv().unwrap().as_str()).unwrap();
    let parsed = json!({ "id": request["id"], "result": { "token": "v1.guard" } });
    assert!(connection.handle_object(parsed.as_object().unwrap()));
    let header = envelope.await.unwrap().unwrap();
    assert_eq!(header.to_header_value(), r#"{"v":1,"s":0,"t":"v1.guard"}"#);

    // Both `result` and `error`, or neither: with our id, the request ends
    // now as malformed.
    let envelope = tokio::spawn(core.attestation_envelope(&context));
    settle().await;
    let request: Value = serde_json::from_str(wire.try_recv().unwrap().as_str()).unwrap();
    let invalid = json!({ "id": request["id"], "error": "not an error object" });
    assert!(connection.handle_message(invalid.to_string().as_bytes()));
    assert_eq!(
        envelope.await.unwrap().unwrap().to_header_value(),
        r#"{"v":1,"s":4}"#
    );
    assert_eq!(start.elapsed(), Duration::ZERO);

    let envelope = tokio::spawn(core.attestation_envelope(&context));
    settle().await;
    assert_eq!(
        envelope.await.unwrap().unwrap().to_header_value(),
        r#"{"v":1,"s":1}"#
    );
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(2),
        "the configured deadline"
    );

    assert!(connection.unsubscribe("thread-2"));
    assert_eq!(
        core.attestation_envelope(&context).await,
        Err(NoHeader::NotSubscribed)
    );
    connection.close();
    assert_eq!(core.connection_count(), 0);
    assert_eq!(core.pending_count(), 0);
}

/// A message with both `result` and `error` is no response (DESIGN.md,
/// "Whole messages"): with the core's id it ends the request as malformed
/// (status 4) at once, whichever member comes first and whichever way the
/// host hands it over, even when the `result` alone would be a good token.
#[tokio::test(start_paused = true)]
async fn result_and_error_together_are_malformed_at_once() {
    for (order, parsed) in [(0, false), (1, false), (0, true)] {
        let start = Instant::now();
        let (core, host, header, request) = asked().await;
        let id = serde_json::to_string(&request["id"]).unwrap();
        let line = if order == 0 {
            format!(
                r#"{{"jsonrpc":"2.0","id":{id},"result":{{"token":"v1.ok"}},"error":{{"code":1,"message":"x"}}}}"#
            )
        } else {
            format!(
                r#"{{"jsonrpc":"2.0","error":{{"code":1,"message":"x"}},"id":{id},"result":{{"token":"v1.ok"}}}}"#
            )
        };
        let claimed = if parsed {
            let Value::Object(map) = serde_json::from_str::<Value>(&line).unwrap() else {
                unreachable!()
            };
            core.handle_object(host.id(), &map)
        } else {
            core.handle_message(host.id(), line.as_bytes())
        };
        assert!(claimed, "the core's id makes it the core's: {line}");
        assert_eq!(header.await.unwrap(), Ok(S4.to_vec()), "{line}");
        assert!(start.elapsed() < DEADLINE);
        assert_eq!(core.pending_count(), 0);
    }
}
