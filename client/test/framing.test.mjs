// "A line over maxLineBytes is never buffered whole … Reading is linear in
// bytes: no re-scan of a growing string. A 1 MiB line arriving in 64 KiB
// chunks costs one copy."

import assert from "node:assert/strict";
import { test } from "node:test";

import { LineReader, TextLineSplitter } from "../dist/esm/framing.js";
import { guarded } from "./helpers.mjs";

const lines = (frames) => frames.map((f) => (f.kind === "line" ? f.text : f.kind));

test("lines split anywhere, several per chunk, CRLF and a trailing partial line", () =>
  guarded(async () => {
    const reader = new LineReader(1024);
    assert.deepEqual(lines(reader.push(Buffer.from('{"a":1}\n{"b"'))), ['{"a":1}']);
    assert.equal(reader.buffered, 4);
    assert.deepEqual(lines(reader.push(Buffer.from(':2}\r\n\n{"c":3}\n{"d'))), ['{"b":2}', "", '{"c":3}']);
    assert.deepEqual(lines(reader.push(Buffer.from("\n"))), ['{"d']);
    assert.equal(reader.buffered, 0);
  }));

test("a 1 MiB line in 64 KiB chunks is copied once, and a line within one chunk not at all", () =>
  guarded(async () => {
    const size = 1 << 20;
    const reader = new LineReader(size);
    const line = Buffer.alloc(size, 0x61);
    const chunk = 64 * 1024;
    const frames = [];
    for (let at = 0; at < size; at += chunk) frames.push(...reader.push(line.subarray(at, at + chunk)));
    assert.equal(frames.length, 0);
    assert.equal(reader.copiedBytes, 0, "nothing is joined before the newline");
    frames.push(...reader.push(Buffer.from("\nshort\n")));
    assert.equal(frames.length, 2);
    assert.equal(frames[0].kind, "line");
    assert.equal(frames[0].text.length, size);
    assert.equal(frames[1].text, "short");
    assert.equal(reader.copiedBytes, size, "exactly one copy of the long line");
  }));

test("a line over the limit is refused before it is held whole, and the reader stops", () =>
  guarded(async () => {
    const reader = new LineReader(100);
    assert.deepEqual(lines(reader.push(Buffer.alloc(60, 0x61))), []);
    assert.equal(reader.buffered, 60);
    const frames = reader.push(Buffer.alloc(60, 0x61));
    assert.deepEqual(frames, [{ kind: "too-long", limit: 100 }]);
    assert.equal(reader.buffered, 0, "the 120 bytes are never held");
    assert.deepEqual(reader.push(Buffer.from('{"a":1}\n')), [], "nothing after the failure");
    // Exactly at the limit is fine.
    const exact = new LineReader(5);
    assert.deepEqual(lines(exact.push(Buffer.from("12345\n"))), ["12345"]);
    assert.deepEqual(lines(new LineReader(5).push(Buffer.from("123456\n"))), ["too-long"]);
  }));

test("a line that is not UTF-8 is its own frame, and the next line reads normally", () =>
  guarded(async () => {
    const reader = new LineReader(100);
    const frames = reader.push(Buffer.concat([Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0a]), Buffer.from("{}\n")]));
    assert.deepEqual(lines(frames), ["invalid-utf8", "{}"]);
    // A multi-byte character split across chunks is whole again.
    const split = Buffer.from('"é"\n');
    assert.deepEqual(lines([...reader.push(split.subarray(0, 2)), ...reader.push(split.subarray(2))]), ['"é"']);
  }));

test("stderr is split into whole lines; an overlong one is passed on in pieces", () =>
  guarded(async () => {
    const got = [];
    const splitter = new TextLineSplitter(8, (line) => got.push(line));
    splitter.push(Buffer.from("par"));
    splitter.push(Buffer.from("tial\r\nsecond\nthis is long"));
    splitter.push(Buffer.from("er than eight"));
    splitter.end();
    assert.deepEqual(got, ["partial", "second", "this is long", "er than eight"]);
  }));
