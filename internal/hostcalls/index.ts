// The host side of the guest/host ABI (wasm/ABI.md): one table from op code
// to handler, and the per-run state the handlers share. Every handler that
// reaches outside the sandbox asks internal/policy first.

import { OP, OP_NAMES } from "../../wasm/abi.js";
import { HostError, type HostReply } from "../engine/quickjs.ts";
import { Children, spawnSync } from "./child.ts";
import type { HostContext } from "./context.ts";
import { GuestError, invalidArg } from "./errors.ts";
import { RefusedFile } from "../regular-file.ts";
import * as fs from "node:fs";
import { fsOps, readChecked } from "./fs.ts";
import { guestSpecifier } from "../winpath.ts";
import { ModuleResolver } from "./modules.ts";
import { Network } from "./net.ts";
import { readStdinSync, StdinPump, writeTo } from "./stdio.ts";
import { compress, hash, random } from "./compute.ts";
import { GuestException, GuestValue } from "../engine/quickjs.ts";

/**
 * Whatever else a host call throws (a bug, or a value no check foresaw) is the
 * guest's error too: named by the op, with the code the host's error carried.
 */
function unexpected(op: number, err: unknown): { code: string; message: string } {
  if (process.env.EDGEBOX_DEBUG === "1") console.error(err);
  const e = err as { code?: unknown; message?: unknown } | undefined;
  const code = typeof e?.code === "string" && /^(E[A-Z0-9]+|ERR_[A-Z0-9_]+)$/.test(e.code) ? e.code : "ERR_SANDBOX_HOST_CALL";
  const message = typeof e?.message === "string" ? e.message : String(err);
  return { code, message: `${OP_NAMES[op] ?? op}: ${message}` };
}

type Handler = (calls: HostCalls, str: string | undefined, bytes: Uint8Array | undefined) => HostReply;

function args(str: string | undefined): Record<string, any> {
  if (str === undefined || str === "") return {};
  try {
    const v = JSON.parse(str);
    if (v && typeof v === "object") return v;
  } catch {
    // fall through
  }
  throw invalidArg("malformed host call arguments");
}

/**
 * What is not ported to Windows yet refuses there with a named error: child processes (no Job
 * Object confinement yet). (The file system is: fs_windows.zig, winpath.ts.)
 */
const notOnWindows = (what: string, h: Handler): Handler =>
  process.platform !== "win32"
    ? h
    : () => {
        throw new GuestError({ code: "ERR_NOT_SUPPORTED_IN_SANDBOX", message: `${what} is not available in EdgeBox on Windows yet` });
      };

/** An fs handler of the (ctx, args, bytes) shape, as a table entry. */
const fsOp = (fn: (ctx: HostContext, a: Record<string, any>, bytes: Uint8Array | undefined) => HostReply): Handler =>
  (c, str, bytes) => fn(c.ctx, args(str), bytes);

const handlers: Record<number, Handler> = {
  [OP.STDOUT]: (c, str, bytes) => writeTo(c.ctx.stdout, str, bytes),
  [OP.STDERR]: (c, str, bytes) => writeTo(c.ctx.stderr, str, bytes),
  [OP.EXIT]: (c, str) => {
    const code = Number(str);
    c.ctx.exit(Number.isInteger(code) ? code & 0xff : 1);
    return undefined;
  },
  [OP.STDIN_READ]: (c, str) => {
    const max = args(str).max ?? 65536;
    if (typeof max !== "number" || !(max >= 0)) throw invalidArg("stdin: max must be a non-negative number");
    return readStdinSync(max, performance.now() + c.ctx.remainingMs(), c.ctx.noStdin);
  },
  [OP.STDIN_STREAM]: (c, str) => {
    if (str !== "pause") return c.stdin.start();
    c.stdin.pause();
    return undefined;
  },
  [OP.MEMORY_USAGE]: (c) => JSON.stringify(c.ctx.memoryUsage()),
  [OP.ENV_MISSING]: (c, str) => c.ctx.envMissing?.(String(str ?? "")),
  [OP.STACK_MAP]: (c, str) => c.ctx.mapStack(String(str)),
  [OP.CRYPTO_RANDOM]: (_c, str) => random(str),
  [OP.CRYPTO_HASH]: (c, str, bytes) => hash(args(str), bytes, c.ctx.remainingMs),
  [OP.ZLIB]: (c, str, bytes) => compress(args(str), bytes, c.ctx.maxFileBytes, c.ctx.remainingMs),

  [OP.FS_OPEN]: fsOp(fsOps.open),
  [OP.FS_CLOSE]: fsOp(fsOps.close),
  [OP.FS_READ]: fsOp(fsOps.read),
  [OP.FS_WRITE]: fsOp(fsOps.write),
  [OP.FS_FSTAT]: fsOp(fsOps.fstat),
  [OP.FS_FTRUNCATE]: fsOp(fsOps.ftruncate),
  [OP.FS_FSYNC]: fsOp(fsOps.fsync),
  [OP.FS_FCHMOD]: fsOp(fsOps.fchmod),
  [OP.FS_FUTIMES]: fsOp(fsOps.futimes),
  [OP.FS_STAT]: fsOp(fsOps.stat),
  [OP.FS_READDIR]: fsOp(fsOps.readdir),
  [OP.FS_MKDIR]: fsOp(fsOps.mkdir),
  [OP.FS_RM]: fsOp(fsOps.rm),
  [OP.FS_RENAME]: fsOp(fsOps.rename),
  [OP.FS_COPYFILE]: fsOp(fsOps.copyFile),
  [OP.FS_REALPATH]: fsOp(fsOps.realpath),
  [OP.FS_ACCESS]: fsOp(fsOps.access),
  [OP.FS_READLINK]: fsOp(fsOps.readlink),
  [OP.FS_SYMLINK]: fsOp(fsOps.symlink),
  [OP.FS_LINK]: fsOp(fsOps.link),
  [OP.FS_CHMOD]: fsOp(fsOps.chmod),
  [OP.FS_UTIMES]: fsOp(fsOps.utimes),
  [OP.FS_TRUNCATE]: fsOp(fsOps.truncate),
  [OP.FS_READ_FILE]: fsOp(fsOps.readFile),
  [OP.FS_WRITE_FILE]: fsOp(fsOps.writeFile),
  [OP.FS_MKDTEMP]: fsOp(fsOps.mkdtemp),

  [OP.MOD_RESOLVE]: (c, str) => {
    const a = args(str);
    if (typeof a.specifier !== "string" || typeof a.parent !== "string") throw invalidArg("a module is resolved from a specifier and a parent, both strings");
    return JSON.stringify(c.modules.resolve(guestSpecifier(a.specifier), a.parent, a.kind === "import" ? "import" : "require"));
  },
  [OP.MOD_LOAD_CJS]: (c, str) => {
    const a = args(str);
    const source = fsOps.readFile(c.ctx, { path: a.path, encoding: "utf8" }) as string;
    return new GuestValue(c.ctx.guest.compileCommonJS(source, String(a.path)));
  },
  [OP.RUNTIME_MODULE]: (c, str) => {
    const fn = c.ctx.guest.runtimeModule(String(str));
    if (fn === undefined) throw new GuestError({ code: "ERR_UNKNOWN_BUILTIN_MODULE", message: `No such built-in module: ${String(str)}` });
    return new GuestValue(fn);
  },

  [OP.MOD_REQUIRE_ESM]: (c, str) => {
    c.ctx.guest.requireModule(String(args(str).path));
    return undefined;
  },

  [OP.WORKER_START]: (c, str, bytes) => {
    const a = args(str);
    if (typeof a.filename !== "string") throw invalidArg("a worker needs a file name or source");
    return c.ctx.workers.start({ filename: a.filename, eval: a.eval === true }, bytes);
  },
  [OP.WORKER_POST]: (c, str, bytes) => {
    c.ctx.workers.post(Number(args(str).id), bytes ?? new Uint8Array(0));
    return undefined;
  },
  [OP.WORKER_TERMINATE]: (c, str) => {
    c.ctx.workers.terminate(Number(args(str).id));
    return undefined;
  },
  [OP.WORKER_SELF]: (c) => c.ctx.workers.self(),
  [OP.WORKER_LISTEN]: (c, str) => c.ctx.workers.listen(args(str).close === true),
  [OP.INTL_LOAD]: (c, str) => c.ctx.loadIntl(String(str)),
  [OP.EXT_LOAD]: (c, str) => {
    c.ctx.loadExtension(String(str));
    return undefined;
  },

  [OP.CHILD_SPAWN_SYNC]: notOnWindows("running a command", (c, str, bytes) => spawnSync(c.ctx, args(str) as never, bytes)),
  [OP.CHILD_SPAWN]: notOnWindows("running a command", (c, str) => c.children.spawn(c.ctx, args(str) as never)),
  [OP.CHILD_WRITE]: (c, str, bytes) => c.children.write(args(str).id, bytes),
  [OP.CHILD_CLOSE_STDIN]: (c, str) => c.children.closeStdin(args(str).id),
  [OP.CHILD_KILL]: (c, str) => (c.children.kill(args(str).id, args(str).signal) ? 1 : 0),

  [OP.NET_FETCH]: (c, str, bytes) => c.network.fetch(args(str) as never, bytes),
  [OP.NET_ABORT]: (c, str) => c.network.abort(args(str).id),
};

/**
 * A file the host reads for the run (a package.json, a tsconfig, a source map) as the app would
 * read it: the policy's answer on the real path, the file opened beneath its grant (a link swapped
 * in after the check is not followed), regular files only, at most `limit` bytes.
 */
export function readBeneath(ctx: HostContext, path: string, limit: number): string {
  // (the cap in bytes, before they are read: not in characters, after)
  const max = Math.min(limit, ctx.maxFileBytes);
  return new TextDecoder().decode(readChecked(ctx, path, fs.constants.O_RDONLY, max, (size) => new RefusedFile(path, `larger than ${max} bytes (${size})`)));
}

/** The host calls of one run: its context, and the state its handlers keep. */
export class HostCalls {
  readonly modules: ModuleResolver;
  readonly children = new Children();
  readonly network: Network;
  readonly stdin: StdinPump;

  /** `modules`: the run's resolver, when the run made one before its guest (to transpile ahead). */
  constructor(readonly ctx: HostContext, modules?: ModuleResolver) {
    this.modules = modules ?? new ModuleResolver(ctx.policy);
    this.modules.read = (path, limit) => readBeneath(ctx, path, limit);
    this.network = new Network(ctx);
    this.stdin = new StdinPump(ctx.async, ctx.noStdin);
  }

  dispatch(op: number, str: string | undefined, bytes: Uint8Array | undefined): HostReply {
    const handler = handlers[op];
    if (!handler) {
      return new HostError({ code: "ERR_UNKNOWN_HOST_CALL", message: `unknown host call ${op}${OP_NAMES[op] ? ` (${OP_NAMES[op]})` : ""}` });
    }
    try {
      return handler(this, str, bytes);
    } catch (err) {
      if (err instanceof GuestError) return new HostError(err.info);
      // guest code the host ran for this call (a module's top level) threw: the engine rethrows it
      if (err instanceof GuestException) throw err;
      return new HostError(unexpected(op, err));
    }
  }

  /** End of the run: close what the guest left open, stop its children and requests. */
  dispose(): void {
    this.ctx.fds.closeAll();
    this.children.killAll();
    this.network.abortAll();
    this.stdin.dispose();
  }
}
