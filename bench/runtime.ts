// The runtime's weight, EdgeBox builds side by side: the runtime's assets, the guest's
// start-up phases of a few scripts, and serve's per-request split. Runs alternate between
// the builds (A B A B ...) so that the machine's drift hits all alike.
// Usage: bun bench/runtime.ts [--runs N] [--serve SECONDS] <dist>...
//   each dist is a folder holding `edgebox` and `assets/` (a copy of dist/).

import { existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { parseArgs } from "node:util";
import { tmpdir } from "node:os";
import { basename, join, resolve } from "node:path";
import { cpuTree, installedEnv, machine, median, waitUp, writeResults } from "./lib.ts";

const args = parseArgs({ options: { runs: { type: "string", default: "30" }, serve: { type: "string", default: "5" } }, allowPositionals: true });
const builds = args.positionals.map((d) => resolve(d));
if (builds.length === 0) throw new Error("usage: bun bench/runtime.ts [--runs N] [--serve SECONDS] <dist>...");
const runs = Number(args.values.runs);
const serveSeconds = Number(args.values.serve);
const WRK = Bun.which("wrk");
if (!WRK) throw new Error("wrk is not installed (Debian: apt-get install wrk)");

const dir = mkdtempSync(join(tmpdir(), "edgebox-bench-runtime-"));
const scripts: [string, string][] = [
  ["console.log of a string", `console.log("hello");\n`],
  ["examples/hello.js (console.log of an object)", readFileSync(join(import.meta.dir, "..", "examples", "hello.js"), "utf8")],
  ["require('stream') (loads streams)", `const { Readable } = require("stream");\nconsole.log(typeof Readable);\n`],
  ["require('path').join", `console.log(require("path").join("/a", "b"));\n`],
  ["300,000 EventEmitter emits", `const e = new (require("events"))(); let n = 0; e.on("x", (v) => (n += v));\nfor (let i = 0; i < 300000; i++) e.emit("x", 1);\nconsole.log(n);\n`],
  ["util.inspect of 3,000 objects", `const o = Array.from({ length: 3000 }, (_, i) => ({ id: i, name: "n" + i, tags: ["a", "b"], nested: { ok: true } }));\nconsole.log(require("util").inspect(o, { depth: 3, maxArrayLength: Infinity }).length);\n`],
  ["32 MiB through a stream pipeline", `const { Readable, Transform, Writable, pipeline } = require("stream");\nconst chunk = Buffer.alloc(16384, 97); let i = 0, n = 0;\npipeline(new Readable({ read() { this.push(i++ < 2048 ? chunk : null); } }), new Transform({ transform(c, e, cb) { cb(null, c); } }), new Writable({ write(c, e, cb) { n += c.length; cb(); } }), () => console.log(n));\n`],
  ["1.2 MB of text to a Buffer and back", `const s = "h\u00e9llo w\u00f6rld \u2713 ".repeat(70000);\nconsole.log(Buffer.from(s).toString() === s);\n`],
];
for (const [i, [, src]] of scripts.entries()) writeFileSync(join(dir, `s${i}.js`), src);
writeFileSync(join(dir, "hello.mjs"), `export default { fetch() { return new Response("hello\\n"); } };\n`);

/** One run with EDGEBOX_TRACE=1: the wall and CPU time (user + system) and the guest's phases, ms. */
function traced(edgebox: string, file: string): Record<string, number> {
  const t0 = performance.now();
  const p = Bun.spawnSync([edgebox, "run", file], { env: installedEnv({ EDGEBOX_TRACE: "1" }), stdout: "ignore", stderr: "pipe" });
  const wall = performance.now() - t0;
  if (p.exitCode !== 0) throw new Error(`${edgebox} run ${file} exited ${p.exitCode}: ${p.stderr}`);
  const phases: Record<string, number> = { wall, cpu: Number(p.resourceUsage.cpuTime.total) / 1000 };
  for (const m of p.stderr.toString().matchAll(/^edgebox trace: (.+?)\s+([\d.]+) ms/gm)) phases[m[1]!] = Number(m[2]);
  return phases;
}

const PHASES = ["instantiate", "start()", "run", "cpu", "wall"];
const startRows: string[] = [];
for (const [i, [name]] of scripts.entries()) {
  const file = join(dir, `s${i}.js`);
  const samples = builds.map(() => new Map<string, number[]>());
  for (const e of builds) traced(join(e, "edgebox"), file); // fill each build's caches
  for (let r = 0; r < runs; r++) {
    for (const [k, e] of builds.entries()) {
      for (const [phase, ms] of Object.entries(traced(join(e, "edgebox"), file))) {
        samples[k]!.set(phase, [...(samples[k]!.get(phase) ?? []), ms]);
      }
    }
  }
  for (const [k, e] of builds.entries()) {
    startRows.push(`| ${name} | ${basename(e)} | ${PHASES.map((ph) => median(samples[k]!.get(ph) ?? [0]).toFixed(2)).join(" | ")} |`);
  }
}

/** serve with one worker under wrk: the means of instantiate and handler from --metrics (µs), and the server's CPU per request (µs). */
async function serveSplit(edgebox: string, port: number): Promise<{ inst: number; hand: number; cpu: number; rps: number; count: number }> {
  const proc = Bun.spawn([edgebox, "serve", "hello.mjs", "--port", String(port), "--quiet", "--workers", "1", "--metrics", String(port + 500)], { cwd: dir, stdout: "ignore", stderr: "inherit" });
  try {
    const url = `http://127.0.0.1:${port}/`;
    await waitUp(url, 10);
    const m0 = await (await fetch(`http://127.0.0.1:${port + 500}/metrics`)).text();
    const cpu0 = cpuTree(proc.pid);
    const out = Bun.spawnSync([WRK!, "-t1", "-c8", `-d${serveSeconds}s`, url], { stdout: "pipe" }).stdout.toString();
    const cpu1 = cpuTree(proc.pid);
    const m = await (await fetch(`http://127.0.0.1:${port + 500}/metrics`)).text();
    // serve's phase histograms (internal/serve/metrics.ts): sums and counts by phase
    const v = (text: string, k: string, phase: string) => Number(new RegExp(`^edgebox_request_phase_seconds_${k}\\{phase="${phase}"\\} (\\S+)$`, "m").exec(text)?.[1] ?? 0);
    const count = v(m, "count", "handler");
    const served = count - v(m0, "count", "handler");
    return {
      cpu: ((cpu1 - cpu0) / served) * 1000,
      inst: (v(m, "sum", "ready") / count) * 1e6,
      hand: (v(m, "sum", "handler") / count) * 1e6,
      rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
      count,
    };
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

const serveRows: string[] = [];
const rounds = 3;
const serveSamples = builds.map(() => [] as Awaited<ReturnType<typeof serveSplit>>[]);
for (let r = 0; r < rounds; r++) {
  for (const [k, e] of builds.entries()) serveSamples[k]!.push(await serveSplit(join(e, "edgebox"), 28900 + builds.length * r + k));
}
for (const [k, e] of builds.entries()) {
  const s = serveSamples[k]!;
  const mean = (f: (x: (typeof s)[number]) => number) => s.reduce((t, x) => t + f(x), 0) / s.length;
  serveRows.push(`| ${basename(e)} | ${mean((x) => x.inst).toFixed(0)} | ${mean((x) => x.hand).toFixed(0)} | ${mean((x) => x.cpu).toFixed(0)} | ${mean((x) => x.rps).toFixed(0)} | ${s.reduce((t, x) => t + x.count, 0)} |`);
}

const size = (e: string, f: string) => (existsSync(join(e, "assets", f)) ? String(statSync(join(e, "assets", f)).size) : "-");
const lines = [
  "## The runtime's weight: builds side by side",
  "",
  `${machine()}; ${new Date().toISOString().slice(0, 10)}. Produced by \`bun bench/runtime.ts --runs ${runs} --serve ${serveSeconds} ${builds.map((e) => basename(e)).join(" ")}\` (bench/runtime.ts); runs alternate between the builds.`,
  "",
  "| build | runtime.wasm (QuickJS + the runtime's snapshot), bytes | runtime-modules.bin (kept out of the snapshot), bytes |",
  "|---|---:|---:|",
  ...builds.map((e) => `| ${basename(e)} | ${size(e, "runtime.wasm")} | ${size(e, "runtime-modules.bin")} |`),
  "",
  `\`edgebox run\`: medians of ${runs} runs each, ms (phases from EDGEBOX_TRACE=1: instantiate = a fresh instance of the runtime image; start() = the run bound; run = the script).`,
  "",
  "| script | build | instantiate | start() | run | CPU (user + system) | wall |",
  "|---|---|---:|---:|---:|---:|---:|",
  ...startRows,
  "",
  `\`edgebox serve\` of a hello handler, one worker, \`wrk -t1 -c8 -d${serveSeconds}s\`, ${rounds} rounds per build: means over all requests, from --metrics; the server's CPU time (all its processes) per request served.`,
  "",
  "| build | instance ready µs | handler µs | server CPU per request µs | requests/s | requests |",
  "|---|---:|---:|---:|---:|---:|",
  ...serveRows,
];
console.log(lines.join("\n"));
rmSync(dir, { recursive: true, force: true });
writeResults("runtime", lines.join("\n"));
