//! "A server that keeps its own transport gets the same header from the
//! core": the built `codex-host` example (its own JSONL loop, writer queue,
//! integer ids and pending table) against a Codex-shaped desktop app written
//! in TypeScript on `@attestwire/client` (tests/ts/codex-client/), each a real process, the app's
//! stdout piped to the host's stdin and back. The test copies the bytes
//! both ways and records every line, so it also sees what the host writes
//! after the app is gone.

mod e2e_support;

use std::process::Stdio;
use std::time::{Duration, Instant};

use attestwire_tests::bins::codex_host;
use attestwire_tests::node::{CompiledClient, compiled_codex_client};
use e2e_support::{PATIENCE, S1, S2, S3, S4, TOKEN, s0};
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;

/// The host's default attestation deadline.
const DEADLINE_MS: u64 = 100;

/// Where a recorded line came from.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    /// The app's stdout, copied to the host's stdin.
    App,
    /// The host's stdout, copied to the app's stdin.
    Host,
    /// The app's stderr (`client: …`).
    AppLog,
    /// The host's stderr (`codex-host: …`).
    HostLog,
}

/// One line and when the test received it.
#[derive(Debug, Clone)]
struct Line {
    at: Instant,
    source: Source,
    text: String,
}

/// Everything both processes wrote, in the order the test received it.
#[derive(Debug, Default)]
struct Transcript(Vec<Line>);

impl Transcript {
    fn texts(&self, source: Source) -> impl Iterator<Item = &str> {
        self.0
            .iter()
            .filter(move |line| line.source == source)
            .map(|line| line.text.as_str())
    }

    /// The ids of the `method` requests the app received: those the host
    /// wrote, which the test copied to the app line by line. (Read from the
    /// wire, not the app's log: `@attestwire/client` gives the app's token
    /// provider no request id to log.)
    fn received(&self, method: &str) -> Vec<Value> {
        self.texts(Source::Host)
            .map(json_line)
            .filter(|message| message["method"] == method)
            .map(|message| message["id"].clone())
            .collect()
    }

    /// The turn results the app logged.
    fn app_turns(&self) -> Vec<Value> {
        self.texts(Source::AppLog)
            .filter_map(|line| line.strip_prefix("client: turn "))
            .map(|turn| serde_json::from_str(turn).unwrap())
            .collect()
    }
}

impl std::fmt::Display for Transcript {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        for line in &self.0 {
            writeln!(f, "{:?}: {}", line.source, line.text)?;
        }
        Ok(())
    }
}

/// How a session ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum End {
    /// The test closes the host's stdin, as an app closing its end does.
    CloseHostStdin,
    /// The app has exited by itself; the host must see the end of its
    /// stdin without the test's help.
    AppExited,
}

/// `codex-host` and the app, connected through the test.
struct Session {
    host: Child,
    app: Child,
    /// App stdout → host stdin. Stopping it closes the host's stdin.
    to_host: JoinHandle<()>,
    /// Host stdout → app stdin; ends when the host's stdout does.
    to_app: JoinHandle<()>,
    lines: mpsc::UnboundedReceiver<Line>,
    transcript: Transcript,
    // Last: released only after the app is gone.
    _node: CompiledClient,
}

impl Session {
    /// Starts `codex-host --attestation-timeout-ms deadline_ms` and the app
    /// with `args` (its mode first), connected to each other.
    async fn start(args: &[&str], deadline_ms: u64) -> Self {
        let node = compiled_codex_client();
        let mut host = Command::new(codex_host())
            .args(["--attestation-timeout-ms", &deadline_ms.to_string()])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("cannot run codex-host");
        let mut app = Command::new("node")
            .arg(&node.main_js)
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run node {}: {e}", node.main_js.display()));
        let (tx, lines) = mpsc::unbounded_channel();
        let to_host = copy_lines(
            app.stdout.take().unwrap(),
            host.stdin.take().unwrap(),
            Source::App,
            tx.clone(),
        );
        let to_app = copy_lines(
            host.stdout.take().unwrap(),
            app.stdin.take().unwrap(),
            Source::Host,
            tx.clone(),
        );
        record_lines(app.stderr.take().unwrap(), Source::AppLog, tx.clone());
        record_lines(host.stderr.take().unwrap(), Source::HostLog, tx);
        Self {
            host,
            app,
            to_host,
            to_app,
            lines,
            transcript: Transcript::default(),
            _node: node,
        }
    }

    /// Waits for the next line for which `pick` returns something.
    async fn next<T>(&mut self, what: &str, mut pick: impl FnMut(&Line) -> Option<T>) -> T {
        let found = tokio::time::timeout(PATIENCE, async {
            while let Some(line) = self.lines.recv().await {
                let picked = pick(&line);
                self.transcript.0.push(line);
                if picked.is_some() {
                    return picked;
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(found)) => found,
            _ => panic!("never saw {what}; so far:\n{}", self.transcript),
        }
    }

    /// Waits for the host's next `turn/start` result, and returns it with
    /// how long after the app's `turn/start` request it came.
    async fn turn(&mut self) -> (Value, Duration) {
        let asked = self
            .next("the app's turn/start", |line| {
                let message = (line.source == Source::App).then(|| json_line(&line.text))?;
                (message["method"] == "turn/start").then_some(line.at)
            })
            .await;
        self.next("the host's turn/start result", |line| {
            let message = (line.source == Source::Host).then(|| json_line(&line.text))?;
            let result = message
                .get("result")
                .filter(|r| r.get("attestation").is_some())?;
            Some((result.clone(), line.at - asked))
        })
        .await
    }

    /// Ends the session as `end` says, waits for both processes to exit
    /// and asserts that both exited 0; returns everything they wrote.
    async fn finish(mut self, end: End) -> Transcript {
        if end == End::CloseHostStdin {
            self.to_host.abort();
        }
        let exited = tokio::time::timeout(PATIENCE, async {
            // The app's stdout ended or the copy was stopped: the host's
            // stdin is closed.
            let _ = (&mut self.to_host).await;
            let host = self.host.wait().await.unwrap();
            // The host's stdout ended: the copy closes the app's stdin.
            let _ = (&mut self.to_app).await;
            let app = self.app.wait().await.unwrap();
            (host, app)
        })
        .await;
        let Ok((host, app)) = exited else {
            while let Ok(line) = self.lines.try_recv() {
                self.transcript.0.push(line);
            }
            panic!(
                "the processes did not exit after their stdin closed:\n{}",
                self.transcript
            );
        };
        // Both gone: their stderr ends too, and with it the recording.
        while let Some(line) = self.lines.recv().await {
            self.transcript.0.push(line);
        }
        let transcript = std::mem::take(&mut self.transcript);
        assert_eq!(host.code(), Some(0), "codex-host {host}:\n{transcript}");
        assert!(app.success(), "the app {app}:\n{transcript}");
        transcript
    }
}

/// Copies `from` to `to` line by line, recording each line, until `from`
/// ends; then drops `to`, which closes it. A failed write (the reader is
/// gone) stops the writing, not the recording.
fn copy_lines(
    from: impl AsyncRead + Unpin + Send + 'static,
    to: impl AsyncWrite + Unpin + Send + 'static,
    source: Source,
    lines: mpsc::UnboundedSender<Line>,
) -> JoinHandle<()> {
    tokio::spawn(async move {
        let mut to = Some(to);
        let mut from = BufReader::new(from).lines();
        while let Ok(Some(text)) = from.next_line().await {
            // Recorded before it is passed on, so that an answer to it is
            // always recorded after it.
            let bytes = format!("{text}\n");
            let _ = lines.send(Line {
                at: Instant::now(),
                source,
                text,
            });
            if let Some(writer) = &mut to
                && writer.write_all(bytes.as_bytes()).await.is_err()
            {
                to = None;
            }
        }
    })
}

/// Records each line of `from` (a stderr) until it ends.
fn record_lines(
    from: impl AsyncRead + Unpin + Send + 'static,
    source: Source,
    lines: mpsc::UnboundedSender<Line>,
) {
    tokio::spawn(async move {
        let mut from = BufReader::new(from).lines();
        while let Ok(Some(text)) = from.next_line().await {
            let at = Instant::now();
            let _ = lines.send(Line { at, source, text });
        }
    });
}

fn json_line(text: &str) -> Value {
    serde_json::from_str(text).unwrap_or(Value::Null)
}

fn approved() -> Value {
    json!({ "decision": "approved" })
}

/// One session of `turns` turns (`--turns`, 1 unless given in `args`):
/// the host's turn results, and the transcript after a normal end.
async fn run_turns(args: &[&str], deadline_ms: u64, turns: usize) -> (Vec<Value>, Transcript) {
    let mut session = Session::start(args, deadline_ms).await;
    let mut results = Vec::new();
    for _ in 0..turns {
        results.push(session.turn().await.0);
    }
    let transcript = session.finish(End::CloseHostStdin).await;
    assert_eq!(transcript.app_turns(), results, "{transcript}");
    (results, transcript)
}

/// The host's `item/approve` ids count from 0 on its own counter; the
/// core's `attestation/generate` ids are its own strings, so they never
/// clash.
fn assert_ids(transcript: &Transcript, turns: usize) {
    let approve: Vec<Value> = (0..turns).map(|n| json!(n)).collect();
    assert_eq!(transcript.received("item/approve"), approve, "{transcript}");
    let generate = transcript.received("attestation/generate");
    assert_eq!(generate.len(), turns, "{transcript}");
    for id in &generate {
        let id = id.as_str().unwrap_or_default();
        assert!(id.starts_with("attestwire:"), "{id:?}\n{transcript}");
    }
}

#[tokio::test]
async fn ok_turns_carry_the_approval_and_status_0_with_the_token() {
    let (results, transcript) = run_turns(&["ok", "--turns", "3"], DEADLINE_MS, 3).await;
    let want = json!({ "approval": approved(), "attestation": s0(TOKEN) });
    assert_eq!(results, [want.clone(), want.clone(), want], "{transcript}");
    assert_ids(&transcript, 3);
}

#[tokio::test]
async fn approval_error_gives_a_null_approval_and_still_the_header() {
    let (results, transcript) = run_turns(&["approval-error"], DEADLINE_MS, 1).await;
    assert_eq!(
        results,
        [json!({ "approval": null, "attestation": s0(TOKEN) })]
    );
    assert_ids(&transcript, 1);
}

/// The app answers after 30 s; the host's deadline is 100 ms. Under 10 s
/// proves the turn did not wait for the app.
#[tokio::test]
async fn slow_app_beyond_the_deadline_gives_status_1() {
    let mut session = Session::start(&["slow", "30000"], DEADLINE_MS).await;
    let (result, took) = session.turn().await;
    assert_eq!(result, json!({ "approval": approved(), "attestation": S1 }));
    assert!(
        took < Duration::from_secs(10),
        "waited for the app: {took:?}"
    );
    let transcript = session.finish(End::CloseHostStdin).await;
    assert_ids(&transcript, 1);
}

#[tokio::test]
async fn error_answer_gives_status_2() {
    let (results, transcript) = run_turns(&["error"], DEADLINE_MS, 1).await;
    assert_eq!(
        results,
        [json!({ "approval": approved(), "attestation": S2 })]
    );
    assert_ids(&transcript, 1);
}

/// The app exits when asked; the host's deadline is 30 s. The host sees
/// the end of its stdin, closes the connection in the core, answers the
/// turn with status 3 at once (under 10 s) and exits 0 by itself.
#[tokio::test]
async fn app_exiting_when_asked_gives_status_3_and_the_host_exits_0() {
    let mut session = Session::start(&["exit"], 30_000).await;
    let (result, took) = session.turn().await;
    assert_eq!(result, json!({ "approval": approved(), "attestation": S3 }));
    assert!(
        took < Duration::from_secs(10),
        "waited for the deadline: {took:?}"
    );
    let transcript = session.finish(End::AppExited).await;
    assert!(
        transcript
            .texts(Source::AppLog)
            .any(|line| line == "client: exiting as asked"),
        "{transcript}"
    );
    assert_ids(&transcript, 1);
}

#[tokio::test]
async fn result_without_token_gives_status_4() {
    let (results, transcript) = run_turns(&["malformed"], DEADLINE_MS, 1).await;
    assert_eq!(
        results,
        [json!({ "approval": approved(), "attestation": S4 })]
    );
    assert_ids(&transcript, 1);
}

#[tokio::test]
async fn app_without_the_capability_gets_no_header_and_is_not_asked() {
    let (results, transcript) = run_turns(&["no-opt-in"], DEADLINE_MS, 1).await;
    assert_eq!(
        results,
        [json!({ "approval": approved(), "attestation": null })]
    );
    assert_eq!(transcript.received("item/approve"), [json!(0)]);
    assert!(
        transcript.received("attestation/generate").is_empty(),
        "{transcript}"
    );
}
