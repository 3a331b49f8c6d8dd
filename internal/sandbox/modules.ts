// Finding the app's entry point and loading its ES modules.

import { existsSync, readFileSync, realpathSync, statSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { UserError } from "../errors.ts";

export type ModuleFormat = "esm" | "cjs";

/** As node 22: an undeclared .js file is CommonJS unless only ES module syntax makes it parse. */
export type DeclaredFormat = ModuleFormat | "auto";

/** The file `edgebox run <target>` runs: a file, or a directory's package.json main / index. */
export function resolveEntry(target: string, cwd: string): string {
  const abs = resolve(cwd, target);
  let st;
  try {
    st = statSync(abs);
  } catch {
    throw new UserError("E_NOT_FOUND", `cannot find '${target}' (looked for ${abs})`);
  }
  if (st.isFile()) return realpathSync(abs);
  if (!st.isDirectory()) throw new UserError("E_NOT_FOUND", `'${target}' is not a file or directory`);
  const pkg = readPackageJson(abs);
  const candidates = [pkg?.main, "index.js", "index.mjs", "index.cjs"].filter((c): c is string => typeof c === "string");
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

function readPackageJson(dir: string): { main?: unknown; type?: unknown } | undefined {
  const p = join(dir, "package.json");
  if (!existsSync(p)) return undefined;
  try {
    return JSON.parse(readFileSync(p, "utf8"));
  } catch {
    return undefined;
  }
}

/** As node: .mjs and .cjs by extension; .js by the nearest package.json "type", else "auto" (decided by syntax). */
export function moduleFormat(file: string): DeclaredFormat {
  if (file.endsWith(".mjs")) return "esm";
  if (file.endsWith(".cjs")) return "cjs";
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const pkg = readPackageJson(dir);
    if (pkg?.type === "module") return "esm";
    if (pkg?.type === "commonjs") return "cjs";
    if (pkg !== undefined || dirname(dir) === dir) break;
  }
  return "auto";
}

