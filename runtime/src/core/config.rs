//! How a [`Core`](crate::Core) behaves: the attestation deadline and the
//! form of its request ids.

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
            id_prefix: Cow::Borrowed(DEFAULT_ID_PREFIX),
        }
    }
}
