//! Origins as the scope compares them: scheme, host and port, with the
//! default port of the scheme implied, and WebSocket schemes folded into
//! their HTTP twins.

use std::fmt;

use http::Uri;
use http::uri::Authority;

/// The origin and path of an outbound request, as the scope compares them.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target<'a> {
    pub(crate) origin: Origin,
    pub(crate) path: &'a str,
}

impl<'a> Target<'a> {
    /// The target of `uri`, or `None` when it has no scheme or no host
    /// (e.g. `/v1/responses`): such a URI names no origin.
    pub(crate) fn of(uri: &'a Uri) -> Option<Self> {
        let origin = Origin::new(uri.scheme_str()?, uri.host()?, port(uri.authority()?)?)?;
        Some(Self {
            origin,
            path: uri.path(),
        })
    }
}

/// The explicit port of `authority`: `Some(None)` without one (or with an
/// empty one, which RFC 3986 reads as the default), `None` when it is not a
/// number. `Uri::port_u16` returns `None` for both, and `https://a:x/` must
/// not pass for `https://a:443/`.
pub(crate) fn port(authority: &Authority) -> Option<Option<u16>> {
    // `Authority::port` is `None` for a port that is not a number, so read
    // what follows the host instead.
    let text = authority.as_str();
    let host_and_port = text.rsplit_once('@').map_or(text, |(_, rest)| rest);
    match host_and_port.strip_prefix(authority.host())? {
        "" | ":" => Some(None),
        port => port.strip_prefix(':')?.parse().ok().map(Some),
    }
}

/// Scheme, host and port, normalised so that equal origins compare equal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Origin {
    /// Lowercase, with `ws` as `http` and `wss` as `https`.
    scheme: String,
    /// Lowercase; an IPv6 address in brackets, as in a URI.
    host: String,
    /// The explicit port, else the scheme's default; `None` for a scheme
    /// without a known default and no explicit port.
    port: Option<u16>,
}

impl Origin {
    /// The origin of `scheme://host[:port]`; `None` for an empty scheme or
    /// host.
    pub(crate) fn new(scheme: &str, host: &str, port: Option<u16>) -> Option<Self> {
        if scheme.is_empty() || host.is_empty() {
            return None;
        }
        let mut scheme = scheme.to_ascii_lowercase();
        // A WebSocket handshake is an HTTP/1.1 request to the same server
        // (RFC 6455 section 4.1; the Fetch standard maps `ws` to `http` and
        // `wss` to `https` for the same reason): one origin, one trust.
        // Folding them means an `https` rule covers `wss` and the reverse,
        // instead of a handshake silently going without the header.
        match scheme.as_str() {
            "ws" => scheme = "http".to_owned(),
            "wss" => scheme = "https".to_owned(),
            _ => {}
        }
        let port = port.or(match scheme.as_str() {
            "http" => Some(80),
            "https" => Some(443),
            _ => None,
        });
        let mut host = host.to_ascii_lowercase();
        // `Uri::host` keeps the brackets of an IPv6 literal; a rule written
        // without them means the same host.
        if host.contains(':') && !host.starts_with('[') {
            host = format!("[{host}]");
        }
        Some(Self { scheme, host, port })
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}://{}", self.scheme, self.host)?;
        match self.port {
            Some(port) => write!(f, ":{port}"),
            None => Ok(()),
        }
    }
}

/// Whether `path` is under `prefix`. A prefix ends at a segment boundary:
/// `/v1` covers `/v1` and `/v1/x` but not `/v10` or `/v1beta`; a prefix
/// ending in `/` covers what starts with it, so `/` covers every path.
pub(crate) fn path_matches(prefix: &str, path: &str) -> bool {
    match path.strip_prefix(prefix) {
        None => false,
        Some(rest) => prefix.ends_with('/') || rest.is_empty() || rest.starts_with('/'),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn origin(text: &str) -> Origin {
        let uri: Uri = text.parse().unwrap();
        Target::of(&uri).unwrap().origin
    }

    #[test]
    fn default_ports_are_implied() {
        assert_eq!(origin("https://a.test/"), origin("https://a.test:443/"));
        assert_eq!(origin("http://a.test/"), origin("http://a.test:80/"));
        assert_ne!(origin("https://a.test/"), origin("https://a.test:8443/"));
        assert_ne!(origin("http://a.test/"), origin("https://a.test:80/"));
    }

    #[test]
    fn websocket_schemes_are_their_http_twins() {
        assert_eq!(origin("wss://a.test/"), origin("https://a.test/"));
        assert_eq!(origin("WS://a.test:80/"), origin("http://a.test/"));
        assert_eq!(origin("ws://a.test:8080/"), origin("http://a.test:8080/"));
        assert_ne!(origin("wss://a.test/"), origin("http://a.test/"));
        assert_ne!(origin("ws://a.test/"), origin("https://a.test/"));
    }

    #[test]
    fn hosts_compare_without_case_and_ipv6_with_or_without_brackets() {
        assert_eq!(
            origin("https://API.Example.com/"),
            origin("https://api.example.com/")
        );
        assert_eq!(
            Origin::new("http", "::1", Some(8080)),
            Some(origin("http://[::1]:8080/"))
        );
    }

    #[test]
    fn a_port_that_is_not_a_number_is_no_origin() {
        let uri: Uri = "https://a.test:x/".parse().unwrap();
        assert_eq!(Target::of(&uri), None);
        assert_eq!(origin("https://a.test:/"), origin("https://a.test/"));
    }

    #[test]
    fn unknown_schemes_have_no_default_port() {
        assert_eq!(
            origin("ftp://a.test/"),
            Origin::new("ftp", "a.test", None).unwrap()
        );
        assert_ne!(origin("ftp://a.test/"), origin("ftp://a.test:21/"));
    }

    #[test]
    fn a_uri_without_scheme_or_host_has_no_origin() {
        let uri: Uri = "/v1/responses".parse().unwrap();
        assert_eq!(Target::of(&uri), None);
        assert_eq!(Origin::new("", "a.test", None), None);
        assert_eq!(Origin::new("https", "", None), None);
    }

    #[test]
    fn prefixes_end_at_segment_boundaries() {
        assert!(path_matches("/v1", "/v1"));
        assert!(path_matches("/v1", "/v1/responses"));
        assert!(!path_matches("/v1", "/v10"));
        assert!(!path_matches("/v1", "/v1beta"));
        assert!(path_matches("/v1/", "/v1/responses"));
        assert!(!path_matches("/v1/", "/v1"));
        assert!(path_matches("/", "/anything"));
    }
}
