//! One client connection, whatever carries its messages (a line on stdio,
//! a WebSocket text frame): its methods and its turns. The transports, in
//! `stdio.rs` and `ws.rs`, give it each message they read and write what it
//! queues.
//!
//! The transport, the writer queue, the ids and the pending table are the
//! host's own. attestwire comes in at these points, each line marked
//! `// [attestwire]`: opening the connection in the core with a sink into
//! the writer queue, `initialize` (the capability), `thread/start` and
//! `thread/resume` (subscribe), a response line (the core's answers first),
//! and the header in `turn/start`. Closing is dropping the `CoreConnection`.

use std::collections::HashSet;
use std::time::Duration;

use attestwire_runtime::{AttestationContext, CoreConnection, SinkError}; // [attestwire]
use serde_json::{Value, json};
use tokio::sync::mpsc;

use crate::host::Host;
use crate::requests::ServerRequests;
use crate::wire::{
    self, ErrorObject, INVALID_PARAMS, INVALID_REQUEST, Incoming, InitializeParams,
    METHOD_NOT_FOUND, NOT_INITIALIZED, Outgoing, RequestId, ThreadParams,
};

/// How long `turn/start` waits for the client's answer to `item/approve`.
const APPROVAL_TIMEOUT: Duration = Duration::from_secs(30);

/// Room in each connection's writer queue. When it is full the host's own
/// sends wait for room; the core's are refused at once (its request ends
/// with status 3), because the core never waits for its host.
pub(crate) const QUEUE_CAPACITY: usize = 128;

/// What the reader and its `turn/start` tasks share.
#[derive(Clone)]
struct Shared {
    outgoing: mpsc::Sender<Outgoing>,
    requests: ServerRequests,
    /// The core, every thread started, the upstream: the server's own.
    host: Host,
}

/// What only the reader touches.
pub(crate) struct Connection {
    shared: Shared,
    /// The connection in the core; dropping it closes it there.
    attestwire: CoreConnection, // [attestwire]
    initialized: bool,
    /// The threads this connection started or resumed: the ones it may
    /// start turns on.
    threads: HashSet<String>,
}

impl Connection {
    /// Opens a connection whose messages go into `outgoing`, the queue its
    /// transport's writer task drains.
    pub(crate) fn open(host: &Host, outgoing: mpsc::Sender<Outgoing>) -> Self {
        // The core's requests go into the same queue as the host's messages,
        // wrapped in the host's own type. A full queue refuses at once.
        let sink = outgoing.clone();
        let to_queue = move |m| sink.try_send(Outgoing::Core(m)).map_err(SinkError::from); // [attestwire]
        let attestwire = host.core.open(to_queue); // [attestwire]
        Self {
            shared: Shared {
                outgoing,
                requests: ServerRequests::default(),
                host: host.clone(),
            },
            attestwire, // [attestwire]
            initialized: false,
            threads: HashSet::new(),
        }
    }

    /// The input ended: whatever waits for the client ends now, so the
    /// `turn/start` tasks answer at once and the writer can finish once
    /// they have (it ends when the last sender is gone).
    pub(crate) fn close(self) {
        self.shared.requests.close();
        // Dropping the `CoreConnection` closes it in the core: a pending
        // attestation request ends now with status 3.
        drop(self);
    }

    /// Handles one message: a line, or a WebSocket text frame.
    pub(crate) async fn on_message(&mut self, message: &[u8]) {
        let line = message;
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
        self.shared.host.threads.start(&thread_id);
        self.threads.insert(thread_id.clone());
        Ok(json!({ "threadId": thread_id }))
    }

    /// Joins a thread another connection (or this one) started: the core
    /// may now ask this connection for the thread's attestations too.
    fn thread_resume(&mut self, params: Option<Value>) -> Result<Value, ErrorObject> {
        let ThreadParams { thread_id } = wire::params(params)?;
        if !self.shared.host.threads.exists(&thread_id) {
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

/// A turn: ask the client to approve, then call the upstream with the
/// thread's attestation header (with `--upstream`), or only get the header
/// the call would carry.
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
    let host = &shared.host;
    // The header goes on inside the upstream call, hop by hop: the host
    // never holds it.
    if let Some(upstream) = &host.upstream {
        let upstream = upstream.call(&thread_id).await;
        return json!({ "approval": approval, "upstream": upstream });
    }
    // Without `--upstream`, the header the call would carry.
    let context = AttestationContext::new(thread_id); // [attestwire]
    let header = host.core.attestation_envelope(&context).await.ok(); // [attestwire]
    let attestation = header.map(|header| header.to_header_value()); // [attestwire]
    json!({ "approval": approval, "attestation": attestation })
}
