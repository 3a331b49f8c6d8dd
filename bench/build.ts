// Built apps (edgebox build: bytecode, snapshot, frozen functions, native
// code) against bun, node and deno, all in one run; the table also goes to
// bench/RESULTS.md with the machine's description.
// Usage: bun bench/build.ts [runs]

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import toolchain from "../internal/assets/toolchain.json" with { type: "json" };
import { BUN, EDGEBOX, NODE, machine, root, writeResults } from "./lib.ts";

const DENO = join(root, "node_modules", ".bin", "deno");
const ZIG = join(root, ".cache", "toolchain", `ziglang-${toolchain.ziglang}`, "ziglang", "zig");
const runs = Number(process.argv[2] ?? 5);
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
};

interface Sample {
  ms: number;
  rssMiB: number;
}

function sample(argv: string[]): Sample {
  const xs: Sample[] = [];
  for (let i = 0; i < runs; i++) {
    const p = Bun.spawnSync(argv, { cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...process.env, NO_COLOR: "1" } });
    if (p.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${p.exitCode}: ${p.stderr}`);
    xs.push({ ms: Number(p.stdout.toString().trim()), rssMiB: (p.resourceUsage?.maxRSS ?? 0) / 1048576 });
  }
  xs.sort((a, b) => a.ms - b.ms);
  return xs[xs.length >> 1]!;
}

function build(file: string): string {
  const p = Bun.spawnSync([EDGEBOX, "build", file], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { ...process.env, EDGEBOX_ZIG: ZIG } });
  if (p.exitCode !== 0) throw new Error(`edgebox build ${file}: ${p.stderr}`);
  return file.replace(/\.js$/, ".ebx");
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
say(`${machine()}; deno ${Bun.spawnSync([DENO, "--version"]).stdout.toString().split("\n")[0]!.split(" ")[1]}, node ${Bun.spawnSync([NODE, "--version"]).stdout.toString().trim()}; median of ${runs} runs; ${new Date().toISOString().slice(0, 10)}.`);
say(`Compute rows: milliseconds the program measured around its own work (start-up excluded). Peak RSS: the whole process.`);
say(`Produced by \`npm run bench\` (bench/build.ts); edgebox (built) is \`edgebox build\` then \`edgebox run app.ebx\`.`);
say();
say("| program | runtime | ms | vs bun | vs node | vs deno | peak RSS MiB |");
say("|---|---|---:|---:|---:|---:|---:|");
let n = 0;
for (const [name, code] of Object.entries(programs)) {
  const file = `p${n++}.js`;
  writeFileSync(join(dir, file), code);
  const artifact = build(file);
  const results = runtimes(file, artifact).map(([rt, argv]) => [rt, sample(argv)] as const);
  const of = (rt: string) => results.find(([r]) => r === rt)![1].ms;
  for (const [rt, s] of results) {
    say(`| ${name} | ${rt} | ${s.ms.toFixed(1)} | ${(s.ms / of("bun")).toFixed(2)}x | ${(s.ms / of("node")).toFixed(2)}x | ${(s.ms / of("deno")).toFixed(2)}x | ${s.rssMiB.toFixed(0)} |`);
  }
}

// Cold start: the whole process, hello world.
writeFileSync(join(dir, "hello.js"), `console.log("hello");\n`);
const hello = build("hello.js");
function wall(argv: string[]): number {
  const xs: number[] = [];
  for (let i = 0; i < runs * 4 + 2; i++) {
    const t0 = performance.now();
    const p = Bun.spawnSync(argv, { cwd: dir, stdout: "ignore", stderr: "ignore" });
    if (p.exitCode !== 0) throw new Error(`${argv.join(" ")} failed`);
    if (i >= 2) xs.push(performance.now() - t0);
  }
  xs.sort((a, b) => a - b);
  return xs[xs.length >> 1]!;
}
const starts = runtimes("hello.js", hello).map(([rt, argv]) => [rt, wall(argv)] as const);
const sOf = (rt: string) => starts.find(([r]) => r === rt)![1];
for (const [rt, ms] of starts) {
  say(`| cold start, hello | ${rt} | ${ms.toFixed(1)} | ${(ms / sOf("bun")).toFixed(2)}x | ${(ms / sOf("node")).toFixed(2)}x | ${(ms / sOf("deno")).toFixed(2)}x | |`);
}
say();
say(`Artifact sizes: hello ${(readFileSync(join(dir, hello)).length / 1048576).toFixed(1)} MiB.`);
writeResults("build", lines.join("\n"));
