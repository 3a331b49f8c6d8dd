// child_process for the guest: each command resolved to its real
// executable, checked (deny list, allow list, argument allowlist, execute
// grant, never a file the app can write), run with only the variables the
// policy passes on, and confined to the grants (confine.ts: where denied
// programs cannot be executed by any name) unless the policy says
// best-effort and no confinement exists here.

import { accessSync, closeSync, constants, realpathSync } from "node:fs";
import { constants as osConstants } from "node:os";
import { dirname, resolve } from "node:path";
import { checkCommand, checkRun, childEnv } from "../policy/checks.ts";
import { checkPath, isWithin } from "../policy/fs.ts";
import type { HostContext } from "./context.ts";
import type { Denial, Policy } from "../policy/types.ts";
import { findConfinement, CannotConfine, type Confinement, type Wrapped } from "./confine.ts";
import { accessDenied, fsDenied, GuestError, invalidArg, shown } from "./errors.ts";
import { findExecutable, interpretersOf, namedPrograms } from "./programs.ts";

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

/** Run `fn` with the wrapped argv and its descriptors, closed after (and what it started reaped, should `fn` throw). */
function withWrapped<T>(w: Wrapped, fn: (w: Wrapped) => T): T {
  try {
    return fn(w);
  } catch (err) {
    w.reap?.();
    throw err;
  } finally {
    for (const fd of w.fds) closeSync(fd);
  }
}

/** Bun's spawn options for a wrapped child: in a group of its own when the wrapper leaves one to reap. */
const grouped = (w: Wrapped) => ({ detached: w.reap !== undefined });

/** Whether the confinement really works here (bubblewrap needs user namespaces or setuid): probed once per kind. */
const confinementWorks = new Map<string, boolean>();

function works(c: Confinement): boolean {
  let ok = confinementWorks.get(c.describe);
  if (ok === undefined) {
    try {
      ok = withWrapped(c.probe(), (w) => {
        const r = Bun.spawnSync(w.argv, { ...grouped(w), stdio: ["ignore", "ignore", "ignore", ...w.fds] });
        w.reap?.(r.pid);
        return r.exitCode === 0;
      });
    } catch {
      ok = false;
    }
    confinementWorks.set(c.describe, ok);
  }
  return ok;
}

/** What becomes of commands on this machine under `policy`, in words (for edgebox check). */
export function commandsHere(policy: Policy): string {
  const c = findConfinement(policy);
  const confined = c !== undefined && works(c);
  if (!confined && policy.processSandbox === "required") return "no confinement works, so every command is refused";
  const unheld = confined && c.holdsPlaces ? undefined : unheldPlace(policy);
  if (unheld) return `every command is refused: ${unheld.rule}`;
  return confined ? `commands run under ${c.describe}` : "no confinement works: commands run unconfined";
}

/** EdgeBox's own files (policy, cache, audit log): hidden from the app or fixed. */
function ownPaths(policy: Policy): string[] {
  return [...(policy.own?.hidden ?? []), ...(policy.own?.fixed ?? [])];
}

/**
 * Why a child could not be confined to the grants as they were decided, where
 * the confinement cannot hold places (see Confinement.holdsPlaces): a grant
 * inside a write grant (a child could swap it, or a directory above it, for a
 * link to anywhere before the confinement mounts it), EdgeBox's own files in a
 * write grant (it could replace or move them), or a grant whose path no
 * longer is what it was (now a link).
 */
function unheldPlace(policy: Policy): { rule: string; remedy: string } | undefined {
  const own = ownPaths(policy);
  for (const w of policy.fs) {
    if (!w.write) continue;
    const mine = own.find((p) => isWithin(p, w.path));
    if (mine) return { rule: `a command could change ${mine} (EdgeBox's own) through the grant of ${w.path}`, remedy: "narrow that grant (to a directory that holds no policy, cache or audit log), or install bubblewrap 0.8 or later" };
    const inner = policy.fs.find((g) => g !== w && g.path !== w.path && isWithin(g.path, w.path));
    if (inner) return { rule: `a command cannot be confined: the grant of ${inner.path} lies inside the write grant of ${w.path}`, remedy: "do not nest grants inside a write grant, or install bubblewrap 0.8 or later" };
  }
  for (const g of policy.fs) {
    try {
      if (realpathSync(g.path) !== g.path) return { rule: `a command cannot be confined: ${g.path} is no longer the directory it was (a link now)`, remedy: "restore it" };
    } catch {
      // missing: bubblewrap's --bind-try leaves it out
    }
  }
  return undefined;
}

/** Whether this user could change `file`: write it, or replace it in its directory. */
function mayChange(file: string): boolean {
  for (const p of [file, dirname(file)]) {
    try {
      accessSync(p, constants.W_OK);
      return true;
    } catch {
      // not this one
    }
  }
  return false;
}

/**
 * Why a program the name rules allow may still not run: it, or an interpreter
 * its #! line names, is a file the app can write (a write grant covers it and
 * this user could change it; write XOR execute: a script the app wrote and
 * named `git` would run as its interpreter), or that interpreter is denied.
 */
function unrunnable(policy: Policy, exe: string, target: string): Denial | undefined {
  for (const f of [exe, ...interpretersOf(exe)]) {
    const role = f === exe ? f : `${f}, the interpreter of ${exe},`;
    if (checkPath(policy, "write", f).ok && mayChange(f)) {
      return { capability: "run", target, rule: `${role} lies where the app can write: no file the app can write is executed`, remedy: "run a program installed outside the write grants" };
    }
    if (f === exe) continue;
    const d = checkCommand({ ...policy, run: { ...policy.run, allow: undefined, commands: undefined } }, f, [], f, (n) => namedPrograms(policy, n));
    if (!d.ok) return { ...d.denial, target, rule: `the interpreter of ${exe}: ${d.denial.rule}` };
  }
  return undefined;
}

export interface Prepared {
  argv: string[];
  cwd: string;
  env: Record<string, string>;
  /** Run under it (bubblewrap reports a child killed by signal N as exit code 128+N). */
  confinement?: Confinement;
}

const SIGNAL_NAMES: Record<number, string> = { 1: "SIGHUP", 2: "SIGINT", 3: "SIGQUIT", 4: "SIGILL", 6: "SIGABRT", 8: "SIGFPE", 9: "SIGKILL", 11: "SIGSEGV", 13: "SIGPIPE", 14: "SIGALRM", 15: "SIGTERM" };

/** Exit status and signal as node reports them (undoing bubblewrap's 128+N for signals). */
function outcome(p: Prepared, exitCode: number | null, signalCode: string | number | null | undefined): { code: number | null; signal: string | null } {
  if (signalCode) return { code: null, signal: typeof signalCode === "number" ? (SIGNAL_NAMES[signalCode] ?? String(signalCode)) : signalCode };
  if (p.confinement && exitCode !== null && SIGNAL_NAMES[exitCode - 128]) return { code: null, signal: SIGNAL_NAMES[exitCode - 128]! };
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
  const policy = ctx.policy;
  const exe = findExecutable(a.command, ctx.cwd);
  const target = [a.command, ...args].join(" ");
  function refuse(denial: Denial): never {
    ctx.audit?.({ capability: "run", target, allowed: false, rule: denial.rule });
    throw accessDenied(denial, `the command "${target}"`);
  }
  if (!exe) {
    // Refuse by name before admitting that the program is missing.
    const d = checkCommand(policy, a.command, args);
    if (!d.ok) refuse(d.denial);
    throw enoent(a.command, sync);
  }
  const d = checkRun(policy, { command: a.command, path: exe, args }, (n) => namedPrograms(policy, n));
  if (!d.ok) refuse(d.denial);
  const why = policy.allowAll ? undefined : unrunnable(policy, exe, target);
  if (why) refuse(why);
  const cwdOk = checkPath(policy, "read", cwd);
  if (!cwdOk.ok) {
    // An explicit cwd the app may not read is refused; an inherited one it cannot see is replaced by "/".
    if (a.cwd !== undefined) throw fsDenied(cwdOk.denial, sync ? "spawnSync" : "spawn", cwd);
    cwd = "/";
  }

  const passed: Record<string, string> = {};
  for (const [k, v] of Object.entries(a.env ?? {})) {
    if (typeof v === "object" && v !== null) throw invalidArg(`The "options.env" property holds an invalid value for ${shown(k)}`);
    const value = String(v);
    // (a NUL or "=" would cut the variable short or make another one)
    if (k === "" || k.includes("=") || k.includes("\0") || value.includes("\0")) throw invalidArg(`The "options.env" property holds an invalid variable: ${JSON.stringify(k).slice(0, 100)}`);
    passed[k] = value;
  }
  const { env, dropped } = childEnv(policy, passed, process.env);
  if (dropped.length) ctx.audit?.({ capability: "env", target: dropped.join(","), allowed: false, rule: `not passed to "${target}": only the base variables and those in "env" reach a child` });

  const allowed = (p: Prepared): Prepared => {
    ctx.audit?.({ capability: "run", target, allowed: true, rule: d.rule });
    return p;
  };
  if (policy.allowAll) return allowed({ argv: [exe, ...args], cwd, env });
  // (a grant inside EdgeBox's cache would show it to the child)
  const own = ownPaths(policy);
  for (const g of policy.fs) {
    const mine = own.find((p) => isWithin(g.path, p));
    if (mine) refuse({ capability: "run", target, rule: `the grant of ${g.path} lies inside ${mine} (EdgeBox's own)`, remedy: "grant a directory outside it" });
  }
  const c = findConfinement(policy);
  const confined = c !== undefined && works(c);
  if (!confined || !c.holdsPlaces) {
    const unheld = unheldPlace(policy);
    if (unheld) refuse({ capability: "run", target, ...unheld });
  }
  if (confined) return allowed({ argv: [exe, ...args], cwd, env, confinement: c });
  if (policy.processSandbox === "required") {
    throw new GuestError({
      code: "ERR_ACCESS_DENIED",
      message:
        `Refusing to run "${target}": the policy requires spawned commands to be confined (processSandbox "required"), ` +
        `and no confinement works here (${process.platform === "linux" ? "install bubblewrap (bwrap)" : "sandbox-exec is missing"}); ` +
        `set "processSandbox": "best-effort" to run unconfined`,
      permission: "run",
      resource: target,
    });
  }
  if (!warnedUnconfined.has(ctx)) {
    warnedUnconfined.add(ctx);
    ctx.stderr(new TextEncoder().encode(`edgebox: warning: running "${target}" unconfined (processSandbox "best-effort" and no confinement here): commands have this user's full access\n`));
  }
  return allowed({ argv: [exe, ...args], cwd, env });
}

/** Start `p` through `fn` (given its final argv and extra descriptors), or the guest's error when its confinement cannot be built. */
function launch<T>(ctx: HostContext, p: Prepared, fn: (w: Wrapped) => T): T {
  if (!p.confinement) return fn({ argv: p.argv, fds: [] });
  let w: Wrapped;
  try {
    w = p.confinement.wrap(p.argv, p.cwd);
  } catch (err) {
    // (whatever went wrong, the guest gets the error, the host carries on)
    const target = p.argv.join(" ");
    const why = err instanceof CannotConfine ? err.message : `its confinement could not be built (${(err as Error).message})`;
    ctx.audit?.({ capability: "run", target, allowed: false, rule: why });
    throw accessDenied({ capability: "run", target, rule: `a command cannot be confined: ${why}`, remedy: "restore it" }, `the command "${target}"`);
  }
  return withWrapped(w, fn);
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
  const proc = launch(ctx, p, (w) => {
    const r = Bun.spawnSync(w.argv, {
      ...grouped(w),
      cwd: p.cwd,
      env: p.env,
      stdio: [input ?? "ignore", "pipe", "pipe", ...w.fds],
      timeout: Number.isFinite(timeout) ? Math.max(1, Math.ceil(timeout)) : undefined,
      killSignal: timeout < own ? 9 : killSignal,
      // the child is killed once an output passes it (as node), not collected to the end
      maxBuffer,
    });
    w.reap?.(r.pid);
    return r;
  });
  // (Bun's buffers as they are: a copy would hold each output twice)
  let stdout: Uint8Array = proc.stdout ?? new Uint8Array();
  let stderr: Uint8Array = proc.stderr ?? new Uint8Array();
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

type Child = Bun.Subprocess<"pipe", "pipe", "pipe">;

export class Children {
  /** Each running child, with what reaps its wrapper's leftovers (once; a no-op when none). */
  private readonly procs = new Map<number, { proc: Child; reap: () => void }>();
  private readonly queued = new Map<number, number>();

  spawn(ctx: HostContext, a: SpawnArgs): string {
    // (checked now, as node does: the guest's timer would send it only once the child runs)
    signalOf(a.killSignal);
    const p = prepareSpawn(ctx, a, false);
    let wrapperReap: Wrapped["reap"];
    const proc = launch(ctx, p, (w) => {
      wrapperReap = w.reap;
      return Bun.spawn(w.argv, { ...grouped(w), cwd: p.cwd, env: p.env, stdio: ["pipe", "pipe", "pipe", ...w.fds] });
    });
    const reap = () => {
      const r = wrapperReap;
      wrapperReap = undefined;
      r?.(proc.pid);
    };
    // (at its exit, not its outputs' end: what the wrapper left behind may hold them open)
    void proc.exited.then(reap, reap);
    // (only once it runs: an operation started for a spawn that threw would keep the run alive forever)
    const id = ctx.async.start();
    this.procs.set(id, { proc, reap });
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
    const p = this.procs.get(id)?.proc;
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
    this.procs.get(id)?.proc.stdin.end();
    return undefined;
  }

  kill(id: unknown, signal: unknown): boolean {
    const sig = signalOf(signal);
    const p = this.procs.get(id as number)?.proc;
    if (!p) return false;
    p.kill(sig);
    return true;
  }

  killAll(): void {
    for (const { proc, reap } of this.procs.values()) {
      proc.kill(9);
      reap();
    }
    this.procs.clear();
  }
}
