// Plain runs of a script that used DateTimeFormat before start from the runtime's
// snapshot with Intl's chunks prepared: FormatJS in the interpreter makes its first
// use cost ~0.8 s (a script printing `new Date().toLocaleString()` took 1.3 s), every
// run. A run whose guest loads DateTimeFormat marks its main file; later runs of that
// file start from the prepared runtime, made once per EdgeBox build on this machine
// (~1.5 s) and kept in its cache. Where it cannot be made or read, a run starts as
// before (a failure to make it is remembered: not tried again by every run).

import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildInfo, cacheDir, intlChunk, runtimeModule, runtimeModuleBytecode } from "../assets/index.ts";
import { INTL_MEMBERS } from "../build/intl.ts";
import { contentHash, write } from "../engine/cache.ts";

const dir = () => join(cacheDir(), "intl");
const marker = (main: string) => join(dir(), `used-${contentHash(main)}`);

/** The run of `main` loaded DateTimeFormat: its next runs start prepared. */
export function markIntlUsed(main: string): void {
  try {
    mkdirSync(dir(), { recursive: true });
    writeFileSync(marker(main), "");
  } catch {
    // (a cache that cannot be written: the next run starts as this one did)
  }
}

export function intlUsedBefore(main: string): boolean {
  return existsSync(marker(main));
}

interface Info {
  hash: string;
  snapshot: { ctx: number; scratch: number; entry: number };
  /** The prepared runtime's memory: a run capped near it starts unprepared. */
  memoryBytes: number;
  /** Its wasm's size, checked against the file (runtime-<hash>.wasm). */
  wasmBytes: number;
}

export interface IntlRuntime {
  module: { name: string; hash: string; bytes: () => Uint8Array };
  snapshot: Info["snapshot"];
}

const wasmFile = (hash: string) => join(dir(), `runtime-${hash}.wasm`);

/** A runtime.json that this build wrote, naming a whole wasm file. */
function valid(info: Info): boolean {
  const s = info.snapshot;
  return (
    typeof info.hash === "string" &&
    /^[0-9a-f]{16}$/.test(info.hash) &&
    [s?.ctx, s?.scratch, info.memoryBytes, info.wasmBytes].every(Number.isSafeInteger) &&
    s.entry === buildInfo.snapshot.entry &&
    statSync(wasmFile(info.hash), { throwIfNoEntry: false })?.size === info.wasmBytes
  );
}

/**
 * The prepared runtime from the cache, made there first if it is not yet; undefined where neither
 * works, or where `heap` (the run's heap limit) is under twice its memory.
 */
export async function intlRuntime(heap: number): Promise<IntlRuntime | undefined> {
  const infoFile = join(dir(), "runtime.json");
  const failedFile = join(dir(), "runtime.failed");
  const of = (info: Info): IntlRuntime | undefined =>
    heap >= 2 * info.memoryBytes ? { module: { name: "runtime-intl", hash: info.hash, bytes: () => readFileSync(wasmFile(info.hash)) }, snapshot: info.snapshot } : undefined;
  try {
    const info = JSON.parse(readFileSync(infoFile, "utf8")) as Info;
    if (valid(info)) return of(info);
  } catch {
    // not made yet (or damaged): made again below
  }
  if (existsSync(failedFile)) return undefined;
  try {
    // (the build's pre-initialisation, loaded only here: a run's start never pays for it)
    const { prepareIntlRuntime } = await import("../build/preinit.ts");
    const image = prepareIntlRuntime({ runtime: { wasm: runtimeModule.bytes(), snapshot: buildInfo.snapshot }, runtimeModules: runtimeModuleBytecode, intl: intlChunk, members: INTL_MEMBERS });
    const info: Info = { hash: contentHash(image.wasm), snapshot: image.snapshot, memoryBytes: image.memoryBytes, wasmBytes: image.wasm.length };
    mkdirSync(dir(), { recursive: true });
    // (each written aside and renamed, the wasm under its own hash first: runs making it at once
    // each leave a whole pair, and a reader sees one or the other)
    write(wasmFile(info.hash), image.wasm);
    write(infoFile, JSON.stringify(info));
    return of(info);
  } catch (err) {
    try {
      writeFileSync(failedFile, String(err));
    } catch {
      // (nowhere to remember it: the next marked run tries again)
    }
    return undefined;
  }
}
