// What server.mjs writes in its modes, shared with hostile.test.mjs so that
// the test knows exactly what to expect.

/**
 * What the `garbage` mode writes before each answer, one line each, and the
 * `ProtocolError.kind` the client reports for it: none is a message it may
 * act on.
 */
export const GARBAGE = [
  ["this line is not JSON", "parse"],
  ["{", "parse"],
  ["[1,2,3]", "invalid-message"],
  ["42", "invalid-message"],
  ['"a string"', "invalid-message"],
  ["null", "invalid-message"],
  ['{"jsonrpc":"2.0"}', "invalid-message"],
  ['{"jsonrpc":"1.0","id":"hostile-nobody","result":{}}', "invalid-message"],
  ['{"jsonrpc":"2.0","method":42}', "invalid-message"],
  ['{"jsonrpc":"2.0","id":{"an":"object"},"result":1}', "invalid-message"],
  // Both result and error, but for no request of the client's: the id decides.
  ['{"jsonrpc":"2.0","id":"hostile-nobody","result":1,"error":{"code":1,"message":"both"}}', "unknown-id"],
];

/** The ids the `dupes` mode answers without having been asked. */
export const STRAY_IDS = [987654321, "hostile-stray"];

/** Text with characters of 2, 3 and 4 bytes, which the `utf8` mode splits across writes. */
export const MULTIBYTE = "é€😀";
