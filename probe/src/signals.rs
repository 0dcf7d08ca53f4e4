//! SIGINT and SIGTERM end the run cleanly: the probe stops the client (in a
//! process group of its own, so the terminal's Ctrl-C does not reach it)
//! and exits with 128 + the signal number, instead of dying with the client
//! still running.

/// The termination signals, as a stream.
pub(crate) struct Signals {
    #[cfg(unix)]
    streams: Option<(tokio::signal::unix::Signal, tokio::signal::unix::Signal)>,
}

impl Signals {
    #[cfg(unix)]
    pub(crate) fn new() -> Self {
        use tokio::signal::unix::{SignalKind, signal};
        let streams = signal(SignalKind::interrupt())
            .and_then(|interrupt| Ok((interrupt, signal(SignalKind::terminate())?)));
        match streams {
            Ok(streams) => Self {
                streams: Some(streams),
            },
            Err(error) => {
                crate::probe::note(format_args!(
                    "cannot handle SIGINT/SIGTERM ({error}); the client may outlive an interrupted probe"
                ));
                Self { streams: None }
            }
        }
    }

    #[cfg(not(unix))]
    pub(crate) fn new() -> Self {
        Self {}
    }

    /// The number of the next termination signal; never resolves when the
    /// signals could not be registered.
    pub(crate) async fn recv(&mut self) -> i32 {
        #[cfg(unix)]
        if let Some((interrupt, terminate)) = &mut self.streams {
            return tokio::select! {
                _ = interrupt.recv() => 2,
                _ = terminate.recv() => 15,
            };
        }
        std::future::pending().await
    }
}
