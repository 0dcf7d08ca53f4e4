// generated — do not edit; run `just write-schema`

/**
 * The client's name and version, for logs and diagnostics.
 */
export type ClientInfo = {
  /**
   * A stable machine-readable name, e.g. `"codex-desktop"`.
   */
  name: string;
  /**
   * The client's version, e.g. `"1.4.2"`.
   */
  version: string;
  /**
   * A human-readable name; absent when the client gives none.
   */
  title?: string;
};
