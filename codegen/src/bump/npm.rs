//! The version in npm's files, replaced in place: a package's own `version`
//! when it is one of ours, its requirement on `@attestwire/protocol`, and
//! the same in a `package-lock.json` (the root entry, and the entry of a
//! linked package of ours, such as `"../generated"` for a `file:` spec).

use crate::semver::Version;

use super::jsontext::{self, Node};
use super::{Edited, requirement};

/// The npm packages this repository publishes: their versions are the
/// workspace version.
pub(crate) const OURS: [&str; 2] = ["@attestwire/protocol", "@attestwire/client"];

/// The package the client (and any consumer here) depends on.
const PROTOCOL: &str = "@attestwire/protocol";

const DEPENDENCY_KINDS: [&str; 4] = [
    "dependencies",
    "peerDependencies",
    "devDependencies",
    "optionalDependencies",
];

/// A spec npm resolves from the disk, not by version: left alone.
fn is_local(spec: &str) -> bool {
    ["file:", "link:", "workspace:", "portal:", ".", "/"]
        .iter()
        .any(|p| spec.starts_with(p))
}

/// Collects the replacements in one JSON text, then applies them.
struct Replacements<'a> {
    text: &'a str,
    list: Vec<(std::ops::Range<usize>, String, String)>,
    notes: Vec<String>,
}

impl<'a> Replacements<'a> {
    fn new(text: &'a str) -> Self {
        Self {
            text,
            list: Vec::new(),
            notes: Vec::new(),
        }
    }

    /// `node` (a string equal to `old`) becomes `new`; anything else at a
    /// place that must hold our version is refused.
    fn version(
        &mut self,
        node: &Node,
        what: &str,
        old: &Version,
        new: &Version,
    ) -> Result<(), String> {
        match node.as_str() {
            Some(v) if v == old.to_string() => {
                self.list
                    .push((node.span.clone(), new.to_string(), what.to_owned()));
                Ok(())
            }
            Some(v) => Err(format!(
                "{what} is {v:?}, not the workspace version {old}; make them agree and run again"
            )),
            None => Err(format!("{what} is not a string")),
        }
    }

    /// The requirements on `@attestwire/protocol` in `deps_of` (a package,
    /// or a lock's root entry).
    fn protocol_requirements(
        &mut self,
        deps_of: &Node,
        where_: &str,
        old: &Version,
        new: &Version,
    ) -> Result<(), String> {
        for kind in DEPENDENCY_KINDS {
            let Some(node) = deps_of.at(&[kind, PROTOCOL]) else {
                continue;
            };
            let what = format!("{where_}{kind}[\"{PROTOCOL}\"]");
            let spec = node
                .as_str()
                .ok_or_else(|| format!("{what} is not a string"))?;
            if is_local(spec) {
                self.notes.push(format!("{what} is {spec:?}, left alone"));
                continue;
            }
            let bumped = requirement(spec, old, new).ok_or_else(|| {
                format!("{what} is {spec:?}, which does not name {old}; write it as \"{old}\" (or a file: spec) and run again")
            })?;
            self.list.push((node.span.clone(), bumped, what));
        }
        Ok(())
    }

    fn finish(mut self) -> Edited {
        self.list.sort_by_key(|(r, _, _)| r.start);
        let mut out = Edited::new(self.text);
        let mut at = 0;
        for (range, value, what) in self.list {
            out.push(self.text.get(at..range.start).unwrap_or_default());
            out.push(&value);
            out.place(&what);
            at = range.end;
        }
        out.push(self.text.get(at..).unwrap_or_default());
        for note in self.notes {
            out.note(&note);
        }
        out
    }
}

fn is_ours(node: &Node) -> bool {
    node.get("name")
        .and_then(Node::as_str)
        .is_some_and(|n| OURS.contains(&n))
}

/// A `package.json`: its `version` when the package is one of ours, and
/// every requirement on `@attestwire/protocol`.
pub(crate) fn package(text: &str, old: &Version, new: &Version) -> Result<Edited, String> {
    let doc = jsontext::parse(text)?;
    let mut r = Replacements::new(text);
    if is_ours(&doc) {
        let version = doc.get("version").ok_or("no \"version\"")?;
        r.version(version, "version", old, new)?;
    }
    r.protocol_requirements(&doc, "", old, new)?;
    Ok(r.finish())
}

/// A `package-lock.json`: the top `version` and the root entry's
/// (`packages[""]`) when the package is one of ours; the root entry's
/// requirements on `@attestwire/protocol`; and each linked package of ours
/// outside `node_modules/` (`"../generated"` for a `file:` spec), whose
/// version npm copies from its `package.json`. A copy of ours installed
/// from the registry under `node_modules/` cannot be edited (its
/// `integrity` names the old tarball): that is reported, not changed.
pub(crate) fn lock(text: &str, old: &Version, new: &Version) -> Result<Edited, String> {
    let doc = jsontext::parse(text)?;
    let mut r = Replacements::new(text);
    if is_ours(&doc)
        && let Some(version) = doc.get("version")
    {
        r.version(version, "version", old, new)?;
    }
    let Some(packages) = doc.get("packages") else {
        return Ok(r.finish());
    };
    for (key, entry) in packages.members() {
        let installed = key.contains("node_modules/");
        let Some(version) = entry.get("version") else {
            continue;
        };
        if key.is_empty() {
            if is_ours(entry) {
                r.version(version, "packages[\"\"].version", old, new)?;
            }
            r.protocol_requirements(entry, "packages[\"\"].", old, new)?;
        } else if is_ours(entry) && !installed {
            r.version(version, &format!("packages[{key:?}].version"), old, new)?;
        } else if installed
            && OURS
                .iter()
                .any(|n| key.ends_with(&format!("node_modules/{n}")))
            && version.as_str() == Some(&old.to_string())
        {
            r.notes.push(format!(
                "packages[{key:?}] installs {old} from the registry: run `npm install` there once {new} is published"
            ));
        }
    }
    Ok(r.finish())
}
