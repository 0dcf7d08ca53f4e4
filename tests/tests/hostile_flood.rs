//! "A client that floods 100,000 garbage lines is answered or closed without
//! memory growth beyond the frame limit and the bounded write queue, and
//! other connections keep working."
//!
//! Why memory stays bounded: the reader takes one line at a time into a
//! buffer of at most the frame limit (checked through the `__fuzz` hook), and
//! queues each answer (never much larger than its line, see the last test)
//! on the connection's bounded queue (`write_queue` messages), waiting when
//! it is full. So when the flooder reads slowly or
//! not at all, the writer blocks on the pipe, the queue fills, the reader
//! waits, and the server stops taking bytes from the flooder: the backlog
//! stays in the flooder's own pipe. We measure what the server has taken in
//! with a counting reader: it never runs ahead of what the flooder received
//! by more than the read buffer, the queue and what the pipe holds.

mod hostile_support;
mod runtime_support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use attestwire_runtime::__fuzz::{Frame, FrameReader};
use attestwire_runtime::{ServeError, Server, ServerConfig};
use hostile_support::CountingReader;
use runtime_support::*;
use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream};
use tokio::task::JoinHandle;

const LINES: usize = 100_000;
const FRAME_LIMIT: usize = 4096;
/// The server's read buffer (tokio's `BufReader` default): taken in ahead of
/// the line being handled.
const READ_BUFFER: usize = 8 * 1024;
/// What the server answers to each garbage line.
const PARSE_ERROR: &str = r#"{"jsonrpc":"2.0","id":null,"error":{"code":-32700,"message":"parse error: the line is not valid JSON"}}"#;

/// Garbage line `i`, invalid UTF-8 included, all of the same length.
fn garbage(i: usize) -> Vec<u8> {
    let mut line = b"\xFF\xFE{not json #".to_vec();
    line.extend_from_slice(format!("{i:06}").as_bytes());
    line.push(b'\n');
    line
}

fn garbage_len() -> usize {
    garbage(0).len()
}

fn server_with_queue(write_queue: usize) -> Server {
    let mut config = ServerConfig::new(server_info());
    config.frame_limit = FRAME_LIMIT;
    config.write_queue = write_queue;
    Server::new(config)
}

/// A flooder's side of a connection whose server end counts the bytes the
/// server read.
struct Flooder {
    writer: DuplexStream,
    reader: DuplexStream,
    taken_in: Arc<AtomicUsize>,
    serve: JoinHandle<Result<(), ServeError>>,
}

fn connect_flooder(server: &Server, pipe_out: usize) -> Flooder {
    let (writer, server_reader) = tokio::io::duplex(64 * 1024);
    let (server_writer, reader) = tokio::io::duplex(pipe_out);
    let (server_reader, taken_in) = CountingReader::new(server_reader);
    let connection = server.connect(server_reader, server_writer);
    Flooder {
        writer,
        reader,
        taken_in,
        serve: tokio::spawn(connection.serve()),
    }
}

/// A server with an app on `thread-1` that answers every request with
/// `v1.app-ID`, and a flooder.
async fn app_and_flooder(
    write_queue: usize,
    pipe_out: usize,
) -> (Server, JoinHandle<FakeClient>, Flooder) {
    let server = server_with_queue(write_queue);
    let app = connect_client(&server, opted_in(&["thread-1"])).await;
    let (_, app_task) = answer_all(app, |id| format!("v1.app-{id}"));
    let flooder = connect_flooder(&server, pipe_out);
    (server, app_task, flooder)
}

/// The app's connection is asked and its token becomes the header.
async fn assert_app_attests(server: &Server) {
    let header = attest(server, "thread-1").await.unwrap().unwrap();
    assert!(
        header
            .as_bytes()
            .starts_with(br#"{"v":1,"s":0,"t":"v1.app-"#),
        "{header:?}"
    );
}

/// Writes the `LINES` garbage lines; `sent` follows progress.
fn flood(mut writer: DuplexStream, sent: Arc<AtomicUsize>) -> JoinHandle<DuplexStream> {
    tokio::spawn(async move {
        for i in 0..LINES {
            writer.write_all(&garbage(i)).await.unwrap();
            sent.store(i + 1, Ordering::SeqCst);
        }
        writer
    })
}

/// Most bytes the server may have taken in while the flooder has received
/// `received` answers: the lines answered, plus those in flight, each at most
/// one line: the one being handled, its answer waiting for queue space, the
/// queue, the one being written, those in the pipe and in the flooder's own
/// read buffer; plus the server's read buffer.
fn taken_in_bound(
    received: usize,
    write_queue: usize,
    pipe_out: usize,
    client_buffer: usize,
) -> usize {
    let answer = PARSE_ERROR.len() + 1;
    // The last 1: a line split across the server's read buffer.
    let in_flight =
        1 + 1 + write_queue + 1 + pipe_out.div_ceil(answer) + client_buffer.div_ceil(answer) + 1;
    (received + in_flight) * garbage_len() + READ_BUFFER
}

#[test]
fn reader_never_holds_more_than_the_frame_limit_through_100_000_garbage_lines() {
    // Lines of many lengths up to the limit, then one past it.
    let mut stream = Vec::new();
    for i in 0..LINES {
        let len = if i % 1000 == 0 { FRAME_LIMIT } else { i % 97 };
        stream.extend((0..len).map(|j| [0xFF, b'{', b'x', b'"', 0x80][(i + j) % 5]));
        stream.push(b'\n');
    }
    stream.extend(std::iter::repeat_n(b'x', 3 * FRAME_LIMIT));
    let runtime = tokio::runtime::Builder::new_current_thread()
        .build()
        .unwrap();
    runtime.block_on(async {
        let mut reader = FrameReader::new(&stream[..], FRAME_LIMIT);
        let mut lines = 0;
        loop {
            let frame = reader.next_frame().await.unwrap();
            match frame {
                Frame::Line(line) => {
                    assert!(line.len() <= FRAME_LIMIT && !line.contains(&b'\n'));
                    lines += 1;
                }
                Frame::TooLong => break,
                Frame::Eof => panic!("the last line is over the limit"),
            }
            assert!(
                reader.line_capacity() <= FRAME_LIMIT,
                "{}",
                reader.line_capacity()
            );
        }
        assert!(
            reader.line_capacity() <= FRAME_LIMIT,
            "{}",
            reader.line_capacity()
        );
        assert_eq!(lines, LINES);
    });
}

#[tokio::test(start_paused = true)]
async fn flood_of_garbage_lines_is_answered_line_by_line_while_others_attest() {
    const WRITE_QUEUE: usize = 64;
    const PIPE_OUT: usize = 16 * 1024;
    const CLIENT_BUFFER: usize = 8 * 1024;
    let (server, app_task, flooder) = app_and_flooder(WRITE_QUEUE, PIPE_OUT).await;

    let sent = Arc::new(AtomicUsize::new(0));
    let flooding = flood(flooder.writer, Arc::clone(&sent));
    let taken_in = Arc::clone(&flooder.taken_in);
    let receiving = tokio::spawn(async move {
        let mut lines = BufReader::with_capacity(CLIENT_BUFFER, flooder.reader).lines();
        let mut received = 0;
        while received < LINES {
            let line = lines
                .next_line()
                .await
                .unwrap()
                .expect("answered, not closed");
            assert_eq!(line, PARSE_ERROR);
            received += 1;
            let bound = taken_in_bound(received, WRITE_QUEUE, PIPE_OUT, CLIENT_BUFFER);
            let taken = taken_in.load(Ordering::SeqCst);
            assert!(
                taken <= bound,
                "server took in {taken} bytes after {received} answers (bound {bound})"
            );
        }
        lines
    });

    // During the flood: the other connection is asked and answers.
    // Not a sleep: on the paused clock, time only moves once every task is
    // idle, i.e. after the flood. Stop waiting if the receiver failed.
    while sent.load(Ordering::SeqCst) < LINES / 10 && !receiving.is_finished() {
        tokio::task::yield_now().await;
    }
    assert!(!receiving.is_finished(), "{:?}", receiving.await);
    assert_app_attests(&server).await;
    assert!(
        sent.load(Ordering::SeqCst) < LINES,
        "the flood was still running"
    );

    let writer = flooding.await.unwrap();
    let lines = receiving.await.unwrap();
    // After it: every line was answered, the flooder is still connected, and
    // the other connection still works.
    assert_eq!(server.connection_count(), 2);
    assert_app_attests(&server).await;

    drop((writer, lines));
    flooder.serve.await.unwrap().unwrap();
    assert_eq!(server.connection_count(), 1);
    assert_eq!(server.pending_count(), 0);
    app_task.abort();
}

#[tokio::test(start_paused = true)]
async fn flooder_that_never_reads_is_held_back_by_the_bounded_write_queue() {
    const WRITE_QUEUE: usize = 8;
    const PIPE_OUT: usize = 4 * 1024;
    let (server, app_task, flooder) = app_and_flooder(WRITE_QUEUE, PIPE_OUT).await;

    let sent = Arc::new(AtomicUsize::new(0));
    let flooding = flood(flooder.writer, Arc::clone(&sent));
    // Long enough, in paused time, for everything that can move to move.
    tokio::time::sleep(Duration::from_secs(1)).await;

    // The server stopped taking bytes: the flooder is stuck writing, and
    // what the server took in is at most what the queue and pipe hold.
    let taken = flooder.taken_in.load(Ordering::SeqCst);
    let bound = taken_in_bound(0, WRITE_QUEUE, PIPE_OUT, 0);
    assert!(
        taken <= bound,
        "server took in {taken} bytes (bound {bound})"
    );
    assert!(
        taken >= WRITE_QUEUE * garbage_len(),
        "the server did work: {taken}"
    );
    assert!(
        sent.load(Ordering::SeqCst) < LINES / 10,
        "the flooder is held back"
    );
    assert!(!flooding.is_finished());

    // Meanwhile other connections are served.
    assert_app_attests(&server).await;

    // The flooder goes away without reading: the server's write fails and
    // the connection is closed and unregistered.
    flooding.abort();
    drop(flooder.reader);
    assert!(matches!(
        flooder.serve.await.unwrap(),
        Err(ServeError::Io(_))
    ));
    assert_eq!(
        flooder.taken_in.load(Ordering::SeqCst),
        taken,
        "nothing more was read"
    );
    assert_eq!(server.connection_count(), 1);
    assert_eq!(server.pending_count(), 0);
    app_task.abort();
}

#[tokio::test(start_paused = true)]
async fn flood_without_newlines_is_closed_at_the_frame_limit() {
    let server = server_with_queue(64);
    let mut app = connect_client(&server, opted_in(&["thread-1"])).await;
    let flooder = connect_flooder(&server, 64 * 1024);
    let Flooder {
        mut writer,
        reader,
        taken_in,
        serve,
    } = flooder;

    // 100,000 garbage lines with their newlines stripped: one endless line.
    let flooding = tokio::spawn(async move {
        for i in 0..LINES {
            let line = garbage(i);
            if writer.write_all(&line[..line.len() - 1]).await.is_err() {
                return i;
            }
        }
        LINES
    });
    let mut lines = BufReader::new(reader).lines();
    let answer = lines.next_line().await.unwrap().unwrap();
    assert!(answer.contains(r#""code":-32600"#), "{answer}");
    assert_eq!(lines.next_line().await.unwrap(), None, "closed");
    assert!(matches!(
        serve.await.unwrap(),
        Err(ServeError::FrameTooLong { limit: FRAME_LIMIT })
    ));
    let written = flooding.await.unwrap();
    assert!(written < LINES, "the flooder's writes failed once closed");
    let taken = taken_in.load(Ordering::SeqCst);
    assert!(
        taken <= FRAME_LIMIT + READ_BUFFER,
        "server took in {taken} bytes"
    );

    let header = attest(&server, "thread-1");
    let id = app.next_request().await;
    app.respond_token(&id, "v1.unaffected").await;
    assert_eq!(bytes(header.await.unwrap()), Some(s0("v1.unaffected")));
    assert_eq!(server.connection_count(), 1);
    assert_eq!(server.pending_count(), 0);
}

/// The queue bounds messages, not bytes, so what a full queue holds depends
/// on how large one answer can get. An answer echoes the client's id and may
/// quote a bad value; it must never cost much more than the line it answers,
/// so that a full queue holds at most `write_queue` frames.
///
/// Regression: error messages quoted the client's values escaped for Rust's
/// `Debug`, where one byte becomes up to seven (DEL is `\u{7f}`): a 4 KiB
/// line of DEL got a 28 KiB answer, and with the defaults one connection
/// could fill its queue with 64 answers of 7 MiB each. Messages are now cut
/// at 256 bytes.
#[tokio::test(start_paused = true)]
async fn an_answer_costs_at_most_the_line_it_answers_plus_a_constant() {
    /// Room for the envelope and the (bounded) message, escaped.
    const CONSTANT: usize = 1024;
    let server = server_with_queue(64);
    let mut app = connect_raw(&server);
    // Characters that JSON and `Debug` escape differently.
    let del = "\u{7f}".repeat(FRAME_LIMIT - 200);
    let mixed = "\"\\\u{1}\u{85}é\u{7f}".repeat(FRAME_LIMIT / 40);
    let initialize = |capabilities: serde_json::Value| {
        serde_json::json!({
            "id": 1,
            "method": "initialize",
            "params": {
                "clientInfo": { "name": "a", "version": "1" },
                "capabilities": capabilities,
            },
        })
        .to_string()
    };
    let cases = [
        (
            "bad jsonrpc value",
            serde_json::json!({ "jsonrpc": del, "id": 1, "method": "x" }).to_string(),
        ),
        (
            "bad param value",
            initialize(serde_json::json!({ "requestAttestation": del })),
        ),
        (
            "mixed escapes in a bad param value",
            initialize(serde_json::json!({ "requestAttestation": mixed })),
        ),
        (
            "long id and method before initialize",
            serde_json::json!({ "id": mixed, "method": mixed }).to_string(),
        ),
        (
            "handshake",
            initialize(serde_json::json!({ "requestAttestation": true })),
        ),
        (
            "long id and unknown method",
            serde_json::json!({ "id": mixed, "method": mixed }).to_string(),
        ),
    ];
    for (case, line) in cases {
        assert!(line.len() <= FRAME_LIMIT, "{case}: {}", line.len());
        app.send_line(&line).await;
        let answer = app.recv_line().await.unwrap();
        assert!(
            answer.len() <= line.len() + CONSTANT,
            "{case}: a {}-byte line got a {}-byte answer",
            line.len(),
            answer.len()
        );
    }
}
