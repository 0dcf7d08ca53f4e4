//! One client connection: the reader loop, the methods, the writer task.
//!
//! The transport, the writer queue, the ids and the pending table are the
//! host's own. attestwire comes in at these points, each line marked
//! `// [attestwire]`: opening the connection in the core with a sink into
//! the writer queue, `initialize` (the capability), `thread/start`
//! (subscribe), a response line (the core's answers first), and the header
//! in `turn/start`. Closing is dropping the `CoreConnection`.

use std::collections::HashSet;
use std::time::Duration;

use attestwire_runtime::{AttestationContext, Core, CoreConnection, SinkError}; // [attestwire]
use serde_json::{Value, json};
use tokio::io::{AsyncBufReadExt, AsyncRead, AsyncWrite, AsyncWriteExt, BufReader};
use tokio::sync::mpsc;

use crate::requests::ServerRequests;
use crate::threads::Threads;
use crate::wire::{
    self, ErrorObject, INVALID_PARAMS, INVALID_REQUEST, Incoming, InitializeParams,
    METHOD_NOT_FOUND, NOT_INITIALIZED, Outgoing, RequestId, ThreadParams,
};

/// How long `turn/start` waits for the client's answer to `item/approve`.
const APPROVAL_TIMEOUT: Duration = Duration::from_secs(30);

/// Room in the writer queue. When it is full the host's own sends wait for
/// room; the core's are refused at once (its request ends with status 3),
/// because the core never waits for its host.
const QUEUE_CAPACITY: usize = 128;

/// What the reader and its `turn/start` tasks share.
#[derive(Clone)]
struct Shared {
    outgoing: mpsc::Sender<Outgoing>,
    requests: ServerRequests,
    core: Core, // [attestwire]
    /// Every thread started on the server, by any connection.
    started: Threads,
}

/// What only the reader touches.
struct Reader {
    shared: Shared,
    /// The connection in the core; dropping it closes it there.
    attestwire: CoreConnection, // [attestwire]
    initialized: bool,
    /// The threads this connection started or resumed: the ones it may
    /// start turns on.
    threads: HashSet<String>,
}

/// Serves one client reading `input` and writing `output` until `input`
/// ends; returns once every answer has been written.
pub(crate) async fn serve(
    core: &Core, // [attestwire]
    started: &Threads,
    input: impl AsyncRead + Unpin,
    output: impl AsyncWrite + Unpin + Send + 'static,
) {
    let (outgoing, queue) = mpsc::channel(QUEUE_CAPACITY);
    let writer = tokio::spawn(write_lines(queue, output));
    // The core's requests go into the same queue as the host's messages,
    // wrapped in the host's own type. A full queue refuses at once.
    let sink = outgoing.clone();
    let to_queue = move |m| sink.try_send(Outgoing::Core(m)).map_err(SinkError::from); // [attestwire]
    let attestwire = core.open(to_queue); // [attestwire]
    let mut reader = Reader {
        shared: Shared {
            outgoing,
            requests: ServerRequests::default(),
            core: core.clone(), // [attestwire]
            started: started.clone(),
        },
        attestwire, // [attestwire]
        initialized: false,
        threads: HashSet::new(),
    };
    read_lines(&mut reader, input).await;

    // The input ended: whatever waits for the client ends now, so the
    // `turn/start` tasks answer at once and the writer can finish.
    reader.shared.requests.close();
    // Dropping the `CoreConnection` closes it in the core: a pending
    // attestation request ends now with status 3.
    drop(reader);
    // The writer ends once the last sender (held by the tasks) is gone.
    if writer.await.is_err() {
        eprintln!("codex-host: the writer task panicked");
    }
}

async fn read_lines(reader: &mut Reader, input: impl AsyncRead + Unpin) {
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
            reader.on_line(text).await;
        }
    }
}

impl Reader {
    async fn on_line(&mut self, line: &[u8]) {
        let reply = match wire::parse(line) {
            Err(error) => Some(error),
            // `initialized` and any other notification: nothing to do.
            Ok(Incoming::Notification) => None,
            Ok(Incoming::Response { id, answer }) => {
                // The core's answers first; it says at once if it was one.
                let ours = self.attestwire.handle_message(line); // [attestwire]
                if !ours {
                    match id {
                        Some(id) if self.shared.requests.resolve(id, answer) => {}
                        _ => eprintln!("codex-host: dropped an answer to no pending request"),
                    }
                }
                None
            }
            Ok(Incoming::Request { id, method, params }) => self.on_request(id, &method, params),
        };
        if let Some(reply) = reply {
            // Fails only when the writer is gone; the input decides when we stop.
            let _ = self.shared.outgoing.send(reply).await;
        }
    }

    /// The answer to a request, or `None` when a task answers it later.
    fn on_request(
        &mut self,
        id: RequestId,
        method: &str,
        params: Option<Value>,
    ) -> Option<Outgoing> {
        let result = match (method, self.initialized) {
            ("initialize", false) => self.initialize(params),
            ("initialize", true) => Err(ErrorObject::new(INVALID_REQUEST, "already initialized")),
            (_, false) => Err(ErrorObject::new(NOT_INITIALIZED, "not initialized")),
            ("thread/start", true) => self.thread_start(params),
            ("thread/resume", true) => self.thread_resume(params),
            ("turn/start", true) => match self.turn_start(id.clone(), params) {
                Ok(()) => return None,
                Err(error) => Err(error),
            },
            (_, true) => Err(ErrorObject::new(
                METHOD_NOT_FOUND,
                format!("unknown method {method}"),
            )),
        };
        Some(match result {
            Ok(result) => Outgoing::Response { id, result },
            Err(error) => Outgoing::Error {
                id: Some(id),
                error,
            },
        })
    }

    fn initialize(&mut self, params: Option<Value>) -> Result<Value, ErrorObject> {
        let InitializeParams {
            client_info,
            capabilities,
        } = wire::params(params)?;
        eprintln!(
            "codex-host: initialize from {} {} (experimentalApi: {})",
            client_info.name, client_info.version, capabilities.experimental_api
        );
        // Before the answer, so that a request right after it may ask the app.
        self.attestwire.initialized(&capabilities.attestation); // [attestwire]
        self.initialized = true;
        Ok(json!({
            "serverInfo": { "name": "codex-host", "version": env!("CARGO_PKG_VERSION") },
            "protocolVersion": attestwire_protocol::PROTOCOL_VERSION, // [attestwire]
        }))
    }

    fn thread_start(&mut self, params: Option<Value>) -> Result<Value, ErrorObject> {
        let ThreadParams { thread_id } = wire::params(params)?;
        // This connection now works on the thread: the core may ask it for
        // the thread's attestations.
        self.attestwire.subscribe(&thread_id); // [attestwire]
        self.shared.started.start(&thread_id);
        self.threads.insert(thread_id.clone());
        Ok(json!({ "threadId": thread_id }))
    }

    /// Joins a thread another connection (or this one) started: the core
    /// may now ask this connection for the thread's attestations too.
    fn thread_resume(&mut self, params: Option<Value>) -> Result<Value, ErrorObject> {
        let ThreadParams { thread_id } = wire::params(params)?;
        if !self.shared.started.exists(&thread_id) {
            let message = format!("unknown thread {thread_id}");
            return Err(ErrorObject::new(INVALID_PARAMS, message));
        }
        self.attestwire.subscribe(&thread_id); // [attestwire]
        self.threads.insert(thread_id.clone());
        Ok(json!({ "threadId": thread_id }))
    }

    /// Runs the turn in a task, so that the reader keeps reading: the
    /// answers the turn waits for arrive through it.
    fn turn_start(&mut self, id: RequestId, params: Option<Value>) -> Result<(), ErrorObject> {
        let ThreadParams { thread_id } = wire::params(params)?;
        if !self.threads.contains(&thread_id) {
            let message = format!("unknown thread {thread_id}");
            return Err(ErrorObject::new(INVALID_PARAMS, message));
        }
        let shared = self.shared.clone();
        // Unbounded, as in Codex; a server under load would bound the turns
        // in flight per connection.
        tokio::spawn(async move {
            let result = run_turn(&shared, thread_id).await;
            let _ = shared
                .outgoing
                .send(Outgoing::Response { id, result })
                .await;
        });
        Ok(())
    }
}

/// A turn: ask the client to approve, then get the attestation header the
/// turn's upstream request would carry.
async fn run_turn(shared: &Shared, thread_id: String) -> Value {
    let params = json!({ "threadId": thread_id });
    let approval = match shared
        .requests
        .send(&shared.outgoing, "item/approve", params, APPROVAL_TIMEOUT)
        .await
    {
        Ok(result) => result,
        Err(failed) => {
            eprintln!("codex-host: item/approve {failed}");
            Value::Null
        }
    };
    // A real host inserts it into its upstream request:
    // `request.headers_mut().insert(attestwire_protocol::HEADER_NAME, value)`.
    let context = AttestationContext::new(thread_id); // [attestwire]
    let header = shared.core.attestation_envelope(&context).await.ok(); // [attestwire]
    let attestation = header.map(|header| header.to_header_value()); // [attestwire]
    json!({ "approval": approval, "attestation": attestation })
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
