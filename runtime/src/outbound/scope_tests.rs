//! The scope's rules and `attach`/`attach_to` with a counting provider.

use std::sync::atomic::{AtomicUsize, Ordering};

use http::HeaderValue;

use super::*;
use crate::core::attestation::HeaderFuture;

fn uri(text: &str) -> Uri {
    text.parse().unwrap()
}

/// Answers every call with `value` and counts the calls.
struct Fixed {
    value: Option<&'static str>,
    asked: AtomicUsize,
}

impl Fixed {
    fn new(value: Option<&'static str>) -> Self {
        Self {
            value,
            asked: AtomicUsize::new(0),
        }
    }
}

impl AttestationProvider for Fixed {
    fn header_for_request<'a>(&'a self, _: &'a AttestationContext) -> HeaderFuture<'a> {
        self.asked.fetch_add(1, Ordering::SeqCst);
        Box::pin(async { self.value.map(HeaderValue::from_static) })
    }
}

/// A request to `uri` that already carries `values`, in order.
fn carrying(uri: &str, values: &[&'static str]) -> Request<()> {
    let mut request = Request::get(uri).body(()).unwrap();
    for value in values {
        request
            .headers_mut()
            .append(HEADER_NAME, HeaderValue::from_static(value));
    }
    request
}

fn header_values(headers: &HeaderMap) -> Vec<&[u8]> {
    let values = headers.get_all(HEADER_NAME);
    values.iter().map(HeaderValue::as_bytes).collect()
}

const STALE: &str = r#"{"v":1,"s":0,"t":"v1.stale"}"#;
const OTHER: &str = r#"{"v":1,"s":1}"#;
const FRESH: &str = r#"{"v":1,"s":0,"t":"v1.fresh"}"#;

fn scope() -> AttestationScope {
    AttestationScope::new().allow("https", "api.example.com", "/v1/")
}

#[tokio::test]
async fn out_of_scope_attach_removes_every_value_and_never_asks() {
    let provider = Fixed::new(Some(FRESH));
    let context = AttestationContext::new("t");
    for values in [&[STALE][..], &[STALE, OTHER]] {
        let mut request = carrying("https://evil.example.net/v1/x", values);
        assert!(!scope().attach(&provider, &context, &mut request).await);
        assert_eq!(
            header_values(request.headers()),
            Vec::<&[u8]>::new(),
            "{values:?}"
        );
    }
    assert_eq!(provider.asked.load(Ordering::SeqCst), 0);
}

#[tokio::test]
async fn in_scope_attach_without_a_value_removes_every_value() {
    let provider = Fixed::new(None);
    let mut request = carrying("https://api.example.com/v1/x", &[STALE, OTHER]);
    let context = AttestationContext::new("t");
    assert!(!scope().attach(&provider, &context, &mut request).await);
    assert_eq!(header_values(request.headers()), Vec::<&[u8]>::new());
    assert_eq!(provider.asked.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn in_scope_attach_replaces_every_value_with_one() {
    let provider = Fixed::new(Some(FRESH));
    let mut request = carrying("https://api.example.com/v1/x", &[STALE, OTHER]);
    let context = AttestationContext::new("t");
    assert!(scope().attach(&provider, &context, &mut request).await);
    assert_eq!(header_values(request.headers()), [FRESH.as_bytes()]);
    assert_eq!(provider.asked.load(Ordering::SeqCst), 1);
}

#[tokio::test]
async fn attach_to_works_on_any_uri_and_header_map() {
    let provider = Fixed::new(Some(FRESH));
    let context = AttestationContext::new("t");
    let scope = scope();

    let mut headers = HeaderMap::new();
    headers.append(HEADER_NAME, HeaderValue::from_static(STALE));
    let in_scope = "https://api.example.com/v1/x";
    assert!(
        scope
            .attach_to(&provider, &context, in_scope, &mut headers)
            .await
    );
    assert_eq!(header_values(&headers), [FRESH.as_bytes()]);

    let parsed = uri("wss://api.example.com/v1/socket");
    assert!(
        scope
            .attach_to(&provider, &context, &parsed, &mut headers)
            .await
    );
    assert_eq!(provider.asked.load(Ordering::SeqCst), 2);

    // Not a URI, a relative one, and another port: removed, never asked.
    for target in ["not a uri", "/v1/x", "https://api.example.com:8443/v1/x"] {
        headers.append(HEADER_NAME, HeaderValue::from_static(STALE));
        assert!(
            !scope
                .attach_to(&provider, &context, target, &mut headers)
                .await
        );
        assert_eq!(header_values(&headers), Vec::<&[u8]>::new(), "{target}");
    }
    assert_eq!(provider.asked.load(Ordering::SeqCst), 2);
}

#[test]
fn scope_matches_origin_and_segment_prefix() {
    let scope = AttestationScope::new().allow("https", "api.example.com", "/v1");
    assert!(scope.contains(&uri("https://api.example.com/v1")));
    assert!(scope.contains(&uri("https://API.example.com/v1/responses?x=1")));
    assert!(scope.contains(&uri("https://api.example.com:443/v1/responses")));
    assert!(!scope.contains(&uri("https://api.example.com:8443/v1/responses")));
    assert!(!scope.contains(&uri("https://api.example.com/v1beta")));
    assert!(!scope.contains(&uri("https://api.example.com/v10")));
    assert!(!scope.contains(&uri("http://api.example.com/v1/responses")));
    assert!(!scope.contains(&uri("https://api.example.com.evil.test/v1/responses")));
    assert!(!scope.contains(&uri("/v1/responses")));
}

#[test]
fn contains_takes_strings_and_uris() {
    let scope = scope();
    let text = String::from("https://api.example.com/v1/x");
    assert!(scope.contains(text.as_str()));
    assert!(scope.contains(&text));
    assert!(scope.contains(text.clone()));
    assert!(scope.contains(&uri(&text)));
    assert!(!scope.contains("https://api.example.com/v2/x"));
    assert!(!scope.contains("not a uri"));
    assert!(!scope.contains(""));
}

#[test]
fn websocket_schemes_share_the_rules_of_their_http_twins() {
    let https = AttestationScope::new().allow("https", "api.example.com", "/v1/");
    assert!(https.contains("wss://api.example.com/v1/socket"));
    assert!(https.contains("wss://api.example.com:443/v1/socket"));
    assert!(!https.contains("ws://api.example.com/v1/socket"));
    assert!(!https.contains("wss://api.example.com:8443/v1/socket"));

    let ws = AttestationScope::new()
        .allow_origin("ws://127.0.0.1:9000", "/")
        .unwrap();
    assert!(ws.contains("http://127.0.0.1:9000/x"));
    assert!(ws.contains("ws://127.0.0.1:9000/x"));
    assert!(!ws.contains("wss://127.0.0.1:9000/x"));
    assert!(!ws.contains("ws://127.0.0.1:9001/x"));
}

#[test]
fn allow_origin_takes_a_port_and_refuses_what_is_not_an_origin() {
    let scope = AttestationScope::new()
        .allow_origin("https://API.example.com:8443", "/v1/")
        .unwrap()
        .allow_origin("http://[::1]:8080/", "/")
        .unwrap()
        .allow_origin("https://plain.example.com", "/")
        .unwrap();
    assert!(scope.contains("https://api.example.com:8443/v1/x"));
    assert!(!scope.contains("https://api.example.com/v1/x"));
    assert!(scope.contains("http://[::1]:8080/x"));
    assert!(scope.contains("https://plain.example.com:443/x"));
    assert_eq!(
        AttestationScope::new().allow("http", "::1", "/"),
        AttestationScope::new()
            .allow_origin("http://[::1]:80", "/")
            .unwrap()
    );

    for bad in [
        "",
        "api.example.com",
        "/v1/",
        "https://api.example.com/v1/",
        "https://api.example.com/?q=1",
        "https://api.example.com/#f",
        "https://user@api.example.com",
        "https://api.example.com:notaport",
    ] {
        let Err(error) = AttestationScope::new().allow_origin(bad, "/") else {
            panic!("{bad:?} was taken as an origin");
        };
        assert!(
            error.to_string().contains("is not an origin"),
            "{bad}: {error}"
        );
    }
}

#[test]
fn allow_with_an_empty_scheme_or_host_adds_nothing() {
    assert_eq!(
        AttestationScope::new().allow("", "a.test", "/"),
        AttestationScope::new()
    );
    assert_eq!(
        AttestationScope::new().allow("https", "", "/"),
        AttestationScope::new()
    );
}

#[test]
fn root_prefix_covers_every_path() {
    let scope = AttestationScope::new().allow("https", "api.example.com", "/");
    assert!(scope.contains(&uri("https://api.example.com/")));
    assert!(scope.contains(&uri("https://api.example.com")));
    assert!(scope.contains(&uri("https://api.example.com/anything/at/all")));
}

#[test]
fn empty_scope_contains_nothing() {
    assert!(!AttestationScope::new().contains(&uri("https://api.example.com/")));
}
