//! `attestwire-codegen write | check | release [--bump major|minor|patch] [--root DIR]`,
//! `attestwire-codegen compat OLD.json NEW.json`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::{Context, bail};
use attestwire_codegen::{Bump, FoundRoot, Judgement, Plan, ReleaseOutcome};
use serde_json::Value;

const USAGE: &str = "usage: attestwire-codegen <write|check|release> [--root DIR]\n\
  \x20      attestwire-codegen release --bump major|minor|patch [--root DIR]\n\
  \x20      attestwire-codegen compat OLD.json NEW.json\n\
  write    regenerate schema/ and generated/src/ from the protocol types\n\
  check    write nothing; exit 1 with a diff when the committed files are stale,\n\
  \x20        or with a table when the bundle breaks the newest frozen release unbumped\n\
  release  freeze the bundle as schema/releases/<version>.json (never overwrites)\n\
  release --bump major|minor|patch\n\
  \x20        on a clean git tree: bump the version everywhere it is written, then\n\
  \x20        write, check and freeze with the rebuilt codegen; undone on failure\n\
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
    let mut bump = None;
    let mut operands = Vec::new();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--root" => {
                flag_root = Some(PathBuf::from(
                    args.next().context("--root needs a directory")?,
                ))
            }
            "--bump" if command.as_deref() == Some("release") => {
                let word = args.next().context("--bump needs major, minor or patch")?;
                bump = Some(
                    Bump::parse(&word)
                        .with_context(|| format!("--bump {word:?}: use major, minor or patch"))?,
                );
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
    match (command.as_deref(), bump) {
        (Some("compat"), _) => match operands.as_slice() {
            [old, new] => compat(old, new),
            _ => bail!("compat needs OLD.json and NEW.json\n{USAGE}"),
        },
        (Some("release"), Some(bump)) => release_bump(flag_root.as_deref(), bump),
        (Some(command), _) => {
            let root = tree(flag_root.as_deref())?;
            match command {
                "write" => write(&root.path),
                "check" => check(&root.path),
                _ => release(&root.path),
            }
        }
        (None, _) => bail!("missing command\n{USAGE}"),
    }
}

/// The tree to work on, refused when this binary was compiled from another.
fn tree(flag: Option<&Path>) -> anyhow::Result<FoundRoot> {
    let root = found(flag)?;
    attestwire_codegen::ensure_built_from(&attestwire_codegen::compiled_root(), &root.path)?;
    println!("root: {} ({})", root.path.display(), root.source);
    Ok(root)
}

/// The tree, found but not yet compared with the one this binary was
/// compiled from.
fn found(flag: Option<&Path>) -> anyhow::Result<FoundRoot> {
    let manifest_dir = std::env::var_os("CARGO_MANIFEST_DIR").map(PathBuf::from);
    let cwd = std::env::current_dir().context("reading the current directory")?;
    Ok(attestwire_codegen::find_root(
        flag,
        manifest_dir.as_deref(),
        &cwd,
    )?)
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

/// `release --bump`: refuse a dirty tree, bump every written version, then
/// `write`, `check` and `release` with a codegen rebuilt from the bumped
/// tree. This binary cannot do those three itself: its protocol crate was
/// compiled with the old version (`PROTOCOL_VERSION` is the crate's
/// `CARGO_PKG_VERSION`), and passing the new version in would regenerate
/// from types that are not the ones the tree now builds. A child `cargo
/// run` compiles exactly what a developer's next build will, and `--locked`
/// proves the lock files the bump edited are what cargo would write.
fn release_bump(flag: Option<&Path>, bump: Bump) -> anyhow::Result<ExitCode> {
    let root = found(flag)?.path;
    println!("root: {}", root.display());
    // Before anything else, so a refusal changes nothing anywhere.
    let dirty = attestwire_codegen::dirty_files(&root)?;
    if !dirty.is_empty() {
        eprintln!(
            "attestwire-codegen: not released: the git tree at {} is not clean, and a release \
             starts from a clean one (its diff is then the release alone, and a failure is undone \
             with git). Commit or stash these first:\n{}",
            root.display(),
            indented(&dirty)
        );
        return Ok(ExitCode::from(2));
    }
    attestwire_codegen::ensure_built_from(&attestwire_codegen::compiled_root(), &root)?;
    let tracked = attestwire_codegen::tracked_files(&root)?;
    let plan = Plan::new(&root, bump, &tracked).context("not released, nothing changed")?;
    print!("{}", plan.render());
    let Err(failure) = bump_and_regenerate(&root, &plan) else {
        let new = &plan.new;
        println!("released {new}: schema/releases/{new}.json frozen");
        println!(
            "next: review `git diff`, commit, and tag v{new} (the snapshots write the version \
             as {{version}}, so none moved)"
        );
        return Ok(ExitCode::SUCCESS);
    };
    eprintln!(
        "attestwire-codegen: release {} failed: {:#}",
        plan.new, failure.error
    );
    match attestwire_codegen::restore_clean_tree(&root) {
        Ok(changed) => eprintln!(
            "the tree is restored to its clean state; the release had changed:\n{}",
            indented(&changed)
        ),
        Err(e) => {
            let changed = attestwire_codegen::dirty_files(&root).unwrap_or_default();
            eprintln!(
                "could not restore the tree ({e:#}); the release changed:\n{}\n\
                 undo with `git checkout -- . && git clean -fd` in {}",
                indented(&changed),
                root.display()
            );
        }
    }
    Ok(ExitCode::from(failure.code))
}

/// Why `release --bump` stopped after it began changing the tree.
struct Failure {
    error: anyhow::Error,
    /// 1 when the gate refused the bump (as `check` exits), else 2.
    code: u8,
}

fn bump_and_regenerate(root: &Path, plan: &Plan) -> Result<(), Failure> {
    plan.apply(root)
        .map_err(|error| Failure { error, code: 2 })?;
    for step in ["write", "check", "release"] {
        let status = rebuilt_codegen(root, step).map_err(|error| Failure { error, code: 2 })?;
        if !status.success() {
            let gate = step == "check" && status.code() == Some(1);
            return Err(Failure {
                error: anyhow::anyhow!(
                    "`{step}` with the rebuilt codegen exited with {status}{}",
                    if gate {
                        " (the gate: a breaking change needs a bigger bump)"
                    } else {
                        ""
                    }
                ),
                code: if gate { 1 } else { 2 },
            });
        }
    }
    Ok(())
}

/// `cargo run --locked -p attestwire-codegen -- <step> --root <root>` on the
/// bumped tree, in the caller's target dir. The new version gives the
/// workspace's crates new artifact hashes, so the old build stays beside
/// it; and cargo links the binary of whichever build is fresh on every run,
/// so a tree restored after a failure runs its old-version binary again
/// (checked by hand: `check` after `git checkout` of the old version).
fn rebuilt_codegen(root: &Path, step: &str) -> anyhow::Result<std::process::ExitStatus> {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    println!(
        "$ cargo run --locked -p attestwire-codegen -- {step} --root {}",
        root.display()
    );
    std::process::Command::new(&cargo)
        .args([
            "run",
            "--locked",
            "-p",
            "attestwire-codegen",
            "--manifest-path",
        ])
        .arg(root.join("Cargo.toml"))
        .args(["--", step, "--root"])
        .arg(root)
        .current_dir(root)
        .env_remove("CARGO_MANIFEST_DIR")
        .status()
        .with_context(|| format!("running {}", Path::new(&cargo).display()))
}

fn indented(lines: &[String]) -> String {
    lines
        .iter()
        .map(|l| format!("  {l}"))
        .collect::<Vec<_>>()
        .join("\n")
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
