// generated — do not edit; run `just write-schema`

/**
 * Params of `attestation/generate`: an empty object, `{}`.
 */
export type AttestationGenerateParams = {};
