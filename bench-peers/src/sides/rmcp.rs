//! rmcp: `Peer<RoleServer>::send_request_with_option` with
//! `PeerRequestOptions::with_timeout`, then `RequestHandle::await_response`
//! (what `create_message` / `list_roots` do, with a timeout). The method is
//! a `CustomRequest`, the result comes back as `ClientResult::CustomResult`.

use std::time::Duration;

use rmcp::model::{ClientResult, CustomRequest, CustomResult, ServerRequest};
use rmcp::service::{PeerRequestOptions, RoleServer, RunningService};
use rmcp::{ServerHandler, ServiceExt};

use super::{METHOD, Outcome, Side, TokenResult, check};
use crate::app::{self, App, DUPLEX_BUFFER, Framing, Handshake, Mode};

// rmcp 3 refuses server → client requests on protocol 2026-07-28 and
// later; 2025-06-18 is the newest that has them.
const HANDSHAKE: Handshake = Handshake {
    initialize: r#"{"jsonrpc":"2.0","id":0,"method":"initialize","params":{"protocolVersion":"2025-06-18","capabilities":{},"clientInfo":{"name":"bench","version":"0"}}}"#,
    initialized: r#"{"jsonrpc":"2.0","method":"notifications/initialized"}"#,
};

/// A server with nothing of its own to serve.
#[derive(Clone)]
pub(crate) struct Handler;

impl ServerHandler for Handler {}

pub(crate) struct Rmcp {
    service: RunningService<RoleServer, Handler>,
}

impl Side for Rmcp {
    const NAME: &'static str = "rmcp";

    async fn connect(mode: Mode, _deadline: Duration) -> (Self, App) {
        let (app_end, server_end) = tokio::io::duplex(DUPLEX_BUFFER);
        let (app, ready) = app::spawn(app_end, Framing::Jsonl, Some(HANDSHAKE), mode);
        let (read, write) = tokio::io::split(server_end);
        let service = Handler.serve((read, write)).await.expect("rmcp initialize");
        ready.await.expect("rmcp handshake");
        (Self { service }, app)
    }

    async fn call(&self, deadline: Duration) -> Outcome {
        let request = ServerRequest::CustomRequest(CustomRequest::new(
            METHOD,
            Some(serde_json::Value::Object(serde_json::Map::new())),
        ));
        let handle = match self
            .service
            .send_request_with_option(request, PeerRequestOptions::with_timeout(deadline))
            .await
        {
            Ok(handle) => handle,
            Err(error) => return Outcome::Failed(format!("Err({error:?})")),
        };
        match handle.await_response().await {
            Ok(ClientResult::CustomResult(CustomResult(value))) => {
                match serde_json::from_value::<TokenResult>(value) {
                    Ok(result) => check(&result.token),
                    Err(error) => Outcome::Failed(format!("not a token: {error}")),
                }
            }
            Ok(other) => Outcome::Failed(format!("Ok({other:?})")),
            Err(error) => Outcome::Failed(format!("Err({error:?})")),
        }
    }
}
