//! "Arrows run from the hosts and from outbound attachment to the core,
//! never back" (issue 18): no code under `src/core/` names anything of
//! `server/` or `outbound/`, and no code under `src/outbound/` names
//! anything of the built-in server, so it works for any host.
//!
//! Code is checked, docs are not: a doc link from the core to
//! [`Server`](crate::Server) explains, an import would depend. A path
//! through the crate root counts too (`crate::Server`, `crate::{Server}`):
//! the names re-exported from a room are read from `lib.rs`.

use std::fs;
use std::path::{Path, PathBuf};

/// The room's files, recursively, sorted.
fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut files = Vec::new();
    let entries = fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display()));
    for entry in entries {
        let path = entry
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .path();
        if path.is_dir() {
            files.extend(rust_files(&path));
        } else if path.extension().is_some_and(|ext| ext == "rs") {
            files.push(path);
        }
    }
    files.sort();
    files
}

fn read(path: &Path) -> String {
    fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn src() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("src")
}

/// The names `lib.rs` re-exports from `room` (`pub use room::…`).
fn reexported_from(lib: &str, room: &str) -> Vec<String> {
    let prefix = format!("pub use {room}::");
    let mut names = Vec::new();
    for line in lib.lines().filter(|line| line.starts_with(&prefix)) {
        let path = line.trim_end_matches(';');
        let tail = path.rsplit("::").next().unwrap_or_default();
        let tail = tail.trim_start_matches('{').trim_end_matches('}');
        names.extend(tail.split(',').map(|name| name.trim().to_owned()));
    }
    names.retain(|name| !name.is_empty());
    names
}

fn is_ident_char(c: char) -> bool {
    c.is_alphanumeric() || c == '_'
}

/// Every place in `source` whose code names one of `rooms` (as a module
/// path) or one of `names` (through the crate root), as `line: text`.
fn violations(source: &str, rooms: &[&str], names: &[String]) -> Vec<String> {
    // Comment lines (docs included) are blanked, keeping line numbers.
    let code: String = source
        .lines()
        .map(|line| {
            if line.trim_start().starts_with("//") {
                ""
            } else {
                line
            }
        })
        .collect::<Vec<_>>()
        .join("\n");
    let line_of = |at: usize| code[..at].matches('\n').count() + 1;
    let text_of = |at: usize| source.lines().nth(line_of(at) - 1).unwrap_or("").trim();
    let mut found = Vec::new();
    let mut report = |at: usize| {
        let entry = format!("{}: {}", line_of(at), text_of(at));
        if !found.contains(&entry) {
            found.push(entry);
        }
    };
    // `super::server` from a room is a way around `crate::`.
    for room in rooms {
        let path = format!("super::{room}");
        for (at, _) in code.match_indices(&path) {
            if !code[at + path.len()..].starts_with(is_ident_char) {
                report(at);
            }
        }
    }
    for (at, _) in code.match_indices("crate::") {
        let rest = &code[at + "crate::".len()..];
        let idents: Vec<&str> = if let Some(group) = rest.strip_prefix('{') {
            // `crate::{a::b, C}`: every name in the group, up to its brace.
            let mut depth = 1;
            let end = group
                .char_indices()
                .find(|&(_, c)| {
                    depth += match c {
                        '{' => 1,
                        '}' => -1,
                        _ => 0,
                    };
                    depth == 0
                })
                .map_or(group.len(), |(i, _)| i);
            group[..end]
                .split(|c: char| !is_ident_char(c))
                .filter(|s| !s.is_empty())
                .collect()
        } else {
            // `crate::a::…`: the first segment is what is reached.
            let end = rest.find(|c: char| !is_ident_char(c)).unwrap_or(rest.len());
            vec![&rest[..end]]
        };
        if idents
            .iter()
            .any(|ident| rooms.contains(ident) || names.iter().any(|name| name == ident))
        {
            report(at);
        }
    }
    found
}

/// Checks every file of `room` against what it must not name.
fn check_room(room: &str, forbidden_rooms: &[&str]) -> usize {
    let lib = read(&src().join("lib.rs"));
    let names: Vec<String> = forbidden_rooms
        .iter()
        .flat_map(|forbidden| reexported_from(&lib, forbidden))
        .collect();
    let files = rust_files(&src().join(room));
    assert!(
        files.iter().any(|file| file.ends_with("mod.rs")),
        "src/{room}/ has no mod.rs: did the room move?"
    );
    let mut failures = Vec::new();
    for file in &files {
        let source = read(file);
        for violation in violations(&source, forbidden_rooms, &names) {
            let shown = file.strip_prefix(src()).unwrap_or(file).display();
            failures.push(format!("src/{shown}:{violation}"));
        }
    }
    assert!(
        failures.is_empty(),
        "src/{room}/ must not name {forbidden_rooms:?} (arrows point to the core, never back):\n{}",
        failures.join("\n")
    );
    files.len()
}

#[test]
fn the_core_names_nothing_of_its_hosts_or_of_outbound_attachment() {
    let checked = check_room("core", &["server", "outbound"]);
    assert!(checked >= 5, "only {checked} files under src/core/");
}

#[test]
fn outbound_attachment_names_nothing_of_the_built_in_server() {
    let checked = check_room("outbound", &["server"]);
    assert!(checked >= 2, "only {checked} files under src/outbound/");
}

#[test]
fn lib_rs_reexports_are_read_per_room() {
    let lib = read(&src().join("lib.rs"));
    let server = reexported_from(&lib, "server");
    assert!(server.iter().any(|name| name == "Server"), "{server:?}");
    assert!(server.iter().any(|name| name == "ServeError"), "{server:?}");
    let outbound = reexported_from(&lib, "outbound");
    assert!(
        outbound.iter().any(|name| name == "AttestationScope"),
        "{outbound:?}"
    );
    assert!(!outbound.iter().any(|name| name == "Core"), "{outbound:?}");
}

#[test]
fn the_check_catches_every_way_of_naming_a_room_and_ignores_docs() {
    let names = vec!["Server".to_owned(), "AttestationScope".to_owned()];
    let rooms = ["server", "outbound"];
    let caught = |source: &str| violations(source, &rooms, &names);
    assert_eq!(
        caught("use crate::server::Server;"),
        ["1: use crate::server::Server;"]
    );
    assert_eq!(caught("use crate::outbound::scope;").len(), 1);
    assert_eq!(caught("use crate::{Core, Server};").len(), 1);
    assert_eq!(
        caught("use crate::{\n    Core,\n    Server,\n};"),
        ["1: use crate::{"]
    );
    assert_eq!(caught("let s = crate::AttestationScope::new();").len(), 1);
    assert_eq!(caught("use super::super::server::Shared;").len(), 1);
    assert_eq!(
        caught("fn f() {}\n  use super::server;"),
        ["2: use super::server;"]
    );
    // Docs, the core's own paths and look-alike names pass.
    assert!(caught("/// See [`Server`](crate::Server).").is_empty());
    assert!(caught("    // crate::server::Server in a comment").is_empty());
    assert!(caught("use crate::core::sink::MessageSink;").is_empty());
    assert!(caught("use crate::core::{Core, registry::ConnectionId};").is_empty());
    assert!(caught("let server_count = crate::ServerCount::new();").is_empty());
    assert!(caught("use super::servers::Pool;").is_empty());
}
