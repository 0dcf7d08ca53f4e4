//! async-lsp: `ClientSocket::request::<R>` from a `MainLoop::new_server`
//! with a `Router`, under `tokio::time::timeout` (the library has no
//! deadline of its own).

use std::ops::ControlFlow;
use std::time::Duration;

use async_lsp::lsp_types::InitializeResult;
use async_lsp::lsp_types::notification::Initialized;
use async_lsp::lsp_types::request::{Initialize, Request};
use async_lsp::router::Router;
use async_lsp::{ClientSocket, MainLoop, ResponseError};
use tokio_util::compat::{TokioAsyncReadCompatExt, TokioAsyncWriteCompatExt};

use super::{Empty, METHOD, Outcome, Side, TokenResult, check};
use crate::app::{self, App, DUPLEX_BUFFER, Framing, Handshake, Mode};

pub(crate) const LSP_HANDSHAKE: Handshake = Handshake {
    initialize: r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"processId":null,"capabilities":{}}}"#,
    initialized: r#"{"jsonrpc":"2.0","method":"initialized","params":{}}"#,
};

/// `attestation/generate` as an LSP request type.
enum Generate {}

impl Request for Generate {
    type Params = Empty;
    type Result = TokenResult;
    const METHOD: &'static str = METHOD;
}

pub(crate) struct AsyncLsp {
    client: ClientSocket,
}

impl Side for AsyncLsp {
    const NAME: &'static str = "async-lsp";

    async fn connect(mode: Mode, _deadline: Duration) -> (Self, App) {
        let (main_loop, client) = MainLoop::new_server(|client| {
            // The router keeps a socket: async-lsp's main loop panics
            // ("Sender is alive") once every socket is gone, which would be
            // when this side is dropped.
            let mut router = Router::new(client);
            router
                .request::<Initialize, _>(|_, _| async {
                    Ok::<_, ResponseError>(InitializeResult::default())
                })
                .notification::<Initialized>(|_, _| ControlFlow::Continue(()));
            router
        });
        let (app_end, server_end) = tokio::io::duplex(DUPLEX_BUFFER);
        let (read, write) = tokio::io::split(server_end);
        tokio::spawn(main_loop.run_buffered(read.compat(), write.compat_write()));
        let (app, ready) = app::spawn(app_end, Framing::ContentLength, Some(LSP_HANDSHAKE), mode);
        ready.await.expect("async-lsp handshake");
        (Self { client }, app)
    }

    async fn call(&self, deadline: Duration) -> Outcome {
        match tokio::time::timeout(deadline, self.client.request::<Generate>(Empty {})).await {
            Ok(Ok(result)) => check(&result.token),
            Ok(Err(error)) => Outcome::Failed(format!("Ok(Err({error:?}))")),
            Err(elapsed) => Outcome::Failed(format!("Err({elapsed:?}) (tokio::time::timeout)")),
        }
    }
}
