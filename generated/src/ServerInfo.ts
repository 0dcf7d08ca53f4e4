// generated — do not edit; run `just write-schema`

/**
 * The server's name and version.
 */
export type ServerInfo = {
  /**
   * A stable machine-readable name.
   */
  name: string;
  /**
   * The server's version.
   */
  version: string;
};
