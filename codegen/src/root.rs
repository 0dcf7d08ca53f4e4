//! Which checkout the codegen works on, found at run time, and the refusal
//! when the binary was compiled from another one.
//!
//! The trap (issue 12): two checkouts sharing one `CARGO_TARGET_DIR`.
//! Cargo's freshness check compares mtimes, so in a checkout whose files are
//! older than the artifact, `cargo run` runs the binary compiled in the
//! other checkout. A root compiled in as a path then sends `write` and
//! `check` to the other checkout; a root found at run time is right, but the
//! binary's protocol types are still the other checkout's. So: find the
//! root at run time, and refuse when it is not the tree the binary was
//! compiled from.

use std::fmt;
use std::fs;
use std::path::{Path, PathBuf};

/// The checkout this binary (and its protocol types) was compiled from:
/// the parent of codegen's compile-time `CARGO_MANIFEST_DIR`.
pub fn compiled_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

/// Where a root came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum RootSource {
    /// `--root DIR`.
    Flag,
    /// Cargo's run-time `CARGO_MANIFEST_DIR` (set by `cargo run` and
    /// `cargo test`), searched upward.
    CargoManifestDir,
    /// The current directory, searched upward.
    CurrentDir,
}

impl fmt::Display for RootSource {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Flag => "from --root",
            Self::CargoManifestDir => "from CARGO_MANIFEST_DIR",
            Self::CurrentDir => "from the current directory",
        })
    }
}

/// A checkout's root and how it was found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FoundRoot {
    /// The directory holding the workspace `Cargo.toml`.
    pub path: PathBuf,
    /// How it was found.
    pub source: RootSource,
}

/// Why no usable root was found.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum RootError {
    /// `--root` names a directory that is not an attestwire checkout.
    #[error(
        "--root {}: not an attestwire checkout (no Cargo.toml with [workspace] next to codegen/Cargo.toml)",
        path.display()
    )]
    NotACheckout {
        /// The directory given.
        path: PathBuf,
    },
    /// No directory from `start` upward is a checkout.
    #[error(
        "no attestwire checkout at or above {} (looked for a Cargo.toml with [workspace] next to codegen/Cargo.toml); run inside a checkout or pass --root DIR",
        start.display()
    )]
    NotFound {
        /// Where the search began.
        start: PathBuf,
    },
    /// The binary was compiled from another tree than the one it runs on.
    #[error(
        "this attestwire-codegen was compiled from the tree at {compiled}, but it is running on the tree at {found}.\n\
         Its compiled-in protocol types are those of {compiled}: it would write, check or release that tree's output in this one.\n\
         This happens when two checkouts share one CARGO_TARGET_DIR and cargo, comparing mtimes, takes the other checkout's build for fresh.\n\
         Fix: rebuild from this tree (`touch protocol/src/lib.rs codegen/src/lib.rs`, or `cargo clean -p attestwire-protocol -p attestwire-codegen`), then run again; \
         or give each checkout its own CARGO_TARGET_DIR.",
        compiled = compiled.display(),
        found = found.display()
    )]
    OtherTree {
        /// The tree the binary was compiled from.
        compiled: PathBuf,
        /// The tree it was asked to work on.
        found: PathBuf,
    },
}

/// Finds the root: `flag` when given (it must be a checkout), else the
/// first checkout at or above `manifest_dir` (cargo's run-time
/// `CARGO_MANIFEST_DIR`), else the first at or above `cwd`.
pub fn find_root(
    flag: Option<&Path>,
    manifest_dir: Option<&Path>,
    cwd: &Path,
) -> Result<FoundRoot, RootError> {
    if let Some(path) = flag {
        if !is_checkout(path) {
            return Err(RootError::NotACheckout {
                path: path.to_owned(),
            });
        }
        return Ok(FoundRoot {
            path: path.to_owned(),
            source: RootSource::Flag,
        });
    }
    // A CARGO_MANIFEST_DIR outside any checkout (set by some other cargo
    // project that runs this binary) says nothing: fall back to the cwd.
    if let Some(path) = manifest_dir.and_then(search_upward) {
        return Ok(FoundRoot {
            path,
            source: RootSource::CargoManifestDir,
        });
    }
    search_upward(cwd)
        .map(|path| FoundRoot {
            path,
            source: RootSource::CurrentDir,
        })
        .ok_or_else(|| RootError::NotFound {
            start: cwd.to_owned(),
        })
}

/// `Ok` when `found` is the tree `compiled` names (after resolving `..` and
/// symlinks); the refusal otherwise. A `compiled` tree that no longer
/// exists is another tree too.
pub fn ensure_built_from(compiled: &Path, found: &Path) -> Result<(), RootError> {
    match (fs::canonicalize(compiled), fs::canonicalize(found)) {
        (Ok(a), Ok(b)) if a == b => Ok(()),
        (a, b) => Err(RootError::OtherTree {
            compiled: a.unwrap_or_else(|_| compiled.to_owned()),
            found: b.unwrap_or_else(|_| found.to_owned()),
        }),
    }
}

/// The first checkout at or above `start`.
fn search_upward(start: &Path) -> Option<PathBuf> {
    start
        .ancestors()
        .find(|dir| is_checkout(dir))
        .map(Path::to_owned)
}

/// A workspace `Cargo.toml` next to `codegen/Cargo.toml`: `protocol/` or
/// `codegen/` alone is a member, not the root, and a `[workspace]` alone
/// could be any enclosing project.
fn is_checkout(dir: &Path) -> bool {
    dir.join("codegen/Cargo.toml").is_file()
        && fs::read_to_string(dir.join("Cargo.toml"))
            .is_ok_and(|text| text.lines().any(|line| line.trim() == "[workspace]"))
}
