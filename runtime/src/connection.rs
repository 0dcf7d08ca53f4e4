//! One connection: its reader and writer, run together until the stream
//! ends, and the cleanup that resolves its pending requests.

use std::fmt;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::mpsc;

use crate::dispatch;
use crate::error::ServeError;
use crate::registry::ConnectionId;
use crate::server::Shared;
use crate::transport::{self, Frame, FrameReader};

/// How long a closing connection may take to write what is still queued
/// (such as the frame-limit error) to a peer that has stopped reading.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// A registered connection, made by [`Server::connect`](crate::Server::connect).
/// Its id is known before it runs; [`serve`](Self::serve) drives it.
pub struct Connection<R, W> {
    guard: ConnectionGuard,
    reader: R,
    writer: W,
    answers: mpsc::Sender<Vec<u8>>,
    queue: mpsc::Receiver<Vec<u8>>,
}

impl<R, W> Connection<R, W>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    pub(crate) fn new(
        shared: Arc<Shared>,
        id: ConnectionId,
        reader: R,
        writer: W,
        answers: mpsc::Sender<Vec<u8>>,
        queue: mpsc::Receiver<Vec<u8>>,
    ) -> Self {
        Self {
            guard: ConnectionGuard { shared, id },
            reader,
            writer,
            answers,
            queue,
        }
    }

    /// The connection's id, for [`Server::subscribe`](crate::Server::subscribe)
    /// and [`Server::request`](crate::Server::request).
    pub fn id(&self) -> ConnectionId {
        self.guard.id
    }

    /// Serves the connection until the client closes it, a line exceeds the
    /// frame limit, or I/O fails. On return (or when this future is dropped)
    /// the connection is unregistered and its pending requests resolve with
    /// [`RequestError::Canceled`](crate::RequestError::Canceled) at once.
    ///
    /// The reader answers the handshake and protocol errors itself and only
    /// hands responses to their waiting callers; it never waits for a
    /// caller. The writer drains the outgoing queue. Both run inside this
    /// future (no task is spawned), so it works on any Tokio runtime flavour.
    pub async fn serve(self) -> Result<(), ServeError> {
        let Self {
            guard,
            reader,
            writer,
            answers,
            queue,
        } = self;
        let id = guard.id;
        let shared = Arc::clone(&guard.shared);
        tracing::debug!(connection = id.get(), "connection opened");

        let frames = FrameReader::new(reader, shared.config.frame_limit);
        let mut writer = pin!(transport::write_loop(queue, writer));
        let ended = tokio::select! {
            result = read_loop(&shared, id, frames, answers) => Ended::Reader(result),
            result = &mut writer => Ended::Writer(result),
        };
        // Unregistering drops the registry's queue sender and every pending
        // waiter of this connection: callers get `Canceled` now, not at their
        // deadline.
        drop(guard);
        let result = match ended {
            Ended::Reader(result) => {
                // The reader's and the registry's senders are gone, so the
                // writer ends once the queue is drained.
                match tokio::time::timeout(CLOSE_GRACE, writer).await {
                    Ok(Ok(())) => {}
                    Ok(Err(error)) => {
                        tracing::debug!(connection = id.get(), %error, "could not flush on close");
                    }
                    Err(_) => {
                        tracing::debug!(
                            connection = id.get(),
                            "peer stopped reading; dropped queued messages"
                        );
                    }
                }
                result
            }
            Ended::Writer(result) => result.map_err(ServeError::Io),
        };
        match &result {
            Ok(()) => tracing::debug!(connection = id.get(), "connection closed"),
            Err(error @ ServeError::FrameTooLong { .. }) => {
                tracing::error!(connection = id.get(), %error, "connection closed");
            }
            Err(error) => tracing::warn!(connection = id.get(), %error, "connection closed"),
        }
        result
    }
}

impl<R, W> fmt::Debug for Connection<R, W> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("Connection")
            .field("id", &self.guard.id)
            .finish_non_exhaustive()
    }
}

enum Ended {
    Reader(Result<(), ServeError>),
    Writer(std::io::Result<()>),
}

/// Reads lines and answers them until the stream ends.
async fn read_loop<R: AsyncRead + Unpin>(
    shared: &Shared,
    id: ConnectionId,
    mut frames: FrameReader<R>,
    answers: mpsc::Sender<Vec<u8>>,
) -> Result<(), ServeError> {
    loop {
        match frames.next_frame().await? {
            Frame::Eof => return Ok(()),
            Frame::TooLong => {
                let limit = shared.config.frame_limit;
                // Best effort: a full queue means the peer is not reading.
                if let Some(line) = dispatch::frame_too_long(limit)
                    && answers.try_send(line).is_err()
                {
                    tracing::debug!(
                        connection = id.get(),
                        "queue full; frame-limit error not sent"
                    );
                }
                return Err(ServeError::FrameTooLong { limit });
            }
            Frame::Line(line) => {
                if let Some(answer) = dispatch::handle_line(shared, id, line) {
                    // Waiting here is back pressure from a peer that reads
                    // slowly, never a wait on a caller or handler.
                    if answers.send(answer).await.is_err() {
                        return Ok(());
                    }
                }
            }
        }
    }
}

/// Unregisters the connection when dropped: after `serve` returns, when its
/// future is dropped, or when the `Connection` is never served.
struct ConnectionGuard {
    shared: Arc<Shared>,
    id: ConnectionId,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let removed = self.shared.registry().remove(self.id);
        // Dropped after the lock is released: this wakes the waiters.
        drop(removed);
    }
}
