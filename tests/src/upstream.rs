//! A recording upstream HTTP/1.1 server for the cross-crate tests. It only
//! listens on loopback (127.0.0.1, a port of its own) and records what each
//! request ("hop") carried: the request line's method and target, the
//! headers (names lower-cased, values as sent, in order), the
//! `content-length` body, the port that received it, and when it had
//! arrived. Hand-written over tokio's `TcpStream`, one request per
//! connection, so that the tests need no HTTP server crate.

use std::io;
use std::net::SocketAddr;
use std::sync::{Arc, Mutex};
use std::time::Instant;

use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::task::JoinHandle;

/// The most a request head may take; the tests send a few hundred bytes.
const MAX_HEAD: usize = 64 * 1024;

/// One request as an upstream received it.
#[derive(Debug, Clone)]
pub struct Request {
    /// The port of the upstream that received it (its origin on 127.0.0.1).
    pub port: u16,
    /// The request line's method.
    pub method: String,
    /// The request line's target, e.g. `/v1/start`.
    pub target: String,
    /// In order, names lower-cased, values as sent.
    pub headers: Vec<(String, String)>,
    /// The `content-length` bytes after the head.
    pub body: Vec<u8>,
    /// When the whole request had arrived.
    pub at: Instant,
}

impl Request {
    /// Every value of header `name`.
    pub fn values(&self, name: &str) -> Vec<&str> {
        self.headers
            .iter()
            .filter(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
            .collect()
    }
}

/// How an upstream answers a request: the bytes of the whole response.
/// It is called once the request has arrived, before it is answered.
pub type Answer = Arc<dyn Fn(&Request) -> Vec<u8> + Send + Sync>;

/// The requests every upstream sharing it received, in order of arrival.
#[derive(Clone, Default)]
pub struct Log(Arc<Mutex<Vec<Request>>>);

impl Log {
    /// Everything received so far; the log is left empty.
    pub fn take(&self) -> Vec<Request> {
        std::mem::take(&mut *self.0.lock().unwrap_or_else(|e| e.into_inner()))
    }
}

/// Spawns an upstream on 127.0.0.1:0 answering every request with
/// `answer` and recording it in `log` first: once a client has the answer,
/// the request is in the log. A connection closed before a whole request
/// arrived is not recorded. Returns the address and the accepting task,
/// which runs until it is aborted or the test's runtime ends.
pub async fn spawn(log: &Log, answer: Answer) -> io::Result<(SocketAddr, JoinHandle<()>)> {
    let listener = TcpListener::bind("127.0.0.1:0").await?;
    let addr = listener.local_addr()?;
    let log = log.clone();
    let task = tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            let (log, answer) = (log.clone(), Arc::clone(&answer));
            tokio::spawn(async move { serve_one(stream, addr.port(), &log, &answer).await });
        }
    });
    Ok((addr, task))
}

async fn serve_one(mut stream: TcpStream, port: u16, log: &Log, answer: &Answer) {
    let Some(request) = read_request(&mut stream, port).await else {
        return;
    };
    let response = answer(&request);
    log.0
        .lock()
        .unwrap_or_else(|e| e.into_inner())
        .push(request);
    // The client may be gone (one that refused a redirect); the request is
    // recorded either way.
    let _ = stream.write_all(&response).await;
    let _ = stream.shutdown().await;
}

/// Reads one request: its head, and a body of `content-length` bytes.
async fn read_request(stream: &mut TcpStream, port: u16) -> Option<Request> {
    let mut buf = Vec::new();
    let head_end = loop {
        if let Some(at) = buf.windows(4).position(|w| w == b"\r\n\r\n") {
            break at;
        }
        assert!(buf.len() < MAX_HEAD, "request head too long");
        read_more(stream, &mut buf).await?;
    };
    let head = String::from_utf8(buf[..head_end].to_vec())
        .unwrap_or_else(|e| panic!("request head not UTF-8: {e}"));
    let mut lines = head.split("\r\n");
    let mut request_line = lines.next()?.split(' ');
    let method = request_line.next()?.to_owned();
    let target = request_line.next()?.to_owned();
    let headers: Vec<(String, String)> = lines
        .map(|line| {
            let (name, value) = line
                .split_once(':')
                .unwrap_or_else(|| panic!("not a header line: {line:?}"));
            (name.trim().to_ascii_lowercase(), value.trim().to_owned())
        })
        .collect();
    let length: usize = headers
        .iter()
        .find(|(n, _)| n == "content-length")
        .map_or(0, |(_, v)| {
            v.parse()
                .unwrap_or_else(|e| panic!("bad content-length {v:?}: {e}"))
        });
    let mut body = buf[head_end + 4..].to_vec();
    while body.len() < length {
        read_more(stream, &mut body).await?;
    }
    Some(Request {
        port,
        method,
        target,
        headers,
        body,
        at: Instant::now(),
    })
}

/// Appends what the next read brings; `None` when the client is gone.
async fn read_more(stream: &mut TcpStream, buf: &mut Vec<u8>) -> Option<()> {
    let mut chunk = [0; 4096];
    match stream.read(&mut chunk).await {
        Ok(0) | Err(_) => None,
        Ok(n) => {
            buf.extend_from_slice(&chunk[..n]);
            Some(())
        }
    }
}
