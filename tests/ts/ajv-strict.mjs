// The one ajv configuration of the Node tests: draft 2020-12 with every
// strict option on, shared by conformance.mjs and agreement.mjs so that the
// schema is judged the same way by both.

import Ajv2020 from "ajv/dist/2020.js";

// Every strict option, spelled out so that none is quietly off: unknown or
// ignored keywords (strictSchema), NaN/Infinity (strictNumbers), keywords
// without the `type` they apply to (strictTypes), open tuples (strictTuples),
// `required` names not declared in the same subschema (strictRequired).
// No schema uses `format`, so format validation does not come into it.
export const STRICT = {
  strict: true,
  strictSchema: true,
  strictNumbers: true,
  strictTypes: true,
  strictTuples: true,
  strictRequired: true,
};

/**
 * A strict ajv whose warnings (what ajv would only log) are collected in
 * `warnings` so that the caller can fail on them.
 */
export function strictAjv(options = {}) {
  const warnings = [];
  const logger = {
    log() {},
    warn: (...args) => warnings.push(args.join(" ")),
    error: (...args) => warnings.push(args.join(" ")),
  };
  return { ajv: new Ajv2020({ ...STRICT, ...options, logger }), warnings };
}
