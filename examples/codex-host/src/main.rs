//! A server shaped like the Codex app-server — its own JSON-RPC transports
//! (JSONL on stdio, and WebSocket text frames with `--listen`), its own
//! writer queues, its own integer request ids and pending table — that
//! adopts the attestwire core for the attestation header.
//! Every line that touches attestwire is marked `// [attestwire]`.
//!
//!     codex-host [--attestation-timeout-ms N] [--listen ws://IP:PORT] [--upstream URL]
//!
//! The contract is in README.md. The process serves one client on stdin and
//! stdout, and with `--listen` any number of WebSocket clients beside it; it
//! exits 0 when stdin ends, 1 when it cannot listen, 2 on a usage error.

mod connection;
mod host;
mod requests;
mod stdio;
mod threads;
mod upstream;
mod wire;
mod ws;

use std::net::SocketAddr;
use std::process::ExitCode;
use std::time::Duration;

use attestwire_runtime::{Core, CoreConfig}; // [attestwire]

use crate::host::Host;

const USAGE: &str =
    "usage: codex-host [--attestation-timeout-ms N] [--listen ws://IP:PORT] [--upstream URL]";

/// The attestation deadline without `--attestation-timeout-ms`.
const DEFAULT_ATTESTATION_TIMEOUT: Duration = Duration::from_millis(100);

/// What the command line asks for.
#[derive(Debug, PartialEq, Eq)]
struct Options {
    attestation_timeout: Duration,
    /// `--listen ws://IP:PORT`.
    listen: Option<SocketAddr>,
    /// `--upstream URL`, checked by `Host::new`.
    upstream: Option<String>,
}

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let options = match parse_args(std::env::args().skip(1)) {
        Ok(Some(options)) => options,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!("codex-host: {problem}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    let config = CoreConfig::default().with_attestation_deadline(options.attestation_timeout); // [attestwire]
    let host = Host::new(Core::new(config), options.upstream.as_deref()); // [attestwire]
    let host = match host {
        Ok(host) => host,
        Err(problem) => {
            eprintln!("codex-host: {problem}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    if let Some(address) = options.listen {
        let listener = match ws::bind(address).await {
            Ok(listener) => listener,
            Err(error) => {
                eprintln!("codex-host: cannot listen on ws://{address}: {error}");
                return ExitCode::from(1);
            }
        };
        // The bound address, port 0 resolved: how a test finds the port.
        match listener.local_addr() {
            Ok(bound) => eprintln!("codex-host: listening on ws://{bound}"),
            Err(error) => eprintln!("codex-host: listening, at an unknown address: {error}"),
        }
        // Runs until the process ends, which stdin decides.
        tokio::spawn(ws::accept(host.clone(), listener));
    }
    stdio::serve(&host, tokio::io::stdin(), tokio::io::stdout()).await;
    ExitCode::SUCCESS
}

/// The options, or `None` for `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Options>, String> {
    let mut options = Options {
        attestation_timeout: DEFAULT_ATTESTATION_TIMEOUT,
        listen: None,
        upstream: None,
    };
    while let Some(arg) = args.next() {
        let mut value = || args.next().ok_or(format!("{arg} needs a value"));
        match arg.as_str() {
            "--attestation-timeout-ms" => {
                let value = value()?;
                let ms = value.parse::<u64>().map_err(|_| {
                    format!("--attestation-timeout-ms takes milliseconds, got {value:?}")
                })?;
                options.attestation_timeout = Duration::from_millis(ms);
            }
            "--listen" => options.listen = Some(ws::parse_listen(&value()?)?),
            "--upstream" => options.upstream = Some(value()?),
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    Ok(Some(options))
}

#[cfg(test)]
mod tests;
