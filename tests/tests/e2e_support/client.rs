//! The TypeScript desktop-app client of `tests/ts/client/`, compiled with
//! tsc once per test process. Shared by the end-to-end tests and the probe's
//! tests (`probe/tests/`, through `#[path]`), so there is one way to build it.

use std::fs;
use std::io::ErrorKind;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};

use attestwire_tests::node::{self, NodeLock, Tsc};

/// The client's tsconfig, relative to the repository root (where `tsc` runs).
const TSCONFIG: &str = "tests/ts/client/tsconfig.json";

/// Node ready ([`node::prepare`]), the client compiled, and the lock that
/// keeps another test process from rebuilding `generated/dist` or the client
/// while this test's Node processes import them: hold it until every client
/// of the test has exited.
pub(crate) struct CompiledClient {
    pub(crate) lock: NodeLock,
    /// `tests/ts/build/client/main.js`, run as `node main.js MODE …`.
    pub(crate) main_js: PathBuf,
}

pub(crate) fn compiled_client() -> CompiledClient {
    static BUILT: AtomicBool = AtomicBool::new(false);
    let lock = node::prepare();
    let out = node::build_dir().join("client");
    if !BUILT.load(Ordering::SeqCst) {
        // tsc never deletes outputs: start from nothing, so that a file
        // removed from the client cannot linger in the build.
        match fs::remove_dir_all(&out) {
            Ok(()) => {}
            Err(e) if e.kind() == ErrorKind::NotFound => {}
            Err(e) => panic!("cannot remove {}: {e}", out.display()),
        }
        node::tsc(Tsc::V5_9, &["-p", TSCONFIG]);
        // The app must build with the native compiler too, as the package
        // promises; only 5.9 emits, so there is one set of outputs.
        node::tsc(Tsc::V7, &["-p", TSCONFIG, "--noEmit"]);
        BUILT.store(true, Ordering::SeqCst);
    }
    CompiledClient {
        lock,
        main_js: out.join("main.js"),
    }
}
