//! "A server pays only for what it runs": the normal dependency tree of a
//! crate that depends on the runtime holds no schemars, no ts-rs and one
//! major of syn. The schema and TypeScript derives are behind
//! `attestwire-protocol`'s `schema` feature, which only codegen and the
//! tests turn on.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use attestwire_tests::vectors::repo_root;

/// `cargo tree -e normal -p <package>`: every package in it, name → the
/// versions seen.
fn normal_tree(package: &str) -> BTreeMap<String, BTreeSet<String>> {
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_owned());
    let out = Command::new(cargo)
        .args([
            "tree",
            "--locked",
            "--offline",
            "-e",
            "normal",
            "-p",
            package,
            "--prefix",
            "none",
            "--format",
            "{p}",
        ])
        .current_dir(repo_root())
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "cargo tree -p {package} failed:\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let mut tree: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for line in String::from_utf8_lossy(&out.stdout).lines() {
        let mut words = line.split_whitespace();
        if let (Some(name), Some(version)) = (words.next(), words.next()) {
            tree.entry(name.to_owned())
                .or_default()
                .insert(version.to_owned());
        }
    }
    assert!(
        tree.contains_key(package),
        "{package} is not in its own tree"
    );
    tree
}

/// The schema machinery found in `tree`, each as "name version".
fn schema_machinery(tree: &BTreeMap<String, BTreeSet<String>>) -> Vec<String> {
    tree.iter()
        .filter(|(name, _)| name.starts_with("schemars") || name.starts_with("ts-rs"))
        .map(|(name, versions)| format!("{name} {versions:?}"))
        .collect()
}

/// The distinct major versions of syn in `tree`.
fn syn_majors(tree: &BTreeMap<String, BTreeSet<String>>) -> BTreeSet<String> {
    tree.get("syn")
        .into_iter()
        .flatten()
        .filter_map(|v| {
            v.trim_start_matches('v')
                .split('.')
                .next()
                .map(str::to_owned)
        })
        .collect()
}

#[test]
fn crates_that_depend_on_the_runtime_build_no_schema_machinery() {
    // The smallest adopter, the probe and the Codex-shaped host.
    for package in ["minimal-server", "attestwire-probe", "codex-host"] {
        let tree = normal_tree(package);
        assert!(
            tree.contains_key("attestwire-runtime") && tree.contains_key("attestwire-protocol"),
            "{package} no longer depends on the runtime and protocol"
        );
        assert_eq!(
            schema_machinery(&tree),
            Vec::<String>::new(),
            "{package} builds schema machinery"
        );
        assert!(
            syn_majors(&tree).len() <= 1,
            "{package} builds syn majors {:?}",
            syn_majors(&tree)
        );
    }
}

/// The check above can fail: codegen, which turns the feature on, has
/// schemars, ts-rs and (through schemars) a second syn major.
#[test]
fn codegen_has_the_schema_machinery_the_check_looks_for() {
    let tree = normal_tree("attestwire-codegen");
    let found = schema_machinery(&tree);
    assert!(
        found.iter().any(|p| p.starts_with("schemars ")),
        "{found:?}"
    );
    assert!(found.iter().any(|p| p.starts_with("ts-rs ")), "{found:?}");
    assert_eq!(syn_majors(&tree).len(), 2, "{:?}", tree.get("syn"));
}
