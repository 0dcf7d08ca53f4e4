//! A connection's outgoing queue in the built-in server, bounded in messages
//! and in bytes. The reader's answers and the handlers' results wait for
//! room (back pressure on a client that reads slowly); the core's requests
//! never wait: a full queue refuses them (status 3).

use std::sync::Arc;

use tokio::sync::{OwnedSemaphorePermit, Semaphore, mpsc};

use crate::core::sink::{MessageSink, OutgoingMessage, SinkError};

/// One queued line and the share of the byte budget it holds until it is
/// written.
pub(crate) struct Queued {
    pub(crate) line: Vec<u8>,
    _bytes: OwnedSemaphorePermit,
}

/// The sending side; clones share the same queue and budget.
#[derive(Clone)]
pub(crate) struct Outbox {
    queue: mpsc::Sender<Queued>,
    bytes: Arc<Semaphore>,
    budget: u32,
}

/// The writer's side.
pub(crate) struct Inbox {
    pub(crate) queue: mpsc::Receiver<Queued>,
    bytes: Arc<Semaphore>,
}

impl Drop for Inbox {
    fn drop(&mut self) {
        // Wakes senders waiting for bytes that will never be freed.
        self.bytes.close();
    }
}

/// A queue of at most `messages` messages and `budget` bytes (each at least
/// 1). A single message larger than the whole budget still goes through,
/// alone: it takes all of it.
pub(crate) fn outbox(messages: usize, budget: usize) -> (Outbox, Inbox) {
    let (queue, receiver) = mpsc::channel(messages.max(1));
    // The semaphore counts in u32 per acquisition; 4 GiB is beyond any
    // sensible budget.
    let budget = u32::try_from(budget.max(1)).unwrap_or(u32::MAX);
    let bytes = Arc::new(Semaphore::new(budget as usize));
    (
        Outbox {
            queue,
            bytes: Arc::clone(&bytes),
            budget,
        },
        Inbox {
            queue: receiver,
            bytes,
        },
    )
}

impl Outbox {
    fn cost(&self, line: &[u8]) -> u32 {
        u32::try_from(line.len())
            .unwrap_or(u32::MAX)
            .min(self.budget)
    }

    /// Queues `line`, waiting for room in messages and bytes. `false` when
    /// the writer is gone.
    pub(crate) async fn send(&self, line: Vec<u8>) -> bool {
        let Ok(permit) = Arc::clone(&self.bytes)
            .acquire_many_owned(self.cost(&line))
            .await
        else {
            return false;
        };
        self.queue
            .send(Queued {
                line,
                _bytes: permit,
            })
            .await
            .is_ok()
    }

    /// Queues `line` now, or refuses it.
    pub(crate) fn try_send(&self, line: Vec<u8>) -> Result<(), SinkError> {
        let permit = match Arc::clone(&self.bytes).try_acquire_many_owned(self.cost(&line)) {
            Ok(permit) => permit,
            Err(tokio::sync::TryAcquireError::NoPermits) => return Err(SinkError::Full),
            Err(tokio::sync::TryAcquireError::Closed) => return Err(SinkError::Closed),
        };
        self.queue
            .try_send(Queued {
                line,
                _bytes: permit,
            })
            .map_err(SinkError::from)
    }
}

impl MessageSink for Outbox {
    fn try_send(&self, message: OutgoingMessage) -> Result<(), SinkError> {
        Outbox::try_send(self, message.into_line())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_byte_budget_refuses_what_does_not_fit_and_frees_what_is_written() {
        let (outbox, mut inbox) = outbox(64, 10);
        assert_eq!(outbox.try_send(vec![b'a'; 6]), Ok(()));
        assert_eq!(outbox.try_send(vec![b'b'; 5]), Err(SinkError::Full));
        assert_eq!(outbox.try_send(vec![b'c'; 4]), Ok(()));
        let written = inbox.queue.try_recv().unwrap();
        assert_eq!(written.line, vec![b'a'; 6]);
        drop(written);
        assert_eq!(outbox.try_send(vec![b'b'; 5]), Ok(()));
    }

    #[test]
    fn a_message_larger_than_the_budget_goes_alone() {
        let (outbox, mut inbox) = outbox(64, 10);
        assert_eq!(outbox.try_send(vec![b'a'; 100]), Ok(()));
        assert_eq!(outbox.try_send(vec![b'b'; 1]), Err(SinkError::Full));
        drop(inbox.queue.try_recv().unwrap());
        assert_eq!(outbox.try_send(vec![b'b'; 1]), Ok(()));
    }

    #[test]
    fn the_message_bound_still_holds() {
        let (outbox, _inbox) = outbox(2, 1 << 20);
        assert_eq!(outbox.try_send(vec![b'a']), Ok(()));
        assert_eq!(outbox.try_send(vec![b'a']), Ok(()));
        assert_eq!(outbox.try_send(vec![b'a']), Err(SinkError::Full));
    }

    #[test]
    fn a_closed_writer_refuses_at_once() {
        let (outbox, inbox) = outbox(2, 100);
        drop(inbox);
        assert_eq!(outbox.try_send(vec![b'a']), Err(SinkError::Closed));
        let sent = tokio::runtime::Builder::new_current_thread()
            .build()
            .unwrap()
            .block_on(outbox.send(vec![b'a']));
        assert!(!sent);
    }
}
