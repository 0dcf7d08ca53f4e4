//! "Pending entries are keyed by (connection, id) and removed on every
//! path": 1,000 connections opening and closing, in every way a connection
//! can end, while attestations run against them, leave 0 pending entries
//! and 0 registry entries behind, and every attestation gets no header or
//! one of the five envelopes.

mod hostile_support;
mod runtime_support;

use std::time::Duration;

use attestwire_runtime::{AttestationContext, AttestationProvider, Server};
use hostile_support::is_envelope;
use runtime_support::*;
use serde_json::Value;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader};
use tokio::task::JoinSet;
use tokio::time::{sleep, timeout};

const CONNECTIONS: usize = 1000;
const ATTESTATIONS: usize = 2000;
/// How long a connection waits for a request before it goes away anyway.
const WAIT: Duration = Duration::from_millis(150);
const SHARED: &str = "thread-shared";

fn own_thread(n: usize) -> String {
    format!("thread-{n}")
}

/// The next `attestation/generate` id, or `None` if none came within `WAIT`
/// or the server closed.
async fn next_request_within_wait(client: &mut FakeClient) -> Option<Value> {
    let line = timeout(WAIT, client.recv_line()).await.ok()??;
    let request: Value = serde_json::from_str(&line).unwrap();
    assert_eq!(request["method"], "attestation/generate");
    Some(request["id"].clone())
}

/// Connection `n` opens, takes part, and goes away, one of seven ways.
async fn churn(server: Server, n: usize) {
    sleep(Duration::from_millis(u64::try_from(n % 200).unwrap())).await;
    if n % 7 == 4 {
        return served_then_dropped(&server, n).await;
    }
    // The shared thread's flows ask every connection on it at once, and a
    // token from one wins over the others' failures: only the answering
    // and the silent connections share it, so that the failing ones are
    // asked alone, on their own threads, and their statuses show.
    let shared: &'static [&'static str] = if matches!(n % 7, 1 | 5) {
        &[SHARED]
    } else {
        &[]
    };
    let mut client = connect_client(&server, opted_in(shared)).await;
    assert!(server.subscribe(client.id, own_thread(n)));
    match n % 7 {
        // Closes right after the handshake.
        0 => {}
        // Answers what it is asked for a while.
        1 => {
            while let Some(id) = next_request_within_wait(&mut client).await {
                client.respond_token(&id, &format!("v1.conn-{n}")).await;
            }
        }
        // Closes while a request waits for it: status 3.
        2 => {
            next_request_within_wait(&mut client).await;
        }
        // Answers with an error, then closes.
        3 => {
            if let Some(id) = next_request_within_wait(&mut client).await {
                client.respond_error(&id, -32000, "no").await;
            }
        }
        // Reads its requests but never answers: they time out (status 1).
        5 => while next_request_within_wait(&mut client).await.is_some() {},
        // Stops reading: the server's next write fails and it closes.
        _ => {
            client.close_read_side();
            sleep(WAIT).await;
        }
    }
    // Either end is fine here: a clean close or a failed write to a client
    // that stopped reading.
    let _ = client.close().await;
}

/// A connection whose `serve` future is dropped (the task aborted) while it
/// may have a request pending, and one that is registered but never served.
async fn served_then_dropped(server: &Server, n: usize) {
    drop(server.connect(tokio::io::empty(), tokio::io::sink()));

    let (mut app_writer, server_reader) = tokio::io::duplex(4096);
    let (server_writer, app_reader) = tokio::io::duplex(4096);
    let connection = server.connect(server_reader, server_writer);
    let id = connection.id();
    let serve = tokio::spawn(connection.serve());
    app_writer
        .write_all(concat!(
            r#"{"id":0,"method":"initialize","params":{"clientInfo":{"name":"a","version":"1"},"capabilities":{"requestAttestation":true}}}"#,
            "\n"
        ).as_bytes())
        .await
        .unwrap();
    let mut lines = BufReader::new(app_reader).lines();
    assert!(
        lines
            .next_line()
            .await
            .unwrap()
            .unwrap()
            .contains("serverInfo")
    );
    assert!(server.subscribe(id, SHARED));
    assert!(server.subscribe(id, own_thread(n)));
    let _ = timeout(WAIT, lines.next_line()).await;
    serve.abort();
    assert!(serve.await.unwrap_err().is_cancelled());
}

#[tokio::test(start_paused = true)]
async fn thousand_connections_opening_and_closing_during_attestations_leave_nothing_behind() {
    let server = server();
    let mut connections = JoinSet::new();
    for n in 0..CONNECTIONS {
        connections.spawn(churn(server.clone(), n));
    }
    let mut callers = JoinSet::new();
    for k in 0..ATTESTATIONS {
        let server = server.clone();
        callers.spawn(async move {
            sleep(Duration::from_millis(u64::try_from(k % 250).unwrap())).await;
            let thread = if k % 2 == 0 {
                SHARED.to_owned()
            } else {
                own_thread(k % CONNECTIONS)
            };
            server
                .header_for_request(&AttestationContext::new(thread))
                .await
        });
    }

    let mut statuses = [0usize; 5];
    let mut no_header = 0;
    while let Some(header) = callers.join_next().await {
        match header.unwrap() {
            None => no_header += 1,
            Some(header) => {
                assert!(is_envelope(&header), "{header:?}");
                statuses[usize::from(header.as_bytes()[11] - b'0')] += 1;
            }
        }
    }
    while let Some(joined) = connections.join_next().await {
        joined.unwrap();
    }

    assert_eq!(server.pending_count(), 0);
    assert_eq!(server.connection_count(), 0);
    // The run went through the paths it is meant to: tokens, timeouts,
    // errors, cancellations, and threads without a connection.
    assert_eq!(no_header + statuses.iter().sum::<usize>(), ATTESTATIONS);
    for (status, count) in statuses.iter().enumerate().take(4) {
        assert!(*count > 0, "no status {status} in {statuses:?}");
    }
    assert!(no_header > 0, "{statuses:?}");
}
