// CPU-bound JavaScript: fib(30) timed inside each runtime, so start-up is not
// counted. edgebox's two engines interpreting it, and built (`edgebox build`
// as install.sh leaves a user's machine: no Zig anywhere; fib is then
// frozen to WebAssembly), against bun and node.
// Usage: bun bench/compute.ts [runs]

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, EDGEBOX, NODE, installedEnv, interleave, load, machine, median, writeResults } from "./lib.ts";

const runs = Number(process.argv[2] ?? 5);
const dir = mkdtempSync(join(tmpdir(), "edgebox-bench-"));
const script = join(dir, "fib.js");
writeFileSync(
  script,
  `function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }
const t0 = performance.now();
const r = fib(30);
const ms = performance.now() - t0;
if (r !== 832040) throw new Error("wrong result " + r);
console.log(ms.toFixed(3));
`,
);

/** The ms the script measured around fib(30), one run. */
const inside = (argv: string[]) => () => {
  const p = Bun.spawnSync(argv, { env: installedEnv(), stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${p.stderr}`);
  return Number(p.stdout.toString().trim());
};

const built = Bun.spawnSync([EDGEBOX, "build", script, "-o", join(dir, "fib.ebx")], { cwd: dir, stdout: "pipe", stderr: "pipe", env: installedEnv() });
if (built.exitCode !== 0 || !built.stderr.toString().includes("1 of 1 functions frozen")) throw new Error(`edgebox build: ${built.stderr}`);

const contenders: [string, string[]][] = [
  ["edgebox (built, frozen)", [EDGEBOX, "run", join(dir, "fib.ebx")]],
  ["edgebox (native)", [EDGEBOX, "run", "--engine=native", script]],
  ["edgebox (js engine)", [EDGEBOX, "run", "--engine=js", script]],
  ["bun", [BUN, script]],
  ["node", [NODE, script]],
];
const samples = interleave(contenders.map(([, argv]) => inside(argv)), runs);
const rows = contenders.map(([name], i) => [name, median(samples[i]!)] as const);
const base = (name: string) => rows.find(([n]) => n === name)![1];
const text = [
  "## Compute: fib(30) inside the runtime",
  "",
  `${machine()}; ${load()} at the end; ${new Date().toISOString().slice(0, 10)}. Produced by \`bun bench/compute.ts ${runs}\`: the ms each runtime measured around fib(30) (start-up excluded), median of ${runs} runs each, the runtimes' runs interleaved.`,
  "",
  "| | ms | vs bun | vs node | vs js engine |",
  "|---|---:|---:|---:|---:|",
  ...rows.map(([name, ms]) => `| ${name} | ${ms.toFixed(1)} | ${(ms / base("bun")).toFixed(2)}x | ${(ms / base("node")).toFixed(2)}x | ${(ms / base("edgebox (js engine)")).toFixed(2)}x |`),
].join("\n");
console.log(text);
writeResults("compute", text);
