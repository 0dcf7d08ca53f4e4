//! A server shaped like the Codex app-server — its own JSONL transport on
//! stdio, its own writer queue, its own integer request ids and pending
//! table — that adopts the attestwire core for the attestation header.
//! Every line that touches attestwire is marked `// [attestwire]`.
//!
//!     codex-host [--attestation-timeout-ms N]
//!
//! The contract is in README.md. The process serves one client on stdin and
//! stdout and exits 0 when stdin ends; 2 on a usage error.

mod connection;
mod requests;
mod threads;
mod wire;

use std::process::ExitCode;
use std::time::Duration;

use attestwire_runtime::{Core, CoreConfig}; // [attestwire]

const USAGE: &str = "usage: codex-host [--attestation-timeout-ms N]";

/// The attestation deadline without `--attestation-timeout-ms`.
const DEFAULT_ATTESTATION_TIMEOUT: Duration = Duration::from_millis(100);

#[tokio::main(flavor = "current_thread")]
async fn main() -> ExitCode {
    let attestation_timeout = match parse_args(std::env::args().skip(1)) {
        Ok(Some(timeout)) => timeout,
        Ok(None) => {
            println!("{USAGE}");
            return ExitCode::SUCCESS;
        }
        Err(problem) => {
            eprintln!("codex-host: {problem}\n{USAGE}");
            return ExitCode::from(2);
        }
    };
    // One core for the whole server: every connection opens in it, and the
    // code making upstream requests asks it for the header.
    let config = CoreConfig::default().with_attestation_deadline(attestation_timeout); // [attestwire]
    let core = Core::new(config); // [attestwire]
    let threads = threads::Threads::default();
    connection::serve(&core, &threads, tokio::io::stdin(), tokio::io::stdout()).await; // [attestwire]
    ExitCode::SUCCESS
}

/// The attestation timeout, or `None` for `--help`.
fn parse_args(mut args: impl Iterator<Item = String>) -> Result<Option<Duration>, String> {
    let mut timeout = DEFAULT_ATTESTATION_TIMEOUT;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--attestation-timeout-ms" => {
                let value = args
                    .next()
                    .ok_or("--attestation-timeout-ms needs a value")?;
                let ms = value.parse::<u64>().map_err(|_| {
                    format!("--attestation-timeout-ms takes milliseconds, got {value:?}")
                })?;
                timeout = Duration::from_millis(ms);
            }
            "-h" | "--help" => return Ok(None),
            other => return Err(format!("unexpected argument {other:?}")),
        }
    }
    Ok(Some(timeout))
}

#[cfg(test)]
mod tests;
