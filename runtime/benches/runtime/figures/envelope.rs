//! Figure 6: building the header value for status 0 with a 2 KiB token.

use std::hint::black_box;
use std::time::Instant;

use attestwire_protocol::{AttestationHeader, AttestationToken};
use serde::Serialize;

use crate::Row;

#[derive(Serialize)]
struct Plain<'a> {
    v: u8,
    s: u8,
    t: &'a str,
}

fn ns_per_op(mut f: impl FnMut() -> usize) -> f64 {
    // 200,000 (1,000 in quick mode).
    let iterations: u32 = if crate::support::quick() {
        1_000
    } else {
        200_000
    };
    let mut sink = 0usize;
    for _ in 0..iterations / 10 {
        sink = sink.wrapping_add(f());
    }
    let start = Instant::now();
    for _ in 0..iterations {
        sink = sink.wrapping_add(f());
    }
    black_box(sink);
    start.elapsed().as_nanos() as f64 / f64::from(iterations)
}

pub(crate) fn envelope() -> Vec<Row> {
    let raw: String = (0..2048)
        .map(|i| char::from(b'!' + (i % 94) as u8))
        .collect();
    let token = AttestationToken::new(raw.clone()).unwrap();
    let header = AttestationHeader::ok(token);
    let plain = Plain {
        v: 1,
        s: 0,
        t: &raw,
    };
    assert_eq!(
        header.to_header_value(),
        serde_json::to_string(&plain).unwrap()
    );

    let ours = ns_per_op(|| black_box(&header).to_header_value().len());
    let theirs = ns_per_op(|| serde_json::to_string(black_box(&plain)).map_or(0, |s| s.len()));
    let ratio = ours / theirs;
    vec![Row {
        figure: "6 envelope, s=0, 2 KiB token",
        metric: "ns/op".into(),
        value: format!("{ours:.0} ns"),
        baseline: format!("{theirs:.0} ns serde_json::to_string"),
        ratio: Some(ratio),
        goal: "not slower (≤ 1.0)",
        met: Some(ratio <= 1.0),
    }]
}
