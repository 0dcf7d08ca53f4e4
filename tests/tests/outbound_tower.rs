//! "No hop of a redirect chain outside the scope ever carries the token,
//! whichever HTTP client follows the redirects": a tower stack over real
//! sockets on 127.0.0.1, tower-http's `FollowRedirect` over
//! `AttestationLayer` over hyper-util's client, on 301, 302, 303, 307 and
//! 308, for GET and for POST with a body, to another origin (another port)
//! and to another path of the same origin.

mod outbound_support;
mod runtime_support;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use attestwire_protocol::HEADER_NAME;
use attestwire_runtime::{AttestationContext, AttestationLayer, AttestationScope};
use bytes::Bytes;
use http::{Method, Request};
use http_body_util::Full;
use hyper_util::client::legacy::Client;
use hyper_util::rt::TokioExecutor;
use outbound_support::*;
use runtime_support::*;
use tower_http::follow_redirect::FollowRedirectLayer;
use tower_http::follow_redirect::policy::{Limited, PolicyExt, clone_body_fn};
use tower_layer::Layer;
use tower_service::Service;

const STALE: &str = r#"{"v":1,"s":0,"t":"v1.stale"}"#;
const BODY: &str = r#"{"input":"hello"}"#;

fn scoped() -> String {
    String::from_utf8(s0("v1.scoped")).unwrap()
}

// tower-http's FollowRedirect rebuilds every later hop with
// `Request::new`, so the request's extensions, our `AttestationContext`
// among them, do not follow: the layer strips the header FollowRedirect
// copied and, without a thread, attaches none. So a redirect within the
// scope arrives without the header (reqwest's `AttestedClient` re-attaches
// it); out of scope, nothing ever carries it.
#[tokio::test(start_paused = true)]
async fn every_redirect_status_method_and_target_keeps_the_token_in_scope() {
    let server = server();
    let app = connect_client(&server, opted_in(&["thread-1"])).await;
    let (asked, _app) = answer_all(app, |_| "v1.scoped".to_owned());
    let hyper = Client::builder(TokioExecutor::new()).build_http::<Full<Bytes>>();
    // 307 and 308 resend the body: FollowRedirect needs to clone it.
    let policy = Limited::default().and::<_, Full<Bytes>, hyper_util::client::legacy::Error>(
        clone_body_fn(|body: &Full<Bytes>| Some(body.clone())),
    );

    for status in REDIRECTS {
        for (method, body) in [("GET", ""), ("POST", BODY)] {
            for target in TARGETS {
                let case = format!("{status} {method} {target:?}");
                let log = Log::default();
                let (api, other) = redirecting(&log, status, target).await;
                let origin = format!("http://127.0.0.1:{}", api.port());
                let scope = AttestationScope::new()
                    .allow_origin(&origin, "/v1/")
                    .unwrap();
                let attestation = AttestationLayer::new(Arc::new(server.clone()), scope);
                let follow = FollowRedirectLayer::with_policy(policy);
                let mut client = follow.layer(attestation.layer(hyper.clone()));
                asked.store(0, Ordering::SeqCst);

                let mut request = Request::builder()
                    .method(method.parse::<Method>().unwrap())
                    .uri(format!("http://{api}{START}"))
                    .header(HEADER_NAME, STALE)
                    .body(Full::new(Bytes::from(body)))
                    .unwrap();
                request
                    .extensions_mut()
                    .insert(AttestationContext::new("thread-1"));
                std::future::poll_fn(|cx| client.poll_ready(cx))
                    .await
                    .unwrap();
                let response = client.call(request).await.unwrap();
                assert_eq!(response.status(), 200, "{case}: the redirect was followed");

                let seen: Vec<Seen> = log.take().iter().map(Hop::seen).collect();
                let hops = (vec![scoped()], vec![]);
                let expected = expected_chain((api, other), status, target, (method, body), hops);
                assert_eq!(seen, expected, "{case}");
                assert_eq!(asked.load(Ordering::SeqCst), 1, "{case}");
            }
        }
    }
    assert_eq!(server.pending_count(), 0);
}
