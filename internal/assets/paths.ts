// Where the build finds the packaged guest pieces.

import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export function quickjsWasmPath(): string {
  return require.resolve("quickjs-wasi/quickjs.wasm");
}
