//! The floor: the request line written, the same bytes read back, through
//! the same duplex and the same app (echoing), no library.

use std::time::{Duration, Instant};

use tokio::io::{AsyncBufReadExt, AsyncWriteExt, BufReader, DuplexStream, ReadHalf, WriteHalf};

use crate::app::{self, App, DUPLEX_BUFFER, Framing, Mode};

/// What attestwire writes for one request (less the id's digits).
const REQUEST_LINE: &[u8] =
    b"{\"jsonrpc\":\"2.0\",\"id\":\"attestwire:12345\",\"method\":\"attestation/generate\",\"params\":{}}\n";

pub(crate) struct Floor {
    write: WriteHalf<DuplexStream>,
    read: BufReader<ReadHalf<DuplexStream>>,
    line: Vec<u8>,
    _app: App,
}

impl Floor {
    pub(crate) const NAME: &'static str = "floor: raw echo";

    pub(crate) async fn connect() -> Self {
        let (near, far) = tokio::io::duplex(DUPLEX_BUFFER);
        let (app, _ready) = app::spawn(far, Framing::Jsonl, None, Mode::Echo);
        let (read, write) = tokio::io::split(near);
        Self {
            write,
            read: BufReader::new(read),
            line: Vec::with_capacity(256),
            _app: app,
        }
    }

    /// One round trip.
    pub(crate) async fn once(&mut self) -> Duration {
        self.line.clear();
        let start = Instant::now();
        self.write.write_all(REQUEST_LINE).await.expect("write");
        self.read
            .read_until(b'\n', &mut self.line)
            .await
            .expect("read");
        let elapsed = start.elapsed();
        assert_eq!(self.line, REQUEST_LINE, "the echo");
        elapsed
    }

    /// `rounds` × `in_flight` round trips, `in_flight` lines written ahead
    /// of the reads; returns how many came back.
    pub(crate) async fn burst(&mut self, in_flight: usize, rounds: usize) -> usize {
        let mut done = 0;
        for _ in 0..rounds {
            let write = async {
                for _ in 0..in_flight {
                    self.write.write_all(REQUEST_LINE).await.expect("write");
                }
            };
            let read = async {
                let mut n = 0;
                for _ in 0..in_flight {
                    self.line.clear();
                    self.read
                        .read_until(b'\n', &mut self.line)
                        .await
                        .expect("read");
                    n += 1;
                }
                n
            };
            let ((), n) = tokio::join!(write, read);
            done += n;
        }
        done
    }
}
