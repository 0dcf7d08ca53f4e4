//! "It never panics and never logs the token": every log line at TRACE and
//! the `Debug` output of what the flow returns are free of the token, on the
//! answered path and on the failure paths that carry it.

mod runtime_support;

use std::io;
use std::sync::{Arc, Mutex};
use std::time::Duration;

use attestwire_protocol::{AttestationGenerate, AttestationGenerateParams};
use runtime_support::*;
use serde_json::json;
use tracing_subscriber::fmt::MakeWriter;

const TOKEN: &str = "v1.SECRET-log-capture-token";

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0
            .lock()
            .map_err(|_| io::Error::other("capture poisoned"))?
            .extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl<'a> MakeWriter<'a> for Capture {
    type Writer = Capture;
    fn make_writer(&'a self) -> Capture {
        self.clone()
    }
}

#[tokio::test(start_paused = true)]
async fn token_never_appears_in_logs_or_debug_output() {
    let capture = Capture::default();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::TRACE)
        .with_writer(capture.clone())
        .finish();
    // The test runtime is single-threaded, so the thread's default
    // subscriber sees the server's tasks too.
    let _subscriber = tracing::subscriber::set_default(subscriber);
    let mut debug_output = String::new();

    let server = server();
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;

    // Answered: status 0, then the same token again as a duplicate.
    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    app.respond_token(&id, TOKEN).await;
    app.respond_token(&id, TOKEN).await;
    let value = header.await.unwrap().unwrap();
    assert_eq!(value.as_bytes(), s0(TOKEN));
    debug_output.push_str(&format!("{value:?}"));

    // The typed response's `Debug`.
    let typed = tokio::spawn(server.request::<AttestationGenerate>(
        app.id,
        AttestationGenerateParams {},
        Duration::from_secs(1),
    ));
    let id = app.next_request().await;
    app.respond_token(&id, TOKEN).await;
    debug_output.push_str(&format!("{:?}", typed.await.unwrap()));

    // The token in the wrong place: a bare string, a misspelled key, a value
    // breaking the rule, an error message; then a late answer.
    for result in [
        json!(TOKEN),
        json!({ "tok": TOKEN }),
        json!({ "token": format!("{TOKEN} with a space") }),
    ] {
        let header = attest(&server, "thread-1");
        let id = app.next_request().await;
        app.respond(&id, result).await;
        assert_eq!(bytes(header.await.unwrap()), Some(S4.to_vec()));
    }
    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    app.respond_error(&id, -32000, TOKEN).await;
    assert_eq!(bytes(header.await.unwrap()), Some(S2.to_vec()));
    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    assert_eq!(bytes(header.await.unwrap()), Some(S1.to_vec()));
    app.respond_token(&id, TOKEN).await;
    app.sync().await;
    app.close().await.unwrap();
    debug_output.push_str(&format!("{server:?}"));

    let logs = String::from_utf8(capture.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("attestation token received"),
        "nothing captured:\n{logs}"
    );
    assert!(
        logs.contains("dropped"),
        "the late answer was not logged:\n{logs}"
    );
    assert!(
        !logs.contains("SECRET"),
        "the token leaked into the logs:\n{logs}"
    );
    assert!(
        !debug_output.contains("SECRET"),
        "the token leaked into Debug:\n{debug_output}"
    );
    assert_eq!(server.pending_count(), 0);
}
