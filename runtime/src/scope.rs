//! Which outbound requests carry the header: an allow-list of (scheme, host,
//! path prefix), and attaching the header to an `http::Request`.

use attestwire_protocol::HEADER_NAME;
use http::header::HeaderName;
use http::{Request, Uri};

use crate::attestation::{AttestationContext, AttestationProvider};

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
    /// there. Out of scope, the provider (and so the app) is not asked.
    /// Returns whether a header was attached.
    pub async fn attach<P, B>(
        &self,
        provider: &P,
        context: &AttestationContext,
        request: &mut Request<B>,
    ) -> bool
    where
        P: AttestationProvider + ?Sized,
    {
        if !self.contains(request.uri()) {
            return false;
        }
        let Some(value) = provider.header_for_request(context).await else {
            return false;
        };
        request
            .headers_mut()
            .insert(HeaderName::from_static(HEADER_NAME), value);
        true
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
    use super::*;

    fn uri(text: &str) -> Uri {
        text.parse().unwrap()
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
