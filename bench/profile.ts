// Where an edgebox run's CPU goes, by QuickJS function: `perf record` of the
// installed binary (bench/lib.ts installedEnv), then each sample's stack put
// in one share. Wasmtime maps the Cranelift code of the guest from its cache
// file, so perf names it `wasm[0]::function[N]` (N: the module's function
// index, per module); quickjs.wasm has no name section, so the main module's
// functions are named by its exports, and unexported ones stay `function[N]`.
// Usage: bun bench/profile.ts <edgebox arguments>, e.g. bun bench/profile.ts run app.ebx
// Needs perf (Debian linux-perf) and perf_event access (kernel.perf_event_paranoid <= 2).

import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { quickjsWasmPath } from "../internal/assets/paths.ts";
import { Reader, SectionId, readSections } from "../internal/engine/wasm.ts";
import { EDGEBOX, installedEnv } from "./lib.ts";

const args = process.argv.slice(2);
if (args.length === 0) throw new Error("usage: bun bench/profile.ts <edgebox arguments>");

/** quickjs.wasm's exported functions by function index (several names may share one). */
function exportNames(wasm: Uint8Array): Map<number, string> {
  const names = new Map<number, string>();
  const section = readSections(wasm).find((s) => s.id === SectionId.export)!;
  const r = new Reader(section.body);
  for (let n = r.u32(); n > 0; n--) {
    const name = r.name();
    const kind = r.byte();
    const index = r.u32();
    if (kind === 0 && !names.has(index)) names.set(index, name);
  }
  return names;
}
const names = exportNames(readFileSync(quickjsWasmPath()));

interface Frame {
  name: string;
  /** compiled guest code (quickjs.wasm is wasm[0]; side modules follow) */
  guest: boolean;
}
/** A stack frame; `file` is the object perf found it in (the main module's code is cached as runtime-* or app-module-*.cwasm). */
function frame(symbol: string, file: string): Frame {
  const m = /^wasm\[0\]::function\[(\d+)\]$/.exec(symbol);
  const main = m && /\/(runtime|app-module)-[^/]*\.cwasm$/.test(file);
  return { name: (main && names.get(Number(m[1]))) || symbol, guest: symbol.startsWith("wasm[") };
}

// (Wasmtime's perf maps, /tmp/perf-<pid>.map: the run's are removed once read, since a later
// process given the same pid would seem to have written one)
const perfMaps = () => new Set(readdirSync("/tmp").filter((f) => /^perf-\d+\.map$/.test(f)));
const mapsBefore = perfMaps();
const dir = mkdtempSync(join(tmpdir(), "edgebox-profile-"));
const data = join(dir, "perf.data");
const rec = Bun.spawnSync(["perf", "record", "-q", "-F", "2000", "-g", "-o", data, EDGEBOX, ...args], { env: installedEnv(), stdout: "inherit", stderr: "inherit" });
if (rec.exitCode !== 0) throw new Error(`perf record exited ${rec.exitCode}`);
const script = Bun.spawnSync(["perf", "script", "-i", data], { stdout: "pipe", stderr: "ignore" }).stdout.toString();
rmSync(dir, { recursive: true, force: true });
for (const f of perfMaps()) if (!mapsBefore.has(f)) rmSync(join("/tmp", f), { force: true });

/** Each sample's frames, leaf first, offsets dropped. */
const samples = script
  .split("\n\n")
  .map((block) => [...block.matchAll(/^\s+[0-9a-f]+ (\S+) \((.*)\)$/gm)].map((m) => frame(m[1]!.replace(/\+0x[0-9a-f]+$/, ""), m[2]!)))
  .filter((frames) => frames.length > 0);

const ALLOCATOR = new Set(["js_malloc_rt", "js_free_rt", "js_realloc_rt", "js_calloc_rt", "malloc", "free", "realloc", "calloc"]);
const has = (frames: Frame[], name: string) => frames.some((f) => f.guest && f.name === name);
const shares: [string, (frames: Frame[]) => boolean][] = [
  ["outside the guest (start-up, host, exit)", (f) => !f.some((x) => x.guest)],
  ["cycle collection (JS_RunGC and below)", (f) => has(f, "JS_RunGC")],
  ["kernel: page faults on fresh guest memory", (f) => f.slice(0, f.findIndex((x) => x.guest)).some((x) => x.name === "asm_exc_page_fault")],
  ["allocator (dlmalloc in the guest)", (f) => f.slice(0, 2).some((x) => x.guest && ALLOCATOR.has(x.name))],
  ["other host or kernel code under the guest (memory.copy, host calls, preemption)", (f) => !f[0]!.guest],
  ["object creation (JS_NewObjectProtoClass and below)", (f) => has(f, "JS_NewObjectProtoClass")],
  ["property definition (JS_DefinePropertyValue and below)", (f) => has(f, "JS_DefinePropertyValue")],
  ["the rest of QuickJS: the interpreter and the builtins it calls", () => true],
];
const count = new Array<number>(shares.length).fill(0);
const self = new Map<string, number>();
const inclusive = new Map<string, number>();
for (const frames of samples) {
  count[shares.findIndex(([, test]) => test(frames))]!++;
  if (frames[0]!.guest) self.set(frames[0]!.name, (self.get(frames[0]!.name) ?? 0) + 1);
  for (const f of new Set(frames.filter((x) => x.guest).map((x) => x.name))) inclusive.set(f, (inclusive.get(f) ?? 0) + 1);
}
const pct = (n: number) => `${((100 * n) / samples.length).toFixed(1).padStart(5)}%`;
const top = (m: Map<string, number>, n: number) =>
  [...m]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([f, c]) => `${pct(c)}  ${f}`)
    .join("\n");
console.log(`${samples.length} samples at 2 kHz (${(samples.length / 2).toFixed(0)} ms of CPU)\n`);
shares.forEach(([what], i) => console.log(`${pct(count[i]!)}  ${what}`));
console.log(`\nguest functions, inclusive:\n${top(inclusive, 25)}\n\nguest functions, self:\n${top(self, 25)}`);
