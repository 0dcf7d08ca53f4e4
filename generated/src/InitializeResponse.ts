// generated — do not edit; run `just write-schema`
import type { ServerInfo } from "./ServerInfo.js";

/**
 * Result of `initialize`.
 */
export type InitializeResponse = {
  /**
   * Who the server is.
   */
  serverInfo: ServerInfo;
};
