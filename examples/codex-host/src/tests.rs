//! The error answers of the contract, over an in-memory pipe. The flows
//! with a real client are in tests/tests/e2e_codex_host.rs.

use attestwire_runtime::{Core, CoreConfig};
use tokio::io::{
    AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, Lines, ReadHalf, WriteHalf,
};
use tokio::task::JoinHandle;

use crate::connection::serve;

/// A client's ends of a pipe to a served connection, and the server.
fn start() -> (
    Lines<BufReader<ReadHalf<DuplexStream>>>,
    WriteHalf<DuplexStream>,
    JoinHandle<()>,
) {
    let (client, server) = tokio::io::duplex(64 * 1024);
    let (read, write) = tokio::io::split(server);
    let core = Core::new(CoreConfig::default());
    let served = tokio::spawn(async move { serve(&core, read, write).await });
    let (from_server, to_server) = tokio::io::split(client);
    (BufReader::new(from_server).lines(), to_server, served)
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
