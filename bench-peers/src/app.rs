//! The app on the other end of the duplex: one minimal hand-written
//! responder for every side, so only the framing differs (JSONL for
//! attestwire and rmcp, `Content-Length` headers for the LSP libraries).
//!
//! One task that never stops reading: a real desktop app reads and writes
//! independently too, and a responder that blocked on a write while the
//! library blocked on its own write would deadlock both at 10,000 in flight.

use std::io::Write as _;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use serde::Deserialize;
use serde_json::value::RawValue;
use tokio::io::{AsyncReadExt, AsyncWriteExt, DuplexStream};
use tokio::sync::{Notify, oneshot};

/// The token every answer carries.
pub(crate) const TOKEN: &str = "v1.opaque-client-payload";
/// Every side's pipe: `tokio::io::duplex` with this buffer (as figure 1).
pub(crate) const DUPLEX_BUFFER: usize = 64 * 1024;

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Framing {
    /// One JSON object per line.
    Jsonl,
    /// `Content-Length: N\r\n\r\n` then N bytes (LSP base protocol).
    ContentLength,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Answers every request at once with `{"token": TOKEN}`.
    Answer,
    /// Answers nothing until told to ([`App::answer_late`]).
    Silent,
    /// Writes every frame back as it came, unparsed (the floor).
    Echo,
}

/// The app's side of a library's handshake: the `initialize` request it
/// sends first (id 0), and the notification it sends once answered.
#[derive(Clone, Copy)]
pub(crate) struct Handshake {
    pub(crate) initialize: &'static str,
    pub(crate) initialized: &'static str,
}

/// What the app has seen, and how to make a silent app answer.
#[derive(Default)]
struct Shared {
    requests: AtomicUsize,
    cancels: AtomicUsize,
    answer_late: Notify,
    /// The first request's message, as received (framing stripped).
    first_request: std::sync::OnceLock<String>,
}

/// A running app.
pub(crate) struct App {
    shared: Arc<Shared>,
    task: tokio::task::JoinHandle<()>,
}

impl App {
    /// Requests received so far.
    pub(crate) fn requests(&self) -> usize {
        self.shared.requests.load(Ordering::Relaxed)
    }

    /// Cancel notifications received so far (`notifications/cancelled`,
    /// `$/cancelRequest`, any method naming a cancel).
    pub(crate) fn cancels(&self) -> usize {
        self.shared.cancels.load(Ordering::Relaxed)
    }

    /// The first request the app received, as the library wrote it.
    pub(crate) fn first_request(&self) -> Option<&str> {
        self.shared.first_request.get().map(String::as_str)
    }

    /// A silent app answers every request it has recorded, now.
    pub(crate) fn answer_late(&self) {
        self.shared.answer_late.notify_one();
    }
}

impl Drop for App {
    fn drop(&mut self) {
        self.task.abort();
    }
}

/// Starts the app on `stream`; the receiver resolves once the handshake is
/// done (at once without one).
pub(crate) fn spawn(
    stream: DuplexStream,
    framing: Framing,
    handshake: Option<Handshake>,
    mode: Mode,
) -> (App, oneshot::Receiver<()>) {
    let shared = Arc::new(Shared::default());
    let (ready, initialized) = oneshot::channel();
    let task = tokio::spawn(run(
        stream,
        framing,
        handshake,
        mode,
        Arc::clone(&shared),
        ready,
    ));
    (App { shared, task }, initialized)
}

#[derive(Deserialize)]
struct Incoming<'a> {
    #[serde(borrow)]
    id: Option<&'a RawValue>,
    #[serde(borrow)]
    method: Option<&'a str>,
}

async fn run(
    stream: DuplexStream,
    framing: Framing,
    handshake: Option<Handshake>,
    mode: Mode,
    shared: Arc<Shared>,
    ready: oneshot::Sender<()>,
) {
    let (mut read, mut write) = tokio::io::split(stream);
    // Reserved up front, so that what a silent app records while 10,000
    // requests are pending is not counted as the library's memory.
    let mut input: Vec<u8> = Vec::with_capacity(256 * 1024);
    let mut out: Vec<u8> = Vec::with_capacity(2 * 1024 * 1024);
    let mut written = 0;
    let mut body: Vec<u8> = Vec::with_capacity(256);
    let mut ids: Vec<u8> = Vec::with_capacity(1024 * 1024);
    let mut id_ends: Vec<usize> = Vec::with_capacity(64 * 1024);
    let mut ready = Some(ready);
    match handshake {
        Some(h) => frame(&mut out, framing, h.initialize.as_bytes()),
        None => {
            let _ = ready.take().map(|r| r.send(()));
        }
    }
    loop {
        let mut start = 0;
        while let Some((body_at, end)) = next_frame(&input[start..], framing) {
            let frame_bytes = &input[start..start + end];
            let message = &frame_bytes[body_at..];
            start += end;
            if mode == Mode::Echo {
                out.extend_from_slice(frame_bytes);
                continue;
            }
            let Ok(incoming) = serde_json::from_slice::<Incoming>(message) else {
                continue;
            };
            match (incoming.method, incoming.id) {
                (Some(_), Some(id)) => {
                    if shared.requests.fetch_add(1, Ordering::Relaxed) == 0 {
                        let text = String::from_utf8_lossy(message).trim_end().to_owned();
                        let _ = shared.first_request.set(text);
                    }
                    if mode == Mode::Answer {
                        answer(&mut out, &mut body, framing, id.get().as_bytes());
                    } else {
                        ids.extend_from_slice(id.get().as_bytes());
                        id_ends.push(ids.len());
                    }
                }
                (Some(method), None) => {
                    if method.to_ascii_lowercase().contains("cancel") {
                        shared.cancels.fetch_add(1, Ordering::Relaxed);
                    }
                }
                (None, _) => {
                    // A response: the only request the app sends is initialize.
                    if let (Some(ready), Some(h)) = (ready.take(), handshake) {
                        frame(&mut out, framing, h.initialized.as_bytes());
                        let _ = ready.send(());
                    }
                }
            }
        }
        input.drain(..start);
        if input.capacity() - input.len() < 16 * 1024 {
            input.reserve(16 * 1024);
        }
        tokio::select! {
            biased;
            result = write.write(&out[written..]), if written < out.len() => {
                let Ok(n) = result else { return };
                written += n;
                if written == out.len() {
                    out.clear();
                    written = 0;
                }
            }
            result = read.read_buf(&mut input) => {
                if !matches!(result, Ok(n) if n > 0) {
                    return;
                }
            }
            () = shared.answer_late.notified(), if mode == Mode::Silent => {
                let mut from = 0;
                for &to in &id_ends {
                    answer(&mut out, &mut body, framing, &ids[from..to]);
                    from = to;
                }
                ids.clear();
                id_ends.clear();
            }
        }
    }
}

/// Appends the answer to request `id` (its JSON text, as received).
fn answer(out: &mut Vec<u8>, body: &mut Vec<u8>, framing: Framing, id: &[u8]) {
    body.clear();
    body.extend_from_slice(b"{\"jsonrpc\":\"2.0\",\"id\":");
    body.extend_from_slice(id);
    body.extend_from_slice(b",\"result\":{\"token\":\"");
    body.extend_from_slice(TOKEN.as_bytes());
    body.extend_from_slice(b"\"}}");
    frame(out, framing, body);
}

/// Appends `message` framed.
pub(crate) fn frame(out: &mut Vec<u8>, framing: Framing, message: &[u8]) {
    match framing {
        Framing::Jsonl => {
            out.extend_from_slice(message);
            out.push(b'\n');
        }
        Framing::ContentLength => {
            let _ = write!(out, "Content-Length: {}\r\n\r\n", message.len());
            out.extend_from_slice(message);
        }
    }
}

/// The first complete frame of `input`: (where its message starts, where
/// the frame ends).
fn next_frame(input: &[u8], framing: Framing) -> Option<(usize, usize)> {
    match framing {
        Framing::Jsonl => input.iter().position(|&b| b == b'\n').map(|n| (0, n + 1)),
        Framing::ContentLength => {
            let header_end = input.windows(4).position(|w| w == b"\r\n\r\n")? + 4;
            let header = std::str::from_utf8(&input[..header_end]).ok()?;
            let length: usize = header.lines().find_map(|line| {
                let (name, value) = line.split_once(':')?;
                name.eq_ignore_ascii_case("content-length")
                    .then(|| value.trim().parse().ok())?
            })?;
            (input.len() >= header_end + length).then_some((header_end, header_end + length))
        }
    }
}
