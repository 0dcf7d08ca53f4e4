//! "The built-in server serves the host's methods": handlers registered
//! through `Method` (a downstream type) or raw JSON, run off the reader
//! under a per-connection bound; errors and panics become JSON-RPC errors;
//! the host's own server → client requests, its view of the handshake, and
//! ending a connection.

mod runtime_support;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use attestwire_protocol::{ErrorCode, JsonRpcErrorObject, Method, Notification};
use attestwire_runtime::{RequestError, Server, ServerConfig};
use runtime_support::*;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use tokio::time::Instant;

/// `thread/start`, a method of the host's protocol, declared outside our
/// table.
enum ThreadStart {}

#[derive(Debug, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ThreadStartParams {
    thread_id: String,
}

impl Method for ThreadStart {
    const METHOD: &'static str = "thread/start";
    type Params = ThreadStartParams;
    type Response = ThreadStartParams;
}

/// `item/approve`, the host's own server → client request.
enum ItemApprove {}

#[derive(Debug, PartialEq, Serialize, Deserialize)]
struct Decision {
    decision: String,
}

impl Method for ItemApprove {
    const METHOD: &'static str = "item/approve";
    type Params = ThreadStartParams;
    type Response = Decision;
}

/// `turn/interrupt`, a notification of the host's protocol.
enum TurnInterrupt {}

impl Notification for TurnInterrupt {
    const METHOD: &'static str = "turn/interrupt";
    type Params = ThreadStartParams;
}

fn config() -> ServerConfig {
    ServerConfig::new(server_info())
}

/// A server whose `thread/start` subscribes the connection to the thread.
fn thread_server() -> Server {
    Server::builder(config())
        .handle::<ThreadStart, _, _>(|context, params: ThreadStartParams| async move {
            context
                .server()
                .subscribe(context.connection(), params.thread_id.clone());
            Ok(params)
        })
        .build()
}

fn request(id: &str, method: &str, params: Value) -> Value {
    json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params })
}

#[tokio::test(start_paused = true)]
async fn a_typed_handler_answers_and_can_subscribe_its_connection() {
    let server = thread_server();
    let mut app = connect_client(&server, opted_in(&[])).await;
    app.send(request(
        "t1",
        "thread/start",
        json!({ "threadId": "thread-9" }),
    ))
    .await;
    assert_eq!(
        app.recv().await,
        json!({ "jsonrpc": "2.0", "id": "t1", "result": { "threadId": "thread-9" } })
    );
    let header = attest(&server, "thread-9");
    let id = app.next_request().await;
    app.respond_token(&id, "v1.handled").await;
    assert_eq!(bytes(header.await.unwrap()), Some(s0("v1.handled")));

    // Bad params never reach the handler.
    app.send(request("t2", "thread/start", json!({ "thread": 1 })))
        .await;
    let answer = app.recv().await;
    assert_eq!(answer["id"], "t2");
    assert_eq!(answer["error"]["code"], -32602);
    assert!(
        answer["error"]["message"]
            .as_str()
            .unwrap()
            .starts_with("invalid params for thread/start"),
        "{answer}"
    );
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_raw_handler_gets_the_params_as_sent_and_its_error_goes_out_as_named() {
    let server = Server::builder(config())
        .handle_raw("custom/echo", |_, params| async move {
            Ok(json!({ "params": params }))
        })
        .handle_raw("custom/refuse", |_, _| async move {
            let mut error = JsonRpcErrorObject::new(ErrorCode(-32010), "refused by the host");
            error.data = Some(json!({ "retry": false }));
            Err(error)
        })
        .build();
    let mut app = connect_client(&server, opted_in(&[])).await;
    app.send(request("e1", "custom/echo", json!([1, "two"])))
        .await;
    assert_eq!(
        app.recv().await,
        json!({ "jsonrpc": "2.0", "id": "e1", "result": { "params": [1, "two"] } })
    );
    app.send(json!({ "jsonrpc": "2.0", "id": "e2", "method": "custom/echo" }))
        .await;
    assert_eq!(app.recv().await["result"], json!({ "params": null }));
    app.send(request("r1", "custom/refuse", json!({}))).await;
    assert_eq!(
        app.recv().await,
        json!({
            "jsonrpc": "2.0",
            "id": "r1",
            "error": { "code": -32010, "message": "refused by the host", "data": { "retry": false } },
        })
    );
    // Nobody registered it: still -32601 (the barrier asserts it).
    app.sync().await;
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_panicking_handler_gives_internal_error_and_the_connection_lives_on() {
    let server = Server::builder(config())
        .handle_raw("custom/panic", |_, _| async move {
            if true {
                panic!("handler bug");
            }
            Ok(Value::Null)
        })
        .handle_raw("custom/panic-at-once", |_, _| -> std::future::Ready<_> {
            panic!("handler bug before any future")
        })
        .build();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;
    for (id, method) in [("p1", "custom/panic"), ("p2", "custom/panic-at-once")] {
        app.send(request(id, method, json!({}))).await;
        let answer = app.recv().await;
        assert_eq!(answer["id"], id);
        assert_eq!(answer["error"]["code"], -32603, "{answer}");
    }
    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    app.respond_token(&id, "v1.alive").await;
    assert_eq!(bytes(header.await.unwrap()), Some(s0("v1.alive")));
    assert_eq!(server.connection_count(), 1);
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_slow_handler_does_not_delay_an_attestation_answer() {
    let server = Server::builder(config())
        .handle_raw("custom/slow", |_, _| async move {
            tokio::time::sleep(Duration::from_secs(10)).await;
            Ok(json!("slow done"))
        })
        .build();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;
    let start = Instant::now();
    app.send(request("slow", "custom/slow", json!({}))).await;
    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    app.respond_token(&id, "v1.not-delayed").await;
    assert_eq!(bytes(header.await.unwrap()), Some(s0("v1.not-delayed")));
    assert_eq!(
        start.elapsed(),
        Duration::ZERO,
        "answered while the handler sleeps"
    );
    let slow = app.recv().await;
    assert_eq!(slow["result"], "slow done");
    assert_eq!(start.elapsed(), Duration::from_secs(10));
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn handlers_in_flight_stay_within_the_bound() {
    const BOUND: usize = 3;
    const REQUESTS: usize = 20;
    let running = Arc::new(AtomicUsize::new(0));
    let most = Arc::new(AtomicUsize::new(0));
    let (running2, most2) = (Arc::clone(&running), Arc::clone(&most));
    let mut config = config();
    config.handlers_in_flight = BOUND;
    let server = Server::builder(config)
        .handle_raw("custom/work", move |_, _| {
            let (running, most) = (Arc::clone(&running2), Arc::clone(&most2));
            async move {
                let now = running.fetch_add(1, Ordering::SeqCst) + 1;
                most.fetch_max(now, Ordering::SeqCst);
                tokio::time::sleep(Duration::from_secs(1)).await;
                running.fetch_sub(1, Ordering::SeqCst);
                Ok(json!("done"))
            }
        })
        .build();
    let mut app = connect_client(&server, opted_in(&[])).await;
    let start = Instant::now();
    for i in 0..REQUESTS {
        app.send(request(&format!("w{i}"), "custom/work", json!({})))
            .await;
    }
    for _ in 0..REQUESTS {
        assert_eq!(app.recv().await["result"], "done");
    }
    assert_eq!(most.load(Ordering::SeqCst), BOUND);
    assert_eq!(running.load(Ordering::SeqCst), 0);
    // 20 one-second handlers, three at a time: seven rounds.
    assert_eq!(
        start.elapsed(),
        Duration::from_secs(REQUESTS.div_ceil(BOUND) as u64)
    );
}

#[tokio::test(start_paused = true)]
async fn notifications_reach_typed_and_raw_handlers() {
    let seen = Arc::new(Mutex::new(Vec::new()));
    let (typed, raw) = (Arc::clone(&seen), Arc::clone(&seen));
    let server = Server::builder(config())
        .on_notification::<TurnInterrupt, _, _>(move |_, params: ThreadStartParams| {
            let seen = Arc::clone(&typed);
            async move {
                seen.lock()
                    .unwrap()
                    .push(format!("typed {}", params.thread_id))
            }
        })
        .on_notification_raw("custom/ping", move |_, params| {
            let seen = Arc::clone(&raw);
            async move { seen.lock().unwrap().push(format!("raw {params:?}")) }
        })
        .build();
    let mut app = connect_client(&server, opted_in(&[])).await;
    app.send(json!({ "method": "turn/interrupt", "params": { "threadId": "t" } }))
        .await;
    app.send(json!({ "method": "turn/interrupt", "params": { "bad": 1 } }))
        .await;
    app.send(json!({ "method": "custom/ping" })).await;
    app.sync().await;
    tokio::time::sleep(Duration::from_millis(1)).await;
    assert_eq!(*seen.lock().unwrap(), ["typed t", "raw None"]);
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_host_sends_its_own_requests_with_the_same_deadline_and_matching() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&[])).await;
    let params = || ThreadStartParams {
        thread_id: "thread-1".into(),
    };
    let deadline = Duration::from_secs(5);
    let approve = tokio::spawn(server.request::<ItemApprove>(app.id, params(), deadline));
    let asked = app.recv().await;
    assert_eq!(asked["method"], "item/approve");
    assert_eq!(asked["params"], json!({ "threadId": "thread-1" }));
    app.respond(&asked["id"], json!({ "decision": "approved" }))
        .await;
    assert_eq!(
        approve.await.unwrap().unwrap(),
        Decision {
            decision: "approved".into()
        }
    );

    let start = Instant::now();
    let unanswered = tokio::spawn(server.request::<ItemApprove>(app.id, params(), deadline));
    app.recv().await;
    assert!(matches!(
        unanswered.await.unwrap(),
        Err(RequestError::Timeout { .. })
    ));
    assert_eq!(start.elapsed(), deadline);
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn the_host_reads_the_handshake_is_told_of_it_and_can_end_a_connection() {
    let told = Arc::new(Mutex::new(Vec::new()));
    let hook = Arc::clone(&told);
    let server = Server::builder(config())
        .on_handshake(move |_, info| hook.lock().unwrap().push(info.clone()))
        .build();
    let mut app = connect_raw(&server);
    assert_eq!(server.connection_info(app.id), None, "before initialize");
    app.send(json!({
        "id": 0,
        "method": "initialize",
        "params": {
            "clientInfo": { "name": "desk", "version": "2.0", "title": "Desk" },
            "capabilities": { "requestAttestation": true, "experimentalApi": true },
        },
    }))
    .await;
    app.recv().await;
    let info = server.connection_info(app.id).unwrap();
    assert_eq!(info.client_info.name, "desk");
    assert_eq!(info.client_info.title.as_deref(), Some("Desk"));
    assert_eq!(info.capabilities["experimentalApi"], json!(true));
    assert!(info.request_attestation);
    assert!(!info.initialized_notification);
    assert_eq!(*told.lock().unwrap(), [info]);
    app.send(json!({ "method": "initialized" })).await;
    app.sync().await;
    assert!(
        server
            .connection_info(app.id)
            .unwrap()
            .initialized_notification
    );

    assert!(server.subscribe(app.id, "thread-1"));
    let header = attest(&server, "thread-1");
    app.next_request().await;
    let start = Instant::now();
    assert!(server.disconnect(app.id));
    assert!(!server.disconnect(app.id), "already ending");
    assert_eq!(bytes(header.await.unwrap()), Some(S3.to_vec()));
    assert_eq!(start.elapsed(), Duration::ZERO);
    app.recv_eof().await;
    assert!(app.served().await.is_ok());
    assert_eq!(server.connection_info(app.id), None);
    assert_eq!(server.connection_count(), 0);
    assert_eq!(server.pending_count(), 0);
}
