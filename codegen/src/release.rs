//! Frozen releases: `schema/releases/<version>.json`, the bundle as it was
//! when `<version>` was released, and the baseline of the gate.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde_json::Value;

use crate::BUNDLE_PATH;
use crate::compat::Judgement;
use crate::semver::Version;

/// The folder of frozen bundles, relative to the repository root. It lies
/// inside `schema/` but is not generated: `write` keeps it and `check`
/// does not call it orphaned.
pub const RELEASES_DIR: &str = "schema/releases";

/// What `release` did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReleaseOutcome {
    /// The release file was written.
    Written(PathBuf),
    /// The release file already held exactly this bundle.
    Unchanged(PathBuf),
    /// The release file holds another bundle; nothing was written.
    Conflict(PathBuf),
}

/// Freezes the generated bundle in `files` as
/// `<root>/schema/releases/<version>.json`. A release is never rewritten:
/// once published, old clients are built against it.
pub fn release(
    root: &Path,
    files: &BTreeMap<String, String>,
    version: &str,
) -> anyhow::Result<ReleaseOutcome> {
    let bundle = files
        .get(BUNDLE_PATH)
        .with_context(|| format!("codegen generated no {BUNDLE_PATH}"))?;
    let path = root.join(RELEASES_DIR).join(format!("{version}.json"));
    match fs::read(&path) {
        Ok(old) if old == bundle.as_bytes() => return Ok(ReleaseOutcome::Unchanged(path)),
        Ok(_) => return Ok(ReleaseOutcome::Conflict(path)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e).with_context(|| format!("reading {}", path.display())),
    }
    let dir = root.join(RELEASES_DIR);
    fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    fs::write(&path, bundle).with_context(|| format!("writing {}", path.display()))?;
    Ok(ReleaseOutcome::Written(path))
}

/// The newest frozen release under `root`, by semver order of the file
/// names; `None` when there is none. A `.json` file whose name is not a
/// version is an error: a typo must not silently drop the baseline.
pub fn newest_release(root: &Path) -> anyhow::Result<Option<(Version, PathBuf)>> {
    let dir = root.join(RELEASES_DIR);
    if !dir.exists() {
        return Ok(None);
    }
    let mut newest: Option<(Version, PathBuf)> = None;
    for entry in fs::read_dir(&dir).with_context(|| format!("reading {}", dir.display()))? {
        let path = entry
            .with_context(|| format!("reading {}", dir.display()))?
            .path();
        let Some(stem) = path
            .extension()
            .filter(|e| *e == "json")
            .and_then(|_| path.file_stem())
            .and_then(|s| s.to_str())
        else {
            continue;
        };
        let version = Version::parse(stem)
            .with_context(|| format!("{}: a release is named <version>.json", path.display()))?;
        if newest.as_ref().is_none_or(|(v, _)| version > *v) {
            newest = Some((version, path));
        }
    }
    Ok(newest)
}

/// The gate of `check`: the generated bundle in `files` judged against the
/// newest frozen release under `root`, with that release's path; `None`
/// when nothing is released yet.
pub fn judge_against_newest_release(
    root: &Path,
    files: &BTreeMap<String, String>,
) -> anyhow::Result<Option<(PathBuf, Judgement)>> {
    let Some((_, path)) = newest_release(root)? else {
        return Ok(None);
    };
    let text = fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
    let old: Value =
        serde_json::from_str(&text).with_context(|| format!("parsing {}", path.display()))?;
    let fresh = files
        .get(BUNDLE_PATH)
        .with_context(|| format!("codegen generated no {BUNDLE_PATH}"))?;
    let new: Value = serde_json::from_str(fresh).context("parsing the generated bundle")?;
    let judgement = Judgement::of(&old, &new).with_context(|| path.display().to_string())?;
    Ok(Some((path, judgement)))
}
