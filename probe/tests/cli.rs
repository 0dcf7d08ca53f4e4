//! "Exit code 2 for a usage error, a command that cannot be started, or a
//! handshake that did not complete (the message says which)": the probe
//! against no client, broken clients and shell scripts that never speak the
//! protocol. No Node needed.

// As in attestwire-tests: in test code an `unwrap` is an assertion with a
// line number. clippy.toml's allow-unwrap-in-tests covers `#[test]`
// functions only, not the helpers of `support/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use std::process::Stdio;

use support::{PATIENCE, PROBE, assert_process_gone, probe};
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::Command;

const USAGE_LINE: &str = "usage: attestwire-probe [--timeout-ms N] [--count N] \
                          [--handshake-timeout-ms N] [--json] -- COMMAND [ARGS...]";

#[tokio::test]
async fn usage_errors_exit_2_with_the_reason_and_the_usage() {
    for (args, reason) in [
        (&[][..], "no COMMAND given (put it after `--`)"),
        (
            &["--count", "0", "--", "app"],
            "--count must be an integer from 1",
        ),
        (
            &["--timeout-ms", "soon", "--", "app"],
            "--timeout-ms must be a whole number",
        ),
        (&["--retries", "3", "--", "app"], "unknown option --retries"),
    ] {
        let run = probe(args).await;
        assert_eq!(run.code, Some(2), "{args:?}: {run:?}");
        assert!(
            run.stderr
                .starts_with(&format!("attestwire-probe: {reason}")),
            "{run:?}"
        );
        assert!(run.stderr.contains(USAGE_LINE), "{run:?}");
        assert_eq!(run.stdout, "");
    }
}

#[tokio::test]
async fn help_prints_the_usage_and_exits_0() {
    let run = probe(&["--help"]).await;
    assert_eq!(run.code, Some(0));
    assert!(run.stdout.starts_with(USAGE_LINE), "{run:?}");
}

#[tokio::test]
async fn a_command_that_cannot_be_started_exits_2() {
    let run = probe(&["--", "/nonexistent/desktop-app"]).await;
    assert_eq!(run.code, Some(2));
    assert!(
        run.stderr
            .starts_with("attestwire-probe: cannot start \"/nonexistent/desktop-app\": "),
        "{run:?}"
    );
}

#[tokio::test]
async fn a_client_that_exits_before_the_handshake_exits_2() {
    let run = probe(&["--", "sh", "-c", "echo 'not json'; exit 3"]).await;
    assert_eq!(run.code, Some(2), "{run:?}");
    assert_eq!(
        run.stderr,
        "attestwire-probe: the handshake did not complete: the client closed the connection \
         (client exit status: 3)\n"
    );
    assert_eq!(run.stdout, "");
}

#[tokio::test]
async fn a_client_that_never_initializes_exits_2_after_the_handshake_timeout() {
    // `read` returns when the probe closes the script's stdin, so the script
    // ends by itself.
    let script = r#"echo "script=$$" >&2; read line"#;
    let run = probe(&["--handshake-timeout-ms", "200", "--", "sh", "-c", script]).await;
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains(
            "attestwire-probe: the handshake did not complete within 200 ms: the client must \
             send `initialize` on its stdout first ("
        ),
        "{run:?}"
    );
    run.assert_processes_gone("script=");
}

#[tokio::test]
async fn an_oversize_line_before_the_handshake_exits_2() {
    let script = r#"echo "script=$$" >&2; head -c 2000000 /dev/zero | tr '\0' x; echo; read line"#;
    let run = probe(&["--", "sh", "-c", script]).await;
    assert_eq!(run.code, Some(2), "{run:?}");
    assert!(
        run.stderr.contains(
            "the handshake did not complete: the client sent a line longer than the frame \
             limit of 1048576 bytes"
        ),
        "{run:?}"
    );
    run.assert_processes_gone("script=");
}

/// SIGTERM to the probe stops the client (in its own process group, so it
/// would not get the signal itself) and exits 128 + 15.
#[tokio::test]
async fn sigterm_stops_the_client_and_exits_143() {
    let mut probe = Command::new(PROBE)
        .args(["--handshake-timeout-ms", "600000", "--", "sh", "-c"])
        .arg(r#"echo "script=$$" >&2; exec sleep 600"#)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .kill_on_drop(true)
        .spawn()
        .unwrap();
    let mut stderr = BufReader::new(probe.stderr.take().unwrap()).lines();
    let line = tokio::time::timeout(PATIENCE, stderr.next_line())
        .await
        .unwrap()
        .unwrap()
        .unwrap();
    let script: u32 = line.strip_prefix("script=").unwrap().parse().unwrap();
    let status = std::process::Command::new("kill")
        .args(["-TERM", &probe.id().unwrap().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
    let exit = tokio::time::timeout(PATIENCE, probe.wait())
        .await
        .unwrap()
        .unwrap();
    assert_eq!(exit.code(), Some(143));
    let rest = stderr.next_line().await.unwrap();
    assert_eq!(
        rest.as_deref(),
        Some("attestwire-probe: interrupted by signal 15; the client was stopped")
    );
    assert_process_gone(script);
}
