//! reqwest 0.12 with the header re-decided on every hop of a redirect chain.
//!
//! reqwest follows redirects inside `send` and copies every header to the
//! next hop except `Authorization`, `Cookie`, `Cookie2`,
//! `Proxy-Authorization` and `WWW-Authenticate`; on a 302 it turns a POST
//! into a GET and still forwards ours. Its `redirect::Policy::custom` sees
//! each hop but cannot change its headers, and a policy that stops at an
//! off-scope hop would break every redirect to a CDN or a signed URL. So
//! [`AttestedClient`] turns reqwest's redirects off and follows them itself,
//! deciding the header again for every hop.

use std::sync::Arc;
use std::time::Duration;

use ::reqwest::header::{
    AUTHORIZATION, CONTENT_ENCODING, CONTENT_LENGTH, CONTENT_TYPE, COOKIE, HeaderMap, HeaderValue,
    LOCATION, PROXY_AUTHORIZATION, TRANSFER_ENCODING, WWW_AUTHENTICATE,
};
use ::reqwest::{
    Body, Client, ClientBuilder, IntoUrl, Method, Request, RequestBuilder, Response, StatusCode,
    Url, Version, redirect,
};
use tokio::sync::OnceCell;

use crate::core::attestation::{AttestationContext, AttestationProvider, HeaderFuture};
use crate::outbound::scope::AttestationScope;

/// reqwest's default limit, kept.
const MAX_REDIRECTS: usize = 10;

/// A reqwest client that attaches `x-oai-attestation` to the requests in
/// its scope, and follows redirects itself so that no hop outside the
/// scope ever carries it.
///
/// On every hop the header is decided again from that hop's URL: set in
/// scope, removed out of scope (the app is not asked for it). The app is
/// asked at most once per [`send`](Self::send), on the first hop in scope;
/// later hops in scope carry the same value. Redirects follow reqwest's
/// rules (those of tower-http's `FollowRedirect`, which reqwest 0.12 uses):
///
/// | status | method | body |
/// |---|---|---|
/// | 301, 302 | POST becomes GET; others kept | dropped with POST, else resent |
/// | 303 | GET (HEAD stays HEAD) | dropped |
/// | 307, 308 | kept | resent |
///
/// When the body is dropped, so are `Content-Type`, `Content-Length`,
/// `Content-Encoding` and `Transfer-Encoding`. When the origin changes,
/// `Authorization`, `Cookie`, `Cookie2`, `Proxy-Authorization` and
/// `WWW-Authenticate` are removed, as reqwest does. Unlike reqwest, no
/// `Referer` is added. A redirect is not followed, and is returned as the
/// response, when it has no usable `Location` (missing, not a URL, not
/// http or https), when its body cannot be sent again (a stream), or when
/// the chain already made [`max_redirects`](Self::with_max_redirects) hops
/// (10 by default; reqwest returns an error there). A request timeout
/// applies to each hop.
///
/// ```no_run
/// # async fn call(core: attestwire_runtime::Core, thread_id: String) -> Result<(), Box<dyn std::error::Error>> {
/// use std::sync::Arc;
/// use attestwire_runtime::{AttestationContext, AttestationScope, AttestedClient};
///
/// let scope = AttestationScope::new().allow("https", "api.example.com", "/v1/");
/// // Once: your own builder (user agent, default headers, TLS feature...).
/// let upstream = AttestedClient::new(reqwest::Client::builder(), scope, Arc::new(core))?;
/// // Per call, instead of `.send()` (`.json(&body)` with reqwest's `json` feature):
/// let request = upstream.post("https://api.example.com/v1/responses").body(r#"{"input":"hi"}"#);
/// let response = upstream.send(request, &AttestationContext::new(thread_id)).await?;
/// # drop(response); Ok(()) }
/// ```
#[derive(Clone)]
pub struct AttestedClient {
    client: Client,
    scope: Arc<AttestationScope>,
    provider: Arc<dyn AttestationProvider>,
    max_redirects: usize,
}

impl AttestedClient {
    /// Builds the client from `builder`, with reqwest's own redirects
    /// turned off (any `redirect` policy set on `builder` is replaced).
    /// Fails as `builder.build()` does.
    pub fn new(
        builder: ClientBuilder,
        scope: AttestationScope,
        provider: Arc<dyn AttestationProvider>,
    ) -> ::reqwest::Result<Self> {
        Ok(Self {
            client: builder.redirect(redirect::Policy::none()).build()?,
            scope: Arc::new(scope),
            provider,
            max_redirects: MAX_REDIRECTS,
        })
    }

    /// Follows at most `max` redirects per [`send`](Self::send); `0`
    /// follows none.
    pub fn with_max_redirects(mut self, max: usize) -> Self {
        self.max_redirects = max;
        self
    }

    /// The reqwest client underneath. It follows no redirects: a request
    /// sent through it directly gets no header and no redirect.
    pub fn client(&self) -> &Client {
        &self.client
    }

    /// The scope.
    pub fn scope(&self) -> &AttestationScope {
        &self.scope
    }

    /// A request builder for `method` and `url`, for [`send`](Self::send).
    pub fn request<U: IntoUrl>(&self, method: Method, url: U) -> RequestBuilder {
        self.client.request(method, url)
    }

    /// A GET request builder, for [`send`](Self::send).
    pub fn get<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.client.get(url)
    }

    /// A POST request builder, for [`send`](Self::send).
    pub fn post<U: IntoUrl>(&self, url: U) -> RequestBuilder {
        self.client.post(url)
    }

    /// Builds `request` and [`execute`](Self::execute)s it. Only the
    /// request is taken from the builder: it is sent by this client, even
    /// when the builder came from another one.
    pub async fn send(
        &self,
        request: RequestBuilder,
        context: &AttestationContext,
    ) -> ::reqwest::Result<Response> {
        let (_, request) = request.build_split();
        self.execute(request?, context).await
    }

    /// Sends `request` for `context`, following redirects with the header
    /// decided again on every hop. Fails as reqwest's `execute` does, on
    /// any hop.
    pub async fn execute(
        &self,
        mut request: Request,
        context: &AttestationContext,
    ) -> ::reqwest::Result<Response> {
        let once = AskOnce {
            provider: self.provider.as_ref(),
            value: OnceCell::new(),
        };
        let mut hops = 0;
        loop {
            let url = request.url().as_str().to_owned();
            self.scope
                .attach_to(&once, context, url.as_str(), request.headers_mut())
                .await;
            let sent = Sent::of(&request);
            let response = self.client.execute(request).await?;
            let next = if hops < self.max_redirects {
                sent.redirect(&response)
            } else {
                tracing::debug!(hops, "redirect limit reached; the redirect is the response");
                None
            };
            match next {
                Some(next) => request = next,
                None => return Ok(response),
            }
            hops += 1;
        }
    }
}

impl std::fmt::Debug for AttestedClient {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AttestedClient")
            .field("client", &self.client)
            .field("scope", &self.scope)
            .field("max_redirects", &self.max_redirects)
            .finish_non_exhaustive()
    }
}

/// Asks the provider on the first call, and answers every later call of
/// the same chain with that value.
struct AskOnce<'p> {
    provider: &'p dyn AttestationProvider,
    value: OnceCell<Option<HeaderValue>>,
}

impl AttestationProvider for AskOnce<'_> {
    fn header_for_request<'a>(&'a self, context: &'a AttestationContext) -> HeaderFuture<'a> {
        Box::pin(async move {
            let ask = || self.provider.header_for_request(context);
            self.value.get_or_init(ask).await.clone()
        })
    }
}

/// What a hop sent, to build the next one from.
struct Sent {
    method: Method,
    url: Url,
    headers: HeaderMap,
    version: Version,
    timeout: Option<Duration>,
    /// `None` without a body, `Some(None)` for a body that cannot be sent
    /// again (a stream).
    body: Option<Option<Body>>,
}

impl Sent {
    fn of(request: &Request) -> Self {
        Self {
            method: request.method().clone(),
            url: request.url().clone(),
            headers: request.headers().clone(),
            version: request.version(),
            timeout: request.timeout().copied(),
            // `Body::try_clone` is private; `Request::try_clone` clones a
            // body of bytes (a refcount) and fails for a stream.
            body: request.body().map(|_| {
                let copy = request.try_clone();
                copy.and_then(|mut copy| copy.body_mut().take())
            }),
        }
    }

    /// The next hop when `response` is a redirect to follow.
    fn redirect(self, response: &Response) -> Option<Request> {
        let status = response.status();
        let (method, keeps_body) = match status {
            StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND if self.method == Method::POST => {
                (Method::GET, false)
            }
            StatusCode::MOVED_PERMANENTLY | StatusCode::FOUND => (self.method, true),
            StatusCode::SEE_OTHER if self.method == Method::HEAD => (Method::HEAD, false),
            StatusCode::SEE_OTHER => (Method::GET, false),
            StatusCode::TEMPORARY_REDIRECT | StatusCode::PERMANENT_REDIRECT => (self.method, true),
            _ => return None,
        };
        let location = response.headers().get(LOCATION)?.to_str().ok();
        let Some(url) = location.and_then(|location| self.url.join(location).ok()) else {
            tracing::debug!(%status, "redirect without a usable Location; not followed");
            return None;
        };
        if !matches!(url.scheme(), "http" | "https") {
            tracing::debug!(%status, "redirect to a scheme other than http(s); not followed");
            return None;
        }
        let mut headers = self.headers;
        let body = if keeps_body {
            match self.body {
                None => None,
                Some(Some(body)) => Some(body),
                Some(None) => {
                    tracing::debug!(%status, "the body cannot be sent again; not followed");
                    return None;
                }
            }
        } else {
            for name in [
                CONTENT_TYPE,
                CONTENT_LENGTH,
                CONTENT_ENCODING,
                TRANSFER_ENCODING,
            ] {
                headers.remove(name);
            }
            None
        };
        let same_origin = url.scheme() == self.url.scheme()
            && url.host_str() == self.url.host_str()
            && url.port_or_known_default() == self.url.port_or_known_default();
        if !same_origin {
            for name in [AUTHORIZATION, COOKIE, PROXY_AUTHORIZATION, WWW_AUTHENTICATE] {
                headers.remove(name);
            }
            headers.remove("cookie2");
        }
        let mut next = Request::new(method, url);
        *next.headers_mut() = headers;
        *next.version_mut() = self.version;
        *next.timeout_mut() = self.timeout;
        *next.body_mut() = body;
        Some(next)
    }
}
