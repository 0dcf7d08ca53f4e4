// The committed JSON Schemas under ajv in draft 2020-12 strict mode, as a
// stranger would load them, and the wire vectors against them: the Node half
// of "the schema accepts exactly what serde writes".
//
//   node tests/ts/conformance.mjs
//
// 1. Every schema/*.json is registered in one ajv by its `$id` (a file
//    without an absolute `$id`, or with one another file has, fails), then
//    compiled through that `$id` with every strict option on; so is every
//    `$defs/<Type>` of the bundle. A strict warning fails too.
// 2. A consumer's schema, with an `$id` of its own, `$ref`s a type file and
//    the bundle by `$id` alone: both resolve, and validate.
// 3. For every vector of tests/vectors/wire.json: `positive` json, `accepted`
//    json and canonical must be valid; `negative` json must be invalid; each
//    instance is checked against schema/<Type>.json and against the bundle's
//    $defs/<Type> (two checks per instance).
// Prints one line per failure, then one summary line per part:
//   ajv strict: F files compiled by $id, D bundle $defs compiled, K failed
//   ajv $ref by $id: R passed, K failed
//   ajv conformance: N passed, M failed
// and exits 1 when anything failed. Run by tests/tests/typescript.rs, which
// checks F, D and N.

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import { strictAjv } from "./ajv-strict.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const schemaDir = join(root, "schema");
const BUNDLE = "attestwire.schema.json";

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));

// Options set to `true` throw; anything ajv would only log is a failure too.
const { ajv, warnings } = strictAjv({ allErrors: true });

let strictFailed = 0;
const strictFail = (message) => {
  strictFailed++;
  console.log(`FAIL strict: ${message}`);
};

// An absolute URI without a fragment, as `$id` of a document must be.
const isAbsoluteId = (id) => {
  if (typeof id !== "string" || id.includes("#")) return false;
  try {
    new URL(id);
    return true;
  } catch {
    return false;
  }
};

// file name -> `$id`, for every file that has a usable one.
const ids = new Map();
const seen = new Map();
for (const file of readdirSync(schemaDir).sort()) {
  if (!file.endsWith(".json")) continue;
  const schema = readJson(join(schemaDir, file));
  const id = schema.$id;
  if (!isAbsoluteId(id)) {
    strictFail(`schema/${file} has no absolute $id (${JSON.stringify(id)})`);
    continue;
  }
  if (seen.has(id)) {
    strictFail(`schema/${file} and schema/${seen.get(id)} share the $id ${id}`);
    continue;
  }
  seen.set(id, file);
  try {
    ajv.addSchema(schema);
    ids.set(file, id);
  } catch (e) {
    strictFail(`schema/${file}: ${e.message}`);
  }
}

// Compiling is where ajv applies the strict rules.
const compile = (what, ref) => {
  const before = warnings.length;
  try {
    const validate = ajv.getSchema(ref);
    if (!validate) throw new Error(`nothing has the $id ${ref}`);
    for (const w of warnings.slice(before)) strictFail(`${what}: ${w}`);
    return validate;
  } catch (e) {
    strictFail(`${what}: ${e.message}`);
    return undefined;
  }
};

const single = new Map();
for (const [file, id] of ids) {
  const validate = compile(`schema/${file}`, id);
  if (validate) single.set(file.slice(0, -".json".length), validate);
}
const bundleId = ids.get(BUNDLE);
const bundledDefs = new Map();
if (bundleId === undefined) {
  strictFail(`schema/${BUNDLE} is not registered`);
} else {
  for (const type of Object.keys(readJson(join(schemaDir, BUNDLE)).$defs ?? {}).sort()) {
    const validate = compile(`${BUNDLE}#/$defs/${type}`, `${bundleId}#/$defs/${type}`);
    if (validate) bundledDefs.set(type, validate);
  }
}
console.log(
  `ajv strict: ${single.size} files compiled by $id, ${bundledDefs.size} bundle $defs compiled, ${strictFailed} failed`,
);

// A consumer refers to the schemas by `$id` only, not by path: the
// envelope's own file and, pinned to a release, the bundle's `$defs`.
let refPassed = 0;
let refFailed = 0;
{
  const consumer = {
    $id: "https://consumer.example/backend/request-log.json",
    type: "object",
    properties: {
      header: { $ref: ids.get("AttestationHeader.json") },
      pinned: { $ref: `${bundleId}#/$defs/AttestationHeader` },
    },
    required: ["header", "pinned"],
  };
  const cases = [
    [{ header: { v: 1, s: 1 }, pinned: { v: 1, s: 0, t: "v1.opaque-client-payload" } }, true],
    [{ header: { v: 1, s: 0 }, pinned: { v: 1, s: 1 } }, false],
    [{ header: { v: 1, s: 1 }, pinned: { v: 1, s: 2, t: "x" } }, false],
  ];
  let validate;
  try {
    validate = ajv.compile(consumer);
  } catch (e) {
    refFailed++;
    console.log(`FAIL $ref by $id: ${e.message}`);
  }
  for (const [instance, want] of validate ? cases : []) {
    if (validate(instance) === want) {
      refPassed++;
    } else {
      refFailed++;
      console.log(`FAIL $ref by $id: ${JSON.stringify(instance)} should be ${want ? "valid" : "invalid"}`);
    }
  }
}
console.log(`ajv $ref by $id: ${refPassed} passed, ${refFailed} failed`);

const bundled = (type) => bundledDefs.get(type);

const vectors = readJson(join(root, "tests", "vectors", "wire.json"));

let passed = 0;
let failed = 0;

function check(group, vector, text, wantValid) {
  const instance = JSON.parse(text);
  const views = [
    ["schema/" + vector.type + ".json", single.get(vector.type)],
    [BUNDLE + "#/$defs/" + vector.type, bundled(vector.type)],
  ];
  for (const [where, validate] of views) {
    if (!validate) {
      failed++;
      console.log(`FAIL ${group}/${vector.name}: no schema ${where}`);
      continue;
    }
    const valid = validate(instance);
    if (valid === wantValid) {
      passed++;
    } else {
      failed++;
      const detail = valid ? "" : " " + JSON.stringify(validate.errors);
      console.log(
        `FAIL ${group}/${vector.name} (${vector.type}) against ${where}: ` +
          `expected ${wantValid ? "valid" : "invalid"}, got ${valid ? "valid" : "invalid"}${detail}`,
      );
    }
  }
}

for (const v of vectors.positive) check("positive", v, v.json, true);
for (const v of vectors.accepted) {
  check("accepted", v, v.json, true);
  check("accepted(canonical)", v, v.canonical, true);
}
for (const v of vectors.negative) check("negative", v, v.json, false);

console.log(`ajv conformance: ${passed} passed, ${failed} failed`);
process.exit(failed + strictFailed + refFailed > 0 ? 1 : 0);
