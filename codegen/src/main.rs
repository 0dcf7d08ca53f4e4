//! `attestwire-codegen write | check [--root DIR]`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{Context, bail};

const USAGE: &str = "usage: attestwire-codegen <write|check> [--root DIR]\n\
  write  regenerate schema/ and generated/src/ from the protocol types\n\
  check  write nothing; exit 1 with a diff when the committed files are stale";

fn main() -> ExitCode {
    match run() {
        Ok(code) => code,
        Err(e) => {
            eprintln!("attestwire-codegen: {e:#}");
            ExitCode::from(2)
        }
    }
}

fn run() -> anyhow::Result<ExitCode> {
    let mut args = std::env::args().skip(1);
    let mut command = None;
    // The workspace root, so `cargo run` works from any directory.
    let mut root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("..");
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--root" => root = PathBuf::from(args.next().context("--root needs a directory")?),
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            "write" | "check" if command.is_none() => command = Some(arg),
            other => bail!("unexpected argument {other:?}\n{USAGE}"),
        }
    }
    let files = attestwire_codegen::generate()?;
    match command.as_deref() {
        Some("write") => {
            attestwire_codegen::write(&root, &files)?;
            println!("wrote {} files under {}", files.len(), root.display());
            Ok(ExitCode::SUCCESS)
        }
        Some("check") => {
            let drift = attestwire_codegen::check(&root, &files)?;
            if drift.is_empty() {
                println!("generated files are current ({} files)", files.len());
                Ok(ExitCode::SUCCESS)
            } else {
                print!("{}", drift.report());
                Ok(ExitCode::FAILURE)
            }
        }
        _ => bail!("missing command\n{USAGE}"),
    }
}
