// node:fs inside the sandbox. The synchronous core makes one host call per
// operation (the host resolves every path and checks it against the policy);
// the callback and promise forms wrap it, since host calls are synchronous.

import { OP } from "../abi.js";
import { Buffer } from "./buffer.js";
import { ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, notSupported } from "./errors.js";
import { answer, ask, errorCode, host, isHostError } from "./host.js";
import { runtimeModule } from "./runtime_modules.js";
import { EventEmitter } from "./events.js";
import { utf8Encode } from "./utf8.js";
import { setImmediate } from "./timers.js";

/** The host's fs constants (bound per run by start(): they are the host platform's). */
export const constants = {};

export function bindConstants(c) {
  Object.assign(constants, c);
}

const call = (op, args, bytes) => host(op, JSON.stringify(args), bytes);

function toPath(p, name = "path") {
  if (typeof p === "string") {
    if (p.includes("\0")) {
      const err = new TypeError(`The argument '${name}' must be a string, Uint8Array, or URL without null bytes. Received ${JSON.stringify(p)}`);
      err.code = "ERR_INVALID_ARG_VALUE";
      throw err;
    }
    return p;
  }
  if (p instanceof Uint8Array) return Buffer.from(p).toString("utf8");
  if (p !== null && typeof p === "object" && typeof p.href === "string" && p.protocol === "file:") return decodeURIComponent(p.pathname);
  throw new ERR_INVALID_ARG_TYPE(name, "of type string or an instance of Buffer or URL", p);
}

function flagsOf(flag, fallback) {
  if (flag === undefined || flag === null) flag = fallback;
  if (typeof flag === "number") return flag;
  const c = constants;
  switch (flag) {
    case "r":
    case "rs":
    case "sr":
      return c.O_RDONLY;
    case "r+":
    case "rs+":
    case "sr+":
      return c.O_RDWR;
    case "w":
      return c.O_TRUNC | c.O_CREAT | c.O_WRONLY;
    case "wx":
    case "xw":
      return c.O_TRUNC | c.O_CREAT | c.O_WRONLY | c.O_EXCL;
    case "w+":
      return c.O_TRUNC | c.O_CREAT | c.O_RDWR;
    case "wx+":
    case "xw+":
      return c.O_TRUNC | c.O_CREAT | c.O_RDWR | c.O_EXCL;
    case "a":
      return c.O_APPEND | c.O_CREAT | c.O_WRONLY;
    case "ax":
    case "xa":
    case "as":
    case "sa":
      return c.O_APPEND | c.O_CREAT | c.O_WRONLY | (flag.includes("x") ? c.O_EXCL : 0);
    case "a+":
      return c.O_APPEND | c.O_CREAT | c.O_RDWR;
    case "ax+":
    case "xa+":
    case "as+":
    case "sa+":
      return c.O_APPEND | c.O_CREAT | c.O_RDWR | (flag.includes("x") ? c.O_EXCL : 0);
  }
  const err = new TypeError(`The value "${flag}" is invalid for option "flags"`);
  err.code = "ERR_INVALID_ARG_VALUE";
  throw err;
}

function modeOf(mode, fallback) {
  if (mode === undefined || mode === null) return fallback;
  if (typeof mode === "string") return Number.parseInt(mode, 8);
  return mode;
}

function options(o, defaults) {
  if (o === undefined || o === null || typeof o === "function") return { ...defaults };
  if (typeof o === "string") return { ...defaults, encoding: o };
  return { ...defaults, ...o };
}

function encode(data, encoding) {
  if (typeof data === "string") return encoding && encoding !== "utf8" && encoding !== "utf-8" ? Buffer.from(data, encoding) : utf8Encode(data);
  if (data instanceof Uint8Array) return data;
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  throw new ERR_INVALID_ARG_TYPE("data", "of type string or an instance of Buffer, TypedArray, or DataView", data);
}

function decode(bytes, encoding) {
  const b = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return encoding && encoding !== "buffer" ? b.toString(encoding) : b;
}

// ---- Stats and Dirent ----

const S_IFMT = 0o170000;
const S_IFREG = 0o100000;
const S_IFDIR = 0o040000;
const S_IFCHR = 0o020000;
const S_IFBLK = 0o060000;
const S_IFIFO = 0o010000;
const S_IFLNK = 0o120000;
const S_IFSOCK = 0o140000;

/** The S_IFMT bits of a stat's mode (Number(): a { bigint: true } stat's mode is a BigInt). */
const fileType = (s) => Number(s.mode) & S_IFMT;

export class Stats {
  constructor(s) {
    Object.assign(this, s);
    this.atime = new Date(s.atimeMs);
    this.mtime = new Date(s.mtimeMs);
    this.ctime = new Date(s.ctimeMs);
    this.birthtime = new Date(s.birthtimeMs);
  }
  isFile() {
    return fileType(this) === S_IFREG;
  }
  isDirectory() {
    return fileType(this) === S_IFDIR;
  }
  isSymbolicLink() {
    return fileType(this) === S_IFLNK;
  }
  isCharacterDevice() {
    return fileType(this) === S_IFCHR;
  }
  isBlockDevice() {
    return fileType(this) === S_IFBLK;
  }
  isFIFO() {
    return fileType(this) === S_IFIFO;
  }
  isSocket() {
    return fileType(this) === S_IFSOCK;
  }
}

function bigStats(s) {
  const out = new Stats(s);
  for (const k of ["dev", "ino", "mode", "nlink", "uid", "gid", "rdev", "size", "blksize", "blocks"]) out[k] = BigInt(s[k]);
  for (const k of ["atime", "mtime", "ctime", "birthtime"]) {
    out[`${k}Ms`] = BigInt(Math.floor(s[`${k}Ms`]));
    out[`${k}Ns`] = BigInt(Math.floor(s[`${k}Ms`])) * 1000000n;
  }
  return out;
}

export class Dirent {
  constructor(name, type, parentPath) {
    this.name = name;
    this.parentPath = parentPath;
    this.path = parentPath;
    Object.defineProperty(this, "_type", { value: type, enumerable: false });
  }
  isFile() {
    return this._type === 1;
  }
  isDirectory() {
    return this._type === 2;
  }
  isSymbolicLink() {
    return this._type === 3;
  }
  isFIFO() {
    return this._type === 4;
  }
  isSocket() {
    return this._type === 5;
  }
  isCharacterDevice() {
    return this._type === 6;
  }
  isBlockDevice() {
    return this._type === 7;
  }
}

function statFrom(json, o) {
  const s = JSON.parse(json);
  return o?.bigint ? bigStats(s) : new Stats(s);
}

// ---- the synchronous core ----

export function existsSync(path) {
  try {
    // (only whether it worked: no error built)
    return !isHostError(ask(OP.FS_STAT, JSON.stringify({ path: toPath(path) })));
  } catch {
    return false;
  }
}

/** statSync and lstatSync: with throwIfNoEntry false, a missing path is undefined, its error never built. */
function statOrMissing(args, o) {
  const r = ask(OP.FS_STAT, JSON.stringify(args));
  if (o?.throwIfNoEntry === false && isHostError(r) && errorCode(r) === "ENOENT") return undefined;
  return statFrom(answer(r), o);
}

export function statSync(path, o) {
  return statOrMissing({ path: toPath(path) }, o);
}

export function lstatSync(path, o) {
  return statOrMissing({ path: toPath(path), lstat: true }, o);
}

export function fstatSync(fd, o) {
  return statFrom(call(OP.FS_FSTAT, { fd }), o);
}

export function readFileSync(path, o) {
  const opts = options(o, { flag: "r" });
  // the standard input by number or by name, as node reads it
  if (typeof path === "number" || path === "/dev/stdin") return readAllFd(path === "/dev/stdin" ? 0 : path, opts.encoding);
  const utf8 = opts.encoding === "utf8" || opts.encoding === "utf-8";
  const r = call(OP.FS_READ_FILE, { path: toPath(path), flags: flagsOf(opts.flag, "r"), encoding: utf8 ? "utf8" : undefined });
  return utf8 ? r : decode(r, opts.encoding);
}

function readAllFd(fd, encoding) {
  const chunks = [];
  for (;;) {
    const b = call(OP.FS_READ, { fd, length: 65536, position: null });
    if (b.length === 0) break;
    chunks.push(b);
  }
  return decode(Buffer.concat(chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength))), encoding);
}

export function writeFileSync(path, data, o) {
  const opts = options(o, { flag: "w", mode: 0o666 });
  const bytes = encode(data, opts.encoding);
  if (typeof path === "number") {
    writeAllFd(path, bytes);
    return;
  }
  call(OP.FS_WRITE_FILE, { path: toPath(path), flags: flagsOf(opts.flag, "w"), mode: modeOf(opts.mode, 0o666) }, bytes);
}

function writeAllFd(fd, bytes) {
  for (let off = 0; off < bytes.length; ) off += call(OP.FS_WRITE, { fd, position: null }, bytes.subarray(off));
}

export function appendFileSync(path, data, o) {
  const opts = options(o, { flag: "a", mode: 0o666 });
  writeFileSync(path, data, { ...opts, flag: opts.flag ?? "a" });
}

export function readdirSync(path, o) {
  const opts = options(o, {});
  const dir = toPath(path);
  const entries = JSON.parse(call(OP.FS_READDIR, { path: dir }));
  const out = [];
  const walk = (base, rel, list) => {
    for (const [name, type] of list) {
      const relName = rel ? `${rel}/${name}` : name;
      if (opts.withFileTypes) out.push(new Dirent(name, type, rel ? `${dir}/${rel}` : dir));
      else out.push(opts.encoding === "buffer" ? Buffer.from(relName) : relName);
      if (opts.recursive && type === 2) walk(base, relName, JSON.parse(call(OP.FS_READDIR, { path: `${dir}/${relName}` })));
    }
  };
  walk(dir, "", entries);
  return out;
}

export function mkdirSync(path, o) {
  const opts = typeof o === "number" || typeof o === "string" ? { mode: o } : options(o, {});
  const r = call(OP.FS_MKDIR, { path: toPath(path), recursive: Boolean(opts.recursive), mode: modeOf(opts.mode, 0o777) });
  return opts.recursive ? r : undefined;
}

export function mkdtempSync(prefix, o) {
  const opts = options(o, {});
  const r = call(OP.FS_MKDTEMP, { prefix: toPath(prefix, "prefix") });
  return opts.encoding === "buffer" ? Buffer.from(r) : r;
}

export function rmSync(path, o) {
  const opts = options(o, {});
  call(OP.FS_RM, { path: toPath(path), kind: "rm", recursive: Boolean(opts.recursive), force: Boolean(opts.force) });
}

export function rmdirSync(path, o) {
  const opts = options(o, {});
  call(OP.FS_RM, { path: toPath(path), kind: "rmdir", recursive: Boolean(opts.recursive) });
}

export function unlinkSync(path) {
  call(OP.FS_RM, { path: toPath(path), kind: "unlink" });
}

export function renameSync(from, to) {
  call(OP.FS_RENAME, { from: toPath(from, "oldPath"), to: toPath(to, "newPath") });
}

export function copyFileSync(from, to, mode = 0) {
  call(OP.FS_COPYFILE, { from: toPath(from, "src"), to: toPath(to, "dest"), mode });
}

export function cpSync(from, to, o) {
  const opts = options(o, {});
  const src = toPath(from, "src");
  const dest = toPath(to, "dest");
  const st = statSync(src);
  if (st.isDirectory()) {
    if (!opts.recursive) {
      const err = new Error(`Recursive option is required to copy a directory: ${src}`);
      err.code = "ERR_FS_EISDIR";
      throw err;
    }
    mkdirSync(dest, { recursive: true });
    for (const name of readdirSync(src)) cpSync(`${src}/${name}`, `${dest}/${name}`, opts);
    return;
  }
  if (opts.force === false || opts.errorOnExist) {
    if (existsSync(dest)) {
      if (!opts.errorOnExist) return;
      const err = new Error(`Target already exists: cp returned EEXIST (${dest} already exists)`);
      err.code = "ERR_FS_CP_EEXIST";
      throw err;
    }
  }
  copyFileSync(src, dest);
}

export function realpathSync(path, o) {
  const r = call(OP.FS_REALPATH, { path: toPath(path) });
  return options(o, {}).encoding === "buffer" ? Buffer.from(r) : r;
}
realpathSync.native = realpathSync;

export function accessSync(path, mode = 0) {
  call(OP.FS_ACCESS, { path: toPath(path), mode });
}

export function readlinkSync(path, o) {
  const r = call(OP.FS_READLINK, { path: toPath(path) });
  return options(o, {}).encoding === "buffer" ? Buffer.from(r) : r;
}

export function symlinkSync(target, path) {
  call(OP.FS_SYMLINK, { target: toPath(target, "target"), path: toPath(path) });
}

export function linkSync(from, to) {
  call(OP.FS_LINK, { from: toPath(from, "existingPath"), to: toPath(to, "newPath") });
}

export function chmodSync(path, mode) {
  call(OP.FS_CHMOD, { path: toPath(path), mode: modeOf(mode, 0) });
}

export function lchmodSync(path, mode) {
  chmodSync(path, mode);
}

function notInSandbox(name) {
  return () => {
    throw notSupported(`fs.${name}`);
  };
}

export const chownSync = notInSandbox("chownSync");
export const lchownSync = notInSandbox("lchownSync");
export const fchownSync = notInSandbox("fchownSync");

function seconds(t) {
  if (t instanceof Date) return t.getTime() / 1000;
  if (typeof t === "string") return Number(t);
  return t;
}

export function utimesSync(path, atime, mtime) {
  call(OP.FS_UTIMES, { path: toPath(path), atime: seconds(atime), mtime: seconds(mtime) });
}

export function lutimesSync(path, atime, mtime) {
  utimesSync(path, atime, mtime);
}

export function truncateSync(path, len = 0) {
  if (typeof path === "number") return ftruncateSync(path, len);
  call(OP.FS_TRUNCATE, { path: toPath(path), len });
}

export function openSync(path, flags, mode) {
  return call(OP.FS_OPEN, { path: toPath(path), flags: flagsOf(flags, "r"), mode: modeOf(mode, 0o666) });
}

export function closeSync(fd) {
  call(OP.FS_CLOSE, { fd });
}

export function readSync(fd, buffer, offsetOrOptions, length, position) {
  let offset = offsetOrOptions;
  if (offsetOrOptions !== null && typeof offsetOrOptions === "object") ({ offset = 0, length = buffer.byteLength - offset, position = null } = offsetOrOptions);
  if (!ArrayBuffer.isView(buffer)) throw new ERR_INVALID_ARG_TYPE("buffer", "an instance of Buffer, TypedArray, or DataView", buffer);
  offset ??= 0;
  length ??= buffer.byteLength - offset;
  // node's checks: a read never goes past the buffer, nor takes from the file what it cannot hold
  if (typeof offset !== "number") throw new ERR_INVALID_ARG_TYPE("offset", "of type number", offset);
  if (!Number.isInteger(offset)) throw new ERR_OUT_OF_RANGE("offset", "an integer", offset);
  if (offset < 0 || offset > Number.MAX_SAFE_INTEGER) throw new ERR_OUT_OF_RANGE("offset", ">= 0 && <= 9007199254740991", offset);
  length |= 0;
  if (length === 0) return 0;
  if (length < 0) throw new ERR_OUT_OF_RANGE("length", ">= 0", length);
  if (offset + length > buffer.byteLength) throw new ERR_OUT_OF_RANGE("length", `<= ${buffer.byteLength - offset}`, length);
  if (typeof position === "bigint") position = Number(position);
  const bytes = call(OP.FS_READ, { fd, length, position: position ?? null });
  new Uint8Array(buffer.buffer, buffer.byteOffset + offset, bytes.length).set(bytes);
  return bytes.length;
}

export function writeSync(fd, data, offsetOrOptions, length, position) {
  if (typeof data === "string") {
    const enc = typeof length === "string" ? length : undefined;
    const pos = typeof offsetOrOptions === "number" ? offsetOrOptions : null;
    return call(OP.FS_WRITE, { fd, position: pos }, encode(data, enc));
  }
  let offset = offsetOrOptions;
  if (offsetOrOptions !== null && typeof offsetOrOptions === "object") ({ offset = 0, length, position = null } = offsetOrOptions);
  offset ??= 0;
  const bytes = new Uint8Array(data.buffer, data.byteOffset + offset, length ?? data.byteLength - offset);
  return call(OP.FS_WRITE, { fd, position: position ?? null }, bytes);
}

export function readvSync(fd, buffers, position) {
  let total = 0;
  for (const b of buffers) {
    const n = readSync(fd, b, 0, b.byteLength, position === undefined || position === null ? null : position + total);
    total += n;
    if (n < b.byteLength) break;
  }
  return total;
}

export function writevSync(fd, buffers, position) {
  let total = 0;
  for (const b of buffers) total += writeSync(fd, b, 0, b.byteLength, position === undefined || position === null ? null : position + total);
  return total;
}

export function fsyncSync(fd) {
  call(OP.FS_FSYNC, { fd });
}

export const fdatasyncSync = fsyncSync;

export function ftruncateSync(fd, len = 0) {
  call(OP.FS_FTRUNCATE, { fd, len });
}

export function fchmodSync(fd, mode) {
  call(OP.FS_FCHMOD, { fd, mode: modeOf(mode, 0) });
}

export function futimesSync(fd, atime, mtime) {
  call(OP.FS_FUTIMES, { fd, atime: seconds(atime), mtime: seconds(mtime) });
}

export class Dir {
  constructor(path, entries) {
    this.path = path;
    this._entries = entries;
    this._closed = false;
  }
  readSync() {
    return this._entries.shift() ?? null;
  }
  read(cb) {
    const r = Promise.resolve(this.readSync());
    if (typeof cb === "function") r.then((d) => cb(null, d), cb);
    return r;
  }
  closeSync() {
    this._closed = true;
  }
  close(cb) {
    this.closeSync();
    if (typeof cb === "function") setImmediate(cb, null);
    return Promise.resolve();
  }
  async *[Symbol.asyncIterator]() {
    let d;
    while ((d = this.readSync()) !== null) yield d;
  }
  *[Symbol.iterator]() {
    let d;
    while ((d = this.readSync()) !== null) yield d;
  }
}

export function opendirSync(path) {
  return new Dir(toPath(path), readdirSync(path, { withFileTypes: true }));
}

export const watch = notInSandbox("watch");
export const watchFile = notInSandbox("watchFile");
export const unwatchFile = notInSandbox("unwatchFile");

// ---- callback forms ----

function callbackForm(fn, name) {
  const f = function (...args) {
    const cb = args.pop();
    if (typeof cb !== "function") throw new ERR_INVALID_ARG_TYPE("cb", "of type function", cb);
    let result;
    let error = null;
    try {
      result = fn(...args);
    } catch (e) {
      error = e;
    }
    setImmediate(() => (error ? cb(error) : cb(null, result)));
  };
  Object.defineProperty(f, "name", { value: name });
  return f;
}

export const readFile = callbackForm(readFileSync, "readFile");
export const writeFile = callbackForm(writeFileSync, "writeFile");
export const appendFile = callbackForm(appendFileSync, "appendFile");
export const readdir = callbackForm(readdirSync, "readdir");
export const stat = callbackForm(statSync, "stat");
export const lstat = callbackForm(lstatSync, "lstat");
export const fstat = callbackForm(fstatSync, "fstat");
export const mkdir = callbackForm(mkdirSync, "mkdir");
export const mkdtemp = callbackForm(mkdtempSync, "mkdtemp");
export const rm = callbackForm(rmSync, "rm");
export const rmdir = callbackForm(rmdirSync, "rmdir");
export const unlink = callbackForm(unlinkSync, "unlink");
export const rename = callbackForm(renameSync, "rename");
export const copyFile = callbackForm(copyFileSync, "copyFile");
export const cp = callbackForm(cpSync, "cp");
export const realpath = callbackForm(realpathSync, "realpath");
realpath.native = realpath;
export const access = callbackForm(accessSync, "access");
export const readlink = callbackForm(readlinkSync, "readlink");
export const symlink = callbackForm(symlinkSync, "symlink");
export const link = callbackForm(linkSync, "link");
export const chmod = callbackForm(chmodSync, "chmod");
export const lchmod = callbackForm(lchmodSync, "lchmod");
export const chown = callbackForm(chownSync, "chown");
export const lchown = callbackForm(lchownSync, "lchown");
export const fchown = callbackForm(fchownSync, "fchown");
export const utimes = callbackForm(utimesSync, "utimes");
export const lutimes = callbackForm(lutimesSync, "lutimes");
export const truncate = callbackForm(truncateSync, "truncate");
export const open = callbackForm(openSync, "open");
export const close = (fd, cb = () => {}) => callbackForm(closeSync, "close")(fd, cb);
export const fsync = callbackForm(fsyncSync, "fsync");
export const fdatasync = callbackForm(fdatasyncSync, "fdatasync");
export const ftruncate = callbackForm(ftruncateSync, "ftruncate");
export const fchmod = callbackForm(fchmodSync, "fchmod");
export const futimes = callbackForm(futimesSync, "futimes");
export const opendir = callbackForm(opendirSync, "opendir");
export const readv = callbackForm(readvSync, "readv");
export const writev = callbackForm(writevSync, "writev");

export function exists(path, cb) {
  const r = existsSync(path);
  setImmediate(() => cb(r));
}

export function read(fd, buffer, offset, length, position, cb) {
  if (typeof buffer === "function") {
    cb = buffer;
    buffer = Buffer.alloc(16384);
    offset = 0;
    length = buffer.length;
    position = null;
  } else if (typeof offset === "function") {
    cb = offset;
    offset = 0;
    length = buffer.byteLength;
    position = null;
  } else if (offset !== null && typeof offset === "object" && typeof length === "function") {
    cb = length;
    ({ offset = 0, length = buffer.byteLength - offset, position = null } = offset);
  }
  let n;
  let error = null;
  try {
    n = readSync(fd, buffer, offset, length, position);
  } catch (e) {
    error = e;
  }
  setImmediate(() => (error ? cb(error) : cb(null, n, buffer)));
}

export function write(fd, data, ...rest) {
  const cb = rest.pop();
  let n;
  let error = null;
  try {
    n = writeSync(fd, data, ...rest);
  } catch (e) {
    error = e;
  }
  setImmediate(() => (error ? cb(error) : cb(null, n, data)));
}

// ---- streams ----

/** A stream's _destroy: its descriptor closed (once), then the callback. */
function closeStreamFd(stream, err, cb) {
  if (typeof stream.fd === "number") {
    try {
      closeSync(stream.fd);
    } catch {
      // already closed
    }
    stream.fd = null;
  }
  cb(err);
}

let streams;
/** fs.ReadStream and fs.WriteStream, made on first use: they load node:stream. */
export function streamClasses() {
  if (streams) return streams;
  const { Readable, Writable } = runtimeModule("internal/stream");
  class ReadStream extends Readable {
    constructor(path, o) {
      const opts = options(o, { flags: "r", highWaterMark: 65536 });
      super({ highWaterMark: opts.highWaterMark, encoding: opts.encoding, emitClose: opts.emitClose !== false, autoDestroy: opts.autoClose !== false });
      this.path = typeof path === "number" ? undefined : toPath(path);
      this.fd = opts.fd ?? null;
      this.flags = opts.flags;
      this.start = opts.start;
      this.end = opts.end ?? Infinity;
      this.pos = opts.start;
      this.bytesRead = 0;
      this.pending = this.fd === null;
      if (this.fd === null) {
        setImmediate(() => {
          try {
            this.fd = openSync(this.path, this.flags, opts.mode);
            this.pending = false;
            this.emit("open", this.fd);
            this.emit("ready");
          } catch (e) {
            this.destroy(e);
          }
        });
      }
    }
    _read(n) {
      if (this.fd === null) {
        this.once("open", () => this._read(n));
        return;
      }
      const remaining = this.end === Infinity ? n : Math.min(n, this.end - (this.pos ?? this.bytesRead) + 1);
      if (remaining <= 0) {
        this.push(null);
        return;
      }
      try {
        const bytes = call(OP.FS_READ, { fd: this.fd, length: remaining, position: this.pos ?? null });
        if (this.pos !== undefined) this.pos += bytes.length;
        this.bytesRead += bytes.length;
        this.push(bytes.length ? Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength) : null);
      } catch (e) {
        this.destroy(e);
      }
    }
    _destroy(err, cb) {
      closeStreamFd(this, err, cb);
    }
    close(cb) {
      this.destroy();
      if (cb) this.once("close", cb);
    }
  }

  class WriteStream extends Writable {
    constructor(path, o) {
      const opts = options(o, { flags: "w" });
      super({ decodeStrings: true, emitClose: opts.emitClose !== false, autoDestroy: opts.autoClose !== false });
      this.path = typeof path === "number" ? undefined : toPath(path);
      this.fd = opts.fd ?? null;
      this.flags = opts.flags;
      this.pos = opts.start;
      this.bytesWritten = 0;
      this.pending = this.fd === null;
      if (this.fd === null) {
        try {
          this.fd = openSync(this.path, this.flags, opts.mode);
          this.pending = false;
          setImmediate(() => {
            this.emit("open", this.fd);
            this.emit("ready");
          });
        } catch (e) {
          // writes made before the stream is destroyed fail with the open's error (EACCES outside the grants)
          this.openError = e;
          setImmediate(() => this.destroy(e));
        }
      }
    }
    _write(chunk, encoding, cb) {
      if (this.fd === null) return cb(this.openError ?? Object.assign(new Error("EBADF: bad file descriptor, write"), { code: "EBADF", syscall: "write" }));
      try {
        const bytes = encode(chunk, encoding);
        for (let off = 0; off < bytes.length; ) {
          const n = call(OP.FS_WRITE, { fd: this.fd, position: this.pos ?? null }, bytes.subarray(off));
          off += n;
          if (this.pos !== undefined) this.pos += n;
        }
        this.bytesWritten += bytes.length;
        cb();
      } catch (e) {
        cb(e);
      }
    }
    _destroy(err, cb) {
      closeStreamFd(this, err, cb);
    }
    close(cb) {
      if (cb) this.once("close", cb);
      this.end();
    }
  }
  return (streams = { ReadStream, WriteStream });
}

export function createReadStream(path, o) {
  return new (streamClasses().ReadStream)(path, o);
}

export function createWriteStream(path, o) {
  return new (streamClasses().WriteStream)(path, o);
}

// ---- promises ----

function promiseForm(fn) {
  return (...args) =>
    new Promise((resolve, reject) => {
      try {
        resolve(fn(...args));
      } catch (e) {
        reject(e);
      }
    });
}

export class FileHandle extends EventEmitter {
  constructor(fd) {
    super();
    this.fd = fd;
  }
  async read(buffer, offset, length, position) {
    if (buffer === undefined || (buffer !== null && typeof buffer === "object" && !ArrayBuffer.isView(buffer))) {
      const o = buffer ?? {};
      buffer = o.buffer ?? Buffer.alloc(16384);
      offset = o.offset ?? 0;
      length = o.length ?? buffer.byteLength - offset;
      position = o.position ?? null;
    }
    const bytesRead = readSync(this.fd, buffer, offset ?? 0, length ?? buffer.byteLength, position ?? null);
    return { bytesRead, buffer };
  }
  async write(data, ...rest) {
    const bytesWritten = writeSync(this.fd, data, ...rest);
    return { bytesWritten, buffer: data };
  }
  async readFile(o) {
    return readAllFd(this.fd, options(o, {}).encoding);
  }
  async writeFile(data, o) {
    writeAllFd(this.fd, encode(data, options(o, {}).encoding));
  }
  async appendFile(data, o) {
    return this.writeFile(data, o);
  }
  async stat(o) {
    return fstatSync(this.fd, o);
  }
  async truncate(len) {
    ftruncateSync(this.fd, len);
  }
  async sync() {
    fsyncSync(this.fd);
  }
  async datasync() {
    fsyncSync(this.fd);
  }
  async chmod(mode) {
    fchmodSync(this.fd, mode);
  }
  async utimes(a, m) {
    futimesSync(this.fd, a, m);
  }
  async close() {
    if (this.fd !== -1) {
      closeSync(this.fd);
      this.fd = -1;
      this.emit("close");
    }
  }
  createReadStream(o) {
    return new (streamClasses().ReadStream)(this.fd, { ...o, fd: this.fd });
  }
  createWriteStream(o) {
    return new (streamClasses().WriteStream)(this.fd, { ...o, fd: this.fd });
  }
  async *readLines() {
    const text = readAllFd(this.fd, "utf8");
    const lines = text.split(/\r?\n/);
    if (lines[lines.length - 1] === "") lines.pop();
    yield* lines;
  }
  async [Symbol.asyncDispose]() {
    await this.close();
  }
}

export const promises = {
  readFile: (path, o) => (path instanceof FileHandle ? path.readFile(o) : promiseForm(readFileSync)(path, o)),
  writeFile: (path, data, o) => (path instanceof FileHandle ? path.writeFile(data, o) : promiseForm(writeFileSync)(path, data, o)),
  appendFile: promiseForm(appendFileSync),
  readdir: promiseForm(readdirSync),
  stat: promiseForm(statSync),
  lstat: promiseForm(lstatSync),
  mkdir: promiseForm(mkdirSync),
  mkdtemp: promiseForm(mkdtempSync),
  rm: promiseForm(rmSync),
  rmdir: promiseForm(rmdirSync),
  unlink: promiseForm(unlinkSync),
  rename: promiseForm(renameSync),
  copyFile: promiseForm(copyFileSync),
  cp: promiseForm(cpSync),
  realpath: promiseForm(realpathSync),
  access: promiseForm(accessSync),
  readlink: promiseForm(readlinkSync),
  symlink: promiseForm(symlinkSync),
  link: promiseForm(linkSync),
  chmod: promiseForm(chmodSync),
  lchmod: promiseForm(lchmodSync),
  chown: promiseForm(chownSync),
  lchown: promiseForm(lchownSync),
  utimes: promiseForm(utimesSync),
  lutimes: promiseForm(lutimesSync),
  truncate: promiseForm(truncateSync),
  opendir: promiseForm(opendirSync),
  open: promiseForm((path, flags, mode) => new FileHandle(openSync(path, flags, mode))),
  watch: notInSandbox("promises.watch"),
  constants,
};
