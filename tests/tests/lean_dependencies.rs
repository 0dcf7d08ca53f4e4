//! "A server pays only for what it runs": the normal dependency tree of a
//! crate that depends on the runtime holds no schemars, no ts-rs and one
//! major of syn. The schema and TypeScript derives are behind
//! `attestwire-protocol`'s `schema` feature, which only codegen and the
//! tests turn on. And "a server that does not enable the reqwest feature
//! compiles no reqwest" (issue 18): reqwest and its HTTP stack come with
//! the runtime's `reqwest` feature only, and even then no TLS stack.

use std::collections::{BTreeMap, BTreeSet};
use std::process::Command;

use attestwire_tests::vectors::repo_root;

/// `cargo tree -e normal -p <package>`: every package in it, name → the
/// versions seen.
fn normal_tree(package: &str) -> BTreeMap<String, BTreeSet<String>> {
    normal_tree_with(package, &[])
}

/// [`normal_tree`] with `features` of `package` turned on.
fn normal_tree_with(package: &str, features: &[&str]) -> BTreeMap<String, BTreeSet<String>> {
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
        .args(features.iter().flat_map(|feature| ["--features", feature]))
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

/// The HTTP client stack that the `reqwest` feature brings in.
const HTTP_CLIENT: [&str; 4] = ["reqwest", "hyper", "hyper-util", "url"];

/// TLS stacks: reqwest without default features pulls none.
const TLS: [&str; 7] = [
    "rustls",
    "native-tls",
    "openssl",
    "hyper-rustls",
    "hyper-tls",
    "tokio-rustls",
    "tokio-native-tls",
];

fn found<'a>(tree: &BTreeMap<String, BTreeSet<String>>, names: &[&'a str]) -> Vec<&'a str> {
    names
        .iter()
        .copied()
        .filter(|name| tree.contains_key(*name))
        .collect()
}

#[test]
fn without_the_reqwest_feature_a_server_compiles_no_reqwest() {
    // The runtime as a server depends on it, and servers that do not turn
    // the feature on. (codex-host calls its upstream with reqwest.)
    for package in ["attestwire-runtime", "minimal-server", "attestwire-probe"] {
        let tree = normal_tree(package);
        assert_eq!(found(&tree, &HTTP_CLIENT), Vec::<&str>::new(), "{package}");
    }
}

/// The check above can fail: with the feature, reqwest 0.12 (the major
/// Codex pins) and its stack are there; TLS is not.
#[test]
fn the_reqwest_feature_brings_reqwest_0_12_and_no_tls() {
    let tree = normal_tree_with("attestwire-runtime", &["reqwest"]);
    assert_eq!(found(&tree, &HTTP_CLIENT), HTTP_CLIENT, "{tree:?}");
    let reqwest: Vec<&String> = tree["reqwest"].iter().collect();
    assert!(
        reqwest.iter().all(|version| version.starts_with("v0.12.")),
        "{reqwest:?}"
    );
    assert_eq!(found(&tree, &TLS), Vec::<&str>::new());
}
