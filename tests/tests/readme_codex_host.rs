//! "The package README's host section works against codex-host": the
//! ```ts block of `generated/README.md` that spawns `codex-host` is
//! type-checked (strict, TypeScript 5.9 and 7) against the built package,
//! compiled, and run with Node against the real `examples/codex-host`
//! binary, unchanged. It must finish the handshake, answer the host's
//! `item/approve` and attestwire's `attestation/generate`, and read the
//! header (status 0) from the host's `turn/start` result.

use std::fs;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use attestwire_tests::bins::codex_host;
use attestwire_tests::node::{self, Tsc, repo_root};

/// How long the app may take before the test gives up on it: a guard
/// against a hang, not a speed assertion (the run takes well under a
/// second).
const PATIENCE: Duration = Duration::from_secs(120);

/// The token the test's `mintToken()` returns.
const TOKEN: &str = "v1.readme-token";

/// The README's block that drives codex-host.
fn readme_block() -> String {
    let readme = fs::read_to_string(repo_root().join("generated").join("README.md")).unwrap();
    let blocks: Vec<&str> = readme
        .split("```ts\n")
        .skip(1)
        .filter_map(|rest| rest.split_once("\n```").map(|(code, _)| code))
        .filter(|code| code.contains("spawn(\"codex-host\""))
        .collect();
    assert_eq!(
        blocks.len(),
        1,
        "generated/README.md needs exactly one ```ts block that spawns codex-host"
    );
    blocks[0].to_owned()
}

/// What the README leaves to the app, and the few Node APIs it uses (there
/// is no @types/node in tests/ts): declared as @types/node declares them
/// for these calls.
const NODE_SHIM: &str = r#"declare module "node:child_process" {
  interface Writable {
    write(chunk: string): boolean;
    end(): void;
  }
  interface ChildProcess {
    readonly stdin: Writable;
    readonly stdout: object;
  }
  export function spawn(
    command: string,
    args: readonly string[],
    options: { stdio: ["pipe", "pipe", "inherit"] },
  ): ChildProcess;
}
declare module "node:readline" {
  interface Interface {
    on(event: "line", listener: (line: string) => void): this;
  }
  export function createInterface(options: { input: object }): Interface;
}
declare const console: { log(...data: unknown[]): void; warn(...data: unknown[]): void };
"#;

#[test]
fn the_readme_host_section_runs_against_codex_host() {
    let host = codex_host();
    let _lock = node::prepare();
    let dir = node::build_dir().join("readme-codex-host");
    match fs::remove_dir_all(&dir) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => panic!("cannot remove {}: {e}", dir.display()),
    }
    fs::create_dir_all(&dir).unwrap();
    let app = format!(
        "{}\n\n// The app's own token source (not part of the README).\n\
         async function mintToken(): Promise<string> {{\n  return \"{TOKEN}\";\n}}\n",
        readme_block()
    );
    fs::write(dir.join("main.ts"), app).unwrap();
    fs::write(dir.join("node-shim.d.ts"), NODE_SHIM).unwrap();
    fs::write(
        dir.join("tsconfig.json"),
        r#"{
  "extends": "../../tsconfig.json",
  "compilerOptions": { "noEmit": false, "outDir": "out", "rootDir": "." },
  "include": ["main.ts", "node-shim.d.ts"]
}
"#,
    )
    .unwrap();
    let tsconfig = dir.join("tsconfig.json");
    let tsconfig = tsconfig.to_str().unwrap();
    node::tsc(Tsc::V7, &["-p", tsconfig, "--noEmit"]);
    node::tsc(Tsc::V5_9, &["-p", tsconfig]);

    // The README spawns `codex-host` by name: put the built one first on PATH.
    let path = std::env::join_paths(std::iter::once(host.parent().unwrap().to_path_buf()).chain(
        std::env::split_paths(&std::env::var_os("PATH").unwrap_or_default()),
    ))
    .unwrap();
    let mut child = Command::new("node")
        .arg(dir.join("out").join("main.js"))
        .current_dir(&dir)
        .env("PATH", path)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("cannot run node");
    let started = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break status;
        }
        if started.elapsed() > PATIENCE {
            let _ = child.kill();
            let out = child.wait_with_output().unwrap();
            panic!(
                "the README app did not finish in {PATIENCE:?}\n--- stdout\n{}\n--- stderr\n{}",
                String::from_utf8_lossy(&out.stdout),
                String::from_utf8_lossy(&out.stderr)
            );
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    let out = child.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        status.success(),
        "the README app failed ({status})\n--- stdout\n{stdout}\n--- stderr\n{stderr}"
    );
    // The host's `item/approve` was answered by the host's handler, and the
    // header says the app's token arrived (status 0).
    let lines: Vec<&str> = stdout.lines().collect();
    assert_eq!(
        lines,
        [r#"{"decision":"accept"}"#, "status 0"],
        "stderr:\n{stderr}"
    );
    // Nothing the host sent was refused as invalid.
    assert!(!stderr.contains("invalid line"), "{stderr}");
    // The README prints the header's status, never the token.
    assert!(!stdout.contains(TOKEN), "{stdout}");
}
