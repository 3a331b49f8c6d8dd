// Stage 4: pre-initialise the app, as Wizer does. In a guest restored from
// the runtime snapshot (start() not called: nothing of a run is bound), link
// the frozen functions, load the app's bytecode, and try to run its top level.
// The runtime stops the attempt at the first thing that belongs to a run (a
// host call, argv, env, cwd, Math.random; here the clock, time zone and
// random bytes): nothing from build time may show at run time. If the top level
// finishes, the snapshot holds its result; if not, a fresh guest holds the app
// loaded but not run, and the top level runs at start. Either way the memory
// becomes the artifact module's initial data.

import { GuestException, QuickJS } from "../engine/quickjs.ts";
import { JsEngine } from "../engine/js.ts";
import { linkSideModule, type Placement, type SideModuleInfo } from "../engine/dylink.ts";
import { wasiImports } from "../engine/wasi.ts";
import type { WasmModule } from "../engine/types.ts";
import { OP, OP_NAMES } from "../../wasm/abi.js";
import { preinitialize } from "./snapshot.ts";
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
  sides: (Placement & SideModuleInfo & { initFn: string })[];
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
  return `makes a host call (${name})`;
}

function guest(module: WasmModule, runtime: RuntimeImage, onStop: (s: PrerunStop) => never) {
  const refuse = () => {
    throw new Error("unexpected module loading while pre-initialising");
  };
  const output = {
    write: (_fd: 1 | 2, b: Uint8Array) => process.stderr.write(b),
    needsRun: (what: string): never => onStop(new PrerunStop(what)),
  };
  const vm: QuickJS = QuickJS.restore(
    module,
    {
      hostCall: (op, str) => {
        if (op === OP.PRERUN_STOP) {
          const s = JSON.parse(str ?? "{}") as { what?: string; stack?: string };
          const what = s.what && s.what in OP ? describeOp(s.what) : `reads ${s.what ?? "something of a run"}`;
          onStop(new PrerunStop(what, s.stack));
        }
        onStop(new PrerunStop(describeOp(OP_NAMES[op] ?? String(op))));
      },
      interrupt: () => false,
      normalizeModule: refuse,
      loadModule: refuse,
      rejection: () => {},
    },
    { output },
    runtime.snapshot,
  );
  const wasi = wasiImports(() => vm.instance, output);
  return { vm, wasi };
}

export function preinitApp(opts: {
  runtime: RuntimeImage;
  bytecode: Uint8Array;
  frozen?: FrozenModule;
  versions: Record<string, string>;
  /** Try to run the top level at build time. */
  prerun: boolean;
}): AppImage {
  const engine = new JsEngine();
  const module = engine.compile(opts.runtime.wasm);
  const frozenModule = opts.frozen ? engine.compile(opts.frozen.wasm) : undefined;

  const attempt = (run: boolean): AppImage => {
    let stop: PrerunStop | undefined;
    const { vm, wasi } = guest(module, opts.runtime, (s) => {
      stop ??= s;
      throw s;
    });
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
        const promise = vm.callMethod(opts.runtime.snapshot.entry, "runBuilt", [fn]);
        vm.runJobs();
        const state = vm.promiseState(promise);
        if (state === 2) throw new PrerunStop(`its top level throws (${vm.describe(vm.promiseResult(promise))})`);
        if (state === 0) throw new PrerunStop("its top level awaits something that only a run provides");
        app = vm.promiseResult(promise);
        vm.free(promise);
        vm.free(fn);
      }
      vm.runJobs();
      const { memory, stackPointer } = vm.snapshot();
      return { wasm: preinitialize(opts.runtime.wasm, memory, stackPointer), ...vm.state(), entry: opts.runtime.snapshot.entry, app, prerun: run, sides };
    } catch (err) {
      if (err instanceof PrerunStop) throw stop ?? err;
      if (err instanceof GuestException) {
        if (stop) throw stop;
        throw new PrerunStop(`its top level throws (${vm.describe(err.handle)})`);
      }
      if (stop) throw stop;
      throw err;
    } finally {
      vm.dispose();
    }
  };

  if (opts.prerun) {
    try {
      return attempt(true);
    } catch (err) {
      if (!(err instanceof PrerunStop)) throw err;
      return { ...attempt(false), stop: { what: err.what, stack: err.stack_ } };
    }
  }
  return attempt(false);
}

