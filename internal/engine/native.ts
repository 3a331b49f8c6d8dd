// The native backend: Wasmtime (Cranelift, ahead-of-time) through the Zig
// host library. Every guest import reaches TypeScript through one JSCallback;
// exports are called through one FFI function with a shared value buffer.

import { JSCallback, ptr, toArrayBuffer, CString, type Pointer } from "bun:ffi";
import { EngineFlag, LinkKind, SCRATCH_SLOTS, Status, TRAP_CODES, type HostLib } from "./native-ffi.ts";
import { UserError } from "../errors.ts";
import {
  GuestTrap,
  type Engine,
  type ExportFunction,
  type ExternKind,
  type HostFunction,
  type Imports,
  type Instance,
  type InstanceLimits,
  type LinkImport,
  type ModuleImport,
  type PreparedLink,
  type WasmModule,
  type WasmValue,
} from "./types.ts";

export interface NativeEngineOptions {
  /** Count fuel (for an instruction limit). Costs ~17% in compiled code. */
  fuel?: boolean;
  /** Epoch interruption (a hard wall-clock stop for compiled code). Costs ~20%. */
  epoch?: boolean;
  /** The pooling allocator: fast instantiation for many instances. */
  pooling?: boolean;
  /**
   * Memories from slots the host resets page by page (Linux; edgebox serve): a module given an
   * image (setMemoryImage) instantiates from them. Takes the place of the pooling allocator.
   */
  memorySlots?: boolean;
  /** Native stack for wasm frames, in MiB (default 4; at most 65535). */
  wasmStackMiB?: number;
}


/** Whether the host makes memory slots here (`supported` in zig/src/slots.zig): Linux. */
export const HOST_MEMORY_SLOTS = process.platform === "linux";

const KINDS: ExternKind[] = ["func", "global", "table", "memory"];

interface Desc {
  kind: ExternKind;
  params: string;
  results: string;
}

/** EDGEBOX_PERFMAP=1: Wasmtime writes /tmp/perf-<pid>.map, so that perf names the guest's and the frozen code's functions (read once, as EDGEBOX_TRACE is). */
const PERF_MAP = process.env.EDGEBOX_PERFMAP === "1" ? EngineFlag.perfMap : 0;

/** A value of `type` from the 16-byte slot `i` of a raw buffer. */
function readSlot(v: RawViews, i: number, type: string): number | bigint {
  switch (type) {
    case "i":
      return v.i32[i * 4]!;
    case "I":
      return v.i64[i * 2]!;
    case "f":
      return v.f32[i * 4]!;
    case "F":
      return v.f64[i * 2]!;
    default:
      throw new Error(`unsupported wasm value type '${type}'`);
  }
}

function writeSlot(v: RawViews, i: number, type: string, value: unknown): void {
  switch (type) {
    case "i":
      v.i32[i * 4] = Number(value);
      return;
    case "I":
      v.i64[i * 2] = typeof value === "bigint" ? value : BigInt(Math.trunc(Number(value)));
      return;
    case "f":
      v.f32[i * 4] = Number(value);
      return;
    case "F":
      v.f64[i * 2] = Number(value);
      return;
    default:
      throw new Error(`unsupported wasm value type '${type}'`);
  }
}

interface RawViews {
  buf: ArrayBuffer;
  ptr: Pointer;
  i32: Int32Array;
  i64: BigInt64Array;
  f32: Float32Array;
  f64: Float64Array;
}

function rawViews(slots: number): RawViews {
  const buf = new ArrayBuffer(slots * 16);
  return {
    buf,
    ptr: ptr(buf),
    i32: new Int32Array(buf),
    i64: new BigInt64Array(buf),
    f32: new Float32Array(buf),
    f64: new Float64Array(buf),
  };
}

interface ExportInfo extends Desc {
  slot: number;
}

class NativeModule implements WasmModule {
  readonly imports: ModuleImport[] = [];
  readonly importDescs: Desc[] = [];
  /** Exports learned so far, by name (null: the module has no such export). */
  readonly exportInfo = new Map<string, ExportInfo | null>();
  /** Recycled instances (host handles) the next instantiations adopt, the last recycled first. */
  readonly spares: Pointer[] = [];
  private proto: object | undefined;

  /** The prototype of every instance's exports object (see makeExports). */
  exportsPrototype(): object {
    return (this.proto ??= exportsPrototype());
  }

  constructor(
    readonly engine: NativeEngine,
    readonly handle: Pointer,
    readonly id: number,
    description: string,
  ) {
    for (const line of description.split("\n")) {
      if (!line) continue;
      const [, kindNum, module, name, params = "", results = ""] = line.split("\t");
      const kind = KINDS[Number(kindNum)] ?? ("other" as ExternKind);
      this.imports.push({ module: module!, name: name!, kind });
      this.importDescs.push({ kind, params, results });
    }
  }
}

export class NativeEngine implements Engine {
  readonly kind = "native" as const;
  readonly flags: number;
  private handle: Pointer;
  private readonly callback: JSCallback;
  /** Host call arguments and results (owned here, read by the host library). */
  private readonly scratch = rawViews(SCRATCH_SLOTS);
  /** Export call arguments and results. */
  readonly callBuf = rawViews(SCRATCH_SLOTS);
  readonly err = new Uint8Array(2048);
  readonly errPtr = ptr(this.err);
  readonly out = new BigUint64Array(2);
  readonly outPtr = ptr(this.out);
  /** The trap code out-parameter of the calls that run guest code. */
  readonly trap = new Uint8Array(1);
  readonly trapPtr = ptr(this.trap);
  private nextModuleId = 1;
  private nextInstanceId = 1;
  readonly instances = new Map<number, NativeInstance>();
  /** Modules that have had recycled instances (freed with the engine). */
  readonly withSpares = new Set<NativeModule>();
  /** Being disposed of: a dropped instance is freed, not recycled. */
  closing = false;
  /**
   * Views on guest memory by address. Making one costs Bun ~0.2 ms (a new
   * external buffer each time), and a new instance in a reused pool slot (edgebox
   * serve: one per request) has its memory where the slot's last one had it: it
   * gets the same view. Only memory at exactly that address and length is seen through it.
   */
  private readonly views = new Map<number, Uint8Array<ArrayBuffer>>();
  /** A host function threw: the guest traps, and this is the reason. */
  hostFailure: unknown;

  constructor(
    readonly lib: HostLib,
    options: NativeEngineOptions = {},
  ) {
    this.flags = (options.fuel ? EngineFlag.fuel : 0) | (options.epoch ? EngineFlag.epoch : 0) | (options.pooling ? EngineFlag.pooling : 0) | (options.memorySlots ? EngineFlag.memorySlots : 0) | PERF_MAP | (Math.min(0xffff, Math.max(0, options.wasmStackMiB ?? 0)) << 8);
    this.callback = new JSCallback((inst: number, mod: number, index: number) => this.dispatch(inst, mod, index), {
      args: ["u32", "u32", "u32"],
      returns: "u32",
    });
    const st = lib.eb_engine_new(this.flags, this.callback.ptr!, this.scratch.ptr, this.outPtr, this.errPtr, this.err.length);
    // e.g. the epoch thread cannot start: no run without its time limit
    if (st !== Status.ok) throw new UserError("E_ENGINE", `cannot start the wasmtime engine: ${this.message()}`);
    this.handle = this.pointerOut(0);
  }

  memoryView(p: number, len: number): Uint8Array<ArrayBuffer> {
    let v = this.views.get(p);
    if (v?.length !== len) {
      v = new Uint8Array(toArrayBuffer(p as Pointer, 0, len));
      this.views.set(p, v);
    }
    return v;
  }

  /** The pointer the host library wrote to out-parameter slot `i`. */
  pointerOut(i: number): Pointer {
    return Number(this.out[i]) as Pointer;
  }

  message(): string {
    return new CString(this.errPtr).toString();
  }

  /** An Error for a failed status: GuestTrap for traps. */
  failure(status: number, what: string): Error {
    const msg = this.message();
    if (status === Status.trap) {
      const reason = this.hostFailure;
      this.hostFailure = undefined;
      if (reason !== undefined) throw reason;
      return new GuestTrap(msg, TRAP_CODES[this.trap[0]!]);
    }
    return new Error(`${what}: ${msg}`);
  }

  private dispatch(instId: number, modId: number, index: number): number {
    try {
      const inst = this.instances.get(instId);
      const table = inst?.hostImports.get(modId);
      const imp = table?.[index];
      if (!imp) throw new Error(`no host function for import #${index} of module ${modId}`);
      const v = this.scratch;
      const p = imp.desc.params;
      let r: unknown;
      switch (p.length) {
        case 0:
          r = imp.fn.fn();
          break;
        case 1:
          r = imp.fn.fn(readSlot(v, 0, p[0]!));
          break;
        case 2:
          r = imp.fn.fn(readSlot(v, 0, p[0]!), readSlot(v, 1, p[1]!));
          break;
        case 3:
          r = imp.fn.fn(readSlot(v, 0, p[0]!), readSlot(v, 1, p[1]!), readSlot(v, 2, p[2]!));
          break;
        default: {
          const args: (number | bigint)[] = [];
          for (let i = 0; i < p.length; i++) args.push(readSlot(v, i, p[i]!));
          r = imp.fn.fn(...args);
        }
      }
      if (imp.desc.results.length === 1) writeSlot(v, 0, imp.desc.results, r ?? 0);
      return 0;
    } catch (err) {
      this.hostFailure = err;
      return 1;
    }
  }

  compile(bytes: Uint8Array): NativeModule {
    const id = this.nextModuleId++;
    const st = this.lib.eb_module_compile(this.handle, id, ptr(bytes), bytes.length, this.outPtr, this.errPtr, this.err.length);
    if (st !== Status.ok) throw new Error(`compiling wasm: ${this.message()}`);
    return this.wrapModule(this.pointerOut(0), id);
  }

  /**
   * Give `module` (compiled without data segments) its initial memory: its instances start from
   * a slot holding exactly these bytes (only where slotsAvailable; elsewhere keep the data segments).
   */
  setMemoryImage(module: WasmModule, memory: Uint8Array): void {
    if (!this.slotsAvailable) throw new Error("this engine makes no memory slots");
    const st = this.lib.eb_module_set_image(this.own(module).handle, ptr(memory), memory.length, this.errPtr, this.err.length);
    if (st !== Status.ok) throw new Error(`keeping the memory image: ${this.message()}`);
  }

  /** The host makes memory slots for this engine (asked for, and on Linux). */
  get slotsAvailable(): boolean {
    return (this.flags & EngineFlag.memorySlots) !== 0 && HOST_MEMORY_SLOTS;
  }

  /** Load a module from precompiled bytes (from serialize()); throws when they do not fit this engine. */
  deserialize(bytes: Uint8Array): NativeModule {
    const id = this.nextModuleId++;
    const st = this.lib.eb_module_deserialize(this.handle, id, ptr(bytes), bytes.length, this.outPtr, this.errPtr, this.err.length);
    if (st !== Status.ok) throw new Error(this.message());
    return this.wrapModule(this.pointerOut(0), id);
  }

  /** Map a file that holds exactly what serialize() returned. */
  deserializeFile(path: string): NativeModule {
    const id = this.nextModuleId++;
    const st = this.lib.eb_module_deserialize_file(this.handle, id, Buffer.from(path + "\0"), this.outPtr, this.errPtr, this.err.length);
    if (st !== Status.ok) throw new Error(this.message());
    return this.wrapModule(this.pointerOut(0), id);
  }

  /** Wyhash of a whole file and its length, computed by the host library (the bytes stay out of the JS heap). */
  hashFile(path: string): { hash: string; length: number } {
    const st = this.lib.eb_file_hash(Buffer.from(path + "\0"), this.outPtr, ptr(this.out, 8));
    if (st !== Status.ok) return { hash: "", length: 0 };
    return { hash: this.out[0]!.toString(16).padStart(16, "0"), length: Number(this.out[1]) };
  }

  serialize(module: WasmModule): Uint8Array {
    const m = this.own(module);
    const st = this.lib.eb_module_serialize(m.handle, this.outPtr, ptr(this.out, 8), this.errPtr, this.err.length);
    if (st !== Status.ok) throw new Error(`serializing module: ${this.message()}`);
    const p = this.pointerOut(0);
    const len = Number(this.out[1]);
    const copy = new Uint8Array(toArrayBuffer(p, 0, len)).slice();
    this.lib.eb_bytes_free(p, len);
    return copy;
  }

  private wrapModule(handle: Pointer, id: number): NativeModule {
    this.lib.eb_module_describe(handle, this.outPtr, ptr(this.out, 8));
    const len = Number(this.out[1]);
    const text = len === 0 ? "" : new TextDecoder().decode(new Uint8Array(toArrayBuffer(this.pointerOut(0), 0, len)));
    return new NativeModule(this, handle, id, text);
  }

  own(module: WasmModule): NativeModule {
    if (!(module instanceof NativeModule) || module.engine !== this) throw new Error("module was compiled by another engine");
    return module;
  }

  instantiate(module: WasmModule, imports: Imports, limits: InstanceLimits = {}): Instance {
    const m = this.own(module);
    const id = this.nextInstanceId++;
    const inst = new NativeInstance(this, m, id, undefined);
    inst.hostImports.set(m.id, resolveHostImports(m, (imp) => {
      const fn = imports[imp.module]?.[imp.name];
      if (!fn) throw new Error(`missing import ${imp.module}.${imp.name}`);
      return fn;
    }));
    this.instances.set(id, inst);
    const spare = m.spares.pop();
    if (spare !== undefined) {
      // (as fresh as a new one: recycle() put its memory and stack pointer back, see NativeInstance.dispose)
      const st = this.lib.eb_instance_adopt(spare, id, inst.state.ptr, limits.maxMemoryBytes ?? -1, limits.fuel ?? 0, limits.deadlineMs ?? 0, this.errPtr, this.err.length);
      if (st === Status.ok) {
        inst.handle = spare;
        return inst;
      }
      this.lib.eb_instance_free(spare);
    }
    const st = this.lib.eb_instance_new(
      m.handle,
      id,
      inst.state.ptr,
      limits.maxMemoryBytes ?? -1,
      limits.fuel ?? 0,
      limits.deadlineMs ?? 0,
      this.outPtr,
      this.trapPtr,
      this.errPtr,
      this.err.length,
    );
    if (st !== Status.ok) {
      this.instances.delete(id);
      throw this.failure(st, "instantiating");
    }
    inst.handle = this.pointerOut(0);
    return inst;
  }

  dispose(): void {
    // (the instances go for good: none is put back as a spare first)
    this.closing = true;
    for (const i of this.instances.values()) i.dispose();
    for (const m of this.withSpares) for (const h of m.spares.splice(0)) this.lib.eb_instance_free(h);
    this.lib.eb_engine_free(this.handle);
    this.callback.close();
  }
}

interface BoundImport {
  fn: HostFunction;
  desc: Desc;
}

function resolveHostImports(m: NativeModule, find: (imp: ModuleImport) => HostFunction | undefined): BoundImport[] {
  return m.imports.map((imp, i) => {
    if (imp.kind !== "func") return undefined as unknown as BoundImport;
    const fn = find(imp);
    return fn ? { fn, desc: m.importDescs[i]! } : (undefined as unknown as BoundImport);
  });
}

class NativeInstance implements Instance {
  handle: Pointer = 0 as Pointer;
  readonly exports: Record<string, ExportFunction | undefined>;
  /** Host import tables by module id: this instance's module and every module linked into it. */
  readonly hostImports: Map<number, BoundImport[]>;
  /** Where the host library publishes memory's address and size (lo/hi u32 pairs). */
  readonly state: { ptr: Pointer; words: Uint32Array };
  private view = new Uint8Array(0);
  private viewPtr = -1;
  private disposed = false;

  constructor(
    private readonly engine: NativeEngine,
    readonly module: NativeModule,
    readonly id: number,
    root: NativeInstance | undefined,
  ) {
    this.hostImports = root ? root.hostImports : new Map();
    if (root) {
      this.state = root.state;
    } else {
      const words = new Uint32Array(4);
      this.state = { ptr: ptr(words), words };
    }
    this.exports = makeExports(this);
  }

  memory(): Uint8Array {
    // (a dropped instance's memory may be a slot another instance has now: edgebox serve's next request)
    if (this.disposed) throw new Error("the instance is disposed: its memory is gone");
    const w = this.state.words;
    const p = w[0]! + w[1]! * 2 ** 32;
    const len = w[2]! + w[3]! * 2 ** 32;
    if (p !== this.viewPtr || len !== this.view.length) {
      this.view = len === 0 ? new Uint8Array(0) : this.engine.memoryView(p, len);
      this.viewPtr = p;
    }
    return this.view;
  }

  /** Throws once the instance (a side module's: its root) is disposed: a recycled one is another request's now. */
  private alive(): void {
    if ((this.sideOf ?? this).disposed) throw new Error("the instance is disposed");
  }

  /** Call the export in `slot`; args and results through the engine's call buffer. */
  call(info: ExportInfo, args: readonly unknown[]): any {
    this.alive();
    const e = this.engine;
    const v = e.callBuf;
    const p = info.params;
    for (let i = 0; i < p.length; i++) writeSlot(v, i, p[i]!, args[i] ?? 0);
    const n = Math.max(p.length, info.results.length, 1);
    const st = e.lib.eb_instance_call(this.handle, info.slot, v.ptr, n, e.trapPtr, e.errPtr, e.err.length);
    if (st !== Status.ok) throw e.failure(st, "calling the guest");
    return info.results.length === 0 ? undefined : readSlot(v, 0, info.results[0]!);
  }

  hasExport(name: string): boolean {
    return this.lookup(name) !== null;
  }

  /** What the module exports under `name`, asking the host library the first time. */
  lookup(name: string): ExportInfo | null {
    const m = this.module;
    let info = m.exportInfo.get(name);
    if (info !== undefined) return info;
    const e = this.engine;
    const enc = Buffer.from(name);
    const sig = new Uint8Array(64);
    const st = e.lib.eb_instance_export(this.handle, enc, enc.length, e.outPtr, ptr(e.out, 8), sig, sig.length, e.errPtr, e.err.length);
    if (st === Status.ok) {
      const [params = "", results = ""] = new CString(ptr(sig)).toString().split("\t");
      info = { slot: Number(e.out[0]! & 0xffffffffn), kind: KINDS[Number(e.out[1]! & 0xffn)] ?? ("other" as ExternKind), params, results };
    } else if (st === Status.notFound) {
      info = null;
    } else {
      throw e.failure(st, `looking up export ${name}`);
    }
    m.exportInfo.set(name, info);
    return info;
  }

  private exportIndex(name: string, kind: ExternKind): number {
    const info = this.lookup(name);
    if (!info || info.kind !== kind) throw new Error(`the guest exports no ${kind} '${name}'`);
    return info.slot;
  }

  getGlobal(name: string): number {
    this.alive();
    const e = this.engine;
    const st = e.lib.eb_global_get(this.handle, this.exportIndex(name, "global"), e.outPtr, e.errPtr, e.err.length);
    if (st !== Status.ok) throw e.failure(st, `reading global ${name}`);
    return Number(BigInt.asIntN(64, e.out[0]!));
  }

  setGlobal(name: string, value: number): void {
    this.alive();
    const e = this.engine;
    const st = e.lib.eb_global_set(this.handle, this.exportIndex(name, "global"), value, e.errPtr, e.err.length);
    if (st !== Status.ok) throw e.failure(st, `writing global ${name}`);
  }

  link(module: WasmModule, resolve: (imp: ModuleImport) => LinkImport, keep = false): Instance {
    const fns: HostFunction[] = [];
    const prepared = this.prepareLink(module, (imp) => {
      const how = resolve(imp);
      if (how.kind === "host") fns.push(how.fn);
      return how;
    });
    return this.linkPrepared(module, prepared, fns, keep);
  }

  prepareLink(module: WasmModule, resolve: (imp: ModuleImport) => LinkImport): PreparedLink {
    this.alive();
    const m = this.engine.own(module);
    const root = this.root();
    const spec = new Uint32Array(Math.max(1, m.imports.length) * 2); // (bun:ffi has no pointer to an empty array)
    const hosts: number[] = [];
    m.imports.forEach((imp, i) => {
      const how = resolve(imp);
      if (how.kind === "host") {
        spec[i * 2] = LinkKind.host;
        hosts.push(i);
      } else if (how.kind === "export") {
        spec[i * 2] = LinkKind.rootExport;
        const info = root.lookup(how.name);
        if (!info) throw new Error(`linking: the main module exports no '${how.name}'`);
        spec[i * 2 + 1] = info.slot;
      } else {
        spec[i * 2] = how.mutable ? LinkKind.mutI32 : LinkKind.constI32;
        spec[i * 2 + 1] = how.value >>> 0;
      }
    });
    return { spec, hosts };
  }

  linkPrepared(module: WasmModule, prepared: PreparedLink, fns: readonly HostFunction[], keep = false): Instance {
    this.alive();
    const e = this.engine;
    const m = e.own(module);
    const root = this.root();
    if (fns.length !== prepared.hosts.length) throw new Error(`linking: ${fns.length} host functions for ${prepared.hosts.length} host imports`);
    const host: BoundImport[] = [];
    prepared.hosts.forEach((i, k) => (host[i] = { fn: fns[k]!, desc: m.importDescs[i]! }));
    this.hostImports.set(m.id, host);
    const st = e.lib.eb_instance_link(root.handle, m.handle, ptr(prepared.spec), m.imports.length, keep ? 1 : 0, e.outPtr, e.trapPtr, e.errPtr, e.err.length);
    if (st !== Status.ok) throw e.failure(st, "linking side module");
    const side = new NativeInstance(e, m, this.id, root);
    side.handle = e.pointerOut(0);
    side.sideOf = root;
    return side;
  }

  private sideOf: NativeInstance | undefined;

  private root(): NativeInstance {
    return this.sideOf ?? this;
  }

  tableGrow(table: string, delta: number): number {
    this.alive();
    const e = this.engine;
    const st = e.lib.eb_table_grow(this.handle, this.exportIndex(table, "table"), delta, e.outPtr, e.errPtr, e.err.length);
    if (st !== Status.ok) throw e.failure(st, `growing table ${table}`);
    return Number(e.out[0]! & 0xffffffffn);
  }

  tableSetFunction(table: string, index: number, from: Instance, exportName: string, keep = false): void {
    this.alive();
    const e = this.engine;
    if (!(from instanceof NativeInstance)) throw new Error("instance belongs to another engine");
    const fi = from.exportIndex(exportName, "func");
    const st = e.lib.eb_table_set_func(this.handle, this.exportIndex(table, "table"), index, from.handle, fi, keep ? 1 : 0, e.errPtr, e.err.length);
    if (st !== Status.ok) throw e.failure(st, `setting ${table}[${index}]`);
  }

  wasiInHost(on: boolean): void {
    this.alive();
    this.engine.lib.eb_instance_wasi_in_host(this.handle, on ? 1 : 0);
  }

  setMaxMemory(bytes: number): void {
    this.alive();
    this.engine.lib.eb_instance_set_max_memory(this.handle, bytes);
  }

  setDeadline(ms: number): void {
    this.alive();
    this.engine.lib.eb_instance_set_deadline(this.handle, ms);
  }

  /**
   * Dropped. An instance of a server image (edgebox serve: one per request) is recycled instead
   * when the host library can make it as fresh as a new instance (its memory back to the image,
   * its stack pointer as instantiated; refused if it grew, linked or trapped: Instance.recycle in
   * zig/src/host.zig): the module's next instantiate() adopts it, without Wasmtime's instantiation
   * and teardown.
   */
  dispose(): void {
    if (this.disposed || this.sideOf) return;
    this.disposed = true;
    this.view = new Uint8Array(0);
    const e = this.engine;
    e.instances.delete(this.id);
    const spares = this.module.spares;
    if (spares.length >= MAX_SPARES || e.closing) e.lib.eb_instance_free(this.handle);
    else if (e.lib.eb_instance_recycle(this.handle)) {
      spares.push(this.handle);
      e.withSpares.add(this.module);
    }
  }
}

/** Recycled instances a module keeps (each holds its memory slot: ~1.5 MiB resident for a hello). */
const MAX_SPARES = 64;

/** The instance an exports object belongs to. */
const INSTANCE = Symbol("instance");

/**
 * The exports object: the instance, and a prototype shared by every instance
 * of the module (edgebox serve makes one instance per request: an object that
 * is only `{ [INSTANCE]: inst }` needs no closure made per instance, and every
 * instance's has the same shape). Its functions are methods: call them on the
 * exports object (`x.f(...)`), not detached.
 */
function makeExports(inst: NativeInstance): Record<string, ExportFunction | undefined> {
  const o = Object.create(inst.module.exportsPrototype());
  o[INSTANCE] = inst;
  return o;
}

/**
 * The module's methods, each defined on first use (an instance never pays for
 * the hundreds of exports nobody calls); a miss goes up to the proxy, which
 * defines the method on the prototype for every instance after it.
 */
function exportsPrototype(): object {
  const methods: Record<string, ExportFunction> = Object.create(
    new Proxy(
      {},
      {
        get(_t, name, receiver) {
          if (typeof name !== "string") return undefined;
          const info = (receiver[INSTANCE] as NativeInstance).lookup(name);
          if (!info || info.kind !== "func") return undefined;
          const f = function (this: { [INSTANCE]: NativeInstance }, ...args: WasmValue[]) {
            return this[INSTANCE].call(info, args);
          };
          Object.defineProperty(methods, name, { value: f, writable: true, enumerable: true, configurable: true });
          return f;
        },
      },
    ),
  );
  return methods;
}
