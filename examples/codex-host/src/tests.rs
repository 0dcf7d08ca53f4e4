//! The error answers of the contract, over an in-memory pipe. The flows
//! with a real client are in tests/tests/e2e_codex_host.rs.

use attestwire_runtime::{Core, CoreConfig};
use tokio::io::{
    AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines, ReadHalf, WriteHalf,
};
use tokio::task::JoinHandle;

use crate::host::Host;
use crate::stdio::serve;

type ClientEnds = (
    Lines<BufReader<ReadHalf<DuplexStream>>>,
    WriteHalf<DuplexStream>,
    JoinHandle<()>,
);

/// A client's ends of a pipe to a served connection, and the server.
fn start() -> ClientEnds {
    connect(&Host::new(Core::new(CoreConfig::default()), None).unwrap())
}

/// A client's ends of a pipe to a connection of `host`, which other
/// connections may share.
fn connect(host: &Host) -> ClientEnds {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let (read, write) = tokio::io::split(server);
    let host = host.clone();
    let served = tokio::spawn(async move { serve(&host, read, write).await });
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
    let host = Host::new(Core::new(CoreConfig::default()), None).unwrap();
    const FIRST: usize = 0;
    const SECOND: usize = 1;
    let mut first = connect(&host);
    let mut second = connect(&host);
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
    assert_eq!(host.core.connection_count(), 2);
}

#[test]
fn usage() {
    let args = |list: &[&str]| super::parse_args(list.iter().map(|a| (*a).to_owned()));
    let options = |timeout, listen: Option<&str>| super::Options {
        attestation_timeout: timeout,
        listen: listen.map(|a| a.parse().unwrap()),
        upstream: None,
    };
    let default = super::DEFAULT_ATTESTATION_TIMEOUT;
    assert_eq!(args(&[]), Ok(Some(options(default, None))));
    assert_eq!(
        args(&["--attestation-timeout-ms", "30000"]),
        Ok(Some(options(std::time::Duration::from_secs(30), None)))
    );
    assert_eq!(
        args(&["--listen", "ws://127.0.0.1:0"]),
        Ok(Some(options(default, Some("127.0.0.1:0"))))
    );
    assert_eq!(
        args(&["--listen", "ws://[::1]:4500"]),
        Ok(Some(options(default, Some("[::1]:4500"))))
    );
    assert_eq!(args(&["--help"]), Ok(None));
    let upstream = args(&["--upstream", "http://127.0.0.1:9/v1/responses"]);
    assert_eq!(
        upstream.unwrap().unwrap().upstream.as_deref(),
        Some("http://127.0.0.1:9/v1/responses")
    );
    assert!(args(&["--upstream"]).is_err());
    assert!(args(&["--listen"]).is_err());
    assert!(args(&["--listen", "127.0.0.1:4500"]).is_err());
    assert!(args(&["--listen", "wss://127.0.0.1:4500"]).is_err());
    assert!(args(&["--listen", "ws://localhost:4500"]).is_err());
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

/// A WebSocket client of `--listen`: text frames in and out.
struct WsClient(tokio_tungstenite::WebSocketStream<tokio::net::TcpStream>);

impl WsClient {
    async fn connect(address: std::net::SocketAddr) -> Self {
        let stream = tokio::net::TcpStream::connect(address).await.unwrap();
        let url = format!("ws://{address}/");
        let (socket, _) = tokio_tungstenite::client_async(url, stream).await.unwrap();
        Self(socket)
    }

    async fn send(&mut self, message: tokio_tungstenite::tungstenite::Message) {
        use futures_util::SinkExt;
        self.0.send(message).await.unwrap();
    }

    /// Sends `text` in one text frame and returns the next text frame.
    async fn ask(&mut self, text: &str) -> String {
        self.send(tokio_tungstenite::tungstenite::Message::text(text))
            .await;
        self.next().await
    }

    async fn next(&mut self) -> String {
        use futures_util::StreamExt;
        match self.0.next().await {
            Some(Ok(tokio_tungstenite::tungstenite::Message::Text(text))) => text.to_string(),
            other => panic!("not a text frame: {other:?}"),
        }
    }
}

/// Over `--listen`, each text frame is one message and each answer one
/// frame without a newline; a binary frame is dropped; every connection
/// has its own ids from 0, and they share the server's threads.
#[tokio::test]
async fn websocket_clients_get_a_frame_per_message_and_share_threads() {
    let host = Host::new(Core::new(CoreConfig::default()), None).unwrap();
    let listener = crate::ws::bind("127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let address = listener.local_addr().unwrap();
    tokio::spawn(crate::ws::accept(host.clone(), listener));
    let mut first = WsClient::connect(address).await;
    let mut second = WsClient::connect(address).await;
    let initialized = r#"{"jsonrpc":"2.0","id":1,"result":{"protocolVersion":"0.1.0","serverInfo":{"name":"codex-host","version":"0.1.0"}}}"#;
    assert_eq!(first.ask(INITIALIZE).await, initialized);
    second
        .send(tokio_tungstenite::tungstenite::Message::binary(
            INITIALIZE.as_bytes().to_vec(),
        ))
        .await;
    assert_eq!(second.ask(INITIALIZE).await, initialized);
    assert_eq!(
        first
            .ask(r#"{"id":2,"method":"thread/start","params":{"threadId":"t"}}"#)
            .await,
        r#"{"jsonrpc":"2.0","id":2,"result":{"threadId":"t"}}"#
    );
    assert_eq!(
        second
            .ask(r#"{"id":2,"method":"thread/resume","params":{"threadId":"t"}}"#)
            .await,
        r#"{"jsonrpc":"2.0","id":2,"result":{"threadId":"t"}}"#
    );
    let approve = r#"{"jsonrpc":"2.0","id":0,"method":"item/approve","params":{"threadId":"t"}}"#;
    for client in [&mut first, &mut second] {
        let turn = r#"{"id":3,"method":"turn/start","params":{"threadId":"t"}}"#;
        assert_eq!(client.ask(turn).await, approve);
    }
    assert_eq!(host.core.connection_count(), 2);
}
