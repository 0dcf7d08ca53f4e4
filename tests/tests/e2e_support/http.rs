//! A recording upstream HTTP server on 127.0.0.1:0 (the server is
//! [`attestwire_tests::upstream`]) and a minimal HTTP/1.1 client,
//! hand-written over tokio's `TcpStream` so that the tests need no HTTP
//! crate: each request is written with `connection: close` (or the
//! request's own `connection` header), answered `200`, and the connection
//! closed.

use std::sync::Arc;

use attestwire_tests::upstream::{self, Log};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::TcpStream;
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// A request as the upstream received it.
pub(crate) type Recorded = upstream::Request;

/// The upstream server; stops when dropped.
pub(crate) struct Upstream {
    addr: std::net::SocketAddr,
    received: mpsc::UnboundedReceiver<Recorded>,
    task: JoinHandle<()>,
}

impl Upstream {
    pub(crate) async fn start() -> Self {
        let (record, received) = mpsc::unbounded_channel();
        let answer = Arc::new(move |request: &Recorded| {
            let _ = record.send(request.clone());
            b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n".to_vec()
        });
        let (addr, task) = upstream::spawn(&Log::default(), answer).await.unwrap();
        Self {
            addr,
            received,
            task,
        }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }

    /// The next request the upstream received.
    pub(crate) async fn next(&mut self) -> Recorded {
        self.received.recv().await.unwrap()
    }
}

impl Drop for Upstream {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Sends `request` (absolute URI `http://host:port/…`) and returns the
/// response's status code.
pub(crate) async fn send(request: &http::Request<Vec<u8>>) -> u16 {
    let uri = request.uri();
    assert_eq!(uri.scheme_str(), Some("http"), "{uri}");
    let authority = uri.authority().unwrap().as_str();
    let mut stream = TcpStream::connect(authority).await.unwrap();
    let target = uri.path_and_query().map_or("/", |p| p.as_str());
    let mut head = format!(
        "{} {target} HTTP/1.1\r\nhost: {authority}\r\n",
        request.method()
    );
    let mut out = Vec::new();
    for (name, value) in request.headers() {
        out.extend_from_slice(name.as_str().as_bytes());
        out.extend_from_slice(b": ");
        out.extend_from_slice(value.as_bytes());
        out.extend_from_slice(b"\r\n");
    }
    if !request.headers().contains_key(http::header::CONNECTION) {
        head.push_str("connection: close\r\n");
    }
    if !request.body().is_empty() || request.method() == http::Method::POST {
        head.push_str(&format!("content-length: {}\r\n", request.body().len()));
    }
    let mut bytes = head.into_bytes();
    bytes.extend_from_slice(&out);
    bytes.extend_from_slice(b"\r\n");
    bytes.extend_from_slice(request.body());
    stream.write_all(&bytes).await.unwrap();
    let mut response = Vec::new();
    stream.read_to_end(&mut response).await.unwrap();
    let status_line = String::from_utf8_lossy(&response);
    status_line
        .split(' ')
        .nth(1)
        .and_then(|code| code.parse().ok())
        .unwrap_or_else(|| panic!("not an HTTP response: {status_line:?}"))
}
