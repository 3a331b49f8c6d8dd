// The Engine interface: what a WebAssembly backend must provide to run the
// guest. Two backends implement it: `js` (Bun's own WebAssembly) and `native`
// (Wasmtime through the Zig host library). Everything above this file (the
// QuickJS driver, host calls, the event loop) is shared by both.
//
// Ownership, as in Wasmtime's C API: an Engine owns compiled modules; an
// Instance is a view on one store and is released by its own dispose().
// A call has three outcomes kept apart: a result, a GuestTrap (the guest hit
// unreachable, ran out of bounds, exhausted its stack...), or a plain Error
// (our own misuse: a host bug).

export type ValType = "i32" | "i64" | "f64";
export type WasmValue = number | bigint;

/**
 * A function the guest imports. It runs synchronously inside a guest call
 * and must not throw: a host callback reports failure to the guest through
 * the guest's own ABI (see internal/engine/quickjs.ts).
 */
export interface HostFunction {
  readonly params: readonly ValType[];
  readonly results: readonly ValType[];
  readonly fn: (...args: any[]) => WasmValue | void;
}

/** Imports by module name, then field name. */
export type Imports = Record<string, Record<string, HostFunction>>;

export interface InstanceLimits {
  /** Upper bound for the guest's linear memory, in bytes. */
  maxMemoryBytes?: number;
  /** WebAssembly instructions the guest may execute (engines that count fuel); 0 = unlimited. */
  fuel?: number;
  /** Hard stop for compiled code after this many ms (engines with epoch interruption); 0 = none. */
  deadlineMs?: number;
}

export type ExternKind = "func" | "global" | "table" | "memory";

export interface ModuleImport {
  readonly module: string;
  readonly name: string;
  readonly kind: ExternKind;
}

/** A compiled module. Owned by the engine that compiled it. */
export interface WasmModule {
  readonly engine: Engine;
  readonly imports: readonly ModuleImport[];
}

/** How one import of a side module is satisfied when it is linked into an instance. */
export type LinkImport =
  | { kind: "host"; fn: HostFunction }
  /** An export of the root instance, by name (memory, table, globals, functions). */
  | { kind: "export"; name: string }
  /** A new i32 global. */
  | { kind: "global"; value: number; mutable: boolean };

export type ExportFunction = (...args: WasmValue[]) => any;

/** What linking a module gives each of its imports, worked out once (Instance.prepareLink): the host library's spec, and which imports host functions serve (their indexes). */
export interface PreparedLink {
  readonly spec: Uint32Array;
  readonly hosts: readonly number[];
}

export interface Instance {
  /** The module it is an instance of, where the engine says (the native one: linkSideModule keeps its link plans by it). */
  readonly module?: WasmModule;
  /** Exported functions by name (undefined for a name the module does not export), called as methods of this object (`exports.f(...)`, not detached). A call that traps throws GuestTrap. */
  readonly exports: Readonly<Record<string, ExportFunction | undefined>>;
  /** Whether the module exports `name` (cheaper than touching `exports`, whose first touch of a name defines its method). */
  hasExport?(name: string): boolean;
  /** A zero-copy view of linear memory. Take it again after any guest call: memory may grow. */
  memory(): Uint8Array;
  /**
   * Grow linear memory by `pages` (64 KiB each) from the host; returns the
   * previous size in pages. Only the js engine offers it: it is for build
   * time, where pre-initialisation wants room the guest's allocator never uses.
   */
  growMemory?(pages: number): number;
  /** Read or write an exported mutable i32 global (e.g. `__stack_pointer`). */
  getGlobal(name: string): number;
  setGlobal(name: string, value: number): void;
  /**
   * Instantiate `module` in this instance's store, sharing its memory and
   * table (dynamic linking of dylink.0 side modules). The result lives as long
   * as this instance; its own dispose() does nothing. `keep`: the module is the same thing
   * whenever it is linked with the same imports (SideModule.keep): the native engine keeps it
   * with a recycled instance, and linking it again there returns that one.
   */
  link(module: WasmModule, resolve: (imp: ModuleImport) => LinkImport, keep?: boolean): Instance;
  /**
   * link() in two steps (the native engine): what `resolve` gives each import, as the host library
   * takes it, then the link with this instance's host functions (`fns`, in `hosts`' order).
   * Linking the same module the same way again needs only the second (linkSideModule's plans).
   */
  prepareLink?(module: WasmModule, resolve: (imp: ModuleImport) => LinkImport): PreparedLink;
  linkPrepared?(module: WasmModule, prepared: PreparedLink, fns: readonly HostFunction[], keep?: boolean): Instance;
  /** Grow an exported table by `delta` null entries; returns its previous size. */
  tableGrow(table: string, delta: number): number;
  /** Put function export `exportName` of `from` into slot `index` of exported table `table` (`keep`: for a side module linked with `keep`, in its slots). */
  tableSetFunction(table: string, index: number, from: Instance, exportName: string, keep?: boolean): void;
  /**
   * Where the guest's WASI clock and randomness are answered: by the host library (the default,
   * where it can) or, `false`, by the imports given at instantiation (a build's pre-run refuses them).
   */
  wasiInHost?(on: boolean): void;
  /** How far linear memory may grow from now (engines with a store limiter; the js engine's is fixed at instantiation). */
  setMaxMemory?(bytes: number): void;
  /** Restart the hard stop for compiled code `ms` from now (engines with epoch interruption); 0 = none. */
  setDeadline?(ms: number): void;
  /** Release the store and everything in it. The instance is unusable afterwards. */
  dispose(): void;
}

export interface Engine {
  readonly kind: "js" | "native";
  /** Compile a module (the native backend may load it from its precompiled cache). */
  compile(bytes: Uint8Array, cacheName?: string): WasmModule;
  instantiate(module: WasmModule, imports: Imports, limits?: InstanceLimits): Instance;
  dispose(): void;
}

/** Why the guest trapped, in Wasmtime's terms. */
export type TrapCode =
  | "stack_overflow"
  | "memory_out_of_bounds"
  | "heap_misaligned"
  | "table_out_of_bounds"
  | "indirect_call_to_null"
  | "bad_signature"
  | "integer_overflow"
  | "integer_division_by_zero"
  | "bad_conversion_to_integer"
  | "unreachable_code_reached"
  /** the epoch deadline passed (a time limit) */
  | "interrupt"
  /** the fuel ran out (an instruction limit) */
  | "out_of_fuel";

/** The guest trapped. The instance may be unusable; the host is fine. */
export class GuestTrap extends Error {
  override name = "GuestTrap";
  constructor(
    message: string,
    /** The cause, where the engine names one (the native engine does; undefined otherwise). */
    readonly code?: TrapCode,
  ) {
    super(message);
  }
}
