// The cost of a confined spawn: an app runs `true` through child_process
// N times and reports the mean per spawn, under policies that add what the
// confinement does (write grants, denied programs masked, EdgeBox's own files
// and nested grants held); bubblewrap alone as the floor, same run.
// Usage: bun bench/spawn.ts [edgebox binary] [runs]

import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";
import { EDGEBOX, machine, writeResults } from "./lib.ts";

const bin = process.argv[2] ? resolve(process.argv[2]) : EDGEBOX;
const runs = Number(process.argv[3] ?? 10);
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

function perSpawn(dir: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const p = Bun.spawnSync([bin, "run", "app.js"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    if (p.exitCode !== 0) return [];
    out.push(Number(p.stdout.toString().trim()));
  }
  return out.sort((a, b) => a - b);
}

function floor(): number[] {
  const argv = ["bwrap", "--die-with-parent", "--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-net", "--ro-bind", "/usr", "/usr", "--symlink", "usr/lib64", "/lib64", "--symlink", "usr/lib", "/lib", "--proc", "/proc", "--dev", "/dev", "--", "/usr/bin/true"];
  const out: number[] = [];
  for (let i = 0; i < runs; i++) {
    const t0 = performance.now();
    for (let j = 0; j < SPAWNS; j++) Bun.spawnSync(argv);
    out.push((performance.now() - t0) / SPAWNS);
  }
  return out.sort((a, b) => a - b);
}

const rows: string[] = [];
const med = (xs: number[]) => (xs.length ? xs[Math.floor(xs.length / 2)]!.toFixed(2) : "refused");
rows.push(`| bubblewrap alone (Bun.spawnSync, the floor) | ${med(floor())} |`);
for (const [name, policy] of cases) {
  const dir = join(root, name.replace(/\W+/g, "-"));
  mkdirSync(join(dir, "out"), { recursive: true });
  writeFileSync(join(dir, ".edgebox.json"), JSON.stringify(policy));
  writeFileSync(join(dir, "app.js"), app);
  rows.push(`| ${name} | ${med(perSpawn(dir))} |`);
}
const md = [`# spawn: ms per confined spawnSync("true"), median of ${runs} runs of ${SPAWNS} (${machine()})`, "", `binary: ${bin}`, "", "| policy | ms per spawn |", "|---|---|", ...rows].join("\n");
console.log(md);
if (bin === EDGEBOX) writeResults("spawn", md);
