// A Codex-shaped desktop app on `@attestwire/client` (tests/tests/e2e_codex_host.rs):
// over its stdio it drives examples/codex-host through `initialize`, `thread/start`
// and TURNS `turn/start`s, answering `item/approve` and `attestation/generate`.
// The host's methods are typed by the map below; the test modes are in modes.ts.
//   node tests/ts/build/codex-client/main.js MODE [MS] [--turns N]
import { connect } from "@attestwire/client";

import { approve, attest, log, options, output } from "./modes.js";

type Thread = { threadId: string };
type Approval = { decision: "approved" };
/** The host's own methods (examples/codex-host/README.md), beside attestwire's. */
type Codex = {
  requests: {
    "thread/start": { params: Thread; response: Thread };
    "turn/start": { params: Thread; response: { approval: Approval | null; attestation: string | null } };
  };
  serverRequests: { "item/approve": { params: Thread; response: Approval } };
};

const thread = { threadId: "thread-codex-e2e" };
const client = connect<Codex>({ readable: process.stdin, writable: output() }, { attestation: attest });
client.onRequest("item/approve", approve);
// The host ended our stdin: done.
void client.closed.then(({ reason }) => log(`connection closed: ${reason}`)).then(() => process.exit(0));
try {
  await client.request("initialize", {
    clientInfo: { name: "codex-e2e-client", version: "0.1.0" },
    capabilities: { requestAttestation: options.mode !== "no-opt-in", experimentalApi: true },
  });
  await client.notify("initialized");
  await client.request("thread/start", thread);
  for (let turn = 0; turn < options.turns; turn++) {
    log(`turn ${JSON.stringify(await client.request("turn/start", thread))}`);
  }
} catch (error) {
  log(`a request failed: ${String(error)}`);
  process.exit(1);
}
