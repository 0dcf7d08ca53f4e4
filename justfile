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

# What CI runs, in order.
ci:
    bash .ci/run
