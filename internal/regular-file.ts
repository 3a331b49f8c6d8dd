// Files the host reads, for the guest or for itself (a module, a source map,
// a tsconfig, a package.json): regular files only, bounded in size. A FIFO or
// a device would make the read (or the open itself) wait forever, or never
// end, and no guest time limit could interrupt it. Opening without waiting
// (O_NONBLOCK) and then asking the descriptor what it is closes the gap
// between a check and the open.

import * as fs from "node:fs";
import { hostPath } from "./winpath.ts";

const { O_RDONLY, O_NONBLOCK, O_NOCTTY } = fs.constants;

/** Opening never waits: for a FIFO, a plain open would block until a writer comes. */
export const NO_WAIT = O_NONBLOCK | O_NOCTTY;

/** O_PATH on Linux (opens nothing, so never waits; openat2 refuses it with other flags). */
const O_PATH = process.platform === "linux" ? 0o10000000 : 0;

/** `flags` for an open that never waits. */
export function noWait(flags: number): number {
  return O_PATH && flags & O_PATH ? flags : flags | NO_WAIT;
}

/** What a file that is not regular is, in words; undefined for a regular file or a directory. */
export function irregular(st: fs.Stats): string | undefined {
  if (st.isFile() || st.isDirectory()) return undefined;
  if (st.isFIFO()) return "a FIFO";
  if (st.isSocket()) return "a socket";
  if (st.isCharacterDevice()) return "a character device";
  if (st.isBlockDevice()) return "a block device";
  return "not a regular file";
}

/** A file the host refused to read: not regular, or larger than its cap. */
export class RefusedFile extends Error {
  constructor(
    readonly path: string,
    readonly reason: string,
  ) {
    super(`edgebox reads only regular files of bounded size: ${path} is ${reason}`);
  }
}

/** Read all of `fd` (`st`: its fstat), at most `limit` bytes; `tooLarge` makes the error for a file past it; the deadline is checked between reads. */
export function readBounded(fd: number, st: fs.Stats, limit: number, tooLarge: (size: number) => Error, deadline = Infinity, late?: () => Error): Uint8Array {
  if (st.size > limit) throw tooLarge(st.size);
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    if (late && performance.now() > deadline) throw late();
    // (a file's size may be 0 and its content not: /proc; or it may grow while read)
    const want = st.size > total ? st.size - total : 65536;
    const buf = new Uint8Array(Math.min(want, limit - total + 1));
    const n = fs.readSync(fd, buf, 0, buf.length, null);
    if (n === 0) break;
    total += n;
    if (total > limit) throw tooLarge(total);
    chunks.push(n === buf.length ? buf : buf.subarray(0, n));
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total);
}

/** The text of the regular file at `path`, at most `limit` bytes; RefusedFile otherwise (fs errors as they come). */
export function readRegularFile(path: string, limit: number): string {
  const fd = fs.openSync(hostPath(path), O_RDONLY | NO_WAIT);
  try {
    const st = fs.fstatSync(fd);
    const kind = st.isDirectory() ? "a directory" : irregular(st);
    if (kind) throw new RefusedFile(path, kind);
    const bytes = readBounded(fd, st, limit, (size) => new RefusedFile(path, `larger than ${limit} bytes (${size})`));
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("utf8");
  } finally {
    fs.closeSync(fd);
  }
}
