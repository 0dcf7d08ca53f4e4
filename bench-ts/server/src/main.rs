//! The server of the TypeScript-side benchmark (BENCHMARKS.md, "The app's
//! side"): attestwire's built-in `Server` on one connection over
//! stdin/stdout, as `examples/minimal-server`, with three host methods
//! that the app calls:
//!
//! - `bench/attest`: the whole job. The server asks the app
//!   `attestation/generate` (the header flow, for the thread every
//!   connection is subscribed to) and answers with the header value, e.g.
//!   `"{\"v\":1,\"s\":0,\"t\":\"…\"}"`, or an error when there is none.
//! - `bench/echo`: answers with its params (`null` when absent).
//! - `bench/silent`: never answers (the app's pending requests, measured).
//!
//! Limits are raised so that 10,000 requests in flight on the one
//! connection neither wait on the server's handler bound nor time out.

use std::time::Duration;

use attestwire_protocol::{ErrorCode, JsonRpcErrorObject, ServerInfo};
use attestwire_runtime::{AttestationContext, Server, ServerConfig};
use serde_json::Value;

/// The thread every connection is subscribed to at its handshake.
const THREAD: &str = "bench";
/// Far above what the bench keeps in flight (10,000).
const IN_FLIGHT: usize = 1 << 16;

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let mut config = ServerConfig::new(ServerInfo {
        name: "attestwire-bench-ts-server".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    });
    config.handlers_in_flight = IN_FLIGHT;
    config.write_queue = IN_FLIGHT;
    // 10,000 attestation requests queued at once must not time out (the
    // deadline covers queueing); a round trip that does is reported by the
    // bench as a failed round trip, not timed.
    config.attestation_deadline = Duration::from_secs(60);
    let server = Server::builder(config)
        .on_handshake(|server, info| {
            server.subscribe(info.id, THREAD);
        })
        .handle_raw("bench/attest", |ctx, _params| async move {
            let context = AttestationContext::new(THREAD);
            match ctx.server().attestation_header(&context).await {
                Ok(header) => Ok(Value::String(
                    String::from_utf8_lossy(header.as_bytes()).into_owned(),
                )),
                Err(why) => Err(JsonRpcErrorObject::new(
                    ErrorCode::INTERNAL_ERROR,
                    format!("no header: {why}"),
                )),
            }
        })
        .handle_raw("bench/echo", |_ctx, params| async move {
            Ok(params.unwrap_or(Value::Null))
        })
        .handle_raw("bench/silent", |_ctx, _params| async move {
            std::future::pending::<Result<Value, JsonRpcErrorObject>>().await
        })
        .build();
    if let Err(error) = server
        .connect(tokio::io::stdin(), tokio::io::stdout())
        .serve()
        .await
    {
        eprintln!("bench-ts server: {error}");
        std::process::exit(1);
    }
}
