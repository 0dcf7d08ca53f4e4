//! Outbound attachment: which upstream requests get the header
//! ([`AttestationScope`](crate::AttestationScope), by origin and path),
//! and what puts it on: a client-agnostic `attach_to` on a URI and a
//! `HeaderMap`, the tower layer ([`AttestationLayer`](crate::AttestationLayer))
//! and, behind the `reqwest` feature, a reqwest client that follows
//! redirects itself. It asks the core through
//! [`AttestationProvider`](crate::AttestationProvider) and never the other
//! way round.

pub(crate) mod layer;
mod origin;
#[cfg(feature = "reqwest")]
pub(crate) mod reqwest_client;
pub(crate) mod scope;
