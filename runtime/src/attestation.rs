//! The attestation flow: which connection to ask, and how the outcome
//! becomes the `x-oai-attestation` header value.

use std::future::Future;
use std::pin::Pin;

use attestwire_protocol::{
    AttestationGenerate, AttestationGenerateParams, AttestationGenerateResponse, AttestationHeader,
};
use http::HeaderValue;

use crate::error::RequestError;
use crate::registry::ConnectionId;
use crate::server::Server;

/// The future returned by [`AttestationProvider::header_for_request`].
pub type HeaderFuture<'a> = Pin<Box<dyn Future<Output = Option<HeaderValue>> + Send + 'a>>;

/// What an outbound request is made for.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub struct AttestationContext {
    /// The conversation thread the request belongs to; only a connection
    /// subscribed to it is asked.
    pub thread_id: String,
}

impl AttestationContext {
    /// The context of a request made for `thread_id`.
    pub fn new(thread_id: impl Into<String>) -> Self {
        Self {
            thread_id: thread_id.into(),
        }
    }
}

/// Produces the `x-oai-attestation` header value for an outbound request.
/// Object-safe, so a server can hold it as `Arc<dyn AttestationProvider>`.
pub trait AttestationProvider: Send + Sync {
    /// The header value for a request made in `context`, or `None` when no
    /// header is to be sent at all. Implementations never panic and never
    /// log the token.
    fn header_for_request<'a>(&'a self, context: &'a AttestationContext) -> HeaderFuture<'a>;
}

/// Asks the lowest-id live connection that finished `initialize`, set
/// `capabilities.requestAttestation` and is subscribed to the thread; `None`
/// (the app is not asked) when there is no such connection. The request runs
/// under [`ServerConfig::attestation_deadline`](crate::ServerConfig::attestation_deadline),
/// and its outcome maps to the envelope:
///
/// | outcome | value |
/// |---|---|
/// | a valid token | `{"v":1,"s":0,"t":"…"}` |
/// | no answer before the deadline | `{"v":1,"s":1}` |
/// | a JSON-RPC error | `{"v":1,"s":2}` |
/// | the connection closed or the send failed | `{"v":1,"s":3}` |
/// | not `{ token }`, or a token breaking the token rule | `{"v":1,"s":4}` |
///
/// The value is marked sensitive, so its `Debug` output hides the token.
impl AttestationProvider for Server {
    fn header_for_request<'a>(&'a self, context: &'a AttestationContext) -> HeaderFuture<'a> {
        Box::pin(async move {
            let target = self
                .shared()
                .registry()
                .attestation_target(&context.thread_id);
            let Some(connection) = target else {
                tracing::debug!(thread = %context.thread_id, "no opted-in connection for the thread; no header");
                return None;
            };
            let outcome = self
                .request::<AttestationGenerate>(
                    connection,
                    AttestationGenerateParams {},
                    self.shared().config.attestation_deadline,
                )
                .await;
            Some(header_value(&envelope(connection, outcome)))
        })
    }
}

/// The envelope for an outcome, as in DESIGN.md's table. The token rule is
/// already enforced by `AttestationGenerateResponse`'s deserialization, so a
/// token that breaks it arrives here as `Malformed`.
fn envelope(
    connection: ConnectionId,
    outcome: Result<AttestationGenerateResponse, RequestError>,
) -> AttestationHeader {
    match outcome {
        Ok(response) => {
            tracing::debug!(
                connection = connection.get(),
                token_bytes = response.token.len(),
                "attestation token received"
            );
            AttestationHeader::ok(response.token)
        }
        Err(error) => {
            // `RequestError`'s messages never quote the client's values.
            tracing::debug!(connection = connection.get(), %error, "attestation request failed");
            match error {
                RequestError::Timeout { .. } => AttestationHeader::timeout(),
                RequestError::Rejected(_) => AttestationHeader::request_failed(),
                RequestError::Canceled => AttestationHeader::request_canceled(),
                RequestError::Malformed(_) => AttestationHeader::malformed_response(),
            }
        }
    }
}

/// The literal used if a header value were ever refused: status 4.
const MALFORMED: &str = r#"{"v":1,"s":4}"#;

fn header_value(header: &AttestationHeader) -> HeaderValue {
    // The token rule makes every envelope visible ASCII, so this cannot
    // fail; should it ever, "the answer broke the rule" is the honest status.
    let mut value = HeaderValue::from_str(&header.to_header_value())
        .unwrap_or_else(|_| HeaderValue::from_static(MALFORMED));
    // Hides the token from `Debug` and keeps it out of HPACK tables.
    value.set_sensitive(true);
    value
}
