//! Noticing the end of the handshake from outside the runtime.
//!
//! The runtime's public API says nothing about a connection's handshake
//! state, so the probe watches the server's side of the wire instead: the
//! runtime answers `initialize` with a result (the only success response it
//! ever sends) after marking the connection initialized, so once that line
//! is written the connection is eligible for attestation requests.

use std::io;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use attestwire_protocol::{InitializeResponse, JsonRpcMessage};
use tokio::io::AsyncWrite;
use tokio::sync::oneshot;

/// The longest server line the tap looks at. The `initialize` result is a
/// few hundred bytes; longer lines (none are expected) are skipped, so the
/// tap's memory stays bounded whatever happens.
const MAX_OBSERVED_LINE: usize = 64 * 1024;

/// Passes the server's writes through to the client's stdin unchanged and
/// fires `initialized` when the `initialize` result has been written. After
/// that it only forwards.
pub(crate) struct HandshakeTap<W> {
    inner: W,
    line: Vec<u8>,
    /// The current line is longer than [`MAX_OBSERVED_LINE`]: skip to its end.
    skipping: bool,
    initialized: Option<oneshot::Sender<()>>,
}

impl<W> HandshakeTap<W> {
    /// The tap, and what resolves once the handshake's answer is written.
    pub(crate) fn new(inner: W) -> (Self, oneshot::Receiver<()>) {
        let (initialized, receiver) = oneshot::channel();
        let tap = Self {
            inner,
            line: Vec::new(),
            skipping: false,
            initialized: Some(initialized),
        };
        (tap, receiver)
    }

    fn observe(&mut self, mut written: &[u8]) {
        while self.initialized.is_some() && !written.is_empty() {
            let (chunk, rest, complete) = match written.iter().position(|&b| b == b'\n') {
                Some(end) => (&written[..end], &written[end + 1..], true),
                None => (written, &[][..], false),
            };
            written = rest;
            if !self.skipping && self.line.len() + chunk.len() <= MAX_OBSERVED_LINE {
                self.line.extend_from_slice(chunk);
            } else {
                self.skipping = true;
                self.line.clear();
            }
            if complete {
                if !self.skipping && is_initialize_result(&self.line) {
                    if let Some(initialized) = self.initialized.take() {
                        // The receiver may be gone (the probe gave up): fine.
                        let _ = initialized.send(());
                    }
                    self.line = Vec::new();
                }
                self.line.clear();
                self.skipping = false;
            }
        }
    }
}

fn is_initialize_result(line: &[u8]) -> bool {
    match serde_json::from_slice::<JsonRpcMessage>(line) {
        Ok(JsonRpcMessage::Response(response)) => {
            serde_json::from_value::<InitializeResponse>(response.result).is_ok()
        }
        _ => false,
    }
}

impl<W: AsyncWrite + Unpin> AsyncWrite for HandshakeTap<W> {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let written = ready!(Pin::new(&mut self.inner).poll_write(cx, buf))?;
        // Only what was actually written counts: the line has reached the
        // client's pipe.
        self.observe(&buf[..written]);
        Poll::Ready(Ok(written))
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const RESULT: &[u8] =
        br#"{"jsonrpc":"2.0","id":0,"result":{"serverInfo":{"name":"s","version":"1"}}}"#;

    fn fired(writes: &[&[u8]]) -> bool {
        let (mut tap, mut receiver) = HandshakeTap::new(Vec::<u8>::new());
        for write in writes {
            tap.observe(write);
        }
        receiver.try_recv().is_ok()
    }

    #[test]
    fn fires_on_the_initialize_result_split_anywhere() {
        let line = [RESULT, b"\n"].concat();
        for split in 0..line.len() {
            let (a, b) = line.split_at(split);
            assert!(fired(&[a, b]), "split at {split}");
        }
    }

    #[test]
    fn ignores_errors_and_requests_and_partial_lines() {
        assert!(!fired(&[
            br#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}"#,
            b"\n",
            br#"{"jsonrpc":"2.0","id":1,"method":"attestation/generate","params":{}}"#,
            b"\n",
            RESULT,
        ]));
    }

    #[test]
    fn a_result_after_an_overlong_line_still_counts() {
        let long = vec![b'x'; MAX_OBSERVED_LINE + 1];
        assert!(fired(&[&long, b"\n", RESULT, b"\n"]));
        let mut glued = long.clone();
        glued.extend_from_slice(RESULT);
        assert!(!fired(&[&glued, b"\n"]));
    }
}
