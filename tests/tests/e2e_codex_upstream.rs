//! "No hop of a redirect chain outside the scope ever carries the token":
//! `codex-host --upstream http://127.0.0.1:P/v1/responses` (reqwest 0.12, as
//! Codex, through the runtime's `AttestedClient`) POSTs each turn to a
//! recording upstream that answers 301, 302, 303, 307 or 308 toward another
//! origin (same host, another port) or another path of its own origin. The
//! upstream sees the header with status 0; the redirect is followed, and
//! the other side gets the request without it. A 307 inside the scope is
//! followed with the header and the body.

mod codex_support;

use std::sync::Arc;

use codex_support::client::Answers;
use codex_support::hops::{Hop, Server};
use codex_support::{HostProcess, TOKEN, s0};
use serde_json::{Value, json};
use tokio::sync::mpsc;

const HEADER: &str = "x-oai-attestation";
const THREAD: &str = "thread-upstream";

/// Where the upstream's redirect points.
#[derive(Debug, Clone, Copy)]
enum Toward {
    /// `http://127.0.0.1:Q/v1/responses`: only the port differs.
    OtherOrigin,
    /// `/elsewhere/landing` on the upstream's own origin, outside `/v1/`.
    OtherPath,
    /// `/v1/next` on the upstream's own origin: inside the scope.
    InScope,
}

/// One turn through `codex-host --upstream`, whose upstream answers
/// `/v1/responses` with `status` toward `toward`: the turn's result and
/// every request each server received.
async fn turn_through_redirect(status: u16, toward: Toward) -> (Value, Vec<Hop>) {
    let (record, mut recorded) = mpsc::unbounded_channel();
    let other = Server::start("other origin", record.clone(), Arc::new(|_| (200, None))).await;
    let location = match toward {
        Toward::OtherOrigin => other.url("/v1/responses"),
        Toward::OtherPath => "/elsewhere/landing".to_owned(),
        Toward::InScope => "/v1/next".to_owned(),
    };
    let upstream = Server::start(
        "upstream",
        record,
        Arc::new(move |target| match target {
            "/v1/responses" => (status, Some(location.clone())),
            _ => (200, None),
        }),
    )
    .await;
    let url = upstream.url("/v1/responses");
    let (host, mut client) = HostProcess::start(&["--upstream", &url], Answers::Token);
    client.initialize().await;
    let thread = json!({ "threadId": THREAD });
    client.result("thread/start", thread.clone()).await;
    let result = client.result("turn/start", thread).await;
    host.finish(client).await;
    // The servers record each request before answering it: every hop the
    // turn made is in the channel.
    let mut hops = Vec::new();
    while let Ok(hop) = recorded.try_recv() {
        hops.push(hop);
    }
    (result, hops)
}

/// The turn's body, as the upstream receives it.
fn body() -> String {
    json!({ "threadId": THREAD }).to_string()
}

/// The first hop: the upstream got the POST, its body and status 0.
fn assert_first_hop(hops: &[Hop], result: &Value) {
    let first = &hops[0];
    assert_eq!(
        (first.server, first.method.as_str(), first.target.as_str()),
        ("upstream", "POST", "/v1/responses"),
        "{hops:#?}"
    );
    assert_eq!(first.values(HEADER), [s0(TOKEN)], "{hops:#?}");
    assert_eq!(first.body, body());
    assert_eq!(result["approval"], json!({ "decision": "approved" }));
}

/// Off the scope, the redirect is followed as reqwest would (a POST becomes
/// a GET without its body on 301, 302 and 303; 307 and 308 resend it), and
/// that hop never carries the header.
async fn off_scope(status: u16, toward: Toward) {
    let (result, hops) = turn_through_redirect(status, toward).await;
    assert_first_hop(&hops, &result);
    assert_eq!(hops.len(), 2, "{status} {toward:?}: {hops:#?}");
    let other = &hops[1];
    let (server, target) = match toward {
        Toward::OtherOrigin => ("other origin", "/v1/responses"),
        _ => ("upstream", "/elsewhere/landing"),
    };
    let (method, sent) = match status {
        307 | 308 => ("POST", body()),
        _ => ("GET", String::new()),
    };
    assert_eq!(
        (other.server, other.target.as_str(), other.method.as_str()),
        (server, target, method),
        "{status} {toward:?}: {other:#?}"
    );
    assert_eq!(other.body, sent, "{status} {toward:?}");
    assert_eq!(
        other.values(HEADER),
        Vec::<&str>::new(),
        "{status} {toward:?}: the header left the scope"
    );
    assert_eq!(result["upstream"], json!({ "status": 200 }), "{result}");
}

#[tokio::test]
async fn redirect_302_to_another_origin_never_carries_the_header_there() {
    off_scope(302, Toward::OtherOrigin).await;
}

#[tokio::test]
async fn redirect_307_post_to_another_origin_never_carries_the_header_there() {
    off_scope(307, Toward::OtherOrigin).await;
}

#[tokio::test]
async fn redirect_302_to_another_path_never_carries_the_header_there() {
    off_scope(302, Toward::OtherPath).await;
}

#[tokio::test]
async fn redirect_307_post_to_another_path_never_carries_the_header_there() {
    off_scope(307, Toward::OtherPath).await;
}

/// A 307 inside the scope is followed: the second hop is the same POST,
/// body and header included, and the turn reports its 200.
#[tokio::test]
async fn redirect_307_inside_the_scope_is_followed_with_the_header() {
    let (result, hops) = turn_through_redirect(307, Toward::InScope).await;
    assert_first_hop(&hops, &result);
    assert_eq!(hops.len(), 2, "{hops:#?}");
    let second = &hops[1];
    assert_eq!(
        (
            second.server,
            second.method.as_str(),
            second.target.as_str()
        ),
        ("upstream", "POST", "/v1/next"),
    );
    assert_eq!(second.values(HEADER), [s0(TOKEN)]);
    assert_eq!(second.body, hops[0].body);
    assert_eq!(result["upstream"], json!({ "status": 200 }), "{result}");
}

/// An upstream that is not there: the turn still ends, with `{ error }`.
#[tokio::test]
async fn an_unreachable_upstream_gives_an_error() {
    // Bound and dropped: nothing listens on the port any more.
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let url = format!("http://127.0.0.1:{port}/v1/responses");
    let (host, mut client) = HostProcess::start(&["--upstream", &url], Answers::Token);
    client.initialize().await;
    let thread = json!({ "threadId": THREAD });
    client.result("thread/start", thread.clone()).await;
    let result = client.result("turn/start", thread).await;
    host.finish(client).await;
    let error = result["upstream"]["error"].as_str().unwrap_or_default();
    assert!(error.contains("error sending request"), "{result}");
}

/// The other redirect statuses reqwest follows, both ways off the scope.
#[tokio::test]
async fn redirects_301_303_308_off_the_scope_never_carry_the_header_there() {
    for status in [301, 303, 308] {
        for toward in [Toward::OtherOrigin, Toward::OtherPath] {
            off_scope(status, toward).await;
        }
    }
}
