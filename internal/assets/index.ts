// The assets embedded in the executable. `with { type: "file" }` makes
// `bun build --compile` embed each file and gives its path inside the
// executable's own filesystem; from source they are the files themselves.

import quickjsWasm from "quickjs-wasi/quickjs.wasm" with { type: "file" };
import runtimeBytecode from "../../dist/assets/runtime.bc" with { type: "file" };

export async function loadQuickJSWasm(): Promise<Uint8Array> {
  return await Bun.file(quickjsWasm).bytes();
}

export async function loadRuntimeBytecode(): Promise<Uint8Array> {
  return await Bun.file(runtimeBytecode).bytes();
}
