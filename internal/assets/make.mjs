#!/usr/bin/env node
// `npm run build`: install what a fresh machine lacks, then build dist/edgebox.
// Plain Node (no dependencies), because it runs before anything is installed.
//
// Installs, each only when missing:
//   - npm packages (bun itself comes from npm `bun`), from package-lock.json;
//   - Zig from PyPI `ziglang` and Wasmtime's C library from the PyPI `wasmtime`
//     wheel, pinned in toolchain.json, into .cache/toolchain/.

import { execFileSync } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, renameSync, rmSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
const pins = JSON.parse(readFileSync(join(root, "internal", "assets", "toolchain.json"), "utf8"));
const toolchain = join(root, ".cache", "toolchain");
function run(cmd, args, opts = {}) {
  try {
    execFileSync(cmd, args, { cwd: root, stdio: ["ignore", "inherit", "inherit"], ...opts });
  } catch (err) {
    // The command already printed why; one line more, no Node stack.
    console.error(`edgebox build: failed: ${cmd} ${args.join(" ")} (exit ${err.status ?? err.signal})`);
    process.exit(1);
  }
}
const say = (msg) => console.error(`edgebox build: ${msg}`);

// 1. npm packages, when missing or older than the lockfile.
const lock = join(root, "package-lock.json");
const installed = join(root, "node_modules", ".package-lock.json");
if (!existsSync(installed) || statSync(installed).mtimeMs < statSync(lock).mtimeMs) {
  say("installing npm packages");
  run("npm", ["ci", "--no-audit", "--no-fund", "--loglevel=error"]);
}

// 2. Zig, from PyPI.
const zigDir = join(toolchain, `ziglang-${pins.ziglang}`);
const zig = join(zigDir, "ziglang", "zig");
if (!existsSync(zig)) {
  say(`installing zig ${pins.ziglang} (PyPI ziglang)`);
  rmSync(zigDir, { recursive: true, force: true });
  run("python3", ["-m", "pip", "install", "--quiet", "--disable-pip-version-check", "--no-deps", "--target", zigDir, `ziglang==${pins.ziglang}`]);
}

// 3. Wasmtime's C library, from the PyPI wheel for this platform.
const platforms = {
  "linux-x64": { wheel: "manylinux1_x86_64", dir: "linux-x86_64", lib: "_libwasmtime.so", out: "libwasmtime.so" },
  "linux-arm64": { wheel: "manylinux2014_aarch64", dir: "linux-aarch64", lib: "_libwasmtime.so", out: "libwasmtime.so" },
  "darwin-x64": { wheel: "macosx_10_13_x86_64", dir: "darwin-x86_64", lib: "_libwasmtime.dylib", out: "libwasmtime.dylib" },
  "darwin-arm64": { wheel: "macosx_11_0_arm64", dir: "darwin-aarch64", lib: "_libwasmtime.dylib", out: "libwasmtime.dylib" },
  "windows-x64": { wheel: "win_amd64", dir: "win32-x86_64", lib: "_wasmtime.dll", out: "wasmtime.dll" },
};
function wasmtimeLib(target) {
  const p = platforms[target];
  if (!p) throw new Error(`no Wasmtime wheel is known for ${target}`);
  const dir = join(toolchain, `wasmtime-${pins.wasmtime}`, target);
  const lib = join(dir, p.out);
  if (!existsSync(lib)) {
    say(`fetching Wasmtime ${pins.wasmtime} for ${target} (PyPI wasmtime wheel)`);
    const dl = join(toolchain, "wheels", target);
    mkdirSync(dl, { recursive: true });
    run("python3", ["-m", "pip", "download", "--quiet", "--disable-pip-version-check", "--no-deps", "--only-binary=:all:", "--platform", p.wheel, "-d", dl, `wasmtime==${pins.wasmtime}`]);
    const wheel = join(dl, readdirSync(dl).find((f) => f.startsWith(`wasmtime-${pins.wasmtime}-`) && f.endsWith(".whl")));
    const tmp = join(toolchain, `wheel-${process.pid}`);
    rmSync(tmp, { recursive: true, force: true });
    run("python3", ["-c", `import sys, zipfile; zipfile.ZipFile(sys.argv[1]).extract(sys.argv[2], sys.argv[3])`, wheel, `wasmtime/${p.dir}/${p.lib}`, tmp]);
    mkdirSync(dir, { recursive: true });
    renameSync(join(tmp, "wasmtime", p.dir, p.lib), lib);
    rmSync(tmp, { recursive: true, force: true });
  }
  return dir;
}

const host = `${process.platform}-${process.arch}`;
const wasmtimeDir = wasmtimeLib(host);

// 4. Everything else is TypeScript, run by the pinned bun.
const bun = join(root, "node_modules", ".bin", "bun");
if (!existsSync(bun)) throw new Error(`bun is missing at ${bun} after npm ci`);
const args = process.argv.slice(2);
const release = args.indexOf("--release");
run(bun, [join(root, "internal", "assets", "build.ts"), ...(release === -1 ? args : args.slice(0, release))], {
  env: { ...process.env, EDGEBOX_ZIG: zig, EDGEBOX_WASMTIME_LIB: wasmtimeDir },
});

// 5. `npm run release [targets...]`: every target (default all), each with its own Wasmtime.
if (release !== -1) {
  const wanted = args.slice(release + 1);
  const targets = wanted.length ? wanted : Object.keys(platforms);
  const unknown = targets.filter((t) => !platforms[t]);
  if (unknown.length) {
    console.error(`edgebox release: unknown target ${unknown.join(", ")} (known: ${Object.keys(platforms).join(", ")})`);
    process.exit(1);
  }
  const libs = Object.fromEntries(targets.map((t) => [t, wasmtimeLib(t)]));
  run(bun, [join(root, "internal", "assets", "release.ts")], { env: { ...process.env, EDGEBOX_ZIG: zig, EDGEBOX_RELEASE_LIBS: JSON.stringify(libs) } });
}
