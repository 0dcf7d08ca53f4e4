//! Asking every connection that can answer: the attestation flow sends
//! `attestation/generate` to every live connection that opted in and is
//! subscribed to the thread, at once, and the first valid token wins. Also
//! the precedence of the statuses when none comes, and the startup grace.
//!
//! One connection is the common case and costs what asking one always did:
//! no `Vec`, no extra allocation, the request held inline in the flow's
//! future ([`Plan::One`]). Several connections, and the wait of a startup
//! grace, run in a boxed future of their own, so they add nothing to the
//! size of the one-connection flow (BENCHMARKS.md, "Peers, side by side").

use std::future::poll_fn;
use std::task::{Context, Poll};

use attestwire_protocol::{
    AttestationGenerate, AttestationGenerateParams, AttestationHeader, AttestationStatus,
};
use tokio::time::Instant;

use crate::core::attestation::{NoHeader, envelope};
use crate::core::error::RequestError;
use crate::core::pending::{self, Asked, Reply};
use crate::core::sink::MessageSink;
use crate::core::{Core, decode, expiry};

/// What the flow does, decided when it is called.
pub(crate) enum Plan {
    /// One connection asked: the flow awaits it inline.
    One(Asked),
    /// Several asked at once.
    Many(Many),
    /// Every request ended at once (each send was refused): this status.
    Done(AttestationStatus),
    /// Nobody to ask yet: wait for one within the startup grace.
    Waiting(Box<Waiting>),
    /// No header: nobody to ask.
    Skip(NoHeader),
}

impl Plan {
    /// What the flow does for `thread`: the requests are out when this
    /// returns, so the deadline (ending at `expires`) covers the sending.
    pub(crate) fn new(core: &Core, thread: &str, expires: Instant) -> Self {
        let reason = match ask(core, thread) {
            Ok(plan) => return plan,
            Err(reason) => reason,
        };
        let grace = core.config().startup_grace;
        if grace.is_zero() {
            tracing::debug!(thread, %reason, "no header");
            return Self::Skip(reason);
        }
        tracing::debug!(thread, %reason, ?grace, "waiting for a connection to ask");
        Self::Waiting(Box::new(Waiting {
            core: core.clone(),
            thread: thread.into(),
            until: expiry(grace).min(expires),
        }))
    }

    /// Takes the plan out, leaving one that holds nothing.
    pub(crate) fn take(&mut self) -> Self {
        std::mem::replace(self, Self::Done(AttestationStatus::RequestCanceled))
    }

    /// Runs any plan to its header, or says why there is none.
    /// [`Core::attestation_header`] runs [`Plan::One`] inline and boxes
    /// this for the others.
    pub(crate) async fn run(self, expires: Instant) -> Result<AttestationHeader, NoHeader> {
        let mut plan = self;
        loop {
            plan = match plan {
                Self::Waiting(waiting) => waiting.wait().await?,
                Self::One(asked) => return Ok(Many::of(asked).run(expires).await),
                Self::Many(many) => return Ok(many.run(expires).await),
                Self::Done(status) => return Ok(failure(status)),
                Self::Skip(reason) => return Err(reason),
            }
        }
    }
}

/// Registers and sends `attestation/generate` on every live connection
/// that opted in and is subscribed to `thread`, in one step under the
/// registry's lock (the sends after it); or why there is none.
fn ask(core: &Core, thread: &str) -> Result<Plan, NoHeader> {
    let inner = core.inner();
    let mut registry = inner.registry();
    let subscribers = registry
        .subscribers(thread)
        .ok_or(NoHeader::NotSubscribed)?;
    let mut eligible = subscribers
        .iter()
        .copied()
        .filter(|&id| registry.opted_in(id));
    let first = eligible.next().ok_or(NoHeader::NotOptedIn)?;
    let Some(second) = eligible.next() else {
        let registered =
            pending::register_locked(&mut registry, inner, first, core.next_request_key());
        drop(registry);
        return Ok(
            match registered.and_then(|(sink, asked)| send(core, &*sink, asked)) {
                Some(asked) => Plan::One(asked),
                None => Plan::Done(AttestationStatus::RequestCanceled),
            },
        );
    };
    let mut targets = vec![first, second];
    targets.extend(eligible);
    let registered: Vec<_> = targets
        .into_iter()
        .filter_map(|id| {
            pending::register_locked(&mut registry, inner, id, core.next_request_key())
        })
        .collect();
    drop(registry);
    let mut many = Many {
        asked: Vec::with_capacity(registered.len()),
        settled: None,
    };
    for (sink, asked) in registered {
        match send(core, &*sink, asked) {
            Some(asked) => many.asked.push(asked),
            None => many.settle(AttestationStatus::RequestCanceled),
        }
    }
    Ok(match many.settled {
        Some(status) if many.asked.is_empty() => Plan::Done(status),
        _ => Plan::Many(many),
    })
}

/// Sends the request `asked` registered; `None` (its entry removed) when
/// the sink refused it.
fn send(core: &Core, sink: &dyn MessageSink, asked: Asked) -> Option<Asked> {
    let message =
        core.encode_request::<AttestationGenerate>(asked.key(), &AttestationGenerateParams {})?;
    pending::send(sink, asked.connection(), message).ok()?;
    Some(asked)
}

/// The header for what one connection's request came to: its reply, or the
/// deadline (`None`). The entry is gone from the map after this.
pub(crate) fn outcome(
    asked: &mut Asked,
    reply: Option<Result<Reply, RequestError>>,
) -> AttestationHeader {
    let outcome = match reply {
        Some(reply) => reply.and_then(decode::<AttestationGenerate>),
        None => {
            asked.withdraw();
            Err(RequestError::Timeout {
                deadline: asked.deadline(),
            })
        }
    };
    envelope(asked.connection(), outcome)
}

/// The requests of a flow that asked several connections.
pub(crate) struct Many {
    /// The requests still waiting for an answer.
    asked: Vec<Asked>,
    /// The status of highest [precedence](rank) among the requests that
    /// ended without a token.
    settled: Option<AttestationStatus>,
}

impl Many {
    fn of(asked: Asked) -> Self {
        Self {
            asked: vec![asked],
            settled: None,
        }
    }

    fn settle(&mut self, status: AttestationStatus) {
        if self
            .settled
            .is_none_or(|settled| rank(status) > rank(settled))
        {
            self.settled = Some(status);
        }
    }

    /// The first valid token; or, once every request has ended without
    /// one, the header of the settled status.
    fn poll_token(&mut self, cx: &mut Context<'_>) -> Poll<AttestationHeader> {
        let mut at = 0;
        while let Some(asked) = self.asked.get_mut(at) {
            let Poll::Ready(reply) = asked.poll_reply(cx) else {
                at += 1;
                continue;
            };
            let mut asked = self.asked.swap_remove(at);
            let header = outcome(&mut asked, Some(reply));
            match header.status() {
                AttestationStatus::Ok => return Poll::Ready(header),
                status => self.settle(status),
            }
        }
        match self.settled {
            Some(status) if self.asked.is_empty() => Poll::Ready(failure(status)),
            _ => Poll::Pending,
        }
    }

    /// Waits until the first valid token, every request ended, or the
    /// deadline, whichever comes first. The requests still waiting then are
    /// dropped here, their entries removed: their late answers find nothing
    /// and are dropped as any late answer is (`Core::handle_message` still
    /// says they were the core's, so a host discards them).
    async fn run(mut self, expires: Instant) -> AttestationHeader {
        let first = tokio::time::timeout_at(expires, poll_fn(|cx| self.poll_token(cx))).await;
        match first {
            Ok(header) => {
                if !self.asked.is_empty() {
                    tracing::debug!(
                        others = self.asked.len(),
                        "a token came first; the other requests are dropped"
                    );
                }
                self.asked.clear();
                header
            }
            Err(_) => {
                for mut asked in std::mem::take(&mut self.asked) {
                    self.settle(outcome(&mut asked, None).status());
                }
                failure(self.settled.unwrap_or(AttestationStatus::Timeout))
            }
        }
    }
}

/// The precedence of the statuses when no connection gave a token, highest
/// first: **4 MalformedResponse > 2 RequestFailed > 1 Timeout > 3
/// RequestCanceled**. With one connection the header is that connection's
/// status, as it always was.
///
/// The backend reads the status to learn why there is no token, so the
/// header reports what says most about the app. An answer (4 or 2) says
/// more than a silence (1 or 3): an app was there and spoke. Among answers,
/// a malformed one points at a broken or tampered app, which must not hide
/// behind another window's routine refusal; a JSON-RPC error is the app
/// declining, a normal condition. Among silences, a timeout means a
/// connection stayed for the whole deadline without answering (a hung
/// window), which is worth acting on; a cancel only says that a connection
/// went away, which every reconnect causes.
fn rank(status: AttestationStatus) -> u8 {
    match status {
        AttestationStatus::MalformedResponse => 4,
        AttestationStatus::RequestFailed => 3,
        AttestationStatus::Timeout => 2,
        AttestationStatus::RequestCanceled => 1,
        AttestationStatus::Ok => 0,
    }
}

/// The header of a status without a token.
fn failure(status: AttestationStatus) -> AttestationHeader {
    match status {
        AttestationStatus::Timeout => AttestationHeader::timeout(),
        AttestationStatus::RequestFailed => AttestationHeader::request_failed(),
        AttestationStatus::MalformedResponse => AttestationHeader::malformed_response(),
        // `Ok` never comes here without a token; "could not complete" is
        // the honest status should it ever.
        AttestationStatus::RequestCanceled | AttestationStatus::Ok => {
            AttestationHeader::request_canceled()
        }
    }
}

/// A flow waiting out the startup grace for a connection to ask.
pub(crate) struct Waiting {
    core: Core,
    thread: Box<str>,
    /// The end of the grace, or of the deadline if sooner.
    until: Instant,
}

impl Waiting {
    /// Looks again each time a connection subscribes or opts in, until one
    /// can be asked (the requests are then out) or the grace ends (no
    /// header). Dropped, it leaves nothing behind: the `Notified` it waits
    /// on unlinks itself.
    async fn wait(self: Box<Self>) -> Result<Plan, NoHeader> {
        loop {
            // Made before looking: `notify_waiters` reaches every `Notified`
            // made before it, polled or not, so an arrival between the look
            // and the wait still wakes this one.
            let arrival = self.core.inner().arrivals.notified();
            let reason = match ask(&self.core, &self.thread) {
                Ok(plan) => return Ok(plan),
                Err(reason) => reason,
            };
            if tokio::time::timeout_at(self.until, arrival).await.is_err() {
                tracing::debug!(
                    thread = &*self.thread,
                    %reason,
                    "no connection to ask within the startup grace; no header"
                );
                return Err(reason);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precedence_is_malformed_failed_timeout_canceled() {
        use AttestationStatus::*;
        let order = [MalformedResponse, RequestFailed, Timeout, RequestCanceled];
        for (i, high) in order.iter().enumerate() {
            for low in &order[i + 1..] {
                for (first, second) in [(*high, *low), (*low, *high)] {
                    let mut many = Many {
                        asked: Vec::new(),
                        settled: None,
                    };
                    many.settle(first);
                    many.settle(second);
                    assert_eq!(many.settled, Some(*high), "{first:?} then {second:?}");
                }
            }
        }
    }

    #[test]
    fn every_failure_status_has_its_header() {
        for status in AttestationStatus::ALL {
            let expected = if status == AttestationStatus::Ok {
                AttestationStatus::RequestCanceled
            } else {
                status
            };
            assert_eq!(failure(status).status(), expected);
            assert!(failure(status).token().is_none());
        }
    }
}
