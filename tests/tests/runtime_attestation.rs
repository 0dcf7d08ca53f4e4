//! "The header. Value: compact JSON … These five values are byte-exact test
//! vectors. When no connection for the thread has opted in, there is no
//! header at all." One test per outcome of the attestation flow, each
//! checking the exact header bytes and that no pending entry is left.

mod runtime_support;

use std::time::Duration;

use attestwire_runtime::ServeError;
use runtime_support::*;
use serde_json::json;
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn app_answers_with_a_valid_token_header_is_status_0_with_the_token() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;

    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    app.respond_token(&id, "v1.opaque-client-payload").await;

    assert_eq!(
        bytes(header.await.unwrap()),
        Some(br#"{"v":1,"s":0,"t":"v1.opaque-client-payload"}"#.to_vec())
    );
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn no_answer_before_the_deadline_is_status_1_and_the_late_answer_is_dropped() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;
    let start = Instant::now();

    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    assert_eq!(bytes(header.await.unwrap()), Some(S1.to_vec()));
    assert_eq!(start.elapsed(), DEADLINE);
    assert_eq!(server.pending_count(), 0);

    app.respond_token(&id, "v1.too-late").await;
    app.sync().await;
    assert_eq!(server.pending_count(), 0);
    assert_eq!(
        server.connection_count(),
        1,
        "a late answer does not close anything"
    );
}

#[tokio::test(start_paused = true)]
async fn app_answers_with_a_json_rpc_error_is_status_2() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;

    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    app.respond_error(&id, -32000, "attestation unavailable")
        .await;

    assert_eq!(bytes(header.await.unwrap()), Some(S2.to_vec()));
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn connection_closed_while_pending_is_status_3_at_once_not_at_the_deadline() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;

    let header = attest(&server, "thread-1");
    app.next_request().await;
    let start = Instant::now();
    app.close().await.unwrap();

    assert_eq!(bytes(header.await.unwrap()), Some(S3.to_vec()));
    assert!(
        start.elapsed() < DEADLINE,
        "resolved after {:?}",
        start.elapsed()
    );
    assert_eq!(server.pending_count(), 0);
    assert_eq!(server.connection_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn write_side_already_closed_is_status_3_at_once() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;
    app.close_read_side();
    let start = Instant::now();

    let header = attest(&server, "thread-1");

    assert_eq!(bytes(header.await.unwrap()), Some(S3.to_vec()));
    assert!(
        start.elapsed() < DEADLINE,
        "resolved after {:?}",
        start.elapsed()
    );
    assert!(matches!(app.served().await, Err(ServeError::Io(_))));
    assert_eq!(server.pending_count(), 0);
    assert_eq!(server.connection_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn result_that_is_not_a_token_object_is_status_4() {
    let cases = [
        ("empty object", json!({})),
        ("misspelled key", json!({ "tok": "v1.abc" })),
        ("token not a string", json!({ "token": 5 })),
        ("token null", json!({ "token": null })),
        ("bare string", json!("v1.abc")),
        ("null", json!(null)),
    ];
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;
    for (case, result) in cases {
        let header = attest(&server, "thread-1");
        let id = app.next_request().await;
        app.respond(&id, result).await;
        assert_eq!(bytes(header.await.unwrap()), Some(S4.to_vec()), "{case}");
        assert_eq!(server.pending_count(), 0, "{case}");
    }
}

#[tokio::test(start_paused = true)]
async fn token_breaking_the_token_rule_is_status_4() {
    let cases = [
        ("empty", String::new()),
        ("8193 bytes", "a".repeat(8193)),
        ("contains a space", "v1.abc def".to_owned()),
        ("non-ASCII character", "v1.abcé".to_owned()),
        ("control character", "v1.abc\u{1}def".to_owned()),
        ("DEL", "v1.abc\u{7f}def".to_owned()),
    ];
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;
    for (case, token) in cases {
        let header = attest(&server, "thread-1");
        let id = app.next_request().await;
        app.respond_token(&id, &token).await;
        assert_eq!(bytes(header.await.unwrap()), Some(S4.to_vec()), "{case}");
        assert_eq!(server.pending_count(), 0, "{case}");
    }
}

#[tokio::test(start_paused = true)]
async fn token_of_exactly_8192_bytes_is_status_0() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;
    let token = "a".repeat(8192);

    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    app.respond_token(&id, &token).await;

    assert_eq!(bytes(header.await.unwrap()), Some(s0(&token)));
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn invalid_response_carrying_the_request_id_is_status_4_at_once() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;
    let start = Instant::now();

    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    app.send(json!({ "jsonrpc": "1.0", "id": id, "result": { "token": "v1.abc" } }))
        .await;

    assert_eq!(bytes(header.await.unwrap()), Some(S4.to_vec()));
    assert!(start.elapsed() < DEADLINE);
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn no_opted_in_connection_means_no_header_and_the_app_is_not_asked() {
    let server = server();
    let mut app = connect_client(
        &server,
        Opts {
            opt_in: false,
            threads: &["thread-1"],
        },
    )
    .await;

    assert_eq!(bytes(attest(&server, "thread-1").await.unwrap()), None);
    app.sync().await;
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn opted_in_but_not_subscribed_to_the_thread_means_no_header() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-2"])).await;

    assert_eq!(bytes(attest(&server, "thread-1").await.unwrap()), None);
    app.sync().await;
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn unsubscribed_connection_is_no_longer_asked() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;
    assert!(server.unsubscribe(app.id, "thread-1"));

    assert_eq!(bytes(attest(&server, "thread-1").await.unwrap()), None);
    app.sync().await;
}

#[tokio::test(start_paused = true)]
async fn connection_that_has_not_initialized_is_never_asked() {
    let server = server();
    let mut app = connect_raw(&server);
    assert!(server.subscribe(app.id, "thread-1"));

    assert_eq!(bytes(attest(&server, "thread-1").await.unwrap()), None);
    app.send_line(r#"{"id":1,"method":"test/sync"}"#).await;
    assert_eq!(app.recv().await["error"]["code"], -32002);
}

#[tokio::test(start_paused = true)]
async fn two_eligible_connections_both_are_asked_and_the_losers_late_answer_changes_nothing() {
    let server = server();
    let mut older = connect_client(&server, opted_in(&[])).await;
    let mut newer = connect_client(&server, opted_in(&[])).await;
    assert!(older.id < newer.id);
    server.subscribe(newer.id, "thread-1");
    server.subscribe(older.id, "thread-1");
    let start = Instant::now();

    // The older one is silent (a hung window); the newer one answers.
    let header = attest(&server, "thread-1");
    let older_id = older.next_request().await;
    let newer_id = newer.next_request().await;
    newer.respond_token(&newer_id, "v1.from-newer").await;
    assert_eq!(bytes(header.await.unwrap()), Some(s0("v1.from-newer")));
    assert!(start.elapsed() < DEADLINE);
    assert_eq!(server.pending_count(), 0);

    // The older one's late answer is dropped: no error goes back to it
    // (the sync answer is the next message), and it stays connected.
    older.respond_token(&older_id, "v1.too-late").await;
    older.sync().await;
    assert_eq!(server.pending_count(), 0);
    assert_eq!(server.connection_count(), 2);

    // Once the older one is gone, the newer one alone is asked.
    older.close().await.unwrap();
    let header = attest(&server, "thread-1");
    let id = newer.next_request().await;
    newer.respond_token(&id, "v1.again").await;
    assert_eq!(bytes(header.await.unwrap()), Some(s0("v1.again")));
    newer.sync().await;
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn with_a_startup_grace_the_first_call_waits_for_the_app_to_connect() {
    let server = server_with_startup_grace(Duration::from_millis(80));
    let start = Instant::now();
    // The first upstream call comes before the app's connection exists.
    let header = attest(&server, "thread-1");
    tokio::time::sleep(Duration::from_millis(30)).await;

    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;
    let id = app.next_request().await;
    assert!(start.elapsed() < DEADLINE);
    app.respond_token(&id, "v1.first-call").await;
    assert_eq!(bytes(header.await.unwrap()), Some(s0("v1.first-call")));
    assert_eq!(server.pending_count(), 0);

    // Past the grace with nobody there: no header, as without a grace.
    let start = Instant::now();
    assert_eq!(bytes(attest(&server, "thread-2").await.unwrap()), None);
    assert_eq!(start.elapsed(), Duration::from_millis(80));
    app.sync().await;
}
