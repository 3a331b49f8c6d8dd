// `edgebox build`: the pipeline, stage by stage (see each stage's file).
//
//   bundle (Bun.build) -> freeze (pure functions to a wasm side module)
//   -> script (one async function) -> bytecode -> pre-initialise (snapshot)
//   -> native code (Cranelift, unless --portable) -> artifact

import { writeFileSync } from "node:fs";
import { basename, extname, relative, resolve } from "node:path";
import { remapStack, SourceMap } from "../transpile/sourcemap.ts";
import pkg from "../../package.json" with { type: "json" };
import { ABI_VERSION } from "../../wasm/abi.js";
import { buildInfo, cacheDir, extensions, intlChunk, runtimeModule, runtimeModuleBytecode } from "../assets/index.ts";
import { contentHash, loadPrecompiled } from "../engine/cache.ts";
import { loadPolicy } from "../config/index.ts";
import { JsEngine } from "../engine/js.ts";
import { StripFlags } from "../engine/quickjs.ts";
import { appDirOf, resolveEntry } from "../sandbox/modules.ts";
import { NODE_COMPAT } from "../sandbox/run.ts";
import { writeArtifact } from "./artifact.ts";
import { carryAsyncContext } from "../sandbox/async-context.ts";
import { rewriteVLiterals } from "../sandbox/regexp-v.ts";
import { bundle } from "./bundle.ts";
import { compileScript } from "./bytecode.ts";
import { preinitApp, type AppImage, type FrozenModule } from "./preinit.ts";
import { intlMembersNamed } from "./intl.ts";
import { toScript } from "./script.ts";
import { sideModuleInfo } from "../engine/dylink.ts";
import { freeze } from "../freeze/index.ts";
import { INIT_FN } from "../freeze/emit.ts";

export interface BuildOptions {
  target: string;
  out?: string;
  cwd: string;
  config?: string;
  /** No native code: the artifact runs on any target (compiled on first run there). */
  portable: boolean;
  /** Try to run the app's top level at build time (default true). */
  prerun: boolean;
  /** Prepare in the snapshot the Intl members the app's code names (default true; build/intl.ts). */
  intl?: boolean;
  /** Freeze pure functions to WebAssembly (default true). */
  freeze: boolean;
  /** Keep function source text (Function.prototype.toString); default: stripped. */
  keepSource?: boolean;
  log: BuildLog;
}

export interface BuildLog {
  stage(name: string, detail: string, ms: number): void;
  info(message: string): void;
  warn(message: string): void;
}

export interface BuildResult {
  out: string;
  bytes: number;
  image: AppImage;
  frozen: string[];
  /** Per function considered for freezing: frozen, or why not. */
  explain: { name: string; where: string; frozen: boolean; reason?: string; how?: string; partly?: string }[];
  /** Loops compiled out of code that is not frozen. */
  loops: { where: string; within: string; how: string }[];
  /** The loops there that are not, and why. */
  refusedLoops: { where: string; within: string; why: string }[];
  /** The frozen functions' WebAssembly as text. */
  listing?: string;
}

const kb = (n: number) => (n >= 1 << 20 ? `${(n / 1048576).toFixed(1)} MiB` : `${(n / 1024).toFixed(1)} KiB`);

export async function buildApp(o: BuildOptions): Promise<BuildResult> {
  let t = performance.now();
  const lap = (name: string, detail: string) => {
    const now = performance.now();
    o.log.stage(name, detail, now - t);
    t = now;
  };
  const appDir = appDirOf(o.target, o.cwd);
  const policy = await loadPolicy({ appDir, cwd: o.cwd, config: o.config, flags: {} });
  const entry = resolveEntry(o.target, o.cwd, policy.npm);
  const out = resolve(o.cwd, o.out ?? `${basename(entry, extname(entry))}.ebx`);

  const { code: esm, map } = await bundle(entry, policy);
  lap("bundle", `${basename(entry)} and its imports: ${kb(esm.length)} of JS`);

  const bundleMap = new SourceMap(map);
  let code = esm;
  let explain: BuildResult["explain"] = [];
  let loops: BuildResult["loops"] = [];
  let refusedLoops: BuildResult["refusedLoops"] = [];
  let frozen: FrozenModule | undefined;
  let frozenNames: string[] = [];
  let listing: string | undefined;
  if (o.freeze) {
    const r = freeze(esm);
    // where each function is in the app's own files, not in the bundle
    const where = (w: string) => {
      const [line, col] = w.split(":").map(Number);
      const at = bundleMap.lookup(line!, col!);
      return at ? `${relative(o.cwd, at.file)}:${at.line}:${at.column}` : w;
    };
    explain = r.explain.map((e) => ({ ...e, where: where(e.where), partly: e.partly?.replace(/\d+:\d+/g, where) }));
    loops = r.loops.map((l) => ({ ...l, where: where(l.where) }));
    refusedLoops = r.refusedLoops.map((l) => ({ ...l, where: where(l.where) }));
    if (r.wasm) {
      frozen = { wasm: r.wasm, info: sideModuleInfo(r.wasm), initFn: INIT_FN };
      code = r.code;
      frozenNames = r.frozen.map((f) => f.cand.name);
      listing = r.listing;
    }
    const whole = explain.filter((e) => e.frozen).length;
    const partly = explain.filter((e) => !e.frozen && e.partly).length;
    lap("freeze", `${whole} of ${explain.length} functions frozen${partly ? `, ${partly} partly` : ""}${loops.length ? `, ${loops.length} loops compiled` : ""}${frozen ? ` (${kb(frozen.wasm.length)} of wasm)` : ""}`);
  }

  // as in a module `edgebox run` compiles: v-flag literals QuickJS rejects rewritten, awaits carrying
  // AsyncLocalStorage's store (after freeze: neither touches what it compiles)
  // (the whole bundle, however large: async-context.ts bounds only what a run loads)
  const script = toScript(carryAsyncContext(rewriteVLiterals(code, true), true, undefined, true));
  const runtimeWasm = runtimeModule.bytes();
  const engine = new JsEngine();
  const runtime = engine.compile(runtimeWasm);
  // Without function source text unless asked: QuickJS keeps a copy per function, nested
  // ones included (typescript: 44 MiB of bytecode with it, 4.7 without); it only serves
  // Function.prototype.toString, which then shows "[native code]".
  const bytecode = compileScript(runtime, script, entry, o.keepSource ? 0 : StripFlags.SOURCE, buildInfo.snapshot);
  lap("bytecode", kb(bytecode.length));

  const versions = { node: NODE_COMPAT, quickjs: buildInfo.quickjs, wasmtime: buildInfo.wasmtime };
  const warmIntl = o.intl === false ? [] : intlMembersNamed([code]);
  const image = preinitApp({ runtime: { wasm: runtimeWasm, snapshot: buildInfo.snapshot }, runtimeModules: runtimeModuleBytecode, bytecode, frozen, versions, prerun: o.prerun, intl: intlChunk, warmIntl });
  if (image.stop?.stack) image.stop.stack = remapStack(image.stop.stack, new Map([[entry, bundleMap]]));
  const intlNote = image.warmed.length ? `; Intl prepared: ${image.warmed.join(", ")}` : image.warmFailed ? `; Intl not prepared: preparing it ${image.warmFailed}` : "";
  lap(
    "pre-initialise",
    (image.prerun ? "top level ran at build time" : image.stop ? `top level runs at start: it ${image.stop.what}` : "top level runs at start (--no-prerun)") + intlNote,
  );

  // Stack frames name `entry` (the name the script was compiled under) at the bundle's lines.
  const parts: [string, Uint8Array][] = [["module.wasm", image.wasm], ["sourcemap.json", new TextEncoder().encode(JSON.stringify(map))]];
  if (frozen) parts.push(["frozen.wasm", frozen.wasm]);
  // Native code never travels in the artifact: Wasmtime runs serialized code
  // unchecked, so an artifact that carried it could carry anything. It goes to
  // this machine's precompiled cache, where `edgebox run` finds it by the
  // module's hash; elsewhere the first run compiles it.
  if (!o.portable) {
    const { native } = await nativeCompiler();
    const events = { warn: (m: string) => o.log.warn(m) };
    loadPrecompiled(native, "app-module", contentHash(image.wasm), () => image.wasm, cacheDir(), events);
    if (frozen) loadPrecompiled(native, "app-frozen", contentHash(frozen.wasm), () => frozen!.wasm, cacheDir(), events);
    // the native extensions a run links on first use (URL, TextEncoder, structuredClone, crypto):
    // compiled here once per edgebox build, so that an app's first run compiles nothing
    for (const e of extensions) loadPrecompiled(native, e.source.name, e.source.hash, e.source.bytes, cacheDir(), events);
    lap("native code", `Cranelift, into ${cacheDir()}`);
  }

  const artifact = writeArtifact(
    {
      edgebox: pkg.version,
      runtime: buildInfo.runtimeHash,
      wasmtime: buildInfo.wasmtime,
      quickjs: buildInfo.quickjs,
      abi: ABI_VERSION,
      entry: basename(entry),
      compiledAs: entry,
      snapshot: { ctx: image.ctx, scratch: image.scratch, entry: image.entry, app: image.app, prerun: image.prerun },
      sides: image.sides.map((s) => ({ name: s.name, memoryBase: s.memoryBase, tableBase: s.tableBase, initFn: s.initFn, dylink: s.dylink, defines: s.defines })),
      frozen: frozenNames,
    },
    parts,
  );
  writeFileSync(out, artifact);
  lap("artifact", `${out} (${kb(artifact.length)})`);
  return { out, bytes: artifact.length, image, frozen: frozenNames, explain, loops, refusedLoops, listing };
}

/** The native engine with the flags a default run uses, to precompile for it. */
async function nativeCompiler() {
  const { loadHostLib } = await import("../engine/index.ts");
  const { NativeEngine } = await import("../engine/native.ts");
  const lib = await loadHostLib();
  return { native: new NativeEngine(lib, { fuel: false }) };
}

