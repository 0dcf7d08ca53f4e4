// generated — do not edit; run `just write-schema`
import type { ClientCapabilities } from "./ClientCapabilities.js";
import type { ClientInfo } from "./ClientInfo.js";

/**
 * Params of `initialize`, the first request a client sends.
 */
export type InitializeParams = {
  /**
   * Who the client is.
   */
  clientInfo: ClientInfo;
  /**
   * What the client supports; absent means no optional capability.
   */
  capabilities?: ClientCapabilities;
};
