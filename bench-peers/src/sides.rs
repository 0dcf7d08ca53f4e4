//! The sides: attestwire and each peer library doing the same job, and the
//! floor (the same bytes through the same pipe, no library).

mod async_lsp;
mod attestwire;
mod floor;
mod rmcp;
mod tower_lsp;

use std::future::Future;
use std::time::Duration;

pub(crate) use self::async_lsp::AsyncLsp;
pub(crate) use self::attestwire::{Attestwire, AttestwireHeader};
pub(crate) use self::floor::Floor;
pub(crate) use self::rmcp::Rmcp;
pub(crate) use self::tower_lsp::TowerLsp;
use crate::app::{App, Mode};

/// The method every side asks for; params `{}` (rmcp adds its own `_meta`).
pub(crate) const METHOD: &str = "attestation/generate";

/// What one request came back with.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum Outcome {
    /// The typed result, with the app's token.
    Token,
    /// Anything else: what the library returned, as its `Debug`.
    Failed(String),
}

/// A server-side library asking the app for a token.
pub(crate) trait Side: Send + Sync + Sized + 'static {
    /// Its name in the tables and charts.
    const NAME: &'static str;

    /// A server on a fresh duplex to a fresh app in `mode`, handshake done.
    /// `deadline` is what calls on it will be given; only a side whose
    /// deadline is the server's configuration (attestwire's header flow)
    /// uses it.
    fn connect(mode: Mode, deadline: Duration) -> impl Future<Output = (Self, App)> + Send;

    /// One request under `deadline`, with the library's own timeout where
    /// it has one (rmcp, attestwire), else `tokio::time::timeout` around
    /// it, as the library's docs suggest.
    fn call(&self, deadline: Duration) -> impl Future<Output = Outcome> + Send + '_;

    /// Pending entries the library still holds, where its state can be
    /// read from outside.
    fn pending(&self) -> Option<usize> {
        None
    }
}

/// The result type of every side: `{"token": "..."}`.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct TokenResult {
    pub(crate) token: String,
}

/// The params of every side: `{}`.
#[derive(serde::Serialize, serde::Deserialize)]
pub(crate) struct Empty {}

/// `Outcome::Token` when `token` is the app's.
pub(crate) fn check(token: &str) -> Outcome {
    if token == crate::app::TOKEN {
        Outcome::Token
    } else {
        Outcome::Failed(format!("wrong token {token:?}"))
    }
}

/// attestwire's name in the tables.
pub(crate) const ATTESTWIRE: &str = <Attestwire as Side>::NAME;
