// The event loop of a run: microtasks, the host's deliveries, timers, until
// nothing is left to do or the run must end; and node's exit rules after it.

import { GuestException } from "../engine/quickjs.ts";
import type { Delivery } from "../hostcalls/context.ts";
import type { Sandbox } from "./index.ts";
import { formatError, RunError, stopped, timeout, uncaught, type RunResult } from "./report.ts";

const enc = new TextEncoder();
/** Spin the loop until `promise` settles; its value, or a thrown GuestException / RunError. */
export async function awaitValue(sb: Sandbox, promise: number): Promise<number> {
  try {
    const r = await spin(sb, () => sb.vm.promiseState(promise) !== 0);
    if (r === "dry") throw new RunError("the app's top level never finished (it awaits something that never happens)");
    if (r !== "until") throw new RunError("the app's top level failed", r);
    if (sb.vm.promiseState(promise) === 2) throw new GuestException(sb.vm.promiseResult(promise));
    return sb.vm.promiseResult(promise);
  } finally {
    sb.vm.free(promise);
  }
}

/** Run what the top level queued (microtasks), then take `value()`. */
export async function settleThen(sb: Sandbox, value: () => number): Promise<number> {
  sb.vm.runJobs();
  return value();
}

export function onRejection(sb: Sandbox, promise: number, reason: number, handled: boolean): void {
  const id = sb.vm.identity(promise);
  if (handled) {
    const r = sb.rejections.get(id);
    if (r !== undefined) {
      sb.vm.free(r);
      sb.rejections.delete(id);
    }
  } else if (!sb.rejections.has(id)) {
    sb.rejections.set(id, sb.vm.dup(reason));
  }
}

/**
 * The event loop: microtasks, deliveries from the host, then one timer or
 * immediate at a time, until `until()` holds ("until"), nothing is pending
 * ("dry"), or the run must end (a RunResult: an uncaught rejection, the time limit).
 * `until()` is asked once the microtasks are done, or with `eager` after each
 * of them too: a result that is ready does not wait for endless microtasks.
 */
export async function spin(sb: Sandbox, until: () => boolean = () => false, eager = false): Promise<"until" | "dry" | RunResult> {
  for (;;) {
    if (sb.terminated) return { code: 1, reason: "exit" };
    sb.enterBudget(); // (other instances of the run may have run since the last turn)
    if (sb.workers?.timedOut) return timeout(sb); // a worker hit the run's time limit
    const drained = sb.vm.runJobs(eager ? until : undefined);
    // process.exit() or the time limit stopped the guest: whatever promise that rejected
    // (an ES module's evaluation, a dynamic import, top-level await) is not an uncaught error
    const end = stopped(sb);
    if (end) return end;
    if (!drained) return "until"; // (eager: held between two jobs; rejections wait for a full drain)
    const rejected = sb.rejections.entries().next();
    if (!rejected.done) {
      const [id, reason] = rejected.value;
      sb.rejections.delete(id);
      if (!sb.opts.onRejection) return uncaught(sb, reason, true);
      sb.opts.onRejection(formatError(sb, reason, true));
      sb.vm.free(reason);
      continue;
    }
    if (until()) return "until";
    const d = sb.deliveries.shift();
    if (d) {
      if (d.kind === "message" && d.bytes) sb.messageBytes -= d.bytes.length;
      deliver(sb, d);
      continue;
    }
    const next = tick(sb);
    if (next === 0) {
      // with workers, a busy loop still lets the others (and their timers) run: they share Bun's loop
      if (sb.workers.count > 0 || sb.opts.worker) await new Promise((r) => setImmediate(r));
      continue;
    }
    if (next < 0 && sb.pendingOps === 0) return "dry";
    if (!(await wait(sb, next < 0 ? Infinity : next))) return timeout(sb);
  }
}

/** Run to the end: the loop, then node's exit rules (the main module's promise, process.exitCode). */
export async function loop(sb: Sandbox, mainPromise: number): Promise<RunResult> {
  try {
    // The module's evaluation failed (a throw at top level, or a failed import).
    const r = await spin(sb, () => mainPromise !== 0 && sb.vm.promiseState(mainPromise) === 2);
    if (r === "until") return uncaught(sb, sb.vm.promiseResult(mainPromise), false);
    if (r !== "dry") return r;
    if (mainPromise && sb.vm.promiseState(mainPromise) === 0) {
      // As node: the loop ran dry while top-level await still waits.
      sb.stderr(enc.encode("Warning: Detected unsettled top-level await\n"));
      return { code: 13, reason: "exit" };
    }
    const h = sb.callEntry("exit", []);
    const code = sb.vm.toNumber(h);
    sb.vm.free(h);
    return { code, reason: "exit" };
  } finally {
    if (mainPromise) sb.vm.free(mainPromise);
  }
}

export function deliver(sb: Sandbox, d: Delivery & { final: boolean }): void {
  if (d.final) sb.pendingOps--;
  const vm = sb.vm;
  const args = [
    vm.newNumber(d.id),
    vm.newString(d.kind),
    d.str === undefined ? vm.undefined() : vm.newString(d.str),
    d.bytes === undefined ? vm.undefined() : vm.newBytes(d.bytes),
    vm.newNumber(d.final ? 1 : 0),
  ];
  try {
    sb.free(sb.callEntry("deliver", args));
  } finally {
    for (const a of args) vm.free(a);
  }
}

export function tick(sb: Sandbox): number {
  const h = sb.callEntry("tick", []);
  const n = sb.vm.toNumber(h);
  sb.vm.free(h);
  return n;
}

/** Wait for the next timer or a delivery; false when the run's deadline passes first. */
export async function wait(sb: Sandbox, ms: number): Promise<boolean> {
  let limit = ms;
  if (sb.deadline !== 0) limit = Math.min(limit, Math.max(0, sb.deadline - performance.now()));
  await new Promise<void>((resolve) => {
    const t = Number.isFinite(limit) ? setTimeout(resolve, limit) : undefined;
    sb.wake = () => {
      if (t !== undefined) clearTimeout(t);
      resolve();
    };
    if (sb.deliveries.length > 0) sb.wake();
  });
  sb.wake = undefined;
  if (sb.deadline !== 0 && performance.now() >= sb.deadline && sb.deliveries.length === 0) {
    sb.timedOut = true;
    return false;
  }
  return true;
}
