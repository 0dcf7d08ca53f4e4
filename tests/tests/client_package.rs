//! "`@attestwire/client` … has ESM and CommonJS builds, needs Node 20 or
//! later, and has no runtime dependency other than `@attestwire/protocol`":
//! its own `node:test` suite passes (every behaviour of issue 17 part 1, under
//! tripwires for unhandled rejections, uncaught exceptions and listener
//! leaks), its sources and type tests check under TypeScript 5.9 and 7, and
//! the tarball `npm pack` makes is clean for publint and arethetypeswrong and
//! runs in an ESM and a CommonJS consumer installed from it.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::OnceLock;
use std::time::{Duration, Instant};

use attestwire_tests::node::{self, NodeLock, Packed, Tsc};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

fn manifest(dir: &Path) -> serde_json::Value {
    serde_json::from_str(&fs::read_to_string(dir.join("package.json")).unwrap()).unwrap()
}

/// The client's test files, `client/test/*.test.mjs`, sorted.
fn test_files() -> Vec<String> {
    let mut files: Vec<String> = fs::read_dir(node::client_dir().join("test"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .filter(|name| name.ends_with(".test.mjs"))
        .map(|name| format!("test/{name}"))
        .collect();
    files.sort();
    files
}

/// How many `test(` calls the files hold: what the runner must report as run.
fn declared_tests(files: &[String]) -> usize {
    files
        .iter()
        .map(|f| {
            let source = fs::read_to_string(node::client_dir().join(f)).unwrap();
            source.matches("\ntest(").count()
        })
        .sum()
}

/// A count from the runner's TAP summary, e.g. `# pass 39`.
fn summary(tap: &str, key: &str) -> usize {
    let prefix = format!("# {key} ");
    let Some(line) = tap.lines().rev().find(|l| l.starts_with(&prefix)) else {
        panic!("no `{prefix}…` line in the node:test output:\n{tap}");
    };
    line[prefix.len()..].trim().parse().unwrap()
}

#[test]
fn the_clients_node_test_suite_passes_every_test_it_declares() {
    let _lock = node::prepare_with_client();
    let files = test_files();
    assert!(files.len() >= 6, "{files:?}");
    let mut args = vec!["--test".to_owned(), "--test-reporter=tap".to_owned()];
    args.extend(files.iter().cloned());
    let mut child = Command::new("node")
        .args(&args)
        .current_dir(node::client_dir())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node (Node.js 20+ is required): {e}"));
    // A hang guard, not a timing assertion: a test whose process never exits
    // (a handle left open) would otherwise hang the whole cargo test.
    let started = Instant::now();
    while child.try_wait().unwrap().is_none() {
        if started.elapsed() > Duration::from_secs(300) {
            child.kill().unwrap();
            panic!("the client's node:test suite did not finish within 300 s");
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    let out = child.wait_with_output().unwrap();
    let tap = text(&out.stdout);
    assert!(
        out.status.success(),
        "node --test failed ({}):\n{tap}\n{}",
        out.status,
        text(&out.stderr)
    );
    let declared = declared_tests(&files);
    println!(
        "{} files, {declared} tests declared, {} passed",
        files.len(),
        summary(&tap, "pass")
    );
    // Every declared test ran and passed: none skipped, none left as todo.
    assert_eq!(summary(&tap, "tests"), declared, "{tap}");
    assert_eq!(summary(&tap, "pass"), declared, "{tap}");
    for key in ["fail", "cancelled", "skipped", "todo"] {
        assert_eq!(summary(&tap, key), 0, "# {key}\n{tap}");
    }
}

#[test]
fn the_client_and_its_type_tests_check_under_ts_5_9_and_7() {
    let _lock = node::prepare_with_client();
    for version in Tsc::ALL {
        node::tsc(version, &["-p", "client/tsconfig.json", "--noEmit"]);
        // The type tests hold `@ts-expect-error` lines: each must be an error
        // (an unused one fails), and everything else must compile.
        node::tsc(version, &["-p", "client/test-types/tsconfig.json"]);
    }
    // The checks can fail: a call in neither method map is an error.
    let bad = node::build_dir().join("client-type-probe");
    node::remove_dir(&bad);
    fs::create_dir_all(&bad).unwrap();
    let probe = bad.join("probe.ts");
    fs::write(
        &probe,
        "import { connect } from \"../../../../client/src/index.js\";\n\
         import { PassThrough } from \"node:stream\";\n\
         const c = connect({ readable: new PassThrough(), writable: new PassThrough() });\n\
         void c.request(\"turn/start\", { threadId: \"t\" });\n",
    )
    .unwrap();
    let config = bad.join("tsconfig.json");
    // typeRoots: @types/node is installed in client/, not above the probe.
    fs::write(
        &config,
        r#"{ "extends": "../../../../client/tsconfig.json", "compilerOptions": { "noEmit": true, "rootDir": "../../../..", "typeRoots": ["../../../../client/node_modules/@types"] }, "include": ["probe.ts"] }"#,
    )
    .unwrap();
    for version in Tsc::ALL {
        let out = node::tsc_output(version, &["-p", &config.to_string_lossy()]);
        let diagnostics = text(&out.stdout);
        assert!(
            !out.status.success() && diagnostics.contains("TS2345"),
            "tsc {version:?} accepted a method in neither map:\n{diagnostics}"
        );
    }
}

#[test]
fn eslint_with_no_floating_promises_finds_nothing_in_the_client() {
    let _lock = node::prepare_with_client();
    // typescript-eslint's type-checked rules (no-floating-promises,
    // no-misused-promises, no-explicit-any, …): most unhandled rejections
    // are caught here before a test has to.
    let bin = node::client_dir().join("node_modules/eslint/bin/eslint.js");
    let out = node::output(
        "node",
        &[&bin.to_string_lossy(), "--max-warnings", "0"],
        &node::client_dir(),
    );
    assert!(
        out.status.success(),
        "eslint ({}):\n{}{}",
        out.status,
        text(&out.stdout),
        text(&out.stderr)
    );
}

/// The lock, Node ready, and both packages packed once per process.
fn packed() -> (NodeLock, &'static (Packed, Packed)) {
    static PACKED: OnceLock<(Packed, Packed)> = OnceLock::new();
    let lock = node::lock();
    node::require_node();
    node::npm_ci(&lock, &node::ts_dir());
    let packed = PACKED.get_or_init(|| {
        let dest = node::build_dir().join("client-package");
        // A tarball of an older version must not linger beside the new one.
        node::remove_dir(&dest);
        let protocol = node::pack_generated(&lock, &dest);
        let client = node::pack_client(&lock, &dest);
        (client, protocol)
    });
    (lock, packed)
}

#[test]
fn npm_pack_ships_both_builds_their_types_and_both_licenses_and_depends_only_on_the_protocol() {
    let (_lock, (client, _)) = packed();
    let mut want: BTreeSet<String> = [
        "LICENSE-APACHE",
        "LICENSE-MIT",
        "README.md",
        "package.json",
        "dist/cjs/package.json",
    ]
    .map(String::from)
    .into();
    for entry in fs::read_dir(node::client_dir().join("src")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let module = name.strip_suffix(".ts").unwrap();
        want.insert(format!("src/{name}"));
        for build in ["esm", "cjs"] {
            for ext in ["js", "js.map", "d.ts", "d.ts.map"] {
                want.insert(format!("dist/{build}/{module}.{ext}"));
            }
        }
    }
    println!("{} ({} bytes)", client.tarball.display(), client.size);
    assert_eq!(client.files, want.into_iter().collect::<Vec<_>>());

    let manifest = manifest(&node::client_dir());
    let protocol = self::manifest(&node::generated_dir());
    assert_eq!(manifest["name"], "@attestwire/client");
    // Lockstep with the protocol package: the same version, and an exact peer
    // requirement on it (the release command rewrites both).
    assert_eq!(manifest["version"], protocol["version"]);
    assert_eq!(
        manifest["peerDependencies"],
        serde_json::json!({ "@attestwire/protocol": protocol["version"] })
    );
    assert!(
        manifest.get("dependencies").is_none(),
        "no runtime dependency: {}",
        manifest["dependencies"]
    );
    node::assert_dual_build_manifest(&manifest);
}

#[test]
fn publint_strict_and_arethetypeswrong_find_no_problem_in_the_client_tarball() {
    let (_lock, (client, _)) = packed();
    let resolved = node::publint_and_attw(&client.tarball);
    let dist = "/node_modules/@attestwire/client/dist";
    assert_eq!(
        resolved,
        [
            format!("node10 -> {dist}/cjs/index.d.ts"),
            format!("node16-cjs -> {dist}/cjs/index.d.ts"),
            format!("node16-esm -> {dist}/esm/index.d.ts"),
            format!("bundler -> {dist}/esm/index.d.ts"),
        ]
    );
}

/// Where the consumers are installed: with no `node_modules` above, so that
/// they resolve both packages only from the tarballs they installed.
fn scratch() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("client-consumers");
    for above in dir.ancestors() {
        assert!(
            !above.join("node_modules").exists(),
            "{} has a node_modules/ that the consumers could resolve from",
            above.display()
        );
    }
    dir
}

/// The `@types/node` the client is built with (its types name Node's
/// streams), installed into the consumers from npm's cache.
fn types_node() -> String {
    let lock = manifest(&node::client_dir());
    let version = lock["devDependencies"]["@types/node"].as_str().unwrap();
    format!("@types/node@{version}")
}

#[test]
fn an_esm_and_a_cjs_consumer_install_both_tarballs_type_check_under_ts_5_9_and_7_and_run() {
    let (_lock, (client, protocol)) = packed();
    for (name, build) in [("client-esm", "esm"), ("client-cjs", "cjs")] {
        let dir = scratch().join(name);
        node::copy_consumer(&node::ts_dir().join("consumers").join(name), &dir);
        node::install_offline(
            &dir,
            &[
                &client.tarball.to_string_lossy(),
                &protocol.tarball.to_string_lossy(),
                &types_node(),
            ],
        );
        for package in ["client", "protocol"] {
            let installed = dir.join("node_modules/@attestwire").join(package);
            assert!(
                fs::symlink_metadata(&installed).unwrap().is_dir(),
                "{} is not an unpacked copy",
                installed.display()
            );
        }
        let tsconfig = dir.join("tsconfig.json");
        let tsconfig = tsconfig.to_string_lossy();
        node::tsc(Tsc::V5_9, &["-p", &tsconfig]);
        node::tsc(Tsc::V7, &["-p", &tsconfig, "--noEmit"]);
        let out = node::run("node", &["out/main.js"], &dir);
        assert_eq!(
            text(&out.stdout),
            format!(
                r#"{{"consumer":"{name}","loaded":"@attestwire/client/dist/{build}/index.js","server":"consumer-server","echo":2,"refused":-32000,"header":"x-oai-attestation","token":"v1.opaque-client-payload","pendingRejected":true,"closed":"closed"}}"#
            ) + "\n",
            "{name}"
        );
        println!("{name}: tsc 5.9 ok, tsc 7 ok, node ok ({build})");
    }
    let installed = scratch().join("client-esm/node_modules/@attestwire/client");
    for license in ["LICENSE-MIT", "LICENSE-APACHE"] {
        assert_eq!(
            fs::read(installed.join(license)).unwrap(),
            fs::read(node::repo_root().join(license)).unwrap(),
            "{license}"
        );
    }
}

/// The module specifiers a built file imports (`from "…"`), relative ones left out.
fn imports(source: &str) -> BTreeSet<String> {
    source
        .split("from \"")
        .skip(1)
        .filter_map(|rest| rest.split('"').next())
        .filter(|spec| !spec.starts_with('.'))
        .map(String::from)
        .collect()
}

#[test]
fn the_client_imports_only_what_electrons_main_and_utility_processes_have() {
    let _lock = node::prepare_with_client();
    let dist = node::client_dir().join("dist/esm");
    let mut all = BTreeSet::new();
    for entry in fs::read_dir(&dist).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "js") {
            let source = fs::read_to_string(&path).unwrap();
            assert!(
                !source.contains("import(") && !source.contains("require("),
                "{}: no dynamic import or require",
                path.display()
            );
            all.extend(imports(&source));
        }
    }
    println!("imports: {all:?}");
    assert_eq!(
        all,
        [
            "@attestwire/protocol",
            "node:buffer",
            "node:child_process",
            "node:path"
        ]
        .map(String::from)
        .into()
    );
}
