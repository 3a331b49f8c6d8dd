// One sandboxed run: a fresh QuickJS guest, the runtime JS, the app, and the
// event loop that drives them until nothing is left to do. `edgebox run` uses
// one; `edgebox serve` will use one per request.

import { readFileSync } from "node:fs";
import { CJS_WRAPPER } from "../../wasm/abi.js";
import { EvalFlags, GuestException, QuickJS, type GuestState } from "../engine/quickjs.ts";
import { GuestTrap, type WasmModule } from "../engine/types.ts";
import { dispatch, type HostContext } from "../hostcalls/index.ts";
import type { Sink } from "../hostcalls/stdio.ts";
import { ModuleLoader, moduleFormat } from "./modules.ts";
import { describeTrap, formatUncaught } from "./report.ts";
import { trace } from "../trace.ts";

export interface SandboxOptions {
  /** The pre-initialised runtime module (quickjs.wasm + runtime JS), compiled by the chosen engine. */
  module: WasmModule;
  /** Where things are in that module's memory. */
  snapshot: GuestState & { entry: number };
  /** process.argv as the guest sees it. */
  argv: string[];
  execPath: string;
  cwd: string;
  env: Record<string, string>;
  stdout: Sink;
  stderr: Sink;
  /** Wall-clock limit for the whole run, in ms; 0 = none. */
  timeoutMs?: number;
  /** Bytes the guest's JS heap may use; 0 = no limit beyond the engine's. */
  memoryLimit?: number;
  /** Bytes the guest's linear memory may grow to; 0 = the engine's maximum. */
  maxMemoryBytes?: number;
  versions: Record<string, string>;
}

export type ExitReason = "exit" | "uncaught" | "timeout" | "out-of-memory" | "trap";

export interface RunResult {
  code: number;
  reason: ExitReason;
}

/** Exit codes for limits, documented in the README. */
export const EXIT_TIMEOUT = 124;
export const EXIT_OUT_OF_MEMORY = 137;

export class Sandbox {
  private vm!: QuickJS;
  private entry = 0;
  private exitCode: number | undefined;
  private deadline = 0;
  private timedOut = false;
  private readonly rejections = new Map<number, number>(); // promise identity -> reason handle
  private readonly loader: ModuleLoader;

  constructor(
    private readonly opts: SandboxOptions,
    appRoot: string,
  ) {
    this.loader = new ModuleLoader(appRoot);
  }

  /** Run the app at `file` to completion. */
  async run(file: string): Promise<RunResult> {
    const o = this.opts;
    if (o.timeoutMs) this.deadline = performance.now() + o.timeoutMs;
    try {
      this.boot();
      const source = readFileSync(file, "utf8");
      this.loader.sources.set(file, source);
      const fileH = this.vm.newString(file);
      try {
        const wrapper = this.compileMain(file, source, fileH);
        if (wrapper === undefined) return await this.loop(this.vm.eval(source, file, EvalFlags.MODULE));
        try {
          this.free(this.callEntry("runCommonJS", [wrapper, fileH]));
        } finally {
          this.vm.free(wrapper);
        }
      } finally {
        this.vm.free(fileH);
      }
      return await this.loop(0);
    } catch (err) {
      return this.fail(err);
    } finally {
      this.dispose();
    }
  }

  /**
   * The main file's CommonJS wrapper function, or undefined when it is an ES
   * module: declared so, or (undeclared .js) parsing only as a module.
   */
  private compileMain(file: string, source: string, fileH: number): number | undefined {
    const format = moduleFormat(file);
    if (format === "esm") return undefined;
    this.markWrapped(fileH, true);
    try {
      return this.vm.eval(CJS_WRAPPER[0] + source + CJS_WRAPPER[1], file, EvalFlags.GLOBAL);
    } catch (err) {
      if (format === "cjs" || !(err instanceof GuestException)) throw err;
      try {
        this.free(this.vm.eval(source, file, EvalFlags.MODULE | EvalFlags.COMPILE_ONLY));
      } catch (esmErr) {
        // Neither parses: report the error of the form the file most likely meant.
        if (esmErr instanceof GuestException) {
          const useEsm = /^\s*(import|export)\b/m.test(source);
          this.vm.free(useEsm ? err.handle : esmErr.handle);
          throw useEsm ? esmErr : err;
        }
        throw esmErr;
      }
      this.vm.free(err.handle);
      this.markWrapped(fileH, false);
      return undefined;
    }
  }

  private markWrapped(fileH: number, wrapped: boolean): void {
    const flag = this.vm.newNumber(wrapped ? 1 : 0);
    try {
      this.free(this.callEntry("markWrapped", [fileH, flag]));
    } finally {
      this.vm.free(flag);
    }
  }

  private boot(): void {
    const o = this.opts;
    const ctx: HostContext = {
      stdout: o.stdout,
      stderr: o.stderr,
      exit: (code) => {
        this.exitCode = code;
        this.vm.throwUncatchable("process.exit");
      },
    };
    this.vm = QuickJS.restore(
      o.module,
      {
        hostCall: (op, str, bytes) => dispatch(ctx, op, str, bytes),
        interrupt: () => {
          if (this.deadline !== 0 && performance.now() > this.deadline) this.timedOut = true;
          return this.timedOut;
        },
        normalizeModule: (base, spec) => this.loader.normalize(base, spec),
        loadModule: (name) => this.loader.load(name),
        rejection: (promise, reason, handled) => this.onRejection(promise, reason, handled),
      },
      {
        output: { write: (fd, b) => (fd === 1 ? o.stdout : o.stderr)(b) },
        memoryLimit: o.memoryLimit,
        limits: o.maxMemoryBytes ? { maxMemoryBytes: o.maxMemoryBytes } : undefined,
      },
      o.snapshot,
    );
    this.entry = o.snapshot.entry;
    trace("instantiate");
    const config = {
      argv: o.argv,
      execPath: o.execPath,
      cwd: o.cwd,
      env: o.env,
      pid: process.pid,
      ppid: process.ppid,
      platform: process.platform,
      arch: process.arch,
      nodeVersion: `v${o.versions.node ?? "20.0.0"}`,
      versions: o.versions,
      seed: Array.from(crypto.getRandomValues(new Uint32Array(4))),
    };
    const c = this.vm.newString(JSON.stringify(config));
    try {
      this.free(this.callEntry("start", [c]));
    } finally {
      this.vm.free(c);
    }
    trace("start()");
  }

  private onRejection(promise: number, reason: number, handled: boolean): void {
    const id = this.vm.identity(promise);
    if (handled) {
      const r = this.rejections.get(id);
      if (r !== undefined) {
        this.vm.free(r);
        this.rejections.delete(id);
      }
    } else if (!this.rejections.has(id)) {
      this.rejections.set(id, this.vm.dup(reason));
    }
  }

  /** The event loop: microtasks, then one timer or immediate at a time, until nothing is pending. */
  private async loop(mainPromise: number): Promise<RunResult> {
    try {
      for (;;) {
        this.vm.runJobs();
        const rejected = this.rejections.entries().next();
        if (!rejected.done) {
          const [id, reason] = rejected.value;
          this.rejections.delete(id);
          return this.uncaught(reason, true);
        }
        if (mainPromise && this.vm.promiseState(mainPromise) === 2) {
          // The module's evaluation failed (a throw at top level, or a failed import).
          const err = this.vm.promiseResult(mainPromise);
          this.vm.free(mainPromise);
          mainPromise = 0;
          return this.uncaught(err, false);
        }
        const next = this.tick();
        if (next === 0) continue;
        if (next < 0) break;
        if (!(await this.sleep(next))) return this.timeout();
      }
      if (mainPromise && this.vm.promiseState(mainPromise) === 0) {
        // As node: the loop ran dry while top-level await still waits.
        this.opts.stderr(
          new TextEncoder().encode("Warning: Detected unsettled top-level await\n"),
        );
        return { code: 13, reason: "exit" };
      }
      const h = this.callEntry("exit", []);
      const code = this.vm.toNumber(h);
      this.vm.free(h);
      return { code, reason: "exit" };
    } finally {
      if (mainPromise) this.vm.free(mainPromise);
    }
  }

  private tick(): number {
    const h = this.callEntry("tick", []);
    const n = this.vm.toNumber(h);
    this.vm.free(h);
    return n;
  }

  /** Wait for the next timer; false when the run's deadline passes first. */
  private async sleep(ms: number): Promise<boolean> {
    if (this.deadline !== 0) {
      const left = this.deadline - performance.now();
      if (left < ms) {
        if (left > 0) await Bun.sleep(left);
        this.timedOut = true;
        return false;
      }
    }
    await Bun.sleep(ms);
    return true;
  }

  private callEntry(name: string, args: number[]): number {
    const fn = this.vm.getProp(this.entry, name);
    try {
      return this.vm.call(fn, this.entry, args);
    } finally {
      this.vm.free(fn);
    }
  }

  /** Report an uncaught error the way node does and pick the exit code. */
  private uncaught(errH: number, fromPromise: boolean): RunResult {
    try {
      if (this.isOutOfMemory(errH)) return this.outOfMemory();
      const flag = this.vm.newNumber(fromPromise ? 1 : 0);
      const textH = this.callEntry("formatUncaught", [errH, flag]);
      this.vm.free(flag);
      const text = this.vm.toString(textH);
      this.vm.free(textH);
      this.opts.stderr(new TextEncoder().encode(formatUncaught(text, this.loader.sources)));
      return { code: 1, reason: "uncaught" };
    } finally {
      this.vm.free(errH);
    }
  }

  private isOutOfMemory(errH: number): boolean {
    if (!this.opts.memoryLimit) return false;
    const msg = this.vm.getProp(errH, "message");
    const is = this.vm.isString(msg) && this.vm.toString(msg) === "out of memory";
    this.vm.free(msg);
    return is;
  }

  private timeout(): RunResult {
    this.opts.stderr(new TextEncoder().encode(`edgebox: time limit exceeded (${this.opts.timeoutMs} ms)\n`));
    return { code: EXIT_TIMEOUT, reason: "timeout" };
  }

  private outOfMemory(): RunResult {
    const mib = Math.round((this.opts.maxMemoryBytes || this.opts.memoryLimit || 0) / 1048576);
    this.opts.stderr(new TextEncoder().encode(`edgebox: out of memory (limit ${mib} MiB)\n`));
    return { code: EXIT_OUT_OF_MEMORY, reason: "out-of-memory" };
  }

  /** Turn whatever stopped the run into its result. */
  private fail(err: unknown): RunResult {
    if (this.exitCode !== undefined) {
      if (err instanceof GuestException) this.vm.free(err.handle);
      return { code: this.exitCode, reason: "exit" };
    }
    if (this.timedOut) {
      if (err instanceof GuestException) this.vm.free(err.handle);
      return this.timeout();
    }
    if (err instanceof GuestException) return this.uncaught(err.handle, false);
    if (err instanceof GuestTrap) {
      this.opts.stderr(new TextEncoder().encode(`edgebox: ${describeTrap(err.message)}\n`));
      return { code: 134, reason: "trap" };
    }
    throw err;
  }

  private free(h: number): void {
    this.vm.free(h);
  }

  private dispose(): void {
    for (const r of this.rejections.values()) this.vm?.free(r);
    this.rejections.clear();
    this.vm?.dispose();
  }
}
