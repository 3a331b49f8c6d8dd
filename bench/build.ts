// Built apps (edgebox build: bytecode, snapshot, frozen functions, native
// code) against bun, node and deno, all in one run; the table also goes to
// bench/RESULTS.md with the machine's description. edgebox builds as a user's
// machine has it after install.sh: no Zig anywhere (installedEnv).
// Usage: bun bench/build.ts [runs] [program name filter]

import { cpSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, EDGEBOX, NODE, installedEnv, interleave, machine, median, root, timeProcesses, writeResults } from "./lib.ts";

const DENO = join(root, "node_modules", ".bin", "deno");
const runs = Number(process.argv[2] ?? 5);
const only = process.argv[3];
const dir = mkdtempSync(join(tmpdir(), "edgebox-bench-build-"));

/** Each program times its own work and prints milliseconds (start-up is not in it). */
const programs: Record<string, string> = {
  "fib(35)": `function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
const t0 = performance.now();
const r = fib(35);
const ms = performance.now() - t0;
if (r !== 9227465) throw new Error("wrong result " + r);
console.log(ms);`,
  "tail-recursive sum 1..1000, x10000": `function sum(n, acc) { return n === 0 ? acc : sum(n - 1, acc + n); }
const t0 = performance.now();
let total = 0;
for (let i = 0; i < 10000; i++) total += sum(1000, 0);
const ms = performance.now() - t0;
if (total !== 5005000000) throw new Error("wrong result " + total);
console.log(ms);`,
  "array sum, 1M elements x20": `const a = new Array(1000000);
for (let i = 0; i < a.length; i++) a[i] = i % 1000;
const t0 = performance.now();
let s = 0;
for (let k = 0; k < 20; k++) for (let i = 0; i < a.length; i++) s += a[i];
const ms = performance.now() - t0;
if (s !== 9990000000) throw new Error("wrong result " + s);
console.log(ms);`,
  "600k small objects": `const t0 = performance.now();
const xs = [];
for (let i = 0; i < 600000; i++) xs.push({ id: i, x: i * 0.5, name: "n" + (i % 100) });
let s = 0;
for (const o of xs) s += o.x;
const ms = performance.now() - t0;
if (s !== 89999850000) throw new Error("wrong result " + s);
console.log(ms);`,
  // errors as control flow: thrown, caught and dropped unread (a parser's backtracking, a failed probe)
  "20k errors thrown and caught 10 frames deep, 20k JSON.parse failures": `function dig(n) { return n === 0 ? fail() : dig(n - 1); }
function fail() { try { throw new Error("no"); } catch { return 1; } }
let s = 0;
const t0 = performance.now();
for (let i = 0; i < 20000; i++) s += dig(8);
for (let i = 0; i < 20000; i++) try { JSON.parse("{bad"); } catch { s++; }
const ms = performance.now() - t0;
if (s !== 40000) throw new Error("wrong result " + s);
console.log(ms);`,
  // the app's own SHA-256 (FIPS 180-4), written for this benchmark
  "SHA-256 of 1 MiB, pure JS": `const K = new Uint32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5, 0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3,
  0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174, 0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967, 0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13,
  0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85, 0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3, 0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208,
  0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2]);
const rotr = (x, n) => (x >>> n) | (x << (32 - n));
function sha256(bytes) {
  const h = new Uint32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);
  const padded = new Uint8Array(((bytes.length + 9 + 63) >> 6) << 6);
  padded.set(bytes);
  padded[bytes.length] = 0x80;
  const bits = bytes.length * 8;
  const view = new DataView(padded.buffer);
  view.setUint32(padded.length - 8, Math.floor(bits / 2 ** 32));
  view.setUint32(padded.length - 4, bits >>> 0);
  const w = new Uint32Array(64);
  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) w[i] = view.getUint32(off + i * 4);
    for (let i = 16; i < 64; i++) {
      const s0 = rotr(w[i - 15], 7) ^ rotr(w[i - 15], 18) ^ (w[i - 15] >>> 3);
      const s1 = rotr(w[i - 2], 17) ^ rotr(w[i - 2], 19) ^ (w[i - 2] >>> 10);
      w[i] = w[i - 16] + s0 + w[i - 7] + s1;
    }
    let a = h[0], b = h[1], c = h[2], d = h[3], e = h[4], f = h[5], g = h[6], hh = h[7];
    for (let i = 0; i < 64; i++) {
      const t1 = (hh + (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) + ((e & f) ^ (~e & g)) + K[i] + w[i]) | 0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      hh = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
    }
    h[0] += a; h[1] += b; h[2] += c; h[3] += d; h[4] += e; h[5] += f; h[6] += g; h[7] += hh;
  }
  return Array.from(h, (x) => x.toString(16).padStart(8, "0")).join("");
}
const data = new Uint8Array(1 << 20);
for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 255;
const t0 = performance.now();
const digest = sha256(data);
const ms = performance.now() - t0;
if (digest !== "EXPECTED") throw new Error("wrong digest " + digest);
console.log(ms);`,
};
{
  // the expected digest, from Bun's own SHA-256 of the same bytes
  const data = new Uint8Array(1 << 20);
  for (let i = 0; i < data.length; i++) data[i] = (i * 31 + 7) & 255;
  const key = "SHA-256 of 1 MiB, pure JS";
  programs[key] = programs[key]!.replace("EXPECTED", new Bun.CryptoHasher("sha256").update(data).digest("hex"));
}

interface Sample {
  ms: number;
  rssMiB: number;
}

/** One run: the ms the program measured around its work, and the process's peak RSS. */
const sample = (argv: string[]) => (): Sample => {
  const p = Bun.spawnSync(argv, { cwd: dir, stdout: "pipe", stderr: "pipe", env: installedEnv({ NO_COLOR: "1" }) });
  if (p.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${p.exitCode}: ${p.stderr}`);
  return { ms: Number(p.stdout.toString().trim()), rssMiB: (p.resourceUsage?.maxRSS ?? 0) / 1048576 };
};

const userEnv = installedEnv({ NO_COLOR: "1" });
const builds: string[] = [];

function build(file: string, name: string): string {
  const t0 = performance.now();
  const p = Bun.spawnSync([EDGEBOX, "build", file], { cwd: dir, stdout: "pipe", stderr: "pipe", env: userEnv });
  const ms = performance.now() - t0;
  if (p.exitCode !== 0) throw new Error(`edgebox build ${file}: ${p.stderr}`);
  const artifact = file.replace(/\.js$/, ".ebx");
  const frozen = /freeze\s+\d+ ms\s+(.*)/.exec(p.stderr.toString())?.[1] ?? "?";
  builds.push(`| ${name} | ${ms.toFixed(0)} | ${(readFileSync(join(dir, artifact)).length / 1048576).toFixed(2)} | ${frozen} |`);
  return artifact;
}

const runtimes = (file: string, artifact: string): [string, string[]][] => [
  ["edgebox (built)", [EDGEBOX, "run", artifact]],
  ["edgebox run (source)", [EDGEBOX, "run", file]],
  ["bun", [BUN, file]],
  ["node", [NODE, file]],
  ["deno", [DENO, "run", "--quiet", file]],
];

const lines: string[] = [];
const say = (s = "") => {
  console.log(s);
  lines.push(s);
};
say(`## Built apps (edgebox build) against bun, node and deno`);
say();
say(`${machine()}; deno ${Bun.spawnSync([DENO, "--version"]).stdout.toString().split("\n")[0]!.split(" ")[1]}, node ${Bun.spawnSync([NODE, "--version"]).stdout.toString().trim()}; compute rows: median of ${runs} runs, cold start: median of ${runs * 4} runs, each the runtimes' runs interleaved; ${new Date().toISOString().slice(0, 10)}.`);
say(`Compute rows: milliseconds the program measured around its own work (start-up excluded). Peak RSS: the whole process.`);
say(`Produced by \`npm run bench\` (bench/build.ts); edgebox (built) is \`edgebox build\` (in the environment install.sh leaves: no Zig, no build variables; bench/lib.ts installedEnv) then \`edgebox run app.ebx\`.`);
say(`Load average at the start: ${loadavg()[0]!.toFixed(1)} on ${navigator.hardwareConcurrency} cores (a machine shared with other work: absolute numbers are noisy; ratios within one run hold better).`);
say();
say("| program | runtime | ms | vs bun | vs node | vs deno | peak RSS MiB |");
say("|---|---|---:|---:|---:|---:|---:|");
let n = 0;
for (const [name, code] of Object.entries(programs)) {
  if (only && !name.includes(only)) continue;
  const file = `p${n++}.js`;
  writeFileSync(join(dir, file), code);
  const artifact = build(file, name);
  const rts = runtimes(file, artifact);
  const samples = interleave(rts.map(([, argv]) => sample(argv)), runs, 0);
  const results = rts.map(([rt], i) => [rt, median(samples[i]!, (x) => x.ms)] as const);
  const of = (rt: string) => results.find(([r]) => r === rt)![1].ms;
  for (const [rt, s] of results) {
    say(`| ${name} | ${rt} | ${s.ms.toFixed(1)} | ${(s.ms / of("bun")).toFixed(2)}x | ${(s.ms / of("node")).toFixed(2)}x | ${(s.ms / of("deno")).toFixed(2)}x | ${s.rssMiB.toFixed(0)} |`);
  }
}

// A real package, the whole process: require("typescript") (8 MiB of JS) and one
// transpileModule. Written as an app for edgebox build would be: the top level loads the
// package (pre-run at build time, so the artifact starts with it loaded), the work runs
// from a timer, with the run's own input (argv). bun, node and the built artifact;
// deno runs no CommonJS file as it is, and plain `edgebox run` takes seconds to load it.
if (!only || "typescript".includes(only)) {
  const app = join(dir, "ts-app");
  mkdirSync(join(app, "node_modules"), { recursive: true });
  cpSync(join(root, "node_modules", "typescript"), join(app, "node_modules", "typescript"), { recursive: true });
  writeFileSync(
    join(app, "ts.js"),
    `const ts = require("typescript");
setTimeout(() => {
  const src = \`interface P { x: number; y?: string }
export class A<T> { constructor(private p: P, public t: T) {} get sum(): number { return this.p.x + (this.p.y?.length ?? 0); } }
enum E { A = 1, B, C }
export const f = async (a: number[]): Promise<number> => a.reduce((s, v) => s + v, 0) * E.B;
\`.repeat(10) + "export const n = " + process.argv.length + ";";
  const out = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2020 } }).outputText;
  if (!out.includes("var E;")) throw new Error("unexpected output");
  console.log(out.length);
}, 0);
`,
  );
  const t0 = performance.now();
  const p = Bun.spawnSync([EDGEBOX, "build", "ts.js"], { cwd: app, stdout: "pipe", stderr: "pipe", env: userEnv });
  if (p.exitCode !== 0) throw new Error(`edgebox build ts.js: ${p.stderr}`);
  const frozen = /freeze\s+\d+ ms\s+(.*)/.exec(p.stderr.toString())?.[1] ?? "?";
  builds.push(`| typescript transpileModule app | ${(performance.now() - t0).toFixed(0)} | ${(readFileSync(join(app, "ts.ebx")).length / 1048576).toFixed(2)} | ${frozen} |`);
  const ts = timeProcesses(
    [
      { name: "edgebox (built)", argv: [EDGEBOX, "run", "ts.ebx"], cwd: app },
      { name: "bun", argv: [BUN, "ts.js"], cwd: app },
      { name: "node", argv: [NODE, "ts.js"], cwd: app },
    ],
    runs * 2,
    1,
  ).map((t) => [t.name, t.median] as const);
  const tOf = (rt: string) => ts.find(([r]) => r === rt)![1];
  for (const [rt, ms] of ts) say(`| typescript: require + transpileModule, whole process | ${rt} | ${ms.toFixed(1)} | ${(ms / tOf("bun")).toFixed(2)}x | ${(ms / tOf("node")).toFixed(2)}x | - | |`);
}

// Cold start: the whole process, hello world.
writeFileSync(join(dir, "hello.js"), `console.log("hello");\n`);
const hello = build("hello.js", "hello");
const starts = timeProcesses(
  runtimes("hello.js", hello).map(([name, argv]) => ({ name, argv, cwd: dir })),
  runs * 4,
  2,
).map((t) => [t.name, t.median] as const);
const sOf = (rt: string) => starts.find(([r]) => r === rt)![1];
for (const [rt, ms] of starts) {
  say(`| cold start, hello | ${rt} | ${ms.toFixed(1)} | ${(ms / sOf("bun")).toFixed(2)}x | ${(ms / sOf("node")).toFixed(2)}x | ${(ms / sOf("deno")).toFixed(2)}x | |`);
}
say();
say("`edgebox build` of each program (wall ms, the whole command; its native code stage compiles with Cranelift into the cache):");
say();
say("| program | build ms | artifact MiB | freeze stage |");
say("|---|---:|---:|---|");
for (const b of builds) say(b);
writeResults("build", lines.join("\n"));
