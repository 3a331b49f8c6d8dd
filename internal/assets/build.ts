// Builds dist/edgebox: the runtime JS bundled and compiled to QuickJS
// bytecode, then one executable with every asset embedded. Skips all work
// when no input changed since the last build (a content hash in dist/).

import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { JsEngine } from "../engine/js.ts";
import { compileScript } from "../build/bytecode.ts";
import { GuestException, QuickJS, StripFlags } from "../engine/quickjs.ts";
import { EXTENSIONS, extensionPath, quickjsWasmPath } from "./paths.ts";
import { sideModuleInfo, type Placement, type SideModuleInfo } from "../engine/dylink.ts";
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
 * Bare names that node's packages (readable-stream, string_decoder, path) require, bound to
 * the runtime's own modules: one Buffer, one EventEmitter, one process and one util for all,
 * and none of the bundler's browser stand-ins.
 */
const RUNTIME_MODULES: Record<string, string> = {
  buffer: "buffer.js",
  events: "events.js",
  process: "process.js",
  "process/": "process.js",
  util: "util.js",
  "util/": "util.js",
  "abort-controller": "web.js",
};

async function bundleRuntime(): Promise<string> {
  const result = await Bun.build({
    entrypoints: [join(root, "wasm", "runtime.js")],
    format: "iife",
    target: "browser",
    minify: { whitespace: true, syntax: true, identifiers: false },
    plugins: [
      {
        name: "edgebox-runtime-modules",
        setup(build) {
          build.onResolve({ filter: /^(buffer|events|process\/?|util\/?|abort-controller)$/ }, (args) => ({
            path: join(root, "wasm", "internal", RUNTIME_MODULES[args.path]!),
          }));
        },
      },
    ],
  });
  if (!result.success) throw new AggregateError(result.logs, "bundling the runtime JS failed");
  return await result.outputs[0]!.text();
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
  for (const name of EXTENSIONS) copyFileSync(extensionPath(name), join(dist, "assets", `ext-${name}.so`));
  const native = buildHost(join(dist, "assets"));
  const pkg = (name: string) => JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
  const pins = JSON.parse(readFileSync(join(root, "internal", "assets", "toolchain.json"), "utf8"));
  const info = {
    quickjs: runtime.quickjs,
    snapshot: runtime.snapshot,
    runtimeHash: contentHash(runtime.wasm),
    extensions: Object.fromEntries(
      EXTENSIONS.map((n) => {
        const bytes = readFileSync(extensionPath(n));
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
