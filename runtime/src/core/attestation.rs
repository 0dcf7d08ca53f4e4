//! The attestation flow: which connection to ask, and how the outcome
//! becomes the `x-oai-attestation` header value.

use std::future::Future;
use std::pin::Pin;

use attestwire_protocol::{
    AttestationGenerate, AttestationGenerateParams, AttestationGenerateResponse, AttestationHeader,
};
use http::HeaderValue;

use crate::core::error::RequestError;
use crate::core::registry::{ConnectionId, Registry};
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
    /// Asks the lowest-id open connection that finished `initialize` with
    /// `capabilities.requestAttestation` and is subscribed to the thread;
    /// without one, the app is not asked. The request runs under
    /// [`CoreConfig::attestation_deadline`](crate::CoreConfig::attestation_deadline),
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

    /// The flow behind both. The request future is made and awaited inside
    /// the one async block, never moved out of a captured variable: a moved
    /// future keeps a second slot in the state machine, which doubled the
    /// memory of every pending attestation (BENCHMARKS.md, figure 5).
    fn attestation_flow<T: 'static>(
        &self,
        context: &AttestationContext,
        finish: fn(AttestationHeader) -> T,
    ) -> impl Future<Output = Result<T, NoHeader>> + Send + 'static {
        let target = attestation_target(&self.inner().registry(), &context.thread_id);
        if let Err(reason) = &target {
            tracing::debug!(thread = %context.thread_id, %reason, "no header");
        }
        let deadline = self.config().attestation_deadline;
        // The deadline covers the whole flow, from this call.
        let expires = expiry(deadline);
        let core = self.clone();
        async move {
            let connection = target?;
            let outcome = core
                .request_until::<AttestationGenerate>(
                    connection,
                    AttestationGenerateParams {},
                    expires,
                    deadline,
                )
                .await;
            Ok(finish(envelope(connection, outcome)))
        }
    }
}

/// The connection to ask for a thread's attestation: the lowest-id one
/// that finished `initialize`, opted in, and is subscribed to the thread;
/// or why there is none.
fn attestation_target(registry: &Registry, thread_id: &str) -> Result<ConnectionId, NoHeader> {
    let subscribers = registry
        .subscribers(thread_id)
        .ok_or(NoHeader::NotSubscribed)?;
    subscribers
        .iter()
        .copied()
        .find(|&id| registry.opted_in(id))
        .ok_or(NoHeader::NotOptedIn)
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;

    fn registry_with(ids: &[u64]) -> Registry {
        let mut registry = Registry::default();
        for &id in ids {
            let sink = |_| Err(crate::SinkError::Closed);
            registry.insert(ConnectionId::new(id), Arc::new(sink));
            registry.get_mut(ConnectionId::new(id)).unwrap().opted_in = true;
        }
        registry
    }

    #[test]
    fn target_is_the_lowest_eligible_subscriber_of_the_thread() {
        let mut registry = registry_with(&[1, 2, 3]);
        assert_eq!(
            attestation_target(&registry, "t"),
            Err(NoHeader::NotSubscribed)
        );
        assert!(registry.subscribe(ConnectionId::new(3), "t".into()));
        assert!(registry.subscribe(ConnectionId::new(2), "t".into()));
        assert!(registry.subscribe(ConnectionId::new(1), "other".into()));
        assert_eq!(attestation_target(&registry, "t"), Ok(ConnectionId::new(2)));
        registry.get_mut(ConnectionId::new(2)).unwrap().opted_in = false;
        assert_eq!(attestation_target(&registry, "t"), Ok(ConnectionId::new(3)));
        registry.get_mut(ConnectionId::new(3)).unwrap().opted_in = false;
        assert_eq!(
            attestation_target(&registry, "t"),
            Err(NoHeader::NotOptedIn)
        );
    }

    #[test]
    fn a_removed_subscriber_leaves_the_thread_not_subscribed() {
        let mut registry = registry_with(&[1]);
        registry.subscribe(ConnectionId::new(1), "t".into());
        drop(registry.remove(ConnectionId::new(1)));
        assert_eq!(
            attestation_target(&registry, "t"),
            Err(NoHeader::NotSubscribed)
        );
    }
}
