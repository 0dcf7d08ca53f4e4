//! What every connection of the server shares: the attestwire core, the
//! threads started, and (with `--upstream`) the upstream the turns call.

use attestwire_runtime::Core; // [attestwire]

use crate::threads::Threads;

/// The server's own state, cloned into each connection (each field is a
/// handle to one shared value).
#[derive(Clone)]
pub(crate) struct Host {
    /// One core for the whole server: every connection opens in it, and the
    /// code making upstream requests asks it for the header.
    pub(crate) core: Core, // [attestwire]
    pub(crate) threads: Threads,
}

impl Host {
    pub(crate) fn new(core: Core) -> Self {
        Self {
            core,
            threads: Threads::default(),
        }
    }
}
