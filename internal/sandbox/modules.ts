// Finding the app's entry point and loading its ES modules.

import { existsSync, realpathSync, statSync } from "node:fs";
import { readRegularFile } from "../regular-file.ts";
import { dirname, join, posix, resolve } from "node:path";
import { hostPath } from "../winpath.ts";
import { UserError } from "../errors.ts";

export type ModuleFormat = "esm" | "cjs";

/** As node 22: an undeclared .js file is CommonJS unless only ES module syntax makes it parse. */
export type DeclaredFormat = ModuleFormat | "auto";

/**
 * The directory an app lives in: the target itself when it is a directory; for a
 * file inside a node_modules tree (a package's CLI run by path), the project that
 * holds that tree, so that the package's hoisted dependencies are readable.
 */
export function appDirOf(target: string, cwd: string): string {
  const abs = resolve(cwd, target);
  let real = abs;
  try {
    if (statSync(abs).isDirectory()) return realpathSync(abs);
    real = realpathSync(abs); // node_modules/.bin/x is a link into its package
  } catch {
    // resolveEntry reports it
  }
  const i = real.indexOf("/node_modules/");
  return i > 0 ? real.slice(0, i) : dirname(abs);
}

/** The entry point of npm package `name` in `dir`'s node_modules: its bin (the one named after it, or the only one), else its main. */
export function npmEntry(dir: string, name: string): string {
  const pkgDir = join(dir, "node_modules", name);
  const pkg = readPackageJson(pkgDir) as { bin?: unknown; main?: unknown } | undefined;
  if (!pkg) throw new UserError("E_NOT_FOUND", `the policy's "npm": "${name}" is not installed in ${join(dir, "node_modules")}: run 'npm install ${name}' in ${dir}`);
  let rel: unknown = pkg.bin;
  if (rel && typeof rel === "object") {
    const bins = rel as Record<string, string>;
    rel = bins[name.replace(/^@[^/]+\//, "")] ?? (Object.keys(bins).length === 1 ? Object.values(bins)[0] : undefined);
  }
  for (const c of [rel, pkg.main, "index.js"]) {
    if (typeof c !== "string") continue;
    for (const p of [join(pkgDir, c), join(pkgDir, c + ".js"), join(pkgDir, c, "index.js")]) {
      if (existsSync(p) && statSync(p).isFile()) return realpathSync(p);
    }
  }
  throw new UserError("E_NO_ENTRY", `npm package "${name}" has no bin or main file to run`);
}

/** The file `edgebox run <target>` runs: a file, a directory's policy "npm" package, or its package.json main / index. */
export function resolveEntry(target: string, cwd: string, npm?: string): string {
  const abs = resolve(cwd, target);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new UserError("E_NOT_FOUND", `cannot find '${target}' (looked for ${abs})`);
  }
  if (st.isFile()) return realpathSync(abs);
  if (!st.isDirectory()) throw new UserError("E_NOT_FOUND", `'${target}' is not a file or directory`);
  if (npm) return npmEntry(abs, npm);
  const pkg = readPackageJson(abs);
  const candidates = [pkg?.main, "index.js", "index.mjs", "index.cjs", "index.ts", "index.mts", "index.cts", "index.tsx"].filter((c): c is string => typeof c === "string");
  for (const c of candidates) {
    for (const p of [join(abs, c), join(abs, c + ".js"), join(abs, c, "index.js")]) {
      if (existsSync(p) && statSync(p).isFile()) return realpathSync(p);
    }
  }
  throw new UserError(
    "E_NO_ENTRY",
    `'${target}' is a directory without an entry point: add package.json "main" or an index.js`,
  );
}

/** (`dir`: a host path, or a guest path once the guest runs) */
function readPackageJson(dir: string): { main?: unknown; type?: unknown } | undefined {
  const p = hostPath(dir.startsWith("/") ? posix.join(dir, "package.json") : join(dir, "package.json"));
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readRegularFile(p, 16 << 20));
  } catch {
    return undefined;
  }
}

/** As node: .mjs and .cjs (.mts, .cts) by extension; others by the nearest package.json "type", else "auto" (decided by syntax). */
export function moduleFormat(file: string): DeclaredFormat {
  if (file.endsWith(".mjs") || file.endsWith(".mts")) return "esm";
  if (file.endsWith(".cjs") || file.endsWith(".cts")) return "cjs";
  // (a guest path: POSIX everywhere, see winpath.ts)
  for (let dir = posix.dirname(file); ; dir = posix.dirname(dir)) {
    const pkg = readPackageJson(dir);
    if (pkg?.type === "module") return "esm";
    if (pkg?.type === "commonjs") return "cjs";
    if (pkg !== undefined || posix.dirname(dir) === dir) break;
  }
  return "auto";
}

