//! "Pending entries are keyed by (connection, id)": under load, every caller
//! gets the token of the connection it asked, and no entry is left behind.

mod runtime_support;

use std::sync::atomic::Ordering;

use attestwire_runtime::{AttestationContext, AttestationProvider};
use runtime_support::*;
use tokio::task::JoinSet;

const CONNECTIONS: usize = 100;
const REQUESTS_PER_CONNECTION: usize = 10;

#[tokio::test(start_paused = true)]
async fn thousand_concurrent_requests_over_a_hundred_connections_each_get_their_own_token() {
    let server = server();
    let mut apps = Vec::new();
    let mut ids = Vec::new();
    for n in 0..CONNECTIONS {
        let app = connect_client(&server, opted_in(&[])).await;
        assert!(server.subscribe(app.id, format!("thread-{n}")));
        let connection = app.id;
        ids.push(connection);
        // Distinct per request, and naming the connection that made it.
        apps.push(answer_all(app, move |id| {
            format!("conn{connection}.req{id}")
        }));
    }
    let mut callers = JoinSet::new();
    for request in 0..CONNECTIONS * REQUESTS_PER_CONNECTION {
        let server = server.clone();
        let thread = request % CONNECTIONS;
        callers.spawn(async move {
            let context = AttestationContext::new(format!("thread-{thread}"));
            (thread, server.header_for_request(&context).await)
        });
    }

    let mut tokens = Vec::new();
    while let Some(joined) = callers.join_next().await {
        let (thread, header) = joined.unwrap();
        let header = String::from_utf8(header.unwrap().as_bytes().to_vec()).unwrap();
        let token = header
            .strip_prefix(r#"{"v":1,"s":0,"t":""#)
            .and_then(|rest| rest.strip_suffix(r#""}"#))
            .unwrap_or_else(|| panic!("thread-{thread} got {header}"))
            .to_owned();
        let expected = format!("conn{}.", ids[thread]);
        assert!(token.starts_with(&expected), "thread-{thread} got {token}");
        tokens.push(token);
    }

    assert_eq!(tokens.len(), CONNECTIONS * REQUESTS_PER_CONNECTION);
    assert_distinct(tokens.iter().map(String::as_str));
    for (asked, _) in &apps {
        assert_eq!(asked.load(Ordering::SeqCst), REQUESTS_PER_CONNECTION);
    }
    assert_eq!(server.pending_count(), 0);
}
