//! The compatibility gate: two schema bundles in, every change out, each
//! judged by the reader of the root it is reached from.
//!
//! It reads only JSON Schema (no Rust types), so it also compares two
//! published bundles (`attestwire-codegen compat OLD.json NEW.json`). It
//! judges from the server's side: the server is deployed continuously and
//! is always the newest party; desktop apps in users' hands and the backend
//! may be older. So a root the server *reads* breaks when it narrows (an old
//! client's message is refused), and a root the server *writes* breaks when
//! it widens (an old reader gets what it does not know). Models: buf breaking
//! (wire categories), oasdiff (request vs response), jsoncompat (serializer
//! vs deserializer roles).

mod constraints;
mod unions;
mod walk;

use std::fmt::{self, Write};

use serde_json::Value;

use crate::semver::{Version, VersionError};

/// Who reads a root's messages, and so who a breaking change there breaks.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Reader {
    /// The server, reading what (possibly old) clients send.
    Server,
    /// The desktop app, reading what the server sends.
    Client,
    /// The backend, reading the `x-oai-attestation` header.
    Backend,
}

impl fmt::Display for Reader {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::Server => "server",
            Self::Client => "client",
            Self::Backend => "backend",
        })
    }
}

/// Which way a change must go to break a root's reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Breaks {
    /// The new side reads this root: accepting less refuses old writers.
    OnNarrowing,
    /// The new side writes this root: sending more surprises old readers.
    OnWidening,
}

/// A root type of the bundle, with its reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Root {
    /// The name under `$defs`.
    pub def: &'static str,
    /// Who reads it.
    pub reader: Reader,
    /// Which changes break that reader.
    pub breaks: Breaks,
}

/// The roots the gate walks from. A `$def` reached from several roots is
/// judged once per root, by that root's reader.
pub const ROOTS: [Root; 3] = [
    Root {
        def: "ClientMessage",
        reader: Reader::Server,
        breaks: Breaks::OnNarrowing,
    },
    Root {
        def: "ServerMessage",
        reader: Reader::Client,
        breaks: Breaks::OnWidening,
    },
    Root {
        def: "AttestationHeader",
        reader: Reader::Backend,
        breaks: Breaks::OnWidening,
    },
];

/// The `$def` whose properties gate new server methods (see [`GATE_PHRASE`]).
pub const CAPABILITIES_DEF: &str = "ClientCapabilities";

/// How a new variant of a root the server writes says it is gated: its
/// `description` (whitespace collapsed) contains this phrase followed by
/// `<name>` and a backtick, e.g. "Sent only to clients that set
/// `capabilities.requestAttestation`". The variant is then compatible when
/// `<name>` is an optional property of the new `ClientCapabilities` that
/// the old one lacks: no old client can have set it, so none is sent the
/// new method. A capability old clients already know does not gate a new
/// method, because they may have set it.
pub const GATE_PHRASE: &str = "Sent only to clients that set `capabilities.";

/// What one change does to its root's reader.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Old readers (or writers) keep working.
    Compatible,
    /// This reader may fail on messages it handled before.
    Breaking {
        /// Who it breaks.
        reader: Reader,
    },
}

/// One difference between the bundles.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Change {
    /// Where, from the root: `ClientMessage > ClientResponse.result > AttestationGenerateResponse.token`.
    pub path: String,
    /// What changed: `maxLength 8192 → 4096 (tighter)`.
    pub change: String,
    /// Its verdict for the root it was reached from.
    pub verdict: Verdict,
}

/// Every change, in walk order (root by root).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Report {
    /// The changes.
    pub changes: Vec<Change>,
}

/// Compares two bundles (each with `$defs`) root by root.
pub fn compare(old: &Value, new: &Value) -> Report {
    compare_roots(old, new, &ROOTS)
}

/// [`compare`] with another table of roots.
pub fn compare_roots(old: &Value, new: &Value, roots: &[Root]) -> Report {
    let mut changes = Vec::new();
    for root in roots {
        changes.extend(walk::walk_root(old, new, root));
    }
    Report { changes }
}

impl Report {
    /// The breaking changes.
    pub fn breaking(&self) -> impl Iterator<Item = &Change> {
        self.changes
            .iter()
            .filter(|c| matches!(c.verdict, Verdict::Breaking { .. }))
    }

    /// `true` when going from `old` to `new` is allowed: no breaking change,
    /// or a version bump that allows one (major; minor while 0.x).
    pub fn passes(&self, old: &Version, new: &Version) -> bool {
        self.breaking().next().is_none() || old.allows_breaking_change_to(new)
    }

    /// Plain-text columns: verdict, reader, type path, change; breaking
    /// changes first. Empty when nothing changed.
    pub fn render_table(&self) -> String {
        if self.changes.is_empty() {
            return String::new();
        }
        let mut rows: Vec<[String; 4]> = self
            .changes
            .iter()
            .map(|c| {
                let (verdict, reader) = match c.verdict {
                    Verdict::Breaking { reader } => ("breaking", reader.to_string()),
                    Verdict::Compatible => ("compatible", "-".to_owned()),
                };
                [verdict.to_owned(), reader, c.path.clone(), c.change.clone()]
            })
            .collect();
        // Stable: walk order within each group.
        rows.sort_by_key(|r| r[0] != "breaking");
        let header = ["verdict", "reader", "type path", "change"].map(str::to_owned);
        let mut widths = [0; 3];
        for row in std::iter::once(&header).chain(&rows) {
            for (w, cell) in widths.iter_mut().zip(row) {
                *w = (*w).max(cell.chars().count());
            }
        }
        let mut out = String::new();
        for row in std::iter::once(&header).chain(&rows) {
            for (w, cell) in widths.iter().zip(row) {
                let pad = w - cell.chars().count();
                let _ = write!(out, "{cell}{:pad$}  ", "");
            }
            let _ = writeln!(out, "{}", row[3]);
        }
        out
    }
}

/// Why two bundles could not be judged.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CompatError {
    /// A bundle has no string `$id`.
    #[error("the {which} bundle has no `$id` naming its version")]
    NoId {
        /// `old` or `new`.
        which: &'static str,
    },
    /// A bundle's `$id` does not hold a version.
    #[error(
        "the {which} bundle's `$id` {id:?} holds no version (…/protocol/<version>/attestwire.schema.json)"
    )]
    NoVersion {
        /// `old` or `new`.
        which: &'static str,
        /// The `$id`.
        id: String,
        /// Why the segment did not parse.
        source: VersionError,
    },
}

/// The version in a bundle's `$id`: the path segment before the file name,
/// `https://schemas.attestwire.dev/protocol/<version>/attestwire.schema.json`.
pub fn bundle_version(bundle: &Value, which: &'static str) -> Result<Version, CompatError> {
    let id = bundle
        .get("$id")
        .and_then(Value::as_str)
        .ok_or(CompatError::NoId { which })?;
    let segment = id.rsplit('/').nth(1).unwrap_or_default();
    Version::parse(segment).map_err(|source| CompatError::NoVersion {
        which,
        id: id.to_owned(),
        source,
    })
}

/// The gate's answer for two bundles: the report, both versions, and
/// whether the change is allowed.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Judgement {
    /// Every change.
    pub report: Report,
    /// The old bundle's version.
    pub old_version: Version,
    /// The new bundle's version.
    pub new_version: Version,
}

impl Judgement {
    /// Compares the bundles and reads their versions from their `$id`s.
    pub fn of(old: &Value, new: &Value) -> Result<Self, CompatError> {
        Ok(Self {
            old_version: bundle_version(old, "old")?,
            new_version: bundle_version(new, "new")?,
            report: compare(old, new),
        })
    }

    /// `true` when the gate passes.
    pub fn passes(&self) -> bool {
        self.report.passes(&self.old_version, &self.new_version)
    }

    /// The table and a closing line saying what was decided and why.
    pub fn render(&self) -> String {
        let (old, new) = (&self.old_version, &self.new_version);
        let mut out = self.report.render_table();
        let total = match self.report.changes.len() {
            1 => "1 change".to_owned(),
            n => format!("{n} changes"),
        };
        let breaking = self.report.breaking().count();
        let _ = match (self.report.changes.len(), breaking) {
            (0, _) => writeln!(out, "compatibility {old} → {new}: no changes"),
            (_, 0) => writeln!(out, "compatibility {old} → {new}: {total}, all compatible"),
            _ if self.passes() => writeln!(
                out,
                "compatibility {old} → {new}: {total}, {breaking} breaking, allowed by the version bump"
            ),
            _ => writeln!(
                out,
                "compatibility {old} → {new}: {total}, {breaking} breaking: a breaking change needs a major \
                 version bump (a minor one while 0.x); bump `version` in the workspace Cargo.toml, or make the change compatible"
            ),
        };
        out
    }
}
