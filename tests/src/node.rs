//! Node, npm and the two TypeScript compilers, for the tests that check the
//! generated package from the TypeScript side.
//!
//! Everything a Node-using test needs comes from [`prepare`]: it takes the
//! [`NodeLock`], fails loudly when Node is missing (these tests never skip),
//! installs `generated/` and `tests/ts/` from their committed lock files with
//! `npm ci` when needed, and builds `generated/dist` once per process. The lock
//! is an in-process mutex plus a file lock, so tests in parallel threads and
//! in parallel test binaries (nextest runs one process per test) never run
//! npm, rebuild `dist/` or read a half-written `dist/` at the same time.

use std::fs::{self, File};
use std::io::ErrorKind;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard, OnceLock};

pub use crate::vectors::repo_root;

const NODE_MISSING: &str = "node not found on PATH: install Node.js 20+ (e.g. `apt-get install \
                            nodejs npm` or from nodejs.org) — these tests never skip";

/// The oldest Node major version the package and the compilers are tested on.
const MIN_NODE_MAJOR: u32 = 20;

/// npm is a `.cmd` shim on Windows, which `Command` does not resolve by itself.
const NPM: &str = if cfg!(windows) { "npm.cmd" } else { "npm" };

/// Where `npm ci` records what it installed, inside `node_modules/` so that
/// deleting `node_modules/` also forgets the install.
const LOCK_HASH_FILE: &str = ".attestwire-lock-hash";

/// `tests/ts/`: the Node side of the tests, with its own `package.json`.
pub fn ts_dir() -> PathBuf {
    repo_root().join("tests").join("ts")
}

/// `tests/ts/build/`: files written at test time (gitignored).
pub fn build_dir() -> PathBuf {
    ts_dir().join("build")
}

/// `generated/`: the npm package `@attestwire/protocol`.
pub fn generated_dir() -> PathBuf {
    repo_root().join("generated")
}

/// Serializes every Node-using test, across threads and processes. Held for
/// the whole test; dropping it releases both locks. Taking it twice on one
/// thread deadlocks, so take it once per test.
pub struct NodeLock {
    // Declared first so that it is dropped (and the file lock released)
    // before the mutex guard.
    _file: File,
    _guard: MutexGuard<'static, ()>,
}

/// Takes the in-process mutex, then the file lock on
/// `tests/ts/build/.node.lock`. The mutex comes first: two handles of one
/// process on the same file would block each other.
pub fn lock() -> NodeLock {
    static IN_PROCESS: Mutex<()> = Mutex::new(());
    // A test that panicked while holding the lock left nothing half-done that
    // the next one relies on: npm_ci and build_generated re-check on disk.
    let guard = IN_PROCESS
        .lock()
        .unwrap_or_else(|poisoned| poisoned.into_inner());
    let dir = build_dir();
    if let Err(e) = fs::create_dir_all(&dir) {
        panic!("cannot create {}: {e}", dir.display());
    }
    let path = dir.join(".node.lock");
    let file = match File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
    {
        Ok(file) => file,
        Err(e) => panic!("cannot open the lock file {}: {e}", path.display()),
    };
    // `File::lock` is std since Rust 1.89, the workspace's rust-version.
    if let Err(e) = file.lock() {
        panic!("cannot lock {}: {e}", path.display());
    }
    NodeLock {
        _file: file,
        _guard: guard,
    }
}

/// Takes the lock and makes everything ready: Node present, both npm
/// projects installed, `generated/dist` built.
pub fn prepare() -> NodeLock {
    let lock = lock();
    require_node();
    build_generated(&lock);
    npm_ci(&lock, &ts_dir());
    lock
}

/// [`prepare`], and `client/dist` built too (for tests whose Node side
/// imports `@attestwire/client`).
pub fn prepare_with_client() -> NodeLock {
    let lock = prepare();
    build_client(&lock);
    lock
}

/// Panics with how to install Node when `node` or `npm` is missing or Node is
/// older than 20. Checked once per process.
pub fn require_node() {
    static CHECKED: OnceLock<Result<(), String>> = OnceLock::new();
    if let Err(message) = CHECKED.get_or_init(check_node) {
        panic!("{message}");
    }
}

fn check_node() -> Result<(), String> {
    let version = tool_version("node")?;
    let major = version
        .trim()
        .trim_start_matches('v')
        .split('.')
        .next()
        .and_then(|m| m.parse::<u32>().ok())
        .ok_or_else(|| format!("cannot read the Node version from {version:?}"))?;
    if major < MIN_NODE_MAJOR {
        return Err(format!(
            "node {} found, but Node.js {MIN_NODE_MAJOR}+ is required: {}",
            version.trim(),
            NODE_MISSING.trim_start_matches("node not found on PATH: ")
        ));
    }
    tool_version(NPM)
        .map(drop)
        .map_err(|e| e.replacen("node not found", "npm not found", 1))
}

fn tool_version(tool: &str) -> Result<String, String> {
    match Command::new(tool).arg("--version").output() {
        Ok(out) if out.status.success() => Ok(String::from_utf8_lossy(&out.stdout).into_owned()),
        Ok(out) => Err(format!(
            "`{tool} --version` failed ({}): {}",
            out.status,
            String::from_utf8_lossy(&out.stderr)
        )),
        Err(e) if e.kind() == ErrorKind::NotFound => Err(NODE_MISSING.to_owned()),
        Err(e) => Err(format!("cannot run `{tool} --version`: {e}")),
    }
}

/// Runs `npm ci` in `dir` unless `node_modules/` is there and was installed
/// from the current `package-lock.json` and `package.json` (their hash is kept
/// in `node_modules/.attestwire-lock-hash`). The lock argument proves that no
/// other test is installing or reading at the same time.
pub fn npm_ci(_lock: &NodeLock, dir: &Path) {
    require_node();
    let inputs = [dir.join("package-lock.json"), dir.join("package.json")];
    let want = hash_files(&inputs);
    let stamp = dir.join("node_modules").join(LOCK_HASH_FILE);
    if fs::read_to_string(&stamp).is_ok_and(|have| have == want) {
        return;
    }
    // npm ci deletes node_modules first, so an interrupted install leaves no
    // stamp behind and is redone next time.
    run(NPM, &["ci", "--no-audit", "--no-fund"], dir);
    if let Err(e) = fs::write(&stamp, &want) {
        panic!("cannot write {}: {e}", stamp.display());
    }
}

/// Whether this process has built a fresh `generated/dist`.
static GENERATED_BUILT: AtomicBool = AtomicBool::new(false);

/// Installs `generated/` and runs its `npm run build` (tsc 5.9) into a fresh
/// `generated/dist`, once per process.
pub fn build_generated(lock: &NodeLock) {
    if GENERATED_BUILT.load(Ordering::SeqCst) {
        return;
    }
    let dir = generated_dir();
    npm_ci(lock, &dir);
    // tsc never deletes outputs: a type removed from src/ would live on in a
    // stale dist/ and keep the checks green.
    let dist = dir.join("dist");
    match fs::remove_dir_all(&dist) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => panic!("cannot remove {}: {e}", dist.display()),
    }
    run(NPM, &["run", "build"], &dir);
    GENERATED_BUILT.store(true, Ordering::SeqCst);
}

/// `client/`: the npm package `@attestwire/client`.
pub fn client_dir() -> PathBuf {
    repo_root().join("client")
}

/// Whether this process has built a fresh `client/dist`.
static CLIENT_BUILT: AtomicBool = AtomicBool::new(false);

/// Installs `client/` from its lock file and runs its `npm run build` (ESM
/// and CommonJS) into a fresh `client/dist`, once per process; it imports
/// `@attestwire/protocol`, so `generated/dist` is built first. What
/// `tests/ts/node_modules/@attestwire/client` links to.
pub fn build_client(lock: &NodeLock) {
    if CLIENT_BUILT.load(Ordering::SeqCst) {
        return;
    }
    build_generated(lock);
    let dir = client_dir();
    npm_ci(lock, &dir);
    // Its `build` script starts by deleting dist/.
    run(NPM, &["run", "build"], &dir);
    CLIENT_BUILT.store(true, Ordering::SeqCst);
}

/// What `npm pack` made of `generated/`.
#[derive(Debug)]
pub struct Packed {
    /// The tarball, in the `dest` given to [`pack_generated`].
    pub tarball: PathBuf,
    /// The tarball's size in bytes.
    pub size: u64,
    /// Every path in the tarball, relative to the package, sorted.
    pub files: Vec<String>,
}

/// Installs `generated/` from its lock and runs `npm pack` there, writing the
/// tarball into `dest`. The package's `prepack` builds a fresh `dist/` and
/// copies the license texts in, as it would from a clean checkout; so
/// `generated/dist` counts as built for [`build_generated`] afterwards.
pub fn pack_generated(lock: &NodeLock, dest: &Path) -> Packed {
    let dir = generated_dir();
    npm_ci(lock, &dir);
    let packed = pack(&dir, dest);
    GENERATED_BUILT.store(true, Ordering::SeqCst);
    packed
}

/// Packs `client/` as [`pack_generated`] packs `generated/` (building
/// `generated/dist` first, which the client's build reads through its link);
/// `client/dist` counts as built for [`build_client`] afterwards.
pub fn pack_client(lock: &NodeLock, dest: &Path) -> Packed {
    build_generated(lock);
    let dir = client_dir();
    npm_ci(lock, &dir);
    let packed = pack(&dir, dest);
    CLIENT_BUILT.store(true, Ordering::SeqCst);
    packed
}

/// `npm pack --json` in `dir` (installed), the tarball written into `dest`.
fn pack(dir: &Path, dest: &Path) -> Packed {
    if let Err(e) = fs::create_dir_all(dest) {
        panic!("cannot create {}: {e}", dest.display());
    }
    let dest_arg = dest.to_string_lossy();
    // The scripts' output goes to stderr; stdout is the JSON report alone.
    let out = run(
        NPM,
        &["pack", "--json", "--pack-destination", &dest_arg],
        dir,
    );
    let report: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(report) => report,
        Err(e) => panic!(
            "`npm pack --json` printed no JSON ({e}):\n{}",
            String::from_utf8_lossy(&out.stdout)
        ),
    };
    let package = &report[0];
    let (Some(filename), Some(size), Some(entries)) = (
        package["filename"].as_str(),
        package["size"].as_u64(),
        package["files"].as_array(),
    ) else {
        panic!("unexpected `npm pack --json` report: {report}");
    };
    let mut files: Vec<String> = entries
        .iter()
        .map(|f| match f["path"].as_str() {
            Some(path) => path.to_owned(),
            None => panic!("a file without a path in `npm pack --json`: {f}"),
        })
        .collect();
    files.sort();
    Packed {
        tarball: dest.join(filename),
        size,
        files,
    }
}

/// Runs `cmd args` in `dir` and returns its output; panics with the command,
/// the exit status, stdout and stderr when it fails.
pub fn run(cmd: &str, args: &[&str], dir: &Path) -> Output {
    let out = output(cmd, args, dir);
    if !out.status.success() {
        panic!(
            "`{cmd} {}` in {} failed ({})\n--- stdout\n{}\n--- stderr\n{}",
            args.join(" "),
            dir.display(),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

/// Runs `cmd args` in `dir` and returns its output whatever the exit status;
/// panics only when it cannot be started.
pub fn output(cmd: &str, args: &[&str], dir: &Path) -> Output {
    let result = Command::new(cmd)
        .args(args)
        .current_dir(dir)
        // Keep npm quiet and offline-friendly: no update check.
        .env("npm_config_update_notifier", "false")
        .output();
    match result {
        Ok(out) => out,
        Err(e) if e.kind() == ErrorKind::NotFound && (cmd == "node" || cmd == NPM) => {
            panic!("{NODE_MISSING}")
        }
        Err(e) => panic!("cannot run `{cmd}` in {}: {e}", dir.display()),
    }
}

/// Runs the `bin` script `script` of the `tests/ts` dev dependency `package`
/// (publint, arethetypeswrong) with `node`, in `tests/ts/` (the `.bin` links
/// are `.cmd` shims on Windows); returns the output whatever the status.
pub fn ts_tool(package: &str, script: &str, args: &[&str]) -> Output {
    let bin = ts_dir().join("node_modules").join(package).join(script);
    let bin = bin.to_string_lossy();
    let mut all = vec![bin.as_ref()];
    all.extend_from_slice(args);
    output("node", &all, &ts_dir())
}

/// The manifest shape both our npm packages share: `import` gets ESM,
/// `require` CommonJS, each with its own types (types first, as TypeScript
/// requires); `main`/`types` serve Node10 resolution; no side effects,
/// Node 20+, the dual license.
pub fn assert_dual_build_manifest(manifest: &serde_json::Value) {
    assert_eq!(
        manifest["exports"],
        serde_json::json!({
            ".": {
                "import": { "types": "./dist/esm/index.d.ts", "default": "./dist/esm/index.js" },
                "require": { "types": "./dist/cjs/index.d.ts", "default": "./dist/cjs/index.js" }
            },
            "./package.json": "./package.json"
        })
    );
    assert_eq!(manifest["main"], "./dist/cjs/index.js");
    assert_eq!(manifest["types"], "./dist/cjs/index.d.ts");
    assert_eq!(manifest["sideEffects"], false);
    assert_eq!(manifest["engines"]["node"], ">=20");
    assert_eq!(manifest["license"], "MIT OR Apache-2.0");
}

/// Runs `publint --strict` and arethetypeswrong (its default profile,
/// "strict") on a packed tarball, fails the test on any problem either
/// finds, and returns where each resolution mode found the types, as
/// `"node10 -> /node_modules/…/index.d.ts"` for node10, node16 from CommonJS,
/// node16 from ESM and bundler. Both read the tarball itself, the bytes that
/// the consumers install and a registry would serve (`attw --pack` would
/// pack and build again).
pub fn publint_and_attw(tarball: &Path) -> Vec<String> {
    let text = |bytes: &[u8]| String::from_utf8_lossy(bytes).into_owned();
    let tarball = tarball.to_string_lossy();
    let out = ts_tool("publint", "src/cli.js", &["run", &tarball, "--strict"]);
    let stdout = text(&out.stdout);
    println!("{stdout}");
    // "All good!" only when there is no error, warning or suggestion at all.
    assert!(
        out.status.success() && stdout.contains("All good!"),
        "publint --strict: {}\n{stdout}{}",
        out.status,
        text(&out.stderr)
    );
    let out = ts_tool(
        "@arethetypeswrong/cli",
        "dist/index.js",
        &[&tarball, "--format", "json"],
    );
    let report: serde_json::Value = match serde_json::from_slice(&out.stdout) {
        Ok(report) => report,
        Err(e) => panic!(
            "attw printed no JSON ({e}):\n{}{}",
            text(&out.stdout),
            text(&out.stderr)
        ),
    };
    let resolutions = &report["analysis"]["entrypoints"]["."]["resolutions"];
    let resolved: Vec<String> = ["node10", "node16-cjs", "node16-esm", "bundler"]
        .iter()
        .map(|kind| {
            let file = resolutions[kind]["resolution"]["fileName"].as_str();
            format!("{kind} -> {}", file.unwrap_or("(nothing)"))
        })
        .collect();
    println!("attw: {}", resolved.join(", "));
    let problems = &report["problems"];
    let none = problems.as_array().is_some_and(Vec::is_empty)
        || problems.as_object().is_some_and(serde_json::Map::is_empty);
    assert!(
        out.status.success() && none,
        "attw: {}\n{problems:#}",
        out.status
    );
    resolved
}

/// Removes `dir` and everything in it; a missing `dir` is fine.
pub fn remove_dir(dir: &Path) {
    match fs::remove_dir_all(dir) {
        Ok(()) => {}
        Err(e) if e.kind() == ErrorKind::NotFound => {}
        Err(e) => panic!("cannot remove {}: {e}", dir.display()),
    }
}

/// A fresh `dest` holding a copy of the files of `source` (not recursive):
/// a consumer app of `tests/ts/consumers/`, ready for [`install_offline`].
pub fn copy_consumer(source: &Path, dest: &Path) {
    remove_dir(dest);
    if let Err(e) = fs::create_dir_all(dest) {
        panic!("cannot create {}: {e}", dest.display());
    }
    let entries = match fs::read_dir(source) {
        Ok(entries) => entries,
        Err(e) => panic!("cannot read {}: {e}", source.display()),
    };
    for entry in entries {
        let entry = match entry {
            Ok(entry) => entry,
            Err(e) => panic!("cannot read {}: {e}", source.display()),
        };
        if let Err(e) = fs::copy(entry.path(), dest.join(entry.file_name())) {
            panic!("cannot copy {}: {e}", entry.path().display());
        }
    }
}

/// `npm install SPECS --offline` in `dir`, saving nothing: tarballs, and
/// registry packages already in npm's cache (e.g. `@types/node@20.19.43`
/// after `client/` was installed).
pub fn install_offline(dir: &Path, specs: &[&str]) {
    let mut args = vec!["install"];
    args.extend_from_slice(specs);
    args.extend_from_slice(&[
        "--offline",
        "--no-save",
        "--no-package-lock",
        "--no-audit",
        "--no-fund",
    ]);
    run(NPM, &args, dir);
}

/// A TypeScript compiler installed in `tests/ts/node_modules`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tsc {
    /// `typescript@5.9.3`, the JavaScript compiler.
    V5_9,
    /// `typescript@7.0.2` (installed as `typescript7`), the native compiler.
    V7,
}

impl Tsc {
    /// Both compilers, oldest first.
    pub const ALL: [Tsc; 2] = [Tsc::V5_9, Tsc::V7];

    /// The compiler's `bin/tsc` script, run with `node`.
    pub fn bin(self) -> PathBuf {
        let package = match self {
            Tsc::V5_9 => "typescript",
            Tsc::V7 => "typescript7",
        };
        ts_dir()
            .join("node_modules")
            .join(package)
            .join("bin")
            .join("tsc")
    }
}

/// Runs `tsc args` (plus `--pretty false`) with `version` from the repository
/// root; panics with the diagnostics when it fails.
pub fn tsc(version: Tsc, args: &[&str]) -> Output {
    let out = tsc_output(version, args);
    if !out.status.success() {
        panic!(
            "tsc {version:?} `{}` failed ({})\n{}{}",
            args.join(" "),
            out.status,
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    out
}

/// Like [`tsc`], but returns the output whatever the exit status.
pub fn tsc_output(version: Tsc, args: &[&str]) -> Output {
    let bin = version.bin();
    let bin = bin.to_string_lossy();
    let mut all = vec![bin.as_ref()];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--pretty", "false"]);
    output("node", &all, &repo_root())
}

/// FNV-1a over each file's name, length and bytes; a missing file hashes as
/// missing. Only compared with itself, to notice a changed lock file.
fn hash_files(paths: &[PathBuf]) -> String {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    let mut feed = |bytes: &[u8]| {
        for b in bytes {
            hash ^= u64::from(*b);
            hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
        }
    };
    for path in paths {
        feed(path.file_name().map_or(&[][..], |n| n.as_encoded_bytes()));
        match fs::read(path) {
            Ok(bytes) => {
                feed(&(bytes.len() as u64).to_le_bytes());
                feed(&bytes);
            }
            Err(_) => feed(b"<missing>"),
        }
    }
    format!("{hash:016x}\n")
}

// ---- the TypeScript desktop-app clients of tests/ts/client/ and tests/ts/codex-client/ ----

/// Node ready ([`prepare`]), a client compiled, and the lock that
/// keeps another test process from rebuilding `generated/dist` or the client
/// while this test's Node processes import them: hold it until every client
/// of the test has exited.
pub struct CompiledClient {
    /// Held until every client of the test has exited.
    pub lock: NodeLock,
    /// The client's entry point, run as `node main.js MODE …`.
    pub main_js: PathBuf,
}

/// Prepares Node and compiles the attestwire client of `tests/ts/client/`
/// (once per process, with tsc 5.9, checked with tsc 7 too); its entry
/// point is `tests/ts/build/client/main.js`.
pub fn compiled_client() -> CompiledClient {
    static BUILT: AtomicBool = AtomicBool::new(false);
    compiled("tests/ts/client/tsconfig.json", "client", "main.js", &BUILT)
}

/// Prepares Node and compiles the Codex-shaped client of
/// `tests/ts/codex-client/` that drives `examples/codex-host`, as
/// [`compiled_client`] does; its entry point is
/// `tests/ts/build/codex-client/main.js`.
pub fn compiled_codex_client() -> CompiledClient {
    static BUILT: AtomicBool = AtomicBool::new(false);
    compiled(
        "tests/ts/codex-client/tsconfig.json",
        "codex-client",
        "main.js",
        &BUILT,
    )
}

/// Compiles `tsconfig` (relative to the repository root, where `tsc` runs)
/// into `tests/ts/build/<out>/` unless `built` says this process did;
/// `main_js` is the entry point relative to that folder.
fn compiled(tsconfig: &str, out: &str, main_js: &str, built: &AtomicBool) -> CompiledClient {
    let lock = prepare();
    // Both apps are written on `@attestwire/client`.
    build_client(&lock);
    let out = build_dir().join(out);
    if !built.load(Ordering::SeqCst) {
        // tsc never deletes outputs: start from nothing, so that a file
        // removed from the client cannot linger in the build.
        match fs::remove_dir_all(&out) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => panic!("cannot remove {}: {e}", out.display()),
        }
        tsc(Tsc::V5_9, &["-p", tsconfig]);
        // The app must build with the native compiler too, as the package
        // promises; only 5.9 emits, so there is one set of outputs.
        tsc(Tsc::V7, &["-p", tsconfig, "--noEmit"]);
        built.store(true, Ordering::SeqCst);
    }
    CompiledClient {
        lock,
        main_js: out.join(main_js),
    }
}
