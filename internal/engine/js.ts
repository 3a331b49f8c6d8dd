// The js backend: the guest runs in Bun's own WebAssembly (JavaScriptCore).
// It compiles the module at every start and cannot meter CPU inside compiled
// code, but it needs nothing native: it is the fallback when the host library
// cannot load.

import {
  GuestTrap,
  type Engine,
  type ExportFunction,
  type ExternKind,
  type Imports,
  type Instance,
  type InstanceLimits,
  type LinkImport,
  type ModuleImport,
  type WasmModule,
} from "./types.ts";

class JsModule implements WasmModule {
  readonly imports: ModuleImport[];
  constructor(
    readonly engine: Engine,
    readonly module: WebAssembly.Module,
  ) {
    this.imports = WebAssembly.Module.imports(module).map((i) => ({
      module: i.module,
      name: i.name,
      kind: (i.kind === "function" ? "func" : i.kind) as ExternKind,
    }));
  }
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
  readonly exports: Record<string, ExportFunction | undefined> = {};
  private mem: WebAssembly.Memory;
  private view: Uint8Array;

  constructor(
    readonly raw: WebAssembly.Instance,
    private readonly root?: JsInstance,
  ) {
    for (const [name, value] of Object.entries(raw.exports)) {
      if (typeof value === "function") this.exports[name] = wrapExport(value);
    }
    this.mem = (root ?? this).raw.exports.memory as WebAssembly.Memory;
    this.view = new Uint8Array(this.mem.buffer);
  }

  link(module: WasmModule, resolve: (imp: ModuleImport) => LinkImport): Instance {
    if (!(module instanceof JsModule)) throw new Error("module was compiled by another engine");
    const root = this.root ?? this;
    const table: Record<string, Record<string, unknown>> = {};
    for (const imp of module.imports) {
      const how = resolve(imp);
      let value: unknown;
      if (how.kind === "host") value = how.fn.fn;
      else if (how.kind === "global") value = new WebAssembly.Global({ value: "i32", mutable: how.mutable }, how.value);
      else {
        value = root.raw.exports[how.name];
        if (value === undefined) throw new Error(`linking: the main module exports no '${how.name}'`);
      }
      (table[imp.module] ??= {})[imp.name] = value;
    }
    return new JsInstance(new WebAssembly.Instance(module.module, table as any), root);
  }

  tableGrow(table: string, delta: number): number {
    return this.table(table).grow(delta);
  }

  tableSetFunction(table: string, index: number, from: Instance, exportName: string): void {
    if (!(from instanceof JsInstance)) throw new Error("instance belongs to another engine");
    this.table(table).set(index, from.raw.exports[exportName] as Function);
  }

  private table(name: string): WebAssembly.Table {
    const t = this.raw.exports[name];
    if (!(t instanceof WebAssembly.Table)) throw new Error(`the guest exports no table '${name}'`);
    return t;
  }

  memory(): Uint8Array {
    if (this.view.buffer !== this.mem.buffer) this.view = new Uint8Array(this.mem.buffer);
    return this.view;
  }

  growMemory(pages: number): number {
    return this.mem.grow(pages);
  }

  getGlobal(name: string): number {
    return this.global(name).value as number;
  }

  setGlobal(name: string, value: number): void {
    this.global(name).value = value;
  }

  private global(name: string): WebAssembly.Global {
    const g = this.raw.exports[name];
    if (!(g instanceof WebAssembly.Global)) throw new Error(`the guest exports no global '${name}'`);
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
    return new JsInstance(new WebAssembly.Instance(module.module, table as any));
  }

  dispose(): void {}
}
