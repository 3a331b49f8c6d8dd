// What carrying AsyncLocalStorage's store over `await` costs a script that
// never uses it. EdgeBox compiles each await of a module to save and restore
// the store (internal/sandbox/async-context.ts). One script times the same
// await-heavy loops in both forms, in one process, interleaved, so machine
// load hits both alike; node and bun run the same script with the same two
// calls defined in JS, for comparison.
// Usage: bun bench/await-context.ts

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, EDGEBOX, NODE, installedEnv, load, machine, writeResults } from "./lib.ts";

const SCRIPT = `
// the same loops twice, as text: plain, and as edgebox compiles a module's awaits (both made by
// new Function, which edgebox does not rewrite, so they differ in nothing else)
const plain = \`
  async function step(i) { await null; return i; }
  return async function loop(n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += await step(i);
    const all = [];
    for (let i = 0; i < n / 4; i++) all.push(step(i).then((x) => x + 1));
    return s + (await Promise.all(all)).length;
  };\`;
const rewritten = \`
  async function step(i) { __edgebox_resume(__edgebox_context(), await null); return i; }
  return async function loop(n) {
    let s = 0;
    for (let i = 0; i < n; i++) s += __edgebox_resume(__edgebox_context(), await step(i));
    const all = [];
    for (let i = 0; i < n / 4; i++) all.push(step(i).then((x) => x + 1));
    return s + (__edgebox_resume(__edgebox_context(), await Promise.all(all))).length;
  };\`;
if (typeof __edgebox_context !== "function") {
  // node and bun: the same two calls, as edgebox's runtime defines them
  let frame = new Map();
  globalThis.__edgebox_context = () => frame;
  globalThis.__edgebox_resume = (saved, value) => ((frame = saved), value);
}
const fns = { plain: new Function(plain)(), rewritten: new Function(rewritten)() };
const N = 10000, ROUNDS = 11;
const t = { plain: [], rewritten: [] };
for (let r = 0; r < ROUNDS + 1; r++) {
  for (const name of ["plain", "rewritten"]) {
    const t0 = performance.now();
    await fns[name](N);
    if (r > 0) t[name].push(performance.now() - t0);
  }
}
const med = (xs) => xs.sort((a, b) => a - b)[xs.length >> 1];
console.log(JSON.stringify({ plain: med(t.plain), rewritten: med(t.rewritten), awaits: N * 2 + N / 4 + 1 }));
`;

const dir = mkdtempSync(join(tmpdir(), "edgebox-await-bench-"));
const file = join(dir, "await.mjs");
writeFileSync(file, SCRIPT);

// Each runtime runs the script RUNS times, the runtimes in turn; the median run by ratio is reported.
const RUNS = 5;
const contenders = [
  ["edgebox", [EDGEBOX, "run", file]],
  ["node", [NODE, file]],
  ["bun", [BUN, file]],
] as const;
type Run = { plain: number; rewritten: number; awaits: number };
const runs = new Map<string, Run[]>(contenders.map(([name]) => [name, []]));
for (let i = 0; i < RUNS; i++) {
  for (const [name, argv] of contenders) {
    const p = Bun.spawnSync([...argv], { env: installedEnv(), stdout: "pipe", stderr: "pipe" });
    if (p.exitCode !== 0) throw new Error(`${name}: ${p.stderr.toString()}`);
    runs.get(name)!.push(JSON.parse(p.stdout.toString()) as Run);
  }
}
const rows = contenders.map(([name]) => {
  const all = runs.get(name)!;
  const ratios = all.map((r) => r.rewritten / r.plain).sort((a, b) => a - b);
  const r = [...all].sort((a, b) => a.rewritten / a.plain - b.rewritten / b.plain)[all.length >> 1]!;
  const perAwait = (ms: number) => ((ms * 1e6) / r.awaits).toFixed(0);
  return `| ${name} | ${r.plain.toFixed(1)} ms (${perAwait(r.plain)} ns/await) | ${r.rewritten.toFixed(1)} ms (${perAwait(r.rewritten)} ns/await) | ${ratios[ratios.length >> 1]!.toFixed(2)} | ${ratios.map((x) => x.toFixed(2)).join(" ")} |`;
});

const md = `## What carrying AsyncLocalStorage over await costs when it is not used

${machine()}; ${load()}. Produced by \`node_modules/.bin/bun bench/await-context.ts\`.
One script, the same await-heavy loops (22,501 awaits, a Promise.all of 2,500) plain and as edgebox compiles a module's awaits (\`__edgebox_resume(__edgebox_context(), await x)\`), interleaved in one process, median of 11 rounds; node and bun run it with the two calls defined in JS. ${RUNS} runs of each, in turn: the median run by ratio, and every run's ratio.

| runtime | plain | each await saving and restoring the store | ratio | ratios of the ${RUNS} runs |
|---|---:|---:|---:|---|
${rows.join("\n")}
`;
console.log(md);
writeResults("await-context", md);
