//! "The client under a hostile server": `@attestwire/client` against
//! `tests/ts/hostile/server.mjs`, a server process that misbehaves in every
//! way the issue lists (garbage lines, a line over the limit, dying
//! mid-request, never answering, a flood of 10,000 requests, no longer
//! reading stdin, unknown and duplicate ids, invalid UTF-8, no `jsonrpc`,
//! ignoring stdin EOF and SIGTERM). Each case's outcome is asserted by
//! `node:test` in `tests/ts/hostile/hostile.test.mjs`, whose last test checks
//! that the tripwires on `unhandledRejection`, `uncaughtException` and
//! process warnings stayed silent. This test runs that file and asserts that
//! every case passed, none was skipped, and the process exited by itself.

use std::io::Read;
use std::path::Path;
use std::process::{Child, Command, Stdio};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant};

use attestwire_tests::node::{self, NodeLock, repo_root};

/// How long the whole file may take before the test calls it hung. Not a
/// timed assertion: a healthy run takes a few seconds, and a process that is
/// still alive after this long was kept alive by something the client left
/// open (or a case that never settles).
const PATIENCE: Duration = Duration::from_secs(300);

/// The names of the cases in hostile.test.mjs, in order: every top-level
/// `test("NAME", …)` call, each on a line of its own.
fn cases(script: &str) -> Vec<&str> {
    script
        .lines()
        .filter_map(|line| line.strip_prefix("test(\""))
        .filter_map(|rest| rest.split_once('"').map(|(name, _)| name))
        .collect()
}

/// Node ready and `client/dist` built. The lock is held until the test's
/// Node process has exited, so that no other test rebuilds a `dist/` it
/// imports.
fn prepare() -> NodeLock {
    let lock = node::prepare();
    node::build_client(&lock);
    lock
}

/// Everything `read` gives until its end, on a thread of its own so that
/// neither pipe can fill up and block the child.
fn drain(mut read: impl Read + Send + 'static) -> JoinHandle<String> {
    thread::spawn(move || {
        let mut bytes = Vec::new();
        let _ = read.read_to_end(&mut bytes);
        String::from_utf8_lossy(&bytes).into_owned()
    })
}

/// Waits for `child` to exit by itself within [`PATIENCE`]; kills it and
/// returns `None` if it does not.
fn wait_by_itself(child: &mut Child) -> Option<std::process::ExitStatus> {
    let start = Instant::now();
    loop {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status);
        }
        if start.elapsed() > PATIENCE {
            let _ = child.kill();
            let _ = child.wait();
            return None;
        }
        thread::sleep(Duration::from_millis(50));
    }
}

/// The TAP summary line `# NAME N`, as a number.
fn summary(tap: &str, name: &str) -> Option<u64> {
    let prefix = format!("# {name} ");
    tap.lines()
        .find_map(|line| line.strip_prefix(&prefix))
        .and_then(|n| n.trim().parse().ok())
}

/// The names of the top-level tests reported `ok`, in order.
fn passed(tap: &str) -> Vec<&str> {
    tap.lines()
        .filter_map(|line| line.strip_prefix("ok "))
        .filter_map(|rest| rest.split_once(" - ").map(|(_, name)| name))
        .collect()
}

fn run_hostile(script: &Path) -> (Option<std::process::ExitStatus>, String, String) {
    let mut child = Command::new("node")
        .arg("--test-reporter=tap")
        .arg("--test-reporter-destination=stdout")
        .arg(script)
        .current_dir(repo_root())
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run node {}: {e}", script.display()));
    let stdout = drain(child.stdout.take().unwrap());
    let stderr = drain(child.stderr.take().unwrap());
    let status = wait_by_itself(&mut child);
    // When the child was killed, its own children (hostile servers) may
    // hold the pipes open; their LIFETIME_MS backstop ends them.
    (status, stdout.join().unwrap(), stderr.join().unwrap())
}

#[test]
fn the_client_survives_every_hostile_server_case() {
    let _lock = prepare();
    let script = node::ts_dir().join("hostile").join("hostile.test.mjs");
    let source = std::fs::read_to_string(&script).unwrap();
    let cases = cases(&source);
    assert!(
        cases.len() > 10 && cases.last() == Some(&"the tripwires stayed silent through every case"),
        "cannot read the cases of {}: {cases:?}",
        script.display()
    );
    let (status, tap, stderr) = run_hostile(&script);
    let output = format!("--- stdout\n{tap}\n--- stderr\n{stderr}");
    let Some(status) = status else {
        panic!(
            "the test process did not exit by itself within {PATIENCE:?}: something the \
             client left open keeps it alive, or a case never settled\n{output}"
        );
    };
    assert!(status.success(), "node {status}\n{output}");
    // Every case ran and passed, the tripwire check last.
    assert_eq!(passed(&tap), cases, "{output}");
    assert_eq!(summary(&tap, "pass"), Some(cases.len() as u64), "{output}");
    for name in ["fail", "cancelled", "skipped", "todo"] {
        assert_eq!(summary(&tap, name), Some(0), "# {name}\n{output}");
    }
}
