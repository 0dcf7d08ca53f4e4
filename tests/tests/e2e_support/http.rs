//! A recording upstream HTTP server on 127.0.0.1:0 and a minimal HTTP/1.1
//! client, hand-written over tokio's `TcpStream` so that the tests need no
//! HTTP crate: each request is written with `connection: close` (or the
//! request's own `connection` header), answered `200`, and the connection
//! closed.

use std::net::SocketAddr;
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The most a request head may take; the tests send a few hundred bytes.
const MAX_HEAD: usize = 64 * 1024;

/// A request as the upstream received it.
#[derive(Debug, Clone)]
pub(crate) struct Recorded {
    pub(crate) method: String,
    pub(crate) target: String,
    /// In order, names lower-cased, values as sent.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: Vec<u8>,
    /// When the whole request had arrived.
    pub(crate) at: Instant,
}

impl Recorded {
    /// Every value of header `name`.
    pub(crate) fn values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// The upstream server; stops when dropped.
pub(crate) struct Upstream {
    addr: SocketAddr,
    received: mpsc::UnboundedReceiver<Recorded>,
    task: JoinHandle<()>,
}

impl Upstream {
    pub(crate) async fn start() -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let (record, received) = mpsc::unbounded_channel();
        let task = tokio::spawn(async move {
            loop {
                let Ok((stream, _)) = listener.accept().await else {
                    return;
                };
                let record = record.clone();
                tokio::spawn(async move {
                    if let Some(request) = serve_one(stream).await {
                        let _ = record.send(request);
                    }
                });
            }
        });
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

async fn serve_one(mut stream: TcpStream) -> Option<Recorded> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        assert!(buf.len() < MAX_HEAD, "request head too long");
        let mut chunk = [0; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        buf.extend_from_slice(&chunk[..n]);
    };
    let head = String::from_utf8(buf[..head_end].to_vec()).unwrap();
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next().unwrap().split(' ');
    let method = request_line.next().unwrap().to_owned();
    let target = request_line.next().unwrap().to_owned();
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line.split_once(':').unwrap();
            (name.trim().to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| v.parse().unwrap());
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        let mut chunk = [0; 4096];
        let n = stream.read(&mut chunk).await.ok()?;
        if n == 0 {
            return None;
        }
        body.extend_from_slice(&chunk[..n]);
    }
    let at = Instant::now();
    let _ = stream
        .write_all(b"HTTP/1.1 200 OK\r\ncontent-length: 0\r\nconnection: close\r\n\r\n")
        .await;
    let _ = stream.shutdown().await;
    Some(Recorded {
        method,
        target,
        headers,
        body,
        at,
    })
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
