//! Figure 2: the same round trip against the Node client over stdio.
// Written once the end-to-end TypeScript client exists (issue 4).

use crate::Row;

pub(crate) async fn process_round_trip() -> Vec<Row> {
    Vec::new()
}
