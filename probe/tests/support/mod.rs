//! Running the `attestwire-probe` binary in the probe's tests, and checking
//! that the processes it started are gone.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

use std::ffi::OsStr;
use std::path::Path;
use std::process::Stdio;
use std::time::Duration;

use tokio::process::Command;

/// How long a probe run may take before the test fails instead of hanging.
/// A hang guard, not a timed assertion: healthy runs take well under 2 s.
pub(crate) const PATIENCE: Duration = Duration::from_secs(60);

pub(crate) const PROBE: &str = env!("CARGO_BIN_EXE_attestwire-probe");

/// What a probe run left.
#[derive(Debug)]
pub(crate) struct Run {
    pub(crate) code: Option<i32>,
    pub(crate) stdout: String,
    pub(crate) stderr: String,
}

impl Run {
    pub(crate) fn stdout_lines(&self) -> Vec<&str> {
        self.stdout.lines().collect()
    }

    /// The `--json` lines, parsed; each must be a JSON object.
    pub(crate) fn json(&self) -> Vec<serde_json::Value> {
        self.stdout
            .lines()
            .map(|line| {
                let value: serde_json::Value = serde_json::from_str(line)
                    .unwrap_or_else(|e| panic!("stdout line {line:?} is not JSON: {e}\n{self:?}"));
                assert!(value.is_object(), "{line}");
                value
            })
            .collect()
    }

    /// The `s` of each `--json` line (`None` for no header).
    pub(crate) fn statuses(&self) -> Vec<Option<u64>> {
        self.json().iter().map(|v| v["status"].as_u64()).collect()
    }

    /// The pids the client processes logged on stderr as `PREFIX=PID`
    /// (the TypeScript client logs `client: pid=…`).
    pub(crate) fn pids(&self, prefix: &str) -> Vec<u32> {
        self.stderr
            .lines()
            .filter_map(|line| line.split_once(prefix))
            .map(|(_, rest)| {
                let digits: String = rest.chars().take_while(char::is_ascii_digit).collect();
                digits.parse().unwrap()
            })
            .collect()
    }

    /// Asserts that every process that logged `PREFIX=PID` is gone: the
    /// probe left nothing running behind.
    pub(crate) fn assert_processes_gone(&self, prefix: &str) {
        let pids = self.pids(prefix);
        assert!(
            !pids.is_empty(),
            "no {prefix}PID line on stderr:\n{}",
            self.stderr
        );
        for pid in pids {
            assert_process_gone(pid);
        }
    }
}

/// Process `pid` is not running: gone, or dead and waiting to be reaped.
/// The probe reaps its child; a grandchild it killed is reparented to init,
/// which reaps it when it gets to it, so a zombie is a pass.
pub(crate) fn assert_process_gone(pid: u32) {
    if cfg!(target_os = "linux") {
        let Ok(stat) = std::fs::read_to_string(format!("/proc/{pid}/stat")) else {
            return;
        };
        // `PID (COMM) STATE …`; COMM may hold spaces and parentheses.
        let state = stat
            .rsplit_once(") ")
            .and_then(|(_, rest)| rest.chars().next());
        assert_eq!(state, Some('Z'), "process {pid} outlived the probe: {stat}");
    }
}

/// Runs the probe with `args` to completion.
pub(crate) async fn probe<S: AsRef<OsStr>>(args: &[S]) -> Run {
    let child = Command::new(PROBE)
        .args(args)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let output = tokio::time::timeout(PATIENCE, child.wait_with_output())
        .await
        .unwrap_or_else(|_| {
            panic!(
                "the probe hung: {:?}",
                args.iter().map(AsRef::as_ref).collect::<Vec<_>>()
            )
        })
        .unwrap();
    Run {
        code: output.status.code(),
        stdout: String::from_utf8(output.stdout).unwrap(),
        stderr: String::from_utf8(output.stderr).unwrap(),
    }
}

/// The handshake timeout of the tests' probe runs, in ms: Node may start
/// slowly on a loaded machine, and the default 5 s is for people.
pub(crate) const HANDSHAKE_PATIENCE: &str = "30000";

/// `probe --handshake-timeout-ms 30000 OPTIONS -- node main.js CLIENT_ARGS`.
pub(crate) async fn probe_client(main_js: &Path, options: &[&str], client: &[&str]) -> Run {
    let mut args: Vec<&OsStr> = ["--handshake-timeout-ms", HANDSHAKE_PATIENCE]
        .into_iter()
        .chain(options.iter().copied())
        .map(OsStr::new)
        .collect();
    args.extend([OsStr::new("--"), OsStr::new("node"), main_js.as_os_str()]);
    args.extend(client.iter().map(OsStr::new));
    probe(&args).await
}
