// Plain runs of an app that used Intl before start from the runtime's snapshot with
// Intl's chunks prepared: FormatJS in the interpreter makes a DateTimeFormat's first
// use cost ~0.8 s (a script printing `new Date().toLocaleString()` took 1.3 s), every
// run. A run whose guest loads a chunk marks its main file; later runs of that file
// start from the prepared runtime, made once per EdgeBox build on this machine (~2 s)
// and kept in its cache. Where it cannot be made or read, a run starts as before.

import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { buildInfo, cacheDir, intlChunk, runtimeModule, runtimeModuleBytecode } from "../assets/index.ts";
import { prepareIntlRuntime } from "../build/preinit.ts";
import { contentHash } from "../engine/cache.ts";

/** Every member: one prepared runtime serves whatever an app uses (DateTimeFormat is most of its ~15 MiB of heap). */
const MEMBERS = ["DateTimeFormat", "NumberFormat", "PluralRules", "RelativeTimeFormat", "ListFormat", "Segmenter", "Collator"];

const dir = () => join(cacheDir(), "intl");
// (Bun's hash, not node:crypto's: a plain run asks at every start, and loading node:crypto costs)
const marker = (main: string) => join(dir(), `used-${Bun.hash.wyhash(main, 0n).toString(16)}`);

/** The run of `main` loaded an Intl chunk: its next runs start prepared. */
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
}

export interface IntlRuntime {
  module: { name: string; hash: string; bytes: () => Uint8Array };
  snapshot: Info["snapshot"];
}

/**
 * The prepared runtime from the cache, made there first if it is not yet; undefined where neither
 * works, or where `room` (the run's memory and heap limits, the smaller) is under twice its memory.
 */
export function intlRuntime(room: number): IntlRuntime | undefined {
  const wasmFile = join(dir(), "runtime.wasm");
  const infoFile = join(dir(), "runtime.json");
  const of = (info: Info): IntlRuntime | undefined =>
    room >= 2 * info.memoryBytes ? { module: { name: "runtime-intl", hash: info.hash, bytes: () => readFileSync(wasmFile) }, snapshot: info.snapshot } : undefined;
  try {
    const info = JSON.parse(readFileSync(infoFile, "utf8")) as Info;
    if (existsSync(wasmFile) && typeof info.memoryBytes === "number") return of(info);
  } catch {
    // not made yet (or damaged): made again below
  }
  try {
    const image = prepareIntlRuntime({ runtime: { wasm: runtimeModule.bytes(), snapshot: buildInfo.snapshot }, runtimeModules: runtimeModuleBytecode, intl: intlChunk, members: MEMBERS });
    const info: Info = { hash: contentHash(image.wasm), snapshot: image.snapshot, memoryBytes: image.memoryBytes };
    mkdirSync(dir(), { recursive: true });
    // (written aside and renamed: a run reading the cache meanwhile sees all of it or nothing; the wasm first)
    const tmp = `.${process.pid}`;
    writeFileSync(wasmFile + tmp, image.wasm);
    renameSync(wasmFile + tmp, wasmFile);
    writeFileSync(infoFile + tmp, JSON.stringify(info));
    renameSync(infoFile + tmp, infoFile);
    return of(info);
  } catch {
    return undefined;
  }
}
