// child_process for the guest: each command resolved to its real
// executable, checked (deny list, allow list, argument allowlist, execute
// grant), run with the guest's environment minus loader-injection
// variables, and confined to the grants (confine.ts) unless the policy says
// best-effort and no confinement exists here.

import { closeSync, existsSync, openSync, realpathSync, statSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { join, resolve } from "node:path";
import { checkCommand, checkRun } from "../policy/checks.ts";
import { checkPath, isWithin } from "../policy/fs.ts";
import type { HostContext } from "./context.ts";
import type { Policy } from "../policy/types.ts";
import { findConfinement, type Confinement } from "./confine.ts";
import { accessDenied, fsDenied, GuestError, invalidArg, shown } from "./errors.ts";

/** Variables that make a program load other code: never passed to a child. */
// (git reads commands to run from GIT_CONFIG_*: an allowed `git status` would run anything)
const INJECTION =
  /^(LD_|DYLD_|GIT_CONFIG)|^(BASH_ENV|ENV|BASHOPTS|SHELLOPTS|PS4|PROMPT_COMMAND|IFS|PERL5OPT|PERL5LIB|PERLLIB|PERL5DB|PYTHONSTARTUP|PYTHONPATH|PYTHONHOME|NODE_OPTIONS|RUBYOPT|RUBYLIB|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|GCONV_PATH|HOSTALIASES|LOCALDOMAIN|RES_OPTIONS|GIT_EXEC_PATH|GIT_SSH|GIT_SSH_COMMAND|GIT_ASKPASS|SSH_ASKPASS|GIT_EDITOR|GIT_SEQUENCE_EDITOR|GIT_PAGER|GIT_PROXY_COMMAND|GIT_EXTERNAL_DIFF|GIT_TEMPLATE_DIR|EDITOR|VISUAL|PAGER|LESSOPEN|LESSCLOSE)$/;

interface SpawnArgs {
  command: unknown;
  args?: unknown;
  cwd?: unknown;
  env?: unknown;
  timeout?: unknown;
  maxBuffer?: unknown;
  killSignal?: unknown;
}

function enoent(command: string, sync: boolean): GuestError {
  return new GuestError({
    code: "ENOENT",
    errno: -2,
    syscall: sync ? `spawnSync ${command}` : `spawn ${command}`,
    path: command,
    spawnargs: [],
    message: `${sync ? "spawnSync" : "spawn"} ${command} ENOENT`,
  });
}

/** The executable `command` names: a path (relative to cwd) or a name found on the host's PATH. */
function findExecutable(command: string, cwd: string): string | undefined {
  const candidates = command.includes("/") ? [resolve(cwd, command)] : (process.env.PATH ?? "/usr/bin:/bin").split(":").filter(Boolean).map((d) => join(d, command));
  for (const c of candidates) {
    try {
      if (existsSync(c) && statSync(c).isFile()) return realpathSync(c);
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** Run `fn` with `file` open as the extra descriptor a child gets as its fd 3 (closed after). */
function withFd3<T>(file: string | undefined, fn: (extra: number[]) => T): T {
  const fd = file ? openSync(file, "r") : undefined;
  try {
    return fn(fd === undefined ? [] : [fd]);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/** Whether the confinement really works here (bubblewrap needs user namespaces or setuid): probed once per kind. */
const confinementWorks = new Map<string, boolean>();

function works(c: Confinement): boolean {
  let ok = confinementWorks.get(c.describe);
  if (ok === undefined) {
    const w = c.wrap(["/bin/sh", "-c", "exit 0"], "/");
    ok = withFd3(w.fd3, (extra) => Bun.spawnSync(w.argv, { stdio: ["ignore", "ignore", "ignore", ...extra] }).exitCode === 0);
    confinementWorks.set(c.describe, ok);
  }
  return ok;
}

/**
 * Why a child could not be confined to the grants as they were decided: a
 * grant inside a write grant (a child could swap it, or a directory above it,
 * for a link to anywhere before the confinement mounts it), or a grant whose
 * path no longer is what it was (now a link).
 */
function unstableGrant(policy: Policy): string | undefined {
  for (const w of policy.fs) {
    if (!w.write) continue;
    const inner = policy.fs.find((g) => g !== w && g.path !== w.path && isWithin(g.path, w.path));
    if (inner) return `the grant of ${inner.path} lies inside the write grant of ${w.path}`;
  }
  for (const g of policy.fs) {
    try {
      if (realpathSync(g.path) !== g.path) return `${g.path} is no longer the directory it was (a link now)`;
    } catch {
      // missing: bubblewrap's --bind-try leaves it out
    }
  }
  return undefined;
}

export interface Prepared {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** Run under bubblewrap, which reports a child killed by signal N as exit code 128+N. */
  confined: boolean;
  /** A file the child gets as its fd 3 (the confinement's seccomp filter). */
  fd3?: string;
}

const SIGNAL_NAMES: Record<number, string> = { 1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM" };

/** Exit status and signal as node reports them (undoing bubblewrap's 128+N for signals). */
function outcome(p: Prepared, exitCode: number | null, signalCode: string | number | null | undefined): { code: number | null; signal: string | null } {
  if (signalCode) return { code: null, signal: typeof signalCode === "number" ? (SIGNAL_NAMES[signalCode] ?? String(signalCode)) : signalCode };
  if (p.confined && exitCode !== null && SIGNAL_NAMES[exitCode - 128]) return { code: null, signal: SIGNAL_NAMES[exitCode - 128]! };
  return { code: exitCode, signal: null };
}

/** Check a spawn against the policy and build what to run, or throw the guest's error. */
export function prepareSpawn(ctx: HostContext, a: SpawnArgs, sync: boolean): Prepared {
  if (typeof a.command !== "string" || a.command === "") throw invalidArg(`The "file" argument must be a non-empty string`);
  if (a.args !== undefined && !(Array.isArray(a.args) && a.args.every((x) => typeof x === "string"))) throw invalidArg(`The "args" argument must be an array of strings`);
  const args = (a.args as string[] | undefined) ?? [];
  for (const s of [a.command, ...args]) if (s.includes("\0")) throw invalidArg("arguments must not contain null bytes");
  if (a.cwd !== undefined && (typeof a.cwd !== "string" || a.cwd.includes("\0"))) throw invalidArg(`The "options.cwd" property must be a string without null bytes`);
  if (a.env !== undefined && (a.env === null || typeof a.env !== "object" || Array.isArray(a.env))) throw invalidArg(`The "options.env" property must be an object`);
  let cwd = resolve(ctx.cwd, (a.cwd as string | undefined) ?? ".");
  const exe = findExecutable(a.command, ctx.cwd);
  const target = [a.command, ...args].join(" ");
  if (!exe) {
    // Refuse by name before admitting that the program is missing.
    const d = checkCommand(ctx.policy, a.command, args);
    if (!d.ok) {
      ctx.audit?.({ capability: "run", target, allowed: false, rule: d.denial.rule });
      throw accessDenied(d.denial, `the command "${target}"`);
    }
    throw enoent(a.command, sync);
  }
  const d = checkRun(ctx.policy, { command: a.command, path: exe, args });
  ctx.audit?.({ capability: "run", target, allowed: d.ok, rule: d.ok ? d.rule : d.denial.rule });
  if (!d.ok) throw accessDenied(d.denial, `the command "${target}"`);
  const cwdOk = checkPath(ctx.policy, "read", cwd);
  if (!cwdOk.ok) {
    // An explicit cwd the app may not read is refused; an inherited one it cannot see is replaced by "/".
    if (a.cwd !== undefined) throw fsDenied(cwdOk.denial, sync ? "spawnSync" : "spawn", cwd);
    cwd = "/";
  }

  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.env ?? {})) {
    if (typeof v === "object" && v !== null) throw invalidArg(`The "options.env" property holds an invalid value for ${shown(k)}`);
    const value = String(v);
    // (a NUL or "=" would cut the variable short or make another one)
    if (k === "" || k.includes("=") || k.includes("\0") || value.includes("\0")) throw invalidArg(`The "options.env" property holds an invalid variable: ${JSON.stringify(k).slice(0, 100)}`);
    if (!INJECTION.test(k)) env[k] = value;
  }

  let argv = [exe, ...args];
  let confined = false;
  let fd3: string | undefined;
  if (!ctx.policy.allowAll) {
    // A child writes with plain system calls: where a write grant holds EdgeBox's own files (its
    // cache of trusted native code, the policy in use, the audit log), it could replace or move them.
    // (and a grant inside them, its cache above all, would show or hand them to the child)
    const own = [...(ctx.policy.own?.hidden ?? []), ...(ctx.policy.own?.fixed ?? [])];
    for (const g of ctx.policy.fs) {
      const mine = own.find((p) => (g.write && isWithin(p, g.path)) || isWithin(g.path, p));
      if (mine) {
        ctx.audit?.({ capability: "run", target, allowed: false, rule: `the grant of ${g.path} meets ${mine}` });
        throw accessDenied(
          { capability: "run", target, rule: `a command could change ${mine} (EdgeBox's own) through the grant of ${g.path}`, remedy: `narrow that grant (to a directory that holds no policy, cache or audit log, and lies outside them)` },
          `the command "${target}"`,
        );
      }
    }
    const unstable = unstableGrant(ctx.policy);
    if (unstable) {
      throw accessDenied(
        { capability: "run", target, rule: `a command cannot be confined: ${unstable}`, remedy: "do not nest grants inside a write grant" },
        `the command "${target}"`,
      );
    }
    const c = findConfinement(ctx.policy);
    if (c && works(c)) {
      ({ argv, fd3 } = c.wrap(argv, cwd));
      confined = true;
    } else if (ctx.policy.processSandbox === "required") {
      throw new GuestError({
        code: "ERR_ACCESS_DENIED",
        message:
          `Refusing to run "${target}": the policy requires spawned commands to be confined (processSandbox "required"), ` +
          `and no confinement works here (${process.platform === "linux" ? "install bubblewrap (bwrap)" : "sandbox-exec is missing"}); ` +
          `set "processSandbox": "best-effort" to run unconfined`,
        permission: "run",
        resource: target,
      });
    } else if (!warnedUnconfined.has(ctx)) {
      warnedUnconfined.add(ctx);
      ctx.stderr(new TextEncoder().encode(`edgebox: warning: running "${target}" unconfined (processSandbox "best-effort" and no confinement here): commands have this user's full access\n`));
    }
  }
  return { argv, cwd, env, confined, fd3 };
}

const SIGNALS = osConstants.signals as Record<string, number>;

/** A signal as the guest names it (node's names, or a number), checked. */
function signalOf(s: unknown): number {
  if (s === undefined || s === null) return 15;
  if (typeof s === "number" && Number.isInteger(s) && s > 0 && s < 65) return s;
  if (typeof s === "string" && Object.hasOwn(SIGNALS, s)) return SIGNALS[s]!;
  throw new GuestError({ code: "ERR_UNKNOWN_SIGNAL", name: "TypeError", message: `Unknown signal: ${shown(s)}` });
}

/** A non-negative number of milliseconds or bytes the guest gave; `fallback` when it gave none. */
function amount(v: unknown, name: string, fallback: number): number {
  if (v === undefined || v === null) return fallback;
  if (typeof v !== "number" || Number.isNaN(v) || v < 0) throw invalidArg(`The "options.${name}" property must be a non-negative number`);
  return v;
}

/** spawnSync: runs to completion; the result is a header (JSON) and the two outputs, as one byte string. */
export function spawnSync(ctx: HostContext, a: SpawnArgs, input: Uint8Array | undefined): Uint8Array {
  // Each output is held here while the child runs: never more than the guest's memory could take.
  const maxBuffer = Math.min(amount(a.maxBuffer, "maxBuffer", 1024 * 1024), ctx.maxFileBytes);
  const own = amount(a.timeout, "timeout", 0) || Infinity;
  const killSignal = signalOf(a.killSignal);
  const p = prepareSpawn(ctx, a, true);
  // The run's time limit bounds a synchronous child too (the guest cannot be interrupted while it waits).
  const timeout = Math.min(own, ctx.remainingMs());
  const proc = withFd3(p.fd3, (extra) =>
    Bun.spawnSync(p.argv, {
      cwd: p.cwd,
      env: p.env,
      stdio: [input ?? "ignore", "pipe", "pipe", ...extra],
      timeout: Number.isFinite(timeout) ? Math.max(1, Math.ceil(timeout)) : undefined,
      killSignal: timeout < own ? 9 : killSignal,
      // the child is killed once an output passes it (as node), not collected to the end
      maxBuffer,
    }),
  );
  let stdout = new Uint8Array(proc.stdout ?? new Uint8Array());
  let stderr = new Uint8Array(proc.stderr ?? new Uint8Array());
  let error: string | undefined;
  if (proc.exitedDueToMaxBuffer || stdout.length > maxBuffer || stderr.length > maxBuffer) {
    error = "ENOBUFS";
    stdout = stdout.subarray(0, maxBuffer);
    stderr = stderr.subarray(0, maxBuffer);
  }
  const timedOut = (proc as { exitedDueToTimeout?: boolean }).exitedDueToTimeout === true;
  const end = outcome(p, proc.exitCode, proc.signalCode);
  const header = JSON.stringify({
    status: end.code,
    signal: end.signal,
    pid: proc.pid,
    error: error ?? (timedOut ? "ETIMEDOUT" : undefined),
    stdout: stdout.length,
    stderr: stderr.length,
  });
  const head = new TextEncoder().encode(header);
  const out = new Uint8Array(4 + head.length + stdout.length + stderr.length);
  new DataView(out.buffer).setUint32(0, head.length, true);
  out.set(head, 4);
  out.set(stdout, 4 + head.length);
  out.set(stderr, 4 + head.length + stdout.length);
  return out;
}

/** Asynchronous children of this run: id -> process. */
const warnedUnconfined = new WeakSet<HostContext>();

/** Bytes written to a child's stdin that it has not read yet, at most. */
const MAX_STDIN_QUEUE = 16 << 20;

export class Children {
  private readonly procs = new Map<number, Bun.Subprocess<"pipe", "pipe", "pipe">>();
  private readonly queued = new Map<number, number>();

  spawn(ctx: HostContext, a: SpawnArgs): string {
    const p = prepareSpawn(ctx, a, false);
    const proc = withFd3(p.fd3, (extra) => Bun.spawn(p.argv, { cwd: p.cwd, env: p.env, stdio: ["pipe", "pipe", "pipe", ...extra] }));
    // (only once it runs: an operation started for a spawn that threw would keep the run alive forever)
    const id = ctx.async.start();
    this.procs.set(id, proc);
    const pump = async (stream: ReadableStream<Uint8Array>, kind: string) => {
      for await (const chunk of stream) ctx.async.deliver({ id, kind, bytes: chunk }, false);
    };
    // (an output that fails to read ends early; the child's exit is still delivered, once)
    const settled = (x: Promise<unknown>) => x.catch(() => {});
    void Promise.all([settled(pump(proc.stdout, "stdout")), settled(pump(proc.stderr, "stderr")), settled(proc.exited)]).then(() => {
      this.procs.delete(id);
      this.queued.delete(id);
      ctx.async.deliver({ id, kind: "exit", str: JSON.stringify(outcome(p, proc.exitCode, proc.signalCode)) }, true);
    });
    return JSON.stringify({ id, pid: proc.pid });
  }

  write(id: number, bytes: Uint8Array | undefined): undefined {
    const p = this.procs.get(id);
    if (p && bytes) {
      // What the child has not read yet stays in this process: bounded, as a full pipe would be.
      const queued = (this.queued.get(id) ?? 0) + bytes.length;
      if (queued > MAX_STDIN_QUEUE) throw new GuestError({ code: "ENOBUFS", message: `write ENOBUFS: the child has not read its stdin (${MAX_STDIN_QUEUE >> 20} MiB waiting)` });
      this.queued.set(id, queued);
      p.stdin.write(bytes);
      // (a child gone meanwhile: its "exit" delivery says so; nothing to report here)
      void Promise.resolve(p.stdin.flush())
        .catch(() => {})
        .then(() => this.queued.set(id, Math.max(0, (this.queued.get(id) ?? 0) - bytes.length)));
    }
    return undefined;
  }

  closeStdin(id: number): undefined {
    this.procs.get(id)?.stdin.end();
    return undefined;
  }

  kill(id: unknown, signal: unknown): boolean {
    const sig = signalOf(signal);
    const p = this.procs.get(id as number);
    if (!p) return false;
    p.kill(sig);
    return true;
  }

  killAll(): void {
    for (const p of this.procs.values()) p.kill(9);
    this.procs.clear();
  }
}
