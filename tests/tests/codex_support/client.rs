//! A JSON-RPC client of codex-host, Codex-app-shaped: it sends requests
//! with integer ids, answers the host's `item/approve` and (unless silent)
//! `attestation/generate`, and records every request the host sent it. One
//! type for both transports: tasks pump JSON texts between the transport
//! and two channels.

use std::net::SocketAddr;

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;
use tokio_tungstenite::tungstenite::Message;

use super::{PATIENCE, TOKEN};

/// How the client answers `attestation/generate`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Answers {
    /// With `{ token: TOKEN }` at once.
    Token,
    /// Never: a hung window, or a connection whose app is gone unnoticed.
    Silent,
}

pub(crate) struct Client {
    out: mpsc::UnboundedSender<String>,
    incoming: mpsc::UnboundedReceiver<Value>,
    answers: Answers,
    next_id: i64,
    /// Every request the host sent, in order.
    pub(crate) asked: Vec<Value>,
    /// Requests the host sent that no call has looked at yet.
    unseen: Vec<Value>,
}

impl Client {
    fn new(
        out: mpsc::UnboundedSender<String>,
        incoming: mpsc::UnboundedReceiver<Value>,
        answers: Answers,
    ) -> Self {
        Self {
            out,
            incoming,
            answers,
            next_id: 1,
            asked: Vec::new(),
            unseen: Vec::new(),
        }
    }

    /// A client writing lines to `input` and reading lines from `output`.
    pub(crate) fn stdio(
        input: impl AsyncWrite + Unpin + Send + 'static,
        output: impl AsyncRead + Unpin + Send + 'static,
        answers: Answers,
    ) -> Self {
        let (out, mut to_send) = mpsc::unbounded_channel::<String>();
        let (received, incoming) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            let mut input = input;
            while let Some(text) = to_send.recv().await {
                if input
                    .write_all(format!("{text}\n").as_bytes())
                    .await
                    .is_err()
                {
                    return;
                }
            }
            // Every sender gone: `input` is dropped here, which closes it.
        });
        tokio::spawn(async move {
            let mut lines = BufReader::new(output).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = received.send(serde_json::from_str(&line).unwrap_or(Value::Null));
            }
        });
        Self::new(out, incoming, answers)
    }

    /// A client of `ws://address/`, one message per text frame.
    pub(crate) async fn ws(address: SocketAddr, answers: Answers) -> Self {
        let stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let url = format!("ws://{address}/");
        let (socket, _) = tokio_tungstenite::client_async(url, stream).await.unwrap();
        let (mut sink, mut frames) = socket.split();
        let (out, mut to_send) = mpsc::unbounded_channel::<String>();
        let (received, incoming) = mpsc::unbounded_channel();
        tokio::spawn(async move {
            while let Some(text) = to_send.recv().await {
                if sink.send(Message::text(text)).await.is_err() {
                    return;
                }
            }
            let _ = sink.close().await;
        });
        tokio::spawn(async move {
            while let Some(Ok(frame)) = frames.next().await {
                if let Message::Text(text) = frame {
                    let _ = received.send(serde_json::from_str(&text).unwrap_or(Value::Null));
                }
            }
        });
        Self::new(out, incoming, answers)
    }

    fn send(&self, message: &Value) {
        let _ = self.out.send(message.to_string());
    }

    /// Sends a request and returns the host's response to it (its whole
    /// message: `result` or `error`), answering the host's own requests
    /// meanwhile.
    pub(crate) async fn call(&mut self, method: &str, params: Value) -> Value {
        let id = self.next_id;
        self.next_id += 1;
        self.send(&json!({ "id": id, "method": method, "params": params }));
        loop {
            let message = self.receive(&format!("the answer to {method}")).await;
            if message.get("method").is_none() && message["id"] == id {
                return message;
            }
        }
    }

    /// [`call`](Self::call)'s `result`; fails the test on an error.
    pub(crate) async fn result(&mut self, method: &str, params: Value) -> Value {
        let answer = self.call(method, params).await;
        match answer.get("result") {
            Some(result) => result.clone(),
            None => panic!("{method} failed: {answer}"),
        }
    }

    /// `initialize` with `requestAttestation: true`, then `initialized`.
    pub(crate) async fn initialize(&mut self) {
        let params = json!({
            "clientInfo": { "name": "rust-e2e", "version": "1" },
            "capabilities": { "requestAttestation": true },
        });
        self.result("initialize", params).await;
        self.send(&json!({ "method": "initialized" }));
    }

    /// Waits until the host has sent a `method` request not looked at yet,
    /// answering as usual meanwhile, and returns it.
    pub(crate) async fn asked_for(&mut self, method: &str) -> Value {
        loop {
            if let Some(at) = self.unseen.iter().position(|r| r["method"] == method) {
                return self.unseen.remove(at);
            }
            self.receive(&format!("a {method} request")).await;
        }
    }

    /// The next message from the host; a request of the host's is recorded
    /// and answered as the client's mode says.
    async fn receive(&mut self, what: &str) -> Value {
        let message = tokio::time::timeout(PATIENCE, self.incoming.recv()).await;
        let Ok(Some(message)) = message else {
            panic!("never received {what}; the host asked for {:?}", self.asked);
        };
        if let (Some(method), Some(id)) = (message["method"].as_str(), message.get("id")) {
            let answer = match (method, self.answers) {
                ("item/approve", _) => Some(json!({ "decision": "approved" })),
                ("attestation/generate", Answers::Token) => Some(json!({ "token": TOKEN })),
                _ => None,
            };
            if let Some(result) = answer {
                self.send(&json!({ "id": id, "result": result }));
            }
            self.asked.push(message.clone());
            self.unseen.push(message.clone());
        }
        message
    }
}
