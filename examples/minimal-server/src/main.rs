//! The smallest server that adopts attestwire: it serves one connection
//! over stdin/stdout and exits when the client closes it.

use attestwire_protocol::ServerInfo;
use attestwire_runtime::{Server, ServerConfig};

#[tokio::main(flavor = "current_thread")]
async fn main() {
    let server = Server::new(ServerConfig::new(ServerInfo {
        name: "minimal-server".to_owned(),
        version: env!("CARGO_PKG_VERSION").to_owned(),
    }));
    if let Err(error) = server
        .connect(tokio::io::stdin(), tokio::io::stdout())
        .serve()
        .await
    {
        eprintln!("minimal-server: {error}");
        std::process::exit(1);
    }
}
