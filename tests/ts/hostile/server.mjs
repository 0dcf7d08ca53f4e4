// A hostile server for `@attestwire/client`: a JSONL JSON-RPC peer over its
// stdio whose misbehaviour is chosen by its one argument. hostile.test.mjs
// spawns it through the client and asserts each case's outcome.
//
//   node tests/ts/hostile/server.mjs MODE
//
// Plain Node and no dependency, on purpose: it starts in tens of
// milliseconds, needs no build step, and can do what a well-typed peer
// cannot (raw bytes, invalid UTF-8, a line without end, ignoring SIGTERM).
//
// Every mode answers `initialize` with a valid result, and answers the
// host-style request `hostile/echo` with its params and `hostile/pid` with
// `{ pid }`, except where its mode says otherwise:
//   polite      nothing more; exits 0 when stdin ends
//   garbage     before each answer writes lines that are not JSON-RPC
//               messages (GARBAGE in cases.mjs); once, a torn line on stderr
//   oversize    answers `hostile/echo` with a line that never ends
//   die         exits with code 3 on `hostile/echo`, without answering
//   kill        kills itself with SIGKILL on `hostile/echo`
//   silent      never answers `hostile/echo`; answers `hostile/late` after
//               `params.ms` milliseconds
//   flood       on the notification `hostile/flood` `{ count }` sends COUNT
//               requests of its own at once (see `flood`), then reports
//   deaf        stops reading stdin after `initialize` and never answers again
//   dupes       answers `hostile/dupe` twice, then answers two ids never sent;
//               answers `hostile/both` with both a result and an error
//   utf8        on `hostile/echo` writes invalid UTF-8, then an answer whose
//               multi-byte characters are split across writes
//   no-jsonrpc  omits `jsonrpc` from everything it writes; reports what it
//               read on `hostile/report` (lines, how many lacked
//               `jsonrpc`, and the answers to its own requests by id)
//   stubborn    ignores both the end of stdin and SIGTERM
//   eof-deaf    ignores the end of stdin; SIGTERM ends it
//   close-stdin on `hostile/close-stdin` closes its stdin, answers, and
//               lives on until SIGTERM
//
// It never exits on its own except as its mode says, or after LIFETIME_MS so
// that a broken client cannot leave it behind forever.

import { closeSync, readSync } from "node:fs";
import process from "node:process";

import { GARBAGE, MULTIBYTE, STRAY_IDS } from "./cases.mjs";

const MODES = [
  "polite",
  "garbage",
  "oversize",
  "die",
  "kill",
  "silent",
  "flood",
  "deaf",
  "dupes",
  "utf8",
  "no-jsonrpc",
  "stubborn",
  "eof-deaf",
  "close-stdin",
];

/** The id of the `attestation/generate` request that follows the flood. */
const FLOOD_ATTESTATION_ID = "hostile-attest-flood";

/** A backstop only: every scenario ends long before. */
const LIFETIME_MS = 120_000;

function main(mode) {
  if (!MODES.includes(mode)) {
    process.stderr.write(`hostile: unknown mode ${mode}; modes: ${MODES.join(" ")}\n`);
    process.exit(2);
  }
  setTimeout(() => process.exit(9), LIFETIME_MS);
  // The client may close our stdout while we write (oversize, deaf): that
  // is its right; leave quietly.
  process.stdout.on("error", () => process.exit(0));
  new Server(mode).start();
}

class Server {
  constructor(mode) {
    this.mode = mode;
    this.buffered = Buffer.alloc(0);
    this.nextId = 0;
    /** What the client sent, for `no-jsonrpc`'s report and `flood`'s tally. */
    this.read = { lines: 0, withoutJsonrpc: 0, answers: {} };
    this.flood = null;
    this.tore = false;
    this.inputClosed = false;
  }

  start() {
    if (this.mode === "stubborn" || this.mode === "eof-deaf" || this.mode === "close-stdin") {
      // Keeps the process alive after stdin ends.
      setInterval(() => {}, 1_000);
    }
    if (this.mode === "stubborn") {
      process.on("SIGTERM", () => process.stderr.write("hostile: ignoring SIGTERM\n"));
    }
    if (this.mode === "close-stdin") {
      this.readUntilClosed();
      return;
    }
    process.stdin.on("data", (chunk) => this.onData(chunk));
    process.stdin.on("end", () => {
      if (this.mode === "stubborn" || this.mode === "eof-deaf") {
        process.stderr.write("hostile: ignoring the end of stdin\n");
        return;
      }
      process.exit(0);
    });
  }

  /**
   * For `close-stdin`: reads fd 0 synchronously until `hostile/close-stdin`
   * has closed it. Never through `process.stdin`: Node keeps the descriptor
   * open when that stream is destroyed, and libuv aborts when it is closed
   * under the stream.
   */
  readUntilClosed() {
    const chunk = Buffer.alloc(64 * 1024);
    while (!this.inputClosed) {
      let n;
      try {
        n = readSync(0, chunk);
      } catch (error) {
        if (error.code === "EAGAIN") continue;
        throw error;
      }
      if (n === 0) return;
      this.onData(Buffer.from(chunk.subarray(0, n)));
    }
  }

  onData(chunk) {
    this.buffered = Buffer.concat([this.buffered, chunk]);
    let end = this.buffered.indexOf(10);
    while (end >= 0) {
      const line = this.buffered.subarray(0, end).toString("utf8");
      this.buffered = this.buffered.subarray(end + 1);
      if (line.trim() !== "") this.onLine(line);
      end = this.buffered.indexOf(10);
    }
  }

  /** Writes one message, without `jsonrpc` in the `no-jsonrpc` mode. */
  send(message) {
    const { jsonrpc, ...rest } = message;
    const out = this.mode === "no-jsonrpc" ? rest : { jsonrpc, ...rest };
    process.stdout.write(`${JSON.stringify(out)}\n`);
  }

  result(id, result) {
    this.send({ jsonrpc: "2.0", id, result });
  }

  onLine(line) {
    let message;
    try {
      message = JSON.parse(line);
    } catch {
      process.stderr.write(`hostile: the client wrote a line that is not JSON: ${line.slice(0, 80)}\n`);
      return;
    }
    this.read.lines++;
    if (message.jsonrpc !== "2.0") this.read.withoutJsonrpc++;
    if (typeof message.method === "string") {
      this.onMethod(message);
    } else if (this.flood !== null) {
      this.onFloodAnswer(message);
    } else {
      // An answer to one of the unprompted requests of `no-jsonrpc`.
      const { jsonrpc, ...answer } = message;
      this.read.answers[String(message.id)] = answer;
    }
  }

  onMethod({ id, method, params }) {
    const { mode } = this;
    if (method === "initialize") {
      this.result(id, { serverInfo: { name: "hostile", version: "0.0.0" } });
      if (mode === "deaf") {
        // Not one more byte is read: the pipe fills and the client's
        // writes stall.
        process.stdin.pause();
        process.stdin.removeAllListeners("data");
      }
      if (mode === "no-jsonrpc") {
        // A request and a notification of the server's own, unprompted.
        this.send({ jsonrpc: "2.0", id: "hostile-ping", method: "hostile/ping", params: { n: 1 } });
        this.send({ jsonrpc: "2.0", method: "hostile/note", params: { text: "hello" } });
        this.send({ jsonrpc: "2.0", id: "hostile-attest", method: "attestation/generate", params: {} });
      }
      return;
    }
    if (id === undefined) {
      if (method === "hostile/flood" && mode === "flood") this.startFlood(params.count);
      return;
    }
    if (mode === "garbage") {
      process.stdout.write(GARBAGE.map(([line]) => `${line}\n`).join(""));
      if (!this.tore) {
        // Once, a line on stderr torn across writes: the client must join it.
        this.tore = true;
        process.stderr.write("hostile: torn ");
        setTimeout(() => process.stderr.write("stderr line\n"), 5);
      }
    }
    switch (method) {
      case "hostile/close-stdin":
        // The read end of the pipe is closed for good before the answer
        // goes out, so the client's next write fails with EPIPE (were it
        // closed after, that write could still land in the pipe).
        closeSync(0);
        this.inputClosed = true;
        this.result(id, {});
        return;
      case "hostile/pid":
        this.result(id, { pid: process.pid });
        return;
      case "hostile/late":
        setTimeout(() => this.result(id, { late: true }), params.ms);
        return;
      case "hostile/report":
        this.result(id, this.read);
        return;
      case "hostile/fail":
        this.send({ jsonrpc: "2.0", id, error: { code: -32000, message: "refused", data: { why: "asked to" } } });
        return;
      case "hostile/both":
        this.send({ jsonrpc: "2.0", id, result: { answer: 1 }, error: { code: -32000, message: "and an error" } });
        return;
      case "hostile/dupe":
        this.result(id, { answer: 1 });
        this.result(id, { answer: 2 });
        for (const stray of STRAY_IDS) this.result(stray, { answer: 3 });
        return;
      case "hostile/echo":
        this.echo(id, params);
        return;
      default:
        this.send({ jsonrpc: "2.0", id, error: { code: -32601, message: `unknown method ${method}` } });
    }
  }

  echo(id, params) {
    switch (this.mode) {
      case "oversize":
        this.endlessLine(id);
        return;
      case "die":
        process.exit(3);
      // falls through: `exit` never returns
      case "kill":
        process.kill(process.pid, "SIGKILL");
        return;
      case "silent":
      case "deaf":
        return;
      case "utf8":
        this.splitUtf8(id);
        return;
      default:
        this.result(id, params);
    }
  }

  /** The start of an answer to `id`, then 64 KiB chunks of `x` until stdout breaks. */
  endlessLine(id) {
    const chunk = "x".repeat(64 * 1024);
    process.stdout.write(`{"jsonrpc":"2.0","id":${JSON.stringify(id)},"result":"`);
    const more = () => {
      while (process.stdout.write(chunk)) {
        // Fills the pipe until it pushes back.
      }
      process.stdout.once("drain", more);
    };
    more();
  }

  /**
   * A line of bytes that are not UTF-8, a notification with a lone
   * continuation byte inside a string, then the answer `{ text: MULTIBYTE }`
   * written one byte per write, 2 ms apart, so that every character is
   * split across reads.
   */
  splitUtf8(id) {
    process.stdout.write(Buffer.from([0xff, 0xfe, 0xfd, 0x0a]));
    process.stdout.write(
      Buffer.concat([
        Buffer.from('{"jsonrpc":"2.0","method":"hostile/note","params":{"text":"a'),
        Buffer.from([0x80]),
        Buffer.from('b"}}\n'),
      ]),
    );
    const bytes = Buffer.from(`${JSON.stringify({ jsonrpc: "2.0", id, result: { text: MULTIBYTE } })}\n`);
    let at = 0;
    const step = () => {
      process.stdout.write(bytes.subarray(at, at + 1));
      at++;
      if (at < bytes.length) setTimeout(step, 2);
    };
    step();
  }

  /**
   * COUNT requests, written as fast as stdout takes them: `hostile/ping`
   * `{ n }`, except every 100th, which is `hostile/unknown` (the client has
   * no handler: -32601). Integer ids from 0, as a Codex server counts, so
   * they equal the client's own ids if it counts the same way; then one
   * `attestation/generate`. When every ping has an answer, the notification
   * `hostile/flooded` reports the tally, with the attestation answer.
   */
  startFlood(count) {
    this.flood = {
      count,
      answered: new Set(),
      results: 0,
      mismatched: 0,
      errors: {},
      duplicates: 0,
      withoutJsonrpc: 0,
      attestation: null,
    };
    const lines = [];
    for (let n = 0; n < count; n++) {
      const id = this.nextId++;
      const method = n % 100 === 99 ? "hostile/unknown" : "hostile/ping";
      lines.push(JSON.stringify({ jsonrpc: "2.0", id, method, params: { n: id } }));
      if (lines.length === 500 || n === count - 1) {
        process.stdout.write(`${lines.join("\n")}\n`);
        lines.length = 0;
      }
    }
    // Behind all of them, attestwire's own request: the client must answer
    // it without waiting for the host's handlers.
    this.send({ jsonrpc: "2.0", id: FLOOD_ATTESTATION_ID, method: "attestation/generate", params: {} });
  }

  onFloodAnswer(message) {
    const flood = this.flood;
    if (message.id === FLOOD_ATTESTATION_ID) {
      flood.attestation = message.result ?? message.error;
      return;
    }
    if (flood.answered.has(message.id)) {
      flood.duplicates++;
      return;
    }
    flood.answered.add(message.id);
    if (message.jsonrpc !== "2.0") flood.withoutJsonrpc++;
    if (message.error !== undefined) {
      const code = String(message.error.code);
      flood.errors[code] = (flood.errors[code] ?? 0) + 1;
    } else {
      flood.results++;
      if (message.result?.n !== message.id) flood.mismatched++;
    }
    if (flood.answered.size === flood.count) {
      const { answered, ...tally } = flood;
      this.send({ jsonrpc: "2.0", method: "hostile/flooded", params: { ...tally, answered: answered.size } });
    }
  }
}

main(process.argv[2]);
