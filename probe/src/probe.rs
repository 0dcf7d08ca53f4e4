//! One run: start the client, wait for its handshake, run the attempts one
//! after another, stop the client, report.

use std::io::{self, Write};
use std::time::Instant;

use attestwire_protocol::{AttestationHeader, AttestationStatus, ServerInfo};
use attestwire_runtime::{
    AttestationContext, AttestationProvider, ServeError, Server, ServerConfig,
};
use tokio::task::{JoinError, JoinHandle};

use crate::args::Options;
use crate::child::{Client, Ended};
use crate::report::{self, Attempt};
use crate::signals::Signals;
use crate::tap::HandshakeTap;

/// Every attempt gave status 0.
pub(crate) const EXIT_OK: u8 = 0;
/// An attempt gave another status or no header, or attempts did not run.
pub(crate) const EXIT_NOT_OK: u8 = 1;
/// Usage error, the command cannot be started, or no handshake.
pub(crate) const EXIT_SETUP: u8 = 2;

/// The thread the client is subscribed to and every attempt is made for.
const THREAD: &str = "attestwire-probe";

/// A diagnostic on stderr.
pub(crate) fn note(message: impl std::fmt::Display) {
    // Not `eprintln!`, which panics when stderr is closed: a diagnostic
    // nobody can read is no reason to leave the client running.
    let _ = writeln!(io::stderr().lock(), "attestwire-probe: {message}");
}

/// Why there was no handshake.
enum NoHandshake {
    /// SIGINT or SIGTERM (the signal number).
    Interrupted(i32),
    /// The connection ended first.
    Closed,
    /// `--handshake-timeout-ms` passed.
    TimedOut,
}

/// Why the attempts stopped.
enum Finish {
    /// Every attempt ran.
    Done,
    /// The connection closed; the remaining attempts did not run.
    Closed,
    /// SIGINT or SIGTERM (the signal number).
    Interrupted(i32),
    /// Writing a result to stdout failed: nobody is reading.
    Output(io::Error),
}

pub(crate) async fn run(options: Options) -> u8 {
    // Before the spawn: a signal from then on must find the handler, not
    // kill the probe and leave the client running.
    let mut signals = Signals::new();
    let (mut client, stdin, stdout) = match Client::spawn(&options.program, &options.args) {
        Ok(started) => started,
        Err(error) => {
            note(format_args!(
                "cannot start {:?}: {error}",
                options.program.to_string_lossy()
            ));
            return EXIT_SETUP;
        }
    };
    let mut config = ServerConfig::new(ServerInfo {
        name: "attestwire-probe".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    });
    config.attestation_deadline = options.timeout;
    let server = Server::new(config);
    let (stdin, mut initialized) = HandshakeTap::new(stdin);
    let connection = server.connect(stdout, stdin);
    let id = connection.id();
    let mut serve = Serve {
        task: tokio::spawn(connection.serve()),
        ended: None,
    };

    let handshake = tokio::select! {
        biased;
        signal = signals.recv() => Err(NoHandshake::Interrupted(signal)),
        // An error here means the tap is gone with the connection: the
        // `ended` branch reports that.
        Ok(()) = &mut initialized => Ok(()),
        () = serve.ended() => Err(NoHandshake::Closed),
        () = tokio::time::sleep(options.handshake_timeout) => Err(NoHandshake::TimedOut),
    };
    if let Err(failure) = handshake {
        let ended = serve.close().await;
        let exit = client.stop().await;
        return match failure {
            NoHandshake::Interrupted(signal) => interrupted(signal),
            NoHandshake::Closed => {
                let why = ended.as_ref().map_or_else(String::new, describe);
                note(format_args!(
                    "the handshake did not complete: {why}{}",
                    exit_note(&exit)
                ));
                EXIT_SETUP
            }
            NoHandshake::TimedOut => {
                note(format_args!(
                    "the handshake did not complete within {} ms: the client must send \
                     `initialize` on its stdout first{}",
                    options.handshake_timeout.as_millis(),
                    exit_note(&exit)
                ));
                EXIT_SETUP
            }
        };
    }

    server.subscribe(id, THREAD);
    let (attempts, finish) = attempts(&server, &options, &mut signals).await;
    let ended = serve.close().await;
    // Reaped here if it is gone already, for the message below.
    let early_status = client.try_status();
    let exit = client.stop().await;

    let closed = matches!(finish, Finish::Closed);
    if ended.is_some() || closed {
        // `None` when the connection was still flushing to a client that
        // had stopped reading: closed all the same.
        let mut message = ended
            .as_ref()
            .map_or_else(|| "the client closed the connection".to_owned(), describe);
        if let Some(status) = early_status {
            message.push_str(&format!(" (client {status})"));
        }
        if closed {
            let first = attempts.len() + 1;
            let last = options.count as usize;
            if first == last {
                message.push_str(&format!("; attempt {last} not run"));
            } else {
                message.push_str(&format!("; attempts {first} to {last} not run"));
            }
        }
        note(message);
    }
    match &exit {
        Ended::Killed => note("the client did not exit within 1 s of its stdin closing; killed it"),
        Ended::Lost(error) => note(format_args!(
            "waiting for the client failed ({error}); killed it"
        )),
        Ended::Exited(_) => {}
    }
    let summary = report::summary(&attempts, options.count);
    // Not `print!`, which panics when stdout is closed (`| head -1`).
    let _ = if options.json {
        io::stderr().lock().write_all(summary.as_bytes())
    } else {
        let mut stdout = io::stdout().lock();
        stdout
            .write_all(summary.as_bytes())
            .and_then(|()| stdout.flush())
    };
    match finish {
        Finish::Interrupted(signal) => interrupted(signal),
        Finish::Output(error) => {
            note(format_args!("cannot write to stdout: {error}"));
            EXIT_NOT_OK
        }
        Finish::Done | Finish::Closed => {
            let all_ok = attempts.len() == options.count as usize
                && attempts
                    .iter()
                    .all(|a| matches!(a.header, Some((AttestationStatus::Ok, _))));
            if all_ok { EXIT_OK } else { EXIT_NOT_OK }
        }
    }
}

/// Runs the attempts one after another, printing each as it completes.
async fn attempts(
    server: &Server,
    options: &Options,
    signals: &mut Signals,
) -> (Vec<Attempt>, Finish) {
    let context = AttestationContext::new(THREAD);
    let mut attempts = Vec::new();
    for number in 1..=options.count {
        // The connection is unregistered the moment it closes; after that a
        // request would find no connection and report "no header", which is
        // not what this client does.
        if server.connection_count() == 0 {
            return (attempts, Finish::Closed);
        }
        let start = Instant::now();
        let header = tokio::select! {
            biased;
            signal = signals.recv() => return (attempts, Finish::Interrupted(signal)),
            header = server.header_for_request(&context) => header,
        };
        let elapsed = start.elapsed();
        let header = match header {
            Some(value) => Some(classify(value.as_bytes())),
            None if server.connection_count() == 0 => return (attempts, Finish::Closed),
            None => None,
        };
        let attempt = Attempt {
            number,
            header,
            elapsed,
        };
        let line = if options.json {
            attempt.json_line()
        } else {
            attempt.human_line()
        };
        // Flushed per line, so that a reader sees each attempt as it ends.
        let mut stdout = io::stdout().lock();
        if let Err(error) = writeln!(stdout, "{line}").and_then(|()| stdout.flush()) {
            return (attempts, Finish::Output(error));
        }
        attempts.push(attempt);
    }
    (attempts, Finish::Done)
}

/// The status of a header value the runtime produced.
fn classify(value: &[u8]) -> (AttestationStatus, String) {
    let text = String::from_utf8_lossy(value).into_owned();
    // The runtime only produces the five envelopes of DESIGN.md, which all
    // parse; a value that did not would be unreadable to the backend too,
    // which is what status 4 says.
    let status = serde_json::from_slice::<AttestationHeader>(value)
        .map_or(AttestationStatus::MalformedResponse, |h| h.status());
    (status, text)
}

fn interrupted(signal: i32) -> u8 {
    note(format_args!(
        "interrupted by signal {signal}; the client was stopped"
    ));
    u8::try_from(128 + signal).unwrap_or(EXIT_NOT_OK)
}

fn exit_note(exit: &Ended) -> String {
    match exit {
        Ended::Exited(status) => format!(" (client {status})"),
        Ended::Killed => " (the client was killed)".to_owned(),
        Ended::Lost(error) => format!(" (waiting for the client failed: {error})"),
    }
}

type ServeResult = Result<Result<(), ServeError>, JoinError>;

fn describe(ended: &ServeResult) -> String {
    match ended {
        // Which pipe notices first is a race (an answer to the client's
        // last line may hit its closed stdin before its stdout's end is
        // read): both mean the same.
        Ok(Ok(())) => "the client closed the connection".to_owned(),
        Ok(Err(ServeError::Io(error))) if error.kind() == io::ErrorKind::BrokenPipe => {
            "the client closed the connection".to_owned()
        }
        Ok(Err(ServeError::FrameTooLong { limit })) => {
            format!("the client sent a line longer than the frame limit of {limit} bytes")
        }
        Ok(Err(error)) => error.to_string(),
        Err(error) => format!("the connection task failed: {error}"),
    }
}

/// The task serving the connection, and how it ended once it has.
struct Serve {
    task: JoinHandle<Result<(), ServeError>>,
    ended: Option<ServeResult>,
}

impl Serve {
    /// Resolves when the connection has ended by itself. Cancel-safe.
    async fn ended(&mut self) {
        if self.ended.is_none() {
            // A finished `JoinHandle` must not be polled again: keep its
            // result.
            self.ended = Some((&mut self.task).await);
        }
    }

    /// Closes the connection, which closes the client's stdin. Returns how it
    /// ended if it had ended by itself.
    async fn close(self) -> Option<ServeResult> {
        if self.ended.is_some() {
            return self.ended;
        }
        if self.task.is_finished() {
            return Some(self.task.await);
        }
        // Dropping the serve future drops both pipes; the runtime resolves
        // whatever was pending with status 3.
        self.task.abort();
        let _ = self.task.await;
        None
    }
}
