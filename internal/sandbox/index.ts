// One sandboxed run: a fresh QuickJS guest, the runtime JS, the app, and the
// event loop that drives them until nothing is left to do. `edgebox run` uses
// one; `edgebox serve` will use one per request.
//
// The Sandbox holds the run's state, wires the host calls to the guest
// (instantiate) and hands each job to its file: loader.ts (the app's modules),
// typescript-prep.ts, sourcemaps.ts, loop.ts (the event loop), report.ts (exit
// and error report), extensions.ts (side modules, Intl), binding.ts (start()).

import { EvalFlags, QuickJS, type GuestState } from "../engine/quickjs.ts";
import { GuestTrap, type WasmModule } from "../engine/types.ts";
import { linkSideModule, reserveTable, type Placement, type SideModule } from "../engine/dylink.ts";
import { wasiImports } from "../engine/wasi.ts";
import type { Policy } from "../policy/types.ts";
import type { AuditEvent, Delivery, HostContext } from "../hostcalls/context.ts";
import type { FsBackend } from "../hostcalls/fs-backend.ts";
import { FdTable, fsOps } from "../hostcalls/fs.ts";
import { GuestError, systemError } from "../hostcalls/errors.ts";
import { HostCalls } from "../hostcalls/index.ts";
import { NetLimits } from "../hostcalls/net.ts";
import type { Sink } from "../hostcalls/stdio.ts";
import { BytecodeCache } from "./bytecode-cache.ts";
import { fail, formatError, isOutOfMemory, NoMemoryForWorker, type RunResult } from "./report.ts";
import { awaitValue, loop, onRejection, settleThen, spin } from "./loop.ts";
import { prepareTypeScript } from "./typescript-prep.ts";
import { bind, envMissing } from "./binding.ts";
import { extensionOverrides, linkExtensions, loadExtension, loadIntl, type LazyExtension } from "./extensions.ts";
import { compileCommonJS, compileMain, esmSource, loaded, loadModule, readMain, requireModule } from "./loader.ts";
import { TypeScript } from "../transpile/typescript.ts";
import { remapStack, type SourceMap } from "../transpile/sourcemap.ts";
import { ModuleResolver } from "../hostcalls/modules.ts";
import { trace } from "../trace.ts";
import { MemoryBudget, type BudgetMember } from "./memory-budget.ts";
import { MAX_INBOX_BYTES, queueFor, Workers, type WorkerLink } from "./workers.ts";

export interface SandboxOptions {
  /** The pre-initialised runtime module (quickjs.wasm + runtime JS), compiled by the chosen engine. */
  module: WasmModule;
  /**
   * Where things are in that module's memory; `methods`: handles of entry methods the snapshot holds, `seedAt`: where
   * a request's random seed goes (edgebox serve's image).
   */
  snapshot: GuestState & { entry: number; methods?: Record<string, number>; seedAt?: number };
  /** The side modules the snapshot was made with, compiled by the same engine, to link again at their places. */
  sides: (SideModule & { placement: Placement })[];
  /** Native extensions the guest may link on first use (EXT_LOAD). */
  extensions: LazyExtension[];
  /** The bytecode of the runtime's modules kept out of its snapshot, by key (RUNTIME_MODULE). */
  runtimeModules: (key: string) => Uint8Array | undefined;
  /** Set when this sandbox runs a worker_threads Worker: its link to the parent. */
  worker?: WorkerLink;
  /** The bytecode of an Intl chunk, evaluated when the guest first touches one of its members (INTL_LOAD). */
  intl?: (chunk: string) => Uint8Array | undefined;
  /** The guest loaded an Intl chunk (a plain run: intl-runtime.ts marks its main file). */
  onIntlLoad?: (chunk: string) => void;
  policy: Policy;
  fs: FsBackend;
  /** process.argv as the guest sees it. */
  argv: string[];
  execPath: string;
  cwd: string;
  /** The host's environment: the guest sees only what the policy grants of it. */
  hostEnv: Record<string, string | undefined>;
  stdout: Sink;
  stderr: Sink;
  /** Which of stdin, stdout, stderr are terminals (process.stdout.isTTY and friends). */
  tty?: [boolean, boolean, boolean];
  /** The guest's stdin is empty (a served request: this process's stdin is the operator's, and a read of it would hold the server). */
  noStdin?: boolean;
  /** Wall-clock limit for the whole run, in ms; 0 = none. */
  timeoutMs?: number;
  /** Bytes the guest's JS heap may use; 0 = no limit beyond the engine's. */
  memoryLimit?: number;
  /** The setting that made `memoryLimit` smaller than `maxMemoryBytes` allows ("runtime.heap_size"), for the out-of-memory message. */
  heapLimitSetting?: string;
  /** Descriptors (open files, requests, children) the run may hold at once; none = no cap beyond the process's. */
  maxDescriptors?: number;
  /** Bytes the guest's linear memory may grow to; 0 = the engine's maximum. */
  maxMemoryBytes?: number;
  /** Native stack QuickJS may use for recursion. */
  maxStackSize?: number;
  /** Collect cycles when the heap reaches this many times the last live heap (QuickJSOptions.gcGrowth); unset: QuickJS's 1.5. */
  gcGrowth?: number;
  /** WebAssembly instructions the run may execute (native engine, fuel); 0 = unlimited. */
  maxInstructions?: number;
  versions: Record<string, string>;
  /** Where compiled CommonJS modules are kept between runs; none = compile every time. */
  bytecodeCache?: BytecodeCache;
  /** rateLimitRps/maxConnections shared with other sandboxes (edgebox serve's requests; a run's workers); none: this run's own. */
  netLimits?: NetLimits;
  /** The linear memory cap shared with other sandboxes (a run's workers); none: this run's own, of maxMemoryBytes. */
  memoryBudget?: MemoryBudget;
  /** No hint on stderr when the app reads a variable the policy hides (--quiet). */
  quiet?: boolean;
  /** Told of every file the app loads as code (edgebox run --watch). */
  onLoad?: (file: string) => void;
  /** Where transpiled TypeScript is kept between runs; none = transpile every time. */
  typescriptCache?: string;
  /** Source maps of generated files (a built app's bundle), by the file name its stack frames show. */
  sourceMaps?: ReadonlyMap<string, SourceMap>;
  /**
   * The snapshot was taken after start() (edgebox serve's per-request
   * instances): only the clock and randomness are bound fresh.
   */
  started?: boolean;
  /**
   * What a worker_threads Worker starts from, when not this sandbox's module and snapshot:
   * edgebox serve's image holds the app's own state (its main thread's), so its workers start
   * from the runtime before the app, as under edgebox run (and their memories are not the image's slots).
   */
  workerStart?: Pick<SandboxOptions, "module" | "snapshot" | "sides">;
  /** Log an unhandled rejection and go on, instead of ending the run (edgebox serve). */
  onRejection?: (text: string) => void;
  audit?: (e: AuditEvent) => void;
}

export { platformConfig } from "./binding.ts";
export type { LazyExtension } from "./extensions.ts";
export { EXIT_OUT_OF_MEMORY, EXIT_TIMEOUT, RunError, type ExitReason, type RunResult } from "./report.ts";

export class Sandbox {
  // (the state is read and written by those files' functions, which take the Sandbox as their first argument)
  vm!: QuickJS;
  calls!: HostCalls;
  entry = 0;
  exitCode: number | undefined;
  deadline = 0;
  timedOut = false;
  readonly rejections = new Map<number, number>(); // promise identity -> reason handle
  /** Source text of every file loaded, for error context. */
  readonly sources = new Map<string, string>();
  nextOpId = 1;
  pendingOps = 0;
  readonly deliveries: (Delivery & { final: boolean })[] = [];
  /** Bytes of worker messages in `deliveries`: bounded by MAX_INBOX_BYTES. */
  messageBytes = 0;
  wake: (() => void) | undefined;
  /** Side modules linked in this run (restored ones first), in order. */
  readonly linked: Placement[] = [];
  wasi!: ReturnType<typeof wasiImports>;
  readonly ts: TypeScript;
  /** The resolver made to transpile ahead, handed on to the run's host calls (packages and tsconfigs read once). */
  resolver: ModuleResolver | undefined;
  workers!: Workers;
  terminated = false;
  /** The hidden variables the app read (each is audited once). */
  readonly hiddenRead = new Set<string>();
  /** Source maps of the generated code this sandbox runs, by the file name its stack frames show. */
  readonly maps: Map<string, SourceMap>;

  /** The run's network budget, its workers' too. */
  readonly netLimits: NetLimits;
  /** The run's memory cap, its workers' too (none without a cap). */
  readonly budget: MemoryBudget | undefined;
  /** This sandbox's instance as the budget counts it. */
  private readonly member: BudgetMember;

  constructor(readonly opts: SandboxOptions) {
    this.ts = new TypeScript(opts.typescriptCache);
    this.maps = new Map(opts.sourceMaps);
    this.netLimits = opts.netLimits ?? new NetLimits(opts.policy);
    this.budget = opts.memoryBudget ?? (opts.maxMemoryBytes ? new MemoryBudget(opts.maxMemoryBytes) : undefined);
    let max = -1; // (as last set: a switch between instances that grew nothing sets nothing)
    this.member = {
      size: () => this.vm.instance.memory().length,
      worker: opts.worker !== undefined,
      setMax: (bytes) => {
        if (bytes !== max) this.vm.instance.setMaxMemory?.((max = bytes));
      },
    };
  }

  /** To stderr, the guest's output or the host's own (an uncaught error, the time limit): a full pipe holds it no longer than the run's deadline. */
  stderr(bytes: Uint8Array): void {
    this.opts.stderr(bytes, this.deadline);
  }

  /** This sandbox's guest runs next: with workers, its memory may grow by what the others leave of the cap. */
  enterBudget(): void {
    this.budget?.enter(this.member);
  }

  /** Call entry `name` with these strings and numbers for its effect: every handle freed. */
  notify(name: string, ...values: (string | number)[]): void {
    const hs = values.map((v) => (typeof v === "string" ? this.vm.newString(v) : this.vm.newNumber(v)));
    try {
      this.free(this.callEntry(name, hs));
    } finally {
      for (const h of hs) this.vm.free(h);
    }
  }

  /** Largest file the host reads for the run, its sources and the app's reads (the guest's heap would not hold more). */
  get maxSource(): number {
    return this.opts.memoryLimit || 1 << 30;
  }

  /** Run the app at `file` (or `evalSource`, named `file`) to completion. */
  async run(file: string, evalSource?: string): Promise<RunResult> {
    const source = evalSource ?? readMain(this, file);
    if (this.opts.timeoutMs) this.deadline = performance.now() + this.opts.timeoutMs;
    // a worker ends when its parent's time is up, even busy in a loop (it shares the thread)
    const parentDeadline = this.opts.worker?.deadline ?? 0;
    if (parentDeadline) this.deadline = this.deadline ? Math.min(this.deadline, parentDeadline) : parentDeadline;
    try {
      await prepareTypeScript(this, file, source);
      this.boot();
      loaded(this, file, source);
      const fileH = this.vm.newString(file);
      try {
        const wrapper = compileMain(this, file, source, evalSource !== undefined);
        if (wrapper === undefined) return await loop(this, this.vm.eval(esmSource(this, file, source), file, EvalFlags.MODULE));
        try {
          this.free(this.callEntry("runCommonJS", [wrapper, fileH]));
        } finally {
          this.vm.free(wrapper);
        }
      } finally {
        this.vm.free(fileH);
      }
      return await loop(this, 0);
    } catch (err) {
      return fail(this, err);
    } finally {
      this.dispose();
    }
  }

  /**
   * Evaluate the app's main file and return its exports (a CommonJS main's
   * module.exports, an ES module's namespace) once its top level, top-level
   * await included, has finished: edgebox serve snapshots the guest then.
   */
  async evaluateMain(file: string): Promise<number> {
    if (this.opts.timeoutMs) this.deadline = performance.now() + this.opts.timeoutMs;
    const source = readMain(this, file);
    await prepareTypeScript(this, file, source);
    loaded(this, file, source);
    const wrapper = compileMain(this, file, source);
    if (wrapper !== undefined) {
      const fileH = this.vm.newString(file);
      try {
        this.free(this.callEntry("runCommonJS", [wrapper, fileH]));
      } finally {
        this.vm.free(wrapper);
        this.vm.free(fileH);
      }
      return settleThen(this, () => this.callEntry("mainExports", []));
    }
    const promise = this.vm.eval(esmSource(this, file, source), file, EvalFlags.MODULE);
    return awaitValue(this, promise);
  }

  /** A built app's exports: already there when pre-run, else its top level runs now. */
  async evaluateBuilt(app: number, prerun: boolean): Promise<number> {
    if (this.opts.timeoutMs) this.deadline = performance.now() + this.opts.timeoutMs;
    return prerun ? this.vm.dup(app) : awaitValue(this, this.callEntry("runBuilt", [app]));
  }

  /** Spin the loop until `promise` settles; its value, or a thrown GuestException / RunError. */
  awaitValue(promise: number): Promise<number> {
    return awaitValue(this, promise);
  }

  /** The event loop, until `until()` holds, nothing is pending, or the run must end (loop.ts spin). */
  spin(until?: () => boolean, eager = false): Promise<"until" | "dry" | RunResult> {
    return spin(this, until, eager);
  }

  /** Link native extensions now (edgebox serve links them before its snapshot, not per request). */
  linkExtensions(names: readonly string[]): void {
    linkExtensions(this, names);
  }

  /**
   * Link native extensions now for a snapshot whose instances link them again only on first use;
   * returns those that qualify (nothing of the guest has touched them before).
   */
  linkDeferred(names: readonly string[]): string[] {
    const before = new Set(this.linked.map((p) => p.name));
    for (const n of names) this.notify("linkDeferred", n);
    return names.filter((n) => !before.has(n) && this.linked.some((p) => p.name === n));
  }

  /** Nothing of the host is held for the guest (open files, children, requests, timers waiting on them). */
  get idle(): boolean {
    return this.pendingOps === 0 && this.deliveries.length === 0;
  }

  /**
   * The guest's state for a snapshot: memory, stack pointer, where things are, and the side modules
   * linked. Still on this run's stack: the sandboxes restored from it (edgebox serve's requests) have
   * the same stack size, so they do not move to one of their own.
   */
  capture(): { memory: Uint8Array; stackPointer: number; linked: Placement[] } & GuestState {
    const { memory, stackPointer } = this.vm.snapshot(undefined, true);
    return { memory, stackPointer, ...this.vm.state(), linked: [...this.linked] };
  }

  /**
   * Run a built app (edgebox build) from its snapshot: `app` is its function,
   * or, when its top level was pre-run at build time, its exports.
   */
  async runBuilt(app: number, prerun: boolean): Promise<RunResult> {
    if (this.opts.timeoutMs) this.deadline = performance.now() + this.opts.timeoutMs;
    try {
      this.boot();
      return await loop(this, prerun ? 0 : this.callEntry("runBuilt", [app]));
    } catch (err) {
      return fail(this, err);
    } finally {
      this.dispose();
    }
  }

  /** Start the wall-clock limit now (edgebox serve: per request). */
  startClock(): void {
    if (this.opts.timeoutMs) this.deadline = performance.now() + this.opts.timeoutMs;
    // (an instance made ahead: its hard stop counts from now too)
    if (this.vm) this.vm.instance.setDeadline?.(this.opts.timeoutMs ?? 0);
  }

  /** The guest (edgebox serve works with its handles). */
  get guest(): QuickJS {
    return this.vm;
  }

  /** The entry point object's handle (wasm/runtime.js). */
  get entryObject(): number {
    return this.entry;
  }

  /** Instantiate the guest and bind the run (or, after a started snapshot, write its random seed: binding.ts). */
  boot(): void {
    this.instantiate();
    bind(this);
  }

  /** A fresh instance of the module, its side modules linked again: no guest code has run in it yet. */
  instantiate(): void {
    const o = this.opts;
    // (a write to a full pipe waits no longer than the run's deadline)
    const stdout: Sink = (b) => o.stdout(b, this.deadline);
    const stderr: Sink = (b) => this.stderr(b);
    const ctx: HostContext = {
      stdout,
      stderr,
      exit: (code) => {
        this.exitCode = code;
        this.vm.throwUncatchable("process.exit");
      },
      policy: o.policy,
      cwd: o.cwd,
      fs: o.fs,
      fds: new FdTable((syscall) => this.descriptorRoom(syscall)),
      maxFileBytes: this.maxSource,
      noStdin: o.noStdin === true,
      audit: o.audit,
      mapStack: (text) => remapStack(text, this.maps),
      envMissing: (name) => envMissing(this, name),
      netLimits: this.netLimits,
      remainingMs: () => (this.deadline ? Math.max(0, this.deadline - performance.now()) : Infinity),
      guest: {
        compileCommonJS: (source, filename) => compileCommonJS(this, source, filename),
        requireModule: (path) => requireModule(this, path),
        runtimeModule: (key) => {
          const bytecode = o.runtimeModules(key);
          return bytecode && this.vm.evalBytecode(bytecode);
        },
      },
      async: {
        start: () => {
          this.descriptorRoom("open");
          this.pendingOps++;
          return this.nextOpId++;
        },
        deliver: (d, final, counted) => {
          if (d.kind === "message" && d.bytes) {
            if (!counted && this.messageBytes + d.bytes.length > MAX_INBOX_BYTES) {
              throw new GuestError({ code: "ENOBUFS", message: `the receiver has ${MAX_INBOX_BYTES >> 20} MiB of messages unread: postMessage refused` });
            }
            this.messageBytes += d.bytes.length;
          }
          this.deliveries.push({ ...d, final });
          this.wake?.();
        },
      },
      loadExtension: (name) => loadExtension(this, name),
      loadIntl: (chunk) => loadIntl(this, chunk),
      workers: (this.workers = new Workers(
        { start: () => ctx.async.start(), deliver: (d, final, counted) => ctx.async.deliver(d, final, counted) },
        (link) => {
          link.deadline = this.deadline;
          const start = this.opts.workerStart ? { ...this.opts.workerStart, started: false, workerStart: undefined } : {};
          const shared = { netLimits: this.netLimits, memoryBudget: this.budget };
          const child = new Sandbox({ ...this.opts, ...start, ...shared, worker: link, argv: this.opts.argv.slice(0, 1), onLoad: undefined });
          return { run: (file, src) => child.run(file, src), fromParent: (b) => (child.workers ? child.workers.fromParent(b) : queueFor(link, b)), terminate: () => child.terminate() };
        },
        // a worker's file is read as the app reads files: under the policy, opened beneath its grant
        (path) => fsOps.readFile(ctx, { path, encoding: "utf8" }) as string,
        o.cwd,
        o.worker,
      )),
      memoryUsage: () => {
        const heap = this.vm.heapUsage();
        return {
          rss: process.memoryUsage.rss(),
          heapTotal: this.vm.instance.memory().length,
          heapUsed: heap.used,
          external: 0,
          arrayBuffers: heap.arrayBuffers,
        };
      },
    };
    this.calls = new HostCalls(ctx, this.resolver);
    this.vm = QuickJS.restore(
      o.module,
      {
        hostCall: (op, str, bytes) => {
          const reply = this.calls.dispatch(op, str, bytes);
          // A call that blocked past the time limit (a synchronous child, stdin) ends the run now.
          if (this.deadline !== 0 && performance.now() > this.deadline && !this.timedOut) {
            this.timedOut = true;
            this.vm.throwUncatchable("time limit exceeded");
          }
          return reply;
        },
        interrupt: () => {
          if (this.deadline !== 0 && performance.now() > this.deadline) this.timedOut = true;
          return this.timedOut;
        },
        normalizeModule: (base, spec) => {
          const r = this.calls.modules.resolve(spec, base, "import");
          return "builtin" in r ? `node:${r.builtin}` : r.path;
        },
        loadModule: (name) => loadModule(this, name),
        rejection: (promise, reason, handled) => onRejection(this, promise, reason, handled),
      },
      {
        output: { write: (fd, b) => (fd === 1 ? stdout : stderr)(b) },
        memoryLimit: o.memoryLimit,
        maxStackSize: o.maxStackSize,
        gcGrowth: o.gcGrowth,
        limits: { maxMemoryBytes: o.maxMemoryBytes || undefined, fuel: o.maxInstructions || undefined, deadlineMs: o.timeoutMs || undefined },
      },
      o.snapshot,
    );
    this.entry = o.snapshot.entry;
    // a worker's instance counts against its run's cap: when the others leave no room for it, it does not start
    if (this.budget && !this.budget.join(this.member)) throw new NoMemoryForWorker(this.budget.max);
    this.enterBudget();
    trace("instantiate");
    this.wasi = wasiImports(() => this.vm.instance, { write: (fd, b) => (fd === 1 ? stdout : stderr)(b) });
    for (const side of o.sides) {
      // (a lazy one's table slots are kept for it, so that another module linked first does not take them)
      if (side.lazy) reserveTable(this.vm.instance, side.placement.tableEnd!);
      else this.linked.push(linkSideModule(this.vm.instance, side, this.wasi, side.placement, extensionOverrides(this, side.name)).placement);
    }
  }

  /** The first guest call: start() binds the run; a started snapshot's instance gets its random seed (binding.ts). */
  bind(): void {
    bind(this);
  }

  /** Throws EMFILE when the run holds as many descriptors (open files and operations in flight) as it may. */
  private descriptorRoom(syscall: string): void {
    const max = this.opts.maxDescriptors;
    if (max !== undefined && this.calls.ctx.fds.size + this.pendingOps >= max) {
      throw systemError("EMFILE", syscall, undefined, undefined, `edgebox: a request may hold at most ${max} descriptors at once`);
    }
  }

  callEntry(name: string, args: number[]): number {
    const fn = this.opts.snapshot.methods?.[name];
    return fn === undefined ? this.vm.callMethod(this.entry, name, args) : this.vm.call(fn, this.entry, args);
  }

  /** worker_threads: stop this worker's run at the next turn of its loop. */
  terminate(): void {
    this.terminated = true;
    this.wake?.();
  }

  /** What node prints for an error nobody caught (the handle stays the caller's). */
  formatError(errH: number, fromPromise: boolean): string {
    return formatError(this, errH, fromPromise);
  }

  /** Turn whatever stopped the run into its result. */
  fail(err: unknown): RunResult {
    return fail(this, err);
  }

  /** Source maps of the generated code this sandbox runs (a built app's, transpiled TypeScript's), by file. */
  get sourceMaps(): ReadonlyMap<string, SourceMap> {
    return this.maps;
  }

  /** The guest's error is "out of memory" (its heap limit). */
  isOutOfMemoryError(errH: number): boolean {
    return isOutOfMemory(this, errH);
  }

  free(h: number): void {
    this.vm.free(h);
  }

  dispose(): void {
    this.workers?.terminateAll();
    if (this.vm) this.budget?.leave(this.member);
    this.calls?.dispose();
    try {
      for (const r of this.rejections.values()) this.vm?.free(r);
    } catch (trap) {
      // the instance trapped (past its time limit, every call does): it is dropped whole below
      if (!(trap instanceof GuestTrap)) throw trap;
    }
    this.rejections.clear();
    this.vm?.dispose();
  }
}
