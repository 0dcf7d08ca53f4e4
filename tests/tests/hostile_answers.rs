//! "A response is matched by (connection, id) … a late or duplicate
//! response is dropped and leaks nothing." A client that answers every
//! request twice, answers ids it was never sent (including the ids of
//! another connection's requests), or sends responses before `initialize`
//! changes no other request's outcome. Table-driven: every hostile behaviour
//! against every outcome of a victim connection's request.

mod runtime_support;

use runtime_support::*;
use serde_json::{Value, json};
use tokio::time::Instant;

/// What the hostile connection does.
#[derive(Clone, Copy, Debug)]
enum Hostile {
    /// Answers its own request twice (a token, then an error), and also
    /// answers the victim's id twice.
    AnswersTwice,
    /// Answers ids it was never sent: the victim's, its neighbours, small
    /// integers, and the same numbers as strings.
    AnswersIdsNeverSent,
    /// Sends all of the above before `initialize`, then initializes.
    RespondsBeforeInitialize,
}

/// How the victim answers its own request.
#[derive(Clone, Copy, Debug)]
enum Victim {
    Token,
    Error,
    Silent,
    Malformed,
}

/// Every kind of answer a client could send for `id`: a token, an error,
/// an invalid response (wrong `jsonrpc`), and a result of the wrong shape.
fn answers_for(id: &Value) -> Vec<Value> {
    vec![
        json!({ "jsonrpc": "2.0", "id": id, "result": { "token": "v1.hostile" } }),
        json!({ "jsonrpc": "2.0", "id": id, "error": { "code": -32000, "message": "hostile" } }),
        json!({ "jsonrpc": "1.0", "id": id, "result": { "token": "v1.hostile" } }),
        json!({ "jsonrpc": "2.0", "id": id, "result": "not an object" }),
    ]
}

/// Ids the hostile connection was never sent, around the victim's `id`.
fn ids_never_sent(victim_id: &Value) -> Vec<Value> {
    let n = core_id_number(victim_id);
    let mut ids: Vec<Value> = (n.saturating_sub(2)..=n + 50)
        .filter(|&other| other != n)
        .map(core_id)
        .collect();
    // The victim's number in every other form: an integer, a bare string,
    // leading zeros.
    ids.extend([
        json!(n),
        json!(n.to_string()),
        json!(format!("attestwire:0{n}")),
        json!(0),
        json!(-1),
        json!("1"),
    ]);
    ids
}

/// Everything `before` is read by the server: requests before the handshake
/// get -32002, after it -32601, in order.
async fn barrier(client: &mut FakeClient, code: i64) {
    client
        .send(json!({ "jsonrpc": "2.0", "id": "barrier", "method": "test/barrier" }))
        .await;
    let answer = client.recv().await;
    assert_eq!(
        answer["id"], "barrier",
        "expected the barrier, got {answer}"
    );
    assert_eq!(answer["error"]["code"], code);
}

async fn run(hostile: Hostile, victim: Victim) {
    let server = server();
    // The hostile connection is the older one, for the attestation target
    // order to be of no help to the victim.
    let mut evil = match hostile {
        Hostile::RespondsBeforeInitialize => connect_raw(&server),
        _ => connect_client(&server, opted_in(&["thread-evil"])).await,
    };
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;

    let start = Instant::now();
    let header = attest(&server, "thread-1");
    let victim_id = app.next_request().await;

    match hostile {
        Hostile::AnswersTwice => {
            let evil_header = attest(&server, "thread-evil");
            let evil_id = evil.next_request().await;
            evil.respond_token(&evil_id, "v1.first").await;
            evil.respond_error(&evil_id, -32000, "second").await;
            for answer in answers_for(&victim_id)
                .into_iter()
                .chain(answers_for(&victim_id))
            {
                evil.send(answer).await;
            }
            barrier(&mut evil, -32601).await;
            // Its own request took the first answer; the second changed nothing.
            assert_eq!(bytes(evil_header.await.unwrap()), Some(s0("v1.first")));
        }
        Hostile::AnswersIdsNeverSent => {
            for id in ids_never_sent(&victim_id) {
                for answer in answers_for(&id) {
                    evil.send(answer).await;
                }
            }
            barrier(&mut evil, -32601).await;
        }
        Hostile::RespondsBeforeInitialize => {
            for id in ids_never_sent(&victim_id) {
                for answer in answers_for(&id) {
                    evil.send(answer).await;
                }
            }
            barrier(&mut evil, -32002).await;
        }
    }
    assert_eq!(server.pending_count(), 1, "only the victim's request waits");

    let expected = match victim {
        Victim::Token => {
            app.respond_token(&victim_id, "v1.victim").await;
            s0("v1.victim")
        }
        Victim::Error => {
            app.respond_error(&victim_id, -32001, "no token today")
                .await;
            S2.to_vec()
        }
        Victim::Silent => S1.to_vec(),
        Victim::Malformed => {
            app.respond(&victim_id, json!({ "tokens": [] })).await;
            S4.to_vec()
        }
    };
    assert_eq!(
        bytes(header.await.unwrap()),
        Some(expected),
        "{hostile:?} against {victim:?}"
    );
    let elapsed = start.elapsed();
    match victim {
        Victim::Silent => assert_eq!(elapsed, DEADLINE),
        _ => assert!(elapsed < DEADLINE, "{hostile:?}/{victim:?}: {elapsed:?}"),
    }

    // Nothing closed, nothing left behind, and the hostile client's own
    // answers sent in advance are not kept for its future requests.
    assert_eq!(server.pending_count(), 0);
    assert_eq!(server.connection_count(), 2);
    if let Hostile::RespondsBeforeInitialize = hostile {
        // Responses before `initialize` did not count as a handshake: even
        // subscribed, the connection is not asked.
        assert!(server.subscribe(evil.id, "thread-evil"));
        assert_eq!(bytes(attest(&server, "thread-evil").await.unwrap()), None);
    }
    let next = attest(&server, "thread-1");
    let next_id = app.next_request().await;
    app.respond_token(&next_id, "v1.next").await;
    assert_eq!(bytes(next.await.unwrap()), Some(s0("v1.next")));
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn hostile_answers_change_no_other_requests_outcome() {
    for hostile in [
        Hostile::AnswersTwice,
        Hostile::AnswersIdsNeverSent,
        Hostile::RespondsBeforeInitialize,
    ] {
        for victim in [
            Victim::Token,
            Victim::Error,
            Victim::Silent,
            Victim::Malformed,
        ] {
            run(hostile, victim).await;
        }
    }
}

#[tokio::test(start_paused = true)]
async fn answers_sent_before_the_request_do_not_answer_it() {
    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;
    // Ids a fresh server will hand out next, answered in advance.
    for n in 1..=20 {
        app.respond_token(&core_id(n), "v1.in-advance").await;
        app.respond_token(&json!(n), "v1.in-advance").await;
    }
    app.sync().await;
    assert_eq!(server.pending_count(), 0);

    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    assert!(
        core_id_number(&id) <= 20,
        "the id was answered in advance: {id}"
    );
    assert_eq!(bytes(header.await.unwrap()), Some(S1.to_vec()));
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn responses_before_initialize_get_no_answer_and_the_handshake_still_works() {
    let server = server();
    let mut early = connect_raw(&server);
    for answer in answers_for(&json!(1)) {
        early.send(answer).await;
    }
    // Responses are never answered: the first thing back is the barrier's.
    barrier(&mut early, -32002).await;
    early
        .send(json!({
            "jsonrpc": "2.0",
            "id": 0,
            "method": "initialize",
            "params": {
                "clientInfo": { "name": "early", "version": "1" },
                "capabilities": { "requestAttestation": true },
            },
        }))
        .await;
    assert_eq!(
        early.recv().await["result"]["serverInfo"]["name"],
        "attestwire-test-server"
    );
    assert!(server.subscribe(early.id, "thread-1"));

    let header = attest(&server, "thread-1");
    let id = early.next_request().await;
    early.respond_token(&id, "v1.after-handshake").await;
    assert_eq!(bytes(header.await.unwrap()), Some(s0("v1.after-handshake")));
    assert_eq!(server.pending_count(), 0);
}
