// The on-disk cache of precompiled modules, so `edgebox run` compiles
// quickjs.wasm with Cranelift once (~330 ms) and deserializes it afterwards.
//
// An entry is two files: `<key>.cwasm`, Wasmtime's serialized module as is
// (so Wasmtime can map it instead of copying it), and `<key>.cwasm.sum`, its
// hash and length. Wasmtime trusts serialized bytes, so a module whose hash
// does not match is never deserialized: it is discarded and rebuilt, with a warning.
//
// Hashing the whole module on every start costs more than the rest of loading
// it, so the sum also records the file's identity when it was hashed (device,
// inode, size, modification and change times in ns). A file with that same
// identity has not been written since (any write moves its change time, which
// no unprivileged process can set back; a replacement is another inode), and
// is not hashed again; any other is.

import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { limitDir, touch } from "../cache-limit.ts";
import { EngineFlag } from "./native-ffi.ts";
import type { NativeEngine } from "./native.ts";
import type { WasmModule } from "./types.ts";

const SUM_FORMAT = "edgebox-cwasm-3";

/** The precompiled modules of one build take at most this much (~130 built apps' native code). */
const CAP_BYTES = 512 * 2 ** 20;

/** A content hash for cache keys (wyhash, as the host library's file hash). */
export function contentHash(bytes: Uint8Array | string): string {
  return BigInt.asUintN(64, BigInt(Bun.hash.wyhash(bytes, 0n))).toString(16).padStart(16, "0");
}

function sumLine(hash: string, length: number, identity = ""): string {
  return `${SUM_FORMAT} ${hash} ${length}${identity && " " + identity}\n`;
}

/** The file's identity (see above), or "" when it cannot be read. */
export function identity(file: string): string {
  try {
    const st = statSync(file, { bigint: true });
    return `${st.dev}:${st.ino}:${st.size}:${st.mtimeNs}:${st.ctimeNs}`;
  } catch {
    return "";
  }
}

/** Why the module file cannot be trusted, or undefined when it matches its sum. */
function verify(engine: NativeEngine, file: string): string | undefined {
  let sum: string;
  try {
    sum = readFileSync(`${file}.sum`, "utf8");
  } catch {
    return "missing";
  }
  const [format, hash, length, id] = sum.trimEnd().split(" ");
  if (format !== SUM_FORMAT) return "missing";
  // unchanged since it was hashed: trusted as it was then
  if (id && id === identity(file)) return undefined;
  const actual = engine.hashFile(file);
  if (actual.length === 0) return "missing";
  return hash === actual.hash && length === String(actual.length) ? undefined : "checksum mismatch";
}

/** The sum of the module file as it is now; with its identity when no one replaced it while it was hashed. */
function sumOf(engine: NativeEngine, file: string): string {
  const before = identity(file);
  const { hash, length } = engine.hashFile(file);
  return sumLine(hash, length, before === identity(file) ? before : "");
}

export function write(path: string, data: Uint8Array | string): void {
  // Write then rename: a concurrent reader sees the old file or the whole new one.
  const tmp = `${path}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
  writeFileSync(tmp, data);
  renameSync(tmp, path);
}

export interface CacheEvents {
  warn(message: string): void;
}

/**
 * Load a module precompiled for `engine` from `dir`, compiling `wasm()` and
 * storing the result on a miss. `key` identifies the module's bytes (see
 * contentHash); with the engine's configuration it names the entry.
 * Wasmtime itself refuses code made by another version or for another CPU,
 * which also counts as a miss.
 */
export function loadPrecompiled(
  engine: NativeEngine,
  name: string,
  key: string,
  wasm: () => Uint8Array,
  dir: string,
  events: CacheEvents,
): WasmModule {
  // (a name or key that could leave `dir` would let a file elsewhere pass for native code)
  if (!/^[a-z0-9-]+$/.test(name) || !/^[0-9a-f]{16}$/.test(key)) throw new Error(`bad precompiled cache key ${JSON.stringify(name)} ${JSON.stringify(key)}`);
  // (the flags' low byte changes the code, but for the perf map; the stack size above it does not)
  const file = join(dir, `${name}-${key}-f${engine.flags & 0xff & ~EngineFlag.perfMap}.cwasm`);
  const problem = verify(engine, file);
  if (problem === undefined) {
    try {
      const module = engine.deserializeFile(file);
      touch(`${file}.sum`); // its use, for eviction (the module file's own times are part of its identity)
      return module;
    } catch (err) {
      events.warn(`discarding an unusable precompiled cache entry (${(err as Error).message}): ${file}; recompiling`);
    }
  } else if (problem !== "missing") {
    events.warn(`discarding a corrupt precompiled cache entry (${problem}): ${file}; recompiling`);
  }
  rmSync(file, { force: true });
  rmSync(`${file}.sum`, { force: true });
  const module = engine.compile(wasm());
  try {
    mkdirSync(dir, { recursive: true });
    write(file, engine.serialize(module));
    write(`${file}.sum`, sumOf(engine, file));
    limitDir(dir, CAP_BYTES, ".cwasm");
  } catch (err) {
    events.warn(`could not store the precompiled module in ${dir}: ${(err as Error).message}`);
  }
  return module;
}
