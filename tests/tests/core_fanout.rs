//! "The attestation flow asks every opted-in connection subscribed to the
//! thread at once, under one deadline. The first valid token wins, and the
//! other requests are dropped locally; their late answers are ignored. When
//! no connection gives a token, the status follows a documented precedence
//! (4 > 2 > 1 > 3). Opt-in startup grace: when no opted-in connection is
//! subscribed yet, the flow waits within the same deadline for one to
//! appear." (issue 18, part 2). Driven through `Core`, each connection's
//! writer queue standing for the wire, on the paused clock.

use std::time::Duration;

use attestwire_protocol::ClientCapabilities;
use attestwire_runtime::{
    AttestationContext, Core, CoreConfig, CoreConnection, NoHeader, OutgoingMessage,
};
use serde_json::{Value, json};
use tokio::sync::mpsc;
use tokio::task::JoinHandle;
use tokio::time::Instant;

const DEADLINE: Duration = Duration::from_millis(100);
const THREAD: &str = "thread-1";
const S1: &[u8] = br#"{"v":1,"s":1}"#;
const S2: &[u8] = br#"{"v":1,"s":2}"#;
const S3: &[u8] = br#"{"v":1,"s":3}"#;
const S4: &[u8] = br#"{"v":1,"s":4}"#;

fn s0(token: &str) -> Vec<u8> {
    format!(r#"{{"v":1,"s":0,"t":"{token}"}}"#).into_bytes()
}

/// One desktop app's connection, as the core sees it: the host's guard and
/// what the app reads.
struct App {
    connection: Option<CoreConnection>,
    wire: mpsc::Receiver<OutgoingMessage>,
}

impl App {
    /// Opened on `core`; `initialize` done (opted in or not), not subscribed.
    fn open(core: &Core, opt_in: bool) -> Self {
        let (queue, wire) = mpsc::channel(8);
        let connection = core.open(queue);
        let capabilities = ClientCapabilities {
            request_attestation: opt_in,
        };
        assert!(connection.initialized(&capabilities));
        Self {
            connection: Some(connection),
            wire,
        }
    }

    /// Opened, opted in and subscribed to [`THREAD`].
    fn ready(core: &Core) -> Self {
        let app = Self::open(core, true);
        assert!(app.connection().subscribe(THREAD));
        app
    }

    fn connection(&self) -> &CoreConnection {
        self.connection.as_ref().expect("open")
    }

    /// The id of the `attestation/generate` the core sent this app.
    fn asked(&mut self) -> Value {
        let message = self.wire.try_recv().expect("the core asked this app");
        let request: Value = serde_json::from_str(message.as_str()).unwrap();
        assert_eq!(request["method"], "attestation/generate");
        request["id"].clone()
    }

    /// Asserts that the core sent this app nothing (more).
    fn not_asked(&mut self) {
        assert!(self.wire.try_recv().is_err(), "the core asked this app");
    }

    /// The app's answer reaches the host's reader; `true` when the core
    /// took it as its own.
    fn send(&self, message: Value) -> bool {
        self.connection()
            .handle_message(message.to_string().as_bytes())
    }

    fn token(&self, id: &Value, token: &str) -> bool {
        self.send(json!({ "id": id, "result": { "token": token } }))
    }

    fn reject(&self, id: &Value) -> bool {
        self.send(json!({ "id": id, "error": { "code": -32000, "message": "no" } }))
    }

    fn malformed(&self, id: &Value) -> bool {
        self.send(json!({ "id": id, "result": { "tok": "v1.abc" } }))
    }

    /// The connection closes (the host drops its guard).
    fn close(&mut self) {
        self.connection = None;
    }
}

fn core() -> Core {
    Core::new(CoreConfig::default())
}

fn core_with_grace(grace: Duration) -> Core {
    Core::new(CoreConfig::default().with_startup_grace(grace))
}

/// The flow for [`THREAD`] in a task of its own, as a host's handler runs
/// it; its requests are out when this returns.
fn attest(core: &Core) -> JoinHandle<Result<Vec<u8>, NoHeader>> {
    let header = core.attestation_header(&AttestationContext::new(THREAD));
    tokio::spawn(async move { header.await.map(|value| value.as_bytes().to_vec()) })
}

/// Lets spawned tasks run, without moving the paused clock.
async fn settle() {
    for _ in 0..4 {
        tokio::task::yield_now().await;
    }
}

#[tokio::test(start_paused = true)]
async fn a_silent_connection_and_a_healthy_one_give_status_0_well_before_the_deadline() {
    let core = core();
    let mut silent = App::ready(&core);
    let mut healthy = App::ready(&core);
    // The silent one is the older: the one the flow used to ask alone.
    assert!(silent.connection().id() < healthy.connection().id());
    let start = Instant::now();

    let header = attest(&core);
    let silent_id = silent.asked();
    let healthy_id = healthy.asked();
    assert_ne!(silent_id, healthy_id);
    assert_eq!(core.pending_count(), 2);

    tokio::time::sleep(Duration::from_millis(7)).await;
    assert!(healthy.token(&healthy_id, "v1.healthy"));
    assert_eq!(header.await.unwrap(), Ok(s0("v1.healthy")));
    assert_eq!(start.elapsed(), Duration::from_millis(7));
    // The silent one's request was dropped with the flow...
    assert_eq!(core.pending_count(), 0);
    // ...and its late answer is the core's, consumed, and changes nothing.
    assert!(silent.token(&silent_id, "v1.late"));
    assert_eq!(core.pending_count(), 0);
    assert_eq!(core.connection_count(), 2);
}

#[tokio::test(start_paused = true)]
async fn the_first_valid_token_wins_and_a_second_one_is_dropped() {
    let core = core();
    let mut first = App::ready(&core);
    let mut second = App::ready(&core);

    let header = attest(&core);
    let (first_id, second_id) = (first.asked(), second.asked());
    assert!(second.token(&second_id, "v1.second"));
    settle().await;
    assert!(first.token(&first_id, "v1.first"));
    assert_eq!(header.await.unwrap(), Ok(s0("v1.second")));
    assert_eq!(core.pending_count(), 0);

    // Tokens that arrive together, before the flow runs again, are taken
    // in connection order.
    let header = attest(&core);
    let (first_id, second_id) = (first.asked(), second.asked());
    assert!(second.token(&second_id, "v1.second"));
    assert!(first.token(&first_id, "v1.first"));
    assert_eq!(header.await.unwrap(), Ok(s0("v1.first")));
    assert_eq!(core.pending_count(), 0);
}

/// What one app does with its request.
#[derive(Clone, Copy, Debug)]
enum Does {
    Token,
    Reject,
    Malformed,
    Silent,
    Close,
}

/// Two apps on the thread, each doing its part; the header, and whether it
/// came at once (`true`) or at the deadline.
#[tokio::test(start_paused = true)]
async fn no_token_from_anyone_reports_the_status_of_highest_precedence() {
    use Does::*;
    let cases: &[(Does, Does, &[u8], bool)] = &[
        (Reject, Silent, S2, false),
        (Silent, Reject, S2, false),
        (Malformed, Reject, S4, true),
        (Reject, Malformed, S4, true),
        (Silent, Malformed, S4, false),
        (Close, Silent, S1, false),
        (Silent, Close, S1, false),
        (Close, Reject, S2, true),
        (Malformed, Close, S4, true),
        (Close, Close, S3, true),
        (Silent, Silent, S1, false),
        (Reject, Reject, S2, true),
    ];
    for &(one, two, expected, at_once) in cases {
        let case = format!("{one:?} + {two:?}");
        let core = core();
        let mut apps = [App::ready(&core), App::ready(&core)];
        let start = Instant::now();
        let header = attest(&core);
        for (app, does) in apps.iter_mut().zip([one, two]) {
            let id = app.asked();
            match does {
                Token => assert!(app.token(&id, "v1.ok"), "{case}"),
                Reject => assert!(app.reject(&id), "{case}"),
                Malformed => assert!(app.malformed(&id), "{case}"),
                Silent => {}
                Close => app.close(),
            }
        }
        assert_eq!(header.await.unwrap(), Ok(expected.to_vec()), "{case}");
        let expected_at = if at_once { Duration::ZERO } else { DEADLINE };
        assert_eq!(start.elapsed(), expected_at, "{case}");
        assert_eq!(core.pending_count(), 0, "{case}");
    }
}

#[tokio::test(start_paused = true)]
async fn a_token_after_a_failure_still_wins() {
    for first in [Does::Reject, Does::Malformed, Does::Close] {
        let core = core();
        let mut failing = App::ready(&core);
        let mut late = App::ready(&core);
        let header = attest(&core);
        let (failing_id, late_id) = (failing.asked(), late.asked());
        match first {
            Does::Reject => assert!(failing.reject(&failing_id)),
            Does::Malformed => assert!(failing.malformed(&failing_id)),
            _ => failing.close(),
        }
        tokio::time::sleep(Duration::from_millis(99)).await;
        assert!(late.token(&late_id, "v1.late-but-in-time"), "{first:?}");
        assert_eq!(
            header.await.unwrap(),
            Ok(s0("v1.late-but-in-time")),
            "{first:?}"
        );
    }
}

#[tokio::test(start_paused = true)]
async fn every_connection_closed_gives_status_3_at_once() {
    let core = core();
    let mut apps = [App::ready(&core), App::ready(&core), App::ready(&core)];
    let start = Instant::now();
    let header = attest(&core);
    for app in &mut apps {
        app.asked();
    }
    tokio::time::sleep(Duration::from_millis(3)).await;
    for app in &mut apps {
        app.close();
    }
    assert_eq!(header.await.unwrap(), Ok(S3.to_vec()));
    assert_eq!(start.elapsed(), Duration::from_millis(3));
    assert_eq!(core.pending_count(), 0);
}

impl App {
    /// Like [`App::ready`], with a writer queue of one message.
    fn ready_tight(core: &Core) -> Self {
        let (queue, wire) = mpsc::channel(1);
        let connection = core.open(queue);
        assert!(connection.initialized(&ClientCapabilities {
            request_attestation: true,
        }));
        assert!(connection.subscribe(THREAD));
        Self {
            connection: Some(connection),
            wire,
        }
    }
}

#[tokio::test(start_paused = true)]
async fn every_send_refused_gives_status_3_at_once() {
    let core = core();
    let mut apps = [App::ready_tight(&core), App::ready_tight(&core)];
    // The first flow fills both writer queues; the apps read nothing yet.
    let first = attest(&core);
    let start = Instant::now();

    let refused = attest(&core);
    assert_eq!(refused.await.unwrap(), Ok(S3.to_vec()));
    assert_eq!(start.elapsed(), Duration::ZERO);
    assert_eq!(core.pending_count(), 2, "only the first flow's requests");

    let ids = [apps[0].asked(), apps[1].asked()];
    apps[0].not_asked();
    apps[1].not_asked();
    assert!(apps[1].token(&ids[1], "v1.first"));
    assert_eq!(first.await.unwrap(), Ok(s0("v1.first")));
    assert_eq!(core.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_refused_send_does_not_stop_the_others() {
    let core = core();
    let mut full = App::ready_tight(&core);
    // A first flow, while `full` is alone, fills its writer queue.
    let fills = attest(&core);
    let mut roomy = App::ready(&core);

    let header = attest(&core);
    let id = roomy.asked();
    assert!(roomy.token(&id, "v1.roomy"));
    assert_eq!(header.await.unwrap(), Ok(s0("v1.roomy")));

    let fills_id = full.asked();
    full.not_asked();
    roomy.not_asked();
    assert!(full.token(&fills_id, "v1.full"));
    assert_eq!(fills.await.unwrap(), Ok(s0("v1.full")));
    assert_eq!(core.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn only_live_opted_in_subscribers_of_the_thread_are_asked() {
    let core = core();
    let mut asked = App::ready(&core);
    let mut not_opted_in = App::open(&core, false);
    assert!(not_opted_in.connection().subscribe(THREAD));
    let mut other_thread = App::open(&core, true);
    assert!(other_thread.connection().subscribe("thread-2"));
    let mut unsubscribed = App::ready(&core);
    assert!(unsubscribed.connection().unsubscribe(THREAD));

    let header = attest(&core);
    let id = asked.asked();
    not_opted_in.not_asked();
    other_thread.not_asked();
    unsubscribed.not_asked();
    assert!(asked.token(&id, "v1.only"));
    assert_eq!(header.await.unwrap(), Ok(s0("v1.only")));
}

#[tokio::test(start_paused = true)]
async fn an_answer_is_matched_by_connection_and_id_among_the_asked() {
    let core = core();
    let mut one = App::ready(&core);
    let mut two = App::ready(&core);
    let header = attest(&core);
    let (one_id, two_id) = (one.asked(), two.asked());
    // `two` answers with `one`'s id: the core's, but no request of `two`.
    assert!(two.token(&one_id, "v1.crossed"));
    assert_eq!(core.pending_count(), 2);
    assert!(one.token(&one_id, "v1.right"));
    assert_eq!(header.await.unwrap(), Ok(s0("v1.right")));
    assert!(two.token(&two_id, "v1.late"));
    assert_eq!(core.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn dropping_the_header_future_mid_flow_leaves_nothing_pending_on_any_connection() {
    let core = core();
    let mut apps = [App::ready(&core), App::ready(&core), App::ready(&core)];
    let header = attest(&core);
    for app in &mut apps {
        app.asked();
    }
    assert_eq!(core.pending_count(), 3);
    tokio::time::sleep(Duration::from_millis(10)).await;
    header.abort();
    assert!(header.await.unwrap_err().is_cancelled());
    assert_eq!(core.pending_count(), 0);

    // Dropped before it was ever polled, too.
    let header = core.attestation_header(&AttestationContext::new(THREAD));
    assert_eq!(core.pending_count(), 3);
    drop(header);
    assert_eq!(core.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn one_connection_keeps_its_own_statuses() {
    for (does, expected, at) in [
        (Does::Token, s0("v1.ok"), Duration::ZERO),
        (Does::Silent, S1.to_vec(), DEADLINE),
        (Does::Reject, S2.to_vec(), Duration::ZERO),
        (Does::Close, S3.to_vec(), Duration::ZERO),
        (Does::Malformed, S4.to_vec(), Duration::ZERO),
    ] {
        let core = core();
        let mut app = App::ready(&core);
        let start = Instant::now();
        let header = attest(&core);
        let id = app.asked();
        match does {
            Does::Token => assert!(app.token(&id, "v1.ok")),
            Does::Reject => assert!(app.reject(&id)),
            Does::Malformed => assert!(app.malformed(&id)),
            Does::Silent => {}
            Does::Close => app.close(),
        }
        assert_eq!(header.await.unwrap(), Ok(expected), "{does:?}");
        assert_eq!(start.elapsed(), at, "{does:?}");
        assert_eq!(core.pending_count(), 0, "{does:?}");
    }
}

#[tokio::test(start_paused = true)]
async fn without_a_grace_nobody_to_ask_is_no_header_at_once() {
    let core = core();
    let start = Instant::now();
    let header = attest(&core);
    assert_eq!(header.await.unwrap(), Err(NoHeader::NotSubscribed));
    assert_eq!(start.elapsed(), Duration::ZERO);
    // A connection that subscribes later is not asked by that flow.
    let mut app = App::ready(&core);
    settle().await;
    app.not_asked();
}

#[tokio::test(start_paused = true)]
async fn a_connection_that_subscribes_within_the_grace_is_asked_and_its_token_wins() {
    let core = core_with_grace(Duration::from_millis(50));
    let start = Instant::now();
    let header = attest(&core);
    tokio::time::sleep(Duration::from_millis(20)).await;

    let mut app = App::ready(&core);
    settle().await;
    let id = app.asked();
    assert_eq!(start.elapsed(), Duration::from_millis(20));
    assert!(app.token(&id, "v1.just-in-time"));
    assert_eq!(header.await.unwrap(), Ok(s0("v1.just-in-time")));
    assert_eq!(core.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn within_the_grace_opting_in_after_subscribing_also_wakes_the_flow() {
    let core = core_with_grace(Duration::from_millis(50));
    // Subscribed but not yet initialized: not one to ask.
    let (queue, mut wire) = mpsc::channel(8);
    let connection = core.open(queue);
    assert!(connection.subscribe(THREAD));
    let header = attest(&core);
    tokio::time::sleep(Duration::from_millis(10)).await;
    assert!(wire.try_recv().is_err());

    connection.initialized(&ClientCapabilities {
        request_attestation: true,
    });
    settle().await;
    let request: Value = serde_json::from_str(wire.try_recv().unwrap().as_str()).unwrap();
    assert!(
        connection.handle_message(
            json!({ "id": request["id"], "result": { "token": "v1.opted" } })
                .to_string()
                .as_bytes()
        )
    );
    assert_eq!(header.await.unwrap(), Ok(s0("v1.opted")));
}

#[tokio::test(start_paused = true)]
async fn a_connection_that_arrives_within_the_grace_has_what_is_left_of_the_deadline() {
    let core = core_with_grace(Duration::from_secs(1));
    let start = Instant::now();
    let header = attest(&core);
    tokio::time::sleep(Duration::from_millis(60)).await;
    let mut app = App::ready(&core);
    settle().await;
    app.asked();
    // Silent: the deadline, counted from the call, ends the flow.
    assert_eq!(header.await.unwrap(), Ok(S1.to_vec()));
    assert_eq!(start.elapsed(), DEADLINE);
    assert_eq!(core.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_connection_that_subscribes_after_the_grace_is_not_asked_and_there_is_no_header() {
    let core = core_with_grace(Duration::from_millis(30));
    // A connection that opted in elsewhere, and one subscribed without
    // opting in: no one to ask for this thread during the grace.
    let mut elsewhere = App::open(&core, true);
    assert!(elsewhere.connection().subscribe("thread-2"));
    let mut silent_window = App::open(&core, false);
    assert!(silent_window.connection().subscribe(THREAD));
    let start = Instant::now();
    let header = attest(&core);

    assert_eq!(header.await.unwrap(), Err(NoHeader::NotOptedIn));
    assert_eq!(start.elapsed(), Duration::from_millis(30));
    tokio::time::sleep(Duration::from_millis(10)).await;
    let mut late = App::ready(&core);
    settle().await;
    late.not_asked();
    elsewhere.not_asked();
    silent_window.not_asked();
    assert_eq!(core.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn a_grace_longer_than_the_deadline_ends_with_the_deadline() {
    let core = core_with_grace(Duration::from_secs(10));
    let start = Instant::now();
    assert_eq!(attest(&core).await.unwrap(), Err(NoHeader::NotSubscribed));
    assert_eq!(start.elapsed(), DEADLINE);
}

#[tokio::test(start_paused = true)]
async fn a_flow_dropped_during_the_grace_leaves_nothing_behind() {
    let core = core_with_grace(Duration::from_millis(50));
    let header = attest(&core);
    tokio::time::sleep(Duration::from_millis(10)).await;
    header.abort();
    assert!(header.await.unwrap_err().is_cancelled());

    // The dropped flow no longer waits: a connection arriving now is not
    // asked, and nothing is pending.
    let mut app = App::ready(&core);
    settle().await;
    app.not_asked();
    assert_eq!(core.pending_count(), 0);
}

#[tokio::test(start_paused = true)]
async fn with_a_grace_a_connection_already_there_is_asked_at_once() {
    let core = core_with_grace(Duration::from_millis(50));
    let mut app = App::ready(&core);
    let start = Instant::now();
    let header = attest(&core);
    let id = app.asked();
    assert!(app.reject(&id));
    assert_eq!(header.await.unwrap(), Ok(S2.to_vec()));
    assert_eq!(start.elapsed(), Duration::ZERO);
}

/// Every pending attestation holds the flow's future: asking several
/// connections, and the startup grace, must not make the one-connection
/// flow heavier than one typed request (BENCHMARKS.md, "Peers, side by
/// side", has the bytes per pending).
#[tokio::test]
async fn the_flow_future_is_no_larger_than_one_typed_request() {
    use attestwire_protocol::{AttestationGenerate, AttestationGenerateParams};
    let core = core_with_grace(Duration::from_millis(50));
    let app = App::ready(&core);
    let flow = core.attestation_header(&AttestationContext::new(THREAD));
    let envelope = core.attestation_envelope(&AttestationContext::new(THREAD));
    let request = core.request::<AttestationGenerate>(
        app.connection().id(),
        AttestationGenerateParams {},
        DEADLINE,
    );
    assert!(
        std::mem::size_of_val(&flow) <= std::mem::size_of_val(&request),
        "flow {} B, request {} B",
        std::mem::size_of_val(&flow),
        std::mem::size_of_val(&request)
    );
    assert!(std::mem::size_of_val(&envelope) <= std::mem::size_of_val(&request));
}
