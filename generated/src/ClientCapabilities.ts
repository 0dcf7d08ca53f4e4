// generated — do not edit; run `just write-schema`

/**
 * Optional features the client supports. Other members (a newer client's,
 * or a host protocol's own, such as `experimentalApi`) are accepted and
 * ignored.
 */
export type ClientCapabilities = {
  /**
   * `true` when the client answers `attestation/generate`. Absent means
   * `false`: the server then never sends it that request.
   */
  requestAttestation?: boolean;
  /**
   * Any other capability: a newer client's, or the host protocol's own
   * (e.g. `experimentalApi`). The server ignores it.
   */
  [member: string]: unknown;
};
