//! Writing the generated folders, and checking the committed copies.

use std::collections::BTreeMap;
use std::fmt::Write;
use std::fs;
use std::path::Path;

use anyhow::Context;

use crate::{KEPT_DIRS, OWNED_DIRS};

/// How the committed files differ from fresh output. Empty when current.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Drift {
    /// Files whose contents differ.
    pub stale: Vec<String>,
    /// Files that should exist and do not.
    pub missing: Vec<String>,
    /// Files in a generated folder that codegen no longer writes.
    pub orphaned: Vec<String>,
    /// A unified diff, committed → fresh, of every file above.
    pub diff: String,
}

impl Drift {
    /// `true` when nothing differs.
    pub fn is_empty(&self) -> bool {
        self.stale.is_empty() && self.missing.is_empty() && self.orphaned.is_empty()
    }

    /// A report naming each file, the diff, and the command that fixes it.
    pub fn report(&self) -> String {
        let mut out = String::new();
        for (label, files) in [
            ("stale", &self.stale),
            ("missing", &self.missing),
            ("orphaned", &self.orphaned),
        ] {
            for f in files {
                let _ = writeln!(out, "{label}: {f}");
            }
        }
        out.push('\n');
        out.push_str(&self.diff);
        out.push_str("\ngenerated files are out of date: run `just write-schema` (or `cargo run -p attestwire-codegen -- write`) and commit the result\n");
        out
    }
}

/// Replaces the generated folders under `root` with `files`: each owned
/// folder is emptied first (all but [`KEPT_DIRS`]), so a type that is gone
/// leaves no orphan.
pub fn write(root: &Path, files: &BTreeMap<String, String>) -> anyhow::Result<()> {
    for dir in OWNED_DIRS {
        clear(root, &root.join(dir))?;
    }
    for (rel, text) in files {
        let path = root.join(rel);
        if let Some(parent) = path.parent() {
            fs::create_dir_all(parent).with_context(|| format!("creating {}", parent.display()))?;
        }
        fs::write(&path, text).with_context(|| format!("writing {}", path.display()))?;
    }
    Ok(())
}

/// Compares `files` with what is under `root`, writing nothing.
pub fn check(root: &Path, files: &BTreeMap<String, String>) -> anyhow::Result<Drift> {
    let on_disk = read_owned(root)?;
    let mut drift = Drift::default();
    for (rel, fresh) in files {
        match on_disk.get(rel) {
            Some(old) if old == fresh => {}
            Some(old) => {
                drift.stale.push(rel.clone());
                append_diff(&mut drift.diff, rel, old, fresh);
            }
            None => {
                drift.missing.push(rel.clone());
                append_diff(&mut drift.diff, rel, "", fresh);
            }
        }
    }
    for (rel, old) in &on_disk {
        if !files.contains_key(rel) {
            drift.orphaned.push(rel.clone());
            append_diff(&mut drift.diff, rel, old, "");
        }
    }
    Ok(drift)
}

fn append_diff(out: &mut String, rel: &str, old: &str, new: &str) {
    let diff = similar::TextDiff::from_lines(old, new);
    let _ = write!(
        out,
        "{}",
        diff.unified_diff()
            .context_radius(3)
            .header(&format!("a/{rel}"), &format!("b/{rel}"))
    );
}

/// Every file under the owned folders, keyed like `generate()`'s output.
fn read_owned(root: &Path) -> anyhow::Result<BTreeMap<String, String>> {
    let mut out = BTreeMap::new();
    for dir in OWNED_DIRS {
        walk(root, &root.join(dir), &mut out)?;
    }
    Ok(out)
}

/// Removes everything under `dir` except the [`KEPT_DIRS`] (and the
/// folders on the way to them).
fn clear(root: &Path, dir: &Path) -> anyhow::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry
            .with_context(|| format!("reading {}", dir.display()))?
            .path();
        let key = key(root, &path)?;
        if KEPT_DIRS.contains(&key.as_str()) {
            continue;
        }
        if !path.is_dir() {
            fs::remove_file(&path).with_context(|| format!("removing {}", path.display()))?;
        } else if KEPT_DIRS.iter().any(|k| k.starts_with(&format!("{key}/"))) {
            clear(root, &path)?;
        } else {
            fs::remove_dir_all(&path).with_context(|| format!("removing {}", path.display()))?;
        }
    }
    Ok(())
}

/// `path` relative to `root`, with `/` separators, like `generate()`'s keys.
fn key(root: &Path, path: &Path) -> anyhow::Result<String> {
    let rel = path
        .strip_prefix(root)
        .with_context(|| format!("{} is outside {}", path.display(), root.display()))?;
    Ok(rel
        .components()
        .map(|c| c.as_os_str().to_string_lossy())
        .collect::<Vec<_>>()
        .join("/"))
}

fn walk(root: &Path, dir: &Path, out: &mut BTreeMap<String, String>) -> anyhow::Result<()> {
    if !dir.exists() {
        return Ok(());
    }
    for entry in fs::read_dir(dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry
            .with_context(|| format!("reading {}", dir.display()))?
            .path();
        let key = key(root, &path)?;
        if KEPT_DIRS.contains(&key.as_str()) {
            continue;
        }
        if path.is_dir() {
            walk(root, &path, out)?;
            continue;
        }
        // A file that is not UTF-8 is orphaned or stale all the same.
        let bytes = fs::read(&path).with_context(|| format!("reading {}", path.display()))?;
        out.insert(key, String::from_utf8_lossy(&bytes).into_owned());
    }
    Ok(())
}
