//! What every connection of the server shares: the attestwire core, the
//! threads started, and (with `--upstream`) the upstream the turns call.

use std::sync::Arc;

use attestwire_runtime::Core; // [attestwire]

use crate::threads::Threads;
use crate::upstream::Upstream;

/// The server's own state, cloned into each connection (each field is a
/// handle to one shared value).
#[derive(Clone)]
pub(crate) struct Host {
    /// One core for the whole server: every connection opens in it, and the
    /// code making upstream requests asks it for the header.
    pub(crate) core: Core, // [attestwire]
    pub(crate) threads: Threads,
    /// What `turn/start` calls, with `--upstream`.
    pub(crate) upstream: Option<Arc<Upstream>>,
}

impl Host {
    /// The server's state; with `--upstream URL`, `upstream` is URL.
    pub(crate) fn new(core: Core, upstream: Option<&str>) -> Result<Self, String> {
        let upstream = upstream.map(|url| Upstream::new(url, &core)).transpose()?; // [attestwire]
        Ok(Self {
            core,
            threads: Threads::default(),
            upstream: upstream.map(Arc::new),
        })
    }
}
