// The on-disk cache of precompiled modules, so `edgebox run` compiles
// quickjs.wasm with Cranelift once (~330 ms) and deserializes it afterwards.
//
// A cache file is a header (magic, format, payload hash, payload length)
// followed by Wasmtime's serialized module. Wasmtime trusts serialized bytes,
// so a file whose hash does not match is never deserialized: it is
// discarded and rebuilt, with a warning.

import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { NativeEngine } from "./native.ts";
import type { WasmModule } from "./types.ts";

const MAGIC = 0x57434245; // "EBCW"
const FORMAT = 1;
const HEADER = 24;

function hash(bytes: Uint8Array): bigint {
  return BigInt.asUintN(64, BigInt(Bun.hash.wyhash(bytes, 0x6564676562n)));
}

function encode(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, MAGIC, true);
  dv.setUint32(4, FORMAT, true);
  dv.setBigUint64(8, hash(payload), true);
  dv.setBigUint64(16, BigInt(payload.length), true);
  out.set(payload, HEADER);
  return out;
}

/** The payload of a cache file, or the reason it cannot be trusted. */
function decode(file: Uint8Array): Uint8Array | string {
  if (file.length < HEADER) return "truncated header";
  const dv = new DataView(file.buffer, file.byteOffset, file.byteLength);
  if (dv.getUint32(0, true) !== MAGIC || dv.getUint32(4, true) !== FORMAT) return "not a cache file of this format";
  const len = Number(dv.getBigUint64(16, true));
  if (file.length !== HEADER + len) return "wrong length";
  const payload = file.subarray(HEADER);
  if (hash(payload) !== dv.getBigUint64(8, true)) return "checksum mismatch";
  return payload;
}

export interface CacheEvents {
  warn(message: string): void;
}

/**
 * Load `wasm` precompiled for `engine` from `dir`, compiling and storing it
 * on a miss. The key covers the module bytes and the engine's configuration;
 * Wasmtime itself refuses code made by another version or for another CPU,
 * which also counts as a miss.
 */
export function loadPrecompiled(engine: NativeEngine, wasm: Uint8Array, name: string, dir: string, events: CacheEvents): WasmModule {
  const file = join(dir, `${name}-${hash(wasm).toString(16).padStart(16, "0")}-f${engine.flags}.cwasm`);
  let bytes: Uint8Array | undefined;
  try {
    bytes = readFileSync(file);
  } catch {
    bytes = undefined;
  }
  if (bytes !== undefined) {
    const payload = decode(bytes);
    if (typeof payload === "string") {
      events.warn(`discarding a corrupt precompiled cache file (${payload}): ${file}; recompiling`);
    } else {
      try {
        return engine.deserialize(payload);
      } catch (err) {
        events.warn(`discarding an unusable precompiled cache file (${(err as Error).message}): ${file}; recompiling`);
      }
    }
    rmSync(file, { force: true });
  }
  const module = engine.compile(wasm);
  try {
    mkdirSync(dir, { recursive: true });
    // Write then rename: a concurrent reader sees the old file or the whole new one.
    const tmp = `${file}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, encode(engine.serialize(module)));
    renameSync(tmp, file);
  } catch (err) {
    events.warn(`could not store the precompiled module in ${dir}: ${(err as Error).message}`);
  }
  return module;
}
