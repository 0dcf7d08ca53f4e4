//! `--upstream URL`: the call a turn makes to its upstream, a small JSON
//! POST with reqwest, carrying the `x-oai-attestation` header.
//!
//! The scope is the URL's origin with the path prefix up to the last `/` of
//! its path (`http://127.0.0.1:8080/v1/responses` → `/v1/` on that origin):
//! the token goes there and nowhere else. reqwest copies custom headers to
//! every hop of a redirect chain, so the call goes through the runtime's
//! `AttestedClient`, which follows redirects itself and decides the header
//! again on every hop: an off-scope hop is still made, without it.

use std::sync::Arc;
use std::time::Duration;

use attestwire_runtime::{AttestationContext, AttestationScope, AttestedClient, Core}; // [attestwire]
use reqwest::Url;
use reqwest::header::CONTENT_TYPE;
use serde_json::{Value, json};

/// How long each hop of the upstream call may take.
const UPSTREAM_TIMEOUT: Duration = Duration::from_secs(30);

/// The upstream a turn calls.
#[derive(Debug)]
pub(crate) struct Upstream {
    url: Url,
    client: AttestedClient, // [attestwire]
}

impl Upstream {
    /// The upstream of `--upstream URL`, an absolute `http://` URL (this
    /// build has no TLS), whose header comes from `core`.
    pub(crate) fn new(url: &str, core: &Core) -> Result<Self, String> {
        let bad = |why: &str| format!("--upstream takes an http:// URL{why}, got {url:?}");
        let url = Url::parse(url).map_err(|_| bad(""))?;
        if url.scheme() != "http" {
            return Err(bad(" (this build has no TLS)"));
        }
        let path = url.path();
        let prefix = path.rfind('/').map_or("/", |last| &path[..=last]);
        let origin = url.origin().ascii_serialization();
        let scope = AttestationScope::new().allow_origin(&origin, prefix); // [attestwire]
        let scope = scope.map_err(|error| bad(&format!(" ({error})")))?;
        let builder = reqwest::Client::builder().timeout(UPSTREAM_TIMEOUT);
        let client = AttestedClient::new(builder, scope, Arc::new(core.clone())); // [attestwire]
        let client = client.map_err(|error| format!("cannot build the HTTP client: {error}"))?;
        Ok(Self { url, client })
    }

    /// POSTs `{ threadId }` to the upstream with the thread's header, and
    /// says what came back: `{ status }` of the last response, or `{ error }`.
    pub(crate) async fn call(&self, thread_id: &str) -> Value {
        let body = json!({ "threadId": thread_id }).to_string();
        let request = self.client.post(self.url.clone()); // [attestwire]
        let request = request.header(CONTENT_TYPE, "application/json").body(body);
        let context = AttestationContext::new(thread_id); // [attestwire]
        let response = self.client.send(request, &context).await; // [attestwire]
        match response {
            Ok(response) => json!({ "status": response.status().as_u16() }),
            Err(error) => json!({ "error": describe(&error) }),
        }
    }
}

/// reqwest's own message is short ("error sending request for url …"):
/// the causes say what happened.
fn describe(error: &dyn std::error::Error) -> String {
    let mut message = error.to_string();
    let mut cause = error.source();
    while let Some(next) = cause {
        message.push_str(": ");
        message.push_str(&next.to_string());
        cause = next.source();
    }
    message
}

#[cfg(test)]
mod tests {
    use attestwire_runtime::CoreConfig;

    use super::*;

    fn parse(url: &str) -> Result<Upstream, String> {
        Upstream::new(url, &Core::new(CoreConfig::default()))
    }

    fn inside(upstream: &Upstream, url: &str) -> bool {
        upstream.client.scope().contains(url)
    }

    #[test]
    fn the_scope_is_the_origin_and_the_path_up_to_its_last_slash() {
        let upstream = parse("http://127.0.0.1:9/v1/responses").unwrap();
        assert!(inside(&upstream, "http://127.0.0.1:9/v1/responses"));
        assert!(inside(&upstream, "http://127.0.0.1:9/v1/other?x=1"));
        assert!(!inside(&upstream, "http://127.0.0.1:9/v1"));
        assert!(!inside(&upstream, "http://127.0.0.1:9/v2/responses"));
        assert!(!inside(&upstream, "http://127.0.0.1:10/v1/responses"));
        assert!(!inside(&upstream, "http://localhost:9/v1/responses"));
        assert!(!inside(&upstream, "https://127.0.0.1:9/v1/responses"));

        let root = parse("http://127.0.0.1/turn").unwrap();
        assert!(inside(&root, "http://127.0.0.1:80/anything"));
        assert!(!inside(&root, "http://127.0.0.1:8080/anything"));
    }

    #[test]
    fn only_an_absolute_http_url_is_an_upstream() {
        for bad in ["https://127.0.0.1/v1", "/v1/responses", "not a url", ""] {
            assert!(parse(bad).is_err(), "{bad:?}");
        }
    }
}
