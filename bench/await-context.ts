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
const N = 20000, ROUNDS = 15;
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

const rows: string[] = [];
for (const [name, argv] of [
  ["edgebox", [EDGEBOX, "run", file]],
  ["node", [NODE, file]],
  ["bun", [BUN, file]],
] as const) {
  const p = Bun.spawnSync([...argv], { env: installedEnv(), stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${name}: ${p.stderr.toString()}`);
  const r = JSON.parse(p.stdout.toString()) as { plain: number; rewritten: number; awaits: number };
  const perAwait = (ms: number) => ((ms * 1e6) / r.awaits).toFixed(0);
  rows.push(`| ${name} | ${r.plain.toFixed(1)} ms (${perAwait(r.plain)} ns/await) | ${r.rewritten.toFixed(1)} ms (${perAwait(r.rewritten)} ns/await) | ${(r.rewritten / r.plain).toFixed(2)} |`);
}

const md = `## What carrying AsyncLocalStorage over await costs when it is not used

${machine()}; ${load()}. Produced by \`node_modules/.bin/bun bench/await-context.ts\`.
One script, the same await-heavy loops (45,001 awaits, a Promise.all of 5,000) plain and as edgebox compiles a module's awaits (\`__edgebox_resume(__edgebox_context(), await x)\`), interleaved in one process, median of 15 rounds; node and bun run it with the two calls defined in JS.

| runtime | plain | each await saving and restoring the store | ratio |
|---|---:|---:|---:|
${rows.join("\n")}
`;
console.log(md);
writeResults("await-context", md);
