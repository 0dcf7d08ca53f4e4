//! JSONL framing: a line reader bounded by the frame limit, and the writer
//! that drains a connection's outgoing queue.

use std::io;

use serde::Serialize;
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

/// What the reader found next.
pub(crate) enum Frame<'a> {
    /// One line, without its newline.
    Line(&'a [u8]),
    /// The line is longer than the limit. Reading stopped where the limit was
    /// crossed; the caller closes the connection.
    TooLong,
    /// The stream ended.
    Eof,
}

/// Reads newline-terminated lines, never holding more than `limit` bytes of
/// one line plus the read buffer.
pub(crate) struct FrameReader<R> {
    inner: BufReader<R>,
    line: Vec<u8>,
    limit: usize,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    pub(crate) fn new(reader: R, limit: usize) -> Self {
        Self {
            inner: BufReader::new(reader),
            line: Vec::new(),
            limit,
        }
    }

    /// The next line. Unlike `read_line`, it checks the limit on every chunk
    /// read, so a line that never ends cannot fill memory.
    pub(crate) async fn next_frame(&mut self) -> io::Result<Frame<'_>> {
        self.line.clear();
        loop {
            let available = self.inner.fill_buf().await?;
            if available.is_empty() {
                // A last line without a newline still counts.
                return Ok(if self.line.is_empty() {
                    Frame::Eof
                } else {
                    Frame::Line(&self.line)
                });
            }
            let (chunk, used, complete) = match available.iter().position(|&b| b == b'\n') {
                Some(end) => (&available[..end], end + 1, true),
                None => (available, available.len(), false),
            };
            if self.line.len() + chunk.len() > self.limit {
                return Ok(Frame::TooLong);
            }
            self.line.extend_from_slice(chunk);
            self.inner.consume(used);
            if complete {
                return Ok(Frame::Line(&self.line));
            }
        }
    }
}

/// Writes queued lines until every sender is gone, then shuts the stream
/// down so the peer sees the end.
pub(crate) async fn write_loop<W: AsyncWrite + Unpin>(
    mut queue: mpsc::Receiver<Vec<u8>>,
    mut writer: W,
) -> io::Result<()> {
    while let Some(line) = queue.recv().await {
        writer.write_all(&line).await?;
        // Flush when the queue runs dry: a burst goes out together, and no
        // message sits in a buffer while nothing else is coming.
        if queue.is_empty() {
            writer.flush().await?;
        }
    }
    writer.flush().await?;
    writer.shutdown().await
}

/// One outgoing message as a compact JSON line with its newline. `None`
/// (logged) if serialization fails, which the wire types never do.
pub(crate) fn encode_line(message: &impl Serialize) -> Option<Vec<u8>> {
    match serde_json::to_vec(message) {
        Ok(mut line) => {
            line.push(b'\n');
            Some(line)
        }
        Err(error) => {
            tracing::error!(%error, "could not encode an outgoing message");
            None
        }
    }
}
