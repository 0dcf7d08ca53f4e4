//! `attestwire-codegen write | check | release [--root DIR]`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use attestwire_codegen::{FoundRoot, ReleaseOutcome};

const USAGE: &str = "usage: attestwire-codegen <write|check|release> [--root DIR]\n\
  write    regenerate schema/ and generated/src/ from the protocol types\n\
  check    write nothing; exit 1 with a diff when the committed files are stale\n\
  release  freeze the bundle as schema/releases/<version>.json (never overwrites)\n\
  The tree is --root DIR, else cargo's CARGO_MANIFEST_DIR, else the current directory, upward.";

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
    let mut flag_root = None;
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--root" => {
                flag_root = Some(PathBuf::from(
                    args.next().context("--root needs a directory")?,
                ))
            }
            "-h" | "--help" => {
                println!("{USAGE}");
                return Ok(ExitCode::SUCCESS);
            }
            "write" | "check" | "release" if command.is_none() => command = Some(arg),
            other => bail!("unexpected argument {other:?}\n{USAGE}"),
        }
    }
    let Some(command) = command else {
        bail!("missing command\n{USAGE}");
    };
    let root = tree(flag_root.as_deref())?;
    let files = attestwire_codegen::generate()?;
    if command == "write" {
        attestwire_codegen::write(&root.path, &files)?;
        println!("wrote {} files under {}", files.len(), root.path.display());
        return Ok(ExitCode::SUCCESS);
    }
    if command == "release" {
        return release(&root.path, &files);
    }
    let drift = attestwire_codegen::check(&root.path, &files)?;
    if drift.is_empty() {
        println!("generated files are current ({} files)", files.len());
        Ok(ExitCode::SUCCESS)
    } else {
        print!("{}", drift.report());
        Ok(ExitCode::FAILURE)
    }
}

/// The tree to work on, refused when this binary was compiled from another.
fn tree(flag: Option<&Path>) -> anyhow::Result<FoundRoot> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let cwd = std::env::current_dir().context("reading the current directory")?;
    let root = attestwire_codegen::find_root(flag, manifest_dir.as_deref(), &cwd)?;
    attestwire_codegen::ensure_built_from(&attestwire_codegen::compiled_root(), &root.path)?;
    println!("root: {} ({})", root.path.display(), root.source);
    Ok(root)
}

fn release(root: &Path, files: &BTreeMap<String, String>) -> anyhow::Result<ExitCode> {
    // A release is what is committed: freezing output nobody has written
    // (and reviewed) would make the release and the tree disagree.
    let drift = attestwire_codegen::check(root, files)?;
    if !drift.is_empty() {
        print!("{}", drift.report());
        println!("not released: write and commit the generated files first");
        return Ok(ExitCode::FAILURE);
    }
    let version = env!("CARGO_PKG_VERSION");
    match attestwire_codegen::release(root, files, version)? {
        ReleaseOutcome::Written(path) => {
            println!("released {version}: wrote {}", path.display());
            Ok(ExitCode::SUCCESS)
        }
        ReleaseOutcome::Unchanged(path) => {
            println!(
                "{version} is already released, identical: {}",
                path.display()
            );
            Ok(ExitCode::SUCCESS)
        }
        ReleaseOutcome::Conflict(path) => {
            println!(
                "not released: {} already holds another bundle for {version}. A release is never \
                 rewritten (clients were built against it): bump `version` in the workspace \
                 Cargo.toml, run `write`, then `release`",
                path.display()
            );
            Ok(ExitCode::FAILURE)
        }
    }
}
