//! Setup for the end-to-end tests of `examples/codex-host` driven from Rust:
//! the host as a real process, JSON-RPC clients of it over its stdio or over
//! WebSocket, and recording HTTP servers on loopback for its upstream calls.

// Each test file uses a different subset of these helpers.
#![allow(dead_code)]

pub(crate) mod client;
pub(crate) mod hops;

use std::net::SocketAddr;
use std::process::Stdio;
use std::time::Duration;

use attestwire_tests::bins::codex_host;
use tokio::io::{AsyncBufReadExt, BufReader};
use tokio::process::{Child, Command};
use tokio::sync::mpsc;

use client::{Answers, Client};

/// How long a test waits for something the host or a client must do before
/// failing instead of hanging. Generous: CI is a loaded 2-core machine. Not
/// a timed assertion: a healthy run never comes near it.
pub(crate) const PATIENCE: Duration = Duration::from_secs(30);

/// The token the clients answer `attestation/generate` with.
pub(crate) const TOKEN: &str = "v1.opaque-client-payload";

/// The header value of status 0 with `token`, byte for byte.
pub(crate) fn s0(token: &str) -> String {
    format!(r#"{{"v":1,"s":0,"t":"{token}"}}"#)
}

/// A running `codex-host` and what it wrote to stderr.
pub(crate) struct HostProcess {
    child: Child,
    stderr: mpsc::UnboundedReceiver<String>,
    log: Vec<String>,
}

impl HostProcess {
    /// Starts `codex-host ARGS…`; returns it and a client on its stdio
    /// answering as `answers` says. Dropping that client closes the host's
    /// stdin, which ends the host.
    pub(crate) fn start(args: &[&str], answers: Answers) -> (Self, Client) {
        let mut child = Command::new(codex_host())
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .kill_on_drop(true)
            .spawn()
            .expect("cannot run codex-host");
        let stdio = Client::stdio(
            child.stdin.take().unwrap(),
            child.stdout.take().unwrap(),
            answers,
        );
        let (tx, stderr) = mpsc::unbounded_channel();
        let from = child.stderr.take().unwrap();
        tokio::spawn(async move {
            let mut lines = BufReader::new(from).lines();
            while let Ok(Some(line)) = lines.next_line().await {
                let _ = tx.send(line);
            }
        });
        let host = Self {
            child,
            stderr,
            log: Vec::new(),
        };
        (host, stdio)
    }

    /// Reads the host's stderr until a line starting with `prefix`; returns
    /// the rest of it.
    pub(crate) async fn wait_for_log(&mut self, prefix: &str) -> String {
        let found = tokio::time::timeout(PATIENCE, async {
            while let Some(line) = self.stderr.recv().await {
                let rest = line.strip_prefix(prefix).map(str::to_owned);
                self.log.push(line);
                if rest.is_some() {
                    return rest;
                }
            }
            None
        })
        .await;
        match found {
            Ok(Some(rest)) => rest,
            _ => panic!(
                "codex-host never logged {prefix:?}; its stderr:\n{}",
                self.log.join("\n")
            ),
        }
    }

    /// The address of `--listen ws://127.0.0.1:0`, from the host's log.
    pub(crate) async fn listening(&mut self) -> SocketAddr {
        let address = self.wait_for_log("codex-host: listening on ws://").await;
        address.parse().unwrap()
    }

    /// Closes the host's stdin (by dropping its stdio client), waits for it
    /// to exit and asserts that it exited 0; returns its stderr.
    pub(crate) async fn finish(mut self, stdio: Client) -> Vec<String> {
        drop(stdio);
        let status = tokio::time::timeout(PATIENCE, self.child.wait()).await;
        let status = match status {
            Ok(status) => status.unwrap(),
            Err(_) => panic!("codex-host did not exit when its stdin closed"),
        };
        while let Some(line) = self.stderr.recv().await {
            self.log.push(line);
        }
        assert_eq!(status.code(), Some(0), "{}", self.log.join("\n"));
        std::mem::take(&mut self.log)
    }
}
