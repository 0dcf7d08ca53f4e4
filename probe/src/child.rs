//! The client process: started with piped stdin/stdout in a process group of
//! its own, and always stopped (and reaped) before the probe exits.

use std::ffi::OsStr;
use std::io;
use std::process::{ExitStatus, Stdio};
use std::time::Duration;

use tokio::process::{Child, ChildStdin, ChildStdout, Command};

/// How long the client may take to exit once its stdin is closed.
const EXIT_GRACE: Duration = Duration::from_secs(1);

/// A started client.
pub(crate) struct Client {
    child: Child,
    /// The process id, kept because `Child::id` forgets it once reaped.
    pid: Option<u32>,
}

/// How the client ended.
#[derive(Debug)]
pub(crate) enum Ended {
    /// It exited by itself (at the latest [`EXIT_GRACE`] after its stdin
    /// closed).
    Exited(ExitStatus),
    /// It was still running after the grace period and was killed.
    Killed,
    /// Waiting for it failed; it was killed.
    Lost(io::Error),
}

impl Client {
    /// Starts `program args` with piped stdin and stdout; stderr passes
    /// through. Returns the pipes separately so that the connection can own
    /// them.
    pub(crate) fn spawn(
        program: &OsStr,
        args: &[impl AsRef<OsStr>],
    ) -> io::Result<(Self, ChildStdin, ChildStdout)> {
        let mut command = Command::new(program);
        command
            .args(args)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::inherit())
            // A safety net only: every path below kills and reaps explicitly.
            .kill_on_drop(true);
        // A group of its own, so that stopping the client also stops what it
        // started (`npm run app` runs node as a grandchild). It also keeps
        // the terminal's Ctrl-C from reaching the client before the probe
        // has decided what to do; the probe handles SIGINT and stops it.
        #[cfg(unix)]
        command.process_group(0);
        let mut child = command.spawn()?;
        let pid = child.id();
        let (Some(stdin), Some(stdout)) = (child.stdin.take(), child.stdout.take()) else {
            return Err(io::Error::other("the child's stdio pipes are missing"));
        };
        Ok((Self { child, pid }, stdin, stdout))
    }

    /// The exit status, if the client has exited already (reaps it).
    pub(crate) fn try_status(&mut self) -> Option<ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    /// Waits up to [`EXIT_GRACE`] for the client to exit, then kills it.
    /// Either way it is reaped, and whatever else is left in its process
    /// group is killed. The caller closes the client's stdin first (by
    /// dropping the connection).
    pub(crate) async fn stop(mut self) -> Ended {
        let exited = tokio::time::timeout(EXIT_GRACE, self.child.wait()).await;
        match exited {
            Ok(Ok(status)) => {
                // Stragglers the client left behind (it has exited, so they
                // are orphans now). Its pid stays reserved for as long as
                // its group has any member, so this never reaches a stranger.
                self.kill_group();
                Ended::Exited(status)
            }
            Ok(Err(error)) => {
                self.kill_group();
                let _ = self.child.kill().await;
                Ended::Lost(error)
            }
            Err(_) => {
                // Killed before being reaped: the group id is certainly ours.
                self.kill_group();
                match self.child.kill().await {
                    Ok(()) => Ended::Killed,
                    Err(error) => Ended::Lost(error),
                }
            }
        }
    }

    #[cfg(unix)]
    fn kill_group(&self) {
        use rustix::process::{Pid, Signal, kill_process_group};
        // `kill(-1, …)` would signal every process we may signal: only a
        // real child's id (never 0 or 1, never negative) is used.
        let pid = self
            .pid
            .and_then(|pid| i32::try_from(pid).ok())
            .filter(|&pid| pid > 1)
            .and_then(Pid::from_raw);
        if let Some(pid) = pid {
            // ESRCH (the group is empty) is the usual, good outcome.
            let _ = kill_process_group(pid, Signal::KILL);
        }
    }

    #[cfg(not(unix))]
    fn kill_group(&self) {}
}
