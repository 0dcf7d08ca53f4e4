# Thin wrappers over cargo; `.ci/run` does not need just.

# Regenerate schema/ and generated/src/ from the protocol types.
write-schema:
    cargo run -p attestwire-codegen -- write

# Fail with a diff when the committed generated files are stale.
check-schema:
    cargo run -p attestwire-codegen -- check

# Everything: Rust, snapshots, drift, conformance, TypeScript, Node end to end.
test:
    cargo test --workspace

# What CI lints.
lint:
    cargo fmt --all --check
    cargo clippy --workspace --all-targets -- -D warnings

# The benchmark table of BENCHMARKS.md (release; asserts nothing).
bench *FILTER:
    cargo bench -p attestwire-runtime -- {{FILTER}}
    cargo bench -p attestwire-codegen

# attestwire beside rmcp, async-lsp and tower-lsp-server (BENCHMARKS.md, "Peers, side by side");
# writes bench-peers/charts/*.svg.
bench-peers:
    cargo run --release --manifest-path bench-peers/Cargo.toml

# The app's side: @attestwire/client beside json-rpc-2.0 and vscode-jsonrpc
# (BENCHMARKS.md, "The app's side"); writes bench-ts/charts/*.svg.
bench-ts:
    node bench-ts/run.mjs

# Every bench in quick mode, as CI runs them: tiny counts, nothing written.
bench-quick:
    ATTESTWIRE_BENCH_QUICK=1 cargo test --workspace --bench '*'
    node bench-ts/run.mjs --quick
    PEERS_QUICK=1 cargo run --release --manifest-path bench-peers/Cargo.toml

# Coverage-guided fuzzing, each target for `seconds` (needs `cargo install cargo-fuzz`;
# RUSTC_BOOTSTRAP lets the stable toolchain take cargo-fuzz's nightly flags).
fuzz seconds="600":
    cd fuzz && for t in parse_message frame_reader connection; do mkdir -p corpus/$t && RUSTC_BOOTSTRAP=1 cargo fuzz run -O $t corpus/$t seeds/$t -- -max_total_time={{seconds}} -max_len=16384 || exit 1; done

# What CI runs, in order.
ci:
    bash .ci/run
