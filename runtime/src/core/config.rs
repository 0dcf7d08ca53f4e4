//! How a [`Core`](crate::Core) behaves: the attestation deadline, the
//! startup grace, and the form of its request ids.

use std::borrow::Cow;
use std::time::Duration;

/// The default attestation deadline.
const DEFAULT_ATTESTATION_DEADLINE: Duration = Duration::from_millis(100);
/// The default prefix of the core's request ids.
const DEFAULT_ID_PREFIX: &str = "attestwire:";

/// How a [`Core`](crate::Core) behaves. Start from [`CoreConfig::default`].
#[derive(Debug, Clone)]
#[non_exhaustive]
pub struct CoreConfig {
    /// How long the attestation flow waits for the app, from the call to
    /// the answer, sending included. Default 100 ms.
    pub attestation_deadline: Duration,
    /// How long the attestation flow may wait, within its deadline, for a
    /// connection to ask when none is there yet: no open connection that
    /// opted in is subscribed to the thread. For the start of a server,
    /// whose first upstream call may come before the desktop app's
    /// connection has subscribed (the race of Codex's #29861).
    ///
    /// While it waits, a connection that subscribes to the thread or
    /// finishes `initialize` opted in is asked at once, for what is left of
    /// the deadline. If none comes within the grace (or the deadline, if
    /// shorter), there is no header, exactly as without a grace: nobody was
    /// asked, so no status would be true. Default zero: no wait, no header
    /// at once.
    pub startup_grace: Duration,
    /// The core's request ids are the strings `<id_prefix><n>` (`n` counts
    /// from 1), so they never equal a host's integer ids. A host that issues
    /// string ids of its own must not issue ones starting with this prefix;
    /// if it already does, it sets another prefix here. Default
    /// `"attestwire:"`.
    pub id_prefix: Cow<'static, str>,
}

impl CoreConfig {
    /// The defaults with another attestation deadline.
    pub fn with_attestation_deadline(mut self, deadline: Duration) -> Self {
        self.attestation_deadline = deadline;
        self
    }

    /// With a startup grace (see [`startup_grace`](Self::startup_grace)).
    pub fn with_startup_grace(mut self, grace: Duration) -> Self {
        self.startup_grace = grace;
        self
    }

    /// The defaults with another prefix for the core's request ids.
    pub fn with_id_prefix(mut self, prefix: impl Into<Cow<'static, str>>) -> Self {
        self.id_prefix = prefix.into();
        self
    }
}

impl Default for CoreConfig {
    fn default() -> Self {
        Self {
            attestation_deadline: DEFAULT_ATTESTATION_DEADLINE,
            startup_grace: Duration::ZERO,
            id_prefix: Cow::Borrowed(DEFAULT_ID_PREFIX),
        }
    }
}
