// The Node globals main.ts uses; there is no @types/node here.
declare const console: { log(line: string): void };
declare const require: { resolve(id: string): string };
