//! "`generated/` is an npm package with ESM and CommonJS builds (`exports`
//! conditions and types for each; `npm pack` builds `dist/` itself) … and
//! ships its license texts": the tarball `npm pack` makes holds exactly
//! that, publint and arethetypeswrong find nothing wrong with it, and four
//! consumer apps install it, type-check under TypeScript 5.9 and 7, and run.

use std::collections::BTreeSet;
use std::fs;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use attestwire_tests::node::{self, NodeLock, Packed, Tsc};

fn text(bytes: &[u8]) -> String {
    String::from_utf8_lossy(bytes).into_owned()
}

/// The lock, Node ready, and the package packed once per process. Not
/// `node::prepare`: packing builds `dist/` (the package's `prepack`), so its
/// build would be a second one.
fn prepare() -> (NodeLock, &'static Packed) {
    static PACKED: OnceLock<Packed> = OnceLock::new();
    let lock = node::lock();
    node::require_node();
    node::npm_ci(&lock, &node::ts_dir());
    let packed = PACKED.get_or_init(|| {
        let dest = node::build_dir().join("package");
        // A tarball of an older version must not linger beside the new one.
        node::remove_dir(&dest);
        node::pack_generated(&lock, &dest)
    });
    (lock, packed)
}

/// What the tarball must hold, no more: per module of `src/`, the module
/// (the source maps point at it) and its ESM and CommonJS builds with types
/// and maps; the marker that makes `dist/cjs` CommonJS; the README, the
/// manifest and both license texts.
fn expected_files() -> Vec<String> {
    let mut want: BTreeSet<String> = [
        "LICENSE-APACHE",
        "LICENSE-MIT",
        "README.md",
        "package.json",
        "dist/cjs/package.json",
    ]
    .map(String::from)
    .into();
    for entry in fs::read_dir(node::generated_dir().join("src")).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let module = name.strip_suffix(".ts").unwrap();
        want.insert(format!("src/{name}"));
        for build in ["esm", "cjs"] {
            for ext in ["js", "js.map", "d.ts", "d.ts.map"] {
                want.insert(format!("dist/{build}/{module}.{ext}"));
            }
        }
    }
    want.into_iter().collect()
}

#[test]
fn npm_pack_ships_both_builds_their_types_the_readme_and_both_licenses_and_nothing_else() {
    let (_lock, packed) = prepare();
    println!(
        "{} ({} bytes, {} files):\n{}",
        packed.tarball.display(),
        packed.size,
        packed.files.len(),
        packed.files.join("\n")
    );
    assert_eq!(packed.files, expected_files());
    for index in [
        "dist/esm/index.js",
        "dist/cjs/index.js",
        "dist/cjs/index.d.ts",
    ] {
        assert!(packed.files.iter().any(|f| f == index), "no {index}");
    }

    let manifest: serde_json::Value = serde_json::from_str(
        &fs::read_to_string(node::generated_dir().join("package.json")).unwrap(),
    )
    .unwrap();
    node::assert_dual_build_manifest(&manifest);
}

#[test]
fn publint_strict_and_arethetypeswrong_find_no_problem_in_the_tarball() {
    let (_lock, packed) = prepare();
    let resolved = node::publint_and_attw(&packed.tarball);
    let protocol = "/node_modules/@attestwire/protocol/dist";
    assert_eq!(
        resolved,
        [
            format!("node10 -> {protocol}/cjs/index.d.ts"),
            format!("node16-cjs -> {protocol}/cjs/index.d.ts"),
            format!("node16-esm -> {protocol}/esm/index.d.ts"),
            format!("bundler -> {protocol}/esm/index.d.ts"),
        ]
    );
}

/// One consumer app in `tests/ts/consumers/`.
struct Consumer {
    name: &'static str,
    /// The build Node must load, under `@attestwire/protocol/`.
    loads: &'static str,
    /// Also run under `node --no-experimental-require-module`, a Node that
    /// cannot `require` an ES module.
    without_require_esm: bool,
}

const CONSUMERS: [Consumer; 4] = [
    Consumer {
        name: "nodenext-esm",
        loads: "dist/esm/index.js",
        without_require_esm: false,
    },
    Consumer {
        name: "nodenext-cjs",
        loads: "dist/cjs/index.js",
        without_require_esm: false,
    },
    Consumer {
        name: "node16-cjs",
        loads: "dist/cjs/index.js",
        without_require_esm: true,
    },
    Consumer {
        name: "bundler",
        loads: "dist/esm/index.js",
        without_require_esm: false,
    },
];

/// The line a consumer prints: where the package was found, and the
/// package's values at work.
fn expected_line(consumer: &Consumer) -> String {
    format!(
        r#"{{"consumer":"{}","loaded":"@attestwire/protocol/{}","header":"x-oai-attestation: {{\"v\":1,\"s\":0,\"t\":\"v1.opaque-client-payload\"}}","timeout":1,"valid":[true,false]}}"#,
        consumer.name, consumer.loads
    )
}

/// Where the consumers are installed: under Cargo's scratch directory, with
/// no `node_modules` above it, so a consumer can only resolve the package
/// from the tarball it installed (under tests/ts/build/ it would also find
/// tests/ts/node_modules/@attestwire/protocol, a link to generated/).
fn scratch() -> PathBuf {
    let dir = PathBuf::from(env!("CARGO_TARGET_TMPDIR")).join("npm-consumers");
    for above in dir.ancestors() {
        assert!(
            !above.join("node_modules").exists(),
            "{} has a node_modules/ that the consumers could resolve from",
            above.display()
        );
    }
    dir
}

/// A fresh copy of `tests/ts/consumers/<name>/` with the tarball installed
/// as its only dependency (offline: the package has no dependencies).
fn install(consumer: &Consumer, tarball: &Path) -> PathBuf {
    let dir = scratch().join(consumer.name);
    node::copy_consumer(&node::ts_dir().join("consumers").join(consumer.name), &dir);
    node::install_offline(&dir, &[&tarball.to_string_lossy()]);
    let installed = dir.join("node_modules/@attestwire/protocol");
    let meta = fs::symlink_metadata(&installed).unwrap();
    assert!(
        meta.is_dir(),
        "{} is not an unpacked copy",
        installed.display()
    );
    dir
}

#[test]
fn four_consumers_install_the_tarball_type_check_under_ts_5_9_and_7_and_run() {
    let (_lock, packed) = prepare();
    let mut matrix = Vec::new();
    for consumer in &CONSUMERS {
        let dir = install(consumer, &packed.tarball);
        let tsconfig = dir.join("tsconfig.json");
        let tsconfig = tsconfig.to_string_lossy();
        // 5.9 emits out/main.js; 7 checks the same sources.
        node::tsc(Tsc::V5_9, &["-p", &tsconfig]);
        node::tsc(Tsc::V7, &["-p", &tsconfig, "--noEmit"]);

        let mut runs: Vec<&[&str]> = vec![&["out/main.js"]];
        if consumer.without_require_esm {
            runs.push(&["--no-experimental-require-module", "out/main.js"]);
        }
        for args in runs {
            let out = node::run("node", args, &dir);
            assert_eq!(
                text(&out.stdout),
                format!("{}\n", expected_line(consumer)),
                "node {} in {}",
                args.join(" "),
                consumer.name
            );
            matrix.push(format!(
                "{}: tsc 5.9 ok, tsc 7 ok, node {} ok",
                consumer.name,
                args.join(" ")
            ));
        }
    }
    println!("{}", matrix.join("\n"));

    // The license texts shipped are the repository's.
    let installed = scratch()
        .join(CONSUMERS[0].name)
        .join("node_modules/@attestwire/protocol");
    for license in ["LICENSE-MIT", "LICENSE-APACHE"] {
        assert_eq!(
            fs::read(installed.join(license)).unwrap(),
            fs::read(node::repo_root().join(license)).unwrap(),
            "{license}"
        );
    }
}
