// generated — do not edit; run `just write-schema`

/**
 * Result of `attestation/generate`.
 */
export type AttestationGenerateResponse = {
  /**
   * A fresh attestation token: 1 to 8192 characters, each visible ASCII
   * (0x21–0x7E, no spaces). A response that breaks this rule is treated
   * as malformed (status 4).
   */
  token: string;
};
