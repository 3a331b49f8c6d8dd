// Stage 2: QuickJS bytecode, compiled in a throwaway guest so that nothing of
// the compilation (parser garbage, the bytecode buffer) ends up in a snapshot.

import { EvalFlags, GuestException, QuickJS, type GuestState } from "../engine/quickjs.ts";
import type { WasmModule } from "../engine/types.ts";
import { UserError } from "../errors.ts";

/**
 * Bytecode of a script. `module` is quickjs.wasm (fresh guest) or a
 * pre-initialised module with its `state` (restored guest).
 */
export function compileScript(module: WasmModule, source: string, filename: string, strip: number, state?: GuestState): Uint8Array {
  const refuse = () => {
    throw new Error("compiling must not call the host");
  };
  const hooks = { hostCall: refuse, interrupt: () => false, normalizeModule: refuse, loadModule: refuse, rejection: refuse };
  const opts = { output: { write: (_fd: 1 | 2, b: Uint8Array) => process.stderr.write(b) } };
  const vm = state ? QuickJS.restore(module, hooks, opts, state) : QuickJS.create(module, hooks, opts);
  try {
    return vm.compile(source, filename, EvalFlags.GLOBAL, strip);
  } catch (err) {
    if (err instanceof GuestException) throw new UserError("E_BUILD", `${filename} does not compile: ${vm.describe(err.handle)}`);
    throw err;
  } finally {
    vm.dispose();
  }
}
