//! The markdown tables the binary prints (BENCHMARKS.md, "Peers, side by side").

use std::fmt::Write as _;
use std::time::Duration;

use crate::measure::{Leftovers, Memory, percentile};

/// Everything measured for one side.
pub(crate) struct SideResult {
    pub(crate) name: &'static str,
    pub(crate) is_peer: bool,
    /// Round trips, sorted.
    pub(crate) latency: Vec<Duration>,
    pub(crate) throughput: f64,
    pub(crate) memory: Option<Memory>,
    pub(crate) leftovers: Option<Leftovers>,
    /// Single requests on a silent app, returned after; sorted.
    pub(crate) timeout: Vec<Duration>,
    /// The row's name in the timeout table.
    pub(crate) timeout_name: &'static str,
}

fn us(d: Duration) -> String {
    format!("{:.1} µs", d.as_secs_f64() * 1e6)
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1e3)
}

/// A late answer freeing less than this per request means no entry was
/// left (allocator noise, buffers).
const ENTRY_BYTES: f64 = 16.0;

fn left_behind(l: &Leftovers, n: usize) -> String {
    match l.pending {
        Some(k) => format!("{k} (its own count)"),
        None if l.freed_by_late_answers >= ENTRY_BYTES => format!(
            "all {n} (inferred: late answers then freed {:.0} B each)",
            l.freed_by_late_answers
        ),
        None => format!(
            "0 (inferred: late answers then freed {:.0} B each)",
            l.freed_by_late_answers
        ),
    }
}

fn returns(l: &Leftovers) -> String {
    l.outcomes
        .iter()
        .map(|(what, count)| format!("`{what}` ×{count}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn cancels(l: &Leftovers) -> String {
    if l.cancels_seen == 0 {
        "no".to_owned()
    } else {
        format!("yes, {} for {} requests", l.cancels_seen, l.requests_seen)
    }
}

/// The tables and the goals, as markdown.
pub(crate) fn tables(sides: &[SideResult], in_flight: usize) -> String {
    let peers = sides.iter().filter(|s| s.is_peer);
    let fastest_p50 = peers
        .clone()
        .map(|s| percentile(&s.latency, 50.0))
        .min()
        .unwrap_or(Duration::MAX);
    let fastest_throughput = peers.clone().map(|s| s.throughput).fold(0.0, f64::max);
    let smallest = peers
        .clone()
        .filter_map(|s| s.memory.as_ref().map(|m| m.bytes))
        .fold(f64::INFINITY, f64::min);
    let mut out = String::new();
    let _ = writeln!(
        out,
        "| side | p50 | p99 | p50 ÷ fastest peer's | round trips/s, {in_flight} in flight | fastest peer's ÷ this | bytes per pending (heap blocks; the future's size) | on the 100 ms deadline it returns | pending left after it | cancel sent |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|---|---|---|");
    for s in sides {
        let p50 = percentile(&s.latency, 50.0);
        let bytes = s.memory.as_ref().map_or_else(
            || "–".to_owned(),
            |m| format!("{:.0} B ({:.1}; {} B)", m.bytes, m.blocks, m.future),
        );
        let (ret, left, cancel) = match &s.leftovers {
            Some(l) => (returns(l), left_behind(l, l.requests_seen), cancels(l)),
            None => ("–".to_owned(), "–".to_owned(), "–".to_owned()),
        };
        let _ = writeln!(
            out,
            "| {} | {} | {} | {:.2} | {:.0} | {:.2} | {} | {} | {} | {} |",
            s.name,
            us(p50),
            us(percentile(&s.latency, 99.0)),
            p50.as_secs_f64() / fastest_p50.as_secs_f64(),
            s.throughput,
            fastest_throughput / s.throughput,
            bytes,
            ret,
            left,
            cancel,
        );
    }

    let _ = writeln!(
        out,
        "\nOn a silent app, {in_flight} requests at once under the 100 ms deadline:\n"
    );
    let _ = writeln!(
        out,
        "| side | requests the app saw | last returned after | cancels the app saw | library's pending count after / after late answers | heap still held after, per request | freed by late answers, per request |"
    );
    let _ = writeln!(out, "|---|---|---|---|---|---|---|");
    for s in sides {
        let Some(l) = &s.leftovers else { continue };
        let count =
            |c: Option<usize>| c.map_or_else(|| "not readable".to_owned(), |c| c.to_string());
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} / {} | {:.0} B | {:.0} B |",
            s.name,
            l.requests_seen,
            ms(l.last_returned),
            l.cancels_seen,
            count(l.pending),
            count(l.pending_after_late),
            l.retained,
            l.freed_by_late_answers,
        );
    }

    let _ = writeln!(
        out,
        "\nOne request at a time on a silent app, deadline 100 ms, returned after:\n"
    );
    let _ = writeln!(out, "| side | p50 | p99 | max | samples |");
    let _ = writeln!(out, "|---|---|---|---|---|");
    for s in sides {
        if s.timeout.is_empty() {
            continue;
        }
        let _ = writeln!(
            out,
            "| {} | {} | {} | {} | {} |",
            s.timeout_name,
            ms(percentile(&s.timeout, 50.0)),
            ms(percentile(&s.timeout, 99.0)),
            ms(s.timeout[s.timeout.len() - 1]),
            s.timeout.len()
        );
    }

    if let Some(ours) = sides.iter().find(|s| s.name == crate::sides::ATTESTWIRE) {
        let p50_ratio = percentile(&ours.latency, 50.0).as_secs_f64() / fastest_p50.as_secs_f64();
        let throughput_ratio = fastest_throughput / ours.throughput;
        let bytes = ours.memory.as_ref().map_or(f64::INFINITY, |m| m.bytes);
        let left = ours
            .leftovers
            .as_ref()
            .is_some_and(|l| l.pending == Some(0) && l.freed_by_late_answers < ENTRY_BYTES);
        let met = |ok: bool| if ok { "met" } else { "**not met**" };
        let _ = writeln!(out, "\nGoals for attestwire:\n");
        let _ = writeln!(
            out,
            "- p50 ÷ fastest peer's ≤ 1.0: {p50_ratio:.2}, {}",
            met(p50_ratio <= 1.0)
        );
        let _ = writeln!(
            out,
            "- fastest peer's throughput ÷ ours ≤ 1.0: {throughput_ratio:.2}, {}",
            met(throughput_ratio <= 1.0)
        );
        let _ = writeln!(
            out,
            "- bytes per pending ≤ the smallest peer's ({smallest:.0} B): {bytes:.0} B, {}",
            met(bytes <= smallest)
        );
        let _ = writeln!(out, "- nothing left behind: {}", met(left));
    }
    out
}
