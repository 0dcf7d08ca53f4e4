//! `attestwire-probe`: plays the attestwire server against a desktop-app
//! client program and reports the `x-oai-attestation` header its answers
//! would produce. Built only on the public API of `attestwire-runtime`.
//!
//! ```text
//! attestwire-probe [--timeout-ms N] [--count N] [--handshake-timeout-ms N] [--json] -- COMMAND [ARGS...]
//! ```

mod args;
mod child;
mod probe;
mod report;
mod signals;
mod tap;

use std::io::{self, Write};
use std::process::ExitCode;

fn main() -> ExitCode {
    let options = match args::parse(std::env::args_os().skip(1)) {
        Ok(args::Parsed::Run(options)) => options,
        Ok(args::Parsed::Help) => {
            // Not `println!`: it panics when stdout is closed.
            let _ = writeln!(io::stdout(), "{}", args::USAGE);
            return ExitCode::SUCCESS;
        }
        Err(error) => {
            probe::note(format_args!("{error}\n\n{}", args::USAGE));
            return ExitCode::from(probe::EXIT_SETUP);
        }
    };
    // One thread: the attempts run one after another, and the connection's
    // reader and writer are light; a single thread also keeps the measured
    // latency free of cross-thread wake-ups.
    let runtime = match tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            probe::note(format_args!("cannot start the async runtime: {error}"));
            return ExitCode::from(probe::EXIT_SETUP);
        }
    };
    ExitCode::from(runtime.block_on(probe::run(options)))
}
