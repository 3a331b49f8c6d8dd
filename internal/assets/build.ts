// Builds dist/edgebox: the runtime JS bundled and compiled to QuickJS
// bytecode, then one executable with every asset embedded. Skips all work
// when no input changed since the last build (a content hash in dist/).

import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync, existsSync } from "node:fs";
import { join, relative } from "node:path";
import { JsEngine } from "../engine/js.ts";
import { QuickJS } from "../engine/quickjs.ts";
import { quickjsWasmPath } from "./paths.ts";

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
  const files = [...filesUnder("cmd"), ...filesUnder("internal"), ...filesUnder("wasm"), "package.json", "package-lock.json"];
  for (const f of files) h.update(f + "\0").update(readFileSync(join(root, f)));
  h.update(Bun.version);
  return h.digest("hex");
}

async function bundleRuntime(): Promise<string> {
  const result = await Bun.build({
    entrypoints: [join(root, "wasm", "runtime.js")],
    format: "iife",
    target: "browser",
    minify: { whitespace: true, syntax: true, identifiers: false },
  });
  if (!result.success) throw new AggregateError(result.logs, "bundling the runtime JS failed");
  return await result.outputs[0]!.text();
}

/** Compile the runtime bundle to bytecode with the very QuickJS build that will run it. */
function compileRuntime(source: string): { bytecode: Uint8Array; quickjs: string } {
  const engine = new JsEngine();
  const module = engine.compile(readFileSync(quickjsWasmPath()));
  const vm = QuickJS.create(
    module,
    {
      hostCall: () => undefined,
      interrupt: () => false,
      normalizeModule: (_b, s) => s,
      loadModule: () => {
        throw new Error("no modules at build time");
      },
      rejection: () => {},
    },
    { output: { write: (_fd, b) => process.stderr.write(b) } },
  );
  try {
    return { bytecode: vm.compile(source, "edgebox:runtime"), quickjs: vm.quickjsVersion() };
  } finally {
    vm.dispose();
  }
}

async function main() {
  const force = process.argv.includes("--force");
  const stamp = inputsHash();
  if (!force && existsSync(out) && existsSync(stampFile) && readFileSync(stampFile, "utf8") === stamp) {
    console.error("edgebox build: up to date");
    return;
  }
  const t0 = performance.now();
  mkdirSync(join(dist, "assets"), { recursive: true });
  const { bytecode, quickjs } = compileRuntime(await bundleRuntime());
  writeFileSync(join(dist, "assets", "runtime.bc"), bytecode);
  const pkg = (name: string) => JSON.parse(readFileSync(join(root, "node_modules", name, "package.json"), "utf8")).version;
  const versions = { quickjs, "quickjs-wasi": pkg("quickjs-wasi"), bun: Bun.version };
  writeFileSync(join(dist, "assets", "versions.json"), JSON.stringify(versions, null, 2) + "\n");
  const proc = Bun.spawnSync(
    [process.execPath, "build", "--compile", "--bytecode", "--format=esm", "--minify", "--sourcemap", join(root, "cmd", "edgebox.ts"), "--outfile", out],
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
