//! Upstreams on loopback for the outbound tests: the recording server of
//! [`attestwire_tests::upstream`], one request per connection, every
//! request recorded in a log shared by all the upstreams of a test, so the
//! log is the redirect chain in order.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::net::SocketAddr;
use std::sync::Arc;

use attestwire_protocol::HEADER_NAME;
use attestwire_tests::upstream;

/// One request as an upstream received it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Hop {
    /// The port of the upstream that received it (its origin on 127.0.0.1).
    pub(crate) port: u16,
    pub(crate) method: String,
    /// The request target, e.g. `/v1/start`.
    pub(crate) path: String,
    /// Every `x-oai-attestation` value, in order.
    pub(crate) attestation: Vec<String>,
    pub(crate) body: String,
    /// Every header, lowercase name and value, in order.
    pub(crate) headers: Vec<(String, String)>,
}

impl Hop {
    /// The first value of header `name` (lowercase).
    pub(crate) fn header(&self, name: &str) -> Option<&str> {
        let mut found = self.headers.iter().filter(|(n, _)| n == name);
        found.next().map(|(_, value)| value.as_str())
    }

    fn from_request(request: &upstream::Request) -> Self {
        let attestation = request
            .headers
            .iter()
            .filter(|(name, _)| name == HEADER_NAME)
            .map(|(_, value)| value.clone())
            .collect();
        Self {
            port: request.port,
            method: request.method.clone(),
            path: request.target.clone(),
            attestation,
            body: String::from_utf8(request.body.clone()).unwrap(),
            headers: request.headers.clone(),
        }
    }
}

/// The requests every upstream of a test received, in order.
#[derive(Clone, Default)]
pub(crate) struct Log(upstream::Log);

impl Log {
    /// Everything received so far; the log is left empty.
    pub(crate) fn take(&self) -> Vec<Hop> {
        self.0.take().iter().map(Hop::from_request).collect()
    }
}

/// How an upstream answers a request: the bytes of the whole response.
pub(crate) type Answer = Arc<dyn Fn(&Hop) -> Vec<u8> + Send + Sync>;

/// `status` with `Location: location` and an empty body.
pub(crate) fn redirect(status: u16, location: &str) -> Vec<u8> {
    format!(
        "HTTP/1.1 {status} Redirect\r\nlocation: {location}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n"
    )
    .into_bytes()
}

/// 200 with the body `ok`.
pub(crate) fn ok() -> Vec<u8> {
    b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\nconnection: close\r\n\r\nok".to_vec()
}

/// An upstream on 127.0.0.1 (a port of its own, so an origin of its own)
/// answering every request with `answer`, recording it in `log` first
/// ([`attestwire_tests::upstream::spawn`]; a connection the client opened
/// and never used, a pool warming up, is not a hop). It runs until the
/// test's runtime ends.
pub(crate) async fn upstream(log: &Log, answer: Answer) -> SocketAddr {
    let answer = Arc::new(move |request: &upstream::Request| answer(&Hop::from_request(request)));
    let (addr, _task) = upstream::spawn(&log.0, answer).await.unwrap();
    addr
}

/// The redirect statuses every client is tested on.
pub(crate) const REDIRECTS: [u16; 5] = [301, 302, 303, 307, 308];

/// Where a redirect of the matrix points.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Target {
    /// Another port on 127.0.0.1: another origin, out of scope.
    OtherOrigin,
    /// Another path of the same origin, under the scope's prefix.
    SamePathInScope,
    /// Another path of the same origin, outside the scope's prefix.
    SameOriginOutOfScope,
}

pub(crate) const TARGETS: [Target; 3] = [
    Target::OtherOrigin,
    Target::SamePathInScope,
    Target::SameOriginOutOfScope,
];

/// The path every chain starts at; the scope is `/v1/` on the first
/// upstream's origin.
pub(crate) const START: &str = "/v1/start";

/// Two upstreams sharing `log`: `api` (in scope under `/v1/`) answers
/// [`START`] with `status` to `target` and everything else with 200;
/// `other` (another port) answers 200. Returns (api, other).
pub(crate) async fn redirecting(
    log: &Log,
    status: u16,
    target: Target,
) -> (SocketAddr, SocketAddr) {
    let other = upstream(log, Arc::new(|_| ok())).await;
    let location = match target {
        Target::OtherOrigin => format!("http://127.0.0.1:{}/v1/landing", other.port()),
        Target::SamePathInScope => "/v1/landing".to_owned(),
        Target::SameOriginOutOfScope => "/v2/landing".to_owned(),
    };
    let api = upstream(
        log,
        Arc::new(move |hop: &Hop| {
            if hop.path == START {
                redirect(status, &location)
            } else {
                ok()
            }
        }),
    )
    .await;
    (api, other)
}

/// The path the redirect of [`redirecting`] points to.
pub(crate) fn landing(target: Target) -> &'static str {
    match target {
        Target::OtherOrigin | Target::SamePathInScope => "/v1/landing",
        Target::SameOriginOutOfScope => "/v2/landing",
    }
}

/// The method and body of the second hop after `status`, by the rules
/// reqwest and tower-http follow: 301/302 turn POST into GET, 303 turns
/// everything but HEAD into GET, both dropping the body; 307/308 keep
/// both.
pub(crate) fn redirected(status: u16, method: &str, body: &str) -> (String, String) {
    match (status, method) {
        (301 | 302, "POST") | (303, _) => ("GET".to_owned(), String::new()),
        _ => (method.to_owned(), body.to_owned()),
    }
}

/// What a hop's side saw, without the other headers.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Seen {
    pub(crate) port: u16,
    pub(crate) method: String,
    pub(crate) path: String,
    pub(crate) attestation: Vec<String>,
    pub(crate) body: String,
}

impl Hop {
    pub(crate) fn seen(&self) -> Seen {
        Seen {
            port: self.port,
            method: self.method.clone(),
            path: self.path.clone(),
            attestation: self.attestation.clone(),
            body: self.body.clone(),
        }
    }
}

/// What each side of a chain should see when `method` with `body` starts
/// at `api`'s [`START`] carrying `first` and is redirected with `status`
/// to `target`, whose hop carries `second`.
pub(crate) fn expected_chain(
    (api, other): (SocketAddr, SocketAddr),
    status: u16,
    target: Target,
    (method, body): (&str, &str),
    (first, second): (Vec<String>, Vec<String>),
) -> Vec<Seen> {
    let (next_method, next_body) = redirected(status, method, body);
    let next_port = match target {
        Target::OtherOrigin => other.port(),
        Target::SamePathInScope | Target::SameOriginOutOfScope => api.port(),
    };
    vec![
        Seen {
            port: api.port(),
            method: method.to_owned(),
            path: START.to_owned(),
            attestation: first,
            body: body.to_owned(),
        },
        Seen {
            port: next_port,
            method: next_method,
            path: landing(target).to_owned(),
            attestation: second,
            body: next_body,
        },
    ]
}
