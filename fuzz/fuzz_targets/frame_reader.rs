//! The runtime's JSONL frame reader fed arbitrary bytes (no newline, huge
//! lines, invalid UTF-8) in chunks of fuzz-chosen sizes, under a small frame
//! limit. Properties: no panic; the line buffer never holds more than the
//! limit (allocated, not only used); every line returned is at most the
//! limit and has no newline; and the frames are exactly those of a plain
//! split on `\n` (a line over the limit ends the stream with `TooLong`).
//!
//! Input: `[limit, repeat, chunks, chunk sizes…, stream…]`. The stream is
//! repeated `2^(repeat % 12)` times (at most 64 KiB, 16 times the 4 KiB limit) so that short inputs can
//! make lines much longer than the limit.
#![no_main]

use std::future::Future;
use std::io;
use std::pin::{Pin, pin};
use std::task::{Context, Poll, Waker};

use attestwire_runtime::__fuzz::{Frame, FrameReader};
use libfuzzer_sys::fuzz_target;
use tokio::io::{AsyncRead, ReadBuf};

const MAX_STREAM: usize = 64 * 1024;

/// The stream `base` repeated up to `len` bytes.
#[derive(Clone, Copy)]
struct Stream<'a> {
    base: &'a [u8],
    len: usize,
}

impl Stream<'_> {
    fn at(self, i: usize) -> u8 {
        self.base[i % self.base.len()]
    }
}

/// Serves the stream in reads of the sizes in `sizes`, cycling; a size 0
/// means "not ready yet" once (the reader must cope with `Pending`), 255
/// means "all that fits".
struct ChunkedReader<'a> {
    stream: Stream<'a>,
    pos: usize,
    sizes: &'a [u8],
    next_size: usize,
}

impl AsyncRead for ChunkedReader<'_> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let size = self.sizes[self.next_size % self.sizes.len()];
        self.next_size += 1;
        if size == 0 {
            cx.waker().wake_by_ref();
            return Poll::Pending;
        }
        // 255 stands for "as much as the reader asks for".
        let size = if size == u8::MAX {
            usize::MAX
        } else {
            usize::from(size)
        };
        let n = size.min(buf.remaining()).min(self.stream.len - self.pos);
        let mut left = n;
        while left > 0 {
            let base = self.stream.base;
            let offset = self.pos % base.len();
            let take = left.min(base.len() - offset);
            buf.put_slice(&base[offset..offset + take]);
            self.pos += take;
            left -= take;
        }
        Poll::Ready(Ok(()))
    }
}

/// What the reader must return next: a plain split on `\n`.
struct Model<'a> {
    stream: Stream<'a>,
    pos: usize,
    limit: usize,
    line: Vec<u8>,
}

enum Expected<'a> {
    Line(&'a [u8]),
    TooLong,
    Eof,
}

impl Model<'_> {
    fn next(&mut self) -> Expected<'_> {
        if self.pos == self.stream.len {
            return Expected::Eof;
        }
        self.line.clear();
        while self.pos < self.stream.len {
            let byte = self.stream.at(self.pos);
            self.pos += 1;
            if byte == b'\n' {
                return Expected::Line(&self.line);
            }
            if self.line.len() == self.limit {
                return Expected::TooLong;
            }
            self.line.push(byte);
        }
        Expected::Line(&self.line)
    }
}

fn block_on<F: Future>(future: F) -> F::Output {
    let mut future = pin!(future);
    let mut cx = Context::from_waker(Waker::noop());
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut cx) {
            return output;
        }
    }
}

fuzz_target!(|data: &[u8]| {
    let [limit, repeat, chunks, rest @ ..] = data else {
        return;
    };
    // Mostly tiny limits (cheap to cross), sometimes the 4 KiB of the brief.
    let limit = match limit {
        0..=0xEF => usize::from(*limit),
        0xF0..=0xF7 => 4096,
        _ => 1024,
    };
    let chunk_count = usize::from(chunks % 8) + 1;
    if rest.len() <= chunk_count {
        return;
    }
    let (sizes, base) = rest.split_at(chunk_count);
    if sizes.iter().all(|&size| size == 0) {
        return;
    }
    let len = (base.len() << (repeat % 12)).min(MAX_STREAM);
    let stream = Stream { base, len };

    let reader = ChunkedReader {
        stream,
        pos: 0,
        sizes,
        next_size: 0,
    };
    let mut frames = FrameReader::new(reader, limit);
    let mut model = Model {
        stream,
        pos: 0,
        limit,
        line: Vec::new(),
    };
    block_on(async {
        let at_eof = loop {
            let frame = frames.next_frame().await.expect("the reader never fails");
            let expected = model.next();
            match (frame, expected) {
                (Frame::Line(line), Expected::Line(want)) => {
                    assert!(line.len() <= limit, "a line of {} > {limit}", line.len());
                    assert!(!line.contains(&b'\n'));
                    assert!(line == want, "the line differs from a split on newline");
                }
                (Frame::TooLong, Expected::TooLong) => break false,
                (Frame::Eof, Expected::Eof) => break true,
                (frame, _) => panic!("unexpected frame {frame:?}"),
            }
            assert!(
                frames.line_capacity() <= limit,
                "line buffer of {} bytes over the limit of {limit}",
                frames.line_capacity()
            );
        };
        assert!(frames.line_capacity() <= limit);
        if at_eof {
            // At the end it stays at the end.
            let again = frames.next_frame().await.expect("the reader never fails");
            assert_eq!(again, Frame::Eof);
        }
    });
});
