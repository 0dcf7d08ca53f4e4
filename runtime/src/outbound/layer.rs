//! A tower `Layer` that attaches the header to outbound `http::Request`s,
//! for HTTP clients built on tower (e.g. hyper-util's client).

use std::fmt;
use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::task::{Context, Poll};

use attestwire_protocol::HEADER_NAME;
use http::Request;
use tower_layer::Layer;
use tower_service::Service;

use crate::core::attestation::{AttestationContext, AttestationProvider};
use crate::outbound::scope::AttestationScope;

/// Wraps an HTTP client service in [`AttestationService`]. A request gets
/// the header when it carries an [`AttestationContext`] in its extensions
/// and its URI is in the scope; every other request passes with any
/// `x-oai-attestation` it had removed, since a redirect-following client
/// copies the previous hop's headers to the next host.
///
/// Put it below (inside) a redirect-following layer such as tower-http's
/// `FollowRedirect`, so that every hop passes through it. Above one, the
/// hops after the first get a copy of the first hop's header, and nothing
/// here can take it off.
#[derive(Clone)]
pub struct AttestationLayer {
    provider: Arc<dyn AttestationProvider>,
    scope: Arc<AttestationScope>,
}

impl AttestationLayer {
    /// A layer asking `provider` for requests in `scope`.
    pub fn new(provider: Arc<dyn AttestationProvider>, scope: AttestationScope) -> Self {
        Self {
            provider,
            scope: Arc::new(scope),
        }
    }
}

impl<S> Layer<S> for AttestationLayer {
    type Service = AttestationService<S>;

    fn layer(&self, inner: S) -> AttestationService<S> {
        AttestationService {
            inner,
            provider: Arc::clone(&self.provider),
            scope: Arc::clone(&self.scope),
        }
    }
}

impl fmt::Debug for AttestationLayer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttestationLayer")
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

/// The service made by [`AttestationLayer`].
#[derive(Clone)]
pub struct AttestationService<S> {
    inner: S,
    provider: Arc<dyn AttestationProvider>,
    scope: Arc<AttestationScope>,
}

impl<S, B> Service<Request<B>> for AttestationService<S>
where
    S: Service<Request<B>> + Clone + Send + 'static,
    S::Future: Send,
    B: Send + 'static,
{
    type Response = S::Response;
    type Error = S::Error;
    type Future = Pin<Box<dyn Future<Output = Result<S::Response, S::Error>> + Send>>;

    fn poll_ready(&mut self, cx: &mut Context<'_>) -> Poll<Result<(), S::Error>> {
        self.inner.poll_ready(cx)
    }

    fn call(&mut self, mut request: Request<B>) -> Self::Future {
        // The service that was polled ready goes into the future; a clone
        // takes its place for the next `poll_ready` (tower's documented
        // pattern for services that await before calling the inner one).
        let ready = self.inner.clone();
        let mut inner = std::mem::replace(&mut self.inner, ready);
        let provider = Arc::clone(&self.provider);
        let scope = Arc::clone(&self.scope);
        Box::pin(async move {
            let context = request.extensions().get::<AttestationContext>().cloned();
            match context {
                Some(context) => {
                    scope
                        .attach(provider.as_ref(), &context, &mut request)
                        .await;
                }
                // No context, no fresh value; and a value already here may
                // be a copy meant for another host. tower-http 0.6's
                // FollowRedirect copies the headers the first request
                // reached it with to every later hop, but builds each later
                // request with `Request::new`, so its extensions (our
                // context among them) are gone (follow_redirect/mod.rs).
                None => {
                    request.headers_mut().remove(HEADER_NAME);
                }
            }
            inner.call(request).await
        })
    }
}

impl<S: fmt::Debug> fmt::Debug for AttestationService<S> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("AttestationService")
            .field("inner", &self.inner)
            .field("scope", &self.scope)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use std::convert::Infallible;
    use std::sync::atomic::{AtomicUsize, Ordering};

    use attestwire_protocol::HEADER_NAME;
    use http::HeaderValue;

    use super::*;
    use crate::core::attestation::HeaderFuture;

    /// Answers every call with status 1 and counts the calls.
    #[derive(Default)]
    struct Counting(AtomicUsize);

    impl AttestationProvider for Counting {
        fn header_for_request<'a>(&'a self, _: &'a AttestationContext) -> HeaderFuture<'a> {
            self.0.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { Some(HeaderValue::from_static(r#"{"v":1,"s":1}"#)) })
        }
    }

    /// Returns every header value the request arrived with, in order.
    #[derive(Clone)]
    struct Echo;

    impl Service<Request<()>> for Echo {
        type Response = Vec<HeaderValue>;
        type Error = Infallible;
        type Future = std::future::Ready<Result<Vec<HeaderValue>, Infallible>>;

        fn poll_ready(&mut self, _: &mut Context<'_>) -> Poll<Result<(), Infallible>> {
            Poll::Ready(Ok(()))
        }

        fn call(&mut self, request: Request<()>) -> Self::Future {
            let values = request.headers().get_all(HEADER_NAME);
            std::future::ready(Ok(values.iter().cloned().collect()))
        }
    }

    const STALE: &str = r#"{"v":1,"s":0,"t":"v1.stale"}"#;

    async fn send(
        service: &mut AttestationService<Echo>,
        uri: &str,
        thread: Option<&str>,
    ) -> Vec<HeaderValue> {
        send_carrying(service, uri, thread, &[]).await
    }

    /// Sends a request that already carries `values`, in order.
    async fn send_carrying(
        service: &mut AttestationService<Echo>,
        uri: &str,
        thread: Option<&str>,
        values: &[&'static str],
    ) -> Vec<HeaderValue> {
        let mut request = Request::get(uri).body(()).unwrap();
        for value in values {
            request
                .headers_mut()
                .append(HEADER_NAME, HeaderValue::from_static(value));
        }
        if let Some(thread) = thread {
            request
                .extensions_mut()
                .insert(AttestationContext::new(thread));
        }
        std::future::poll_fn(|cx| service.poll_ready(cx))
            .await
            .unwrap();
        service.call(request).await.unwrap()
    }

    #[tokio::test]
    async fn layer_attaches_in_scope_and_never_asks_out_of_scope() {
        let provider = Arc::new(Counting::default());
        let scope = AttestationScope::new().allow("https", "api.example.com", "/v1/");
        let mut service = AttestationLayer::new(provider.clone(), scope).layer(Echo);

        let out = send(&mut service, "https://other.example.com/v1/x", Some("t")).await;
        assert_eq!(out, Vec::<HeaderValue>::new());
        let no_context = send(&mut service, "https://api.example.com/v1/x", None).await;
        assert_eq!(no_context, Vec::<HeaderValue>::new());
        assert_eq!(provider.0.load(Ordering::SeqCst), 0);

        let value = send(&mut service, "https://api.example.com/v1/x", Some("t")).await;
        assert_eq!(value, [r#"{"v":1,"s":1}"#]);
        assert_eq!(provider.0.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn layer_removes_a_header_it_does_not_attach() {
        let provider = Arc::new(Counting::default());
        let scope = AttestationScope::new().allow("https", "api.example.com", "/v1/");
        let mut service = AttestationLayer::new(provider.clone(), scope).layer(Echo);

        // A request without a context, e.g. a redirected hop that lost its
        // extensions, even one in scope.
        for values in [&[STALE][..], &[STALE, STALE]] {
            let no_context =
                send_carrying(&mut service, "https://api.example.com/v1/x", None, values).await;
            assert_eq!(no_context, Vec::<HeaderValue>::new(), "{values:?}");
        }
        let uri = "https://other.example.com/v1/x";
        let out = send_carrying(&mut service, uri, Some("t"), &[STALE, STALE]).await;
        assert_eq!(out, Vec::<HeaderValue>::new());
        assert_eq!(provider.0.load(Ordering::SeqCst), 0);

        let uri = "https://api.example.com/v1/x";
        let value = send_carrying(&mut service, uri, Some("t"), &[STALE, STALE]).await;
        assert_eq!(value, [r#"{"v":1,"s":1}"#]);
        assert_eq!(provider.0.load(Ordering::SeqCst), 1);
    }
}
