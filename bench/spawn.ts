// The cost of a confined spawn: an app runs `true` through child_process
// 20 times and reports the mean per spawn, under policies that add what the
// confinement does (write grants, denied programs masked, EdgeBox's own files
// and nested grants held); bubblewrap alone as the floor. With a second
// binary (an older build), both run interleaved, same policies.
// Usage: bun bench/spawn.ts [runs] [other edgebox binary]

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EDGEBOX, installedEnv, machine, writeResults } from "./lib.ts";

const runs = Number(process.argv[2] ?? 15);
const other = process.argv[3] ? resolve(process.argv[3]) : undefined;
const SPAWNS = 20;
const root = mkdtempSync(join(tmpdir(), "edgebox-bench-spawn-"));
const app = `const cp = require("child_process");\ncp.spawnSync("true");\nconst t0 = performance.now();\nfor (let i = 0; i < ${SPAWNS}; i++) cp.spawnSync("true");\nconsole.log((performance.now() - t0) / ${SPAWNS});\n`;

const exec = [{ path: "/usr/bin", execute: true }, { path: "/bin", execute: true }];
const cases: [string, object][] = [
  ["read grant only", { dirs: [{ path: ".", read: true }, ...exec] }],
  ["a write grant", { dirs: [{ path: ".", read: true }, { path: "./out", write: true }, ...exec] }],
  ["a write grant, 6 denied programs", { dirs: [{ path: ".", read: true }, { path: "./out", write: true }, ...exec], denyCommands: ["rm", "sh", "perl", "curl", "wget", "dd"] }],
  ["example policy (/ rx; /tmp, $HOME, $PWD rw)", { dirs: [{ path: "/", read: true, execute: true }, { path: "/tmp", write: true }, { path: "$HOME", write: true }, { path: "$PWD", write: true }] }],
];

/** ms per spawn as the app measured it; NaN when the binary refuses the policy. */
function once(bin: string, dir: string): number {
  const p = Bun.spawnSync([bin, "run", "app.js"], { cwd: dir, env: installedEnv(), stdout: "pipe", stderr: "pipe" });
  return p.exitCode === 0 ? Number(p.stdout.toString().trim()) : NaN;
}

function floorOnce(): number {
  const argv = ["bwrap", "--die-with-parent", "--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-net", "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/lib", "/lib", "--proc", "/proc", "--dev", "/dev", "--", "/usr/bin/true"];
  const t0 = performance.now();
  for (let j = 0; j < SPAWNS; j++) Bun.spawnSync(argv);
  return (performance.now() - t0) / SPAWNS;
}

const bins = other ? [EDGEBOX, other] : [EDGEBOX];
const dirs = cases.map(([name, policy]) => {
  const dir = join(root, name.replace(/\W+/g, "-"));
  mkdirSync(join(dir, "out"), { recursive: true });
  writeFileSync(join(dir, ".edgebox.json"), JSON.stringify(policy));
  writeFileSync(join(dir, "app.js"), app);
  return dir;
});
const samples = new Map<string, number[]>();
const add = (k: string, v: number) => samples.set(k, [...(samples.get(k) ?? []), v]);
for (let i = 0; i < runs; i++) {
  add("floor", floorOnce());
  dirs.forEach((dir, c) => bins.forEach((bin, b) => add(`${c}/${b}`, once(bin, dir))));
}
const med = (xs: number[] = []) => {
  const s = xs.filter((x) => !Number.isNaN(x)).sort((a, b) => a - b);
  return s.length ? s[Math.floor(s.length / 2)]!.toFixed(1) : "refused";
};
const head = other ? "| policy | this build | the other build |\n|---|---|---|" : "| policy | ms per spawn |\n|---|---|";
const rows = [`| bubblewrap alone (Bun.spawnSync, the floor) | ${med(samples.get("floor"))} |${other ? " |" : ""}`];
cases.forEach(([name], c) => rows.push(`| ${name} | ${bins.map((_, b) => med(samples.get(`${c}/${b}`))).join(" | ")} |`));
const md = [
  `# spawn: ms per confined spawnSync("true"), median of ${runs} runs of ${SPAWNS} (${machine()})`,
  "",
  ...(other ? [`the other build: ${other}`, ""] : []),
  head,
  ...rows,
].join("\n");
console.log(md);
writeResults("spawn", md);
