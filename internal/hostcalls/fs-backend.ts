// Acting on a checked path. Every operation names the grant that allowed it
// (`root`, its real directory) and the path relative to it; the beneath
// backend (the native host library: openat2 / O_NOFOLLOW walks) then cannot
// leave that directory even if the tree changes after the check. The plain
// backend (node:fs on the full path) is the fallback where the host library
// cannot load; it is exposed to such races and says so once.

import * as fs from "node:fs";
import { Status, type HostLib } from "../engine/native-ffi.ts";
import { noWait } from "../regular-file.ts";
import { hostPath, onWindows } from "../winpath.ts";
import { errnoName, GuestError } from "./errors.ts";

export interface FsBackend {
  readonly kind: "beneath" | "plain";
  /** Never waits: opened non-blocking (a FIFO's open would wait for its other end). */
  open(root: string, rel: string, flags: number, mode: number): number;
  mkdir(root: string, rel: string, mode: number): void;
  unlink(root: string, rel: string): void;
  rmdir(root: string, rel: string): void;
  rename(root: string, rel: string, root2: string, rel2: string): void;
  symlink(target: string, root: string, rel: string): void;
  link(root: string, rel: string, root2: string, rel2: string): void;
  /** The text of the symbolic link `rel` (read through its parent opened beneath the grant). */
  readlink(root: string, rel: string): string;
  /** The entries of the directory `rel`, where a descriptor cannot be listed (Windows); else the caller lists the descriptor open() gives. */
  list?(root: string, rel: string): DirEntry[];
}

/** What a directory listing tells of an entry (the part of fs.Dirent the host calls use). */
export type DirEntry = Pick<fs.Dirent, "name" | "isFile" | "isDirectory" | "isSymbolicLink" | "isFIFO" | "isSocket" | "isCharacterDevice" | "isBlockDevice">;

/** An entry of the host library's listing: 1 a file, 2 a directory, 3 a reparse point (fs_windows.zig). */
class Listed implements DirEntry {
  constructor(
    readonly name: string,
    private readonly type: number,
  ) {}
  isFile = () => this.type === 1;
  isDirectory = () => this.type === 2;
  isSymbolicLink = () => this.type === 3;
  isFIFO = () => false;
  isSocket = () => false;
  isCharacterDevice = () => false;
  isBlockDevice = () => false;
}

/** An errno from the host library, as the Node-style error fs would throw. */
export class FsError extends Error {
  constructor(readonly code: string) {
    super(code);
  }
}

/** The host library's out-parameter: a descriptor or length, or the errno. */
const out = new Int32Array(1);

function check(status: number): number {
  const n = out[0]!;
  if (status === Status.osError) {
    throw new FsError(errnoName(n));
  }
  if (status !== Status.ok) throw new Error(`host library: file operation refused (status ${status})`);
  return n;
}

const cstr = (s: string) => Buffer.from(s + "\0");

enum AtOp {
  mkdir = 0,
  unlink = 1,
  rmdir = 2,
  rename = 3,
  symlink = 4,
  link = 5,
}

export function beneathBackend(lib: HostLib): FsBackend {
  if (onWindows) return windowsBackend(lib);
  const at = (op: AtOp, root: string, rel: string, root2 = "", rel2 = "", mode = 0) =>
    check(lib.eb_fs_at(op, cstr(root), cstr(rel), cstr(root2), cstr(rel2), mode, out));
  return {
    kind: "beneath",
    open: (root, rel, flags, mode) => check(lib.eb_fs_open(cstr(root), cstr(rel), noWait(flags), mode, out)),
    mkdir: (root, rel, mode) => void at(AtOp.mkdir, root, rel, "", "", mode),
    unlink: (root, rel) => void at(AtOp.unlink, root, rel),
    rmdir: (root, rel) => void at(AtOp.rmdir, root, rel),
    rename: (root, rel, root2, rel2) => void at(AtOp.rename, root, rel, root2, rel2),
    symlink: (target, root, rel) => void at(AtOp.symlink, root, rel, target),
    link: (root, rel, root2, rel2) => void at(AtOp.link, root, rel, root2, rel2),
    readlink: (root, rel) => {
      const buf = new Uint8Array(4096);
      const n = check(lib.eb_fs_readlink(cstr(root), cstr(rel), buf, buf.length, out));
      return new TextDecoder().decode(buf.subarray(0, n));
    },
  };
}

const noLinks = (what: string) => () => {
  throw new GuestError({ code: "ERR_NOT_SUPPORTED_IN_SANDBOX", message: `${what}: the sandbox makes and follows no links on Windows` });
};

/**
 * Windows (paths in the guest's form, winpath.ts): the host library walks beneath the grant
 * (fs_windows.zig) and holds what it reached; Bun then opens that path (its descriptors are its
 * own C runtime's, out of the library's reach), and the two must be the same file (volume and
 * file index), else the tree changed between them: refused. The library creates (O_CREAT, O_EXCL);
 * truncation waits for the identities to agree.
 */
function windowsBackend(lib: HostLib): FsBackend {
  const { O_CREAT, O_EXCL, O_TRUNC } = fs.constants;
  /** The grant's directory as Windows names it, and the path below it (`/` holds the drives: the first component is one). */
  const where = (root: string, rel: string): [string, string] => {
    if (root === "/") {
      const i = rel.indexOf("/");
      [root, rel] = i < 0 ? [`/${rel}`, ""] : [`/${rel.slice(0, i)}`, rel.slice(i + 1)];
    }
    const host = hostPath(root, true);
    if (host === undefined) throw new FsError("ENOENT");
    return [host, rel];
  };
  const at = (op: AtOp, root: string, rel: string, root2 = "", rel2 = "", mode = 0) => {
    const [r, p] = where(root, rel);
    const [r2, p2] = op === AtOp.rename ? where(root2, rel2) : ["", ""];
    return check(lib.eb_fs_at(op, cstr(r), cstr(p), cstr(r2), cstr(p2), mode, out));
  };
  const identity = new Uint8Array(16);
  const view = new DataView(identity.buffer);
  return {
    kind: "beneath",
    open(root, rel, flags, mode) {
      const [r, p] = where(root, rel);
      const handle = check(lib.eb_fs_open(cstr(r), cstr(p), flags, mode, out));
      let fd: number | undefined;
      try {
        fd = plain(() => fs.openSync(p === "" ? r : `${r.replace(/\\$/, "")}\\${p.replaceAll("/", "\\")}`, flags & ~(O_CREAT | O_EXCL | O_TRUNC)));
      } finally {
        check(lib.eb_fs_handle(handle, identity, identity.length, 1, out));
      }
      try {
        const st = fs.fstatSync(fd, { bigint: true });
        if (BigInt.asUintN(64, st.ino) !== view.getBigUint64(0, true) || BigInt.asUintN(32, st.dev) !== BigInt(view.getUint32(8, true))) throw new FsError("EACCES");
        if (flags & O_TRUNC) plain(() => fs.ftruncateSync(fd, 0));
        return fd;
      } catch (err) {
        fs.closeSync(fd);
        throw err;
      }
    },
    mkdir: (root, rel, mode) => void at(AtOp.mkdir, root, rel, "", "", mode),
    unlink: (root, rel) => void at(AtOp.unlink, root, rel),
    rmdir: (root, rel) => void at(AtOp.rmdir, root, rel),
    rename: (root, rel, root2, rel2) => void at(AtOp.rename, root, rel, root2, rel2),
    symlink: noLinks("symlink"),
    link: noLinks("link"),
    readlink: noLinks("readlink"),
    list(root, rel) {
      const [r, p] = where(root, rel);
      for (let cap = 1 << 16; ; cap *= 4) {
        const buf = new Uint8Array(cap);
        let n: number;
        try {
          n = check(lib.eb_fs_list(cstr(r), cstr(p), buf, cap, out));
        } catch (err) {
          if (err instanceof FsError && err.code === "ERANGE" && cap < 1 << 26) continue;
          throw err;
        }
        const entries: DirEntry[] = [];
        const text = new TextDecoder();
        for (let i = 0; i < n; ) {
          const end = buf.indexOf(0, i + 1);
          entries.push(new Listed(text.decode(buf.subarray(i + 1, end)), buf[i]!));
          i = end + 1;
        }
        return entries;
      }
    },
  };
}

function full(root: string, rel: string): string {
  return rel === "" ? root : root === "/" ? `/${rel}` : `${root}/${rel}`;
}

function plain<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code) throw new FsError(code);
    throw err;
  }
}

const posixPlain: FsBackend = {
  kind: "plain",
  open: (root, rel, flags, mode) => plain(() => fs.openSync(full(root, rel), noWait(flags | fs.constants.O_NOFOLLOW), mode)),
  mkdir: (root, rel, mode) => plain(() => fs.mkdirSync(full(root, rel), { mode })),
  unlink: (root, rel) => plain(() => fs.unlinkSync(full(root, rel))),
  rmdir: (root, rel) => plain(() => fs.rmdirSync(full(root, rel))),
  rename: (root, rel, root2, rel2) => plain(() => fs.renameSync(full(root, rel), full(root2, rel2))),
  symlink: (target, root, rel) => plain(() => fs.symlinkSync(target, full(root, rel))),
  link: (root, rel, root2, rel2) => plain(() => fs.linkSync(full(root, rel), full(root2, rel2))),
  readlink: (root, rel) => plain(() => fs.readlinkSync(full(root, rel))),
};

/** Windows has no plain backend: its paths are checked only by the host library's walk. */
const needsLib = () => {
  throw new GuestError({ code: "ERR_NOT_SUPPORTED_IN_SANDBOX", message: "file access on Windows goes through EdgeBox's host library, which did not load here" });
};

export const plainBackend: FsBackend = onWindows
  ? { kind: "plain", open: needsLib, mkdir: needsLib, unlink: needsLib, rmdir: needsLib, rename: needsLib, symlink: needsLib, link: needsLib, readlink: needsLib }
  : posixPlain;
