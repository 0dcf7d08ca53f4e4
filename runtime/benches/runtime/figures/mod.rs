//! The seven figures of issue 5, each with the baseline it is compared to.

mod codegen;
mod envelope;
mod inmemory;
mod process;
mod scale;

pub(crate) use codegen::codegen;
pub(crate) use envelope::envelope;
pub(crate) use inmemory::{disconnect_latency, round_trip, timeout_precision};
pub(crate) use process::process_round_trip;
pub(crate) use scale::scale;

use std::time::Duration;

/// Formats a duration in µs or ms, whichever reads better.
pub(crate) fn fmt(d: Duration) -> String {
    if d < Duration::from_millis(1) {
        format!("{:.1} µs", d.as_secs_f64() * 1e6)
    } else {
        format!("{:.2} ms", d.as_secs_f64() * 1e3)
    }
}

/// A latency row: `value` beside the same-run `baseline` (described by
/// `what`), with their ratio.
pub(crate) fn latency_row(
    figure: &'static str,
    metric: &str,
    value: Duration,
    baseline: Duration,
    what: &str,
    goal: &'static str,
    met: Option<bool>,
) -> crate::Row {
    crate::Row {
        figure,
        metric: metric.into(),
        value: fmt(value),
        baseline: format!("{} {what}", fmt(baseline)),
        ratio: Some(value.as_secs_f64() / baseline.as_secs_f64().max(1e-9)),
        goal,
        met,
    }
}

/// p50 and p99 of `samples` (sorted in place).
pub(crate) fn p50_p99(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort();
    (
        crate::support::percentile(samples, 50.0),
        crate::support::percentile(samples, 99.0),
    )
}
