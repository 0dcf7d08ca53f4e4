//! `attestwire-codegen write | check | release [--root DIR]`,
//! `attestwire-codegen compat OLD.json NEW.json`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use attestwire_codegen::{FoundRoot, Judgement, ReleaseOutcome};
use serde_json::Value;

const USAGE: &str = "usage: attestwire-codegen <write|check|release> [--root DIR]\n\
  \x20      attestwire-codegen compat OLD.json NEW.json\n\
  write    regenerate schema/ and generated/src/ from the protocol types\n\
  check    write nothing; exit 1 with a diff when the committed files are stale,\n\
  \x20        or with a table when the bundle breaks the newest frozen release unbumped\n\
  release  freeze the bundle as schema/releases/<version>.json (never overwrites)\n\
  compat   judge two bundles (versions from their `$id`s); exit 1 on an unbumped break\n\
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
    let mut operands = Vec::new();
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
            "write" | "check" | "release" | "compat" if command.is_none() => command = Some(arg),
            _ if command.as_deref() == Some("compat") && !arg.starts_with('-') => {
                operands.push(PathBuf::from(arg))
            }
            other => bail!("unexpected argument {other:?}\n{USAGE}"),
        }
    }
    match command.as_deref() {
        Some("compat") => match operands.as_slice() {
            [old, new] => compat(old, new),
            _ => bail!("compat needs OLD.json and NEW.json\n{USAGE}"),
        },
        Some(command) => {
            let root = tree(flag_root.as_deref())?;
            match command {
                "write" => write(&root.path),
                "check" => check(&root.path),
                _ => release(&root.path),
            }
        }
        None => bail!("missing command\n{USAGE}"),
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

fn write(root: &Path) -> anyhow::Result<ExitCode> {
    let files = attestwire_codegen::generate()?;
    attestwire_codegen::write(root, &files)?;
    println!("wrote {} files under {}", files.len(), root.display());
    Ok(ExitCode::SUCCESS)
}

fn check(root: &Path) -> anyhow::Result<ExitCode> {
    let files = attestwire_codegen::generate()?;
    let drift = attestwire_codegen::check(root, &files)?;
    let mut ok = drift.is_empty();
    if ok {
        println!("generated files are current ({} files)", files.len());
    } else {
        print!("{}", drift.report());
    }
    let Some((path, judgement)) = attestwire_codegen::judge_against_newest_release(root, &files)?
    else {
        println!(
            "no frozen release under {}/ yet: nothing to check compatibility against \
             (`attestwire-codegen release` makes the first)",
            attestwire_codegen::RELEASES_DIR
        );
        return Ok(exit(ok));
    };
    println!(
        "compared with {}",
        path.strip_prefix(root).unwrap_or(&path).display()
    );
    print!("{}", judgement.render());
    ok &= judgement.passes();
    Ok(exit(ok))
}

fn release(root: &Path) -> anyhow::Result<ExitCode> {
    let files = attestwire_codegen::generate()?;
    // A release is what is committed: freezing output nobody has written
    // (and reviewed) would make the release and the tree disagree.
    let drift = attestwire_codegen::check(root, &files)?;
    if !drift.is_empty() {
        print!("{}", drift.report());
        println!("not released: write and commit the generated files first");
        return Ok(ExitCode::FAILURE);
    }
    let version = env!("CARGO_PKG_VERSION");
    match attestwire_codegen::release(root, &files, version)? {
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

fn compat(old: &Path, new: &Path) -> anyhow::Result<ExitCode> {
    let judgement = Judgement::of(&read_json(old)?, &read_json(new)?)?;
    print!("{}", judgement.render());
    Ok(exit(judgement.passes()))
}

fn exit(ok: bool) -> ExitCode {
    if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    }
}

fn read_json(path: &Path) -> anyhow::Result<Value> {
    let text =
        std::fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?;
    serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))
}
