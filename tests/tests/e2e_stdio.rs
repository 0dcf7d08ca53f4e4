//! "The flow is proven where it runs in production": a runtime `Server`, a
//! separate desktop-app process written in TypeScript on
//! `@attestwire/client` (tests/ts/client/), JSONL over its stdio, and real
//! HTTP requests through `AttestationScope::attach` to an upstream on
//! 127.0.0.1 that records the `x-oai-attestation` header it received.

mod e2e_support;

use std::time::{Duration, Instant};

use attestwire_protocol::HEADER_NAME;
use e2e_support::http::{self, Recorded, Upstream};
use e2e_support::{App, S1, S2, S3, S4, TOKEN, context, s0, scope};

/// The default attestation deadline.
const DEADLINE: Duration = Duration::from_millis(100);

/// Attaches the header to `request` the way a server would, sends it
/// upstream, and returns what the upstream received, whether a header was
/// attached, and how long `attach` took.
async fn through_scope(
    app: &App,
    upstream: &mut Upstream,
    mut request: ::http::Request<Vec<u8>>,
) -> (Recorded, bool, Duration) {
    let start = Instant::now();
    let attached = scope(upstream)
        .attach(&app.server, &context(), &mut request)
        .await;
    let took = start.elapsed();
    assert_eq!(http::send(&request).await, 200);
    (upstream.next().await, attached, took)
}

fn post(upstream: &Upstream, path: &str) -> ::http::Request<Vec<u8>> {
    ::http::Request::post(upstream.url(path))
        .header("content-type", "application/json")
        .body(br#"{"model":"m"}"#.to_vec())
        .unwrap()
}

/// The one `x-oai-attestation` value the upstream received.
fn attestation(recorded: &Recorded) -> Option<&str> {
    match recorded.values(HEADER_NAME)[..] {
        [] => None,
        [value] => Some(value),
        ref many => panic!("{} attestation headers: {many:?}", many.len()),
    }
}

/// Starts the client in `mode`, sends one in-scope POST, and returns the
/// header the upstream got and the client's log.
async fn in_scope_post(
    mode: &[&str],
    deadline: Duration,
) -> (Option<String>, Duration, Vec<String>) {
    let mut upstream = Upstream::start().await;
    let app = App::start(mode, deadline).await;
    let request = post(&upstream, "/v1/responses");
    let (recorded, attached, took) = through_scope(&app, &mut upstream, request).await;
    assert_eq!(recorded.method, "POST");
    assert_eq!(recorded.body, br#"{"model":"m"}"#);
    let header = attestation(&recorded).map(str::to_owned);
    assert_eq!(attached, header.is_some());
    let log = app.finish().await;
    assert_eq!(
        log.generate_requests(),
        usize::from(header.is_some()),
        "{log:?}"
    );
    (header, took, log.0)
}

#[tokio::test]
async fn ok_in_scope_post_carries_status_0_and_the_token() {
    let (header, _, _) = in_scope_post(&["ok"], DEADLINE).await;
    assert_eq!(header.as_deref(), Some(s0(TOKEN).as_str()));
}

#[tokio::test]
async fn ok_in_scope_websocket_upgrade_carries_status_0() {
    let mut upstream = Upstream::start().await;
    let app = App::start(&["ok", "--token", "v1.ws-token"], DEADLINE).await;
    let request = ::http::Request::get(upstream.url("/v1/realtime?model=m"))
        .header("connection", "Upgrade")
        .header("upgrade", "websocket")
        .header("sec-websocket-version", "13")
        .header("sec-websocket-key", "dGhlIHNhbXBsZSBub25jZQ==")
        .body(Vec::new())
        .unwrap();
    let (recorded, attached, _) = through_scope(&app, &mut upstream, request).await;
    assert!(attached);
    assert_eq!(recorded.method, "GET");
    assert_eq!(recorded.target, "/v1/realtime?model=m");
    assert_eq!(recorded.values("upgrade"), ["websocket"]);
    assert_eq!(attestation(&recorded), Some(s0("v1.ws-token").as_str()));
    assert_eq!(app.finish().await.generate_requests(), 1);
}

#[tokio::test]
async fn out_of_scope_path_has_no_header_and_the_app_is_not_asked() {
    let mut upstream = Upstream::start().await;
    let app = App::start(&["ok"], DEADLINE).await;
    for path in ["/health", "/v1beta/responses"] {
        let request = post(&upstream, path);
        let (recorded, attached, _) = through_scope(&app, &mut upstream, request).await;
        assert!(!attached, "{path}");
        assert_eq!(attestation(&recorded), None, "{path}");
    }
    // Messages on the pipe stay in order: had the app been asked above, it
    // would have logged those requests before this one.
    let request = post(&upstream, "/v1/responses");
    let (recorded, _, _) = through_scope(&app, &mut upstream, request).await;
    assert_eq!(attestation(&recorded), Some(s0(TOKEN).as_str()));
    let log = app.finish().await;
    assert_eq!(log.generate_requests(), 1, "{log:?}");
}

/// The issue asks that the upstream request is delayed by at most the
/// deadline plus 50 ms. Our rule is no timed assertions on the real clock
/// (CI is a loaded 2-core machine), so this asserts what is robust: the
/// request went out after the deadline and long before the app's answer (it
/// answers after 30 s). The overshoot is printed; see the report for
/// measured values.
#[tokio::test]
async fn slow_app_beyond_the_deadline_gives_status_1_without_delaying_the_request() {
    let mut upstream = Upstream::start().await;
    let app = App::start(&["slow", "30000"], DEADLINE).await;
    let start = Instant::now();
    let mut request = post(&upstream, "/v1/responses");
    assert!(
        scope(&upstream)
            .attach(&app.server, &context(), &mut request)
            .await
    );
    let sent = Instant::now();
    assert_eq!(http::send(&request).await, 200);
    let recorded = upstream.next().await;
    assert_eq!(attestation(&recorded), Some(S1));
    let attach = sent - start;
    let delay = recorded.at - start;
    eprintln!(
        "slow: attach took {attach:?}, upstream received the request {delay:?} after the \
         flow started (deadline {DEADLINE:?}, overshoot {:?})",
        delay.saturating_sub(DEADLINE)
    );
    assert!(attach >= DEADLINE, "timed out early: {attach:?}");
    assert!(
        delay < Duration::from_secs(10),
        "the request waited for the app: {delay:?}"
    );
    assert_eq!(app.finish().await.generate_requests(), 1);
}

#[tokio::test]
async fn error_answer_gives_status_2() {
    let (header, _, _) = in_scope_post(&["error"], DEADLINE).await;
    assert_eq!(header.as_deref(), Some(S2));
}

/// With a 30 s deadline, a result in well under 10 s proves the flow did
/// not wait for the deadline once the app was gone.
#[tokio::test]
async fn app_exiting_when_asked_gives_status_3_without_waiting_for_the_deadline() {
    let (header, took, log) = in_scope_post(&["exit"], Duration::from_secs(30)).await;
    assert_eq!(header.as_deref(), Some(S3));
    assert!(
        took < Duration::from_secs(10),
        "waited for the deadline: {took:?}"
    );
    assert!(
        log.iter().any(|l| l == "client: exiting as asked"),
        "{log:?}"
    );
}

#[tokio::test]
async fn result_without_token_gives_status_4() {
    let (header, _, _) = in_scope_post(&["malformed"], DEADLINE).await;
    assert_eq!(header.as_deref(), Some(S4));
}

#[tokio::test]
async fn app_without_the_capability_gets_no_header_and_is_not_asked() {
    let (header, _, _) = in_scope_post(&["no-opt-in"], DEADLINE).await;
    assert_eq!(header, None);
}
