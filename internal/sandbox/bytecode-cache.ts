// Compiled CommonJS modules kept on disk, as V8 keeps its code cache: a large
// package (typescript is 9 MB of JS) is parsed once, and later runs read
// QuickJS bytecode instead. Entries are keyed by file name and source, so an
// edited file is simply a miss. QuickJS trusts the bytecode it reads, so each
// entry carries a checksum and a damaged one is ignored and rewritten.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { touch, wrote } from "../cache-limit.ts";

const MAGIC = 0x31434245; // "EBC1"
const HEADER = 16; // magic u32, length u32, wyhash u64
const CAP_BYTES = 256 * 2 ** 20;

/** Sources shorter than this compile faster than their entry is read. */
export const MIN_CACHED_SOURCE = 16 * 1024;

export class BytecodeCache {
  constructor(private readonly dir: string) {}

  private file(filename: string, source: string): string {
    const key = BigInt.asUintN(64, BigInt(Bun.hash.wyhash(`${filename}\0${source}`, 0n)));
    return join(this.dir, `${key.toString(16).padStart(16, "0")}.qbc`);
  }

  get(filename: string, source: string): Uint8Array | undefined {
    const file = this.file(filename, source);
    let data: Buffer;
    try {
      data = readFileSync(file);
    } catch {
      return undefined;
    }
    if (data.length < HEADER) return undefined;
    const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
    const body = data.subarray(HEADER);
    if (view.getUint32(0, true) !== MAGIC || view.getUint32(4, true) !== body.length) return undefined;
    if (view.getBigUint64(8, true) !== BigInt.asUintN(64, BigInt(Bun.hash.wyhash(body, 0n)))) return undefined;
    touch(file);
    return body;
  }

  /** Best effort: a cache that cannot be written only costs speed. */
  put(filename: string, source: string, bytecode: Uint8Array): void {
    const out = new Uint8Array(HEADER + bytecode.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, MAGIC, true);
    view.setUint32(4, bytecode.length, true);
    view.setBigUint64(8, BigInt.asUintN(64, BigInt(Bun.hash.wyhash(bytecode, 0n))), true);
    out.set(bytecode, HEADER);
    const path = this.file(filename, source);
    const tmp = `${path}.${process.pid}.tmp`;
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
      writeFileSync(tmp, out);
      renameSync(tmp, path);
      wrote(this.dir, out.length, CAP_BYTES, ".qbc");
    } catch {
      // read-only or full disk: run uncached
    }
  }
}
