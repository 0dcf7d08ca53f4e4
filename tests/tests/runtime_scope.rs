//! "Only outbound requests whose origin (scheme, host, port) and path
//! prefix match an allow-list get the header; for all others the app is not asked at all, and
//! a header already on an out-of-scope request is removed (a redirect to
//! another host must not carry the token)." And "when `attach` skips a
//! request, it says why at debug level", never with the token.

mod runtime_support;

use std::convert::Infallible;
use std::future::Ready;
use std::io;
use std::sync::atomic::Ordering;
use std::sync::{Arc, Mutex};
use std::task::{Context, Poll};

use attestwire_protocol::HEADER_NAME;
use attestwire_runtime::{AttestationContext, AttestationLayer, AttestationScope, Server};
use http::header::LOCATION;
use http::{Request, Response, StatusCode};
use runtime_support::*;
use tower_http::follow_redirect::FollowRedirectLayer;
use tower_layer::Layer;
use tower_service::Service;

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
        "https://api.example.com:8443/v1/responses",
        "ws://api.example.com/v1/responses",
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

/// One request as the fake upstream received it.
#[derive(Debug, PartialEq)]
struct Hop {
    uri: String,
    /// Every `x-oai-attestation` value, in order.
    attestation: Vec<String>,
}

/// An in-memory HTTP client: records every request, answers the first one
/// with `status` and `Location: location` and every later one with 200.
/// Clones share the record, as FollowRedirect and our layer clone it.
#[derive(Clone)]
struct Upstream {
    hops: Arc<Mutex<Vec<Hop>>>,
    status: StatusCode,
    location: &'static str,
}

// `String` as the request body: FollowRedirect needs `Body + Default`, and
// rebuilds a body whose size hint is exactly 0 with `Default`.
impl Service<Request<String>> for Upstream {
    type Response = Response<()>;
    type Error = Infallible;
    type Future = Ready<Result<Response<()>, Infallible>>;

    fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
        Poll::Ready(Ok(()))
    }

    fn call(&mut self, request: Request<String>) -> Self::Future {
        let mut hops = self.hops.lock().unwrap();
        hops.push(Hop {
            uri: request.uri().to_string(),
            attestation: request
                .headers()
                .get_all(HEADER_NAME)
                .iter()
                .map(|value| String::from_utf8_lossy(value.as_bytes()).into_owned())
                .collect(),
        });
        let response = if hops.len() == 1 {
            Response::builder()
                .status(self.status)
                .header(LOCATION, self.location)
                .body(())
                .unwrap()
        } else {
            Response::new(())
        };
        std::future::ready(Ok(response))
    }
}

/// The s=0 header for the fake app's token, as text.
fn scoped() -> String {
    String::from_utf8(s0("v1.scoped")).unwrap()
}

/// A header a caller left on the request, e.g. copied from an earlier
/// request's headers: FollowRedirect copies it to every hop.
const STALE: &[u8] = br#"{"v":1,"s":0,"t":"v1.stale"}"#;

/// POSTs to `uri` for thread-1, carrying [`STALE`], through
/// FollowRedirect over our layer over an upstream that answers the first
/// hop with `status` to `location`; returns the hops the upstream saw.
async fn follow(
    server: &Server,
    uri: &str,
    status: StatusCode,
    location: &'static str,
) -> Vec<Hop> {
    let hops = Arc::new(Mutex::new(Vec::new()));
    let upstream = Upstream {
        hops: Arc::clone(&hops),
        status,
        location,
    };
    let attestation = AttestationLayer::new(Arc::new(server.clone()), scope());
    let mut client = FollowRedirectLayer::new().layer(attestation.layer(upstream));

    let mut request = Request::post(uri)
        .header(HEADER_NAME, STALE)
        .body(String::new())
        .unwrap();
    request
        .extensions_mut()
        .insert(AttestationContext::new("thread-1"));
    std::future::poll_fn(|cx| client.poll_ready(cx))
        .await
        .unwrap();
    let response = client.call(request).await.unwrap();
    assert_eq!(
        response.status(),
        StatusCode::OK,
        "the redirect was followed"
    );
    std::mem::take(&mut *hops.lock().unwrap())
}

// FollowRedirect (tower-http 0.6) snapshots the request's headers before
// our layer runs and copies them to every later hop; it rebuilds each later
// request with `Request::new`, so the `AttestationContext` extension does
// not follow. The token our layer attached to the first hop therefore never
// reaches the copy, but a header the request arrived with does: only our
// layer stripping it keeps it off the next host.
#[tokio::test(start_paused = true)]
async fn redirect_to_another_host_carries_no_header() {
    let server = server();
    let app = connect_client(&server, opted_in(&["thread-1"])).await;
    let (asked, _app) = answer_all(app, |_| "v1.scoped".to_owned());

    // 302 turns the POST into a GET; 307 keeps the method and the body.
    for status in [StatusCode::FOUND, StatusCode::TEMPORARY_REDIRECT] {
        asked.store(0, Ordering::SeqCst);
        let hops = follow(
            &server,
            "https://api.example.com/v1/responses",
            status,
            "https://evil.example.net/v1/responses",
        )
        .await;
        assert_eq!(
            hops,
            [
                Hop {
                    uri: "https://api.example.com/v1/responses".to_owned(),
                    attestation: vec![scoped()],
                },
                Hop {
                    uri: "https://evil.example.net/v1/responses".to_owned(),
                    attestation: vec![],
                },
            ],
            "{status}"
        );
        // Out of scope the app is never asked: once, for the first hop.
        assert_eq!(asked.load(Ordering::SeqCst), 1, "{status}");
    }
    assert_eq!(server.pending_count(), 0);
}

// In scope, the redirected hop would deserve a fresh header, but it arrives
// without the `AttestationContext` (FollowRedirect does not carry
// extensions), so our layer cannot know the thread: it strips the copied
// header and sends none, and the app is asked only for the first hop.
#[tokio::test(start_paused = true)]
async fn redirect_within_scope_loses_the_context_and_gets_no_header() {
    let server = server();
    let app = connect_client(&server, opted_in(&["thread-1"])).await;
    let (asked, _app) = answer_all(app, |_| "v1.scoped".to_owned());

    let hops = follow(
        &server,
        "https://api.example.com/v1/responses",
        StatusCode::TEMPORARY_REDIRECT,
        "/v1/other",
    )
    .await;
    assert_eq!(
        hops,
        [
            Hop {
                uri: "https://api.example.com/v1/responses".to_owned(),
                attestation: vec![scoped()],
            },
            Hop {
                uri: "https://api.example.com/v1/other".to_owned(),
                attestation: vec![],
            },
        ]
    );
    assert_eq!(asked.load(Ordering::SeqCst), 1);
    assert_eq!(server.pending_count(), 0);
}

/// Collects everything the subscriber writes.
#[derive(Clone, Default)]
struct Capture(Arc<Mutex<Vec<u8>>>);

impl io::Write for Capture {
    fn write(&mut self, bytes: &[u8]) -> io::Result<usize> {
        self.0.lock().unwrap().extend_from_slice(bytes);
        Ok(bytes.len())
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Capture {
    fn take(&self) -> String {
        String::from_utf8(std::mem::take(&mut *self.0.lock().unwrap())).unwrap()
    }
}

#[tokio::test(start_paused = true)]
async fn a_skipped_request_says_why_at_debug_level_and_never_logs_a_token() {
    const SECRET: &str = "v1.SECRET-scope-token";
    let capture = Capture::default();
    let writer = capture.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_max_level(tracing::Level::DEBUG)
        .with_writer(move || writer.clone())
        .finish();
    // Single-threaded test runtime: the thread's default sees every task.
    let _subscriber = tracing::subscriber::set_default(subscriber);
    let server = server();
    let app = connect_client(&server, opted_in(&["thread-1"])).await;
    let (_asked, _app) = answer_all(app, |_| SECRET.to_owned());
    let context = AttestationContext::new("thread-1");
    let stale = format!(r#"{{"v":1,"s":0,"t":"{SECRET}"}}"#);

    let cases = [
        (
            "https://other.example.com/v1/x?key=QUERY",
            "no rule has the target's origin",
        ),
        (
            "https://api.example.com:8443/v1/x",
            "no rule has the target's origin",
        ),
        (
            "https://api.example.com/v2/x",
            "no rule of the target's origin covers its path",
        ),
        ("/v1/x", "the target has no scheme or host"),
    ];
    for (uri, reason) in cases {
        let mut out = outbound(uri);
        out.headers_mut()
            .insert(HEADER_NAME, stale.parse().unwrap());
        assert!(!scope().attach(&server, &context, &mut out).await, "{uri}");
        let logged = capture.take();
        assert!(logged.contains("DEBUG"), "{uri}: {logged}");
        assert!(
            logged.contains("x-oai-attestation not attached"),
            "{uri}: {logged}"
        );
        assert!(logged.contains(reason), "{uri}: {logged}");
        assert!(logged.contains("removed_existing=true"), "{uri}: {logged}");
        assert!(!logged.contains(SECRET), "{uri}: {logged}");
        assert!(!logged.contains("QUERY"), "{uri}: {logged}");
    }
    let logged = capture.take();
    assert_eq!(logged, "");

    // Attached: the token is on the request, never in the log.
    let mut out = outbound("https://api.example.com/v1/x");
    assert!(scope().attach(&server, &context, &mut out).await);
    let logged = capture.take();
    assert!(!logged.contains(SECRET), "{logged}");
    assert!(!logged.contains("not attached"), "{logged}");
}
