// The QuickJS guest, driven over any Engine instance: quickjs-wasi's
// `quickjs.wasm` exports the QuickJS C API plus a small `qjs_*` layer that
// works on heap-allocated JSValue boxes ("handles", plain numbers here).
//
// Handle ownership: every handle a method returns is owned by the caller and
// released with free(). Handles passed in are borrowed.
//
// The guest reaches the host through exactly one function, installed as
// `globalThis.__edgebox_host(op, str?, bytes?)` and captured by the runtime JS
// (wasm/internal/host.js). See wasm/ABI.md for the contract.

import { OP } from "../../wasm/abi.js";
import { wasiImports, type WasiOutput } from "./wasi.ts";
import type { Engine, HostFunction, Imports, Instance, InstanceLimits, WasmModule } from "./types.ts";

export const EvalFlags = {
  GLOBAL: 0,
  MODULE: 1 << 0,
  STRICT: 1 << 3,
  COMPILE_ONLY: 1 << 5,
  BACKTRACE_BARRIER: 1 << 6,
  ASYNC: 1 << 7,
} as const;

/** What compile() may leave out of the bytecode (quickjs-wasi's CompileFlags). */
export const StripFlags = {
  /** function source text: Function.prototype.toString then shows no body */
  SOURCE: 16,
  /** line and column tables: stack frames then have no positions */
  DEBUG: 32,
} as const;

/** An error the host reports to the guest: the runtime throws it as a Node-style error. */
export class HostError {
  constructor(readonly info: { code: string; message: string; [k: string]: unknown }) {}
}

/** A guest value the host made (a compiled function, say), handed over with its ownership. */
export class GuestValue {
  constructor(readonly handle: number) {}
}

/** What a host call may return to the guest. */
export type HostReply = undefined | number | string | Uint8Array | HostError | GuestValue;

export interface GuestHooks {
  hostCall(op: number, str: string | undefined, bytes: Uint8Array | undefined): HostReply;
  /** Polled by the interpreter; true stops the running code with an uncatchable error. */
  interrupt(): boolean;
  /** Resolve an import specifier. Throwing makes the import fail in the guest. */
  normalizeModule(base: string, specifier: string): string;
  /** Source text of a module. Throwing makes the import fail in the guest. */
  loadModule(name: string): string;
  /** A promise was rejected with no handler (handled=false), or got one later (true). Handles are borrowed. */
  rejection(promise: number, reason: number, handled: boolean): void;
}

/** The guest threw. `handle` is the thrown value, owned by whoever catches this. */
export class GuestException extends Error {
  constructor(readonly handle: number) {
    super("the guest threw an exception");
  }
}

export const HOST_FUNCTION_NAME = "__edgebox_host";

/** Guest addresses the host needs after a snapshot restore. */
export interface GuestState {
  ctx: number;
  scratch: number;
  /**
   * The stack region a snapshot kept (edgebox serve's image: every request runs on a stack of
   * the same size), so that a guest restored from it is already on that stack.
   */
  stack?: { base: number; size: number };
  /** The limits QuickJS held at the snapshot (a guest restored with the same ones sets none again) and its collection threshold. */
  limits?: { memory: number; stack: number; gcThreshold: number };
}

export interface QuickJSOptions {
  /** Bytes QuickJS may allocate (its malloc limit); 0 = none. */
  memoryLimit?: number;
  /**
   * Stack QuickJS may use before throwing RangeError (default 512 KiB, at most
   * MAX_STACK_SIZE). The engine's native stack must back it (internal/sandbox/stack.ts).
   */
  maxStackSize?: number;
  limits?: InstanceLimits;
  output: WasiOutput;
  /**
   * Collect cycles again when the heap reaches this many times the live heap
   * of the last collection (QuickJS's own: 1.5; see widenGC). Unset: QuickJS's.
   */
  gcGrowth?: number;
}

/** QuickJS puts its next collection at live + live / 2 (quickjs.c, js_trigger_gc). */
const QUICKJS_GC_GROWTH = 1.5;

/**
 * quickjs.wasm's own stack: the linker put 1 MiB at the bottom of memory
 * (`__stack_pointer` starts at its top). Up to half of it may be used by JS
 * recursion; a larger stack is a region malloc'd at start (see moveStack).
 */
const LINKER_STACK_TOP = 1 << 20;
const LINKER_STACK_USABLE = 512 * 1024;
/** Room below QuickJS's limit for the C code that runs past its check (throwing the RangeError, say). */
export const STACK_SLACK = 256 * 1024;
/** The most stack a run may ask for (runtime.stack_size). */
export const MAX_STACK_SIZE = 16 << 20;

const enc = new TextEncoder();
const dec = new TextDecoder();
/** Bytes of the guest's scratch area. */
const SCRATCH_BYTES = 16;
/** ASCII without NUL (a NUL would end the C string early). */
const SHORT_ASCII = /^[\x01-\x7f]*$/;
/** U+FFFD in UTF-8. */
const REPLACEMENT = Uint8Array.of(0xef, 0xbf, 0xbd);

/** QuickJS's tags (quickjs.h) of the values the host tells apart (a string is a flat one or a rope). */
const TAG = { object: -1, string: -7, stringRope: -6, undefined: 3, exception: 6 } as const;

/**
 * The modules whose handles can be read in place. A handle is the address of a JSValue, NaN-boxed
 * on wasm32 (the tag in its high 32 bits); a module's first guest probes it on the undefined value
 * and a string, so that telling an exception, a string or undefined apart costs no guest call (a
 * serve request made ~10 such calls of its ~40).
 */
const tagsReadable = new WeakSet<WasmModule>();

export class QuickJS {
  readonly instance: Instance;
  private readonly x: Record<string, (...a: any[]) => any>;
  private scratch = 0; // SCRATCH_BYTES of guest memory for out-parameters and short property names
  private stackRegion = 0; // the malloc'd stack (moveStack), 0 while on the linker's
  private stackSize = 0;
  private ctxPtr = 0;
  private uncatchable = false;
  private readonly gcGrowth: number;
  private readonly memoryLimit: number;
  private gcThreshold = 0; // the collection threshold as last seen or set (widenGC)
  private limitsSet = { memory: 0, stack: 0 }; // QuickJS's memory limit and stack size as applyLimits set them
  private tagsInPlace = false; // (see tagsReadable; set by readTags once the runtime is up)

  private constructor(
    private readonly module: WasmModule,
    private readonly hooks: GuestHooks,
    opts: QuickJSOptions,
  ) {
    this.gcGrowth = opts.gcGrowth && opts.gcGrowth > QUICKJS_GC_GROWTH ? opts.gcGrowth : 0;
    // the heap limit, else linear memory's (malloc fails at either)
    this.memoryLimit = opts.memoryLimit || opts.limits?.maxMemoryBytes || 0;
    let self: QuickJS | undefined;
    const imports: Imports = {
      env: {
        host_call: {
          params: ["i32", "i32", "i32", "i32", "i32"],
          results: ["i32"],
          fn: (np: number, nl: number, _t: number, argc: number, argv: number) => self!.onHostCall(np, nl, argc, argv),
        },
        host_interrupt: {
          params: [],
          results: ["i32"],
          fn: () => {
            if (self!.gcGrowth) self!.widenGC();
            return self!.hooks.interrupt() ? 1 : 0;
          },
        },
        host_promise_rejection: {
          params: ["i32", "i32", "i32"],
          results: [],
          fn: (p: number, r: number, handled: number) => self!.onRejection(p, r, handled !== 0),
        },
        host_module_normalize: {
          params: ["i32", "i32"],
          results: ["i32"],
          fn: (base: number, name: number) => self!.onNormalize(base, name),
        },
        host_module_load: {
          params: ["i32", "i32"],
          results: ["i32"],
          fn: (name: number, outLen: number) => self!.onLoad(name, outLen),
        },
        host_get_timezone_offset: {
          params: ["i32", "i32"],
          results: ["i32"],
          // Seconds east of UTC at that instant (hi:lo are the seconds since the epoch).
          fn: (hi: number, lo: number) => {
            opts.output.needsRun?.("reads the time zone (local dates)");
            return -new Date((hi * 2 ** 32 + (lo >>> 0)) * 1000).getTimezoneOffset() * 60;
          },
        },
      },
      wasi_snapshot_preview1: wasiImports(() => self!.instance, opts.output),
    };
    this.instance = module.engine.instantiate(module, imports, opts.limits);
    // (a pre-run refuses the clock and randomness: only the imports above can say so)
    if (opts.output.needsRun) this.instance.wasiInHost?.(false);
    this.x = this.instance.exports as Record<string, (...a: any[]) => any>;
    self = this;
  }

  /** Instantiate and initialise a fresh QuickJS runtime and context. */
  static create(module: WasmModule, hooks: GuestHooks, opts: QuickJSOptions): QuickJS {
    const vm = new QuickJS(module, hooks, opts);
    const x = vm.x;
    x._initialize!();
    if (x.qjs_init!() !== 0) throw new Error("QuickJS failed to initialise");
    vm.ctxPtr = x.qjs_get_context_ptr!();
    vm.scratch = x.wasm_malloc!(SCRATCH_BYTES);
    x.qjs_set_interrupt_handler!(1);
    x.qjs_set_promise_rejection_handler!(1);
    x.qjs_set_module_loader!(1);
    vm.installHostFunction();
    vm.applyLimits(opts);
    vm.readTags();
    return vm;
  }

  /**
   * A guest from a pre-initialised module (internal/build/snapshot.ts): its
   * memory already holds the runtime and context create() made, so nothing is
   * initialised again. `state` is what state() returned before the snapshot.
   */
  static restore(module: WasmModule, hooks: GuestHooks, opts: QuickJSOptions, state: GuestState): QuickJS {
    const vm = new QuickJS(module, hooks, opts);
    vm.ctxPtr = state.ctx;
    vm.scratch = state.scratch;
    vm.applyLimits(opts, state.stack, state.limits);
    vm.readTags();
    return vm;
  }

  /** The host-side pointers a snapshot must carry to restore this guest. */
  state(): GuestState {
    const limits = { ...this.limitsSet, gcThreshold: this.gcThreshold };
    return { ctx: this.ctxPtr, scratch: this.scratch, ...(this.stackRegion ? { stack: { base: this.stackRegion, size: this.stackSize } } : {}), limits };
  }

  /**
   * Copy of linear memory and the stack pointer, for pre-initialisation. The
   * heap is collected first, and the next collection put `gcHeadroom` bytes of
   * allocation away: otherwise a guest started from the snapshot collects its
   * whole heap almost at once (touching, and so copying, every page of it).
   * `keepStack`: the snapshot stays on the stack moveStack made (state() says where), for guests
   * restored with the same stack size; otherwise it is back on the linker's.
   */
  snapshot(gcHeadroom = 16 << 20, keepStack = false): { memory: Uint8Array; stackPointer: number } {
    if (!keepStack) this.restoreLinkerStack();
    // (what lies below the stack pointer is dead: zeroed, so that the image does not hold it)
    else if (this.stackRegion) this.instance.memory().fill(0, this.stackRegion, this.instance.getGlobal("__stack_pointer"));
    this.x.qjs_run_gc!();
    this.gcThreshold = this.heapUsage().used + gcHeadroom;
    this.x.qjs_set_gc_threshold!(this.gcThreshold);
    return { memory: this.instance.memory().slice(), stackPointer: this.instance.getGlobal("__stack_pointer") };
  }

  /**
   * QuickJS's memory limit and stack size as `opts` say. `kept`, `held`: a snapshot's stack region
   * and limits; when they are these (edgebox serve's image), memory holds them already: no guest call.
   */
  private applyLimits(opts: QuickJSOptions, kept?: GuestState["stack"], held?: GuestState["limits"]): void {
    const memory = opts.memoryLimit ?? 0; // 0 = unlimited
    const size = Math.min(opts.maxStackSize ?? LINKER_STACK_USABLE, MAX_STACK_SIZE);
    this.limitsSet = { memory, stack: size };
    if (kept && kept.size === size) {
      // (the snapshot's __stack_pointer and QuickJS's stack top are that region's already)
      this.stackRegion = kept.base;
      this.stackSize = size;
      if (held && held.memory === memory && held.stack === size) {
        this.gcThreshold = held.gcThreshold;
        return;
      }
    } else if (size > LINKER_STACK_USABLE) this.moveStack(size);
    this.x.qjs_set_memory_limit!(memory);
    this.gcThreshold = this.x.qjs_get_gc_threshold!() >>> 0;
    this.x.qjs_set_max_stack_size!(size);
  }

  /**
   * QuickJS collects cycles when its heap passes a threshold, which each
   * collection then resets to 1.5x the live heap: a program whose live heap
   * keeps growing is collected every 50% of growth, each time walking every
   * object (600k small objects kept: 4 collections, ~100 ms of ~700 ms CPU).
   * Polled with interrupts (every ~10k interpreter steps): when the threshold
   * changed, a collection ran; move the next one to gcGrowth x the live heap,
   * never lower than QuickJS's own and never past halfway from the live heap
   * to the memory limit (QuickJS does not collect before failing an
   * allocation, so garbage must not be what reaches the limit).
   */
  private widenGC(): void {
    const t = this.x.qjs_get_gc_threshold!() >>> 0;
    if (t === this.gcThreshold) return;
    const live = t / QUICKJS_GC_GROWTH;
    let next = live * this.gcGrowth;
    if (this.memoryLimit) next = Math.min(next, live + (this.memoryLimit - live) / 2);
    this.gcThreshold = Math.floor(Math.min(Math.max(next, t), 0xffffffff));
    this.x.qjs_set_gc_threshold!(this.gcThreshold);
  }

  /**
   * Run on a stack of `size` bytes (plus slack) taken from the guest's heap:
   * `__stack_pointer` moves to the region's top and QuickJS measures its
   * limit from there. Only while no guest code runs (at start).
   */
  private moveStack(size: number): void {
    const base = this.x.wasm_malloc!(size + STACK_SLACK);
    if (!base) throw new Error(`no memory for a ${size >> 20} MiB stack (runtime.stack_size)`);
    this.stackRegion = base;
    this.stackSize = size;
    this.instance.setGlobal("__stack_pointer", (base + size + STACK_SLACK) & ~15);
    this.x.JS_UpdateStackTop!(this.x.qjs_get_runtime_ptr!());
  }

  /**
   * Imports for C code that recurses without QuickJS's stack check (the
   * structured-clone extension: a deep object overflowed the stack in linear
   * memory into the heap, or trapped): `names` are allocators of one context
   * argument (JS_NewObject, JS_NewArray) that, once the stack is past
   * QuickJS's limit, throw its RangeError and return JS_EXCEPTION, which that
   * code unwinds from as from a failed allocation.
   */
  stackCheckedAllocators(names: readonly string[]): Record<string, HostFunction> {
    const out: Record<string, HostFunction> = {};
    const x = this.x;
    for (const name of names) {
      out[name] = {
        params: ["i32"],
        results: ["i64"],
        fn: (ctx: number) => {
          const limit = this.stackRegion ? this.stackRegion + STACK_SLACK : LINKER_STACK_TOP - LINKER_STACK_USABLE;
          if (this.instance.getGlobal("__stack_pointer") >= limit) return x[name]!(ctx);
          const msg = this.writeString("Maximum call stack size exceeded");
          try {
            return x.JS_ThrowRangeError!(ctx, msg.ptr, 0); // (no % in it: no arguments read)
          } finally {
            x.wasm_free!(msg.ptr);
          }
        },
      };
    }
    return out;
  }

  /** Back to the linker's stack, the region zeroed and freed: a snapshot then holds neither. */
  private restoreLinkerStack(): void {
    if (!this.stackRegion) return;
    const top = this.instance.getGlobal("__stack_pointer");
    this.instance.memory().fill(0, this.stackRegion, top);
    this.instance.setGlobal("__stack_pointer", LINKER_STACK_TOP);
    this.x.JS_UpdateStackTop!(this.x.qjs_get_runtime_ptr!());
    this.x.wasm_free!(this.stackRegion);
    this.stackRegion = 0;
    this.x.qjs_set_max_stack_size!(LINKER_STACK_USABLE);
    this.limitsSet.stack = LINKER_STACK_USABLE;
  }

  private installHostFunction(): void {
    const name = this.writeString(HOST_FUNCTION_NAME);
    const fn = this.x.qjs_new_host_function!(name.ptr, name.len, 0);
    const global = this.x.qjs_get_global!();
    this.x.qjs_set_prop_string!(global, name.ptr, fn);
    this.x.wasm_free!(name.ptr);
    this.free(fn);
    this.free(global);
  }

  // ---- evaluation ----

  eval(code: string, filename: string, flags: number = EvalFlags.GLOBAL): number {
    const c = this.writeString(code);
    const f = this.writeString(filename);
    const r = this.x.qjs_eval!(c.ptr, c.len, f.ptr, flags);
    this.x.wasm_free!(c.ptr);
    this.x.wasm_free!(f.ptr);
    return this.check(r);
  }

  /** Compile to QuickJS bytecode without running it. */
  compile(code: string, filename: string, flags: number = EvalFlags.GLOBAL, strip = 0): Uint8Array {
    const c = this.writeString(code);
    const f = this.writeString(filename);
    const buf = this.x.qjs_compile!(c.ptr, c.len, f.ptr, flags, strip, this.scratch);
    this.x.wasm_free!(c.ptr);
    this.x.wasm_free!(f.ptr);
    if (buf === 0) throw new GuestException(this.x.qjs_get_exception!());
    const len = this.u32(this.scratch);
    const out = this.instance.memory().slice(buf, buf + len);
    this.x.wasm_free!(buf);
    return out;
  }

  /**
   * Run bytecode placed outside the guest's heap, in pages grown for it and
   * zeroed afterwards: the heap keeps no copy of it, and a snapshot taken
   * next holds only what running it built (see internal/build/snapshot.ts).
   */
  evalBytecodeOutsideHeap(bytes: Uint8Array): number {
    const grow = this.instance.growMemory;
    if (!grow) throw new Error("this engine cannot grow memory from the host");
    const base = grow.call(this.instance, Math.ceil(bytes.length / 65536)) * 65536;
    this.instance.memory().set(bytes, base);
    try {
      return this.check(this.x.qjs_eval_bytecode!(base, bytes.length));
    } finally {
      this.instance.memory().fill(0, base, base + bytes.length);
    }
  }

  evalBytecode(bytes: Uint8Array): number {
    const p = this.x.wasm_malloc!(bytes.length);
    this.instance.memory().set(bytes, p);
    const r = this.x.qjs_eval_bytecode!(p, bytes.length);
    this.x.wasm_free!(p);
    return this.check(r);
  }

  call(fn: number, thisv: number, args: readonly number[] = []): number {
    // The handles' array: in the scratch area when it fits (qjs_call copies the values out before
    // any guest code runs, which may use the area again), else malloc'd.
    const n = args.length;
    const argv = n === 0 ? 0 : n * 4 <= SCRATCH_BYTES ? this.scratch : this.x.wasm_malloc!(n * 4);
    if (n) {
      const m = this.instance.memory();
      for (let i = 0; i < n; i++) {
        const a = args[i]!;
        const p = argv + i * 4;
        m[p] = a;
        m[p + 1] = a >>> 8;
        m[p + 2] = a >>> 16;
        m[p + 3] = a >>> 24;
      }
    }
    const r = this.x.qjs_call!(fn, thisv, n, argv);
    if (argv) this.freeUnlessScratch(argv);
    return this.check(r);
  }

  /** Call method `name` of object `obj`. */
  callMethod(obj: number, name: string, args: readonly number[] = []): number {
    const fn = this.getProp(obj, name);
    try {
      return this.call(fn, obj, args);
    } finally {
      this.free(fn);
    }
  }

  /**
   * Run queued promise jobs until none is left (true), or until `stop()`,
   * asked after each job, holds first (false). Throws GuestException for an
   * uncatchable error (exit, interrupt).
   */
  runJobs(stop?: () => boolean): boolean {
    while (this.x.qjs_is_job_pending!()) {
      if (this.x.qjs_execute_pending_job!() < 0) throw new GuestException(this.x.qjs_get_exception!());
      if (stop?.()) return !this.x.qjs_is_job_pending!();
    }
    return true;
  }

  /** The high 32 bits of the JSValue at handle `h`: its tag, where tagsReadable holds. */
  private highWord(h: number): number {
    const m = this.instance.memory();
    return m[h + 4]! | (m[h + 5]! << 8) | (m[h + 6]! << 16) | (m[h + 7]! << 24);
  }

  /** Whether handle `h`'s value has tag `a` (or `b`): read from memory where it can be, else asked of the guest's `slow`. */
  private tagIs(h: number, slow: string, a: number, b = a): boolean {
    if (!this.tagsInPlace || h === 0) return this.x[slow]!(h) !== 0;
    const t = this.highWord(h);
    return t === a || t === b;
  }

  /** Whether handles can be read in place: the module's probe, made by its first guest (a failed one is not kept). */
  private readTags(): void {
    this.tagsInPlace = tagsReadable.has(this.module) || this.probeTags();
    if (this.tagsInPlace) tagsReadable.add(this.module);
  }

  private probeTags(): boolean {
    const u = this.x.qjs_get_undefined!();
    const s = this.newString("probe");
    try {
      return u !== 0 && s !== 0 && this.highWord(u) === TAG.undefined && this.highWord(s) === TAG.string && this.x.qjs_is_undefined!(u) !== 0 && this.x.qjs_is_string!(s) !== 0;
    } finally {
      this.free(u);
      this.free(s);
    }
  }

  private isException(h: number): boolean {
    return this.tagIs(h, "qjs_is_exception", TAG.exception);
  }

  private check(r: number): number {
    if (this.isException(r)) {
      this.free(r);
      throw new GuestException(this.x.qjs_get_exception!());
    }
    return r;
  }

  /** A thrown value as text, for the host's own messages: its stack (or string form). Frees nothing. */
  describe(h: number): string {
    const stack = this.getProp(h, "stack");
    try {
      const text = this.toString(h);
      return this.isString(stack) ? `${text}\n${this.toString(stack)}` : text;
    } finally {
      this.free(stack);
    }
  }

  /** The JS heap: bytes allocated, and bytes of ArrayBuffer contents among them (QuickJS's own accounting). */
  heapUsage(): { used: number; arrayBuffers: number } {
    const buf = this.x.wasm_malloc!(26 * 8);
    try {
      this.x.qjs_compute_memory_usage!(buf);
      const m = this.instance.memory();
      const v = new BigInt64Array(m.buffer, m.byteOffset + buf, 26);
      return { used: Number(v[0]), arrayBuffers: Number(v[25]) };
    } finally {
      this.x.wasm_free!(buf);
    }
  }

  /** The QuickJS-NG version compiled into the module. */
  quickjsVersion(): string {
    return this.readCString(this.x.qjs_get_quickjs_version!());
  }

  // ---- values ----

  global(): number {
    return this.x.qjs_get_global!();
  }

  undefined(): number {
    return this.x.qjs_get_undefined!();
  }

  getProp(obj: number, name: string): number {
    const n = this.writeName(name);
    const r = this.x.qjs_get_prop_string!(obj, n);
    this.freeUnlessScratch(n);
    return this.check(r);
  }

  setProp(obj: number, name: string, value: number): void {
    const n = this.writeName(name);
    this.x.qjs_set_prop_string!(obj, n, value);
    this.freeUnlessScratch(n);
  }

  /**
   * A property name as a C string: a short ASCII one in the scratch area, with no allocation
   * (QuickJS makes it an atom before any getter or setter can run guest code that reuses the
   * area); others malloc'd. Given back with freeName.
   */
  private writeName(name: string): number {
    if (name.length >= SCRATCH_BYTES || !SHORT_ASCII.test(name)) return this.writeString(name).ptr;
    const m = this.instance.memory();
    const p = this.scratch;
    for (let i = 0; i < name.length; i++) m[p + i] = name.charCodeAt(i);
    m[p + name.length] = 0;
    return p;
  }

  /** Free a guest buffer unless it is the scratch area (a short name, a call's handles). */
  private freeUnlessScratch(p: number): void {
    if (p !== this.scratch) this.x.wasm_free!(p);
  }

  newString(s: string): number {
    const w = this.writeString(s);
    const r = this.x.qjs_new_string!(w.ptr, w.len);
    this.x.wasm_free!(w.ptr);
    return r;
  }

  newNumber(n: number): number {
    return this.x.qjs_new_number!(n);
  }

  newBytes(bytes: Uint8Array): number {
    const p = this.x.wasm_malloc!(Math.max(1, bytes.length));
    this.instance.memory().set(bytes, p);
    const r = this.x.qjs_new_uint8_array!(p, bytes.length);
    this.x.wasm_free!(p);
    return r;
  }

  isString(h: number): boolean {
    return this.tagIs(h, "qjs_is_string", TAG.string, TAG.stringRope);
  }

  isNumber(h: number): boolean {
    return this.x.qjs_is_number!(h) !== 0;
  }

  isObject(h: number): boolean {
    return this.tagIs(h, "qjs_is_object", TAG.object);
  }

  isUndefined(h: number): boolean {
    return this.tagIs(h, "qjs_is_undefined", TAG.undefined);
  }

  isFunction(h: number): boolean {
    return this.x.qjs_is_function!(h) !== 0;
  }

  /** Number value of a number handle. */
  toNumber(h: number): number {
    return this.x.qjs_get_float64!(h);
  }

  /** String conversion of any value (runs guest toString for objects: call only on values you trust or on strings). */
  toString(h: number): string {
    const p = this.x.qjs_get_string_len!(h, this.scratch);
    if (p === 0) return "";
    const len = this.u32(this.scratch);
    const s = dec.decode(this.instance.memory().subarray(p, p + len));
    this.x.qjs_free_cstring!(p);
    return s;
  }

  /**
   * The UTF-8 of a string handle, a copy; a lone surrogate becomes U+FFFD (as TextEncoder, and the
   * runtime's utf8Encode, make it) in place of the three bytes QuickJS writes for it.
   */
  toUtf8(h: number): Uint8Array {
    const p = this.x.qjs_get_string_len!(h, this.scratch);
    // (a string's UTF-8 fails only for want of memory: that error, not an empty body)
    if (p === 0) throw new GuestException(this.x.qjs_get_exception!());
    const bytes = this.instance.memory().slice(p, p + this.u32(this.scratch));
    this.x.qjs_free_cstring!(p);
    for (let i = bytes.indexOf(0xed); i >= 0 && i + 2 < bytes.length; i = bytes.indexOf(0xed, i + 1)) {
      if (bytes[i + 1]! >= 0xa0) bytes.set(REPLACEMENT, i);
    }
    return bytes;
  }

  /** Copy of the bytes of a Uint8Array (or any typed array / ArrayBuffer) handle; undefined for other values. */
  toBytes(h: number): Uint8Array | undefined {
    const x = this.x;
    const s = this.scratch;
    if (x.qjs_is_array_buffer!(h)) {
      const p = x.qjs_get_array_buffer!(h, s);
      return p ? this.instance.memory().slice(p, p + this.u32(s)) : new Uint8Array(0);
    }
    const ab = x.qjs_get_typed_array_buffer!(h, s, s + 4, s + 8);
    if (this.isException(ab)) {
      this.free(ab);
      this.free(x.qjs_get_exception!()); // not a typed array: clear the pending TypeError
      return undefined;
    }
    const offset = this.u32(s);
    const length = this.u32(s + 4);
    const p = x.qjs_get_array_buffer!(ab, s);
    this.free(ab);
    return p ? this.instance.memory().slice(p + offset, p + offset + length) : new Uint8Array(0);
  }

  /** Where an ArrayBuffer handle's bytes are in linear memory (0: not an ArrayBuffer, or none). */
  bufferAddress(h: number): number {
    return this.x.qjs_is_array_buffer!(h) ? this.x.qjs_get_array_buffer!(h, this.scratch) : 0;
  }

  dup(h: number): number {
    return this.x.qjs_dup_value!(h);
  }

  /** A number identifying the object behind a handle (the same for every handle to it). */
  identity(h: number): number {
    return this.x.qjs_get_value_ptr!(h);
  }

  /** 0 pending, 1 fulfilled, 2 rejected. */
  promiseState(h: number): number {
    return this.x.qjs_promise_state!(h);
  }

  promiseResult(h: number): number {
    return this.x.qjs_promise_result!(h);
  }

  free(h: number): void {
    if (h) this.x.qjs_free_value!(h);
  }

  /**
   * Throw an uncatchable error into the guest: try/catch cannot stop it, so
   * running code unwinds to the host (used by process.exit).
   */
  throwUncatchable(message: string): void {
    this.uncatchable = true;
    const err = this.x.qjs_new_error!();
    const msg = this.newString(message);
    this.setProp(err, "message", msg);
    this.free(msg);
    const m = this.instance.memory();
    const value = new DataView(m.buffer, m.byteOffset).getBigUint64(err, true);
    this.x.JS_SetUncatchableError!(this.ctxPtr, value);
    this.x.qjs_throw!(err);
    this.free(err);
  }

  // ---- imports called by the guest ----

  private onHostCall(namePtr: number, nameLen: number, argc: number, argv: number): number {
    const x = this.x;
    if (this.uncatchable) {
      // The guest is unwinding after exit: refuse further work.
      this.throwUncatchable("the guest is exiting");
      return 0;
    }
    const m = this.instance.memory();
    if (dec.decode(m.subarray(namePtr, namePtr + nameLen)) !== HOST_FUNCTION_NAME) {
      return this.throwPlain("unknown host function");
    }
    const dv = new DataView(m.buffer, m.byteOffset);
    const arg = (i: number) => (i < argc ? dv.getUint32(argv + i * 4, true) : 0);
    const opH = arg(0);
    if (!opH || !this.isNumber(opH)) return this.throwPlain("host call without an op code");
    const op = this.toNumber(opH);
    if (op === OP.PROMISE_STATE || op === OP.PROMISE_RESULT) return this.promiseDetail(op, arg(1));
    const strH = arg(1);
    const str = strH && this.isString(strH) ? this.toString(strH) : undefined;
    const bytesH = arg(2);
    const bytes = bytesH && !this.isUndefined(bytesH) ? this.toBytes(bytesH) : undefined;
    let reply: HostReply;
    try {
      reply = this.hooks.hostCall(op, str, bytes);
    } catch (err) {
      if (this.uncatchable) return 0;
      // The host ran guest code for this call (compiled a module, say) and it threw: pass it on.
      if (this.rethrowGuest(err)) return 0;
      return this.throwPlain(`host call ${op} failed: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (this.uncatchable) return 0; // the host call was exit: the exception is already pending
    if (reply === undefined) return x.qjs_get_undefined!();
    if (typeof reply === "string") return this.newString(reply);
    if (typeof reply === "number") return this.newNumber(reply);
    if (reply instanceof Uint8Array) return this.newBytes(reply);
    if (reply instanceof GuestValue) return reply.handle;
    // A HostError travels as a string starting with NUL: the runtime turns it into a Node-style error.
    return this.newString("\0" + JSON.stringify(reply.info));
  }

  /** A promise's state or result, for util.inspect: asked of the engine, answered without the host (any value may come: a non-promise is -1, or undefined). */
  private promiseDetail(op: number, h: number): number {
    const state = h ? this.promiseState(h) : -1;
    if (op === OP.PROMISE_STATE) return this.newNumber(state);
    return state === 1 || state === 2 ? this.promiseResult(h) : this.x.qjs_get_undefined!();
  }

  private throwPlain(message: string, code?: string): number {
    const err = this.x.qjs_new_error!();
    const msg = this.newString(message);
    this.setProp(err, "message", msg);
    this.free(msg);
    if (code) {
      const c = this.newString(code);
      this.setProp(err, "code", c);
      this.free(c);
    }
    this.x.qjs_throw!(err);
    this.free(err);
    return 0;
  }

  private onRejection(promise: number, reason: number, handled: boolean): void {
    try {
      this.hooks.rejection(promise, reason, handled);
    } finally {
      this.free(promise);
      this.free(reason);
    }
  }

  private onNormalize(basePtr: number, namePtr: number): number {
    try {
      const out = this.hooks.normalizeModule(this.readCString(basePtr), this.readCString(namePtr));
      return this.writeString(out).ptr;
    } catch (err) {
      this.throwHookError(err);
      return 0;
    }
  }

  /** Throw a guest's own error back into it (not a copy); false when `err` is the host's. */
  private rethrowGuest(err: unknown): boolean {
    if (!(err instanceof GuestException)) return false;
    this.x.qjs_throw!(err.handle);
    this.free(err.handle);
    return true;
  }

  private throwHookError(err: unknown): void {
    // guest code the hook ran threw (a CommonJS module imported from ESM): that error
    if (this.rethrowGuest(err)) return;
    const e = err as { message?: string; code?: unknown; info?: { code?: unknown } };
    const code = e?.info?.code ?? e?.code;
    this.throwPlain(err instanceof Error ? err.message : String(err), typeof code === "string" ? code : undefined);
  }

  private onLoad(namePtr: number, outLenPtr: number): number {
    try {
      const src = this.writeString(this.hooks.loadModule(this.readCString(namePtr)));
      new DataView(this.instance.memory().buffer).setUint32(outLenPtr, src.len, true);
      return src.ptr;
    } catch (err) {
      this.throwHookError(err);
      return 0;
    }
  }

  // ---- memory helpers ----

  /** Copy a string into guest memory, NUL-terminated; the caller frees `ptr` with wasm_free. */
  private writeString(s: string): { ptr: number; len: number } {
    const len = Buffer.byteLength(s, "utf8");
    const ptr = this.x.wasm_malloc!(len + 1);
    if (ptr === 0) throw new Error("the guest is out of memory");
    const m = this.instance.memory();
    enc.encodeInto(s, m.subarray(ptr, ptr + len));
    m[ptr + len] = 0;
    return { ptr, len };
  }

  private readCString(ptr: number): string {
    const m = this.instance.memory();
    const end = m.indexOf(0, ptr);
    return dec.decode(m.subarray(ptr, end));
  }

  private u32(ptr: number): number {
    const m = this.instance.memory();
    return new DataView(m.buffer, m.byteOffset).getUint32(ptr, true);
  }

  dispose(): void {
    this.instance.dispose();
  }
}

export type { Engine };
