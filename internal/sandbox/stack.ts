// How deep the guest may recurse. QuickJS throws a catchable RangeError when
// its own stack (runtime.stack_size, in linear memory) runs out, but every JS
// call also takes native frames: up to ~3 bytes of them per byte of QuickJS
// stack on Wasmtime, ~14 on JavaScriptCore. The native engine runs them on a
// stack of the guest's own (zig/src/stack.zig), as big as the size asks, and
// host calls go back to this thread's stack. JavaScriptCore (the js engine, and
// the native one where the host has no such stack: Windows) runs them on this
// process's main thread, under its limit for that thread (~5 MiB, fixed at
// start: host calls out of deep wasm must still run JS). A stack beyond what
// that backs needs a process started with a bigger limit: edgebox starts itself
// again with one (RLIMIT_STACK raised, JavaScriptCore told by its option).

import { MAX_STACK_SIZE } from "../engine/quickjs.ts";
import { selfCommand } from "../self.ts";

/** JavaScriptCore's option for its per-thread stack, read at start (Bun passes BUN_JSC_* through). */
export const JSC_STACK_ENV = "BUN_JSC_maxPerThreadStackUsage";

/**
 * Native bytes per byte of QuickJS stack, with room. Measured over recursion
 * through getters, toString, Proxy traps, generators, callbacks: up to ~3 on
 * Wasmtime, up to ~14 on JavaScriptCore (its tiers' frames are larger). C
 * recursion takes less of QuickJS's stack per level than of the native one:
 * on Wasmtime the parser in nested parentheses ~19 (2,151 bytes a level for
 * 113), JSON.stringify of a deep object ~16 (259 for 16), JSON.parse ~10 (161
 * for 16), structuredClone ~6.4 (307 for 48). On JavaScriptCore JSON.parse
 * reaches ~44, beyond what its stack backs (not covered). Wasmtime's stack is
 * reserved, not committed: only the pages used cost.
 */
const NATIVE_PER_BYTE = { native: 24, js: 16 } as const;
const HOST_ROOM = 4 << 20;

/** Whether the native host runs guests on stacks of their own (`supported` in zig/src/stack.zig). */
const GUEST_STACKS = (process.platform === "linux" || process.platform === "darwin") && (process.arch === "x64" || process.arch === "arm64");

/** QuickJS stack this process can back on `engine`, keeping the RangeError catchable. */
export function stackCapacity(engine: "native" | "js"): number {
  if (engine === "native" && GUEST_STACKS) return MAX_STACK_SIZE;
  const jsc = Number(process.env[JSC_STACK_ENV]);
  if (jsc > 0) return Math.min(MAX_STACK_SIZE, Math.floor((jsc - HOST_ROOM) / NATIVE_PER_BYTE.js));
  // (js: what JavaScriptCore's middle tier backs for recursion through toString; its frames are the largest, 384 KiB ran out)
  return engine === "js" ? 320 << 10 : 1 << 20;
}

/** Wasmtime's limit for wasm frames (MiB) backing `stackSize`; 0: its default, under JavaScriptCore's own. */
export function wasmStackMiB(stackSize: number): number {
  return GUEST_STACKS || process.env[JSC_STACK_ENV] ? Math.ceil((stackSize * NATIVE_PER_BYTE.native) / 1048576) + 4 : 0;
}

/** The run's exit code, from the process that ran it in this one's place. */
export class RanElsewhere {
  constructor(readonly code: number) {}
}

/**
 * Set the soft RLIMIT_STACK, which a process started next sizes its main
 * thread's stack by, to `bytes` (within the hard limit). Whether it is set.
 * An unlimited one is lowered too: JavaScriptCore then takes the stack for small.
 */
function raiseStackLimit(bytes: number): boolean {
  const libc = process.platform === "linux" ? "libc.so.6" : process.platform === "darwin" ? "libSystem.B.dylib" : undefined;
  if (!libc) return false;
  const RLIMIT_STACK = 3; // on Linux and macOS
  const { dlopen, ptr } = require("bun:ffi") as typeof import("bun:ffi");
  const lib = dlopen(libc, { getrlimit: { args: ["i32", "ptr"], returns: "i32" }, setrlimit: { args: ["i32", "ptr"], returns: "i32" } });
  try {
    const lim = new BigUint64Array(2); // rlim_cur, rlim_max (RLIM_INFINITY is all ones)
    if (lib.symbols.getrlimit(RLIMIT_STACK, ptr(lim)) !== 0) return false;
    const want = BigInt(bytes);
    if (lim[1]! < want) return false;
    lim[0] = want;
    return lib.symbols.setrlimit(RLIMIT_STACK, ptr(lim)) === 0;
  } finally {
    lib.close();
  }
}

/**
 * Run this same command again in a process whose stack backs `stackSize` on
 * either engine, wait for it, and return its exit code. Undefined when the
 * stack limit cannot be raised (a hard limit, a platform without setrlimit).
 */
export async function rerunWithStack(stackSize: number): Promise<number | undefined> {
  const jsc = stackSize * NATIVE_PER_BYTE.js + HOST_ROOM;
  if (!raiseStackLimit(jsc + (8 << 20))) return undefined;
  const child = Bun.spawn([...selfCommand(), ...process.argv.slice(2)], {
    env: { ...process.env, [JSC_STACK_ENV]: String(jsc) },
    stdio: ["inherit", "inherit", "inherit"],
  });
  // Passed on, SIGINT too: a kill of this process alone (timeout -s INT, a supervisor) must stop
  // the run. Ctrl-C reaches both (one process group); the second SIGINT finds the child already
  // ending (the guest has no SIGINT listeners), and this process waits for it either way.
  for (const sig of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(sig, () => child.kill(sig));
  const code = await child.exited;
  return child.signalCode ? 128 + ((require("node:os").constants.signals as Record<string, number>)[child.signalCode] ?? 0) : code;
}
