// A host with its own methods (shaped like codex-host) beside attestwire's:
// typed without casts; a method in neither map is a type error unless raw.

import {
  RemoteError,
  spawnServer,
  type ClosedInfo,
  type HostMethods,
} from "../src/index.js";

type Codex = {
  requests: {
    "thread/start": { params: { threadId: string }; response: { threadId: string } };
    "turn/start": {
      params: { threadId: string };
      response: { approval: unknown; attestation: string | null };
    };
  };
  notifications: { "turn/interrupt": { params: { threadId: string } } };
  serverRequests: {
    "item/approve": { params: { threadId: string }; response: { decision: "accept" | "decline" } };
  };
  serverNotifications: { "thread/updated": { params: { threadId: string; title: string } } };
};

// A host map is a HostMethods.
const _isHost: HostMethods = {} as Codex;

const client = spawnServer<Codex>("codex-host", [], {
  attestation: async ({ signal }) => (signal.aborted ? "v1.aborted" : "v1.token"),
  requestTimeoutMs: 30_000,
  maxLineBytes: 1 << 20,
  writeStallMs: 10_000,
  onProtocolError: (error) => error.kind satisfies string,
  onStderr: (line: string) => line.length,
});

client.onRequest("item/approve", async (params, { signal }) => {
  params.threadId satisfies string;
  signal satisfies AbortSignal;
  return { decision: "accept" };
});
// @ts-expect-error the answer must fit the host's response type
client.onRequest("item/approve", () => ({ decision: "maybe" }));
// @ts-expect-error attestation/generate is answered by the `attestation` option
client.onRequest("attestation/generate", () => ({ token: "x" }));
// @ts-expect-error not a server request of either map
client.onRequest("item/unknown", () => null);
client.onRequestRaw("item/unknown", (params: unknown) => params);

client.onNotification("thread/updated", (params) => {
  params.title satisfies string;
});
// @ts-expect-error not a server notification of the host's map
client.onNotification("thread/deleted", () => {});

export async function run(signal: AbortSignal): Promise<ClosedInfo> {
  const init = await client.request("initialize", {
    clientInfo: { name: "app", version: "1.0.0" },
    capabilities: { requestAttestation: true },
  });
  init.serverInfo.name satisfies string;
  await client.notify("initialized");
  // @ts-expect-error initialized takes no params
  await client.notify("initialized", { extra: 1 });

  const thread = await client.request("thread/start", { threadId: "t1" });
  thread.threadId satisfies string;
  const turn = await client.request("turn/start", { threadId: "t1" }, { timeoutMs: 5_000, signal });
  turn.attestation satisfies string | null;
  await client.notify("turn/interrupt", { threadId: "t1" });

  // @ts-expect-error params must fit the method
  await client.request("turn/start", { thread: "t1" });
  // @ts-expect-error turn/start needs its params
  await client.request("turn/start");
  // @ts-expect-error a method in neither map
  await client.request("turn/steer", {});
  const raw: unknown = await client.requestRaw("turn/steer", { anything: true });
  void raw;

  try {
    await client.request("turn/start", { threadId: "t2" });
  } catch (error) {
    if (error instanceof RemoteError) error.code satisfies number;
  }
  await client.close({ graceMs: 2_000 });
  const info = await client.closed;
  info.exitCode satisfies number | null;
  info.signal satisfies string | null;
  return info;
}

// A host may redefine one of ours: its `initialize` takes its own capabilities.
type Redefined = {
  requests: {
    initialize: {
      params: { clientInfo: { name: string; version: string }; capabilities?: { requestAttestation?: boolean; experimentalApi?: boolean } };
      response: { serverInfo: { name: string; version: string } };
    };
  };
};
export async function redefined(): Promise<void> {
  const other = spawnServer<Redefined>("codex-host");
  await other.request("initialize", {
    clientInfo: { name: "app", version: "1" },
    capabilities: { requestAttestation: true, experimentalApi: true },
  });
}
