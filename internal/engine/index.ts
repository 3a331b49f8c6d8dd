// Picks the engine: native (Wasmtime through the host library) when it loads,
// else js with one warning line; and loads quickjs.wasm for it, precompiled.

import { cacheDir, nativeHostPath } from "../assets/index.ts";
import { loadPrecompiled } from "./cache.ts";
import { JsEngine } from "./js.ts";
import { openHostLib } from "./native-ffi.ts";
import { NativeEngine, type NativeEngineOptions } from "./native.ts";
import type { Engine, WasmModule } from "./types.ts";
import { trace } from "../trace.ts";

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

/** A module the engine loads: its bytes on demand, and their content hash (internal/engine/cache.ts). */
export interface ModuleSource {
  name: string;
  hash: string;
  bytes(): Uint8Array;
}

/** The engine and the module compiled (or loaded precompiled) for it. */
export async function chooseEngine(source: ModuleSource, opts: ChooseOptions): Promise<EngineChoice> {
  if (opts.kind !== "js") {
    let native: NativeEngine | undefined;
    try {
      const path = await nativeHostPath();
      trace("extract native libraries");
      const lib = openHostLib(path);
      trace("dlopen");
      native = new NativeEngine(lib, opts);
      trace("wasmtime engine");
    } catch (err) {
      if (opts.kind === "native") throw err;
      opts.warn(`the native engine is unavailable (${(err as Error).message}); using the slower js engine`);
    }
    if (native) {
      const module = loadPrecompiled(native, source.name, source.hash, source.bytes, cacheDir(), opts);
      return { engine: native, module };
    }
  }
  const engine = new JsEngine();
  return { engine, module: engine.compile(source.bytes()) };
}
