//! The built-in server's errors: why a served connection ended.

use std::io;
use std::time::Duration;

/// Why [`Connection::serve`](crate::Connection::serve) ended other than by a
/// clean end of the stream.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ServeError {
    /// A line was longer than the frame limit. The rest of it was never read,
    /// and the connection was closed.
    #[error("a line exceeded the frame limit of {limit} bytes; connection closed")]
    FrameTooLong {
        /// The frame limit in force, in bytes.
        limit: usize,
    },
    /// One write to the client made no progress for the write-stall limit:
    /// it stopped reading. The connection was closed.
    #[error(
        "a write made no progress for {limit:?} (the client stopped reading); connection closed"
    )]
    WriteStalled {
        /// The write-stall limit in force.
        limit: Duration,
    },
    /// Reading from or writing to the stream failed.
    #[error("connection I/O failed: {0}")]
    Io(#[from] io::Error),
}
