//! Which outbound requests carry the header: an allow-list of origins
//! (scheme, host, port) with a path prefix each, and attaching the header
//! to a URI's `HeaderMap`, whatever client sends it.

use attestwire_protocol::HEADER_NAME;
use http::header::HeaderName;
use http::{HeaderMap, Request, Uri};

use crate::core::attestation::{AttestationContext, AttestationProvider};
use crate::outbound::origin::{Origin, Target, path_matches, port};

/// The outbound requests that get the `x-oai-attestation` header: those
/// whose origin (scheme, host and port) is the origin of a rule and whose
/// path starts with that rule's prefix. For any other request the app is
/// not asked at all. Empty by default: nothing is in scope.
///
/// - A rule without a port means the scheme's default port (`https` 443,
///   `http` 80): `https://api.example.com:8443` is another origin, as it
///   is another service.
/// - `ws` is `http` and `wss` is `https`, in rules and requests alike: a
///   WebSocket handshake is an HTTP request to the same origin, so an
///   `https` rule covers `wss://` handshakes to that host and port.
/// - Scheme and host compare case-insensitively; the path does not.
/// - A prefix ends at a segment boundary: `/v1` covers `/v1` and
///   `/v1/responses` but not `/v10` or `/v1beta`; `/v1/` covers what
///   starts with `/v1/` (not `/v1` itself); `/` covers every path.
///
/// When [`attach`](Self::attach) or [`attach_to`](Self::attach_to) sends
/// no header, they say why in a `debug` event of target
/// `attestwire_runtime::outbound::scope` (the origin and path, never a
/// header value).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttestationScope {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    origin: Origin,
    path_prefix: String,
}

/// An origin given to [`AttestationScope::allow_origin`] that is not
/// `scheme://host[:port]`.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{origin:?} is not an origin `scheme://host[:port]`: {reason}")]
pub struct InvalidOrigin {
    origin: String,
    reason: &'static str,
}

/// Why a request gets no header.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Skip {
    /// The target is not a URI, or has no scheme or no host.
    NoOrigin,
    /// No rule has the request's origin.
    OtherOrigin,
    /// Rules have its origin, but none covers its path.
    OtherPath,
}

impl Skip {
    fn reason(self) -> &'static str {
        match self {
            Skip::NoOrigin => "the target has no scheme or host",
            Skip::OtherOrigin => "no rule has the target's origin (scheme, host, port)",
            Skip::OtherPath => "no rule of the target's origin covers its path",
        }
    }
}

impl AttestationScope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds requests to `scheme://host` on the scheme's default port whose
    /// path starts with `path_prefix`. An empty scheme or host adds
    /// nothing. For another port, see [`allow_origin`](Self::allow_origin).
    pub fn allow(mut self, scheme: &str, host: &str, path_prefix: &str) -> Self {
        if let Some(origin) = Origin::new(scheme, host, None) {
            self.rules.push(Rule {
                origin,
                path_prefix: path_prefix.to_owned(),
            });
        }
        self
    }

    /// Adds requests to `origin` (`scheme://host[:port]`, e.g.
    /// `https://api.example.com:8443`; without a port, the scheme's
    /// default) whose path starts with `path_prefix`. An origin with a
    /// path other than `/`, a query, a fragment or user info is refused.
    pub fn allow_origin(mut self, origin: &str, path_prefix: &str) -> Result<Self, InvalidOrigin> {
        let invalid = |reason| InvalidOrigin {
            origin: origin.to_owned(),
            reason,
        };
        let uri: Uri = origin.parse().map_err(|_| invalid("not a URI"))?;
        let authority = uri.authority().ok_or_else(|| invalid("no host"))?;
        if authority.as_str().contains('@') {
            return Err(invalid("it has user info"));
        }
        if !matches!(uri.path(), "" | "/") || uri.query().is_some() || origin.contains('#') {
            return Err(invalid("it has a path, query or fragment"));
        }
        let scheme = uri.scheme_str().ok_or_else(|| invalid("no scheme"))?;
        let port = port(authority).ok_or_else(|| invalid("the port is not a number"))?;
        let origin = Origin::new(scheme, authority.host(), port)
            .ok_or_else(|| invalid("empty scheme or host"))?;
        self.rules.push(Rule {
            origin,
            path_prefix: path_prefix.to_owned(),
        });
        Ok(self)
    }

    /// Whether a request to `target` gets the header. `target` is anything
    /// an [`http::Uri`] is made from: a `&Uri`, a `&str` (e.g.
    /// `reqwest::Url::as_str()`), a `String`. A target that is not a URI,
    /// or has no scheme or host (e.g. `/v1/responses`), is never in scope.
    pub fn contains<T>(&self, target: T) -> bool
    where
        Uri: TryFrom<T>,
    {
        self.check(Uri::try_from(target).ok().as_ref()).is_ok()
    }

    fn check(&self, uri: Option<&Uri>) -> Result<(), Skip> {
        let target = uri.and_then(Target::of).ok_or(Skip::NoOrigin)?;
        let mut same_origin = self.rules.iter().filter(|r| r.origin == target.origin);
        let first = same_origin.next().ok_or(Skip::OtherOrigin)?;
        let mut rules = std::iter::once(first).chain(same_origin);
        if rules.any(|rule| path_matches(&rule.path_prefix, target.path)) {
            Ok(())
        } else {
            Err(Skip::OtherPath)
        }
    }

    /// Attaches the header for a request to `target` to its `headers`,
    /// whatever client sends it (hyper, a tungstenite handshake request,
    /// anything built on `http`, or a client of its own): when `target` is
    /// in scope and the provider has a value for `context`, the header is
    /// set, replacing any value already there. Otherwise (out of scope, or
    /// the provider returned `None`) every `x-oai-attestation` value
    /// already in `headers` is removed: a redirect-following client copies
    /// the previous hop's headers, so a redirect to another origin would
    /// otherwise carry the token there. Out of scope, the provider (and so
    /// the app) is not asked. Returns whether a header was attached.
    ///
    /// `target` is as in [`contains`](Self::contains). Call it again for
    /// every hop of a redirect chain, with that hop's URI.
    pub async fn attach_to<P, T>(
        &self,
        provider: &P,
        context: &AttestationContext,
        target: T,
        headers: &mut HeaderMap,
    ) -> bool
    where
        P: AttestationProvider + ?Sized,
        Uri: TryFrom<T>,
    {
        let uri = Uri::try_from(target).ok();
        let checked = self.check(uri.as_ref());
        self.put(provider, context, uri.as_ref(), checked, headers)
            .await
    }

    /// [`attach_to`](Self::attach_to) for an `http::Request` (of any body
    /// type, `()` included) and its URI.
    pub async fn attach<P, B>(
        &self,
        provider: &P,
        context: &AttestationContext,
        request: &mut Request<B>,
    ) -> bool
    where
        P: AttestationProvider + ?Sized,
    {
        let checked = self.check(Some(request.uri()));
        let uri = request.uri().clone();
        self.put(
            provider,
            context,
            Some(&uri),
            checked,
            request.headers_mut(),
        )
        .await
    }

    async fn put<P>(
        &self,
        provider: &P,
        context: &AttestationContext,
        uri: Option<&Uri>,
        checked: Result<(), Skip>,
        headers: &mut HeaderMap,
    ) -> bool
    where
        P: AttestationProvider + ?Sized,
    {
        let value = match checked {
            Ok(()) => provider.header_for_request(context).await,
            Err(_) => None,
        };
        // Only the origin and path are logged: the query may hold secrets
        // and a header value may hold the token.
        let (origin, path) = match uri.and_then(Target::of) {
            Some(target) => (target.origin.to_string(), target.path.to_owned()),
            None => (String::new(), String::new()),
        };
        match value {
            // `insert` replaces every value already there.
            Some(value) => {
                headers.insert(HeaderName::from_static(HEADER_NAME), value);
                true
            }
            None => {
                // `remove` drops every value of the name, not just the first.
                let removed = headers.remove(HEADER_NAME).is_some();
                let reason = match checked {
                    Ok(()) => "the provider gave no header for the context",
                    Err(skip) => skip.reason(),
                };
                tracing::debug!(
                    thread = %context.thread_id,
                    %origin,
                    %path,
                    removed_existing = removed,
                    reason,
                    "x-oai-attestation not attached"
                );
                false
            }
        }
    }
}

#[cfg(test)]
#[path = "scope_tests.rs"]
mod tests;
