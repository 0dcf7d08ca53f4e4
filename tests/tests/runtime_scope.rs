//! "Only outbound requests that match an allow-list (scheme, host, path
//! prefix) get the header; for all others the app is not asked at all."

mod runtime_support;

use std::sync::atomic::Ordering;

use attestwire_protocol::HEADER_NAME;
use attestwire_runtime::{AttestationContext, AttestationScope};
use runtime_support::*;

fn scope() -> AttestationScope {
    AttestationScope::new().allow("https", "api.example.com", "/v1/")
}

#[tokio::test(start_paused = true)]
async fn out_of_scope_requests_get_no_header_and_the_app_is_never_asked() {
    let server = server();
    let app = connect_client(&server, opted_in(&["thread-1"])).await;
    let (asked, _app) = answer_all(app, |_| "v1.scoped".to_owned());
    let context = AttestationContext::new("thread-1");

    for uri in [
        "https://other.example.com/v1/responses",
        "http://api.example.com/v1/responses",
        "https://api.example.com/v2/responses",
        "https://api.example.com/v1",
        "https://api.example.com.attacker.test/v1/responses",
    ] {
        let mut out = outbound(uri);
        assert!(!scope().attach(&server, &context, &mut out).await, "{uri}");
        assert!(out.headers().get(HEADER_NAME).is_none(), "{uri}");
    }
    assert_eq!(
        asked.load(Ordering::SeqCst),
        0,
        "the app was asked out of scope"
    );
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn in_scope_request_gets_the_header_and_the_app_is_asked_once() {
    let server = server();
    let app = connect_client(&server, opted_in(&["thread-1"])).await;
    let (asked, _app) = answer_all(app, |_| "v1.scoped".to_owned());
    let context = AttestationContext::new("thread-1");

    let mut out = outbound("https://api.example.com/v1/responses");
    assert!(scope().attach(&server, &context, &mut out).await);

    assert_eq!(
        out.headers()[HEADER_NAME].as_bytes(),
        br#"{"v":1,"s":0,"t":"v1.scoped"}"#
    );
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn in_scope_request_without_an_opted_in_connection_gets_no_header() {
    let server = server();
    let context = AttestationContext::new("thread-1");

    let mut out = outbound("https://api.example.com/v1/responses");
    assert!(!scope().attach(&server, &context, &mut out).await);
    assert!(out.headers().get(HEADER_NAME).is_none());
}
