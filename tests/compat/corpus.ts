// The compat corpus's temp project: the packages pinned in package.json and
// package-lock.json here, installed once per pin set (the tests and the
// package benchmarks share it).

import { copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const HERE = import.meta.dir;

/** The project directory with node_modules installed (`npm ci`, no install scripts). */
export function ensureCorpus(): string {
  const manifest = readFileSync(join(HERE, "package.json"), "utf8") + readFileSync(join(HERE, "package-lock.json"), "utf8");
  const project = join(tmpdir(), `edgebox-compat-${Bun.hash(manifest).toString(16)}`);
  const installed = join(project, "node_modules", ".edgebox-installed");
  if (existsSync(installed)) return project;
  rmSync(project, { recursive: true, force: true });
  mkdirSync(project, { recursive: true });
  for (const f of ["package.json", "package-lock.json"]) copyFileSync(join(HERE, f), join(project, f));
  const npm = Bun.spawnSync(["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"], { cwd: project, stdout: "pipe", stderr: "pipe" });
  if (npm.exitCode !== 0) throw new Error(`npm ci failed in ${project}:\n${npm.stderr.toString()}`);
  writeFileSync(installed, "");
  return project;
}
