//! What the probe prints: one line per attempt (human or JSON) and the
//! summary.

use std::fmt::Write as _;
use std::time::Duration;

use attestwire_protocol::AttestationStatus;
use serde::Serialize;

/// The result of one attestation attempt.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Attempt {
    /// 1-based.
    pub(crate) number: u32,
    /// The header value and its status, or `None` when no header would be
    /// sent (the client did not opt in).
    pub(crate) header: Option<(AttestationStatus, String)>,
    pub(crate) elapsed: Duration,
}

/// The status names of the JSON output and the summary: the TypeScript
/// constant names of `AttestationStatus`, in camelCase.
pub(crate) fn status_name(status: AttestationStatus) -> &'static str {
    match status {
        AttestationStatus::Ok => "ok",
        AttestationStatus::Timeout => "timeout",
        AttestationStatus::RequestFailed => "requestFailed",
        AttestationStatus::RequestCanceled => "requestCanceled",
        AttestationStatus::MalformedResponse => "malformedResponse",
    }
}

pub(crate) const NO_HEADER: &str =
    "no header: the client did not set capabilities.requestAttestation";

/// `--json`: keys in this order, `null`s when there is no header.
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct JsonAttempt<'a> {
    attempt: u32,
    status: Option<u8>,
    status_name: Option<&'static str>,
    header: Option<&'a str>,
    elapsed_us: u64,
}

impl Attempt {
    pub(crate) fn elapsed_us(&self) -> u64 {
        u64::try_from(self.elapsed.as_micros()).unwrap_or(u64::MAX)
    }

    /// The human line, without its newline.
    pub(crate) fn human_line(&self) -> String {
        match &self.header {
            Some((status, value)) => format!(
                "x-oai-attestation: {value}  {}  {}",
                status_name(*status),
                millis(self.elapsed)
            ),
            None => NO_HEADER.to_owned(),
        }
    }

    /// The `--json` line, without its newline.
    pub(crate) fn json_line(&self) -> String {
        let line = JsonAttempt {
            attempt: self.number,
            status: self.header.as_ref().map(|(status, _)| status.code()),
            status_name: self.header.as_ref().map(|(status, _)| status_name(*status)),
            header: self.header.as_ref().map(|(_, value)| value.as_str()),
            elapsed_us: self.elapsed_us(),
        };
        // A struct of numbers and strings always serializes.
        serde_json::to_string(&line).unwrap_or_default()
    }
}

/// `12.345 ms`: microsecond precision, one unit for every line.
pub(crate) fn millis(elapsed: Duration) -> String {
    let us = elapsed.as_micros();
    format!("{}.{:03} ms", us / 1000, us % 1000)
}

/// The nearest-rank percentile `p` (0 < p ≤ 100) of sorted values.
fn percentile(sorted: &[Duration], p: usize) -> Option<Duration> {
    let rank = (sorted.len() * p).div_ceil(100).max(1);
    sorted.get(rank - 1).copied()
}

/// The summary lines: counts per status (every status, so that scripts find
/// each), attempts not run, and p50/p99 elapsed over the attempts run.
pub(crate) fn summary(attempts: &[Attempt], requested: u32) -> String {
    let mut out = String::new();
    let run = attempts.len();
    let _ = write!(out, "{run} attempt{}:", if run == 1 { "" } else { "s" });
    for status in AttestationStatus::ALL {
        let n = attempts
            .iter()
            .filter(|a| a.header.as_ref().is_some_and(|(s, _)| *s == status))
            .count();
        let _ = write!(out, " {} {n},", status_name(status));
    }
    let none = attempts.iter().filter(|a| a.header.is_none()).count();
    let _ = write!(out, " no header {none}");
    let not_run = usize::try_from(requested)
        .unwrap_or(usize::MAX)
        .saturating_sub(run);
    if not_run > 0 {
        let _ = write!(out, ", not run {not_run}");
    }
    out.push('\n');
    let mut elapsed: Vec<Duration> = attempts.iter().map(|a| a.elapsed).collect();
    elapsed.sort_unstable();
    if let (Some(p50), Some(p99)) = (percentile(&elapsed, 50), percentile(&elapsed, 99)) {
        let _ = writeln!(out, "elapsed: p50 {}, p99 {}", millis(p50), millis(p99));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn attempt(number: u32, header: Option<(AttestationStatus, &str)>, us: u64) -> Attempt {
        Attempt {
            number,
            header: header.map(|(s, v)| (s, v.to_owned())),
            elapsed: Duration::from_micros(us),
        }
    }

    #[test]
    fn json_line_has_the_issue_keys_in_order() {
        let ok = attempt(
            1,
            Some((AttestationStatus::Ok, r#"{"v":1,"s":0,"t":"v1.x"}"#)),
            412,
        );
        assert_eq!(
            ok.json_line(),
            r#"{"attempt":1,"status":0,"statusName":"ok","header":"{\"v\":1,\"s\":0,\"t\":\"v1.x\"}","elapsedUs":412}"#
        );
        assert_eq!(
            attempt(2, None, 7).json_line(),
            r#"{"attempt":2,"status":null,"statusName":null,"header":null,"elapsedUs":7}"#
        );
    }

    #[test]
    fn human_lines() {
        let timeout = attempt(
            1,
            Some((AttestationStatus::Timeout, r#"{"v":1,"s":1}"#)),
            100_912,
        );
        assert_eq!(
            timeout.human_line(),
            r#"x-oai-attestation: {"v":1,"s":1}  timeout  100.912 ms"#
        );
        assert_eq!(attempt(1, None, 5).human_line(), NO_HEADER);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let values: Vec<Duration> = (1..=100).map(Duration::from_millis).collect();
        assert_eq!(percentile(&values, 50), Some(Duration::from_millis(50)));
        assert_eq!(percentile(&values, 99), Some(Duration::from_millis(99)));
        let one = [Duration::from_millis(3)];
        assert_eq!(percentile(&one, 50), Some(one[0]));
        assert_eq!(percentile(&one, 99), Some(one[0]));
        assert_eq!(percentile(&[], 50), None);
    }

    #[test]
    fn summary_counts_every_status_and_what_did_not_run() {
        let attempts = [
            attempt(1, Some((AttestationStatus::Ok, "")), 1000),
            attempt(2, Some((AttestationStatus::RequestCanceled, "")), 3000),
        ];
        assert_eq!(
            summary(&attempts, 4),
            "2 attempts: ok 1, timeout 0, requestFailed 0, requestCanceled 1, malformedResponse 0, no header 0, not run 2\n\
             elapsed: p50 1.000 ms, p99 3.000 ms\n"
        );
        assert_eq!(
            summary(&[], 1),
            "0 attempts: ok 0, timeout 0, requestFailed 0, requestCanceled 0, malformedResponse 0, no header 0, not run 1\n"
        );
    }
}
