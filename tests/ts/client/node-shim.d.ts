// The few Node.js APIs the client uses. tests/ts has no `@types/node`, and
// the client must not depend on anything but `@attestwire/protocol` and
// Node's builtins; these declarations match Node 20's signatures for the
// overloads used here and nothing more.

interface ClientReadable {
  setEncoding(encoding: "utf8"): this;
  on(event: "data", listener: (chunk: string) => void): this;
  on(event: "end", listener: () => void): this;
}

interface ClientWritable {
  write(chunk: string): boolean;
  on(event: "error", listener: (error: Error) => void): this;
}

declare const process: {
  readonly argv: readonly string[];
  readonly pid: number;
  readonly stdin: ClientReadable;
  readonly stdout: ClientWritable;
  readonly stderr: ClientWritable;
  exit(code?: number): never;
};

declare function setTimeout(callback: () => void, ms: number): unknown;
declare function setInterval(callback: () => void, ms: number): unknown;
