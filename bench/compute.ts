// CPU-bound JavaScript: fib(30) timed inside each runtime, so start-up is not
// counted. edgebox's two engines interpreting it, and built (`edgebox build`
// as a user's machine has it: no EDGEBOX_ZIG, no Zig on PATH; fib is then
// frozen to WebAssembly), against bun and node.
// Usage: bun bench/compute.ts [runs]

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, EDGEBOX, NODE, machine } from "./lib.ts";

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

function median(argv: string[]): number {
  const xs: number[] = [];
  for (let i = 0; i < runs; i++) {
    const p = Bun.spawnSync(argv, { stdout: "pipe", stderr: "pipe" });
    if (p.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${p.stderr}`);
    xs.push(Number(p.stdout.toString().trim()));
  }
  xs.sort((a, b) => a - b);
  return xs[xs.length >> 1]!;
}

const built = Bun.spawnSync([EDGEBOX, "build", script, "-o", join(dir, "fib.ebx")], { cwd: dir, stdout: "pipe", stderr: "pipe", env: { HOME: process.env.HOME ?? "/root", PATH: "/usr/bin:/bin" } });
if (built.exitCode !== 0 || !built.stderr.toString().includes("1 of 1 functions frozen")) throw new Error(`edgebox build: ${built.stderr}`);

const rows: [string, number][] = [
  ["edgebox (built, frozen)", median([EDGEBOX, "run", join(dir, "fib.ebx")])],
  ["edgebox (native)", median([EDGEBOX, "run", "--engine=native", script])],
  ["edgebox (js engine)", median([EDGEBOX, "run", "--engine=js", script])],
  ["bun", median([BUN, script])],
  ["node", median([NODE, script])],
];
const base = (name: string) => rows.find(([n]) => n === name)![1];
console.log(`# compute: fib(30) inside the runtime, median of ${runs} (${machine()})\n`);
console.log("## fib(30)");
console.log(["", "ms", "vs bun", "vs node", "vs js engine"].join("\t"));
for (const [name, ms] of rows) {
  console.log([name, ms.toFixed(1), `${(ms / base("bun")).toFixed(2)}x`, `${(ms / base("node")).toFixed(2)}x`, `${(ms / base("edgebox (js engine)")).toFixed(2)}x`].join("\t"));
}
