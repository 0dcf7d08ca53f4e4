//! The version in Cargo's files, edited line by line: the workspace
//! manifest (`[workspace.package] version` and the requirements of the path
//! dependencies in `[workspace.dependencies]`) and lock files (the entries of
//! the workspace's own crates). Comments, order and spacing stay as written.

use crate::semver::Version;

use super::{Edited, requirement};

/// One line of a TOML file and the table it belongs to.
struct Line<'a> {
    table: Option<&'a str>,
    text: &'a str,
}

/// Lines with the `[table]` each sits in (`None` before the first header).
/// Array-of-table headers (`[[package]]`) count as tables too.
fn lines(text: &str) -> Vec<Line<'_>> {
    let mut table = None;
    text.split_inclusive('\n')
        .map(|text| {
            let trimmed = text.trim();
            if trimmed.starts_with('[') {
                table = Some(trimmed.trim_start_matches('[').trim_end_matches(']'));
            }
            Line { table, text }
        })
        .collect()
}

/// `key = "value"` on one line: the byte range of `value` in the line.
fn string_value(line: &str, key: &str) -> Option<std::ops::Range<usize>> {
    let rest = line.trim_start();
    let indent = line.len() - rest.len();
    let after_key = rest.strip_prefix(key)?;
    let after_eq = after_key.trim_start().strip_prefix('=')?;
    let value = after_eq.trim_start();
    let inner = value.strip_prefix('"')?;
    let end = inner.find('"')?;
    let start = indent + (rest.len() - inner.len());
    Some(start..start + end)
}

/// The workspace version: `version = "…"` under `[workspace.package]`.
pub(crate) fn workspace_version(manifest: &str) -> Result<String, String> {
    lines(manifest)
        .iter()
        .filter(|l| l.table == Some("workspace.package"))
        .find_map(|l| string_value(l.text, "version").map(|r| l.text[r].to_owned()))
        .ok_or_else(|| "no `version = \"…\"` under [workspace.package]".to_owned())
}

/// The workspace manifest with the new version under `[workspace.package]`
/// and in the requirement of every path dependency under
/// `[workspace.dependencies]` (`name = { path = "…", version = "…" }`) on a
/// crate in `names` (those whose version is the workspace's); a path
/// dependency on a crate with a version of its own is left alone.
pub(crate) fn manifest(
    text: &str,
    names: &[String],
    old: &Version,
    new: &Version,
) -> Result<Edited, String> {
    let mut out = Edited::new(text);
    let mut found_version = false;
    for line in lines(text) {
        match line.table {
            Some("workspace.package") if !found_version => {
                if let Some(range) = string_value(line.text, "version") {
                    if line.text[range.clone()] != old.to_string() {
                        return Err(format!(
                            "[workspace.package] version is {:?}, expected {old}",
                            &line.text[range]
                        ));
                    }
                    out.replace_in_line(line.text, range, &new.to_string());
                    out.place("[workspace.package] version");
                    found_version = true;
                    continue;
                }
            }
            Some("workspace.dependencies") => {
                if let Some((name, range, req)) = path_dependency_version(line.text) {
                    if !names.iter().any(|n| n == name) {
                        out.note(&format!(
                            "[workspace.dependencies] {name}: its version is its own, left alone"
                        ));
                        out.keep(line.text);
                        continue;
                    }
                    let bumped = requirement(req, old, new).ok_or_else(|| {
                        format!(
                            "[workspace.dependencies] {name}: requirement {req:?} does not name \
                             {old}; write it as \"{old}\" and run again"
                        )
                    })?;
                    out.replace_in_line(line.text, range, &bumped);
                    out.place(&format!("[workspace.dependencies] {name} version"));
                    continue;
                }
            }
            _ => {}
        }
        out.keep(line.text);
    }
    if !found_version {
        return Err("no `version = \"…\"` under [workspace.package]".to_owned());
    }
    Ok(out)
}

/// `name = { …, path = "…", …, version = "REQ", … }`: the name, the range
/// of `REQ` in the line, and `REQ`. A dependency without `path` (from a
/// registry) or without `version` has nothing to bump.
fn path_dependency_version(line: &str) -> Option<(&str, std::ops::Range<usize>, &str)> {
    let (name, rest) = line.split_once('=')?;
    let name = name.trim();
    let open = line.len() - rest.len() + rest.find('{')?;
    let mut has_path = false;
    let mut version = None;
    let mut part_start = open + 1;
    let mut in_string = false;
    let mut depth = 0usize;
    for (i, b) in line.bytes().enumerate().skip(open + 1) {
        match b {
            b'"' => in_string = !in_string,
            b'[' | b'{' if !in_string => depth += 1,
            b']' if !in_string => depth = depth.saturating_sub(1),
            b',' | b'}' if !in_string && depth == 0 => {
                let part = &line[part_start..i];
                if string_value(part, "path").is_some() {
                    has_path = true;
                }
                if let Some(r) = string_value(part, "version") {
                    version = Some(part_start + r.start..part_start + r.end);
                }
                part_start = i + 1;
                if b == b'}' {
                    break;
                }
            }
            b'}' if !in_string => depth = depth.saturating_sub(1),
            _ => {}
        }
    }
    let range = version.filter(|_| has_path)?;
    Some((name, range.clone(), &line[range]))
}

/// A `Cargo.lock` with the version of each crate in `names` (the
/// workspace's, which have no `source`) moved from `old` to `new`, and any
/// `"name old"` reference to them (cargo writes the version in a reference
/// only when two versions of a name are locked). Crates of other versions
/// and registry crates of the same name are left alone.
pub(crate) fn lock(text: &str, names: &[String], old: &Version, new: &Version) -> Edited {
    let mut out = Edited::new(text);
    let old_text = old.to_string();
    let new_text = new.to_string();
    // Whether each [[package]] block is one of ours: name and no source.
    let blocks: Vec<&str> = text.split_inclusive("[[package]]").collect();
    for block in blocks {
        let ours_name = block
            .lines()
            .find_map(|l| string_value(l, "name").map(|r| l[r].to_owned()))
            .filter(|n| names.contains(n));
        let has_source = block.lines().any(|l| string_value(l, "source").is_some());
        for line in block.split_inclusive('\n') {
            if let (Some(name), false) = (&ours_name, has_source)
                && let Some(range) = string_value(line, "version")
                && line[range.clone()] == old_text
            {
                out.replace_in_line(line, range, &new_text);
                out.place(&format!("{name} version"));
                continue;
            }
            let reference = names
                .iter()
                .find(|n| line.trim().trim_end_matches(',') == format!("\"{n} {old_text}\""));
            if let Some(name) = reference {
                out.push(&line.replacen(
                    &format!("\"{name} {old_text}\""),
                    &format!("\"{name} {new_text}\""),
                    1,
                ));
                out.place(&format!("reference to {name} {old_text}"));
                continue;
            }
            out.keep(line);
        }
    }
    out
}

/// The workspace's members, from `members = [ … ]` under `[workspace]`
/// (one line or several; globs are not expanded).
pub(crate) fn members(manifest: &str) -> Vec<String> {
    let mut in_members = false;
    let mut out = Vec::new();
    for line in lines(manifest) {
        if line.table != Some("workspace") {
            continue;
        }
        let text = line.text.split('#').next().unwrap_or_default();
        let list = if in_members {
            text
        } else if let Some(rest) = text.trim_start().strip_prefix("members") {
            match rest.trim_start().strip_prefix('=') {
                Some(list) => {
                    in_members = true;
                    list
                }
                None => continue,
            }
        } else {
            continue;
        };
        out.extend(list.split('"').skip(1).step_by(2).map(str::to_owned));
        if list.contains(']') {
            in_members = false;
        }
    }
    out
}

/// A member's package name, when its version is the workspace's
/// (`version.workspace = true`): those are the crates a bump moves.
pub(crate) fn inherits_version(member_manifest: &str) -> Option<String> {
    let lines = lines(member_manifest);
    let in_package = lines.iter().filter(|l| l.table == Some("package"));
    let inherits = in_package.clone().any(|l| {
        let t: String = l.text.chars().filter(|c| !c.is_whitespace()).collect();
        t == "version.workspace=true" || t == "version={workspace=true}"
    });
    let name = in_package
        .clone()
        .find_map(|l| string_value(l.text, "name").map(|r| l.text[r].to_owned()));
    name.filter(|_| inherits)
}
