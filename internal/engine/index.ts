// Picks the engine: native (Wasmtime through the host library) when it loads,
// else js with one warning line; and loads quickjs.wasm for it, precompiled.

import { cacheDir, nativeHostPath } from "../assets/index.ts";
import { loadPrecompiled, type CacheEvents } from "./cache.ts";
import { JsEngine } from "./js.ts";
import { openHostLib, type HostLib } from "./native-ffi.ts";
import { NativeEngine, type NativeEngineOptions } from "./native.ts";
import type { Engine, WasmModule } from "./types.ts";
import { trace } from "../trace.ts";

export type EngineKind = "native" | "js";

export interface EngineChoice {
  engine: Engine;
  module: WasmModule;
  /** The native host library, when it loaded (also used for filesystem access beneath grants). */
  hostLib?: HostLib;
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

function nativeModule(e: NativeEngine, source: ModuleSource, events: CacheEvents): WasmModule {
  return loadPrecompiled(e, source.name, source.hash, source.bytes, cacheDir(), events);
}

let loaded: HostLib | undefined;

/** The native host library, extracted and opened once per process. */
export async function loadHostLib(): Promise<HostLib> {
  if (!loaded) {
    const path = await nativeHostPath();
    trace("extract native libraries");
    loaded = openHostLib(path);
    trace("dlopen");
  }
  return loaded;
}

/** The engine and the module compiled (or loaded precompiled) for it. */
export async function chooseEngine(source: ModuleSource, opts: ChooseOptions): Promise<EngineChoice> {
  let lib: HostLib | undefined;
  try {
    lib = await loadHostLib();
  } catch (err) {
    if (opts.kind === "native") throw err;
    opts.warn(`the native engine is unavailable (${(err as Error).message}); using the slower js engine, and files are opened without race protection`);
  }
  if (lib && opts.kind !== "js") {
    const native = new NativeEngine(lib, opts);
    trace("wasmtime engine");
    const module = nativeModule(native, source, opts);
    return { engine: native, module, hostLib: lib };
  }
  const engine = new JsEngine();
  return { engine, module: engine.compile(source.bytes()), hostLib: lib };
}

/** Another module for the chosen engine (precompiled and cached on the native one). */
export function loadModule(choice: EngineChoice, source: ModuleSource, events: CacheEvents): WasmModule {
  const e = choice.engine;
  if (e instanceof NativeEngine) return nativeModule(e, source, events);
  return e.compile(source.bytes());
}
