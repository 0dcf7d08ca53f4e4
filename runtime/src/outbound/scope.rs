//! Which outbound requests carry the header: an allow-list of (scheme, host,
//! path prefix), and attaching the header to an `http::Request`.

use attestwire_protocol::HEADER_NAME;
use http::header::HeaderName;
use http::{Request, Uri};

use crate::core::attestation::{AttestationContext, AttestationProvider};

/// The outbound requests that get the `x-oai-attestation` header. For any
/// other request the app is not asked at all. Empty by default: nothing is
/// in scope.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct AttestationScope {
    rules: Vec<Rule>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
struct Rule {
    scheme: String,
    host: String,
    path_prefix: String,
}

impl AttestationScope {
    /// An empty scope.
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds requests to `scheme://host` whose path starts with
    /// `path_prefix`. Scheme and host compare case-insensitively and the
    /// port is not compared. A prefix ends at a segment boundary: `/v1`
    /// covers `/v1` and `/v1/responses` but not `/v1beta`; `/` covers every
    /// path.
    pub fn allow(mut self, scheme: &str, host: &str, path_prefix: &str) -> Self {
        self.rules.push(Rule {
            scheme: scheme.to_ascii_lowercase(),
            host: host.to_ascii_lowercase(),
            path_prefix: path_prefix.to_owned(),
        });
        self
    }

    /// Whether a request to `uri` gets the header. A URI without scheme or
    /// host (e.g. `/v1/responses`) is never in scope.
    pub fn contains(&self, uri: &Uri) -> bool {
        let (Some(scheme), Some(host)) = (uri.scheme_str(), uri.host()) else {
            return false;
        };
        self.rules.iter().any(|rule| {
            rule.scheme.eq_ignore_ascii_case(scheme)
                && rule.host.eq_ignore_ascii_case(host)
                && path_matches(&rule.path_prefix, uri.path())
        })
    }

    /// Attaches the header to `request` when its URI is in scope and the
    /// provider has a value for `context`, replacing any value already
    /// there. Otherwise (out of scope, or the provider returned `None`) it
    /// removes every `x-oai-attestation` value already on the request: a
    /// redirect-following client copies the previous hop's headers, so a
    /// redirect to another host would otherwise carry the token there. Out
    /// of scope, the provider (and so the app) is not asked. Returns whether
    /// a header was attached.
    pub async fn attach<P, B>(
        &self,
        provider: &P,
        context: &AttestationContext,
        request: &mut Request<B>,
    ) -> bool
    where
        P: AttestationProvider + ?Sized,
    {
        let value = if self.contains(request.uri()) {
            provider.header_for_request(context).await
        } else {
            None
        };
        let headers = request.headers_mut();
        match value {
            // `insert` replaces every value already there.
            Some(value) => {
                headers.insert(HeaderName::from_static(HEADER_NAME), value);
                true
            }
            // `remove` drops every value of the name, not just the first.
            None => {
                headers.remove(HEADER_NAME);
                false
            }
        }
    }
}

fn path_matches(prefix: &str, path: &str) -> bool {
    match path.strip_prefix(prefix) {
        None => false,
        Some(rest) => prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/'),
    }
}

#[cfg(test)]
mod tests {
    use std::sync::atomic::{AtomicUsize, Ordering};

    use http::HeaderValue;

    use super::*;
    use crate::core::attestation::HeaderFuture;

    fn uri(text: &str) -> Uri {
        text.parse().unwrap()
    }

    /// Answers every call with `value` and counts the calls.
    struct Fixed {
        value: Option<&'static str>,
        asked: AtomicUsize,
    }

    impl Fixed {
        fn new(value: Option<&'static str>) -> Self {
            Self {
                value,
                asked: AtomicUsize::new(0),
            }
        }
    }

    impl AttestationProvider for Fixed {
        fn header_for_request<'a>(&'a self, _: &'a AttestationContext) -> HeaderFuture<'a> {
            self.asked.fetch_add(1, Ordering::SeqCst);
            Box::pin(async { self.value.map(HeaderValue::from_static) })
        }
    }

    /// A request to `uri` that already carries `values`, in order.
    fn carrying(uri: &str, values: &[&'static str]) -> Request<()> {
        let mut request = Request::get(uri).body(()).unwrap();
        for value in values {
            request
                .headers_mut()
                .append(HEADER_NAME, HeaderValue::from_static(value));
        }
        request
    }

    fn header_values(request: &Request<()>) -> Vec<&[u8]> {
        let values = request.headers().get_all(HEADER_NAME);
        values.iter().map(HeaderValue::as_bytes).collect()
    }

    const STALE: &str = r#"{"v":1,"s":0,"t":"v1.stale"}"#;
    const OTHER: &str = r#"{"v":1,"s":1}"#;
    const FRESH: &str = r#"{"v":1,"s":0,"t":"v1.fresh"}"#;

    fn scope() -> AttestationScope {
        AttestationScope::new().allow("https", "api.example.com", "/v1/")
    }

    #[tokio::test]
    async fn out_of_scope_attach_removes_every_value_and_never_asks() {
        let provider = Fixed::new(Some(FRESH));
        let context = AttestationContext::new("t");
        for values in [&[STALE][..], &[STALE, OTHER]] {
            let mut request = carrying("https://evil.example.net/v1/x", values);
            assert!(!scope().attach(&provider, &context, &mut request).await);
            assert_eq!(header_values(&request), Vec::<&[u8]>::new(), "{values:?}");
        }
        assert_eq!(provider.asked.load(Ordering::SeqCst), 0);
    }

    #[tokio::test]
    async fn in_scope_attach_without_a_value_removes_every_value() {
        let provider = Fixed::new(None);
        let mut request = carrying("https://api.example.com/v1/x", &[STALE, OTHER]);
        let context = AttestationContext::new("t");
        assert!(!scope().attach(&provider, &context, &mut request).await);
        assert_eq!(header_values(&request), Vec::<&[u8]>::new());
        assert_eq!(provider.asked.load(Ordering::SeqCst), 1);
    }

    #[tokio::test]
    async fn in_scope_attach_replaces_every_value_with_one() {
        let provider = Fixed::new(Some(FRESH));
        let mut request = carrying("https://api.example.com/v1/x", &[STALE, OTHER]);
        let context = AttestationContext::new("t");
        assert!(scope().attach(&provider, &context, &mut request).await);
        assert_eq!(header_values(&request), [FRESH.as_bytes()]);
        assert_eq!(provider.asked.load(Ordering::SeqCst), 1);
    }

    #[test]
    fn scope_matches_scheme_host_and_segment_prefix() {
        let scope = AttestationScope::new().allow("https", "api.example.com", "/v1");
        assert!(scope.contains(&uri("https://api.example.com/v1")));
        assert!(scope.contains(&uri("https://API.example.com/v1/responses?x=1")));
        assert!(scope.contains(&uri("https://api.example.com:8443/v1/responses")));
        assert!(!scope.contains(&uri("https://api.example.com/v1beta")));
        assert!(!scope.contains(&uri("http://api.example.com/v1/responses")));
        assert!(!scope.contains(&uri("https://api.example.com.evil.test/v1/responses")));
        assert!(!scope.contains(&uri("/v1/responses")));
    }

    #[test]
    fn root_prefix_covers_every_path() {
        let scope = AttestationScope::new().allow("https", "api.example.com", "/");
        assert!(scope.contains(&uri("https://api.example.com/")));
        assert!(scope.contains(&uri("https://api.example.com/anything/at/all")));
    }

    #[test]
    fn empty_scope_contains_nothing() {
        assert!(!AttestationScope::new().contains(&uri("https://api.example.com/")));
    }
}
