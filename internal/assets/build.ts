// Builds dist/edgebox: the runtime JS bundled and compiled to QuickJS
// bytecode, then one executable with every asset embedded. Skips all work
// when no input changed since the last build (a content hash in dist/).

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, sep } from "node:path";
import { JsEngine } from "../engine/js.ts";
import type { WasmModule } from "../engine/types.ts";
import { compileScript } from "../build/bytecode.ts";
import { GuestException, QuickJS, StripFlags } from "../engine/quickjs.ts";
import { EXTENSIONS, extensionPath, quickjsWasmPath } from "./paths.ts";
import { packRuntimeModules } from "./runtime-modules.ts";
import { sideModuleInfo, type Placement, type SideModuleInfo } from "../engine/dylink.ts";
import { callOwnDefinitions } from "../engine/selfcalls.ts";
import { preinitialize } from "../build/snapshot.ts";
import { contentHash } from "../engine/cache.ts";
import { buildPolicyValidator } from "../config/schema-build.ts";
import { bareWasmtimeDependency, compileCommand } from "./compile.ts";

const root = join(import.meta.dir, "..", "..");
const dist = join(root, "dist");
const out = join(dist, "edgebox");
const stampFile = join(dist, ".build-stamp");

function filesUnder(dir: string): string[] {
  const abs = join(root, dir);
  if (!existsSync(abs)) return [];
  return readdirSync(abs, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(root, join(e.parentPath, e.name)))
    .sort();
}

function inputsHash(): string {
  const h = new Bun.CryptoHasher("sha256");
  const files = [
    ...filesUnder("cmd"),
    ...filesUnder("internal"),
    ...filesUnder("wasm"),
    ...filesUnder("policies"),
    ...filesUnder("zig/src"),
    "zig/build.zig",
    "package.json",
    "package-lock.json",
  ];
  for (const f of files) h.update(f + "\0").update(readFileSync(join(root, f)));
  h.update(Bun.version);
  return h.digest("hex");
}

/**
 * FormatJS's `en` date data without the ISO 8601 calendar's own formats (it uses
 * the Gregorian ones then): preparing them costs QuickJS a second at the first
 * DateTimeFormat.
 */
const dateData: Bun.BunPlugin["setup"] = (build) => {
  build.onLoad({ filter: /intl-datetimeformat[\\/]locale-data[\\/]en\.js$/ }, async (args) => {
    const text = await Bun.file(args.path).text();
    const m = /JSON\.parse\(("(?:[^"\\]|\\.)*")\)\);?\s*$/.exec(text);
    if (!m) throw new Error(`${args.path}: not the locale data layout build.ts knows`);
    const entry = JSON.parse(JSON.parse(m[1]!));
    delete entry.data.formats.iso8601;
    return { contents: text.slice(0, m.index) + `JSON.parse(${JSON.stringify(JSON.stringify(entry))}));\n`, loader: "js" };
  });
};

/**
 * The runtime's modules kept out of its snapshot (wasm/internal/runtime_modules.js): node's
 * streams and what needs them, each bundled and compiled apart and loaded on first use, so
 * that a run, and each request of edgebox serve, starts from a heap without them. (util's
 * inspect and path stay in: console.log of an object and path.join are in nearly every run,
 * and loading them apart costs more at first use than they cost in the snapshot; see
 * bench/RESULTS.md.)
 */
const KEPT_OUT: Record<string, string> = {
  "internal/stream": "wasm/internal/stream.js",
  "internal/assert": "wasm/internal/assert.js",
  "internal/readline": "wasm/internal/readline.js",
  "internal/zlib": "wasm/internal/zlib.js",
  "internal/child_process": "wasm/internal/child_process.js",
  "internal/stdin": "wasm/internal/stdin.js",
  string_decoder: "node_modules/string_decoder/lib/string_decoder.js",
};

/**
 * Bare names node's packages require, bound to the runtime's modules: one Buffer, one
 * EventEmitter, one process for all, and none of the bundler's browser stand-ins.
 */
const BARE: Record<string, string> = {
  buffer: "internal/buffer",
  events: "internal/events",
  process: "process",
  "process/": "process",
  util: "internal/util",
  "util/": "internal/util",
  "abort-controller": "internal/web",
  string_decoder: "string_decoder",
  "string_decoder/": "string_decoder",
};
const BARE_FILTER = /^(buffer|events|process\/?|util\/?|abort-controller|string_decoder\/?)$/;

const wasmDir = join(root, "wasm");
const keyOf = (file: string) => relative(wasmDir, file).split(sep).join("/").replace(/\.js$/, "");

/** The runtime JS that is snapshotted: wasm/runtime.js and what it imports, without the kept-out modules. */
async function bundleRuntime(): Promise<string> {
  const keptOut = new Set(Object.values(KEPT_OUT).map((f) => join(root, f)));
  return bundle(join(wasmDir, "runtime.js"), "iife", (build) => {
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const file = join(dirname(args.importer), args.path);
      if (keptOut.has(file)) throw new Error(`${relative(root, args.importer)} imports ${relative(root, file)}, which is kept out of the snapshot: use runtimeModule("${keyOf(file)}")`);
      return undefined;
    });
    // the npm `url` package's `qs`: node's querystring, as node's url.parse uses (wasm/internal/url_qs.js)
    build.onResolve({ filter: /^qs$/ }, (args) => (/[\\/]node_modules[\\/]url[\\/]/.test(args.importer) ? { path: join(wasmDir, "internal", "url_qs.js") } : undefined));
    build.onResolve({ filter: BARE_FILTER }, (args) => {
      const key = BARE[args.path]!;
      if (!key.startsWith("internal/")) throw new Error(`${relative(root, args.importer)} requires ${args.path}, which the snapshot does not hold`);
      return { path: join(wasmDir, `${key}.js`) };
    });
  });
}

/**
 * One kept-out module as a function (module, exports, load): its packages bundled in,
 * and every other module of the runtime taken through load(key) (runtimeModule).
 */
async function bundleKeptOut(key: string): Promise<string> {
  const entry = join(root, KEPT_OUT[key]!);
  const code = await bundle(entry, "cjs", (build) => {
    build.onResolve({ filter: BARE_FILTER }, (args) => ({ path: BARE[args.path]!, namespace: "edgebox-runtime" }));
    build.onResolve({ filter: /^\.\.?\// }, (args) => {
      const file = join(dirname(args.importer), args.path);
      if (file === entry || !file.startsWith(wasmDir + sep) || !args.importer.startsWith(wasmDir + sep)) return undefined;
      return { path: keyOf(file), namespace: "edgebox-runtime" };
    });
    build.onLoad({ filter: /.*/, namespace: "edgebox-runtime" }, (args) => ({
      contents: `module.exports = __edgebox_load(${JSON.stringify(args.path)});`,
      loader: "js",
    }));
  });
  return `(function (module, exports, __edgebox_load) {\n${code}\n})`;
}

/**
 * node-inspect-extracted ships a stand-in for V8's promise introspection that
 * always answers "pending"; the runtime has the engine's answer (OP.PROMISE_STATE,
 * OP.PROMISE_RESULT), handed over through a global the runtime sets only while the
 * package loads (wasm/internal/util.js). The package's one line is bound to it
 * here, at bundle time; a release of the package without that line fails the build.
 */
const promiseDetailsPlugin: Bun.BunPlugin = {
  name: "promise-details",
  setup(build) {
    build.onLoad({ filter: /node-inspect-extracted[\\/]dist[\\/]inspect\.js$/ }, (args) => {
      const text = readFileSync(args.path, "utf8");
      const standIn = "getPromiseDetails:function(){return[c,void 0]}";
      if (text.split(standIn).length !== 2) throw new Error(`node-inspect-extracted changed: no single "${standIn}" in ${args.path}`);
      // (c and l are the package's kPending and kRejected)
      const bound = 'getPromiseDetails:function(d){return function(p){var s=d(p,false);return s===1||s===2?[s===2?l:1,d(p,true)]:[c,void 0]}}(globalThis[Symbol.for("edgebox.promiseDetail")])';
      return { contents: text.replace(standIn, bound), loader: "js" };
    });
  },
};

async function bundle(entry: string, format: "iife" | "cjs", setup: Bun.BunPlugin["setup"]): Promise<string> {
  const result = await Bun.build({
    entrypoints: [entry],
    format,
    target: "browser",
    // (keepNames: functions keep their names, as node's do: emitter.emit.name is "emit")
    minify: { whitespace: true, syntax: true, identifiers: false, keepNames: true },
    plugins: [{ name: "edgebox-runtime", setup }, promiseDetailsPlugin],
  });
  if (!result.success) throw new AggregateError(result.logs, `bundling ${relative(root, entry)} failed`);
  return await result.outputs[0]!.text();
}

/** The kept-out modules compiled to bytecode, in one file: u32 header length, JSON {key: [offset, length]}, the bytes. */
async function compileKeptOut(module: WasmModule): Promise<Uint8Array> {
  const parts: [string, Uint8Array][] = [];
  for (const key of Object.keys(KEPT_OUT)) parts.push([key, compileScript(module, await bundleKeptOut(key), `edgebox:runtime/${key}`, StripFlags.SOURCE)]);
  return packRuntimeModules(parts);
}

/**
 * Intl (FormatJS's polyfills and locale data, wasm/intl/): one bytecode chunk per
 * group of members, evaluated when the guest first touches one (INTL_LOAD), never
 * in the snapshot; packed as the kept-out modules are.
 */
async function buildIntlChunks(module: WasmModule): Promise<Uint8Array> {
  const names = readdirSync(join(wasmDir, "intl")).filter((f) => f !== "collator.js").map((f) => f.replace(/\.js$/, "")).sort();
  const parts: [string, Uint8Array][] = [];
  for (const name of names) parts.push([name, compileScript(module, await bundle(join(wasmDir, "intl", `${name}.js`), "iife", dateData), `edgebox:intl/${name}`, StripFlags.SOURCE)]);
  return packRuntimeModules(parts);
}

export interface RuntimeSnapshot {
  /** Guest addresses the host needs after restoring (QuickJS context, scratch buffer). */
  ctx: number;
  scratch: number;
  /** The handle of the runtime's entry-point object (wasm/ABI.md). */
  entry: number;
  /** The side modules linked before the snapshot, in order, where they were placed, and what linking needs of them. */
  sides: (Placement & SideModuleInfo)[];
}

/**
 * Run the runtime JS once in a fresh QuickJS guest and pre-initialise
 * quickjs.wasm with the result: at run time the guest starts with the runtime
 * already set up, and `start()` binds what belongs to the run.
 */
function snapshotRuntime(source: string): { wasm: Uint8Array; snapshot: RuntimeSnapshot; quickjs: string } {
  const wasm = readFileSync(quickjsWasmPath());
  const module = new JsEngine().compile(wasm);
  const refuse = (what: string) => () => {
    throw new Error(`the runtime JS must not ${what} while it initialises (it is snapshotted)`);
  };
  const vm = QuickJS.create(
    module,
    {
      hostCall: refuse("call the host"),
      interrupt: () => false,
      normalizeModule: refuse("import modules"),
      loadModule: refuse("import modules"),
      rejection: refuse("reject promises"),
    },
    { output: { write: (_fd, b) => process.stderr.write(b) } },
  );
  try {
    // Extensions are linked on first use at run time (EXT_LOAD), not into the snapshot.
    const sides: (Placement & SideModuleInfo)[] = [];
    try {
      // Compiled in another guest and run from outside the heap, so that the snapshot holds
      // neither the parser's garbage nor the bytecode; without the runtime's source text,
      // which would only serve Function.prototype.toString of runtime functions.
      vm.free(vm.evalBytecodeOutsideHeap(compileScript(module, source, "edgebox:runtime", StripFlags.SOURCE)));
    } catch (err) {
      if (err instanceof GuestException) throw new Error(`the runtime JS failed to initialise: ${vm.describe(err.handle)}`);
      throw err;
    }
    const entry = vm.eval(
      "(() => { const e = globalThis.__edgebox_entry; delete globalThis.__edgebox_entry; return e })()",
      "edgebox:runtime",
    );
    vm.runJobs();
    const { memory, stackPointer } = vm.snapshot();
    if (process.env.EDGEBOX_SNAPSHOT_STATS) {
      let nonzero = 0;
      for (let i = 0; i < memory.length; i++) if (memory[i] !== 0) nonzero++;
      console.error(`snapshot: memory ${memory.length}, non-zero ${nonzero}, live heap ${JSON.stringify(vm.heapUsage())}`);
    }
    return {
      wasm: preinitialize(wasm, memory, stackPointer),
      snapshot: { ...vm.state(), entry, sides },
      quickjs: vm.quickjsVersion(),
    };
  } finally {
    vm.dispose();
  }
}

/** libedgebox_host, built by Zig against Wasmtime's library from the PyPI wheel. */
function buildHost(outDir: string): { host: string; wasmtime: string } {
  const zig = process.env.EDGEBOX_ZIG;
  const wasmtimeDir = process.env.EDGEBOX_WASMTIME_LIB;
  if (!zig || !wasmtimeDir) throw new Error("run the build through `npm run build` (internal/assets/make.mjs), which installs zig and wasmtime");
  const prefix = join(dist, "zig-out");
  const p = Bun.spawnSync([zig, "build", "--release=fast", `-Dwasmtime-lib=${wasmtimeDir}`, "--prefix", prefix], {
    cwd: join(root, "zig"),
    stdout: "inherit",
    stderr: "inherit",
  });
  if (p.exitCode !== 0) throw new Error("zig build failed");
  const ext = process.platform === "darwin" ? "dylib" : "so";
  const host = join(outDir, "edgebox_host.bin");
  const wasmtime = join(outDir, "wasmtime.bin");
  writeFileSync(host, bareWasmtimeDependency(readFileSync(join(prefix, "lib", `libedgebox_host.${ext}`)), ext));
  copyFileSync(join(wasmtimeDir, `libwasmtime.${ext}`), wasmtime);
  return { host, wasmtime };
}

async function main() {
  const force = process.argv.includes("--force");
  const stamp = inputsHash();
  if (!force && existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) {
    console.error("edgebox build: up to date");
    return;
  }
  const t0 = performance.now();
  rmSync(join(dist, "assets"), { recursive: true, force: true });
  mkdirSync(join(dist, "assets"), { recursive: true });
  buildPolicyValidator(root, join(dist, "assets"));
  const runtime = snapshotRuntime(await bundleRuntime());
  writeFileSync(join(dist, "assets", "runtime.wasm"), runtime.wasm);
  const quickjs = new JsEngine().compile(readFileSync(quickjsWasmPath()));
  writeFileSync(join(dist, "assets", "runtime-modules.bin"), await compileKeptOut(quickjs));
  writeFileSync(join(dist, "assets", "intl.bin"), await buildIntlChunks(quickjs));
  // (their calls to their own C++ helpers made direct: see selfcalls.ts)
  const extensions = new Map(EXTENSIONS.map((name) => [name, callOwnDefinitions(readFileSync(extensionPath(name)))]));
  for (const [name, bytes] of extensions) writeFileSync(join(dist, "assets", `ext-${name}.so`), bytes);
  const native = buildHost(join(dist, "assets"));
  const pkg = (name: string) => JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
  const pins = JSON.parse(readFileSync(join(root, "internal", "assets", "toolchain.json"), "utf8"));
  const info = {
    quickjs: runtime.quickjs,
    snapshot: runtime.snapshot,
    runtimeHash: contentHash(runtime.wasm),
    extensions: Object.fromEntries(
      EXTENSIONS.map((n) => {
        const bytes = extensions.get(n)!;
        return [n, { hash: contentHash(bytes), ...sideModuleInfo(bytes) }];
      }),
    ),
    "quickjs-wasi": pkg("quickjs-wasi"),
    wasmtime: pins.wasmtime,
    zig: pins.ziglang,
    bun: Bun.version,
    /** Distinguishes builds of one version: the native libraries are cached under it. */
    build: stamp.slice(0, 12),
    nativeSizes: { host: statSync(native.host).size, wasmtime: statSync(native.wasmtime).size },
  };
  writeFileSync(join(dist, "assets", "buildinfo.json"), JSON.stringify(info, null, 2) + "\n");
  // (each build names its chunks' source maps anew: the last build's would pile up)
  for (const f of readdirSync(dist)) if (f.endsWith(".map")) rmSync(join(dist, f));
  const proc = Bun.spawnSync(
    compileCommand(root, out, ["--sourcemap"]),
    { cwd: root, stdout: "pipe", stderr: "pipe" },
  );
  if (proc.exitCode !== 0) {
    process.stderr.write(proc.stdout);
    process.stderr.write(proc.stderr);
    throw new Error("bun build --compile failed");
  }
  writeFileSync(stampFile, stamp);
  const mb = (statSync(out).size / 1048576).toFixed(1);
  console.error(`edgebox build: dist/edgebox (${mb} MB) in ${Math.round(performance.now() - t0)} ms`);
}

await main();
