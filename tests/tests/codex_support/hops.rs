//! HTTP servers on 127.0.0.1 that record every request they receive and
//! answer each by its path: a redirect, or `200`. Hand-written HTTP/1.1
//! over tokio's `TcpStream`, one request per connection (each answer says
//! `connection: close`), so that the tests need no HTTP server crate.

use std::net::SocketAddr;
use std::sync::Arc;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The most a request head may take; the host sends a few hundred bytes.
const MAX_HEAD: usize = 64 * 1024;

/// One request as a server received it.
#[derive(Debug, Clone)]
pub(crate) struct Hop {
    /// Which server: the name given to [`Server::start`].
    pub(crate) server: &'static str,
    pub(crate) method: String,
    pub(crate) target: String,
    /// In order, names lower-cased, values as sent.
    pub(crate) headers: Vec<(String, String)>,
    pub(crate) body: String,
}

impl Hop {
    /// Every value of header `name`.
    pub(crate) fn values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// How a server answers a request target: `(status, location)`; no
/// location is a `200`.
pub(crate) type Answer = Arc<dyn Fn(&str) -> (u16, Option<String>) + Send + Sync>;

/// A recording server; stops when dropped.
pub(crate) struct Server {
    pub(crate) addr: SocketAddr,
    task: JoinHandle<()>,
}

impl Server {
    /// Listens on 127.0.0.1:0, answering as `answer` says and sending each
    /// request to `record` before answering it: once a client has the
    /// answer, the request is in the channel.
    pub(crate) async fn start(
        name: &'static str,
        record: mpsc::UnboundedSender<Hop>,
        answer: Answer,
    ) -> Self {
        let listener = TcpListener::bind("127.0.0.1:0").await.unwrap();
        let addr = listener.local_addr().unwrap();
        let task = tokio::spawn(async move {
            while let Ok((stream, _)) = listener.accept().await {
                let (record, answer) = (record.clone(), answer.clone());
                tokio::spawn(async move { serve_one(name, stream, &record, &answer).await });
            }
        });
        Self { addr, task }
    }

    /// `http://127.0.0.1:PORT{path}`.
    pub(crate) fn url(&self, path: &str) -> String {
        format!("http://{}{path}", self.addr)
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.task.abort();
    }
}

async fn serve_one(
    server: &'static str,
    mut stream: TcpStream,
    record: &mpsc::UnboundedSender<Hop>,
    answer: &Answer,
) {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        assert!(buf.len() < MAX_HEAD, "request head too long");
        let mut chunk = [0; 4096];
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => buf.extend_from_slice(&chunk[..n]),
        }
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
        match stream.read(&mut chunk).await {
            Ok(0) | Err(_) => return,
            Ok(n) => body.extend_from_slice(&chunk[..n]),
        }
    }
    let (status, location) = answer(&target);
    let _ = record.send(Hop {
        server,
        method,
        target,
        headers,
        body: String::from_utf8_lossy(&body).into_owned(),
    });
    let location = location.map_or(String::new(), |l| format!("location: {l}\r\n"));
    let response =
        format!("HTTP/1.1 {status} X\r\n{location}content-length: 0\r\nconnection: close\r\n\r\n");
    let _ = stream.write_all(response.as_bytes()).await;
    let _ = stream.shutdown().await;
}
