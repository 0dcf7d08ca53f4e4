//! "Robust against any client": the probe against the TypeScript client of
//! tests/ts/client/ in each of its modes, hostile ones included. Every run
//! gives a defined status per attempt and exit code, and leaves no process
//! behind.

// As in attestwire-tests: in test code an `unwrap` is an assertion with a
// line number. clippy.toml's allow-unwrap-in-tests covers `#[test]`
// functions only, not the helpers of `support/`.
#![allow(clippy::unwrap_used, clippy::expect_used)]

mod support;

use attestwire_tests::node::compiled_client;
use support::{Run, probe, probe_client};

const OK_HEADER: &str = r#"{"v":1,"s":0,"t":"v1.opaque-client-payload"}"#;

/// The statuses of a `--json` run, after checking that it leaves no client
/// behind.
fn statuses(run: &Run) -> Vec<Option<u64>> {
    run.assert_processes_gone("client: pid=");
    run.statuses()
}

#[tokio::test]
async fn json_mode_prints_exactly_one_object_per_attempt_on_stdout() {
    let node = compiled_client();
    let run = probe_client(&node.main_js, &["--json", "--count", "3"], &["ok"]).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    let lines = run.stdout_lines();
    assert_eq!(lines.len(), 3, "{run:?}");
    for (i, line) in lines.iter().enumerate() {
        // The exact keys, in the issue's order.
        let prefix = format!(
            r#"{{"attempt":{},"status":0,"statusName":"ok","header":"{}","elapsedUs":"#,
            i + 1,
            OK_HEADER.replace('"', r#"\""#)
        );
        assert!(line.starts_with(&prefix), "{line}\n{prefix}");
        let value = &run.json()[i];
        assert_eq!(value["header"], OK_HEADER);
        assert!(value["elapsedUs"].is_u64(), "{line}");
        assert_eq!(value.as_object().unwrap().len(), 5, "{line}");
    }
    // The summary is a diagnostic: stderr.
    assert!(run.stderr.contains("3 attempts: ok 3, timeout 0, requestFailed 0, requestCanceled 0, malformedResponse 0, no header 0\n"), "{run:?}");
    run.assert_processes_gone("client: pid=");
}

#[tokio::test]
async fn human_mode_prints_the_header_per_attempt_then_the_summary() {
    let node = compiled_client();
    let run = probe_client(&node.main_js, &["--count", "2"], &["ok", "--quiet"]).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    let lines = run.stdout_lines();
    assert_eq!(lines.len(), 4, "{run:?}");
    for line in &lines[..2] {
        let prefix = format!("x-oai-attestation: {OK_HEADER}  ok  ");
        assert!(line.starts_with(&prefix) && line.ends_with(" ms"), "{line}");
    }
    assert_eq!(
        lines[2],
        "2 attempts: ok 2, timeout 0, requestFailed 0, requestCanceled 0, malformedResponse 0, no header 0"
    );
    assert!(
        lines[3].starts_with("elapsed: p50 ") && lines[3].contains(" ms, p99 "),
        "{}",
        lines[3]
    );
}

/// One client mode and what the probe must make of it.
struct Case {
    mode: &'static [&'static str],
    timeout_ms: &'static str,
    status: u64,
    status_name: &'static str,
    exit_code: i32,
}

#[tokio::test]
async fn each_client_mode_gives_its_status_and_exit_code() {
    let node = compiled_client();
    let cases = [
        Case {
            mode: &["ok"],
            timeout_ms: "100",
            status: 0,
            status_name: "ok",
            exit_code: 0,
        },
        Case {
            mode: &["slow", "5000"],
            timeout_ms: "50",
            status: 1,
            status_name: "timeout",
            exit_code: 1,
        },
        Case {
            mode: &["error"],
            timeout_ms: "100",
            status: 2,
            status_name: "requestFailed",
            exit_code: 1,
        },
        // A long deadline: the status comes from the closed pipe, not the clock.
        Case {
            mode: &["exit"],
            timeout_ms: "30000",
            status: 3,
            status_name: "requestCanceled",
            exit_code: 1,
        },
        Case {
            mode: &["malformed"],
            timeout_ms: "100",
            status: 4,
            status_name: "malformedResponse",
            exit_code: 1,
        },
    ];
    for case in cases {
        let options = ["--json", "--timeout-ms", case.timeout_ms];
        let run = probe_client(&node.main_js, &options, case.mode).await;
        let mode = case.mode;
        assert_eq!(run.code, Some(case.exit_code), "{mode:?}: {run:?}");
        assert_eq!(statuses(&run), [Some(case.status)], "{mode:?}: {run:?}");
        let line = &run.json()[0];
        assert_eq!(line["statusName"], case.status_name, "{mode:?}");
        if case.status != 0 {
            let header = format!(r#"{{"v":1,"s":{}}}"#, case.status);
            assert_eq!(line["header"], header.as_str(), "{mode:?}");
        }
    }
}

#[tokio::test]
async fn a_client_without_the_capability_gets_no_header() {
    let node = compiled_client();
    let run = probe_client(&node.main_js, &["--json"], &["no-opt-in"]).await;
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(
        run.stdout_lines()[0]
            .split(r#","elapsedUs":"#)
            .next()
            .unwrap(),
        r#"{"attempt":1,"status":null,"statusName":null,"header":null"#
    );
    // It was never asked.
    assert!(
        !run.stderr.contains("received attestation/generate"),
        "{run:?}"
    );
    run.assert_processes_gone("client: pid=");

    let run = probe_client(&node.main_js, &[], &["no-opt-in", "--quiet"]).await;
    assert_eq!(run.code, Some(1));
    assert_eq!(
        run.stdout_lines()[0],
        "no header: the client did not set capabilities.requestAttestation"
    );
}

/// Each answer arrives 75 ms after its request, past the 50 ms deadline and
/// so during the next attempt: a late answer must neither resolve the
/// attempt it arrives in nor break anything.
#[tokio::test]
async fn late_answers_to_earlier_attempts_are_dropped() {
    let node = compiled_client();
    let run = probe_client(
        &node.main_js,
        &["--json", "--timeout-ms", "50", "--count", "4"],
        &["slow", "75"],
    )
    .await;
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(statuses(&run), [Some(1); 4], "{run:?}");
}

#[tokio::test]
async fn answers_with_wrong_ids_time_out() {
    let node = compiled_client();
    let run = probe_client(
        &node.main_js,
        &["--json", "--timeout-ms", "50", "--count", "2"],
        &["wrong-id"],
    )
    .await;
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(statuses(&run), [Some(1); 2], "{run:?}");
}

/// Non-JSON lines, a JSON non-object and an answer to an id never sent, before
/// every real answer: each gets an error or is dropped, and the real answers
/// still count.
#[tokio::test]
async fn garbage_lines_do_not_disturb_the_answers() {
    let node = compiled_client();
    let run = probe_client(&node.main_js, &["--json", "--count", "3"], &["garbage"]).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    assert_eq!(statuses(&run), [Some(0); 3], "{run:?}");
    // The server answered the garbage (-32700, -32600) and kept the
    // connection open.
    assert_eq!(
        run.stderr.matches("client: server error -32700").count(),
        3,
        "{run:?}"
    );
    assert_eq!(
        run.stderr.matches("client: server error -32600").count(),
        3,
        "{run:?}"
    );
}

#[tokio::test]
async fn an_oversize_line_cancels_the_attempt_and_ends_the_run() {
    let node = compiled_client();
    let run = probe_client(&node.main_js, &["--json", "--count", "3"], &["oversize"]).await;
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(statuses(&run), [Some(3)], "{run:?}");
    assert!(
        run.stderr.contains(
            "attestwire-probe: the client sent a line longer than the frame limit of 1048576 \
             bytes; attempts 2 to 3 not run\n"
        ),
        "{run:?}"
    );
    assert!(run.stderr.contains(", not run 2\n"), "{run:?}");
}

#[tokio::test]
async fn a_client_exiting_mid_run_cancels_that_attempt_and_ends_the_run() {
    let node = compiled_client();
    let run = probe_client(
        &node.main_js,
        &["--json", "--count", "5", "--timeout-ms", "30000"],
        &["exit-after", "2"],
    )
    .await;
    assert_eq!(run.code, Some(1), "{run:?}");
    assert_eq!(statuses(&run), [Some(0), Some(0), Some(3)], "{run:?}");
    assert!(run.stderr.contains("attempts 4 to 5 not run"), "{run:?}");
}

/// "After the last attempt it closes the client's stdin, waits up to 1 s,
/// then kills it."
#[tokio::test]
async fn a_client_that_outlives_its_stdin_is_killed() {
    let node = compiled_client();
    let run = probe_client(&node.main_js, &["--json"], &["ok", "--linger"]).await;
    assert_eq!(run.code, Some(0), "{run:?}");
    assert!(run.stderr.contains("client: lingering"), "{run:?}");
    assert!(
        run.stderr.contains(
            "attestwire-probe: the client did not exit within 1 s of its stdin closing; killed it"
        ),
        "{run:?}"
    );
    run.assert_processes_gone("client: pid=");
}

/// A launcher (`npm run app`, a shell script) runs the app as a grandchild:
/// stopping the client stops its whole process group.
#[tokio::test]
async fn processes_the_client_started_are_stopped_too() {
    let node = compiled_client();
    let script = format!(
        r#"sleep 600 & echo "background=$!" >&2; exec node '{}' ok --quiet"#,
        node.main_js.display()
    );
    let run = probe(&[
        "--json",
        "--handshake-timeout-ms",
        support::HANDSHAKE_PATIENCE,
        "--",
        "sh",
        "-c",
        &script,
    ])
    .await;
    assert_eq!(run.code, Some(0), "{run:?}");
    run.assert_processes_gone("background=");
}
