// What `parseServerMessage` costs on the line a desktop app reads most, an
// `attestation/generate` request, next to `JSON.parse` alone of the same
// line: ns per call for both, and the ratio (goal: at most 2×). Run by hand
// (numbers in BENCHMARKS.md); tests/tests/validators.rs runs it with a tiny
// count only to keep it working.
//
//   npm ci && (cd ../../generated && npm ci && npm run build)   # once
//   node tests/ts/bench-parse.mjs [--iterations N] [--rounds R]

import { parseServerMessage } from "@attestwire/protocol";

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

// What the server writes: compact, `jsonrpc` first, an integer id.
const LINE = '{"jsonrpc":"2.0","id":17,"method":"attestation/generate","params":{}}';

// Both loops keep what they made reachable (`sink`), so that neither call
// can be optimized away, and do the same work around the call.
let sink = 0;
const jsonParse = () => {
  const value = JSON.parse(LINE);
  sink += value.id;
};
const parse = () => {
  const result = parseServerMessage(LINE);
  if (!result.ok) throw new Error(result.error);
  sink += result.message.id;
};

function nsPerOp(fn) {
  const start = process.hrtime.bigint();
  for (let i = 0; i < iterations; i++) fn();
  return Number(process.hrtime.bigint() - start) / iterations;
}

// Warm up both (JIT), then take the median of alternating rounds so that a
// noisy neighbour hits both alike.
nsPerOp(jsonParse);
nsPerOp(parse);
const base = [];
const full = [];
for (let r = 0; r < rounds; r++) {
  base.push(nsPerOp(jsonParse));
  full.push(nsPerOp(parse));
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const a = median(base);
const b = median(full);
console.log(`line: ${LINE} (${LINE.length} bytes)`);
console.log(`node ${process.version}, ${iterations} iterations x ${rounds} rounds (median)`);
console.log(`JSON.parse          ${a.toFixed(1)} ns/op`);
console.log(`parseServerMessage  ${b.toFixed(1)} ns/op`);
console.log(`validation alone    ${(b - a).toFixed(1)} ns/op`);
console.log(`ratio               ${(b / a).toFixed(2)}x (goal: at most 2x)`);
if (sink === 0) console.log("unreachable");
