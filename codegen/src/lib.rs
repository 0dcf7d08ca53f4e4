//! attestwire's build step: turns the protocol's Rust types into JSON Schema
//! (`schema/`) and a TypeScript package (`generated/src/`), in memory and
//! deterministically; the binary writes them or checks the committed copies.

mod bump;
mod compat;
mod dispatch_ts;
mod files;
mod methods_ts;
mod read_ts;
mod release;
mod root;
mod schema;
mod semver;
mod tagged_ts;
mod tsfmt;
mod typescript;
mod validate_ts;

pub use bump::git::{dirty_files, restore_clean_tree, tracked_files};
pub use bump::{CARGO_LOCKS, FileChange, NPM_FILES, Plan};
pub use compat::{
    Breaks, CAPABILITIES_DEF, Change, CompatError, GATE_PHRASE, Judgement, ROOTS, Reader, Report,
    Root, Verdict, bundle_version, compare, compare_roots,
};
pub use files::{Drift, check, write};
pub use release::{
    RELEASES_DIR, ReleaseOutcome, judge_against_newest_release, newest_release, release,
};
pub use root::{FoundRoot, RootError, RootSource, compiled_root, ensure_built_from, find_root};
pub use schema::{BUNDLE_PATH, SCHEMA_ID_BASE, bundle_id, schema_id};
pub use semver::{Bump, Version, VersionError};

use std::collections::BTreeMap;

/// The first line of every generated TypeScript file.
pub const GENERATED_HEADER: &str = "// generated — do not edit; run `just write-schema`";

/// The folders codegen owns wholly, relative to the repository root.
pub const OWNED_DIRS: [&str; 2] = ["schema", "generated/src"];

/// Folders inside [`OWNED_DIRS`] that codegen does not generate and never
/// removes: the frozen releases are history, not output.
pub const KEPT_DIRS: [&str; 1] = [RELEASES_DIR];

/// Why generation failed.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum GenerateError {
    /// ts-rs could not render a type.
    #[error("TypeScript export of {type_name} failed: {message}")]
    TypeScript {
        /// The Rust type.
        type_name: &'static str,
        /// ts-rs's message.
        message: String,
    },
    /// Two exported types would write the same file.
    #[error("two exported types write {0}")]
    DuplicatePath(String),
    /// The bundle uses a JSON Schema keyword (or form of one) that the
    /// TypeScript validator generator does not compile; generating checks
    /// that skip it would let the validators accept what the schema rejects.
    #[error("the TypeScript validators cannot compile {at}: {message}")]
    Validator {
        /// Where in the bundle, as a JSON pointer (`#/$defs/<Type>/…`).
        at: String,
        /// What is not supported.
        message: String,
    },
    /// A schema could not be rendered as JSON.
    #[error("rendering {path} failed: {source}")]
    Json {
        /// The output file.
        path: String,
        /// serde_json's error.
        source: serde_json::Error,
    },
}

/// Every generated file: path relative to the repository root (with `/`
/// separators) → contents. Same input, same bytes, on every machine.
pub fn generate() -> Result<BTreeMap<String, String>, GenerateError> {
    let mut out = BTreeMap::new();
    // The validators are compiled from the bundle just built, not from the
    // Rust types again: they are a view of the schema.
    let bundle = schema::generate(&mut out)?;
    typescript::generate(&mut out, &bundle)?;
    Ok(out)
}

fn insert(
    out: &mut BTreeMap<String, String>,
    path: String,
    text: String,
) -> Result<(), GenerateError> {
    if out.contains_key(&path) {
        return Err(GenerateError::DuplicatePath(path));
    }
    out.insert(path, text);
    Ok(())
}
