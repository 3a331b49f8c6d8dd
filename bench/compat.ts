// The compat corpus (tests/compat/cases) timed: each case under node and
// under edgebox, the same stdout and exit code or not, and the median wall
// time of each in the same run. Usage: bun bench/compat.ts [runs]

import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureCorpus } from "../tests/compat/corpus.ts";
import { EDGEBOX, NODE, installedEnv, machine, median, root } from "./lib.ts";

const runs = Number(process.argv[2] ?? 3);
const project = ensureCorpus();
const casesDir = join(root, "tests", "compat", "cases");
writeFileSync(join(project, ".edgebox.json"), JSON.stringify({ npm: "cowsay", dirs: [{ path: "scratch", write: true }] }));
mkdirSync(join(project, "scratch"), { recursive: true });
const env = installedEnv({ TZ: "UTC" });

function once(argv: string[]): { ms: number; stdout: string; code: number } {
  const t0 = performance.now();
  const p = Bun.spawnSync(argv, { cwd: project, env, stdout: "pipe", stderr: "ignore" });
  return { ms: performance.now() - t0, stdout: p.stdout.toString(), code: p.exitCode ?? -1 };
}

console.log(`# compat corpus: ${runs} runs each, median wall ms (${machine()})\n`);
console.log("| package | same as node? | node ms | edgebox ms | edgebox / node |");
console.log("|---|---|---|---|---|");
for (const c of readdirSync(casesDir).sort()) {
  copyFileSync(join(casesDir, c), join(project, c));
  const file = join(project, c);
  once([EDGEBOX, "run", file]); // warm the bytecode cache
  const n = Array.from({ length: runs }, () => once([NODE, file]));
  const e = Array.from({ length: runs }, () => once([EDGEBOX, "run", file]));
  const same = n[0]!.stdout.length > 0 && n[0]!.stdout === e[0]!.stdout && n[0]!.code === e[0]!.code;
  const nm = median(n.map((r) => r.ms));
  const em = median(e.map((r) => r.ms));
  console.log(`| ${c.replace(/\.[cm]?js$/, "")} | ${same ? "yes" : "no"} | ${nm.toFixed(0)} | ${em.toFixed(0)} | ${(em / nm).toFixed(2)}x |`);
}
