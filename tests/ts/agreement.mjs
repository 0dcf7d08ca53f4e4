// The Node half of "the TS validators agree with the schema and serde":
// gives every case of a corpus written by tests/tests/validators.rs the
// verdict of the generated validator and of ajv (2020-12, strict).
//
//   node tests/ts/agreement.mjs CORPUS.json VERDICTS.json
//
// CORPUS.json is `{ "cases": [{ "type": "<$defs name>", "text": "<JSON>" }] }`.
// VERDICTS.json gets one `{ "ts": bool, "error": string | null, "ajv": bool }`
// per case, in order. The validator is the built package: the three
// message types through their root exports (`parseServerMessage`, …, so
// `JSON.parse` is part of what is tested), every other type through
// `validateAs` from dist/esm/validate.js, which the root does not export.
// For the three, when the text is JSON, the verdict also holds
// `byValue: { error }`, what the root's validator of values
// (`validateServerMessage`, …) says of `JSON.parse(text)`: the Rust side
// requires it to be the text's verdict.
// ajv gets `JSON.parse(text)` and the bundle's `$defs/<type>`. Prints
// `agreement: N cases, V valid by the validator` and exits 0; comparing the
// verdicts (with serde's) is the Rust side's job.

import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import {
  parseAttestationHeader,
  parseClientMessage,
  parseServerMessage,
  validateAttestationHeader,
  validateClientMessage,
  validateServerMessage,
} from "@attestwire/protocol";

import { strictAjv } from "./ajv-strict.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const { validateAs } = await import(join(root, "generated", "dist", "esm", "validate.js"));

const [corpusPath, verdictsPath] = process.argv.slice(2);
if (!corpusPath || !verdictsPath) {
  console.error("usage: node agreement.mjs CORPUS.json VERDICTS.json");
  process.exit(2);
}

const bundle = JSON.parse(readFileSync(join(root, "schema", "attestwire.schema.json"), "utf8"));
const { ajv, warnings } = strictAjv();
ajv.addSchema(bundle);
const compiled = new Map();
const ajvFor = (type) => {
  let validate = compiled.get(type);
  if (!validate) {
    validate = ajv.getSchema(`${bundle.$id}#/$defs/${type}`);
    if (!validate) throw new Error(`no $defs/${type} in the bundle`);
    if (warnings.length > 0) throw new Error(`ajv strict warnings: ${warnings.join("; ")}`);
    compiled.set(type, validate);
  }
  return validate;
};

const PARSERS = {
  ServerMessage: parseServerMessage,
  ClientMessage: parseClientMessage,
  AttestationHeader: parseAttestationHeader,
};
const VALIDATORS = {
  ServerMessage: validateServerMessage,
  ClientMessage: validateClientMessage,
  AttestationHeader: validateAttestationHeader,
};

const { cases } = JSON.parse(readFileSync(corpusPath, "utf8"));
const verdicts = [];
let valid = 0;
for (const { type, text } of cases) {
  const parse = PARSERS[type];
  let error;
  if (parse) {
    const result = parse(text);
    error = result.ok ? undefined : result.error;
  } else {
    error = validateAs(type, JSON.parse(text));
  }
  const ts = error === undefined;
  if (ts) valid++;
  let instance;
  try {
    instance = JSON.parse(text);
  } catch {
    // Not JSON at all: nothing for a schema to accept.
    verdicts.push({ ts, error: error ?? null, ajv: false });
    continue;
  }
  const verdict = { ts, error: error ?? null, ajv: ajvFor(type)(instance) };
  const validate = VALIDATORS[type];
  if (validate) {
    const result = validate(instance);
    verdict.byValue = { error: result.ok ? null : result.error };
    // On success the message is the value itself, not a copy.
    if (result.ok && result.message !== instance) verdict.byValue.error = "(a copy)";
  }
  verdicts.push(verdict);
}
writeFileSync(verdictsPath, JSON.stringify(verdicts));
console.log(`agreement: ${cases.length} cases, ${valid} valid by the validator`);
