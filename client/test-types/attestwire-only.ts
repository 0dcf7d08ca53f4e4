// Without a host map: attestwire's methods alone, typed from the generated maps.

import { connect, spawnServer, type ClientOptions } from "../src/index.js";
import { PassThrough } from "node:stream";

const client = connect({ readable: new PassThrough(), writable: new PassThrough() });

export async function run(): Promise<void> {
  const init = await client.request("initialize", { clientInfo: { name: "a", version: "1" } });
  init.serverInfo.version satisfies string;
  // @ts-expect-error protocolVersion is a string when present
  init.protocolVersion satisfies number;
  // @ts-expect-error clientInfo is required
  await client.request("initialize", {});
  // @ts-expect-error no host map: turn/start is in neither map
  await client.request("turn/start", { threadId: "t1" });
  // @ts-expect-error no host map: nothing to handle
  client.onRequest("item/approve", () => null);
  await client.notify("initialized");
  // @ts-expect-error no such notification
  await client.notify("exit");
}

// @ts-expect-error the provider gives the token string
export const bad: ClientOptions = { attestation: () => 42 };
export const good: ClientOptions = { attestation: async () => "v1.token" };
// @ts-expect-error args are strings
spawnServer("server", [1]);
