// Heap bytes per pending request of the built client (dist/esm), with the
// default 30 s deadline and with none, over in-memory streams whose server
// never answers. A measurement, not a test: `npm run build` first, then
//   node --expose-gc scripts/heap-per-pending.mjs
// The full comparison with other libraries is bench-ts (BENCHMARKS.md).
import { PassThrough, Writable } from "node:stream";
import { setTimeout as sleep } from "node:timers/promises";

import { connect } from "../dist/esm/index.js";

if (typeof gc !== "function") {
  console.error("run with node --expose-gc");
  process.exit(2);
}
const N = 20_000;

async function bytesPerPending(options) {
  const sink = new Writable({ write: (_chunk, _encoding, callback) => callback() });
  const client = connect({ readable: new PassThrough(), writable: sink }, options);
  for (let i = 0; i < 100; i++) client.requestRaw("warm", { i }).catch(() => {});
  await sleep(10);
  gc();
  const before = process.memoryUsage().heapUsed;
  const calls = [];
  for (let i = 0; i < N; i++) calls.push(client.requestRaw("bench/silent", { i }).catch(() => {}));
  await sleep(50);
  gc();
  const after = process.memoryUsage().heapUsed;
  await client.close();
  await Promise.all(calls);
  // Includes the caller's own promise from .catch() and its slot in `calls`.
  return (after - before) / N;
}

console.log(`default deadline (30 s): ${(await bytesPerPending({})).toFixed(0)} bytes per pending request`);
console.log(`no deadline:             ${(await bytesPerPending({ requestTimeoutMs: Infinity })).toFixed(0)} bytes per pending request`);
