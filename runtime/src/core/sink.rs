//! How the core hands outgoing messages to its host: a sink that takes one
//! message at once or refuses it, never a wait.

use std::fmt;

use tokio::sync::mpsc;

/// One message the core wants on the wire: a complete, compact JSON-RPC
/// message. The host frames it as its transport needs: one line of JSONL
/// ([`into_line`](Self::into_line)), one WebSocket text frame
/// ([`into_string`](Self::into_string)), or a `serde_json::Value` of its own
/// queue ([`as_str`](Self::as_str) through `serde_json::from_str`).
#[derive(Clone, PartialEq, Eq)]
pub struct OutgoingMessage {
    // The JSON followed by one `\n`: the JSONL host (ours) writes it as it
    // is, without copying.
    line: String,
}

impl OutgoingMessage {
    /// Encodes `message`; `None` (logged) if serialization fails, which the
    /// wire types never do.
    pub(crate) fn encode(message: &impl serde::Serialize) -> Option<Self> {
        match serde_json::to_string(message) {
            Ok(mut line) => {
                line.push('\n');
                Some(Self { line })
            }
            Err(error) => {
                tracing::error!(%error, "could not encode an outgoing message");
                None
            }
        }
    }

    /// The JSON text, without a newline.
    pub fn as_str(&self) -> &str {
        self.line.strip_suffix('\n').unwrap_or(&self.line)
    }

    /// The JSON text, without a newline.
    pub fn into_string(mut self) -> String {
        self.line.pop();
        self.line
    }

    /// The JSON text followed by `\n`: one JSONL frame.
    pub fn into_line(self) -> Vec<u8> {
        self.line.into_bytes()
    }

    /// The length of [`as_str`](Self::as_str), in bytes.
    pub fn len(&self) -> usize {
        self.line.len() - 1
    }

    /// Always `false`: a message is never empty. (For clippy's `len`
    /// convention.)
    pub fn is_empty(&self) -> bool {
        false
    }
}

impl fmt::Debug for OutgoingMessage {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        // Only requests go out through a sink, and they carry no secret; the
        // length keeps large messages out of logs all the same.
        f.debug_struct("OutgoingMessage")
            .field("bytes", &self.len())
            .finish_non_exhaustive()
    }
}

/// Why a sink refused a message. Either way the request it carried ends at
/// once with [`RequestError::Canceled`](crate::RequestError::Canceled)
/// (attestation status 3): the core never waits for a host.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum SinkError {
    /// The connection's outgoing queue has no room now.
    #[error("the connection's outgoing queue is full")]
    Full,
    /// The connection's writer is gone.
    #[error("the connection's writer is closed")]
    Closed,
}

/// Where the core puts a connection's outgoing messages. `try_send` must
/// not block or wait: take the message, or refuse it.
///
/// Implemented for Tokio's `mpsc::Sender<OutgoingMessage>` and
/// `UnboundedSender<OutgoingMessage>`, and for any
/// `Fn(OutgoingMessage) -> Result<(), SinkError>`, so a host with a writer
/// queue of its own type adapts it in a closure:
///
/// ```
/// # use attestwire_runtime::{OutgoingMessage, SinkError};
/// # enum HostOutgoing { Raw(String) }
/// let (writer, _queue) = tokio::sync::mpsc::channel::<HostOutgoing>(128);
/// let sink = move |message: OutgoingMessage| {
///     writer.try_send(HostOutgoing::Raw(message.into_string())).map_err(SinkError::from)
/// };
/// # let _: &dyn attestwire_runtime::MessageSink = &sink;
/// ```
pub trait MessageSink: Send + Sync + 'static {
    /// Queues `message` for the connection's writer, now or never.
    fn try_send(&self, message: OutgoingMessage) -> Result<(), SinkError>;
}

impl<F> MessageSink for F
where
    F: Fn(OutgoingMessage) -> Result<(), SinkError> + Send + Sync + 'static,
{
    fn try_send(&self, message: OutgoingMessage) -> Result<(), SinkError> {
        self(message)
    }
}

impl MessageSink for mpsc::Sender<OutgoingMessage> {
    fn try_send(&self, message: OutgoingMessage) -> Result<(), SinkError> {
        mpsc::Sender::try_send(self, message).map_err(SinkError::from)
    }
}

impl MessageSink for mpsc::UnboundedSender<OutgoingMessage> {
    fn try_send(&self, message: OutgoingMessage) -> Result<(), SinkError> {
        self.send(message).map_err(|_| SinkError::Closed)
    }
}

impl<T> From<mpsc::error::TrySendError<T>> for SinkError {
    fn from(error: mpsc::error::TrySendError<T>) -> Self {
        match error {
            mpsc::error::TrySendError::Full(_) => Self::Full,
            mpsc::error::TrySendError::Closed(_) => Self::Closed,
        }
    }
}
