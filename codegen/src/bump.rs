//! Moving the version from one release to the next in every file that
//! writes it down, textually (formatting and comments stay): the workspace
//! manifest and its path-dependency requirements, the Cargo lock files, the
//! npm packages (`generated/`, `client/`) and their lock files, and the tag
//! in the README's install snippet. Everything is planned, and every file
//! judged, before the first byte is written: a file that does not say what
//! it should stops the release with nothing changed.

mod cargo;
pub(crate) mod git;
mod jsontext;
mod npm;

use std::fs;
use std::path::Path;

use anyhow::{Context, bail};

use crate::semver::{Bump, Version};

/// The workspace manifest, relative to the root.
const MANIFEST: &str = "Cargo.toml";

/// Cargo lock files that record the workspace's crates: the workspace's
/// own, and those of the workspaces kept apart (fuzz targets, peer
/// benchmark) that depend on its crates by path.
pub const CARGO_LOCKS: [&str; 3] = ["Cargo.lock", "fuzz/Cargo.lock", "bench-peers/Cargo.lock"];

/// The npm files of the packages this repository publishes. `client/` is
/// optional: a tree without it is released without it.
pub const NPM_FILES: [&str; 4] = [
    "generated/package.json",
    "generated/package-lock.json",
    "client/package.json",
    "client/package-lock.json",
];

/// The only npm file a release cannot do without: the protocol package.
const REQUIRED_NPM: &str = "generated/package.json";

/// The README, whose install snippet names the release tag.
const README: &str = "README.md";

/// A file's text being rebuilt, with what was changed in it.
#[derive(Debug, Default)]
pub(crate) struct Edited {
    text: String,
    places: Vec<String>,
    notes: Vec<String>,
}

impl Edited {
    fn new(original: &str) -> Self {
        Self {
            text: String::with_capacity(original.len() + 16),
            ..Self::default()
        }
    }

    fn push(&mut self, text: &str) {
        self.text.push_str(text);
    }

    fn keep(&mut self, line: &str) {
        self.push(line);
    }

    /// `line` with the bytes in `range` replaced by `value`.
    fn replace_in_line(&mut self, line: &str, range: std::ops::Range<usize>, value: &str) {
        self.push(line.get(..range.start).unwrap_or_default());
        self.push(value);
        self.push(line.get(range.end..).unwrap_or_default());
    }

    fn place(&mut self, what: &str) {
        self.places.push(what.to_owned());
    }

    fn note(&mut self, what: &str) {
        self.notes.push(what.to_owned());
    }
}

/// A version requirement `spec` moved from `old` to `new`, keeping its
/// operator (`0.1.0`, `^0.1.0`, `=0.1.0`, `~0.1.0`, `>=0.1.0`); `None` when
/// it does not name `old` exactly, so no guess is written.
pub(crate) fn requirement(spec: &str, old: &Version, new: &Version) -> Option<String> {
    let version = spec.trim_start_matches(['^', '=', '~', '>']);
    let operator = &spec[..spec.len() - version.len()];
    let allowed = ["", "^", "=", "~", ">="].contains(&operator);
    (allowed && version == old.to_string()).then(|| format!("{operator}{new}"))
}

/// One file's change.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileChange {
    /// Relative to the root, with `/`.
    pub path: String,
    /// The text before.
    pub before: String,
    /// The text after.
    pub after: String,
    /// Each place changed, e.g. `[workspace.package] version`.
    pub places: Vec<String>,
}

/// Every change a bump makes, decided before anything is written.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Plan {
    /// The version the tree says today.
    pub old: Version,
    /// The version it will say.
    pub new: Version,
    /// The files that change.
    pub changes: Vec<FileChange>,
    /// What was left alone and why (a missing optional file, a `file:`
    /// spec, a lock file that names none of our crates).
    pub notes: Vec<String>,
}

impl Plan {
    /// Decides every change of `bump` in the tree at `root`, reading only.
    /// `tracked` lists the tree's files (relative, `/`-separated); the npm
    /// and lock files among them are bumped besides the fixed ones, so a
    /// test package that pins the protocol package moves too.
    pub fn new(root: &Path, bump: Bump, tracked: &[String]) -> anyhow::Result<Self> {
        let manifest = read(root, MANIFEST)?.with_context(|| format!("no {MANIFEST}"))?;
        let current =
            cargo::workspace_version(&manifest).map_err(|e| anyhow::anyhow!("{MANIFEST}: {e}"))?;
        let old = Version::parse(&current)
            .with_context(|| format!("{MANIFEST}: [workspace.package] version"))?;
        let new = old.bumped(bump);
        let mut plan = Plan {
            old,
            new,
            changes: Vec::new(),
            notes: Vec::new(),
        };
        let (old, new) = (plan.old.clone(), plan.new.clone());

        let names = workspace_crates(root, &manifest)?;
        let edited = cargo::manifest(&manifest, &names, &old, &new)
            .map_err(|e| anyhow::anyhow!("{MANIFEST}: {e}"))?;
        plan.add(MANIFEST, manifest.clone(), edited);

        let mut locks: Vec<&str> = CARGO_LOCKS.to_vec();
        locks.extend(
            tracked
                .iter()
                .map(String::as_str)
                .filter(|p| named(p, "Cargo.lock") && !CARGO_LOCKS.contains(p)),
        );
        for path in locks {
            let Some(text) = read(root, path)? else {
                plan.notes.push(format!("{path}: absent, skipped"));
                continue;
            };
            plan.add(path, text.clone(), cargo::lock(&text, &names, &old, &new));
        }

        let mut npm_files: Vec<&str> = NPM_FILES.to_vec();
        npm_files.extend(tracked.iter().map(String::as_str).filter(|p| {
            (named(p, "package.json") || named(p, "package-lock.json"))
                && !p.contains("node_modules/")
                && !NPM_FILES.contains(p)
        }));
        for path in npm_files {
            let Some(text) = read(root, path)? else {
                if path == REQUIRED_NPM {
                    bail!("{path} is missing: the protocol package carries the version too");
                }
                plan.notes.push(format!("{path}: absent, skipped"));
                continue;
            };
            let edited = if path.ends_with("package-lock.json") {
                npm::lock(&text, &old, &new)
            } else {
                npm::package(&text, &old, &new)
            };
            let edited = edited.map_err(|e| anyhow::anyhow!("{path}: {e}"))?;
            plan.add(path, text, edited);
        }

        if let Some(text) = read(root, README)? {
            let tag = format!("tag = \"v{old}\"");
            if text.contains(&tag) {
                let mut edited = Edited::new(&text);
                edited.push(&text.replace(&tag, &format!("tag = \"v{new}\"")));
                edited.place("install snippet tag");
                plan.add(README, text, edited);
            }
        }
        Ok(plan)
    }

    fn add(&mut self, path: &str, before: String, edited: Edited) {
        self.notes
            .extend(edited.notes.into_iter().map(|n| format!("{path}: {n}")));
        if edited.places.is_empty() {
            if path.ends_with("Cargo.lock") {
                self.notes.push(format!(
                    "{path}: records none of the workspace's crates at {}, unchanged",
                    self.old
                ));
            }
            return;
        }
        self.changes.push(FileChange {
            path: path.to_owned(),
            before,
            after: edited.text,
            places: edited.places,
        });
    }

    /// Writes every change. On an error, the files written so far are named
    /// in it (the caller restores the tree).
    pub fn apply(&self, root: &Path) -> anyhow::Result<()> {
        let mut written = Vec::new();
        for change in &self.changes {
            let path = root.join(&change.path);
            fs::write(&path, &change.after).with_context(|| {
                format!(
                    "writing {} (written before it: {})",
                    path.display(),
                    list(&written)
                )
            })?;
            written.push(change.path.as_str());
        }
        Ok(())
    }

    /// One line per file: its path and the places changed in it; then the
    /// notes.
    pub fn render(&self) -> String {
        let mut out = format!("bump {} → {}\n", self.old, self.new);
        for change in &self.changes {
            out.push_str(&format!(
                "  {}: {}\n",
                change.path,
                change.places.join(", ")
            ));
        }
        for note in &self.notes {
            out.push_str(&format!("  note: {note}\n"));
        }
        out
    }
}

/// Whether the file at `path` (relative, `/`) is called `name`.
fn named(path: &str, name: &str) -> bool {
    path.rsplit('/').next() == Some(name)
}

fn list(paths: &[&str]) -> String {
    if paths.is_empty() {
        "none".to_owned()
    } else {
        paths.join(", ")
    }
}

/// The text of `root/path`, `None` when it does not exist.
fn read(root: &Path, path: &str) -> anyhow::Result<Option<String>> {
    match fs::read_to_string(root.join(path)) {
        Ok(text) => Ok(Some(text)),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e).with_context(|| format!("reading {}", root.join(path).display())),
    }
}

/// The names of the members whose version is the workspace's.
fn workspace_crates(root: &Path, manifest: &str) -> anyhow::Result<Vec<String>> {
    let mut names = Vec::new();
    for member in cargo::members(manifest) {
        let path = format!("{member}/Cargo.toml");
        let text = read(root, &path)?
            .with_context(|| format!("{MANIFEST} lists member {member}, but {path} is missing"))?;
        names.extend(cargo::inherits_version(&text));
    }
    if names.is_empty() {
        bail!("{MANIFEST}: no member inherits the workspace version (`version.workspace = true`)");
    }
    Ok(names)
}
