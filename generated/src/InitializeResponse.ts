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
  /**
   * The version of the attestwire protocol the server speaks (semver),
   * e.g. `"0.1.0"`; absent from servers that do not say.
   */
  protocolVersion?: string;
};
