//! "No hop of a redirect chain outside the scope ever carries the token,
//! whichever HTTP client follows the redirects": reqwest 0.12 through
//! `AttestedClient`, over real sockets on 127.0.0.1, on 301, 302, 303, 307
//! and 308, for GET and for POST with a body, to another origin (another
//! port) and to another path of the same origin, in and out of scope.

mod outbound_support;
mod runtime_support;

use std::sync::Arc;
use std::sync::atomic::Ordering;

use attestwire_protocol::HEADER_NAME;
use attestwire_runtime::{AttestationContext, AttestationScope, AttestedClient, Server};
use outbound_support::*;
use runtime_support::*;

/// A header a caller left on the request, e.g. copied from another one.
const STALE: &str = r#"{"v":1,"s":0,"t":"v1.stale"}"#;
const BODY: &str = r#"{"input":"hello"}"#;

fn scoped() -> String {
    String::from_utf8(s0("v1.scoped")).unwrap()
}

/// The scope of a test: `/v1/` on `api`'s origin.
fn scope_of(api: std::net::SocketAddr) -> AttestationScope {
    let origin = format!("http://127.0.0.1:{}", api.port());
    AttestationScope::new()
        .allow_origin(&origin, "/v1/")
        .unwrap()
}

fn attested(server: &Server, scope: AttestationScope) -> AttestedClient {
    AttestedClient::new(reqwest::Client::builder(), scope, Arc::new(server.clone())).unwrap()
}

/// A request for `method` (with `body` unless empty) to `url`, carrying
/// [`STALE`].
fn request(
    client: &AttestedClient,
    method: &str,
    url: String,
    body: &str,
) -> reqwest::RequestBuilder {
    let request = client
        .request(method.parse().unwrap(), url)
        .header(HEADER_NAME, STALE);
    if body.is_empty() {
        request
    } else {
        request.body(body.to_owned())
    }
}

#[tokio::test(start_paused = true)]
async fn every_redirect_status_method_and_target_keeps_the_token_in_scope() {
    let server = server();
    let app = connect_client(&server, opted_in(&["thread-1"])).await;
    let (asked, _app) = answer_all(app, |_| "v1.scoped".to_owned());
    let context = AttestationContext::new("thread-1");

    for status in REDIRECTS {
        for (method, body) in [("GET", ""), ("POST", BODY)] {
            for target in TARGETS {
                let case = format!("{status} {method} {target:?}");
                let log = Log::default();
                let (api, other) = redirecting(&log, status, target).await;
                let client = attested(&server, scope_of(api));
                asked.store(0, Ordering::SeqCst);

                let url = format!("http://{api}{START}");
                let response = client
                    .send(request(&client, method, url, body), &context)
                    .await;
                assert_eq!(
                    response.unwrap().status(),
                    200,
                    "{case}: the redirect was followed"
                );

                let second = match target {
                    Target::SamePathInScope => vec![scoped()],
                    Target::OtherOrigin | Target::SameOriginOutOfScope => vec![],
                };
                let seen: Vec<Seen> = log.take().iter().map(Hop::seen).collect();
                let expected = expected_chain(
                    (api, other),
                    status,
                    target,
                    (method, body),
                    (vec![scoped()], second),
                );
                assert_eq!(seen, expected, "{case}");
                // The app is asked once per chain, for its first hop.
                assert_eq!(asked.load(Ordering::SeqCst), 1, "{case}");
            }
        }
    }
    assert_eq!(server.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_chain_entering_the_scope_gets_the_header_only_there() {
    let server = server();
    let app = connect_client(&server, opted_in(&["thread-1"])).await;
    let (asked, _app) = answer_all(app, |_| "v1.scoped".to_owned());
    let log = Log::default();
    let api = upstream(&log, Arc::new(|_| ok())).await;
    let location = format!("http://127.0.0.1:{}/v1/landing", api.port());
    let outside = upstream(&log, Arc::new(move |_| redirect(307, &location))).await;
    let client = attested(&server, scope_of(api));

    let url = format!("http://{outside}/v1/start");
    let response = client
        .send(
            request(&client, "POST", url, BODY),
            &AttestationContext::new("thread-1"),
        )
        .await;
    assert_eq!(response.unwrap().status(), 200);
    let seen: Vec<(u16, Vec<String>)> = log
        .take()
        .iter()
        .map(|hop| (hop.port, hop.attestation.clone()))
        .collect();
    assert_eq!(
        seen,
        [(outside.port(), vec![]), (api.port(), vec![scoped()])]
    );
    assert_eq!(asked.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn past_the_redirect_limit_the_redirect_is_the_response() {
    let server = server();
    let app = connect_client(&server, opted_in(&["thread-1"])).await;
    let (asked, _app) = answer_all(app, |_| "v1.scoped".to_owned());
    let log = Log::default();
    let api = upstream(&log, Arc::new(|_| redirect(302, START))).await;
    let client = attested(&server, scope_of(api)).with_max_redirects(2);

    let url = format!("http://{api}{START}");
    let response = client
        .send(
            request(&client, "GET", url, ""),
            &AttestationContext::new("thread-1"),
        )
        .await;
    assert_eq!(response.unwrap().status(), 302);
    let hops = log.take();
    assert_eq!(hops.len(), 3, "the first request and two redirects");
    assert!(
        hops.iter().all(|hop| hop.attestation == [scoped()]),
        "{hops:?}"
    );
    assert_eq!(asked.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn credentials_stay_on_their_origin_as_with_reqwest() {
    let server = server();
    let log = Log::default();
    let (api, _other) = redirecting(&log, 307, Target::OtherOrigin).await;
    let client = attested(&server, scope_of(api));

    let url = format!("http://{api}{START}");
    let request = request(&client, "GET", url, "")
        .header("authorization", "Bearer secret")
        .header("x-custom", "kept");
    let response = client
        .send(request, &AttestationContext::new("thread-1"))
        .await;
    assert_eq!(response.unwrap().status(), 200);
    let hops = log.take();
    assert_eq!(hops[0].header("authorization"), Some("Bearer secret"));
    assert_eq!(hops[1].header("authorization"), None);
    assert_eq!(hops[1].header("x-custom"), Some("kept"));
    // No opted-in connection: no header anywhere, and the stale one is gone.
    assert!(
        hops.iter().all(|hop| hop.attestation.is_empty()),
        "{hops:?}"
    );
}

/// Why `AttestedClient` exists: reqwest's own redirects (its default
/// policy) copy our header to another origin, even after a 302 turned the
/// POST into a GET. If this stops holding, reqwest changed.
#[tokio::test(start_paused = true)]
async fn reqwest_alone_carries_the_header_to_another_origin() {
    let server = server();
    let app = connect_client(&server, opted_in(&["thread-1"])).await;
    let (_asked, _app) = answer_all(app, |_| "v1.scoped".to_owned());
    let log = Log::default();
    let (api, other) = redirecting(&log, 302, Target::OtherOrigin).await;
    let client = reqwest::Client::new();

    let mut request = client
        .post(format!("http://{api}{START}"))
        .body(BODY)
        .build()
        .unwrap();
    let url = request.url().as_str().to_owned();
    let context = AttestationContext::new("thread-1");
    assert!(
        scope_of(api)
            .attach_to(&server, &context, url.as_str(), request.headers_mut())
            .await
    );
    assert_eq!(client.execute(request).await.unwrap().status(), 200);

    let seen: Vec<Seen> = log.take().iter().map(Hop::seen).collect();
    let first = vec![scoped()];
    let expected = expected_chain(
        (api, other),
        302,
        Target::OtherOrigin,
        ("POST", BODY),
        (first.clone(), first),
    );
    assert_eq!(seen, expected);
}

/// A redirect `AttestedClient` does not follow is the response, and no
/// second hop is made: no `Location`, a `Location` that is not http(s),
/// and a 3xx that is not a redirect to follow (300, 304).
#[tokio::test(start_paused = true)]
async fn a_redirect_that_cannot_be_followed_is_the_response() {
    let server = server();
    let cases: [(u16, &[u8]); 4] = [
        (302, b"HTTP/1.1 302 Found\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"),
        (307, b"HTTP/1.1 307 Redirect\r\nlocation: ftp://127.0.0.1/v1/x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"),
        (300, b"HTTP/1.1 300 Choices\r\nlocation: /v1/x\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"),
        (304, b"HTTP/1.1 304 Not Modified\r\nlocation: /v1/x\r\nconnection: close\r\n\r\n"),
    ];
    for (status, answer) in cases {
        let log = Log::default();
        let api = upstream(&log, Arc::new(move |_| answer.to_vec())).await;
        let client = attested(&server, scope_of(api));
        let url = format!("http://{api}{START}");
        let response = client
            .send(
                request(&client, "GET", url, ""),
                &AttestationContext::new("thread-1"),
            )
            .await;
        assert_eq!(response.unwrap().status(), status);
        assert_eq!(log.take().len(), 1, "{status}");
    }
}

/// 301 and 302 turn only POST into GET: a PUT keeps its method and body;
/// a HEAD stays HEAD on 303.
#[tokio::test(start_paused = true)]
async fn a_put_keeps_its_body_on_302_and_a_head_stays_head_on_303() {
    let server = server();
    for (status, method, body, next_method, next_body) in [
        (302, "PUT", BODY, "PUT", BODY),
        (303, "HEAD", "", "HEAD", ""),
    ] {
        let log = Log::default();
        let (api, _) = redirecting(&log, status, Target::SamePathInScope).await;
        let client = attested(&server, scope_of(api));
        let url = format!("http://{api}{START}");
        let response = client
            .send(
                request(&client, method, url, body),
                &AttestationContext::new("thread-1"),
            )
            .await;
        assert_eq!(response.unwrap().status(), 200);
        let seen: Vec<(String, String)> = log
            .take()
            .iter()
            .map(|h| (h.method.clone(), h.body.clone()))
            .collect();
        let expected = [
            (method.to_owned(), body.to_owned()),
            (next_method.to_owned(), next_body.to_owned()),
        ];
        assert_eq!(seen, expected, "{status} {method}");
    }
}
