// A server of a few lines over in-memory streams: answers `initialize` and
// `host/echo`, refuses `host/refuse`, and asks for a token once initialized.
import type { PassThrough } from "node:stream";

export type Host = {
  requests: {
    "host/echo": { params: { n: number }; response: { n: number } };
    "host/refuse": { params: Record<string, never>; response: never };
  };
};

export function fakeServer(input: PassThrough, output: PassThrough): { token: Promise<string> } {
  const send = (message: object) => output.write(`${JSON.stringify(message)}\n`);
  let gotToken: (token: string) => void = () => {};
  const token = new Promise<string>((resolve) => (gotToken = resolve));
  let buffer = "";
  input.on("data", (chunk: Buffer) => {
    buffer += chunk.toString("utf8");
    let newline: number;
    while ((newline = buffer.indexOf("\n")) !== -1) {
      const message = JSON.parse(buffer.slice(0, newline)) as {
        id?: number | string;
        method?: string;
        params?: { n: number };
        result?: { token: string };
      };
      buffer = buffer.slice(newline + 1);
      if (message.method === "initialize") {
        send({ id: message.id, result: { serverInfo: { name: "consumer-server", version: "0.1.0" } } });
      } else if (message.method === "initialized") {
        send({ id: "attest-1", method: "attestation/generate", params: {} });
      } else if (message.method === "host/echo" && message.params?.n === 2) {
        send({ id: message.id, result: message.params });
      } else if (message.method === "host/refuse") {
        send({ id: message.id, error: { code: -32000, message: "refused" } });
      } else if (message.id === "attest-1" && message.result !== undefined) {
        gotToken(message.result.token);
      }
      // Any other host/echo is left unanswered: close() must reject it.
    }
  });
  return { token };
}
