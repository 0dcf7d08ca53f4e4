//! `--listen ws://IP:PORT`: many clients over WebSocket, one JSON-RPC
//! message per text frame, as the Codex app-server's WebSocket transport.
//! Each connection has the same shape as the stdio one — a reader, a writer
//! task fed by its own `mpsc` queue, its own integer ids — and opens its own
//! connection in the core.

use std::io;
use std::net::SocketAddr;

use futures_util::SinkExt;
use futures_util::stream::{SplitSink, StreamExt};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::mpsc;
use tokio_tungstenite::WebSocketStream;
use tokio_tungstenite::tungstenite::Message;
use tokio_tungstenite::tungstenite::protocol::WebSocketConfig;

use crate::connection::{Connection, QUEUE_CAPACITY};
use crate::host::Host;
use crate::wire::Outgoing;

/// The largest message a client may send: the frame limit of attestwire's
/// own JSONL transport. A larger one closes the connection.
const MAX_MESSAGE_BYTES: usize = 1 << 20;

/// The address of `--listen`: `ws://IP:PORT`, an IP address and not a host
/// name (the listener binds it as it is). Port 0 takes a free port; the log
/// line `codex-host: listening on ws://…` says which.
pub(crate) fn parse_listen(url: &str) -> Result<SocketAddr, String> {
    let address = url
        .strip_prefix("ws://")
        .ok_or_else(|| format!("--listen takes ws://IP:PORT, got {url:?}"))?;
    address
        .parse()
        .map_err(|_| format!("--listen takes ws://IP:PORT with an IP address, got {url:?}"))
}

/// Binds `address`; the listener then accepts clients until the process
/// ends.
pub(crate) async fn bind(address: SocketAddr) -> io::Result<TcpListener> {
    TcpListener::bind(address).await
}

/// Accepts clients on `listener` forever, each served in its own task.
pub(crate) async fn accept(host: Host, listener: TcpListener) {
    loop {
        match listener.accept().await {
            Ok((stream, peer)) => {
                let host = host.clone();
                tokio::spawn(async move { serve(&host, stream, peer).await });
            }
            // E.g. out of file descriptors: this client is lost, the
            // listener is not.
            Err(error) => eprintln!("codex-host: accepting a connection failed: {error}"),
        }
    }
}

/// Serves one client: the handshake, then its messages until it closes.
async fn serve(host: &Host, stream: TcpStream, peer: SocketAddr) {
    let config = WebSocketConfig::default().max_message_size(Some(MAX_MESSAGE_BYTES));
    let socket = match tokio_tungstenite::accept_async_with_config(stream, Some(config)).await {
        Ok(socket) => socket,
        Err(error) => {
            eprintln!("codex-host: WebSocket handshake with {peer} failed: {error}");
            return;
        }
    };
    eprintln!("codex-host: WebSocket connection from {peer}");
    let (frames_out, mut frames_in) = socket.split();
    let (outgoing, queue) = mpsc::channel(QUEUE_CAPACITY);
    let writer = tokio::spawn(write_frames(queue, frames_out));
    let mut connection = Connection::open(host, outgoing);
    while let Some(frame) = frames_in.next().await {
        match frame {
            Ok(Message::Text(text)) => connection.on_message(text.as_bytes()).await,
            // Answered by tungstenite itself (a ping) or nothing to do.
            Ok(Message::Ping(_) | Message::Pong(_) | Message::Frame(_)) => {}
            // As Codex's app-server: JSON-RPC comes in text frames only.
            Ok(Message::Binary(_)) => eprintln!("codex-host: dropped a binary frame from {peer}"),
            Ok(Message::Close(_)) => break,
            Err(error) => {
                eprintln!("codex-host: reading from {peer} failed: {error}");
                break;
            }
        }
    }
    connection.close();
    if writer.await.is_err() {
        eprintln!("codex-host: the writer task panicked");
    }
    eprintln!("codex-host: WebSocket connection from {peer} closed");
}

/// Writes each queued message as one text frame until every sender is
/// gone, then closes the socket.
async fn write_frames(
    mut queue: mpsc::Receiver<Outgoing>,
    mut frames: SplitSink<WebSocketStream<TcpStream>, Message>,
) {
    while let Some(message) = queue.recv().await {
        let text = match message.into_text() {
            Ok(text) => text,
            Err(error) => {
                eprintln!("codex-host: cannot encode a message: {error}");
                continue;
            }
        };
        let mut written = frames.feed(Message::text(text)).await;
        // One flush per burst, not per message.
        if written.is_ok() && queue.is_empty() {
            written = frames.flush().await;
        }
        if let Err(error) = written {
            // Closing the queue makes the core's sends fail (status 3) and
            // the host's return at once.
            eprintln!("codex-host: writing a frame failed: {error}");
            return;
        }
    }
    // The client may be gone already; then there is no one to tell.
    let _ = frames.close().await;
}
