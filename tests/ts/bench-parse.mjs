// What `parseServerMessage` costs on the line a desktop app reads most, an
// `attestation/generate` request, next to `JSON.parse` alone of the same
// line: ns per call for both, and the ratio (goal: at most 2×). Run by hand
// (numbers in BENCHMARKS.md); tests/tests/validators.rs runs it with a tiny
// count only to keep it working.
//
//   npm ci && (cd ../../generated && npm ci && npm run build)   # once
//   node tests/ts/bench-parse.mjs [--iterations N] [--rounds R]

import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { parseServerMessage } from "@attestwire/protocol";

// The check alone, on an already-parsed value: not a root export (see
// validate.ts), so imported from the built file by path.
const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { validateAs } = await import(join(root, "generated", "dist", "esm", "validate.js"));

const args = process.argv.slice(2);
const option = (name, fallback) => {
  const at = args.indexOf(name);
  if (at < 0) return fallback;
  const n = Number(args[at + 1]);
  if (!Number.isSafeInteger(n) || n <= 0) {
    console.error(`${name} needs a positive integer`);
    process.exit(2);
  }
  return n;
};
const iterations = option("--iterations", 2_000_000);
const rounds = option("--rounds", 7);

// What the server writes: compact, `jsonrpc` first, an integer id. The
// request is the figure with the goal; the response (the second branch of
// `ServerMessage`, so the request branch is tried and fails first) is for
// comparison.
const LINES = [
  ["attestation/generate request", '{"jsonrpc":"2.0","id":17,"method":"attestation/generate","params":{}}'],
  ["initialize response", '{"jsonrpc":"2.0","id":"initialize-1","result":{"serverInfo":{"name":"attestwire","version":"0.1.0"}}}'],
];

// Both loops keep what they made reachable (`sink`), so that neither call
// can be optimized away, and do the same work around the call.
let sink = 0;

function nsPerOp(fn) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / iterations;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

console.log(`node ${process.version}, ${iterations} iterations x ${rounds} rounds (median)`);
for (const [name, line] of LINES) {
  const jsonParse = () => {
    const value = JSON.parse(line);
    sink += value.jsonrpc.length;
  };
  const parse = () => {
    const result = parseServerMessage(line);
    if (!result.ok) throw new Error(result.error);
    sink += result.message.jsonrpc.length;
  };
  // Warm up both (JIT), then take the median of alternating rounds so that
  // a noisy neighbour hits both alike.
  const parsed = JSON.parse(line);
  const check = () => {
    if (validateAs("ServerMessage", parsed) !== undefined) throw new Error("invalid");
    sink++;
  };
  nsPerOp(jsonParse);
  nsPerOp(parse);
  nsPerOp(check);
  const base = [];
  const full = [];
  const alone = [];
  for (let r = 0; r < rounds; r++) {
    base.push(nsPerOp(jsonParse));
    full.push(nsPerOp(parse));
    alone.push(nsPerOp(check));
  }
  const a = median(base);
  const b = median(full);
  console.log(`\n${name}: ${line} (${line.length} bytes)`);
  console.log(`  JSON.parse          ${a.toFixed(1)} ns/op`);
  console.log(`  parseServerMessage  ${b.toFixed(1)} ns/op`);
  console.log(`  difference          ${(b - a).toFixed(1)} ns/op`);
  console.log(`  check alone         ${median(alone).toFixed(1)} ns/op (validateAs on the parsed value)`);
  console.log(`  ratio               ${(b / a).toFixed(2)}x (goal: at most 2x)`);
}
if (sink === 0) console.log("unreachable");
