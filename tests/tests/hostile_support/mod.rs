//! Helpers the hostile-peer tests add to `runtime_support`: a reader that
//! counts what the server took from a client, and the check that a header
//! is one of the five envelopes.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::task::{Context, Poll};

use http::HeaderValue;
use tokio::io::{AsyncRead, ReadBuf};

/// Counts the bytes read through it: how much of a client's stream the
/// server has taken in, whatever it buffers internally.
pub(crate) struct CountingReader<R> {
    inner: R,
    read: Arc<AtomicUsize>,
}

impl<R> CountingReader<R> {
    /// Wraps `inner`; the returned counter follows every read.
    pub(crate) fn new(inner: R) -> (Self, Arc<AtomicUsize>) {
        let read = Arc::new(AtomicUsize::new(0));
        let counter = Arc::clone(&read);
        (Self { inner, read }, counter)
    }
}

impl<R: AsyncRead + Unpin> AsyncRead for CountingReader<R> {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        let before = buf.filled().len();
        let polled = Pin::new(&mut self.inner).poll_read(cx, buf);
        let n = buf.filled().len() - before;
        self.read.fetch_add(n, Ordering::SeqCst);
        polled
    }
}

/// Whether `header` is one of DESIGN.md's five envelopes: status 1 to 4
/// byte for byte, or status 0 with a token of 1 to 8192 visible ASCII bytes.
pub(crate) fn is_envelope(header: &HeaderValue) -> bool {
    let header = header.as_bytes();
    let fixed: [&[u8]; 4] = [
        br#"{"v":1,"s":1}"#,
        br#"{"v":1,"s":2}"#,
        br#"{"v":1,"s":3}"#,
        br#"{"v":1,"s":4}"#,
    ];
    fixed.contains(&header)
        || header
            .strip_prefix(br#"{"v":1,"s":0,"t":""#)
            .and_then(|rest| rest.strip_suffix(br#""}"#))
            .is_some_and(|token| {
                (1..=8192).contains(&token.len())
                    && token.iter().all(|&b| (0x21..=0x7E).contains(&b))
            })
}
