// The desktop app of the runtime bench's figure 2 (BENCHMARKS.md): an app on
// @attestwire/client over its own stdin/stdout, as a server would spawn it.
// It opts in to attestation, completes the handshake, answers every
// `attestation/generate` with the token and exits when stdin closes.
//
//   node bench-ts/app.mjs        (after client/ is built and bench-ts/ installed)

import { connect } from "@attestwire/client";

const TOKEN = "v1.opaque-client-payload";

const client = connect(
  { readable: process.stdin, writable: process.stdout },
  { attestation: () => TOKEN },
);
client
  .request("initialize", {
    clientInfo: { name: "bench-app", version: "0" },
    capabilities: { requestAttestation: true },
  })
  .then(() => client.notify("initialized"))
  .catch((error) => {
    // A close during the handshake is reported by `closed` below.
    if (error?.name !== "ConnectionClosedError") process.stderr.write(`bench-app: handshake failed: ${error}\n`);
  });
const info = await client.closed;
// stdin's end ("stdout-end" from the client's side: the server's output) is
// the normal way out.
process.exit(info.reason === "stdout-end" || info.reason === "closed" ? 0 : 1);
