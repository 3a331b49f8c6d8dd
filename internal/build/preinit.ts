// Stage 4: pre-initialise the app, as Wizer does. In a guest restored from
// the runtime snapshot (start() not called: nothing of a run is bound), link
// the frozen functions, load the app's bytecode, and try to run its top level.
// The runtime stops the attempt at the first thing that belongs to a run (a
// host call, argv, env, cwd, Math.random; here the clock, time zone and
// random bytes): nothing from build time may show at run time. If the top level
// finishes, the snapshot holds its result; if not, a fresh guest holds the app
// loaded but not run, and the top level runs at start. Either way the memory
// becomes the artifact module's initial data.

import { GuestException, GuestValue, QuickJS } from "../engine/quickjs.ts";
import { JsEngine } from "../engine/js.ts";
import { linkSideModule, type Placement, type SideModuleInfo } from "../engine/dylink.ts";
import { wasiImports } from "../engine/wasi.ts";
import type { WasmModule } from "../engine/types.ts";
import { OP, OP_NAMES } from "../../wasm/abi.js";
import { preinitialize } from "./snapshot.ts";
import { FROZEN_GLOBAL } from "../freeze/emit.ts";
import { platformConfig } from "../sandbox/index.ts";

export interface RuntimeImage {
  wasm: Uint8Array;
  snapshot: { ctx: number; scratch: number; entry: number };
}

export interface FrozenModule {
  wasm: Uint8Array;
  info: SideModuleInfo;
  initFn: string;
}

export interface AppImage {
  /** The runtime module with the app's state as its initial memory. */
  wasm: Uint8Array;
  ctx: number;
  scratch: number;
  entry: number;
  /** The app: its exports object when the top level was pre-run, else its function. */
  app: number;
  prerun: boolean;
  /** Why the top level was not pre-run (undefined when it was, or was not tried). */
  stop?: { what: string; stack?: string };
  /** The Intl members whose chunks the snapshot holds prepared (warmIntl). */
  warmed: string[];
  /** Why preparing them failed (the snapshot goes without), when it did. */
  warmFailed?: string;
  sides: (Placement & SideModuleInfo & { initFn: string })[];
}

const firstLine = (s: string) => s.split("\n")[0]!;

/** Preparing Intl's chunks after the top level failed (what the guest threw, or what it needed of a run). */
class WarmFailed extends Error {
  constructor(readonly reason: unknown) {
    super("preparing Intl failed");
  }
}

class PrerunStop extends Error {
  constructor(
    readonly what: string,
    readonly stack_?: string,
  ) {
    super(`pre-run stopped: ${what}`);
  }
}

/** What a host call the top level made means, for --explain. */
function describeOp(name: string): string {
  if (name === "STDOUT" || name === "STDERR") return "writes output (console, process.stdout)";
  if (name.startsWith("FS_")) return "uses the filesystem";
  if (name.startsWith("CHILD_")) return "runs a command";
  if (name.startsWith("NET_")) return "uses the network (fetch)";
  if (name.startsWith("MOD_")) return "loads a module from disk at run time";
  if (name === "EXT_LOAD") return "uses a native extension (URL, TextEncoder, structuredClone or crypto)";
  if (name.startsWith("STDIN")) return "reads stdin";
  if (name === "EXIT") return "exits";
  if (name === "INTL_LOAD") return "uses Intl (locale data loaded on first use)";
  return `makes a host call (${name})`;
}

/**
 * A guest restored from the runtime snapshot whose every need of a run ends
 * the pre-run: `stopped` records why, and the guest unwinds uncatchably
 * (a try/catch or a promise in the app cannot swallow it).
 */
/** How long the top level may run at build time before it is left to run at start. */
export const PRERUN_BUDGET_MS = 10_000;

function guest(module: WasmModule, runtime: RuntimeImage, runtimeModules: (key: string) => Uint8Array | undefined, intl: (chunk: string) => Uint8Array | undefined) {
  const refuse = () => {
    throw new Error("unexpected module loading while pre-initialising");
  };
  /** warming: after the top level, Intl's chunks load (warmIntl); the zone is a run's, bound by start() (runtime.js bindTimeZone) */
  const state: { stop?: PrerunStop; deadline: number; warming?: boolean } = { deadline: Infinity };
  const output = {
    write: (_fd: 1 | 2, b: Uint8Array) => process.stderr.write(b),
    // from WASI (clock, randomness) and the time zone import: a host exception
    // unwinds the wasm stack itself; the guest is discarded afterwards
    needsRun: (what: string): never => {
      state.stop ??= new PrerunStop(what);
      throw state.stop;
    },
  };
  const vm: QuickJS = QuickJS.restore(
    module,
    {
      hostCall: (op, str) => {
        // the runtime's own modules kept out of its snapshot: the app's top level may load them
        const bytecode = op === OP.RUNTIME_MODULE ? runtimeModules(str ?? "") : undefined;
        if (bytecode) return new GuestValue(vm.evalBytecode(bytecode));
        const chunk = state.warming && op === OP.INTL_LOAD ? intl(str ?? "") : undefined;
        if (chunk) {
          vm.free(vm.evalBytecode(chunk));
          return "UTC";
        }
        let stop: PrerunStop;
        if (op === OP.PRERUN_STOP) {
          const s = JSON.parse(str ?? "{}") as { what?: string; stack?: string };
          const what = s.what && s.what in OP ? describeOp(s.what) : `reads ${s.what ?? "something of a run"}`;
          stop = new PrerunStop(what, s.stack);
        } else stop = new PrerunStop(describeOp(OP_NAMES[op] ?? String(op)));
        state.stop ??= stop;
        vm.throwUncatchable("pre-run stopped");
        return undefined;
      },
      interrupt: () => {
        if (performance.now() < state.deadline) return false;
        state.stop ??= new PrerunStop(`runs longer than ${PRERUN_BUDGET_MS / 1000} s at the top level`);
        return true;
      },
      normalizeModule: refuse,
      loadModule: refuse,
      rejection: () => {},
    },
    { output },
    runtime.snapshot,
  );
  const wasi = wasiImports(() => vm.instance, output);
  return { vm, wasi, state };
}

function globalProp(vm: QuickJS, name: string): number {
  const g = vm.eval("globalThis", "edgebox:build");
  try {
    return vm.getProp(g, name);
  } finally {
    vm.free(g);
  }
}

function setOn(vm: QuickJS, obj: number, value: number): void {
  const v = vm.newNumber(value);
  vm.setProp(obj, "on", v);
  vm.free(v);
}

/** warmIntl for each of `members`, then the jobs it queued (the host answers INTL_LOAD meanwhile): the members it prepared. */
function warmMembers(vm: QuickJS, state: { warming?: boolean }, entry: number, members: string[]): string[] {
  state.warming = true;
  const warmed: string[] = [];
  for (const member of members) {
    const name = vm.newString(member);
    try {
      const done = vm.callMethod(entry, "warmIntl", [name]);
      if (vm.toNumber(done) === 1) warmed.push(member);
      vm.free(done);
    } finally {
      vm.free(name);
    }
  }
  vm.runJobs();
  state.warming = false;
  return warmed;
}

/** The guest as it is now, as a runtime module to start from: `runtimeWasm` with this memory as its initial one. */
function imageOf(vm: QuickJS, runtimeWasm: Uint8Array): { wasm: Uint8Array; memoryBytes: number } {
  const { memory, stackPointer } = vm.snapshot();
  return { wasm: preinitialize(runtimeWasm, memory, stackPointer), memoryBytes: memory.length };
}

/**
 * The runtime's snapshot with Intl's chunks loaded and a first instance of each of `members`
 * made (runtime.js warmIntl; the zone is bound by each run's start()): what a plain run of an
 * app that used Intl before starts from (internal/sandbox/intl-runtime.ts).
 */
export function prepareIntlRuntime(opts: {
  runtime: RuntimeImage;
  runtimeModules: (key: string) => Uint8Array | undefined;
  intl: (chunk: string) => Uint8Array | undefined;
  members: string[];
}): { wasm: Uint8Array; snapshot: { ctx: number; scratch: number; entry: number }; memoryBytes: number } {
  const { vm, state } = guest(new JsEngine().compile(opts.runtime.wasm), opts.runtime, opts.runtimeModules, opts.intl);
  try {
    warmMembers(vm, state, opts.runtime.snapshot.entry, opts.members);
    if (state.stop) throw new Error(`preparing Intl stopped: it ${state.stop.what}`);
    const { wasm, memoryBytes } = imageOf(vm, opts.runtime.wasm);
    const { ctx, scratch } = vm.state();
    return { wasm, snapshot: { ctx, scratch, entry: opts.runtime.snapshot.entry }, memoryBytes };
  } finally {
    vm.dispose();
  }
}

export function preinitApp(opts: {
  runtime: RuntimeImage;
  /** The bytecode of the runtime's modules kept out of its snapshot, by key. */
  runtimeModules: (key: string) => Uint8Array | undefined;
  bytecode: Uint8Array;
  frozen?: FrozenModule;
  versions: Record<string, string>;
  /** Try to run the top level at build time. */
  prerun: boolean;
  /** Intl's chunks by name (INTL_LOAD), and the members whose chunks to load and prepare after the top level (intl.ts). */
  intl: (chunk: string) => Uint8Array | undefined;
  warmIntl: string[];
}): AppImage {
  const engine = new JsEngine();
  const module = engine.compile(opts.runtime.wasm);
  const frozenModule = opts.frozen ? engine.compile(opts.frozen.wasm) : undefined;

  const attempt = (run: boolean, warm: string[]): AppImage => {
    const { vm, wasi, state } = guest(module, opts.runtime, opts.runtimeModules, opts.intl);
    try {
      const sides: AppImage["sides"] = [];
      if (opts.frozen && frozenModule) {
        const side = { name: "frozen", module: frozenModule, ...opts.frozen.info, initFn: opts.frozen.initFn };
        const { placement } = linkSideModule(vm.instance, side, wasi);
        sides.push({ ...placement, ...opts.frozen.info, initFn: opts.frozen.initFn });
      }
      const fn = vm.evalBytecodeOutsideHeap(opts.bytecode);
      let app = fn;
      if (run) {
        const cfg = vm.newString(JSON.stringify(platformConfig(opts.versions)));
        vm.free(vm.callMethod(opts.runtime.snapshot.entry, "prebind", [cfg]));
        vm.free(cfg);
        // Frozen functions off while pre-running: all of it runs in the interpreter,
        // which the budget can interrupt (compiled code could loop for ever here).
        const frozenSwitch = opts.frozen ? globalProp(vm, FROZEN_GLOBAL) : 0;
        if (frozenSwitch) setOn(vm, frozenSwitch, 0);
        state.deadline = performance.now() + PRERUN_BUDGET_MS;
        const promise = vm.callMethod(opts.runtime.snapshot.entry, "runBuilt", [fn]);
        vm.runJobs();
        state.deadline = Infinity;
        if (frozenSwitch) {
          setOn(vm, frozenSwitch, 1);
          vm.free(frozenSwitch);
        }
        if (state.stop) throw state.stop;
        const result = vm.promiseState(promise);
        if (result === 2) throw new PrerunStop(`throws at the top level (${firstLine(vm.describe(vm.promiseResult(promise)))})`);
        if (result === 0) throw new PrerunStop("awaits, at the top level, something that only a run provides");
        app = vm.promiseResult(promise);
        vm.free(promise);
        vm.free(fn);
      }
      vm.runJobs();
      if (state.stop) throw state.stop;
      let warmed: string[];
      try {
        warmed = warmMembers(vm, state, opts.runtime.snapshot.entry, warm);
      } catch (err) {
        throw new WarmFailed(state.stop ?? err);
      }
      if (state.stop) throw new WarmFailed(state.stop);
      return { wasm: imageOf(vm, opts.runtime.wasm).wasm, ...vm.state(), entry: opts.runtime.snapshot.entry, app, prerun: run, sides, warmed };
    } catch (err) {
      if (err instanceof WarmFailed) throw err;
      if (state.stop) throw state.stop;
      if (err instanceof GuestException) throw new PrerunStop(`throws at the top level (${firstLine(vm.describe(err.handle))})`);
      throw err;
    } finally {
      vm.dispose();
    }
  };

  // (Intl prepared is a gain, never a cost: where preparing it fails, the snapshot goes without)
  const warmed = (run: boolean): AppImage => {
    try {
      return attempt(run, opts.warmIntl);
    } catch (err) {
      if (!(err instanceof WarmFailed)) throw err;
      const why = err.reason instanceof PrerunStop ? err.reason.what : err.reason instanceof GuestException ? "threw" : String(err.reason);
      return { ...attempt(run, []), warmFailed: why };
    }
  };
  if (opts.prerun) {
    try {
      return warmed(true);
    } catch (err) {
      if (!(err instanceof PrerunStop)) throw err;
      return { ...warmed(false), stop: { what: err.what, stack: err.stack_ } };
    }
  }
  return warmed(false);
}

