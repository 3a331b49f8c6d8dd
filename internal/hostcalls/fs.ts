// The guest's filesystem: every path resolved on the host, decided by the
// policy on its real path, then acted on beneath the grant that allowed it.
// Descriptors the guest sees are its own numbers, mapped to host descriptors
// here, and all closed when the run ends.

import * as fs from "node:fs";
import { devNull } from "node:os";
import { posix } from "node:path";
import { checkLinkTarget, checkPath, isWithin, mayLook } from "../policy/fs.ts";
import type { Decision, Denial, FsCapability, FsGrant } from "../policy/types.ts";
import { FsError, type DirEntry } from "./fs-backend.ts";
import { fsDenied, GuestError, invalidArg, systemError } from "./errors.ts";
import type { HostContext } from "./context.ts";
import { afterRename, resolveReal, ResolveError } from "./paths.ts";
import { readStdinSync } from "./stdio.ts";
import { guestInput, hostPath } from "../winpath.ts";
import { irregular, readBounded } from "../regular-file.ts";

const { O_RDONLY, O_WRONLY, O_RDWR, O_CREAT, O_EXCL, O_TRUNC, O_APPEND, O_NOFOLLOW, O_DIRECTORY, O_SYNC, O_DSYNC } = fs.constants;
const ACCESS_MODE = O_RDONLY | O_WRONLY | O_RDWR;
// (the guest's paths are POSIX everywhere; on Windows, see winpath.ts)
const { dirname, basename, resolve } = posix;
const ALLOWED_FLAGS = ACCESS_MODE | O_CREAT | O_EXCL | O_TRUNC | O_APPEND | O_NOFOLLOW | O_DIRECTORY | O_SYNC | O_DSYNC;

interface Checked {
  /** The real path the policy allowed. */
  real: string;
  /** The grant's directory and the path below it, for the backend. */
  root: string;
  rel: string;
}

interface OpenFile {
  fd: number;
  path: string;
}

/** Per-run filesystem state: the guest's descriptors. */
export class FdTable {
  private readonly files = new Map<number, OpenFile>();
  private next = 3;

  /** `room(syscall)` throws when the run may hold no more descriptors (edgebox serve's per-request cap). */
  constructor(readonly room: (syscall: string) => void = () => {}) {}

  get size(): number {
    return this.files.size;
  }

  add(file: OpenFile): number {
    const n = this.next++;
    this.files.set(n, file);
    return n;
  }

  get(n: number, syscall: string): OpenFile {
    const f = this.files.get(n);
    if (!f) throw systemError("EBADF", syscall);
    return f;
  }

  close(n: number): void {
    const f = this.get(n, "close");
    this.files.delete(n);
    fs.closeSync(f.fd);
  }

  closeAll(): void {
    for (const f of this.files.values()) {
      try {
        fs.closeSync(f.fd);
      } catch {
        // already gone
      }
    }
    this.files.clear();
  }
}

function audited<T>(ctx: HostContext, d: Decision<T>, capability: string, target: string): Decision<T> {
  ctx.audit?.({ capability, target, allowed: d.ok, rule: d.ok ? d.rule : d.denial.rule });
  return d;
}

/**
 * A denial as the guest hears it. When the path it named is itself outside
 * the grants, about that path only: the real one would tell where a hidden
 * link points or how much of a hidden path exists. (A link inside a grant
 * the app can read anyway; the audit log keeps the real path.)
 */
function denied(ctx: HostContext, cap: FsCapability, d: Denial, path: string, syscall: string, dest?: string): GuestError {
  const asNamed = checkPath(ctx.policy, cap, resolve(ctx.cwd, path));
  return fsDenied(asNamed.ok ? d : asNamed.denial, syscall, path, dest);
}

/** Resolve `path`, ask the policy for `cap` on its real path, and say where to act. */
function check(ctx: HostContext, cap: FsCapability, named: unknown, syscall: string, follow = true, dest?: string): Checked {
  if (typeof named !== "string" || named === "") throw invalidArg(`The "path" argument must be a non-empty string`);
  const input = guestInput(named);
  if ("refused" in input) {
    throw fsDenied({ capability: cap, target: named, rule: `${named} ${input.refused}: the sandbox refuses it on Windows`, remedy: "name the file by its plain path" }, syscall, named, dest);
  }
  const path = input.path;
  let real: string;
  try {
    real = resolveReal(ctx.cwd, path, follow, (p) => mayLook(ctx.policy, p));
  } catch (err) {
    if (!(err instanceof ResolveError)) throw err;
    // Decide before saying anything about a path the guest may not see (the path asked for, when
    // that is already hidden; else as far as resolution got, where a link led out of the grants).
    const named = resolve(ctx.cwd, path);
    const at = err.code === "EACCES" && !checkPath(ctx.policy, cap, named).ok ? named : err.partial;
    const d = audited(ctx, checkPath(ctx.policy, cap, at), cap, at);
    if (!d.ok) throw denied(ctx, cap, d.denial, path, syscall, dest);
    throw systemError(err.code, syscall, path, dest);
  }
  const d = audited(ctx, checkPath(ctx.policy, cap, real), cap, real);
  if (!d.ok) throw denied(ctx, cap, d.denial, path, syscall, dest);
  // "file/" names a directory: a file there is ENOTDIR, as the kernel says (resolution drops the slash)
  if (/\/\.?$/.test(path) && path !== "/" && isFileAt(real)) throw systemError("ENOTDIR", syscall, path, dest);
  return place(real, d.value);
}

function isFileAt(real: string): boolean {
  try {
    return !fs.statSync(hostPath(real)).isDirectory();
  } catch {
    return false; // (nothing there: the call says so)
  }
}

/**
 * Nothing may be put in the place of a grant's own path (or a directory above
 * one), by rename, link or symlink: a confinement starting at that moment
 * would mount whatever stands there (a link to anywhere) as the grant.
 */
function keepGrantRoots(ctx: HostContext, c: Checked, syscall: string, path: string, dest?: string): void {
  const g = ctx.policy.fs.find((g) => isWithin(g.path, c.real));
  if (g && !ctx.policy.allowAll) {
    throw fsDenied({ capability: "write", target: c.real, rule: `${c.real} is ${g.path === c.real ? "" : "above "}the root of a grant (${g.path}): it stays where it is`, remedy: "change the grant instead" }, syscall, path, dest);
  }
}

interface Moved {
  /** A policy file in the tree (or the tree itself when too large to look through). */
  policyFile?: string;
  /** Every symbolic link in it: where it lies below the tree's top ("" for the top itself), and its text. */
  links: { sub: string; target: string }[];
}

/** What a rename would carry along: policy files and symbolic links (bounded: 20,000 entries). */
function scanMoved(top: string): Moved {
  const out: Moved = { links: [] };
  let seen = 0;
  const visit = (p: string, sub: string, st: fs.Stats | fs.Dirent): boolean => {
    const name = p.slice(p.lastIndexOf("/") + 1);
    if (++seen > 20_000) return !!(out.policyFile = `${top}/... (too large to check)`);
    if (name === ".edgebox.json" || name === "edgebox.toml") return !!(out.policyFile = p);
    if (st.isSymbolicLink()) out.links.push({ sub, target: fs.readlinkSync(hostPath(p)) });
    if (!st.isDirectory()) return false;
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(hostPath(p), { withFileTypes: true });
    } catch {
      return false;
    }
    return entries.some((e) => visit(`${p}/${e.name}`, `${sub}/${e.name}`, e));
  };
  try {
    visit(top, "", fs.lstatSync(hostPath(top)));
  } catch {
    // gone: the rename itself will say so
  }
  return out;
}

/**
 * Symbolic links about to stand somewhere else (`sub` below `at`, in the tree
 * as `view` shows it after the change): a relative one means something else
 * there, and must still lead inside the grants.
 */
function keepLinksInside(ctx: HostContext, links: Moved["links"], at: string, view: (p: string) => string | undefined, syscall: string, from: string, to: string): void {
  for (const link of links) {
    const place = at + link.sub;
    let target: string;
    try {
      target = resolveReal(dirname(place), link.target, true, (p) => mayLook(ctx.policy, p), view);
    } catch (err) {
      if (!(err instanceof ResolveError)) throw err;
      target = err.partial;
    }
    const d = audited(ctx, checkLinkTarget(ctx.policy, "symlink", target), "write", target);
    if (!d.ok) {
      const named = resolve(dirname(place), link.target);
      throw fsDenied({ capability: "write", target: named, rule: `the symlink ${to}${link.sub} would point outside the grants (${named}) there`, remedy: `grant ${named}, or put the link where it still points inside` }, syscall, from, to);
    }
  }
}

/**
 * A symlink's target may not climb back out of a name it went through
 * ("a/../b"): the kernel follows "a" first, so what the link reaches would
 * change with whatever "a" becomes.
 */
function climbsBack(target: string): boolean {
  const parts = target.split("/").filter((p) => p !== "" && p !== ".");
  const firstName = parts.findIndex((p) => p !== "..");
  return firstName !== -1 && parts.indexOf("..", firstName) !== -1;
}

/** Where to act for `real` under `grant`: the path itself is opened by name from its parent. */
function place(real: string, grant: FsGrant): Checked {
  if (real === grant.path) {
    if (real === "/") return { real, root: "/", rel: "" };
    return { real, root: dirname(real), rel: basename(real) };
  }
  const rel = real.slice(grant.path === "/" ? 1 : grant.path.length + 1);
  return { real, root: grant.path, rel };
}

/** Run a backend call, turning its errno into the node error for `syscall` on `path`. */
function act<T>(syscall: string, path: string, fn: () => T, dest?: string): T {
  try {
    return fn();
  } catch (err) {
    if (err instanceof FsError) throw systemError(err.code, syscall, path, dest);
    const code = (err as NodeJS.ErrnoException).code;
    if (typeof code === "string" && /^E[A-Z]+$/.test(code)) throw systemError(code, syscall, path, dest);
    throw err;
  }
}

function capsFor(flags: number): FsCapability[] {
  const mode = flags & ACCESS_MODE;
  const writes = mode !== O_RDONLY || (flags & (O_CREAT | O_TRUNC | O_APPEND)) !== 0;
  if (mode === O_WRONLY) return ["write"];
  return writes ? ["read", "write"] : ["read"];
}

/** Open `path` for the guest (as fs.openSync): checks every capability the flags need. */
function openChecked(ctx: HostContext, path: unknown, flags: number, mode: number, syscall = "open"): { fd: number; real: string } {
  if ((flags & ~ALLOWED_FLAGS) !== 0) flags &= ALLOWED_FLAGS;
  const follow = (flags & O_NOFOLLOW) === 0;
  // "name/" names a directory, never a file to make: EISDIR, as the kernel says (resolution drops the slash)
  if (flags & O_CREAT && typeof path === "string" && path.endsWith("/")) throw systemError("EISDIR", syscall, path);
  let c: Checked | undefined;
  for (const cap of capsFor(flags)) c = check(ctx, cap, path, syscall, follow);
  const p = c!;
  const fd = act(syscall, path as string, () => ctx.fs.open(p.root, p.rel, flags, mode));
  // The guest reads and writes regular files and lists directories: a FIFO, socket or device
  // could make a host call wait forever (or never end), out of reach of the run's time limit.
  const kind = irregular(fs.fstatSync(fd));
  if (kind) {
    fs.closeSync(fd);
    throw new GuestError({
      code: "ERR_NOT_SUPPORTED_IN_SANDBOX",
      message: `${syscall} '${path}': ${kind}; the sandbox opens only regular files and directories`,
      syscall,
      path,
    });
  }
  return { fd, real: p.real };
}

export interface StatJson {
  dev: number;
  ino: number;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  rdev: number;
  size: number;
  blksize: number;
  blocks: number;
  atimeMs: number;
  mtimeMs: number;
  ctimeMs: number;
  birthtimeMs: number;
}

function statJson(s: fs.Stats): string {
  const out: StatJson = {
    dev: s.dev,
    ino: s.ino,
    mode: s.mode,
    nlink: s.nlink,
    uid: s.uid,
    gid: s.gid,
    rdev: s.rdev,
    size: s.size,
    blksize: s.blksize,
    blocks: s.blocks,
    atimeMs: s.atimeMs,
    mtimeMs: s.mtimeMs,
    ctimeMs: s.ctimeMs,
    birthtimeMs: s.birthtimeMs,
  };
  return JSON.stringify(out);
}

/** Stat through a descriptor opened beneath the grant (O_PATH-like: read-only, no follow on request). */
function statChecked(ctx: HostContext, path: unknown, follow: boolean, syscall: string): string {
  const c = check(ctx, "read", path, syscall, follow);
  const fd = act(syscall, path as string, () => ctx.fs.open(c.root, c.rel, O_RDONLY | (follow ? 0 : O_NOFOLLOW) | PATH_ONLY, 0));
  try {
    return statJson(fs.fstatSync(fd));
  } finally {
    fs.closeSync(fd);
  }
}

/** O_PATH on Linux: stat a file (or a symlink itself) without the right to read it. */
const PATH_ONLY = process.platform === "linux" ? 0o10000000 : 0;

/**
 * The bytes of the file at `path` as the guest may read it (checked, opened beneath its grant),
 * at most `limit` bytes: past it, `tooLarge(size)` is thrown before more is read.
 */
export function readChecked(ctx: HostContext, path: unknown, flags: number, limit: number, tooLarge: (size: number) => Error): Uint8Array {
  const { fd } = openChecked(ctx, path, flags, 0o666);
  try {
    const st = fs.fstatSync(fd);
    if (st.isDirectory()) throw systemError("EISDIR", "read", path as string);
    const late = () => systemError("ETIMEDOUT", "read", path as string, undefined, "the run's time limit passed");
    return readBounded(fd, st, limit, tooLarge, performance.now() + ctx.remainingMs(), late);
  } finally {
    fs.closeSync(fd);
  }
}

function fileTooLarge(size: number, limit: number): GuestError {
  return new GuestError({
    code: "ERR_FS_FILE_TOO_LARGE",
    message: `File size (${size}) is greater than the sandbox's limit (${limit} bytes)`,
  });
}

function readdirOf(fd: number): fs.Dirent[] {
  const self = process.platform === "linux" ? "/proc/self/fd" : "/dev/fd";
  return fs.readdirSync(`${self}/${fd}`, { withFileTypes: true });
}

/** The entries of the checked directory `c`: through the descriptor opened beneath its grant, or the backend's own listing (Windows). */
function entriesOf(ctx: HostContext, c: Checked, path: string, syscall: string, flags: number): DirEntry[] {
  if (ctx.fs.list) return act(syscall, path, () => ctx.fs.list!(c.root, c.rel));
  const fd = act(syscall, path, () => ctx.fs.open(c.root, c.rel, O_RDONLY | O_DIRECTORY | flags, 0));
  try {
    return readdirOf(fd);
  } finally {
    fs.closeSync(fd);
  }
}

function direntType(d: DirEntry): number {
  // As node's UV_DIRENT_* constants.
  if (d.isFile()) return 1;
  if (d.isDirectory()) return 2;
  if (d.isSymbolicLink()) return 3;
  if (d.isFIFO()) return 4;
  if (d.isSocket()) return 5;
  if (d.isCharacterDevice()) return 6;
  if (d.isBlockDevice()) return 7;
  return 0;
}

function listDir(ctx: HostContext, path: unknown): DirEntry[] {
  const c = check(ctx, "read", path, "scandir");
  return entriesOf(ctx, c, path as string, "scandir", 0);
}

interface Doomed {
  c: Checked;
  /** As the guest named it, for errors. */
  path: string;
  /** The entries of a directory, each checked; undefined for anything else. */
  entries?: Doomed[];
}

/**
 * Every entry of the tree at `c`, each asked of the policy as if removed on
 * its own (a policy file, EdgeBox's files, a read-only grant inside refuse the
 * whole removal before anything is gone).
 */
function planRemoval(ctx: HostContext, c: Checked, path: string, isDir: boolean): Doomed {
  if (!isDir) return { c, path };
  const entries = entriesOf(ctx, c, path, "rm", O_NOFOLLOW).map((e) => {
    const real = `${c.real === "/" ? "" : c.real}/${e.name}`;
    const named = `${path.replace(/(.)\/+$/, "$1")}/${e.name}`;
    const d = audited(ctx, checkPath(ctx.policy, "write", real), "write", real);
    if (!d.ok) throw fsDenied(d.denial, "rm", named);
    return planRemoval(ctx, place(real, d.value), named, e.isDirectory());
  });
  return { c, path, entries };
}

/** Remove what was planned, children first: only checked names (a directory that gained entries since stays, ENOTEMPTY). */
function removePlanned(ctx: HostContext, t: Doomed): void {
  if (!t.entries) return act("unlink", t.path, () => ctx.fs.unlink(t.c.root, t.c.rel));
  for (const e of t.entries) removePlanned(ctx, e);
  act("rmdir", t.path, () => ctx.fs.rmdir(t.c.root, t.c.rel));
}

function removeTree(ctx: HostContext, c: Checked, path: string): void {
  const st = act("rm", path, () => fs.lstatSync(hostPath(c.real)));
  removePlanned(ctx, planRemoval(ctx, c, path, st.isDirectory()));
}

type Args = Record<string, any>;

/**
 * A descriptor whose file the guest may change (its mode, times, length): as
 * the path forms, that takes the write capability of the file's grant,
 * whatever the descriptor was opened for.
 */
function writableFd(ctx: HostContext, n: number, syscall: string): OpenFile {
  const f = ctx.fds.get(n, syscall);
  const d = audited(ctx, checkPath(ctx.policy, "write", f.path), "write", f.path);
  if (!d.ok) throw fsDenied(d.denial, syscall, f.path);
  return f;
}

function num(v: unknown, name: string): number {
  if (typeof v !== "number" || !Number.isFinite(v)) throw invalidArg(`The "${name}" argument must be a number`);
  return v;
}

const ZEROS = Buffer.alloc(1 << 16);

/**
 * Copy what `src` holds to `dst`, holes kept: a block of zeros is skipped,
 * not written (a 4 KiB sparse file of 1 TiB copied densely fills the disk),
 * and the clock is looked at between blocks (`late()` past the deadline).
 */
function copyContents(src: number, dst: number, deadline: number, late: () => Error): void {
  const buf = Buffer.alloc(ZEROS.length);
  let at = 0;
  for (;;) {
    if (performance.now() > deadline) throw late();
    const n = fs.readSync(src, buf, 0, buf.length, null);
    if (n === 0) break;
    if (n < buf.length || !buf.equals(ZEROS)) {
      for (let off = 0; off < n; ) off += fs.writeSync(dst, buf, off, n - off, at + off);
    }
    at += n;
  }
  fs.ftruncateSync(dst, at); // (the length, with any hole at its end)
}

/** Past this, a read's buffer is sized by what the file holds, not by what the guest asked. */
const READ_ASKED = 64 << 10;

/**
 * The buffer a read of `length` bytes at `fd` needs: a guest that asks for a
 * gigabyte of a small file (or again and again) must not make the host
 * allocate it. (The sandbox opens only regular files and directories.)
 */
function readRoom(fd: number, length: number): number {
  if (length <= READ_ASKED) return length;
  let size: number;
  try {
    size = fs.fstatSync(fd).size;
  } catch {
    return READ_ASKED; // (the read says what is wrong)
  }
  // (a file that grows meanwhile gives a short read: the caller reads again)
  return Math.min(length, Math.max(size, READ_ASKED));
}

/**
 * A file mode the guest gives: set-user-ID and set-group-ID taken out. A file
 * of the app's made set-uid would run as its owner (whoever ran edgebox, root
 * too) for anyone who can run it, outside any sandbox.
 */
function modeOf(v: unknown, fallback: number): number {
  return (bits(v, "mode", fallback) & ~0o6000) >>> 0;
}

/** A mode or flags word: an integer that fits 32 bits; `fallback` when absent. */
function bits(v: unknown, name: string, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (!Number.isInteger(v) || (v as number) < 0 || (v as number) > 0xffffffff) throw invalidArg(`The "${name}" argument must be an integer (0 to 2^32-1)`);
  return v as number;
}

/** The fs host calls, by name (wired to op codes in index.ts). */
export const fsOps = {
  open(ctx: HostContext, a: Args): number {
    ctx.fds.room("open");
    const { fd, real } = openChecked(ctx, a.path, bits(num(a.flags, "flags"), "flags", 0), modeOf(a.mode, 0o666));
    return ctx.fds.add({ fd, path: real });
  },
  close(ctx: HostContext, a: Args): undefined {
    ctx.fds.close(num(a.fd, "fd"));
    return undefined;
  },
  read(ctx: HostContext, a: Args): Uint8Array {
    if (a.fd === 0) return readStdinSync(num(a.length, "length"), performance.now() + ctx.remainingMs(), ctx.noStdin);
    const f = ctx.fds.get(num(a.fd, "fd"), "read");
    const buf = new Uint8Array(readRoom(f.fd, Math.max(0, Math.min(num(a.length, "length"), ctx.maxFileBytes))));
    const n = act("read", f.path, () => fs.readSync(f.fd, buf, 0, buf.length, a.position ?? null));
    return n === buf.length ? buf : buf.subarray(0, n);
  },
  write(ctx: HostContext, a: Args, bytes: Uint8Array | undefined): number {
    const data = bytes ?? new Uint8Array(0);
    if (a.fd === 1 || a.fd === 2) {
      (a.fd === 1 ? ctx.stdout : ctx.stderr)(data);
      return data.length;
    }
    const f = ctx.fds.get(num(a.fd, "fd"), "write");
    return act("write", f.path, () => fs.writeSync(f.fd, data, 0, data.length, a.position ?? null));
  },
  fstat(ctx: HostContext, a: Args): string {
    // (a request of edgebox serve reads no stdin: it sees the null device, not the server's)
    if (a.fd === 0 && ctx.noStdin) return statJson(fs.statSync(devNull));
    if (a.fd === 0 || a.fd === 1 || a.fd === 2) return statJson(fs.fstatSync(a.fd));
    const f = ctx.fds.get(num(a.fd, "fd"), "fstat");
    return statJson(act("fstat", f.path, () => fs.fstatSync(f.fd)));
  },
  ftruncate(ctx: HostContext, a: Args): undefined {
    const f = writableFd(ctx, num(a.fd, "fd"), "ftruncate");
    act("ftruncate", f.path, () => fs.ftruncateSync(f.fd, a.len ?? 0));
    return undefined;
  },
  fsync(ctx: HostContext, a: Args): undefined {
    const f = ctx.fds.get(num(a.fd, "fd"), "fsync");
    act("fsync", f.path, () => fs.fsyncSync(f.fd));
    return undefined;
  },
  fchmod(ctx: HostContext, a: Args): undefined {
    const f = writableFd(ctx, num(a.fd, "fd"), "fchmod");
    act("fchmod", f.path, () => fs.fchmodSync(f.fd, modeOf(num(a.mode, "mode"), 0)));
    return undefined;
  },
  futimes(ctx: HostContext, a: Args): undefined {
    const f = writableFd(ctx, num(a.fd, "fd"), "futime");
    act("futime", f.path, () => fs.futimesSync(f.fd, num(a.atime, "atime"), num(a.mtime, "mtime")));
    return undefined;
  },

  readFile(ctx: HostContext, a: Args): Uint8Array | string {
    const bytes = readChecked(ctx, a.path, bits(a.flags, "flags", O_RDONLY), ctx.maxFileBytes, (size) => fileTooLarge(size, ctx.maxFileBytes));
    return a.encoding === "utf8" ? new TextDecoder().decode(bytes) : bytes;
  },
  writeFile(ctx: HostContext, a: Args, bytes: Uint8Array | undefined): undefined {
    const { fd } = openChecked(ctx, a.path, bits(a.flags, "flags", O_WRONLY | O_CREAT | O_TRUNC), modeOf(a.mode, 0o666));
    try {
      const data = bytes ?? new Uint8Array(0);
      for (let off = 0; off < data.length; ) off += fs.writeSync(fd, data, off, data.length - off);
    } finally {
      fs.closeSync(fd);
    }
    return undefined;
  },
  stat(ctx: HostContext, a: Args): string {
    return statChecked(ctx, a.path, !a.lstat, a.lstat ? "lstat" : "stat");
  },
  readdir(ctx: HostContext, a: Args): string {
    return JSON.stringify(listDir(ctx, a.path).map((d) => [d.name, direntType(d)]));
  },
  mkdir(ctx: HostContext, a: Args): string | undefined {
    const c = check(ctx, "write", a.path, "mkdir");
    const mode = modeOf(a.mode, 0o777);
    if (!a.recursive) {
      act("mkdir", a.path, () => ctx.fs.mkdir(c.root, c.rel, mode));
      return undefined;
    }
    // Create each missing directory, top down; the first one created is the result (as node).
    const missing: string[] = [];
    for (let p = c.real; !fs.existsSync(hostPath(p)); p = dirname(p)) missing.unshift(p);
    if (missing.length === 0) {
      if (!fs.statSync(hostPath(c.real)).isDirectory()) throw systemError("EEXIST", "mkdir", a.path);
      return undefined;
    }
    for (const p of missing) {
      const pc = check(ctx, "write", p, "mkdir");
      act("mkdir", p, () => ctx.fs.mkdir(pc.root, pc.rel, mode));
    }
    return missing[0];
  },
  rm(ctx: HostContext, a: Args): undefined {
    // kind: "unlink" | "rmdir" | "rm"
    const kind: string = a.kind ?? "rm";
    let c: Checked;
    try {
      c = check(ctx, "write", a.path, kind, false);
    } catch (err) {
      if (a.force && err instanceof GuestError && err.info.code === "ENOENT") return undefined;
      throw err;
    }
    if (kind === "unlink") return act("unlink", a.path, () => ctx.fs.unlink(c.root, c.rel)), undefined;
    if (kind === "rmdir") {
      if (a.recursive) removeTree(ctx, c, a.path);
      else act("rmdir", a.path, () => ctx.fs.rmdir(c.root, c.rel));
      return undefined;
    }
    let st: fs.Stats;
    try {
      st = fs.lstatSync(hostPath(c.real));
    } catch {
      if (a.force) return undefined;
      throw systemError("ENOENT", "lstat", a.path);
    }
    if (st.isDirectory() && !a.recursive) {
      throw new GuestError({
        code: "ERR_FS_EISDIR",
        message: `Path is a directory: rm returned EISDIR (is a directory) ${a.path}`,
        errno: 21,
        syscall: "rm",
        path: a.path,
      });
    }
    removeTree(ctx, c, a.path);
    return undefined;
  },
  rename(ctx: HostContext, a: Args): undefined {
    const from = check(ctx, "write", a.from, "rename", false, a.to);
    const to = check(ctx, "write", a.to, "rename", false, a.to);
    keepGrantRoots(ctx, from, "rename", a.from, a.to);
    keepGrantRoots(ctx, to, "rename", a.from, a.to);
    // Moving a directory moves the policy files in it to where they would apply to other apps.
    const moved = scanMoved(from.real);
    if (moved.policyFile) {
      throw fsDenied({ capability: "write", target: from.real, rule: `${moved.policyFile} is a policy file: an app may not move it`, remedy: "move it yourself, outside the app" }, "rename", a.from, a.to);
    }
    keepLinksInside(ctx, moved.links, to.real, afterRename(from.real, to.real), "rename", a.from, a.to);
    act("rename", a.from, () => ctx.fs.rename(from.root, from.rel, to.root, to.rel), a.to);
    return undefined;
  },
  copyFile(ctx: HostContext, a: Args): undefined {
    const src = openChecked(ctx, a.from, O_RDONLY, 0, "copyfile");
    try {
      const excl = (a.mode ?? 0) & fs.constants.COPYFILE_EXCL ? O_EXCL : 0;
      const st = fs.fstatSync(src.fd);
      if (st.isDirectory()) throw systemError("EISDIR", "copyfile", a.from, a.to);
      const dst = openChecked(ctx, a.to, O_WRONLY | O_CREAT | O_TRUNC | excl, st.mode & 0o777, "copyfile");
      try {
        copyContents(src.fd, dst.fd, performance.now() + ctx.remainingMs(), () => systemError("ETIMEDOUT", "copyfile", a.from, a.to, "the run's time limit passed"));
      } finally {
        fs.closeSync(dst.fd);
      }
    } finally {
      fs.closeSync(src.fd);
    }
    return undefined;
  },
  realpath(ctx: HostContext, a: Args): string {
    const c = check(ctx, "read", a.path, "realpath");
    // (opened beneath the grant where O_PATH exists: a tree swapped after the check cannot answer for a path outside it)
    if (!PATH_ONLY) {
      if (!fs.existsSync(hostPath(c.real))) throw systemError("ENOENT", "realpath", a.path);
      return c.real;
    }
    fs.closeSync(act("realpath", a.path, () => ctx.fs.open(c.root, c.rel, O_RDONLY | PATH_ONLY, 0)));
    return c.real;
  },
  access(ctx: HostContext, a: Args): undefined {
    const mode: number = a.mode ?? fs.constants.F_OK;
    const caps: FsCapability[] = [];
    if (mode & fs.constants.W_OK) caps.push("write");
    if (mode & fs.constants.X_OK) caps.push("execute");
    if (caps.length === 0 || mode & fs.constants.R_OK) caps.push("read");
    let c: Checked | undefined;
    for (const cap of caps) c = check(ctx, cap, a.path, "access");
    // Asked of the file opened beneath the grant (through its descriptor), not of a path that a
    // swapped tree could send elsewhere; without O_PATH (macOS), of the path.
    if (!PATH_ONLY) {
      act("access", a.path, () => fs.accessSync(hostPath(c!.real), mode));
      return undefined;
    }
    const fd = act("access", a.path, () => ctx.fs.open(c!.root, c!.rel, O_RDONLY | PATH_ONLY, 0));
    try {
      act("access", a.path, () => fs.accessSync(`/proc/self/fd/${fd}`, mode));
    } finally {
      fs.closeSync(fd);
    }
    return undefined;
  },
  readlink(ctx: HostContext, a: Args): string {
    const c = check(ctx, "read", a.path, "readlink", false);
    return act("readlink", a.path, () => ctx.fs.readlink(c.root, c.rel));
  },
  symlink(ctx: HostContext, a: Args): undefined {
    if (typeof a.target !== "string" || a.target === "") throw invalidArg(`The "target" argument must be a non-empty string`);
    const c = check(ctx, "write", a.path, "symlink", false, a.path);
    keepGrantRoots(ctx, c, "symlink", a.target, a.path);
    if (climbsBack(a.target)) {
      throw fsDenied({ capability: "write", target: a.target, rule: `a symlink's target may not climb back out of a name it went through (${a.target}): where it leads would change with that name`, remedy: "write the target without \"name/..\"" }, "symlink", a.target, a.path);
    }
    let target: string;
    try {
      target = resolveReal(dirname(c.real), a.target, true, (p) => mayLook(ctx.policy, p));
    } catch (err) {
      if (!(err instanceof ResolveError)) throw err;
      target = err.partial;
    }
    const d = audited(ctx, checkLinkTarget(ctx.policy, "symlink", target), "write", target);
    if (!d.ok) {
      // named as given: the resolved target could tell where a hidden link points
      const named = resolve(dirname(c.real), a.target);
      throw fsDenied({ capability: "write", target: named, rule: `a symlink may not point outside the grants (${named})`, remedy: `grant ${named}` }, "symlink", a.target, a.path);
    }
    act("symlink", a.target, () => ctx.fs.symlink(a.target, c.root, c.rel), a.path);
    return undefined;
  },
  link(ctx: HostContext, a: Args): undefined {
    const from = check(ctx, "write", a.from, "link", false, a.to);
    const d = audited(ctx, checkLinkTarget(ctx.policy, "hardlink", from.real), "write", from.real);
    if (!d.ok) throw fsDenied(d.denial, "link", a.from, a.to);
    const to = check(ctx, "write", a.to, "link", false, a.to);
    keepGrantRoots(ctx, to, "link", a.from, a.to);
    // (a hard link to a symlink is that symlink in a second place)
    const st = fs.lstatSync(hostPath(from.real), { throwIfNoEntry: false });
    if (st?.isSymbolicLink()) keepLinksInside(ctx, [{ sub: "", target: fs.readlinkSync(hostPath(from.real)) }], to.real, (p) => p, "link", a.from, a.to);
    act("link", a.from, () => ctx.fs.link(from.root, from.rel, to.root, to.rel), a.to);
    return undefined;
  },
  chmod(ctx: HostContext, a: Args): undefined {
    const c = check(ctx, "write", a.path, "chmod");
    const fd = act("chmod", a.path, () => ctx.fs.open(c.root, c.rel, O_RDONLY, 0));
    try {
      act("chmod", a.path, () => fs.fchmodSync(fd, modeOf(num(a.mode, "mode"), 0)));
    } finally {
      fs.closeSync(fd);
    }
    return undefined;
  },
  utimes(ctx: HostContext, a: Args): undefined {
    const c = check(ctx, "write", a.path, "utime");
    const fd = act("utime", a.path, () => ctx.fs.open(c.root, c.rel, O_RDONLY, 0));
    try {
      act("utime", a.path, () => fs.futimesSync(fd, num(a.atime, "atime"), num(a.mtime, "mtime")));
    } finally {
      fs.closeSync(fd);
    }
    return undefined;
  },
  truncate(ctx: HostContext, a: Args): undefined {
    const { fd } = openChecked(ctx, a.path, O_WRONLY, 0);
    try {
      act("ftruncate", a.path, () => fs.ftruncateSync(fd, a.len ?? 0));
    } finally {
      fs.closeSync(fd);
    }
    return undefined;
  },
  mkdtemp(ctx: HostContext, a: Args): string {
    if (typeof a.prefix !== "string") throw invalidArg(`The "prefix" argument must be a string`);
    const chars = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    for (let attempt = 0; attempt < 16; attempt++) {
      const suffix = Array.from(crypto.getRandomValues(new Uint8Array(6)), (b) => chars[b % chars.length]).join("");
      const path = a.prefix + suffix;
      const c = check(ctx, "write", path, "mkdtemp");
      try {
        ctx.fs.mkdir(c.root, c.rel, 0o700);
        return c.real;
      } catch (err) {
        if (!(err instanceof FsError)) throw err;
        if (err.code !== "EEXIST") throw systemError(err.code, "mkdtemp", path);
      }
    }
    throw systemError("EEXIST", "mkdtemp", a.prefix);
  },
};
