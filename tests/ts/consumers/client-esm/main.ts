// An ES module app: `import` resolves the client's (and the protocol's) "import" condition.
import { PassThrough } from "node:stream";

import { ConnectionClosedError, RemoteError, connect } from "@attestwire/client";
import { ATTESTATION_HEADER_NAME } from "@attestwire/protocol";

import { fakeServer, type Host } from "./server.js";

const toClient = new PassThrough();
const toServer = new PassThrough();
const server = fakeServer(toServer, toClient);
const client = connect<Host>(
  { readable: toClient, writable: toServer },
  { attestation: () => "v1.opaque-client-payload" },
);

// @ts-expect-error a method in neither map; unused (an error) if the types were not found
export const notAMethod = () => client.request("host/unknown", {});

const init = await client.request("initialize", {
  clientInfo: { name: "consumer", version: "1.0.0" },
  capabilities: { requestAttestation: true },
});
await client.notify("initialized");
const echo = await client.request("host/echo", { n: 2 });
const refused = await client.request("host/refuse", {}).catch((e: unknown) => e instanceof RemoteError && e.code);
const token = await server.token;
const pending = client.request("host/echo", { n: 3 }).catch((e: unknown) => e instanceof ConnectionClosedError);
const closed = await client.close();

console.log(
  JSON.stringify({
    consumer: "client-esm",
    loaded: import.meta.resolve("@attestwire/client").split("/node_modules/").pop(),
    server: init.serverInfo.name,
    echo: echo.n,
    refused,
    header: ATTESTATION_HEADER_NAME,
    token,
    pendingRejected: await pending,
    closed: closed.reason,
  }),
);
