// `edgebox run`: resolve the app and its policy, load the guest on the
// chosen engine, run it, return the exit code.

import { appendFileSync, closeSync, constants, fstatSync, mkdirSync, openSync, readFileSync, readSync, realpathSync, renameSync, writeFileSync } from "node:fs";
import { NO_WAIT } from "../regular-file.ts";
import { dirname, join, resolve } from "node:path";
import { guestPath, onWindows } from "../winpath.ts";
import pkg from "../../package.json" with { type: "json" };
import { ABI_VERSION } from "../../wasm/abi.js";
import { isArtifact, readArtifact, type Artifact, type ArtifactHeader } from "../build/artifact.ts";
import type { SideModuleInfo } from "../engine/dylink.ts";
import type { WasmModule } from "../engine/types.ts";
import { buildInfo, cacheDir, extensions, intlChunk, ownDirs, runtimeModule, runtimeModuleBytecode } from "../assets/index.ts";
import { BytecodeCache } from "./bytecode-cache.ts";
import { loadPolicy } from "../config/index.ts";
import { DEFAULT_RUNTIME, type GrantFlags } from "../config/resolve.ts";
import { JSC_STACK_ENV, RanElsewhere, rerunWithStack, stackCapacity, wasmStackMiB } from "./stack.ts";
import { chooseEngine, loadModule, type EngineKind, type ModuleSource } from "../engine/index.ts";
import { UserError } from "../errors.ts";
import type { Policy } from "../policy/types.ts";
import { beneathBackend, plainBackend } from "../hostcalls/fs-backend.ts";
import { fdSink } from "../hostcalls/stdio.ts";
import { appDirOf, resolveEntry } from "./modules.ts";
import { Sandbox, type SandboxOptions } from "./index.ts";
import { trace } from "../trace.ts";
import { openAuditLog } from "./audit.ts";
import { SourceMap, type RawSourceMap } from "../transpile/sourcemap.ts";
import { contentHash, identity } from "../engine/cache.ts";
import { intlRuntime, intlUsedBefore, markIntlUsed } from "./intl-runtime.ts";

/** The Node.js API level the runtime presents (process.version). */
export const NODE_COMPAT = "20.0.0";

/** run --watch tells its child where to list the files to watch (see watch.ts). */
export const WATCH_LIST_ENV = "EDGEBOX_WATCH_LIST";

/**
 * `edgebox run` collects cycles when the heap reaches 2.5x the last live heap
 * (QuickJS: 1.5x). Measured (bench/profile.ts): bench/build.ts's 600k small
 * objects, GC ~100 -> ~42 ms of ~700 ms CPU, peak RSS unchanged; a growing
 * heap beside two-object cycles of garbage, CPU -35%, peak RSS 128 -> 159 MiB
 * (3x: no faster, 175 MiB). Cyclic garbage may pile up to 2.5x the live heap.
 */
const RUN_GC_GROWTH = 2.5;

/** Linear memory QuickJS needs beyond its heap and stack: static data and the linker's 1 MiB stack. */
const GUEST_BASE_MEMORY = 4 << 20;

export interface RunOptions {
  target: string;
  args: string[];
  cwd: string;
  engine?: EngineKind;
  /** Wall-clock limit in ms (0 = none); overrides the policy's runtime.timeout_ms. */
  timeoutMs?: number;
  /** Memory limit in MiB for the guest's linear memory; overrides runtime.max_memory_pages. */
  maxMemoryMiB?: number;
  grants: GrantFlags;
  /** --config: the policy file. */
  config?: string;
  /** Code to run instead of reading `target` (-e, or `-` for stdin); `target` names it ([eval], [stdin]) in the current directory. */
  source?: string;
  /** --audit: append one JSON line per capability decision to this file (else the policy's "audit"). */
  audit?: string;
  /** --quiet: no hints on stderr (a variable the policy hides). */
  quiet?: boolean;
}

function warn(message: string): void {
  process.stderr.write(`edgebox: warning: ${message}\n`);
}

/**
 * useKeychain: ANTHROPIC_API_KEY from the macOS keychain (generic password of
 * that name), granted to the app. Elsewhere: a warning.
 */
function keychainEnv(policy: Policy): Record<string, string> {
  if (process.platform !== "darwin") {
    warn("useKeychain works on macOS only; ignored");
    return {};
  }
  const p = Bun.spawnSync(["security", "find-generic-password", "-s", "ANTHROPIC_API_KEY", "-w"], { stdout: "pipe", stderr: "ignore" });
  const key = p.stdout.toString().trim();
  if (p.exitCode !== 0 || !key) {
    warn("useKeychain: no ANTHROPIC_API_KEY item in the keychain");
    return {};
  }
  (policy.env.names as Set<string>).add("ANTHROPIC_API_KEY");
  return { ANTHROPIC_API_KEY: key };
}

/**
 * On Windows: the policy's paths as the guest and the resolver see them (winpath.ts), each
 * existing one in the case its directory entries have (the resolver names what it finds so).
 */
function inGuestForm(policy: Policy): void {
  const onDisk = (p: string) => {
    try {
      return realpathSync.native(p);
    } catch {
      return p;
    }
  };
  policy.fs = policy.fs.map((g) => ({ ...g, path: g.path === "/" ? "/" : guestPath(onDisk(g.path)) }));
  const own = policy.own!;
  policy.own = { hidden: own.hidden.map(guestPath), fixed: own.fixed.map(guestPath), nearer: own.nearer?.map(guestPath) };
}

/** The directories the policy search passes before it reaches `policyDir`, from `appDir` up; as they really are. */
function nearerDirs(appDir: string, policyDir: string): string[] {
  const out: string[] = [];
  for (let d = resolve(appDir); d !== policyDir && dirname(d) !== d; d = dirname(d)) {
    try {
      out.push(realpathSync(d));
    } catch {
      // not there: nothing can be created in it either
    }
  }
  return out;
}

/** Everything a sandbox for this app needs, resolved once: policy, entry, limits, engine, modules. */
export async function prepareApp(
  opts: Omit<RunOptions, "args">,
  engineOptions: { pooling?: boolean; memorySlots?: boolean; epoch?: boolean; preparedIntl?: boolean } = {},
  /** Limits in place of the policy's defaults (edgebox serve's per request): the memory cap in MiB when no flag gives one, the stack; undefined = the policy's. */
  defaults: (policy: Policy) => { maxMemoryMiB?: number; stackSize?: number } = () => ({}),
) {
  const appDir = opts.source !== undefined ? opts.cwd : appDirOf(opts.target, opts.cwd);
  const policy = await loadPolicy({ appDir, cwd: opts.cwd, config: opts.config, flags: opts.grants });
  const file = opts.source !== undefined ? join(opts.cwd, opts.target) : resolveEntry(opts.target, opts.cwd, policy.npm);
  trace("policy");
  // More stack than this process backs: the run happens in one that does (stack.ts), or on less.
  // (Only a size the policy asks for starts a second process; code read from stdin could not be read again.)
  const given = defaults(policy);
  let stackSize = given.stackSize ?? policy.runtime.stackSize;
  const stackCap = stackCapacity(opts.engine ?? "native");
  if (stackSize > stackCap && policy.runtime.stackSize !== DEFAULT_RUNTIME.stackSize) {
    const stdin = opts.target === "[stdin]";
    const code = stdin ? undefined : await rerunWithStack(stackSize);
    if (code !== undefined) throw new RanElsewhere(code);
    const why = stdin ? "code read from stdin runs in this process" : "the stack limit cannot be raised";
    warn(`runtime.stack_size ${stackSize >> 10} KiB cannot be backed here (${why}); running with ${stackCap >> 10} KiB`);
  }
  const hostEnv: Record<string, string | undefined> = { ...process.env };
  // run --watch's child: tell the watcher what to watch (the variable is not the app's)
  const watchList = hostEnv[WATCH_LIST_ENV];
  delete hostEnv[WATCH_LIST_ENV];
  delete hostEnv[JSC_STACK_ENV];
  const onLoad = watchList ? (f: string) => appendFileSync(watchList, f + "\n") : undefined;
  for (const f of [policy.file, file]) if (f && opts.source === undefined) onLoad?.(f);
  if (policy.useKeychain) Object.assign(hostEnv, keychainEnv(policy));
  const maxMiB = opts.maxMemoryMiB ?? given.maxMemoryMiB;
  const maxBytes = maxMiB ? maxMiB * 1048576 : policy.runtime.maxMemoryPages * 65536;
  const least = 2 * GUEST_BASE_MEMORY + stackSize;
  if (maxBytes < least) {
    throw new UserError("E_USAGE", `--max-memory must be at least ${Math.ceil(least / 1048576)} MiB (with a ${stackSize >> 10} KiB runtime.stack_size)`);
  }
  const heap = Math.min(policy.runtime.heapSize, maxBytes - GUEST_BASE_MEMORY - stackSize);
  const fuel = policy.runtime.maxInstructions >= 0;
  if (fuel && opts.engine === "js") warn("runtime.max_instructions is enforced on the native engine only; the js engine ignores it");
  const built = opts.source === undefined ? openIfArtifact(file) : undefined;
  // (edgebox run: a script that used DateTimeFormat before starts with Intl prepared, intl-runtime.ts)
  const plainRun = engineOptions.preparedIntl === true && opts.source === undefined && !built;
  const intlUsed = plainRun && intlUsedBefore(file);
  const intlReady = intlUsed ? await intlRuntime(heap) : undefined;
  const auditPath = opts.audit ? resolve(opts.cwd, opts.audit) : policy.audit;
  const audit = auditPath ? openAuditLog(auditPath) : undefined;
  // the app may neither touch EdgeBox's cache and audit log nor change its policy, whatever the grants
  policy.own = {
    hidden: [...ownDirs(), ...(auditPath ? [realpathSync(auditPath)] : [])],
    fixed: policy.file ? [realpathSync(policy.file)] : [],
    nearer: policy.file && !opts.config ? nearerDirs(appDir ?? opts.cwd, dirname(policy.file)) : [],
  };
  if (onWindows) inGuestForm(policy);
  const timeoutMs = opts.timeoutMs ?? policy.runtime.timeoutMs;
  // Epochs stop compiled code (a built app's frozen functions) at the time limit; the
  // interpreter checks the limit itself. They cost a little, so only when there is a limit.
  const epoch = engineOptions.epoch ?? timeoutMs > 0;
  const choice = await chooseEngine(built?.module ?? intlReady?.module ?? runtimeModule, { kind: opts.engine, warn, fuel, epoch, pooling: engineOptions.pooling, memorySlots: engineOptions.memorySlots, wasmStackMiB: wasmStackMiB(stackSize) });
  // (the engine may be js after all, where the native one could not load)
  stackSize = Math.min(stackSize, stackCapacity(choice.engine.kind));
  const { module, hostLib } = choice;
  const sandbox: SandboxOptions = {
    module,
    snapshot: built?.snapshot ?? intlReady?.snapshot ?? buildInfo.snapshot,
    sides: built ? built.sides.map((s) => ({ ...s, module: loadModule(choice, s.source, { warn }) })) : [],
    extensions: extensions.map((e) => ({ name: e.name, info: e.info, initFn: e.initFn, module: () => loadModule(choice, e.source, { warn }), bytes: e.source.bytes })),
    runtimeModules: runtimeModuleBytecode,
    intl: intlChunk,
    onIntlLoad: plainRun && !intlUsed ? (chunk) => chunk === "datetimeformat" && markIntlUsed(file) : undefined,
    // (its workers start from the runtime as it comes, loaded when the first starts: each would hold Intl's ~17 MiB of the shared budget)
    workerStart: intlReady ? plainRuntimeStart(choice, warn) : undefined,
    policy,
    fs: hostLib ? beneathBackend(hostLib) : plainBackend,
    argv: [process.execPath, guestPath(file)],
    execPath: process.execPath,
    cwd: guestPath(opts.cwd),
    hostEnv,
    stdout: fdSink(1),
    stderr: fdSink(2),
    tty: [0, 1, 2].map((fd) => (hostLib ? hostLib.eb_isatty(fd) === 1 : require("node:tty").isatty(fd))) as [boolean, boolean, boolean],
    timeoutMs,
    memoryLimit: heap,
    heapLimitSetting: policy.runtime.heapSize < maxBytes - GUEST_BASE_MEMORY ? "runtime.heap_size" : undefined,
    maxMemoryBytes: maxBytes,
    maxStackSize: stackSize,
    maxInstructions: fuel ? Math.max(1, policy.runtime.maxInstructions) : 0,
    bytecodeCache: new BytecodeCache(join(cacheDir(), "bytecode")),
    typescriptCache: join(cacheDir(), "typescript"),
    sourceMaps: built?.sourceMaps,
    audit: audit?.write,
    onLoad,
    quiet: opts.quiet,
    versions: { node: NODE_COMPAT, quickjs: buildInfo.quickjs, wasmtime: buildInfo.wasmtime },
  };
  return { policy, file: guestPath(file), built, choice, sandbox, audit, baseWasm: built ? () => built.module.bytes() : (intlReady?.module.bytes ?? runtimeModule.bytes) };
}

/** The plain runtime for a worker's start, its module loaded on the first one's (SandboxOptions.workerStart). */
function plainRuntimeStart(choice: Awaited<ReturnType<typeof chooseEngine>>, warn: (m: string) => void): NonNullable<SandboxOptions["workerStart"]> {
  let module: WasmModule | undefined;
  return {
    get module() {
      return (module ??= loadModule(choice, runtimeModule, { warn }));
    },
    snapshot: buildInfo.snapshot,
    sides: [],
  };
}

export async function runApp(opts: RunOptions): Promise<number> {
  trace("cli");
  let app;
  try {
    app = await prepareApp(opts, { preparedIntl: true });
  } catch (err) {
    if (err instanceof RanElsewhere) return err.code;
    throw err;
  }
  try {
    // One process, one run: collect cycles less often than QuickJS would (serve's fresh
    // per-request instances keep QuickJS's own pace, the fewest pages touched).
    const sandbox = new Sandbox({ ...app.sandbox, gcGrowth: RUN_GC_GROWTH, argv: [process.execPath, ...(opts.source === undefined ? [app.file] : []), ...opts.args] });
    const result = app.built ? await sandbox.runBuilt(app.built.app, app.built.prerun) : await sandbox.run(app.file, opts.source);
    trace("run");
    return result.code;
  } finally {
    app.audit?.close();
  }
}

/** The bundle's source map an artifact carries (read when an error needs it; one that is unusable maps nothing). */
function artifactMap(h: ArtifactHeader, a: Artifact): Map<string, SourceMap> {
  const part = h.parts.find((p) => p.name === "sourcemap.json");
  if (!h.compiledAs || !part || part.length > 64 << 20) return new Map();
  const load = (): RawSourceMap => {
    try {
      const raw = JSON.parse(new TextDecoder().decode(a.part("sourcemap.json")));
      if (Array.isArray(raw?.sources) && raw.sources.every((s: unknown) => typeof s === "string") && typeof raw.mappings === "string") return raw;
    } catch {
      // below
    }
    return { version: 3, sources: [], mappings: "" };
  };
  return new Map([[h.compiledAs, new SourceMap(load)]]);
}

/** A file that is neither script nor artifact (a .wasm, an image) is refused in one line, not parsed. `head`: its first bytes, when read already. */
function refuseNonScript(file: string, head?: Uint8Array): void {
  if (!head) {
    head = new Uint8Array(4096);
    const fd = openSync(file, "r");
    try {
      head = head.subarray(0, readSync(fd, head, 0, head.length, 0));
    } finally {
      closeSync(fd);
    }
  }
  const wasm = head.length >= 4 && head[0] === 0 && head[1] === 0x61 && head[2] === 0x73 && head[3] === 0x6d;
  if (wasm || head.includes(0)) {
    throw new UserError("E_USAGE", `${file} is not JavaScript or TypeScript (${wasm ? "a WebAssembly module" : "binary content"}): edgebox runs scripts (.js, .mjs, .cjs, .ts, ...) and artifacts of 'edgebox build' (.ebx)`);
  }
}

/** The app's file opened as an artifact of 'edgebox build'; undefined for a script (its head read once for both checks). */
function openIfArtifact(file: string) {
  let head: Uint8Array | undefined = new Uint8Array(4096);
  // (without waiting: a FIFO named as the app is refused when it is read as a script)
  const fd = openSync(file, constants.O_RDONLY | NO_WAIT);
  try {
    head = fstatSync(fd).isFile() ? head.subarray(0, readSync(fd, head, 0, head.length, 0)) : undefined;
  } finally {
    closeSync(fd);
  }
  if (head && isArtifact(head)) return openArtifact(file);
  refuseNonScript(file, head);
  return undefined;
}

/** A built app (edgebox build): its module, snapshot state and side modules, checked before use. */
function openArtifact(file: string) {
  const a = readArtifact(file, {
    edgebox: pkg.version,
    runtime: buildInfo.runtimeHash,
    abi: ABI_VERSION,
  });
  trace("read artifact");
  const h = a.header;
  // The cache key is the hash of the bytes as read (and checked against the header), never a
  // name or hash taken from the header alone: another app's cached code must not answer for them.
  // Those hashes are remembered for the file as it was when they were taken (its identity, as
  // the precompiled cache's): while it is unchanged, a run that finds its code in the cache reads
  // no module bytes.
  const id = identity(file);
  const known = knownKeys(id);
  const keys: Record<string, string> = {};
  const source = (name: string): ModuleSource => {
    if (!/^[a-z0-9-]{1,64}$/.test(name)) throw new UserError("E_ARTIFACT", `${file} cannot run: it names a module '${name.slice(0, 80)}'`);
    let bytes: Uint8Array | undefined;
    const read = () => {
      bytes ??= a.part(`${name}.wasm`);
      if (!bytes) throw new UserError("E_ARTIFACT", `${file} cannot run: it lacks its part '${name}.wasm'`);
      return bytes;
    };
    const key = known?.keys[name];
    if (key && h.parts.some((p) => p.name === `${name}.wasm`)) {
      // (read on a cache miss only; bytes that are not what the key says never get compiled under it)
      const checked = () => {
        if (contentHash(read()) !== key) throw new UserError("E_ARTIFACT", `${file} changed while it was being read; run it again`);
        return bytes!;
      };
      return { name: `app-${name}`, hash: key, bytes: checked };
    }
    keys[name] = contentHash(read());
    return { name: `app-${name}`, hash: keys[name], bytes: read };
  };
  const module = source("module");
  const sides = h.sides.map((s) => ({
    name: s.name,
    source: source(s.name),
    dylink: s.dylink as SideModuleInfo["dylink"],
    defines: s.defines,
    initFn: s.initFn,
    placement: { name: s.name, memoryBase: s.memoryBase, tableBase: s.tableBase },
  }));
  if (!known) rememberKeys(file, id, keys);
  return {
    module,
    snapshot: { ctx: h.snapshot.ctx, scratch: h.snapshot.scratch, entry: h.snapshot.entry },
    app: h.snapshot.app,
    prerun: h.snapshot.prerun,
    sourceMaps: artifactMap(h, a),
    sides,
  };
}

/** Where the module hashes of an artifact file are remembered (by its identity; undefined when it has none). */
function keysFile(id: string): string | undefined {
  return id ? join(cacheDir(), "artifacts", `${contentHash(new TextEncoder().encode(id))}.json`) : undefined;
}

/** The module hashes taken from the artifact file when it had identity `id` (as it has now), if any. */
function knownKeys(id: string): { keys: Record<string, string> } | undefined {
  const at = keysFile(id);
  if (!at) return undefined;
  try {
    const memo = JSON.parse(readFileSync(at, "utf8"));
    const valid = memo?.id === id && typeof memo.keys === "object" && Object.values(memo.keys).every((k) => typeof k === "string" && /^[0-9a-f]{16}$/.test(k));
    return valid ? { keys: memo.keys } : undefined;
  } catch {
    return undefined;
  }
}

/** Remember the hashes just taken, if the file is still as it was before they were (best effort: only a later start gains). */
function rememberKeys(file: string, id: string, keys: Record<string, string>): void {
  const at = keysFile(id);
  if (!at || identity(file) !== id) return;
  try {
    mkdirSync(dirname(at), { recursive: true });
    const tmp = `${at}.${process.pid}.tmp`;
    writeFileSync(tmp, JSON.stringify({ id, keys }));
    renameSync(tmp, at);
  } catch {
    // a read-only cache: every start hashes
  }
}
