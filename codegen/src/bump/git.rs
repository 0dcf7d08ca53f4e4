//! What git says about the tree: a release starts from a clean one (so its
//! diff is the release and nothing else, and undoing it is `git checkout`),
//! and the tracked files are the ones a bump may touch.

use std::path::Path;
use std::process::Command;

use anyhow::{Context, bail};

fn git(root: &Path, args: &[&str]) -> anyhow::Result<Vec<u8>> {
    let out = Command::new("git")
        .args(args)
        .current_dir(root)
        .output()
        .with_context(|| format!("running `git {}` (a release needs git)", args.join(" ")))?;
    if !out.status.success() {
        bail!(
            "`git {}` in {} failed: {}",
            args.join(" "),
            root.display(),
            String::from_utf8_lossy(&out.stderr).trim()
        );
    }
    Ok(out.stdout)
}

/// Every change to the tree as `git status --porcelain` prints it
/// (`" M Cargo.toml"`, `"?? notes.txt"`), untracked files included and
/// ignored ones (`target/`) not; empty for a clean tree.
pub fn dirty_files(root: &Path) -> anyhow::Result<Vec<String>> {
    // `-- .`: a checkout inside a larger repository answers for itself.
    let out = git(
        root,
        &[
            "status",
            "--porcelain=v1",
            "--untracked-files=all",
            "--",
            ".",
        ],
    )?;
    Ok(String::from_utf8_lossy(&out)
        .lines()
        .filter(|l| !l.is_empty())
        .map(str::to_owned)
        .collect())
}

/// The tracked files, relative to `root`, with `/`.
pub fn tracked_files(root: &Path) -> anyhow::Result<Vec<String>> {
    let out = git(root, &["ls-files", "-z"])?;
    Ok(out
        .split(|b| *b == 0)
        .filter(|p| !p.is_empty())
        .map(|p| String::from_utf8_lossy(p).into_owned())
        .collect())
}

/// Puts a tree that was clean when the release began back as it was:
/// tracked files from the index, new untracked files removed (ignored ones,
/// such as `target/`, stay). Returns what was changed, as `dirty_files`
/// said before restoring. Only for a tree known to have been clean: on any
/// other it would throw work away.
pub fn restore_clean_tree(root: &Path) -> anyhow::Result<Vec<String>> {
    let changed = dirty_files(root)?;
    git(root, &["checkout", "--quiet", "--", "."])?;
    git(root, &["clean", "--quiet", "--force", "-d", "--", "."])?;
    Ok(changed)
}
