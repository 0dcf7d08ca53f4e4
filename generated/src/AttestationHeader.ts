// generated — do not edit; run `just write-schema`

/**
 * The value of the `x-oai-attestation` header: compact JSON
 * `{"v":1,"s":STATUS,"t":TOKEN}`, keys in that order, no spaces. `t` is
 * present exactly when `s` is 0.
 */
export type AttestationHeader = {
  /**
   * Envelope format version; always `1`.
   */
  v: 1;
  /**
   * `AttestationStatus.Ok`: the app answered with a valid token.
   */
  s: 0;
  /**
   * The token, present exactly when `s` is 0: 1 to 8192 characters, each
   * visible ASCII (0x21–0x7E).
   */
  t: string;
} | {
  /**
   * Envelope format version; always `1`.
   */
  v: 1;
  /**
   * How the attempt ended without a token; see `AttestationStatus`.
   */
  s: 1 | 2 | 3 | 4;
};
