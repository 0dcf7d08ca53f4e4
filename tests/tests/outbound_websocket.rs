//! "A client-agnostic attach (URI + header map) covers tungstenite
//! handshake requests", and "`ws`/`wss` are `http`/`https`": a WebSocket
//! handshake over real sockets on 127.0.0.1 with tokio-tungstenite, the
//! header attached to its `http::Request` before `client_async`.

mod outbound_support;
mod runtime_support;

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::Ordering;

use attestwire_protocol::HEADER_NAME;
use attestwire_runtime::{AttestationContext, AttestationScope, Server};
use http::HeaderValue;
use outbound_support::*;
use runtime_support::*;
use tokio::net::TcpStream;
use tokio_tungstenite::client_async;
use tokio_tungstenite::tungstenite::client::IntoClientRequest;
use tokio_tungstenite::tungstenite::handshake::derive_accept_key;

const STALE: &str = r#"{"v":1,"s":0,"t":"v1.stale"}"#;

fn scoped() -> String {
    String::from_utf8(s0("v1.scoped")).unwrap()
}

/// `101 Switching Protocols` for a handshake.
fn switching(hop: &Hop) -> Vec<u8> {
    let key = hop.header("sec-websocket-key").unwrap_or_default();
    let accept = derive_accept_key(key.as_bytes());
    format!(
        "HTTP/1.1 101 Switching Protocols\r\nupgrade: websocket\r\nconnection: Upgrade\r\nsec-websocket-accept: {accept}\r\n\r\n"
    )
    .into_bytes()
}

/// A WebSocket upstream on loopback: its origin as an `http` rule's.
async fn websocket_upstream(log: &Log) -> SocketAddr {
    upstream(log, Arc::new(switching)).await
}

/// A handshake request to `url` carrying [`STALE`], with the header
/// decided by `scope` for thread-1 through the client-agnostic
/// `attach_to`; returns whether it was attached and the handshake's result.
async fn handshake(
    provider: &Server,
    scope: &AttestationScope,
    addr: SocketAddr,
    url: &str,
) -> (bool, Result<u16, u16>) {
    let request = url.into_client_request().unwrap();
    let (mut parts, ()) = request.into_parts();
    parts
        .headers
        .insert(HEADER_NAME, HeaderValue::from_static(STALE));
    let context = AttestationContext::new("thread-1");
    let attached = scope
        .attach_to(provider, &context, &parts.uri, &mut parts.headers)
        .await;
    let request = http::Request::from_parts(parts, ());
    let stream = TcpStream::connect(addr).await.unwrap();
    let outcome = match client_async(request, stream).await {
        Ok((_socket, response)) => Ok(response.status().as_u16()),
        Err(tokio_tungstenite::tungstenite::Error::Http(response)) => {
            Err(response.status().as_u16())
        }
        Err(error) => panic!("handshake failed: {error}"),
    };
    (attached, outcome)
}

#[tokio::test(start_paused = true)]
async fn a_ws_handshake_under_an_http_rule_gets_the_header() {
    let server = server();
    let app = connect_client(&server, opted_in(&["thread-1"])).await;
    let (asked, _app) = answer_all(app, |_| "v1.scoped".to_owned());
    let log = Log::default();
    let api = websocket_upstream(&log).await;
    let origin = format!("http://127.0.0.1:{}", api.port());
    let scope = AttestationScope::new()
        .allow_origin(&origin, "/v1/")
        .unwrap();

    let url = format!("ws://127.0.0.1:{}/v1/socket", api.port());
    let (attached, outcome) = handshake(&server, &scope, api, &url).await;
    assert!(attached);
    assert_eq!(outcome, Ok(101));
    let hops = log.take();
    assert_eq!(hops.len(), 1);
    assert_eq!(hops[0].header("upgrade"), Some("websocket"));
    assert_eq!(hops[0].attestation, [scoped()]);
    assert_eq!(asked.load(Ordering::SeqCst), 1);
}

#[tokio::test(start_paused = true)]
async fn a_handshake_to_another_origin_or_path_carries_no_header_and_never_asks() {
    let server = server();
    let app = connect_client(&server, opted_in(&["thread-1"])).await;
    let (asked, _app) = answer_all(app, |_| "v1.scoped".to_owned());
    let log = Log::default();
    let api = websocket_upstream(&log).await;
    let other = websocket_upstream(&log).await;
    let origin = format!("http://127.0.0.1:{}", api.port());
    let scope = AttestationScope::new()
        .allow_origin(&origin, "/v1/")
        .unwrap();

    let cases = [
        (other, format!("ws://127.0.0.1:{}/v1/socket", other.port())),
        (api, format!("ws://127.0.0.1:{}/v2/socket", api.port())),
        // `wss` is `https`, never `http`: another origin of the same port.
        (api, format!("wss://127.0.0.1:{}/v1/socket", api.port())),
    ];
    for (addr, url) in &cases[..2] {
        let (attached, outcome) = handshake(&server, &scope, *addr, url).await;
        assert!(!attached, "{url}");
        assert_eq!(outcome, Ok(101), "{url}");
        let hops = log.take();
        assert_eq!(hops.len(), 1, "{url}");
        assert_eq!(hops[0].attestation, Vec::<String>::new(), "{url}");
    }
    assert!(!scope.contains(cases[2].1.as_str()));
    assert_eq!(asked.load(Ordering::SeqCst), 0);
}

/// tokio-tungstenite does not follow a redirected handshake (blocking
/// tungstenite's `connect` does, up to 3 times, resending every header):
/// the redirect is an error, and the other origin is never contacted.
#[tokio::test(start_paused = true)]
async fn a_redirected_handshake_is_not_followed() {
    let server = server();
    let app = connect_client(&server, opted_in(&["thread-1"])).await;
    let (_asked, _app) = answer_all(app, |_| "v1.scoped".to_owned());
    let log = Log::default();
    let other = websocket_upstream(&log).await;
    let location = format!("ws://127.0.0.1:{}/v1/socket", other.port());
    let api = upstream(&log, Arc::new(move |_| redirect(302, &location))).await;
    let origin = format!("http://127.0.0.1:{}", api.port());
    let scope = AttestationScope::new()
        .allow_origin(&origin, "/v1/")
        .unwrap();

    let url = format!("ws://127.0.0.1:{}/v1/socket", api.port());
    let (attached, outcome) = handshake(&server, &scope, api, &url).await;
    assert!(attached);
    assert_eq!(outcome, Err(302));
    let seen: Vec<(u16, Vec<String>)> = log
        .take()
        .iter()
        .map(|h| (h.port, h.attestation.clone()))
        .collect();
    assert_eq!(seen, [(api.port(), vec![scoped()])]);
}
