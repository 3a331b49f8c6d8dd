// Picks the engine: native (Wasmtime through the host library) when it loads,
// else js with one warning line; and loads quickjs.wasm for it, precompiled.

import { cacheDir, nativeHostPath } from "../assets/index.ts";
import { loadPrecompiled } from "./cache.ts";
import { JsEngine } from "./js.ts";
import { openHostLib } from "./native-ffi.ts";
import { NativeEngine, type NativeEngineOptions } from "./native.ts";
import type { Engine, WasmModule } from "./types.ts";

export type EngineKind = "native" | "js";

export interface EngineChoice {
  engine: Engine;
  module: WasmModule;
}

export interface ChooseOptions extends NativeEngineOptions {
  /** Asked for explicitly: failing to load it is an error, not a fallback. */
  kind?: EngineKind;
  warn(message: string): void;
}

/** The engine and the QuickJS module compiled (or loaded precompiled) for it. */
export async function chooseEngine(wasm: Uint8Array, opts: ChooseOptions): Promise<EngineChoice> {
  if (opts.kind !== "js") {
    let native: NativeEngine | undefined;
    try {
      native = new NativeEngine(openHostLib(await nativeHostPath()), opts);
    } catch (err) {
      if (opts.kind === "native") throw err;
      opts.warn(`the native engine is unavailable (${(err as Error).message}); using the slower js engine`);
    }
    if (native) return { engine: native, module: loadPrecompiled(native, wasm, "quickjs", cacheDir(), opts) };
  }
  const engine = new JsEngine();
  return { engine, module: engine.compile(wasm) };
}
