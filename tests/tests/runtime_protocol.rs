//! "Unknown methods get -32601, bad params -32602, unparseable lines -32700
//! (id `null`), and the connection stays open for all of these." Also the
//! handshake order, and the frame limit that closes one connection only.

mod runtime_support;

use attestwire_runtime::ServeError;
use runtime_support::*;
use serde_json::json;

const INITIALIZE: &str = r#"{"jsonrpc":"2.0","id":1,"method":"initialize","params":{"clientInfo":{"name":"app","version":"1"}}}"#;
/// What our `initialize` answers, with the protocol version it speaks.
fn initialize_result() -> String {
    format!(
        r#"{{"jsonrpc":"2.0","id":1,"result":{{"serverInfo":{{"name":"attestwire-test-server","version":"0.0.1"}},"protocolVersion":"{}"}}}}"#,
        attestwire_protocol::PROTOCOL_VERSION
    )
}

#[tokio::test(start_paused = true)]
async fn garbage_line_gets_parse_error_with_id_null_and_the_connection_stays_open() {
    let server = server();
    let mut app = connect_raw(&server);

    app.send_line("this is not json {").await;
    assert_eq!(
        app.recv_line().await.unwrap(),
        r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: the line is not valid JSON"}}"#
    );
    app.send_line(INITIALIZE).await;
    assert_eq!(app.recv_line().await.unwrap(), initialize_result());
}

#[tokio::test(start_paused = true)]
async fn invalid_utf8_line_gets_parse_error() {
    let server = server();
    let mut app = connect_raw(&server);

    app.send_raw(b"{\"id\":1,\"method\":\"\xFF\"}\n").await;
    let answer = app.recv().await;
    assert_eq!(answer["id"], serde_json::Value::Null);
    assert_eq!(answer["error"]["code"], -32700);
    app.send_line(INITIALIZE).await;
    assert_eq!(app.recv_line().await.unwrap(), initialize_result());
}

#[tokio::test(start_paused = true)]
async fn json_that_is_not_an_object_gets_invalid_request_with_id_null() {
    let server = server();
    let mut app = connect_raw(&server);

    app.send_line("[1,2,3]").await;
    assert_eq!(
        app.recv_line().await.unwrap(),
        r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: expected a JSON object"}}"#
    );
}

#[tokio::test(start_paused = true)]
async fn wrong_jsonrpc_version_gets_invalid_request_with_the_id() {
    let server = server();
    let mut app = connect_raw(&server);

    app.send_line(r#"{"jsonrpc":"1.0","id":3,"method":"initialize","params":{"clientInfo":{"name":"app","version":"1"}}}"#)
        .await;
    let answer = app.recv().await;
    assert_eq!(answer["id"], 3);
    assert_eq!(answer["error"]["code"], -32600);
    app.send_line(INITIALIZE).await;
    assert_eq!(app.recv_line().await.unwrap(), initialize_result());
}

#[tokio::test(start_paused = true)]
async fn messages_without_jsonrpc_are_accepted_and_answers_carry_it() {
    let server = server();
    let mut app = connect_raw(&server);

    app.send_line(r#"{"id":1,"method":"initialize","params":{"clientInfo":{"name":"codex-style","version":"1"}}}"#)
        .await;
    assert_eq!(app.recv_line().await.unwrap(), initialize_result());
}

#[tokio::test(start_paused = true)]
async fn request_before_initialize_gets_not_initialized() {
    let server = server();
    let mut app = connect_raw(&server);

    app.send_line(r#"{"jsonrpc":"2.0","id":"early","method":"thread/start","params":{}}"#)
        .await;
    assert_eq!(
        app.recv_line().await.unwrap(),
        r#"{"jsonrpc":"2.0","id":"early","error":{"code":-32002,"message":"not initialized: send initialize first"}}"#
    );
    app.send_line(INITIALIZE).await;
    assert_eq!(app.recv_line().await.unwrap(), initialize_result());
}

#[tokio::test(start_paused = true)]
async fn notification_before_initialize_gets_no_answer() {
    let server = server();
    let mut app = connect_raw(&server);

    app.send_line(r#"{"jsonrpc":"2.0","method":"initialized"}"#)
        .await;
    app.send_line(r#"{"jsonrpc":"2.0","method":"thread/changed"}"#)
        .await;
    app.send_line(INITIALIZE).await;
    assert_eq!(app.recv_line().await.unwrap(), initialize_result());
}

#[tokio::test(start_paused = true)]
async fn blank_lines_are_skipped() {
    let server = server();
    let mut app = connect_raw(&server);

    app.send_line("").await;
    app.send_line("  \r").await;
    app.send_line(INITIALIZE).await;
    assert_eq!(app.recv_line().await.unwrap(), initialize_result());
}

#[tokio::test(start_paused = true)]
async fn second_initialize_gets_invalid_request() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&[])).await;

    app.send_line(&INITIALIZE.replace(r#""id":1"#, r#""id":7"#))
        .await;
    assert_eq!(
        app.recv_line().await.unwrap(),
        r#"{"jsonrpc":"2.0","id":7,"error":{"code":-32600,"message":"invalid request: initialize was already received on this connection"}}"#
    );
    app.sync().await;
}

#[tokio::test(start_paused = true)]
async fn unknown_method_gets_method_not_found() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&[])).await;

    app.send_line(r#"{"jsonrpc":"2.0","id":"x","method":"thread/start"}"#)
        .await;
    assert_eq!(
        app.recv_line().await.unwrap(),
        r#"{"jsonrpc":"2.0","id":"x","error":{"code":-32601,"message":"method not found: thread/start"}}"#
    );
    app.sync().await;
}

#[tokio::test(start_paused = true)]
async fn bad_params_get_invalid_params_and_initialize_can_be_retried() {
    let cases = [
        ("clientInfo not an object", json!({ "clientInfo": 5 })),
        ("clientInfo missing", json!({})),
        (
            "capabilities null",
            json!({ "clientInfo": { "name": "a", "version": "1" }, "capabilities": null }),
        ),
        ("params missing", json!(null)),
    ];
    let server = server();
    let mut app = connect_raw(&server);
    for (case, params) in cases {
        let mut request = json!({ "jsonrpc": "2.0", "id": 9, "method": "initialize" });
        if !params.is_null() {
            request["params"] = params;
        }
        app.send(request).await;
        let answer = app.recv().await;
        assert_eq!(answer["id"], 9, "{case}");
        assert_eq!(answer["error"]["code"], -32602, "{case}: {answer}");
    }
    app.send_line(INITIALIZE).await;
    assert_eq!(app.recv_line().await.unwrap(), initialize_result());
}

#[tokio::test(start_paused = true)]
async fn line_exactly_at_the_frame_limit_is_accepted() {
    let server = server_with_frame_limit(INITIALIZE.len());
    let mut app = connect_raw(&server);

    app.send_line(INITIALIZE).await;
    assert_eq!(app.recv_line().await.unwrap(), initialize_result());
}

#[tokio::test(start_paused = true)]
async fn oversize_line_closes_that_connection_only_and_resolves_its_pending_as_status_3() {
    const LIMIT: usize = 256;
    let server = server_with_frame_limit(LIMIT);
    let mut big = connect_client(&server, opted_in(&["thread-big"])).await;
    let mut other = connect_client(&server, opted_in(&["thread-other"])).await;

    let pending = attest(&server, "thread-big");
    big.next_request().await;
    // No newline: the server must not wait for the end of the line.
    big.send_raw(&[b'x'; 4 * LIMIT]).await;

    assert_eq!(
        big.recv_line().await.unwrap(),
        r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32600,"message":"invalid request: the line exceeds the frame limit of 256 bytes; closing the connection"}}"#
    );
    big.recv_eof().await;
    assert!(matches!(
        big.served().await,
        Err(ServeError::FrameTooLong { limit: LIMIT })
    ));
    assert_eq!(bytes(pending.await.unwrap()), Some(S3.to_vec()));

    let header = attest(&server, "thread-other");
    let id = other.next_request().await;
    other.respond_token(&id, "v1.still-working").await;
    assert_eq!(bytes(header.await.unwrap()), Some(s0("v1.still-working")));
    assert_eq!(server.connection_count(), 1);
    assert_eq!(server.pending_count(), 0);
}
