// How a failed run reads on stderr: like node for uncaught errors (the source
// line and a caret above the error's stack), one plain line for a trap; and
// how a run ends: its exit code and reason.

import { GuestException } from "../engine/quickjs.ts";
import { GuestTrap } from "../engine/types.ts";
import type { Sandbox } from "./index.ts";

const frameRe = /^\s+at (?:.*? \()?(.+?):(\d+):(\d+)\)?$/;

/** Prefix `text` (the guest's rendering of the error) with the source line it points at, when we have that source. */
function formatUncaught(text: string, sourceOf: (file: string) => string | undefined): string {
  // line by line, and not the app's overlong ones: the pattern backtracks on a crafted line
  const m = text
    .split("\n", 200)
    .filter((l) => l.length <= 2000)
    .map((l) => frameRe.exec(l))
    .find((x) => x !== null);
  if (m) {
    const [, file, line, col] = m;
    const src = sourceOf(file!);
    const lineText = src?.split("\n")[Number(line) - 1];
    if (lineText !== undefined && Number(col) <= lineText.length + 1) {
      const caret = " ".repeat(Math.max(0, Number(col) - 1)) + "^";
      return `${file}:${line}\n${lineText.replace(/\r$/, "")}\n${caret}\n\n${text}\n`;
    }
  }
  return `${text}\n`;
}

/** One line for a guest trap: what happened, in words, then the engine's own message. */
function describeTrap(message: string): string {
  const m = message.split("\n")[0]!.replace(/^error while executing at wasm backtrace:\s*/, "");
  if (/stack|call depth/i.test(m)) return `the sandboxed code exhausted the stack (wasm trap: ${m})`;
  if (/out of bounds/i.test(m)) return `the sandboxed code crashed (wasm trap: ${m})`;
  if (/unreachable/i.test(m)) return `the sandboxed code aborted (wasm trap: ${m})`;
  return `the sandboxed code trapped (${m})`;
}

export type ExitReason = "exit" | "uncaught" | "timeout" | "out-of-memory" | "trap";

/** The app could not get where edgebox serve needs it (its top level failed or never finished). */
export class RunError extends Error {
  constructor(
    message: string,
    readonly result?: RunResult,
  ) {
    super(message);
  }
}

/** A worker's instance would pass its run's memory cap (the run and its workers share it). */
export class NoMemoryForWorker extends Error {
  constructor(readonly max: number) {
    super(`Worker terminated due to reaching memory limit: the run and its workers hold their ${Math.round(max / 1048576)} MiB already`);
  }
}

export interface RunResult {
  code: number;
  reason: ExitReason;
}

/** Exit codes for limits, documented in the README. */
export const EXIT_TIMEOUT = 124;
export const EXIT_OUT_OF_MEMORY = 137;

const enc = new TextEncoder();

/** An error object's message, if it is a string. */
function messageOf(sb: Sandbox, errH: number): string | undefined {
  const m = sb.vm.getProp(errH, "message");
  try {
    return sb.vm.isString(m) ? sb.vm.toString(m) : undefined;
  } finally {
    sb.vm.free(m);
  }
}

/** Report an uncaught error the way node does and pick the exit code (a worker's goes to its parent's 'error'). */
export function uncaught(sb: Sandbox, errH: number, fromPromise: boolean): RunResult {
  try {
    if (describing(sb, () => isOutOfMemory(sb, errH), false)) {
      if (!sb.opts.worker) return outOfMemory(sb);
      // as node: the parent's Worker emits 'error' (ERR_WORKER_OUT_OF_MEMORY) and exit 1; the run goes on
      workerOutOfMemory(sb, "Worker terminated due to reaching memory limit: JS heap out of memory");
      return { code: 1, reason: "out-of-memory" };
    }
    if (sb.opts.worker) {
      const text = formatError(sb, errH, fromPromise);
      const message = sb.vm.isString(errH) ? sb.vm.toString(errH) : describing(sb, () => messageOf(sb, errH), undefined) ?? text.split("\n")[0]!;
      sb.opts.worker.onError({ message, stack: text });
      return { code: 1, reason: "uncaught" };
    }
    sb.stderr(enc.encode(formatError(sb, errH, fromPromise)));
    return { code: 1, reason: "uncaught" };
  } catch (err) {
    // the time limit, or process.exit(), stopped the guest while it described the error
    const end = stopped(sb);
    if (end) return end;
    throw err;
  } finally {
    try {
      sb.vm.free(errH);
    } catch (trap) {
      // (past the time limit every call into the instance traps: it is dropped whole anyway)
      if (!(trap instanceof GuestTrap)) throw trap;
    }
  }
}

/**
 * `describe()`, which runs the thrown value's own code (a getter of stack or message, a
 * Proxy's traps); `fallback` when that code throws. The time limit or process.exit()
 * reached meanwhile goes on up (the run ends with it).
 */
function describing<T>(sb: Sandbox, describe: () => T, fallback: T): T {
  try {
    return describe();
  } catch (err) {
    if (!(err instanceof GuestException) || sb.timedOut || sb.exitCode !== undefined) throw err;
    sb.vm.free(err.handle);
    return fallback;
  }
}

/** What node prints for an error nobody caught (the handle stays the caller's). */
export function formatError(sb: Sandbox, errH: number, fromPromise: boolean): string {
  const flag = sb.vm.newNumber(fromPromise ? 1 : 0);
  const textH = describing<number | undefined>(sb, () => sb.callEntry("formatUncaught", [errH, flag]), undefined);
  sb.vm.free(flag);
  if (textH === undefined) return "Uncaught exception: what was thrown could not be described (reading it threw)\n";
  const text = sb.vm.toString(textH);
  sb.vm.free(textH);
  // (the guest mapped the stack already: STACK_MAP)
  return formatUncaught(text, (f) => {
    const known = sb.sources.get(f);
    if (known !== undefined) return known;
    for (const m of sb.maps.values()) {
      const c = m.content(f);
      if (c !== undefined) return c;
    }
    return undefined;
  });
}

export function isOutOfMemory(sb: Sandbox, errH: number): boolean {
  return !!sb.opts.memoryLimit && messageOf(sb, errH) === "out of memory";
}

export function timeout(sb: Sandbox): RunResult {
  // a worker's run ends with the run's limit; the main run says so, once
  if (!sb.opts.worker) sb.stderr(enc.encode(`edgebox: time limit exceeded (${sb.opts.timeoutMs} ms)\n`));
  return { code: EXIT_TIMEOUT, reason: "timeout" };
}

export function outOfMemory(sb: Sandbox): RunResult {
  // The JS heap limit is what an "out of memory" error hit; name it as the user set it.
  const o = sb.opts;
  const mib = (b: number) => Math.round(b / 1048576);
  const text = o.heapLimitSetting ? `JS heap limit ${mib(o.memoryLimit ?? 0)} MiB, ${o.heapLimitSetting}` : `limit ${mib(o.maxMemoryBytes || o.memoryLimit || 0)} MiB`;
  sb.stderr(enc.encode(`edgebox: out of memory (${text})\n`));
  return { code: EXIT_OUT_OF_MEMORY, reason: "out-of-memory" };
}

/** The run's end when process.exit() or the time limit stopped the guest; undefined while it runs. */
export function stopped(sb: Sandbox): RunResult | undefined {
  if (sb.exitCode !== undefined) return { code: sb.exitCode, reason: "exit" };
  if (sb.timedOut) return timeout(sb);
  return undefined;
}

/** A worker out of memory, as node says it: its parent's Worker emits 'error' with ERR_WORKER_OUT_OF_MEMORY. */
function workerOutOfMemory(sb: Sandbox, message: string): void {
  const code = "ERR_WORKER_OUT_OF_MEMORY";
  sb.opts.worker!.onError({ message, stack: `Error [${code}]: ${message}`, code });
}

/** Turn whatever stopped the run into its result. */
export function fail(sb: Sandbox, err: unknown): RunResult {
  const end = stopped(sb);
  if (end) {
    try {
      if (err instanceof GuestException) sb.vm.free(err.handle);
    } catch (trap) {
      // (past the time limit every call into the instance traps: it is dropped whole anyway)
      if (!(trap instanceof GuestTrap)) throw trap;
    }
    return end;
  }
  if (err instanceof GuestException) return uncaught(sb, err.handle, false);
  if (err instanceof NoMemoryForWorker && sb.opts.worker) {
    workerOutOfMemory(sb, err.message);
    return { code: 1, reason: "out-of-memory" };
  }
  if (err instanceof GuestTrap) {
    // the epoch deadline: compiled code (frozen functions) ran past the time limit
    if (err.code === "interrupt" && sb.opts.timeoutMs) return timeout(sb);
    if (err.code === "out_of_fuel") {
      sb.stderr(enc.encode(`edgebox: instruction limit exceeded (${sb.opts.maxInstructions} instructions)\n`));
      return { code: EXIT_TIMEOUT, reason: "timeout" };
    }
    sb.stderr(enc.encode(`edgebox: ${describeTrap(err.message)}\n`));
    return { code: 134, reason: "trap" };
  }
  throw err;
}
