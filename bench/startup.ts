// Cold start of a hello world, every runtime in the same run, interleaved (one
// process of each per round, so a change in the machine's load hits all alike):
// edgebox on a script, on its built artifact and on TypeScript; bun, deno and
// node on the same files. Reported: wall time and the process's CPU time (user
// + system, from wait4), which is the steadier of the two on a shared machine,
// and the peak RSS (GNU time, own runs); then the median CPU time of each EDGEBOX_TRACE phase.
// The floor rows are one probe compiled as the edgebox executable is (same
// flags), doing cumulatively less than a run: a hello; + the Bun modules a run
// loads; + opening the host library and creating Wasmtime's engine; + mapping
// the runtime's precompiled module from edgebox's cache. What a run costs above
// the last row is EdgeBox's own host JS and the guest's start and run.
// Usage: bun bench/startup.ts [runs] [--write]   (--write: into bench/RESULTS.md)

import { existsSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, EDGEBOX, NODE, installedEnv, machine, root, writeResults } from "./lib.ts";
import { buildInfo, cacheDir, nativeHostPath } from "../internal/assets/index.ts";
import { compileCommand } from "../internal/assets/compile.ts";

const runs = Number(process.argv.slice(2).find((a) => /^\d+$/.test(a)) ?? 30);
const write = process.argv.includes("--write");
const DENO = join(root, "node_modules", ".bin", "deno");
const dir = mkdtempSync(join(tmpdir(), "edgebox-bench-"));
const hello = join(dir, "hello.js");
writeFileSync(hello, `console.log("hello");\n`);
const helloTs = join(dir, "hello.ts");
writeFileSync(helloTs, `interface Greeting { text: string }\nconst g: Greeting = { text: "hello" };\nconsole.log(g.text);\n`);
const artifact = join(dir, "hello.ebx");
const env = installedEnv({ DENO_NO_UPDATE_CHECK: "1" });

function spawn(argv: string[], extraEnv: Record<string, string> = {}) {
  const t0 = performance.now();
  const p = Bun.spawnSync(argv, { cwd: dir, env: { ...env, ...extraEnv }, stdout: "ignore", stderr: "pipe" });
  const wall = performance.now() - t0;
  if (p.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${p.exitCode}: ${p.stderr.toString()}`);
  return { wall, cpu: Number(p.resourceUsage.cpuTime.total) / 1000, stderr: p.stderr.toString() };
}

// Peak RSS through GNU time, in its own runs: Bun spawns with vfork, so the maxRSS of
// its child's rusage counts the benchmark's own pages (every row read >= ~38 MiB).
const TIME = "/usr/bin/time";
function peakRss(argv: string[]): number | undefined {
  const p = Bun.spawnSync([TIME, "-f", "%M", ...argv], { cwd: dir, env, stdout: "ignore", stderr: "pipe" });
  const kb = Number(p.stderr.toString().trim().split("\n").pop());
  return p.exitCode === 0 && kb > 0 ? kb / 1024 : undefined;
}

const build = Bun.spawnSync([EDGEBOX, "build", hello, "-o", artifact], { cwd: dir, env, stdout: "ignore", stderr: "pipe" });
if (build.exitCode !== 0) throw new Error(`edgebox build: ${build.stderr.toString()}`);

// The floor probe (dist/edgebox has run once above, so its cache holds the host library and the precompiled runtime).
const cache = cacheDir();
const probe = join(dir, "floor.ts");
writeFileSync(
  probe,
  `const step = Number(process.argv[2]);
if (step >= 1) await Promise.all([import("node:fs"), import("node:path"), import("node:os"), import("bun:ffi")]);
if (step >= 2) {
  const { dlopen, JSCallback, ptr } = await import("bun:ffi");
  const lib = dlopen(${JSON.stringify(await nativeHostPath())}, {
    eb_engine_new: { args: ["u32", "ptr", "ptr", "ptr", "ptr", "usize"], returns: "i32" },
    eb_module_deserialize_file: { args: ["ptr", "u32", "cstring", "ptr", "ptr", "usize"], returns: "i32" },
  });
  const callback = new JSCallback(() => 0, { args: ["u32", "u32", "u32"], returns: "u32" });
  const scratch = new BigUint64Array(64), out = new BigUint64Array(2), err = new Uint8Array(256);
  if (lib.symbols.eb_engine_new(0, callback.ptr, ptr(scratch), ptr(out), ptr(err), err.length) !== 0) throw new Error("engine");
  const cwasm = Buffer.from(${JSON.stringify(join(cache, `runtime-${buildInfo.runtimeHash}-f0.cwasm`))} + "\\0");
  if (step >= 3 && lib.symbols.eb_module_deserialize_file(Number(out[0]), 0, cwasm, ptr(out, 8), ptr(err), err.length) !== 0) throw new Error("deserialize");
}
console.log("hello");
`,
);
const floor = join(dir, "floor");
const entry = join(root, "cmd", "main.ts");
const compiled = Bun.spawnSync(compileCommand(root, floor).map((a) => (a === entry ? probe : a)), { cwd: dir, stdout: "ignore", stderr: "pipe" });
if (compiled.exitCode !== 0) throw new Error(`compiling the floor probe: ${compiled.stderr.toString()}`);

const subjects: { name: string; argv: string[] }[] = [
  { name: "edgebox run hello.js", argv: [EDGEBOX, "run", hello] },
  { name: "edgebox run hello.ebx (built)", argv: [EDGEBOX, "run", artifact] },
  { name: "edgebox run hello.ts", argv: [EDGEBOX, "run", helloTs] },
  { name: "bun hello.js", argv: [BUN, hello] },
  { name: "bun hello.ts", argv: [BUN, helloTs] },
  { name: "deno run hello.js", argv: [DENO, "run", "--quiet", hello] },
  { name: "deno run hello.ts", argv: [DENO, "run", "--quiet", helloTs] },
  { name: "node hello.js", argv: [NODE, hello] },
  { name: "floor: a compiled hello (bun build --compile, edgebox's flags)", argv: [floor, "0"] },
  { name: "floor: + node:fs, node:path, node:os, bun:ffi", argv: [floor, "1"] },
  { name: "floor: + dlopen the host library, Wasmtime's engine", argv: [floor, "2"] },
  { name: "floor: + map the runtime's precompiled module", argv: [floor, "3"] },
];

// Warm-up: fills edgebox's precompiled and TypeScript caches, and the page cache for all.
for (let i = 0; i < 3; i++) for (const s of subjects) spawn(s.argv);

const samples = new Map(subjects.map((s) => [s.name, { wall: [] as number[], cpu: [] as number[], rss: [] as number[] }]));
if (existsSync(TIME)) for (let i = 0; i < 3; i++) for (const s of subjects) { const kb = peakRss(s.argv); if (kb) samples.get(s.name)!.rss.push(kb); }
const load0 = loadavg()[0]!;
for (let i = 0; i < runs; i++) {
  for (const s of subjects) {
    const r = spawn(s.argv);
    const m = samples.get(s.name)!;
    m.wall.push(r.wall);
    m.cpu.push(r.cpu);
  }
}
const load1 = loadavg()[0]!;

// Where edgebox's time goes: the CPU time and minor page faults of each traced phase, medians over the runs.
const phases = new Map<string, number[]>();
const faults = new Map<string, number[]>();
const add = (to: Map<string, number[]>, key: string, n: number) => (to.get(key) ?? to.set(key, []).get(key)!).push(n);
for (const [label, argv] of [["script", subjects[0]!.argv], ["built", subjects[1]!.argv]] as const) {
  for (let i = 0; i < runs; i++) {
    const r = spawn(argv, { EDGEBOX_TRACE: "1" });
    let cpuAt = 0;
    for (const m of r.stderr.matchAll(/^edgebox trace: (.+?)\s+[\d.]+ ms \(at [\d.]+\) cpu ([\d.]+) ms \(at ([\d.]+)\) faults (\d+) \(at (\d+)\)/gm)) {
      // before the first phase: Bun's own start and the entry chunk
      if (m[1]!.trim() === "main()") {
        add(phases, `${label}|before main() (Bun's start)`, Number(m[3]) - Number(m[2]));
        add(faults, `${label}|before main() (Bun's start)`, Number(m[5]) - Number(m[4]));
      }
      add(phases, `${label}|${m[1]!.trim()}`, Number(m[2]));
      add(faults, `${label}|${m[1]!.trim()}`, Number(m[4]));
      cpuAt = Number(m[3]);
    }
    // after the last phase: freeing the instance is in "run"; this is the process's exit
    add(phases, `${label}|exit`, r.cpu - cpuAt);
    add(phases, `${label}|(whole process)`, r.cpu);
  }
}
rmSync(dir, { recursive: true, force: true });

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[s.length >> 1]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const med = (name: string, k: "wall" | "cpu") => median(samples.get(name)![k]);
const rss = (name: string) => (samples.get(name)!.rss.length ? median(samples.get(name)!.rss).toFixed(0) : "-");
const base = (name: string) => (name.endsWith(".ts") ? "bun hello.ts" : "bun hello.js");

const lines = [
  "## Start-up: hello world, every runtime in one interleaved run",
  "",
  `${machine()}; ${runs} rounds, each runs every row once (after 3 warm-up rounds); load average ${load0.toFixed(1)} before, ${load1.toFixed(1)} after; ${new Date().toISOString().slice(0, 10)}. Produced by \`bun bench/startup.ts ${runs} --write\`.`,
  "CPU = user + system time of the process (wait4's rusage); the ratio columns divide by bun on the same file (hello.js or hello.ts).",
  "The floor rows: one probe compiled with the edgebox executable's flags, doing cumulatively more of what every run must (its last row: a Bun executable that has loaded the host library, created Wasmtime's engine and mapped the precompiled runtime, before any of EdgeBox's own host JS or the guest runs).",
  "",
  "| command | CPU ms (median) | CPU vs bun | wall ms (median) | wall vs bun | peak RSS MiB |",
  "|---|---:|---:|---:|---:|---:|",
  ...subjects.map((s) =>
    `| ${s.name} | ${med(s.name, "cpu").toFixed(2)} | ${(med(s.name, "cpu") / med(base(s.name), "cpu")).toFixed(2)}x | ${med(s.name, "wall").toFixed(2)} | ${(med(s.name, "wall") / med(base(s.name), "wall")).toFixed(2)}x | ${rss(s.name)} |`,
  ),
  "",
  `Where \`edgebox run\` spends its CPU time (EDGEBOX_TRACE=1, median of ${runs} runs per column: CPU ms and minor page faults; each phase ends at its label):`,
  "",
  "| phase | hello.js CPU | faults | hello.ebx (built) CPU | faults |",
  "|---|---:|---:|---:|---:|",
];
// the phases in the order they happen (a phase only one column has goes after its predecessor there)
const order: string[] = [];
let prev = -1;
for (const k of phases.keys()) {
  const p = k.split("|")[1]!;
  if (p === "exit" || p === "(whole process)") prev = -1;
  else if (order.includes(p)) prev = order.indexOf(p);
  else order.splice(++prev, 0, p);
}
order.push("exit", "(whole process)");
for (const p of order) {
  const cell = (label: string) => (phases.has(`${label}|${p}`) ? median(phases.get(`${label}|${p}`)!).toFixed(2) : "-");
  const count = (label: string) => (faults.has(`${label}|${p}`) ? median(faults.get(`${label}|${p}`)!).toFixed(0) : "");
  lines.push(`| ${p} | ${cell("script")} | ${count("script")} | ${cell("built")} | ${count("built")} |`);
}
const text = lines.join("\n");
console.log(text);
if (write) writeResults("startup", text);
