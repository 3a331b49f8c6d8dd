// Stage 6: the artifact, one file:
//
//   "EDGEBOX\x00ARTIFACT" (16 bytes)  u32 format version  u32 header length
//   header (JSON)  u64 wyhash of the header  parts...
//
// The header names the EdgeBox build and ABI it was made for, and each
// part's offset, length and wyhash. Reading checks all of it before anything
// runs: another build is refused with a message that says to rebuild; a
// truncated or altered file is refused by its hashes. (The hashes detect
// damage, not tampering: whoever can rewrite the file can rewrite them too.
// So an artifact holds only WebAssembly, QuickJS state and data, which run
// inside the sandbox under the policy; never native code, which Wasmtime
// would run unchecked. Old artifacts' native parts are ignored.)

import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import { UserError } from "../errors.ts";

export const MAGIC = new TextEncoder().encode("EDGEBOX\0ARTIFACT");
export const FORMAT_VERSION = 1;

export interface PartInfo {
  name: string;
  offset: number;
  length: number;
  hash: string;
}

export interface ArtifactHeader {
  format: number;
  edgebox: string;
  /** The EdgeBox build's runtime: the snapshot is only valid for exactly this runtime. */
  runtime: string;
  wasmtime: string;
  quickjs: string;
  abi: number;
  /** The entry file it was built from (its name only). */
  entry: string;
  /** The file name the app's script was compiled under: its stack frames name it; the part sourcemap.json maps them back. */
  compiledAs?: string;
  snapshot: { ctx: number; scratch: number; entry: number; app: number; prerun: boolean };
  sides: { name: string; memoryBase: number; tableBase: number; initFn: string; dylink: unknown; defines: string[] }[];
  frozen: string[];
  parts: PartInfo[];
}

export interface Artifact {
  header: ArtifactHeader;
  part(name: string): Uint8Array | undefined;
}

function hash(bytes: Uint8Array): string {
  return BigInt.asUintN(64, BigInt(Bun.hash.wyhash(bytes, 0n))).toString(16).padStart(16, "0");
}

export function writeArtifact(header: Omit<ArtifactHeader, "parts" | "format">, parts: [string, Uint8Array][]): Uint8Array {
  let offset = 0;
  const infos: PartInfo[] = parts.map(([name, bytes]) => {
    const info = { name, offset, length: bytes.length, hash: hash(bytes) };
    offset += bytes.length;
    return info;
  });
  const json = new TextEncoder().encode(JSON.stringify({ format: FORMAT_VERSION, ...header, parts: infos }));
  const head = MAGIC.length + 8;
  const out = new Uint8Array(head + json.length + 8 + offset);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(MAGIC.length, FORMAT_VERSION, true);
  view.setUint32(MAGIC.length + 4, json.length, true);
  out.set(json, head);
  view.setBigUint64(head + json.length, BigInt.asUintN(64, BigInt(Bun.hash.wyhash(json, 0n))), true);
  let at = head + json.length + 8;
  for (const [, bytes] of parts) {
    out.set(bytes, at);
    at += bytes.length;
  }
  return out;
}

/** True when `bytes` start like an artifact (edgebox run tells artifacts from scripts this way). */
export function isArtifact(bytes: Uint8Array): boolean {
  return bytes.length >= MAGIC.length && MAGIC.every((b, i) => bytes[i] === b);
}

export interface Expected {
  edgebox: string;
  runtime: string;
  abi: number;
}

/**
 * Open an artifact: its header is read and verified now, each part when it
 * is first asked for (and verified then), so that a run whose native code is
 * already in the cache reads a few kilobytes. `expected` (what this EdgeBox
 * is) also checks it can run here.
 */
export function readArtifact(path: string, expected?: Expected): Artifact {
  const bad = (why: string) => new UserError("E_ARTIFACT", `${path} is not a usable artifact: ${why}; rebuild it with 'edgebox build'`);
  const fd = openSync(path, "r");
  try {
    const size = fstatSync(fd).size;
    const read = (offset: number, length: number) => {
      const buf = new Uint8Array(length);
      if (readSync(fd, buf, 0, length, offset) !== length) throw bad("it is truncated");
      return buf;
    };
    if (size < MAGIC.length + 8) throw bad("it is truncated");
    const head = read(0, MAGIC.length + 8);
    if (!isArtifact(head)) throw bad("it does not start with the artifact signature");
    const view = new DataView(head.buffer);
    const format = view.getUint32(MAGIC.length, true);
    if (format !== FORMAT_VERSION) throw bad(`its format is version ${format}, this EdgeBox reads version ${FORMAT_VERSION}`);
    const len = view.getUint32(MAGIC.length + 4, true);
    const start = MAGIC.length + 8;
    if (size < start + len + 8) throw bad("it is truncated");
    const tail = read(start, len + 8);
    const json = tail.subarray(0, len);
    if (new DataView(tail.buffer).getBigUint64(len, true) !== BigInt.asUintN(64, BigInt(Bun.hash.wyhash(json, 0n)))) throw bad("its header is damaged (hash mismatch)");
    const header = JSON.parse(new TextDecoder().decode(json)) as ArtifactHeader;
    if (expected && (header.edgebox !== expected.edgebox || header.runtime !== expected.runtime)) {
      throw bad(`it was built by EdgeBox ${header.edgebox} (runtime ${header.runtime.slice(0, 12)}), this is EdgeBox ${expected.edgebox} (runtime ${expected.runtime.slice(0, 12)})`);
    }
    if (expected && header.abi !== expected.abi) throw bad(`it uses host ABI ${header.abi}, this EdgeBox speaks ${expected.abi}`);
    const base = start + len + 8;
    const total = header.parts.reduce((n, p) => Math.max(n, p.offset + p.length), 0);
    if (size !== base + total) throw bad(size < base + total ? "it is truncated" : "it has trailing bytes");
    const parts = new Map<string, Uint8Array>();
    return {
      header,
      part(name) {
        const p = header.parts.find((x) => x.name === name);
        if (!p) return undefined;
        let bytes = parts.get(name);
        if (!bytes) {
          const f = openSync(path, "r");
          try {
            bytes = new Uint8Array(p.length);
            if (readSync(f, bytes, 0, p.length, base + p.offset) !== p.length) throw bad("it is truncated");
          } finally {
            closeSync(f);
          }
          if (hash(bytes) !== p.hash) throw bad(`its part '${name}' is damaged (hash mismatch)`);
          parts.set(name, bytes);
        }
        return bytes;
      },
    };
  } finally {
    closeSync(fd);
  }
}
