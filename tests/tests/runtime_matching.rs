//! "A response is matched by (connection, id) and a response from any other
//! connection is ignored; a late or duplicate response is dropped and leaks
//! nothing." Also the typed `request::<M>` errors and the drop guard.

mod runtime_support;

use std::time::Duration;

use attestwire_protocol::{AttestationGenerate, AttestationGenerateParams, ErrorCode};
use attestwire_runtime::RequestError;
use runtime_support::*;
use tokio::time::Instant;

#[tokio::test(start_paused = true)]
async fn response_on_another_connection_with_the_same_id_is_ignored_and_the_right_answer_wins() {
    let server = server();
    let mut asked = connect_client(&server, opted_in(&["thread-1"])).await;
    let mut other = connect_client(&server, opted_in(&[])).await;

    let header = attest(&server, "thread-1");
    let id = asked.next_request().await;
    other
        .respond_token(&id, "v1.from-the-wrong-connection")
        .await;
    other.sync().await;
    assert_eq!(
        server.pending_count(),
        1,
        "the other connection resolved nothing"
    );

    asked
        .respond_token(&id, "v1.from-the-right-connection")
        .await;
    assert_eq!(
        bytes(header.await.unwrap()),
        Some(s0("v1.from-the-right-connection"))
    );
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn duplicate_answer_is_ignored_and_the_first_one_wins() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;

    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    app.respond_token(&id, "v1.first").await;
    app.respond_token(&id, "v1.second").await;
    app.sync().await;

    assert_eq!(bytes(header.await.unwrap()), Some(s0("v1.first")));
    assert_eq!(server.pending_count(), 0);
    assert_eq!(server.connection_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn the_number_of_our_id_in_another_form_does_not_match_it() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;

    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    let n = core_id_number(&id);
    for other in [
        serde_json::json!(n),
        serde_json::json!(n.to_string()),
        serde_json::json!(format!("attestwire:0{n}")),
        serde_json::json!(format!("ATTESTWIRE:{n}")),
    ] {
        app.respond_token(&other, "v1.other-form").await;
    }
    app.sync().await;
    assert_eq!(server.pending_count(), 1);

    app.respond_token(&id, "v1.exact-id").await;
    assert_eq!(bytes(header.await.unwrap()), Some(s0("v1.exact-id")));
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn caller_future_dropped_before_the_answer_removes_the_entry_and_the_answer_is_dropped() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;

    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    assert_eq!(server.pending_count(), 1);
    header.abort();
    assert!(header.await.unwrap_err().is_cancelled());
    assert_eq!(server.pending_count(), 0);

    app.respond_token(&id, "v1.nobody-waits").await;
    app.sync().await;
    assert_eq!(server.pending_count(), 0);
    assert_eq!(server.connection_count(), 1);
}

#[tokio::test(start_paused = true)]
async fn typed_request_returns_the_response_type() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&[])).await;

    let request = server.request::<AttestationGenerate>(
        app.id,
        AttestationGenerateParams {},
        Duration::from_secs(1),
    );
    let answer = tokio::spawn(request);
    let id = app.next_request().await;
    app.respond_token(&id, "v1.typed").await;

    let response = answer.await.unwrap().unwrap();
    assert_eq!(response.token.expose(), "v1.typed");
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn typed_request_names_each_failure() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&[])).await;
    let deadline = Duration::from_millis(250);
    let request = |server: &attestwire_runtime::Server, id| {
        tokio::spawn(server.request::<AttestationGenerate>(
            id,
            AttestationGenerateParams {},
            deadline,
        ))
    };

    // Rejected carries the client's error object.
    let answer = request(&server, app.id);
    let id = app.next_request().await;
    app.respond_error(&id, -32001, "user declined").await;
    match answer.await.unwrap() {
        Err(RequestError::Rejected(error)) => {
            assert_eq!(error.code, ErrorCode(-32001));
            assert_eq!(error.message, "user declined");
        }
        other => panic!("expected Rejected, got {other:?}"),
    }

    // Timeout names the deadline.
    let answer = request(&server, app.id);
    app.next_request().await;
    assert!(matches!(
        answer.await.unwrap(),
        Err(RequestError::Timeout { deadline: d }) if d == deadline
    ));

    // Malformed says what is wrong without quoting the value.
    let answer = request(&server, app.id);
    let id = app.next_request().await;
    app.respond(&id, serde_json::json!("v1.bare-string")).await;
    match answer.await.unwrap() {
        Err(RequestError::Malformed(error)) => {
            assert_eq!(error.method(), "attestation/generate");
            assert!(!error.to_string().contains("v1.bare-string"), "{error}");
        }
        other => panic!("expected Malformed, got {other:?}"),
    }

    // Canceled once the connection is gone, and for a connection that is.
    let id = app.id;
    app.close().await.unwrap();
    assert!(matches!(
        request(&server, id).await.unwrap(),
        Err(RequestError::Canceled)
    ));
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn core_ids_are_distinct_strings_of_its_own_form() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;
    let mut ids = Vec::new();
    for _ in 0..3 {
        let header = attest(&server, "thread-1");
        let id = app.next_request().await;
        app.respond_token(&id, "v1.x").await;
        header.await.unwrap();
        ids.push(core_id_number(&id));
    }
    let distinct: std::collections::HashSet<_> = ids.iter().collect();
    assert_eq!(distinct.len(), ids.len(), "{ids:?}");
}

/// "A full or closed sink means s=3 at once": the core never waits for
/// queue space, and what was queued still gets the whole deadline.
#[tokio::test(start_paused = true)]
async fn a_full_queue_cancels_our_request_at_once_and_queued_ones_time_out() {
    // 16-byte pipes and a queue of one: the first request blocks the writer,
    // the second fills the queue, the third finds it full.
    let server = server_with_write_queue(1);
    let _app = connect_client_over(&server, opted_in(&["thread-1"]), 16).await;
    let tick = Duration::from_millis(1);
    let start = Instant::now();

    let writing = attest(&server, "thread-1");
    tokio::time::sleep(tick).await;
    let queued = attest(&server, "thread-1");
    tokio::time::sleep(tick).await;
    let refused = attest(&server, "thread-1");

    assert_eq!(bytes(refused.await.unwrap()), Some(S3.to_vec()));
    assert_eq!(start.elapsed(), 2 * tick, "refused at once");
    assert_eq!(bytes(writing.await.unwrap()), Some(S1.to_vec()));
    assert_eq!(start.elapsed(), DEADLINE);
    assert_eq!(bytes(queued.await.unwrap()), Some(S1.to_vec()));
    assert_eq!(start.elapsed(), DEADLINE + tick);
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn connection_dropped_without_being_served_is_unregistered() {
    let server = server();
    let (reader, _peer_writer) = tokio::io::duplex(64);
    let (writer, _peer_reader) = tokio::io::duplex(64);
    let connection = server.connect(reader, writer);
    assert_eq!(server.connection_count(), 1);
    assert!(server.subscribe(connection.id(), "thread-1"));

    let id = connection.id();
    drop(connection);
    assert_eq!(server.connection_count(), 0);
    assert!(!server.subscribe(id, "thread-1"));
}

/// The fast path for answers must decide as the general one does: a line
/// with a `method` member (even `null`) is a request, never an answer.
#[tokio::test(start_paused = true)]
async fn answer_shaped_line_with_a_method_member_is_not_an_answer() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;

    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    app.send(
        serde_json::json!({ "id": id, "method": null, "result": { "token": "v1.not-an-answer" } }),
    )
    .await;
    assert_eq!(app.recv().await["error"]["code"], -32600);
    assert_eq!(server.pending_count(), 1, "the request is still waiting");

    app.send(serde_json::json!({ "jsonrpc": "2.0", "id": id, "result": { "token": "v1.real" }, "extra": [1] }))
        .await;
    assert_eq!(bytes(header.await.unwrap()), Some(s0("v1.real")));
    assert_eq!(server.pending_count(), 0);
}

/// The header for a request the app answers with the raw line
/// `answer(id)`; the request is no longer pending afterwards.
async fn header_for_raw_answer(
    answer: impl FnOnce(&serde_json::Value) -> String,
) -> Option<Vec<u8>> {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;

    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    app.send_line(&answer(&id)).await;
    let header = bytes(header.await.unwrap());
    assert_eq!(server.pending_count(), 0);
    header
}

/// A `result` that repeats `token` is ambiguous (JSON leaves repeated names
/// undefined; `JSON.parse` keeps the last, serde rejects): status 4, never
/// one of the two tokens.
#[tokio::test(start_paused = true)]
async fn result_repeating_token_is_status_4() {
    let header = header_for_raw_answer(|id| {
        format!(
            r#"{{"jsonrpc":"2.0","id":{id},"result":{{"token":"v1.first","token":"v1.second"}}}}"#
        )
    })
    .await;
    assert_eq!(header, Some(br#"{"v":1,"s":4}"#.to_vec()));
}

/// An answer that repeats a top-level member cannot take the fast path; the
/// general path reads it (the last value wins, as for any repeated member
/// there) and it still answers its request.
#[tokio::test(start_paused = true)]
async fn answer_repeating_a_top_level_member_still_answers() {
    let header = header_for_raw_answer(|id| {
        format!(r#"{{"jsonrpc":"2.0","jsonrpc":"2.0","id":{id},"result":{{"token":"v1.general-path"}}}}"#)
    })
    .await;
    assert_eq!(header, Some(s0("v1.general-path")));
}
