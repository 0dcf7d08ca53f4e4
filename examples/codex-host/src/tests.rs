//! The error answers of the contract, over an in-memory pipe. The flows
//! with a real client are in tests/tests/e2e_codex_host.rs.

use attestwire_runtime::{Core, CoreConfig};
use tokio::io::{
    AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines, ReadHalf, WriteHalf,
};
use tokio::task::JoinHandle;

use crate::connection::serve;
use crate::threads::Threads;

type ClientEnds = (
    Lines<BufReader<ReadHalf<DuplexStream>>>,
    WriteHalf<DuplexStream>,
    JoinHandle<()>,
);

/// A client's ends of a pipe to a served connection, and the server.
fn start() -> ClientEnds {
    connect(&Core::new(CoreConfig::default()), &Threads::default())
}

/// A client's ends of a pipe to a connection served with `core` and
/// `threads`, which other connections may share.
fn connect(core: &Core, threads: &Threads) -> ClientEnds {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let (read, write) = tokio::io::split(server);
    let (core, threads) = (core.clone(), threads.clone());
    let served = tokio::spawn(async move { serve(&core, &threads, read, write).await });
    let (from_server, to_server) = tokio::io::split(client);
    (BufReader::new(from_server).lines(), to_server, served)
}

/// Writes `line` and returns the next line the server writes.
async fn ask(ends: &mut ClientEnds, line: &str) -> String {
    ends.1
        .write_all(format!("{line}\n").as_bytes())
        .await
        .unwrap();
    ends.0.next_line().await.unwrap().unwrap()
}

/// Serves `input` (lines) to its end and returns every line written.
async fn exchange(input: &str) -> Vec<String> {
    let (mut lines, mut to_server, served) = start();
    to_server.write_all(input.as_bytes()).await.unwrap();
    to_server.shutdown().await.unwrap();
    let mut output = Vec::new();
    while let Some(line) = lines.next_line().await.unwrap() {
        output.push(line);
    }
    served.await.unwrap();
    output
}

#[tokio::test]
async fn each_bad_request_gets_its_error_and_the_connection_stays_open() {
    let cases = [
        (
            r#"{"id":1,"method":"thread/start","params":{"threadId":"t"}}"#,
            r#"{"jsonrpc":"2.0","id":1,"error":{"code":-32002,"message":"not initialized"}}"#,
        ),
        (
            "not json",
            r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error"}}"#,
        ),
        (
            r#"{"jsonrpc":"1.0","id":2,"method":"initialize"}"#,
            r#"{"jsonrpc":"2.0","id":2,"error":{"code":-32600,"message":"jsonrpc must be \"2.0\""}}"#,
        ),
        (
            r#"{"id":3,"method":"initialize","params":{"clientInfo":{"name":"app"}}}"#,
            r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"invalid params: missing field `version`"}}"#,
        ),
        (
            r#"{"id":4,"method":"initialize","params":{"clientInfo":{"name":"app","version":"1"}}}"#,
            r#"{"jsonrpc":"2.0","id":4,"result":{"protocolVersion":"0.1.0","serverInfo":{"name":"codex-host","version":"0.1.0"}}}"#,
        ),
        (
            r#"{"id":5,"method":"initialize","params":{"clientInfo":{"name":"app","version":"1"}}}"#,
            r#"{"jsonrpc":"2.0","id":5,"error":{"code":-32600,"message":"already initialized"}}"#,
        ),
        (
            r#"{"id":"six","method":"thread/fork"}"#,
            r#"{"jsonrpc":"2.0","id":"six","error":{"code":-32601,"message":"unknown method thread/fork"}}"#,
        ),
        (
            r#"{"id":7,"method":"turn/start","params":{"threadId":"never-started"}}"#,
            r#"{"jsonrpc":"2.0","id":7,"error":{"code":-32602,"message":"unknown thread never-started"}}"#,
        ),
    ];
    let input: String = cases.iter().map(|(line, _)| format!("{line}\n")).collect();
    let want: Vec<&str> = cases.iter().map(|(_, answer)| *answer).collect();
    assert_eq!(exchange(&input).await, want);
}

/// The input ends while a turn waits for `item/approve`: the turn is
/// answered at once (not after the 30 s approval timeout) and the server
/// returns.
#[tokio::test]
async fn a_turn_waiting_when_the_input_ends_is_answered_at_once() {
    let (mut lines, mut to_server, served) = start();
    to_server
        .write_all(
            concat!(
                r#"{"id":1,"method":"initialize","params":{"clientInfo":{"name":"app","version":"1"}}}"#,
                "\n",
                r#"{"id":2,"method":"thread/start","params":{"threadId":"t"}}"#,
                "\n",
                r#"{"id":3,"method":"turn/start","params":{"threadId":"t"}}"#,
                "\n",
            )
            .as_bytes(),
        )
        .await
        .unwrap();
    let mut next = async || lines.next_line().await.unwrap();
    next().await.unwrap();
    next().await.unwrap();
    assert_eq!(
        next().await.unwrap(),
        r#"{"jsonrpc":"2.0","id":0,"method":"item/approve","params":{"threadId":"t"}}"#
    );
    to_server.shutdown().await.unwrap();
    assert_eq!(
        next().await.unwrap(),
        r#"{"jsonrpc":"2.0","id":3,"result":{"approval":null,"attestation":null}}"#
    );
    assert_eq!(next().await, None);
    served.await.unwrap();
}

const INITIALIZE: &str =
    r#"{"id":1,"method":"initialize","params":{"clientInfo":{"name":"app","version":"1"}}}"#;

/// `thread/resume` joins a thread another connection started; an unknown
/// thread is -32602, and a turn needs the thread started or resumed on
/// this connection.
#[tokio::test]
async fn a_second_connection_resumes_a_thread_the_first_started() {
    let (core, threads) = (Core::new(CoreConfig::default()), Threads::default());
    const FIRST: usize = 0;
    const SECOND: usize = 1;
    let mut first = connect(&core, &threads);
    let mut second = connect(&core, &threads);
    ask(&mut first, INITIALIZE).await;
    ask(&mut second, INITIALIZE).await;
    let cases = [
        (
            SECOND,
            r#"{"id":2,"method":"thread/resume","params":{"threadId":"t"}}"#,
            r#"{"jsonrpc":"2.0","id":2,"error":{"code":-32602,"message":"unknown thread t"}}"#,
        ),
        (
            FIRST,
            r#"{"id":2,"method":"thread/start","params":{"threadId":"t"}}"#,
            r#"{"jsonrpc":"2.0","id":2,"result":{"threadId":"t"}}"#,
        ),
        (
            SECOND,
            r#"{"id":3,"method":"turn/start","params":{"threadId":"t"}}"#,
            r#"{"jsonrpc":"2.0","id":3,"error":{"code":-32602,"message":"unknown thread t"}}"#,
        ),
        (
            SECOND,
            r#"{"id":4,"method":"thread/resume","params":{}}"#,
            r#"{"jsonrpc":"2.0","id":4,"error":{"code":-32602,"message":"invalid params: missing field `threadId`"}}"#,
        ),
        (
            SECOND,
            r#"{"id":5,"method":"thread/resume","params":{"threadId":"t"}}"#,
            r#"{"jsonrpc":"2.0","id":5,"result":{"threadId":"t"}}"#,
        ),
        // Resumed: the turn runs on this connection, which is asked to approve.
        (
            SECOND,
            r#"{"id":6,"method":"turn/start","params":{"threadId":"t"}}"#,
            r#"{"jsonrpc":"2.0","id":0,"method":"item/approve","params":{"threadId":"t"}}"#,
        ),
    ];
    let mut ends = [first, second];
    for (connection, line, want) in cases {
        assert_eq!(ask(&mut ends[connection], line).await, want, "{line}");
    }
    assert_eq!(core.connection_count(), 2);
}

#[test]
fn usage() {
    let args = |list: &[&str]| super::parse_args(list.iter().map(|a| (*a).to_owned()));
    assert_eq!(args(&[]), Ok(Some(super::DEFAULT_ATTESTATION_TIMEOUT)));
    assert_eq!(
        args(&["--attestation-timeout-ms", "30000"]),
        Ok(Some(std::time::Duration::from_secs(30)))
    );
    assert!(args(&["--attestation-timeout-ms"]).is_err());
    assert!(args(&["--attestation-timeout-ms", "soon"]).is_err());
    assert!(args(&["--verbose"]).is_err());
}

/// The count of `// [attestwire]` lines that both READMEs give is the one
/// their grep gives: `grep -h '\[attestwire\]' src/*.rs | grep -cv '^\s*//'`.
#[test]
fn both_readmes_give_the_count_of_marked_lines() {
    // Spelled in two halves, so that this file holds no marked line itself.
    let mark = concat!("[attest", "wire]");
    let manifest = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut marked = 0;
    for entry in std::fs::read_dir(manifest.join("src")).unwrap() {
        let path = entry.unwrap().path();
        if path.extension().is_some_and(|e| e == "rs") {
            let text = std::fs::read_to_string(&path).unwrap();
            marked += text
                .lines()
                .filter(|l| l.contains(mark) && !l.trim_start().starts_with("//"))
                .count();
        }
    }
    let words = |path: std::path::PathBuf| {
        let text = std::fs::read_to_string(path).unwrap();
        text.split_whitespace().collect::<Vec<_>>().join(" ")
    };
    let own = words(manifest.join("README.md"));
    let root = words(manifest.join("../../README.md"));
    let own_claim = format!("marked `// {mark}` ({marked} lines of Rust,");
    let root_claim = format!("touches us: {marked} lines of Rust");
    assert!(own.contains(&own_claim), "README.md lacks {own_claim:?}");
    assert!(
        root.contains(&root_claim),
        "../../README.md lacks {root_claim:?}"
    );
}
