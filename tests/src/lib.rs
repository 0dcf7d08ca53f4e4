//! Shared helpers for the cross-crate tests: the wire vectors, and running
//! Node and the TypeScript compilers, and a recording upstream server.

pub mod bins;
pub mod checkout;
pub mod differences;
pub mod node;
pub mod schemas;
pub mod strategies;
pub mod upstream;
pub mod vectors;
