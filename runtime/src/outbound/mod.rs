//! Outbound attachment: which upstream requests get the header
//! ([`AttestationScope`](crate::AttestationScope)), and the tower layer that
//! puts it on ([`AttestationLayer`](crate::AttestationLayer)). It asks the
//! core through [`AttestationProvider`](crate::AttestationProvider) and
//! never the other way round.

pub(crate) mod layer;
pub(crate) mod scope;
