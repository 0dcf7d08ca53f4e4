//! Any line parsed as any message type: no panic, and whatever parses
//! re-serializes to a value that parses back equal.
#![no_main]

use attestwire_protocol as p;
use libfuzzer_sys::fuzz_target;
use serde::Serialize;
use serde::de::DeserializeOwned;

fn round_trip<T: Serialize + DeserializeOwned + PartialEq + std::fmt::Debug>(data: &[u8]) {
    if let Ok(value) = serde_json::from_slice::<T>(data) {
        let text = serde_json::to_string(&value).expect("a parsed value serializes");
        let back: T = serde_json::from_str(&text).expect("what serde writes, serde reads");
        assert_eq!(back, value);
    }
}

fuzz_target!(|data: &[u8]| {
    round_trip::<p::JsonRpcMessage>(data);
    round_trip::<p::ClientRequest>(data);
    round_trip::<p::ClientNotification>(data);
    round_trip::<p::AttestationGenerateResponse>(data);
    round_trip::<p::AttestationHeader>(data);
    round_trip::<p::InitializeParams>(data);
    if let Ok(header) = serde_json::from_slice::<p::AttestationHeader>(data) {
        let value = header.to_header_value();
        assert!(value.bytes().all(|b| (0x21..=0x7E).contains(&b)));
        assert_eq!(value, serde_json::to_string(&header).expect("serializes"));
    }
});
