//! The seven figures of issue 5, each with the baseline it is compared to.

mod envelope;
mod inmemory;
mod process;
mod scale;

pub(crate) use envelope::envelope;
pub(crate) use inmemory::{disconnect_latency, round_trip, timeout_precision};
pub(crate) use process::{prepare_app, process_round_trip};
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

/// The p50 and p99 rows of one side's `samples` beside the `baseline`
/// side's; `label` (if not empty) names the side after the percentile, and
/// `goal` is the p50 ratio's goal, as text and limit.
pub(crate) fn p50_p99_rows(
    figure: &'static str,
    label: &str,
    samples: &mut [Duration],
    baseline: &mut [Duration],
    what: &str,
    goal: Option<(&'static str, f64)>,
) -> [crate::Row; 2] {
    let (p50, p99) = p50_p99(samples);
    let (b50, b99) = p50_p99(baseline);
    let metric = |p: &str| {
        if label.is_empty() {
            p.to_owned()
        } else {
            format!("{p}, {label}")
        }
    };
    let (text, met) = match goal {
        Some((text, limit)) => (text, Some(p50.as_secs_f64() / b50.as_secs_f64() <= limit)),
        None => ("–", None),
    };
    [
        latency_row(figure, &metric("p50"), p50, b50, what, text, met),
        latency_row(figure, &metric("p99"), p99, b99, what, "–", None),
    ]
}

/// p50 and p99 of `samples` (sorted in place).
pub(crate) fn p50_p99(samples: &mut [Duration]) -> (Duration, Duration) {
    samples.sort();
    (
        crate::support::percentile(samples, 50.0),
        crate::support::percentile(samples, 99.0),
    )
}
