//! tower-lsp-server: `Client::send_request::<R>` from an `LspService`
//! served by `Server`, under `tokio::time::timeout` (the library has no
//! deadline of its own).

use std::time::Duration;

use tower_lsp_server::jsonrpc::Result as RpcResult;
use tower_lsp_server::ls_types::request::Request;
use tower_lsp_server::ls_types::{InitializeParams, InitializeResult};
use tower_lsp_server::{Client, LanguageServer, LspService, Server};

use super::async_lsp::LSP_HANDSHAKE;
use super::{Empty, METHOD, Outcome, Side, TokenResult, check};
use crate::app::{self, App, DUPLEX_BUFFER, Framing, Mode};

/// `attestation/generate` as an LSP request type.
enum Generate {}

impl Request for Generate {
    type Params = Empty;
    type Result = TokenResult;
    const METHOD: &'static str = METHOD;
}

/// A language server with nothing of its own to serve.
struct Backend;

impl LanguageServer for Backend {
    async fn initialize(&self, _: InitializeParams) -> RpcResult<InitializeResult> {
        Ok(InitializeResult::default())
    }

    async fn shutdown(&self) -> RpcResult<()> {
        Ok(())
    }
}

pub(crate) struct TowerLsp {
    client: Client,
}

impl Side for TowerLsp {
    const NAME: &'static str = "tower-lsp-server";

    async fn connect(mode: Mode, _deadline: Duration) -> (Self, App) {
        let mut client = None;
        let (service, socket) = LspService::new(|c| {
            client = Some(c);
            Backend
        });
        let client = client.expect("LspService::new called the builder");
        let (app_end, server_end) = tokio::io::duplex(DUPLEX_BUFFER);
        let (read, write) = tokio::io::split(server_end);
        tokio::spawn(Server::new(read, write, socket).serve(service));
        let (app, ready) = app::spawn(app_end, Framing::ContentLength, Some(LSP_HANDSHAKE), mode);
        ready.await.expect("tower-lsp-server handshake");
        (Self { client }, app)
    }

    async fn call(&self, deadline: Duration) -> Outcome {
        match tokio::time::timeout(deadline, self.client.send_request::<Generate>(Empty {})).await {
            Ok(Ok(result)) => check(&result.token),
            Ok(Err(error)) => Outcome::Failed(format!("Ok(Err({error:?}))")),
            Err(elapsed) => Outcome::Failed(format!("Err({elapsed:?}) (tokio::time::timeout)")),
        }
    }

    /// The client's `Debug` lists its pending map: one `Waiters(n)` per id.
    fn pending(&self) -> Option<usize> {
        let debug = format!("{:?}", self.client);
        let pending = debug.split("pending: ").nth(1)?;
        Some(
            pending
                .split(", request_id")
                .next()?
                .matches("Waiters(")
                .count(),
        )
    }
}
