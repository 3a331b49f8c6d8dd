// The js backend: the guest runs in Bun's own WebAssembly (JavaScriptCore).
// It compiles the module at every start and cannot meter CPU inside compiled
// code, but it needs nothing native: it is the fallback when the host library
// cannot load.

import {
  GuestTrap,
  type Engine,
  type ExportFunction,
  type Imports,
  type Instance,
  type InstanceLimits,
  type WasmModule,
} from "./types.ts";

class JsModule implements WasmModule {
  constructor(
    readonly engine: Engine,
    readonly module: WebAssembly.Module,
  ) {}
}

function wrapExport(fn: Function): ExportFunction {
  return (...args) => {
    try {
      return fn(...args);
    } catch (err) {
      if (err instanceof WebAssembly.RuntimeError) throw new GuestTrap(err.message);
      // JavaScriptCore reports wasm stack exhaustion as a RangeError.
      if (err instanceof RangeError && /call stack/i.test(err.message)) throw new GuestTrap(err.message);
      throw err;
    }
  };
}

class JsInstance implements Instance {
  readonly exports: Record<string, ExportFunction> = {};
  private mem: WebAssembly.Memory;
  private view: Uint8Array;
  private globals: Record<string, WebAssembly.Global> = {};

  constructor(instance: WebAssembly.Instance) {
    for (const [name, value] of Object.entries(instance.exports)) {
      if (typeof value === "function") this.exports[name] = wrapExport(value);
      else if (value instanceof WebAssembly.Global) this.globals[name] = value;
    }
    this.mem = instance.exports.memory as WebAssembly.Memory;
    this.view = new Uint8Array(this.mem.buffer);
  }

  memory(): Uint8Array {
    if (this.view.buffer !== this.mem.buffer) this.view = new Uint8Array(this.mem.buffer);
    return this.view;
  }

  getGlobal(name: string): number {
    return this.global(name).value as number;
  }

  setGlobal(name: string, value: number): void {
    this.global(name).value = value;
  }

  private global(name: string): WebAssembly.Global {
    const g = this.globals[name];
    if (!g) throw new Error(`the guest exports no global '${name}'`);
    return g;
  }

  dispose(): void {
    // The garbage collector owns everything; drop our references.
    (this as { exports: unknown }).exports = {};
  }
}

export class JsEngine implements Engine {
  readonly kind = "js" as const;

  compile(bytes: Uint8Array): WasmModule {
    return new JsModule(this, new WebAssembly.Module(bytes));
  }

  instantiate(module: WasmModule, imports: Imports, _limits?: InstanceLimits): Instance {
    if (!(module instanceof JsModule)) throw new Error("module was compiled by another engine");
    const table: Record<string, Record<string, Function>> = {};
    for (const [mod, fields] of Object.entries(imports)) {
      const out: Record<string, Function> = (table[mod] = {});
      for (const [name, f] of Object.entries(fields)) out[name] = f.fn;
    }
    return new JsInstance(new WebAssembly.Instance(module.module, table));
  }

  dispose(): void {}
}
