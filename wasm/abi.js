// The guest/host contract: the one list of host calls the guest may make.
// Imported by the runtime JS (bundled into the guest) and by the host
// (internal/hostcalls). Read wasm/ABI.md for the calling convention.
//
// Bump ABI_VERSION whenever an op changes meaning or an op is removed; adding
// an op is backwards compatible.
//
// Unless an op says otherwise, `str` is a JSON object of arguments (named in
// the comment) and a failure is a Node-style error (ABI.md, "Errors").

export const ABI_VERSION = 1;

export const OP = Object.freeze({
  /** str or bytes: write to the process's stdout. */
  STDOUT: 1,
  /** str or bytes: write to the process's stderr. */
  STDERR: 2,
  /** str: exit code. Never returns: the guest unwinds with an uncatchable error. */
  EXIT: 3,
  /** {max}: up to max bytes of the process's stdin, waiting for them (empty at end of input). */
  STDIN_READ: 4,
  /** str "start" -> id; then deliveries "data" (bytes) as stdin has them, and a final "end". str "pause": ends the operation with a final "pause"; what arrives meanwhile goes to the next "start". */
  STDIN_STREAM: 5,
  /** -> JSON {rss, heapTotal, heapUsed, external, arrayBuffers} */
  MEMORY_USAGE: 6,
  /** str: the app read a variable process.env does not have (once per name). The host may say why
   *  (the policy hides one that is set); the guest learns nothing. */
  ENV_MISSING: 9,
  /** {what, stack}: only while an app's top level is pre-run at build time, before start():
   *  the top level needs something of a run (a host call, argv, env, the clock...). Never returns. */
  PRERUN_STOP: 7,
  /** str: a stack trace naming a file the host has a source map for (markMapped) -> the same
   *  trace with those frames at their original file:line:column. */
  STACK_MAP: 8,

  // Files. Paths are the guest's (relative to its cwd); the host resolves and checks them.
  /** {path, flags, mode} -> guest fd */
  FS_OPEN: 10,
  /** {fd} */
  FS_CLOSE: 11,
  /** {fd, length, position} -> bytes (fewer at end of file) */
  FS_READ: 12,
  /** {fd, position} + bytes -> bytes written */
  FS_WRITE: 13,
  /** {fd} -> stat JSON */
  FS_FSTAT: 14,
  /** {fd, len} */
  FS_FTRUNCATE: 15,
  /** {fd} */
  FS_FSYNC: 16,
  /** {fd, mode} */
  FS_FCHMOD: 17,
  /** {fd, atime, mtime} (seconds) */
  FS_FUTIMES: 18,
  /** {path, lstat} -> stat JSON */
  FS_STAT: 20,
  /** {path} -> JSON [[name, type], ...] (type as node's UV_DIRENT_*) */
  FS_READDIR: 21,
  /** {path, recursive, mode} -> the first directory created (recursive) */
  FS_MKDIR: 22,
  /** {path, kind: "unlink" | "rmdir" | "rm", recursive, force} */
  FS_RM: 23,
  /** {from, to} */
  FS_RENAME: 24,
  /** {from, to, mode} */
  FS_COPYFILE: 25,
  /** {path} -> real path */
  FS_REALPATH: 26,
  /** {path, mode} */
  FS_ACCESS: 27,
  /** {path} -> link text */
  FS_READLINK: 28,
  /** {target, path} */
  FS_SYMLINK: 29,
  /** {from, to} */
  FS_LINK: 30,
  /** {path, mode} */
  FS_CHMOD: 31,
  /** {path, atime, mtime} (seconds) */
  FS_UTIMES: 32,
  /** {path, len} */
  FS_TRUNCATE: 33,
  /** {path, flags, encoding} -> bytes, or a string when encoding is "utf8" */
  FS_READ_FILE: 34,
  /** {path, flags, mode} + bytes */
  FS_WRITE_FILE: 35,
  /** {prefix} -> the directory created */
  FS_MKDTEMP: 36,

  // Modules.
  /** {specifier, parent, kind: "require" | "import"} -> JSON {builtin} or {path, format} */
  MOD_RESOLVE: 40,
  /** {path} -> the CommonJS wrapper function of that file (read under the policy) */
  MOD_LOAD_CJS: 41,
  /** {path}: evaluate that ES module (and what it imports) now; its namespace reaches the guest through
   *  globalThis[Symbol.for("edgebox.required")]. ERR_REQUIRE_ASYNC_MODULE when it awaits at top level. */
  MOD_REQUIRE_ESM: 42,
  /** str: one of the runtime's own modules kept out of its snapshot ("internal/stream") -> its module function (module, exports, load) */
  RUNTIME_MODULE: 46,

  // Child processes.
  /** {command, args, cwd, env, timeout, maxBuffer, killSignal} + stdin bytes -> bytes: u32 header length, header JSON {status, signal, pid, error, stdout, stderr}, stdout, stderr */
  CHILD_SPAWN_SYNC: 50,
  /** {command, args, cwd, env} -> JSON {id, pid}; then deliveries "stdout", "stderr" (bytes) and a final "exit" {code, signal} */
  CHILD_SPAWN: 51,
  /** {id} + bytes: write to the child's stdin */
  CHILD_WRITE: 52,
  /** {id}: close the child's stdin */
  CHILD_CLOSE_STDIN: 53,
  /** {id, signal} -> 1 if the child was running */
  CHILD_KILL: 54,

  // Worker threads (each one another sandbox instance in this process; messages are wasm/internal/clone.js bytes).
  /** {filename, eval, argv} + workerData bytes -> JSON {id, threadId}; then deliveries "online", "message" (bytes),
   *  "error" (JSON {message, stack}) and a final "exit" (str: the exit code) */
  WORKER_START: 80,
  /** {id} + bytes: a message to worker id, or (id 0, in a worker) to the parent */
  WORKER_POST: 81,
  /** {id}: stop worker id (its "exit" follows, code 1) */
  WORKER_TERMINATE: 82,
  /** -> JSON {threadId, data}: threadId 0 in the main thread; data is workerData's bytes in base64, or null */
  WORKER_SELF: 83,
  /** {close}: in a worker, start receiving the parent's messages -> id (deliveries "message", a final "close"), or stop */
  WORKER_LISTEN: 84,

  // Extensions (native side modules linked into the guest on first use).
  /** str: the extension's name ("url", "encoding", "structured-clone", "crypto"); it registers its globals. */
  EXT_LOAD: 45,
  /** str: an Intl chunk's name (wasm/intl/<name>.js, FormatJS's polyfills): evaluate it in the guest, where it fills
   *  globalThis.Intl. -> the default time zone's name */
  INTL_LOAD: 47,

  // Computation the host does faster (no capability involved).
  /** str: byte count (at most 65536) -> that many cryptographically random bytes */
  CRYPTO_RANDOM: 70,
  /** {algorithm, key?} + data -> digest bytes (an HMAC when key, base64, is given) */
  CRYPTO_HASH: 71,
  /** {op: "gzip" | "gunzip" | "deflate" | "inflate" | "deflateRaw" | "inflateRaw" | "brotliCompress" | "brotliDecompress", level?} + bytes -> bytes */
  ZLIB: 72,

  // The engine's answers about its own values (util.inspect); the engine replies itself, no capability involved.
  /** the second argument is any value (not a string): -> -1 not a promise, 0 pending, 1 fulfilled, 2 rejected */
  PROMISE_STATE: 90,
  /** the second argument is a settled promise: -> its value or reason (undefined for anything else) */
  PROMISE_RESULT: 91,

  // Network.
  /** {url, method, headers: [[k, v]], redirect} + body bytes -> id; then deliveries "head" {status, statusText, headers, url, redirected}, "data" (bytes)..., and a final "end" or "error" {code, message} */
  NET_FETCH: 60,
  /** {id}: abort a fetch */
  NET_ABORT: 61,
});

/**
 * The host compiles a CommonJS file as PREFIX + source + SUFFIX (one
 * function, so that the file's variables stay local). The prefix sits on the
 * source's first line: the runtime subtracts its length from line-1 columns.
 */
export const CJS_WRAPPER = Object.freeze(["(function (exports, require, module, __filename, __dirname) { ", "\n})"]);

/** Op code to name, for messages and the audit log. */
export const OP_NAMES = Object.freeze(Object.fromEntries(Object.entries(OP).map(([k, v]) => [v, k])));
