//! The attestation flow's API, and how an outcome becomes the
//! `x-oai-attestation` header value. Which connections it asks, and how,
//! is `fanout.rs`.

use std::future::{Future, poll_fn};
use std::pin::Pin;

use attestwire_protocol::{AttestationGenerateResponse, AttestationHeader};
use http::HeaderValue;

use crate::core::error::RequestError;
use crate::core::fanout::{self, Plan};
use crate::core::registry::ConnectionId;
use crate::core::{Core, expiry};

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

/// Why the attestation flow produced no header at all (as opposed to a
/// header with a failure status): for a host's logs and metrics.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, thiserror::Error)]
#[non_exhaustive]
pub enum NoHeader {
    /// No open connection is subscribed to the thread.
    #[error("no connection is subscribed to the thread")]
    NotSubscribed,
    /// Connections are subscribed to the thread, but none of them finished
    /// `initialize` with `capabilities.requestAttestation: true`.
    #[error("no connection subscribed to the thread opted in to attestation")]
    NotOptedIn,
}

impl Core {
    /// The header for a request made in `context`, or why there is none.
    ///
    /// Asks every open connection that finished `initialize` with
    /// `capabilities.requestAttestation` and is subscribed to the thread, at
    /// once, under one deadline
    /// ([`CoreConfig::attestation_deadline`](crate::CoreConfig::attestation_deadline),
    /// counted from this call, the sending included). The first valid token
    /// wins (tokens that arrive together, before the flow runs again, go by
    /// the lowest connection id): the other requests are dropped at once
    /// (their pending entries removed), and their late answers are dropped
    /// as any late answer is.
    /// With nobody to ask, the app is not asked and there is no header
    /// (after the [startup grace](crate::CoreConfig::startup_grace), if one
    /// is set). With one connection, its outcome maps to the envelope:
    ///
    /// | outcome | value |
    /// |---|---|
    /// | a valid token | `{"v":1,"s":0,"t":"…"}` |
    /// | no answer before the deadline | `{"v":1,"s":1}` |
    /// | a JSON-RPC error | `{"v":1,"s":2}` |
    /// | the connection closed or the send failed | `{"v":1,"s":3}` |
    /// | not `{ token }`, or a token breaking the token rule | `{"v":1,"s":4}` |
    ///
    /// With several and no token, the header waits until every request has
    /// ended (or the deadline) and reports, of their statuses, the first in
    /// this order: 4 > 2 > 1 > 3. An answer says more about the app than a
    /// silence, a malformed answer (a broken or tampered app) more than a
    /// refusal, and a hung connection more than one that went away. So every
    /// connection closing gives status 3 at once; one refusing while another
    /// stays silent gives status 2 at the deadline.
    ///
    /// The requests are sent by this call, not when the future is first
    /// polled (during a startup grace, as a connection arrives, while the
    /// future is polled); dropping the future at any point leaves nothing
    /// pending. The
    /// value is marked sensitive, so its `Debug` output hides the token.
    pub fn attestation_header(
        &self,
        context: &AttestationContext,
    ) -> impl Future<Output = Result<HeaderValue, NoHeader>> + Send + 'static {
        self.attestation_flow(context, |header| header_value(&header))
    }

    /// [`attestation_header`](Self::attestation_header) as the envelope
    /// itself, for a host that wants its text
    /// ([`AttestationHeader::to_header_value`]) or its status.
    pub fn attestation_envelope(
        &self,
        context: &AttestationContext,
    ) -> impl Future<Output = Result<AttestationHeader, NoHeader>> + Send + 'static {
        self.attestation_flow(context, |header| header)
    }

    /// The flow behind both. Every pending attestation holds this future,
    /// so its size is the flow's memory (BENCHMARKS.md, "Peers, side by
    /// side"): it holds the plan, the expiry and, while one connection is
    /// asked (the common case), that request's timer, nothing else. The
    /// plan is matched in place, never moved into a local or a nested
    /// future, which would store it twice (a rustc layout limit:
    /// BENCHMARKS.md, figure 5); every other plan runs boxed.
    fn attestation_flow<T, F>(
        &self,
        context: &AttestationContext,
        finish: F,
    ) -> impl Future<Output = Result<T, NoHeader>> + Send + 'static
    where
        F: FnOnce(AttestationHeader) -> T + Send + 'static,
    {
        // The deadline covers the whole flow, from this call.
        let expires = expiry(self.config().attestation_deadline);
        let mut plan = Plan::new(self, &context.thread_id, expires);
        async move {
            let header = match &mut plan {
                Plan::One(asked) => {
                    let reply =
                        tokio::time::timeout_at(expires, poll_fn(|cx| asked.poll_reply(cx))).await;
                    fanout::outcome(asked, reply.ok())
                }
                Plan::Skip(reason) => return Err(*reason),
                _ => Box::pin(plan.take().run(expires)).await?,
            };
            Ok(finish(header))
        }
    }
}

/// [`Core::attestation_header`], with "no header" as `None`.
impl AttestationProvider for Core {
    fn header_for_request<'a>(&'a self, context: &'a AttestationContext) -> HeaderFuture<'a> {
        Box::pin(async move { self.attestation_header(context).await.ok() })
    }
}

/// The envelope for an outcome, as in DESIGN.md's table. The token rule is
/// already enforced by `AttestationGenerateResponse`'s deserialization, so a
/// token that breaks it arrives here as `Malformed`.
pub(crate) fn envelope(
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
