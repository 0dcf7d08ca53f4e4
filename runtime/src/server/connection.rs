//! One connection of the built-in server: its reader, its writer and its
//! handlers, run together until the stream ends, and the cleanup that
//! resolves its pending requests.

use std::fmt;
use std::pin::pin;
use std::sync::Arc;
use std::time::Duration;

use tokio::io::{AsyncRead, AsyncWrite};
use tokio::sync::{Semaphore, oneshot};
use tokio::task::JoinSet;

use crate::core::CoreConnection;
use crate::core::registry::ConnectionId;
use crate::server::Server;
use crate::server::dispatch::{self, Work};
use crate::server::error::ServeError;
use crate::server::outbox::{Inbox, Outbox};
use crate::server::transport::{self, Frame, FrameReader, WriteError};

/// How long a closing connection may take to write what is still queued
/// (such as the frame-limit error) to a peer that has stopped reading.
const CLOSE_GRACE: Duration = Duration::from_secs(1);

/// A registered connection, made by [`Server::connect`](crate::Server::connect).
/// Its id is known before it runs; [`serve`](Self::serve) drives it.
pub struct Connection<R, W> {
    guard: ConnectionGuard,
    reader: R,
    writer: W,
    outbox: Outbox,
    inbox: Inbox,
    disconnected: oneshot::Receiver<()>,
}

impl<R, W> Connection<R, W>
where
    R: AsyncRead + Unpin,
    W: AsyncWrite + Unpin,
{
    pub(crate) fn new(
        server: Server,
        core: CoreConnection,
        reader: R,
        writer: W,
        outbox: Outbox,
        inbox: Inbox,
        disconnected: oneshot::Receiver<()>,
    ) -> Self {
        Self {
            guard: ConnectionGuard { server, core },
            reader,
            writer,
            outbox,
            inbox,
            disconnected,
        }
    }

    /// The connection's id, for [`Server::subscribe`](crate::Server::subscribe)
    /// and [`Server::request`](crate::Server::request).
    pub fn id(&self) -> ConnectionId {
        self.guard.core.id()
    }

    /// Serves the connection until the client closes it, a line exceeds the
    /// frame limit, a write stalls past the limit, I/O fails, or
    /// [`Server::disconnect`](crate::Server::disconnect) ends it. On return
    /// (or when this future is dropped) the connection is unregistered, its
    /// handlers still running are aborted, and its pending requests resolve
    /// with [`RequestError::Canceled`](crate::RequestError::Canceled) at
    /// once.
    ///
    /// The reader answers the handshake and protocol errors itself, hands
    /// responses to their waiting callers, and spawns registered handlers
    /// as Tokio tasks (so it must run inside a Tokio runtime); it never
    /// waits for a caller or a handler, only for room in the outgoing queue
    /// or under the handler bound. The writer drains the outgoing queue.
    pub async fn serve(self) -> Result<(), ServeError> {
        let Self {
            guard,
            reader,
            writer,
            outbox,
            inbox,
            disconnected,
        } = self;
        let id = guard.core.id();
        let server = guard.server.clone();
        let config = &server.shared().config;
        tracing::debug!(connection = id.get(), "connection opened");

        let frames = FrameReader::new(reader, config.frame_limit);
        let mut writer = pin!(transport::write_loop(inbox, writer, config.write_stall));
        // Dropped (aborting every task) when `serve` ends.
        let mut handlers = JoinSet::new();
        let ended = tokio::select! {
            result = read_loop(&server, id, frames, outbox, &mut handlers) => Ended::Reader(result),
            result = &mut writer => Ended::Writer(result),
            _ = disconnected => Ended::Reader(Ok(())),
        };
        // Unregistering drops the core's sink and every pending waiter of
        // this connection: callers get `Canceled` now, not at their deadline.
        drop(guard);
        drop(handlers);
        let result = match ended {
            Ended::Reader(result) => {
                // Every sender is gone (the reader's, the core's, the
                // handlers'), so the writer ends once the queue is drained.
                match tokio::time::timeout(CLOSE_GRACE, writer).await {
                    Ok(Ok(())) => {}
                    Ok(Err(WriteError::Io(error))) => {
                        tracing::debug!(connection = id.get(), %error, "could not flush on close");
                    }
                    Ok(Err(WriteError::Stalled)) | Err(_) => {
                        tracing::debug!(
                            connection = id.get(),
                            "peer stopped reading; dropped queued messages"
                        );
                    }
                }
                result
            }
            Ended::Writer(Ok(())) => Ok(()),
            Ended::Writer(Err(WriteError::Io(error))) => Err(ServeError::Io(error)),
            Ended::Writer(Err(WriteError::Stalled)) => Err(ServeError::WriteStalled {
                limit: config.write_stall,
            }),
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
            .field("id", &self.guard.core.id())
            .finish_non_exhaustive()
    }
}

enum Ended {
    Reader(Result<(), ServeError>),
    Writer(Result<(), WriteError>),
}

/// Reads lines and answers them until the stream ends.
async fn read_loop<R: AsyncRead + Unpin>(
    server: &Server,
    id: ConnectionId,
    mut frames: FrameReader<R>,
    outbox: Outbox,
    handlers: &mut JoinSet<()>,
) -> Result<(), ServeError> {
    let in_flight = Arc::new(Semaphore::new(
        server.shared().config.handlers_in_flight.max(1),
    ));
    loop {
        // Finished handlers leave the set here, so it holds only live ones.
        while handlers.try_join_next().is_some() {}
        let work = match frames.next_frame().await? {
            Frame::Eof => return Ok(()),
            Frame::TooLong => {
                let limit = server.shared().config.frame_limit;
                // Best effort: a full queue means the peer is not reading.
                if let Some(line) = dispatch::frame_too_long(limit)
                    && outbox.try_send(line).is_err()
                {
                    tracing::debug!(
                        connection = id.get(),
                        "queue full; frame-limit error not sent"
                    );
                }
                return Err(ServeError::FrameTooLong { limit });
            }
            Frame::Line(line) => dispatch::handle_line(server, id, line),
        };
        match work {
            Work::None => {}
            Work::Answer(answer) => {
                // Waiting here is back pressure from a peer that reads
                // slowly, never a wait on a caller or handler.
                if !outbox.send(answer).await {
                    return Ok(());
                }
            }
            Work::Spawn(task) => {
                // At the bound, the reader waits for a handler to finish:
                // back pressure on the client, not unbounded tasks.
                let Ok(permit) = Arc::clone(&in_flight).acquire_owned().await else {
                    return Ok(());
                };
                let outbox = outbox.clone();
                handlers.spawn(async move {
                    if let Some(answer) = task.await {
                        outbox.send(answer).await;
                    }
                    drop(permit);
                });
            }
        }
    }
}

/// Unregisters the connection when dropped: after `serve` returns, when its
/// future is dropped, or when the `Connection` is never served.
struct ConnectionGuard {
    server: Server,
    core: CoreConnection,
}

impl Drop for ConnectionGuard {
    fn drop(&mut self) {
        let removed = self.server.shared().connections().remove(&self.core.id());
        drop(removed);
        // The `CoreConnection` is dropped right after, closing it in the
        // core.
    }
}
