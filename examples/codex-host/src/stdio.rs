//! The stdio transport: one JSON-RPC message per line, one client.

use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::connection::{Connection, QUEUE_CAPACITY};
use crate::host::Host;
use crate::wire::Outgoing;

/// Serves one client reading `input` and writing `output` until `input`
/// ends; returns once every answer has been written.
pub(crate) async fn serve(
    host: &Host,
    input: impl AsyncRead + Unpin,
    output: impl AsyncWrite + Unpin + Send + 'static,
) {
    let (outgoing, queue) = mpsc::channel(QUEUE_CAPACITY);
    let writer = tokio::spawn(write_lines(queue, output));
    let mut connection = Connection::open(host, outgoing);
    read_lines(&mut connection, input).await;
    connection.close();
    // The writer ends once the last sender (held by the tasks) is gone.
    if writer.await.is_err() {
        eprintln!("codex-host: the writer task panicked");
    }
}

async fn read_lines(connection: &mut Connection, input: impl AsyncRead + Unpin) {
    let mut input = BufReader::new(input);
    let mut line = Vec::new();
    loop {
        line.clear();
        match input.read_until(b'\n', &mut line).await {
            Ok(0) => return,
            Ok(_) => {}
            Err(error) => {
                eprintln!("codex-host: reading stdin failed: {error}");
                return;
            }
        }
        let text = line.trim_ascii();
        if !text.is_empty() {
            connection.on_message(text).await;
        }
    }
}

/// Writes each queued message as one line until every sender is gone.
async fn write_lines(mut queue: mpsc::Receiver<Outgoing>, mut output: impl AsyncWrite + Unpin) {
    while let Some(message) = queue.recv().await {
        let line = match message.into_line() {
            Ok(line) => line,
            Err(error) => {
                eprintln!("codex-host: cannot encode a message: {error}");
                continue;
            }
        };
        let mut written = output.write_all(line.as_bytes()).await;
        // One flush per burst, not per message.
        if written.is_ok() && queue.is_empty() {
            written = output.flush().await;
        }
        if let Err(error) = written {
            // Closing the queue makes the core's sends fail (status 3) and
            // the host's return at once.
            eprintln!("codex-host: writing stdout failed: {error}");
            return;
        }
    }
    let _ = output.flush().await;
}
