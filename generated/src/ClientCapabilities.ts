// generated — do not edit; run `just write-schema`

/**
 * Optional features the client supports. Unknown members sent by newer
 * clients are accepted and ignored.
 */
export type ClientCapabilities = {
  /**
   * `true` when the client answers `attestation/generate`. Absent means
   * `false`: the server then never sends it that request.
   */
  requestAttestation?: boolean;
};
