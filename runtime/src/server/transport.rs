//! JSONL framing: a line reader bounded by the frame limit, and the writer
//! that drains a connection's outgoing queue within a write-stall limit.

use std::io;
use std::task::Poll;
use std::time::Duration;

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};

use crate::server::outbox::Inbox;

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
/// one line (allocated, not only used) plus the read buffer.
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

    /// Bytes allocated for the current line: at most the limit. The read
    /// buffer (a fixed 8 KiB) comes on top.
    pub(crate) fn line_capacity(&self) -> usize {
        self.line.capacity()
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
            let needed = self.line.len() + chunk.len();
            if needed > self.limit {
                return Ok(Frame::TooLong);
            }
            if needed > self.line.capacity() {
                // `extend_from_slice` alone would grow the buffer to up to
                // twice the limit (amortized doubling); keep the doubling
                // but stop it at the limit.
                let target = needed.max(self.line.capacity() * 2).min(self.limit);
                self.line.reserve_exact(target - self.line.len());
            }
            self.line.extend_from_slice(chunk);
            self.inner.consume(used);
            if complete {
                return Ok(Frame::Line(&self.line));
            }
        }
    }
}

/// Why the writer stopped early.
pub(crate) enum WriteError {
    /// Writing failed.
    Io(io::Error),
    /// A write or flush made no progress for the stall limit: the peer
    /// stopped reading.
    Stalled,
}

/// Writes queued lines until every sender is gone, then shuts the stream
/// down so the peer sees the end. A write or flush that makes no progress
/// for `stall` ends it: the peer has stopped reading, and what it holds
/// (queued bytes, pending requests) is freed by closing the connection. A
/// peer that reads slowly but steadily is never cut off, however long a line.
pub(crate) async fn write_loop<W: AsyncWrite + Unpin>(
    mut inbox: Inbox,
    mut writer: W,
    stall: Duration,
) -> Result<(), WriteError> {
    while let Some(queued) = inbox.queue.recv().await {
        let mut line = queued.line.as_slice();
        while !line.is_empty() {
            // `write` returns as soon as any bytes went out: the stall
            // clock restarts with every bit of progress.
            match bounded(stall, writer.write(line)).await? {
                0 => return Err(WriteError::Io(io::ErrorKind::WriteZero.into())),
                written => line = &line[written..],
            }
        }
        // The line's bytes leave the budget once written.
        drop(queued);
        // Flush when the queue runs dry: a burst goes out together, and no
        // message sits in a buffer while nothing else is coming.
        if inbox.queue.is_empty() {
            bounded(stall, writer.flush()).await?;
        }
    }
    bounded(stall, writer.flush()).await?;
    bounded(stall, writer.shutdown()).await
}

/// `io`, or [`WriteError::Stalled`] when it makes no progress for `stall`.
async fn bounded<T>(
    stall: Duration,
    io: impl std::future::Future<Output = io::Result<T>>,
) -> Result<T, WriteError> {
    let mut io = std::pin::pin!(io);
    // Most writes complete at once. Only one that has to wait arms the
    // timer: a timeout on every write read the clock twice per message and
    // cost figure 5 much of its throughput (BENCHMARKS.md).
    let ready = std::future::poll_fn(|cx| Poll::Ready(io.as_mut().poll(cx))).await;
    let result = match ready {
        Poll::Ready(result) => result,
        Poll::Pending => match tokio::time::timeout(stall, io).await {
            Ok(result) => result,
            Err(_) => return Err(WriteError::Stalled),
        },
    };
    result.map_err(WriteError::Io)
}

#[cfg(test)]
mod tests {
    use std::collections::VecDeque;
    use std::pin::Pin;
    use std::task::{Context, Poll};

    use tokio::io::ReadBuf;

    use super::*;

    /// Hands out one chunk per read, as a socket does.
    struct Chunks(VecDeque<Vec<u8>>);

    impl AsyncRead for Chunks {
        fn poll_read(
            mut self: Pin<&mut Self>,
            _: &mut Context<'_>,
            buf: &mut ReadBuf<'_>,
        ) -> Poll<io::Result<()>> {
            if let Some(mut chunk) = self.0.pop_front() {
                let n = chunk.len().min(buf.remaining());
                buf.put_slice(&chunk[..n]);
                if n < chunk.len() {
                    self.0.push_front(chunk.split_off(n));
                }
            }
            Poll::Ready(Ok(()))
        }
    }

    fn block_on<F: std::future::Future>(future: F) -> F::Output {
        tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(future)
    }

    // Regression: a line arriving as 2100 + 1000 + 996 bytes grew the buffer
    // by doubling to 4200 bytes, past a 4096-byte limit (with the default
    // 1 MiB limit, to up to 2 MiB). The `frame_reader` fuzz target's
    // capacity check finds this within a second from an empty corpus.
    #[test]
    fn line_buffer_never_grows_past_the_limit() {
        const LIMIT: usize = 4096;
        let chunks = [
            vec![b'a'; 2100],
            vec![b'a'; 1000],
            vec![b'a'; 996],
            b"\n".to_vec(),
        ];
        let mut reader = FrameReader::new(Chunks(chunks.into()), LIMIT);
        block_on(async {
            match reader.next_frame().await.unwrap() {
                Frame::Line(line) => assert_eq!(line.len(), LIMIT),
                _ => panic!("expected the line"),
            }
            assert!(
                reader.line_capacity() <= LIMIT,
                "{}",
                reader.line_capacity()
            );
            assert!(matches!(reader.next_frame().await.unwrap(), Frame::Eof));
        });
    }

    // Regression: the first chunk of a line got `Vec`'s minimum capacity of
    // 8 bytes, past a limit of 5.
    #[test]
    fn line_one_byte_over_the_limit_in_small_chunks_is_too_long() {
        let chunks = [vec![b'a'; 3], vec![b'a'; 3], b"\n".to_vec()];
        let mut reader = FrameReader::new(Chunks(chunks.into()), 5);
        block_on(async {
            assert!(matches!(reader.next_frame().await.unwrap(), Frame::TooLong));
            assert!(reader.line_capacity() <= 5);
        });
    }
}
