// How deep the guest may recurse. QuickJS throws a catchable RangeError when
// its own stack (runtime.stack_size, in linear memory) runs out, but every JS
// call also takes native frames: ~3 bytes of them per byte of QuickJS stack on
// Wasmtime, ~6 on JavaScriptCore. Both run wasm on this process's main thread,
// under JavaScriptCore's limit for that thread (~5 MiB, fixed at start:
// host calls out of deep wasm must still run JS). A stack beyond what that
// backs needs a process started with a bigger limit: run() starts edgebox
// again with one (RLIMIT_STACK raised, JavaScriptCore told by its option).

import type { HostLib } from "../engine/native-ffi.ts";
import { MAX_STACK_SIZE } from "../engine/quickjs.ts";
import { selfCommand } from "../self.ts";

/** JavaScriptCore's option for its per-thread stack, read at start (Bun passes BUN_JSC_* through). */
export const JSC_STACK_ENV = "BUN_JSC_maxPerThreadStackUsage";

/** Native bytes per byte of QuickJS stack, with room (measured: 760 and ~1,500 bytes per 256-byte JS call). */
const NATIVE_PER_BYTE = { native: 4, js: 7 } as const;
const HOST_ROOM = 4 << 20;

/** QuickJS stack this process can back on `engine`, keeping the RangeError catchable. */
export function stackCapacity(engine: "native" | "js"): number {
  const jsc = Number(process.env[JSC_STACK_ENV]);
  if (jsc > 0) return Math.min(MAX_STACK_SIZE, Math.floor((jsc - HOST_ROOM) / NATIVE_PER_BYTE.js));
  return engine === "js" ? 640 << 10 : 1 << 20;
}

/** Wasmtime's limit for wasm frames (MiB) backing `stackSize`; 0: its default, under JavaScriptCore's own. */
export function wasmStackMiB(stackSize: number): number {
  return process.env[JSC_STACK_ENV] ? Math.ceil((stackSize * NATIVE_PER_BYTE.native) / 1048576) + 4 : 0;
}

/**
 * Run this same command again in a process whose stack backs `stackSize`
 * (on either engine), wait for it, and return its exit code. Undefined when
 * this process cannot raise its limit (no native library, a hard limit).
 */
export async function rerunWithStack(stackSize: number, lib: HostLib): Promise<number | undefined> {
  const jsc = stackSize * NATIVE_PER_BYTE.js + HOST_ROOM;
  const want = jsc + (8 << 20);
  if (Number(lib.eb_stack_reserve(BigInt(want))) < want) return undefined;
  const child = Bun.spawn([...selfCommand(), ...process.argv.slice(2)], {
    env: { ...process.env, [JSC_STACK_ENV]: String(jsc) },
    stdio: ["inherit", "inherit", "inherit"],
  });
  // Ctrl-C reaches both (one process group): the child decides, this process waits for it
  process.on("SIGINT", () => {});
  for (const sig of ["SIGTERM", "SIGHUP"] as const) process.on(sig, () => child.kill(sig));
  const code = await child.exited;
  return child.signalCode ? 128 + (require("node:os").constants.signals[child.signalCode] ?? 0) : code;
}
