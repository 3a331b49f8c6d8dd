// Where the build finds the packaged guest pieces.

import { createRequire } from "node:module";

const require = createRequire(import.meta.url);

export function quickjsWasmPath(): string {
  return require.resolve("quickjs-wasi/quickjs.wasm");
}

/** quickjs-wasi's extensions the runtime links (side modules): name -> package subpath. */
export const EXTENSIONS = ["url", "encoding", "structured-clone", "crypto"] as const;

export function extensionPath(name: string): string {
  return require.resolve(`quickjs-wasi/${name}.so`);
}
