#!/usr/bin/env node
// `npm run build`: install what a fresh machine lacks, then build dist/edgebox.
// Plain Node (no dependencies), because it runs before anything is installed.

import { execFileSync } from "node:child_process";
import { existsSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const run = (cmd, args) => execFileSync(cmd, args, { cwd: root, stdio: "inherit" });

// 1. npm packages (bun itself comes from npm), when missing or older than the lockfile.
const lock = join(root, "package-lock.json");
const installed = join(root, "node_modules", ".package-lock.json");
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  console.error("edgebox build: installing npm packages");
  run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
}

// 2. Everything else is TypeScript, run by the pinned bun.
const bun = join(root, "node_modules", ".bin", "bun");
if (!existsSync(bun)) throw new Error(`bun is missing at ${bun} after npm ci`);
run(bun, [join(root, "internal", "assets", "build.ts"), ...process.argv.slice(2)]);
