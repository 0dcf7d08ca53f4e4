//! HTTP servers on 127.0.0.1 that record every request they receive and
//! answer each by its path: a redirect, or `200`. The recording server is
//! [`attestwire_tests::upstream`]; one request per connection (each answer
//! says `connection: close`).

use std::net::SocketAddr;
use std::sync::Arc;

use attestwire_tests::upstream::{self, Log};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

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
        let respond = Arc::new(move |request: &upstream::Request| {
            let (status, location) = answer(&request.target);
            let _ = record.send(Hop {
                server: name,
                method: request.method.clone(),
                target: request.target.clone(),
                headers: request.headers.clone(),
                body: String::from_utf8_lossy(&request.body).into_owned(),
            });
            let location = location.map_or(String::new(), |l| format!("location: {l}\r\n"));
            format!(
                "HTTP/1.1 {status} X\r\n{location}content-length: 0\r\nconnection: close\r\n\r\n"
            )
            .into_bytes()
        });
        let (addr, task) = upstream::spawn(&Log::default(), respond).await.unwrap();
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
