//! Not part of the API: hooks for the fuzz targets (`fuzz/`) and the
//! hostile-peer tests, which need to see inside the transport. Hidden from
//! the docs; no stability promise; a server never needs it.

use std::io;

use tokio::io::AsyncRead;

use crate::server::transport;

/// The connection's JSONL reader, as [`Connection::serve`](crate::Connection::serve)
/// runs it, with its line buffer made observable.
pub struct FrameReader<R>(transport::FrameReader<R>);

/// What [`FrameReader::next_frame`] found.
#[derive(Debug, PartialEq, Eq)]
pub enum Frame<'a> {
    /// One line, without its newline; the last line of the stream may lack
    /// one.
    Line(&'a [u8]),
    /// The line is longer than the limit; the connection would close here.
    TooLong,
    /// The stream ended.
    Eof,
}

impl<R: AsyncRead + Unpin> FrameReader<R> {
    /// A reader that refuses lines longer than `limit` bytes.
    pub fn new(reader: R, limit: usize) -> Self {
        Self(transport::FrameReader::new(reader, limit))
    }

    /// The next frame; after [`Frame::TooLong`] the server stops reading.
    pub async fn next_frame(&mut self) -> io::Result<Frame<'_>> {
        Ok(match self.0.next_frame().await? {
            transport::Frame::Line(line) => Frame::Line(line),
            transport::Frame::TooLong => Frame::TooLong,
            transport::Frame::Eof => Frame::Eof,
        })
    }

    /// Bytes allocated for the line being read: never more than the limit.
    /// (The reader's fixed 8 KiB read buffer comes on top.)
    pub fn line_capacity(&self) -> usize {
        self.0.line_capacity()
    }
}
