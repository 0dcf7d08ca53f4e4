//! "One command, `cargo run -p attestwire-codegen -- release --bump
//! major|minor|patch`, bumps every place the version is written … then
//! writes, runs the gate and freezes the new release, and it refuses a dirty
//! tree." Run on a scratch clone of this checkout, committed so its tree is
//! clean, with a `client/` fixture when the checkout has no client yet.
//!
//! The clone builds in a target dir of its own under `CARGO_TARGET_TMPDIR`:
//! sharing this checkout's would be the two-checkouts trap of
//! `codegen/src/root.rs` (same crate versions, so cargo could take one
//! tree's build for the other's). Its dependencies are built once and kept;
//! each run then rebuilds only the workspace's crates codegen needs, twice
//! (the old version, and the bumped one in the release's child `cargo run`).

// Helpers here are test code too (clippy.toml allows unwrap only inside
// `#[test]` functions): a failed unwrap is a failed assertion.
#![allow(clippy::unwrap_used, clippy::expect_used)]

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use attestwire_codegen::{Bump, Version, compiled_root};
use serde_json::{Value, json};

fn run(dir: &Path, program: &str, args: &[&str]) -> Output {
    Command::new(program)
        .args(args)
        .current_dir(dir)
        .output()
        .unwrap_or_else(|e| panic!("running {program}: {e}"))
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

fn git(dir: &Path, args: &[&str]) -> String {
    let mut all = vec![
        "-c",
        "user.name=release-test",
        "-c",
        "user.email=release@test.invalid",
    ];
    all.extend(args);
    let out = run(dir, "git", &all);
    assert!(out.status.success(), "git {args:?}:\n{}", text(&out));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// This checkout's files (tracked and new, not ignored) copied to `dest`,
/// committed as a fresh repository.
fn clone_checkout(dest: &Path) {
    let _ = std::fs::remove_dir_all(dest);
    let root = compiled_root();
    let listed = git(
        &root,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    for rel in listed.split('\0').filter(|r| !r.is_empty()) {
        let from = root.join(rel);
        // Deleted in the work tree but still tracked.
        if !from.is_file() {
            continue;
        }
        let to = dest.join(rel);
        std::fs::create_dir_all(to.parent().unwrap()).unwrap();
        std::fs::copy(&from, &to).unwrap();
    }
}

/// The client package as the issue describes it: its own version, an
/// exact peer requirement on the protocol package, and a `file:` spec for
/// development, which a release leaves alone.
fn client_fixture(tree: &Path, old: &str) {
    let dir = tree.join("client");
    std::fs::create_dir_all(&dir).unwrap();
    let package = format!(
        "{{\n  \"name\": \"@attestwire/client\",\n  \"version\": \"{old}\",\n  \"type\": \"module\",\n  \
         \"peerDependencies\": {{\n    \"@attestwire/protocol\": \"{old}\"\n  }},\n  \
         \"devDependencies\": {{\n    \"@attestwire/protocol\": \"file:../generated\",\n    \
         \"typescript\": \"5.9.3\"\n  }}\n}}\n"
    );
    std::fs::write(dir.join("package.json"), package).unwrap();
    let lock = format!(
        "{{\n  \"name\": \"@attestwire/client\",\n  \"version\": \"{old}\",\n  \"lockfileVersion\": 3,\n  \
         \"requires\": true,\n  \"packages\": {{\n    \"\": {{\n      \"name\": \"@attestwire/client\",\n      \
         \"version\": \"{old}\",\n      \"devDependencies\": {{\n        \"@attestwire/protocol\": \"file:../generated\",\n        \
         \"typescript\": \"5.9.3\"\n      }},\n      \"peerDependencies\": {{\n        \
         \"@attestwire/protocol\": \"{old}\"\n      }}\n    }},\n    \"../generated\": {{\n      \
         \"name\": \"@attestwire/protocol\",\n      \"version\": \"{old}\",\n      \"dev\": true\n    }},\n    \
         \"node_modules/@attestwire/protocol\": {{\n      \"resolved\": \"../generated\",\n      \"link\": true\n    }}\n  }}\n}}\n"
    );
    std::fs::write(dir.join("package-lock.json"), lock).unwrap();
}

/// `cargo run --offline -p attestwire-codegen -- <args>` in `tree`.
fn codegen(tree: &Path, target: &Path, args: &[&str]) -> Output {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    Command::new(cargo)
        .args(["run", "--quiet", "-p", "attestwire-codegen", "--"])
        .args(args)
        .current_dir(tree)
        .env("CARGO_TARGET_DIR", target)
        .env("CARGO_NET_OFFLINE", "true")
        .env_remove("CARGO_MANIFEST_DIR")
        .output()
        .unwrap()
}

fn read(tree: &Path, path: &str) -> String {
    std::fs::read_to_string(tree.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn json_of(tree: &Path, path: &str) -> Value {
    serde_json::from_str(&read(tree, path)).unwrap()
}

/// The `version` of each path package (no `source`) in a `Cargo.lock`.
fn locked_versions(lock: &str) -> BTreeMap<String, String> {
    lock.split("[[package]]")
        .filter(|block| !block.contains("\nsource = "))
        .filter_map(|block| {
            let field = |key: &str| {
                block.lines().find_map(|l| {
                    l.strip_prefix(&format!("{key} = \""))
                        .map(|v| v.trim_end_matches('"').to_owned())
                })
            };
            Some((field("name")?, field("version")?))
        })
        .collect()
}

/// Every file's bytes under `tree` that git sees (tracked or new).
fn snapshot(tree: &Path) -> BTreeMap<String, Vec<u8>> {
    let listed = git(
        tree,
        &[
            "ls-files",
            "-z",
            "--cached",
            "--others",
            "--exclude-standard",
        ],
    );
    listed
        .split('\0')
        .filter(|r| !r.is_empty())
        .map(|rel| (rel.to_owned(), std::fs::read(tree.join(rel)).unwrap()))
        .collect()
}

fn text_of(files: &BTreeMap<String, Vec<u8>>, path: &str) -> String {
    String::from_utf8(files[path].clone()).unwrap()
}

#[test]
fn release_bump_moves_every_version_writes_checks_freezes_and_undoes_a_failure() {
    let scratch = Path::new(env!("CARGO_TARGET_TMPDIR")).join("release-command");
    let tree = scratch.join("tree");
    let target = scratch.join("target");
    let old = Version::parse(env!("CARGO_PKG_VERSION")).unwrap();
    let new = old.bumped(Bump::Minor);
    let (old_s, new_s) = (old.to_string(), new.to_string());

    clone_checkout(&tree);
    let had_client = tree.join("client/package.json").exists();
    if !had_client {
        client_fixture(&tree, &old_s);
    }
    git(&tree, &["init", "--quiet"]);
    git(&tree, &["add", "--all"]);
    git(&tree, &["commit", "--quiet", "-m", "scratch"]);
    let before = snapshot(&tree);
    let client_before = json_of(&tree, "client/package.json");

    let out = codegen(&tree, &target, &["release", "--bump", "minor"]);
    let said = text(&out);
    assert!(out.status.success(), "release --bump minor:\n{said}");
    // The regeneration came from a codegen rebuilt at the new version.
    assert!(
        said.contains("$ cargo run --locked -p attestwire-codegen -- write"),
        "{said}"
    );
    assert!(said.contains(&format!("bump {old_s} → {new_s}")), "{said}");
    assert!(
        said.contains("next: review `git diff`, commit, and tag v"),
        "{said}"
    );

    // The workspace version and every path-dependency requirement.
    let manifest = read(&tree, "Cargo.toml");
    let package_table = manifest.split("[workspace.package]").nth(1).unwrap();
    assert!(
        package_table.contains(&format!("\nversion = \"{new_s}\"\n")),
        "{manifest}"
    );
    for name in ["protocol", "codegen", "runtime", "probe"] {
        assert!(
            manifest.contains(&format!(
                "attestwire-{name} = {{ path = \"{name}\", version = \"{new_s}\" }}"
            )),
            "{name}:\n{manifest}"
        );
    }
    assert!(!manifest.contains(&format!("\"{old_s}\"")), "{manifest}");
    // Only versions changed: the rest of the manifest is byte for byte.
    assert_eq!(
        manifest,
        text_of(&before, "Cargo.toml").replace(&format!("\"{old_s}\""), &format!("\"{new_s}\""))
    );

    // The lock files: every crate of ours at the new version, nothing else moved.
    for lock in ["Cargo.lock", "fuzz/Cargo.lock", "bench-peers/Cargo.lock"] {
        let was = locked_versions(&text_of(&before, lock));
        let is = locked_versions(&read(&tree, lock));
        assert_eq!(
            was.keys().collect::<Vec<_>>(),
            is.keys().collect::<Vec<_>>(),
            "{lock}"
        );
        for (name, version) in &was {
            let expected = if version == &old_s { &new_s } else { version };
            assert_eq!(&is[name], expected, "{lock}: {name}");
        }
        assert!(is.values().any(|v| v == &new_s), "{lock}: {is:?}");
    }
    assert_eq!(
        locked_versions(&read(&tree, "fuzz/Cargo.lock"))["attestwire-fuzz"],
        "0.0.0"
    );

    // The npm packages and their lock files.
    assert_eq!(
        json_of(&tree, "generated/package.json")["version"],
        json!(new_s)
    );
    let lock = json_of(&tree, "generated/package-lock.json");
    assert_eq!(lock["version"], json!(new_s));
    assert_eq!(lock["packages"][""]["version"], json!(new_s));
    let tests_lock = json_of(&tree, "tests/ts/package-lock.json");
    assert_eq!(
        tests_lock["packages"]["../../generated"]["version"],
        json!(new_s)
    );
    assert_eq!(
        tests_lock["packages"][""]["devDependencies"]["@attestwire/protocol"],
        json!("file:../../generated")
    );

    // The client: its version; an exact requirement on the protocol moves,
    // a `file:` spec stays.
    let client = json_of(&tree, "client/package.json");
    assert_eq!(client["version"], json!(new_s));
    for kind in ["dependencies", "peerDependencies", "devDependencies"] {
        let Some(spec) = client_before[kind]["@attestwire/protocol"].as_str() else {
            continue;
        };
        let expected = if spec == old_s { new_s.as_str() } else { spec };
        assert_eq!(
            client[kind]["@attestwire/protocol"],
            json!(expected),
            "{kind}"
        );
    }
    if !had_client {
        let lock = json_of(&tree, "client/package-lock.json");
        assert_eq!(lock["version"], json!(new_s));
        assert_eq!(lock["packages"][""]["version"], json!(new_s));
        assert_eq!(
            lock["packages"][""]["peerDependencies"]["@attestwire/protocol"],
            json!(new_s)
        );
        assert_eq!(
            lock["packages"][""]["devDependencies"]["@attestwire/protocol"],
            json!("file:../generated")
        );
        assert_eq!(lock["packages"]["../generated"]["version"], json!(new_s));
    }

    // The README's install snippet names the new tag.
    let readme = read(&tree, "README.md");
    assert!(
        readme.contains(&format!("tag = \"v{new_s}\"")),
        "README tag"
    );
    assert!(
        !readme.contains(&format!("tag = \"v{old_s}\"")),
        "README tag"
    );

    // Written by the rebuilt codegen, and frozen.
    let bundle = read(&tree, "schema/attestwire.schema.json");
    let bundle_json: Value = serde_json::from_str(&bundle).unwrap();
    assert!(
        bundle_json["$id"]
            .as_str()
            .unwrap()
            .contains(&format!("/{new_s}/")),
        "{}",
        bundle_json["$id"]
    );
    assert!(
        read(&tree, "generated/src/methods.ts")
            .contains(&format!("export const PROTOCOL_VERSION = \"{new_s}\";"))
    );
    assert_eq!(
        read(&tree, &format!("schema/releases/{new_s}.json")),
        bundle
    );
    assert_eq!(
        read(&tree, &format!("schema/releases/{old_s}.json")),
        text_of(&before, &format!("schema/releases/{old_s}.json")),
        "an old release is never rewritten"
    );

    // Nothing else changed: each changed file is a version place or output.
    let after = snapshot(&tree);
    let changed: Vec<&String> = after
        .keys()
        .filter(|p| before.get(*p) != after.get(*p))
        .collect();
    for path in &changed {
        let output = path.starts_with("schema/") || path.starts_with("generated/src/");
        // The fixed places, and every other tracked lock or npm manifest
        // that records our versions (bench-ts/, tests/ts/, consumers),
        // which the release finds by name.
        let name = path.rsplit('/').next().unwrap_or(path);
        let place = ["Cargo.toml", "README.md"].contains(&path.as_str())
            || ["Cargo.lock", "package.json", "package-lock.json"].contains(&name);
        assert!(output || place, "{path} changed");
    }

    // Again, on the tree the release left uncommitted: refused, exit 2,
    // naming what is dirty, and nothing changes.
    let out = codegen(&tree, &target, &["release", "--bump", "minor"]);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("is not clean"), "{said}");
    assert!(said.contains(" M Cargo.toml"), "{said}");
    assert!(
        said.contains(&format!("?? schema/releases/{new_s}.json")),
        "{said}"
    );
    assert_eq!(snapshot(&tree), after);

    // Failures after the bump began are undone, and say what they had
    // changed. Committed, the release is the clean tree to start from; the
    // binary it just built is that tree's, so it runs on it as is, with
    // the cargo given.
    git(&tree, &["add", "--all"]);
    git(&tree, &["commit", "--quiet", "-m", "release"]);
    let released = snapshot(&tree);
    let bumped = |bump: &str, cargo: &str| {
        Command::new(target.join("debug/attestwire-codegen"))
            .args(["release", "--bump", bump, "--root"])
            .arg(&tree)
            .env("CARGO", cargo)
            .env("CARGO_TARGET_DIR", &target)
            .env("CARGO_NET_OFFLINE", "true")
            .env_remove("CARGO_MANIFEST_DIR")
            .output()
            .unwrap()
    };

    // The gate refusing the bump: the frozen release is made to lack
    // status 4, so today's bundle adds a value the client reads, which a
    // patch bump may not. Exit 1, as `check`, and the tree is restored.
    let frozen = format!("schema/releases/{new_s}.json");
    let mut narrower: Value = serde_json::from_str(&read(&tree, &frozen)).unwrap();
    let statuses = narrower
        .pointer_mut("/$defs/AttestationStatus/enum")
        .unwrap();
    statuses.as_array_mut().unwrap().retain(|s| *s != 4);
    std::fs::write(
        tree.join(&frozen),
        serde_json::to_string_pretty(&narrower).unwrap(),
    )
    .unwrap();
    git(
        &tree,
        &["commit", "--quiet", "-am", "a release without status 4"],
    );
    let narrowed = snapshot(&tree);
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = bumped("patch", &cargo);
    let said = text(&out);
    assert_eq!(out.status.code(), Some(1), "{said}");
    assert!(said.contains("value 4 added"), "{said}");
    assert!(
        said.contains("(the gate: a breaking change needs a bigger bump)"),
        "{said}"
    );
    assert!(said.contains("the tree is restored"), "{said}");
    assert_eq!(snapshot(&tree), narrowed);
    git(&tree, &["reset", "--quiet", "--hard", "HEAD~1"]);
    assert_eq!(snapshot(&tree), released);

    // Any other failure after the bump began (here: a cargo that fails
    // at once) is exit 2, undone too.
    let out = bumped("patch", "false");
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(
        said.contains("`write` with the rebuilt codegen exited"),
        "{said}"
    );
    assert!(said.contains("the tree is restored"), "{said}");
    assert!(said.contains(" M Cargo.toml"), "{said}");
    assert_eq!(snapshot(&tree), released);
    assert_eq!(git(&tree, &["status", "--porcelain"]), "");
}

/// A fake checkout (enough for the root search) in a fresh repository.
fn fake_checkout(dir: &Path) -> PathBuf {
    let _ = std::fs::remove_dir_all(dir);
    std::fs::create_dir_all(dir.join("codegen")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\nmembers = [\"codegen\"]\n\n[workspace.package]\nversion = \"0.1.0\"\n",
    )
    .unwrap();
    std::fs::write(
        dir.join("codegen/Cargo.toml"),
        "[package]\nname = \"attestwire-codegen\"\n",
    )
    .unwrap();
    git(dir, &["init", "--quiet"]);
    git(dir, &["add", "--all"]);
    git(dir, &["commit", "--quiet", "-m", "fake"]);
    dir.to_owned()
}

#[test]
fn a_dirty_tree_is_refused_before_anything_changes() {
    let tree = fake_checkout(&Path::new(env!("CARGO_TARGET_TMPDIR")).join("release-dirty"));
    std::fs::write(
        tree.join("Cargo.toml"),
        "[workspace]\nmembers = [\"codegen\"]\n\n[workspace.package]\nversion = \"0.1.0\" # edited\n",
    )
    .unwrap();
    std::fs::write(tree.join("notes.txt"), "wip\n").unwrap();
    let before = snapshot(&tree);
    for bump in ["major", "minor", "patch"] {
        let out = Command::new(env!("CARGO_BIN_EXE_attestwire-codegen"))
            .args(["release", "--bump", bump, "--root"])
            .arg(&tree)
            .output()
            .unwrap();
        let said = text(&out);
        assert_eq!(out.status.code(), Some(2), "{bump}: {said}");
        assert!(said.contains("not released: the git tree at"), "{said}");
        assert!(
            said.contains(" M Cargo.toml") && said.contains("?? notes.txt"),
            "{said}"
        );
        assert_eq!(snapshot(&tree), before, "{bump}");
    }
}

#[test]
fn a_tree_outside_git_is_refused_saying_a_release_needs_git() {
    // Outside this checkout: inside it, git would answer for the checkout.
    let dir = std::env::temp_dir().join(format!("attestwire-release-nogit-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(dir.join("codegen")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[workspace]\nmembers = [\"codegen\"]\n",
    )
    .unwrap();
    std::fs::write(dir.join("codegen/Cargo.toml"), "[package]\nname = \"x\"\n").unwrap();
    let out = Command::new(env!("CARGO_BIN_EXE_attestwire-codegen"))
        .args(["release", "--bump", "minor", "--root"])
        .arg(&dir)
        .env("GIT_CEILING_DIRECTORIES", std::env::temp_dir())
        .output()
        .unwrap();
    let said = text(&out);
    assert_eq!(out.status.code(), Some(2), "{said}");
    assert!(said.contains("`git status"), "{said}");
    assert_eq!(
        std::fs::read_to_string(dir.join("Cargo.toml")).unwrap(),
        "[workspace]\nmembers = [\"codegen\"]\n"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bump_word_other_than_major_minor_patch_is_refused() {
    for bad in [
        &["release", "--bump", "huge"][..],
        &["release", "--bump"],
        &["check", "--bump", "minor"],
    ] {
        let out = Command::new(env!("CARGO_BIN_EXE_attestwire-codegen"))
            .args(bad)
            .output()
            .unwrap();
        assert_eq!(out.status.code(), Some(2), "{bad:?}: {}", text(&out));
    }
}
