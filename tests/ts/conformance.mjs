// Wire vectors against the committed JSON Schemas, with ajv in draft 2020-12
// mode: the Node half of "the schema accepts exactly what serde writes".
//
//   node tests/ts/conformance.mjs
//
// For every vector of tests/vectors/wire.json: `positive` json, `accepted`
// json and canonical must be valid; `negative` json must be invalid; each
// instance is checked against schema/<Type>.json and against the bundle's
// $defs/<Type> (two checks per instance). Prints one line per failure, then
// `ajv conformance: N passed, M failed`; exits 1 when M > 0. Run by
// tests/tests/typescript.rs, which also checks N.

import { readFileSync, readdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

import Ajv2020 from "ajv/dist/2020.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const schemaDir = join(root, "schema");
const BUNDLE = "attestwire.schema.json";

const readJson = (path) => JSON.parse(readFileSync(path, "utf8"));

// Strict mode stays on (unknown keywords, ignored keywords, strictTuples and
// strictNumbers are errors), except for two checks that reject correct
// JSON Schema that schemars writes on purpose:
// - strictRequired: the envelope's "`t` is present exactly when `s` is 0" is
//   `if/then/else` with `then: { required: ["t"] }` and
//   `else: { not: { required: ["t"] } }`, naming `t` from the parent's
//   `properties`; strictRequired wants every `required` name declared in the
//   same subschema.
// - strictTypes: JsonRpcMessage tells its variants apart by keys, e.g.
//   `{ $ref: "#/$defs/JsonRpcNotification", not: { required: ["id"] } }`;
//   the `$ref` makes it an object, but strictTypes wants `type: "object"`
//   written next to every `required`.
// No schema uses `format`, so format validation does not come into it.
const options = { strict: true, strictRequired: false, strictTypes: false, allErrors: true };

const ajvSingle = new Ajv2020(options);
const ajvBundle = new Ajv2020(options);

const single = new Map();
for (const file of readdirSync(schemaDir).sort()) {
  if (!file.endsWith(".json") || file === BUNDLE) continue;
  const type = file.slice(0, -".json".length);
  single.set(type, ajvSingle.compile(readJson(join(schemaDir, file))));
}
ajvBundle.addSchema(readJson(join(schemaDir, BUNDLE)), BUNDLE);

const bundled = (type) => {
  const validate = ajvBundle.getSchema(`${BUNDLE}#/$defs/${type}`);
  if (!validate) throw new Error(`${BUNDLE} has no $defs/${type}`);
  return validate;
};

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
process.exit(failed > 0 ? 1 : 0);
