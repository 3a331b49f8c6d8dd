// tsconfig.json as far as running TypeScript needs it: "paths" for module
// resolution, and the options that change what the transpiler emits (JSX,
// decorators, class fields). "extends" is followed, file by file, only
// through files the app may read; the transpiler is then given these options
// alone, so it reads no tsconfig itself.

import { mkdirSync, renameSync, statSync, writeFileSync } from "node:fs";
import { readRegularFile } from "../regular-file.ts";
import { dirname, join, resolve } from "node:path";

export interface TsConfig {
  /** Options that change the emitted JavaScript. */
  emit: Record<string, unknown>;
  paths?: Record<string, unknown>;
  /** What "paths" targets are relative to: baseUrl, else the file that set them. */
  pathsBase?: string;
}

const EMIT_OPTIONS = ["jsx", "jsxFactory", "jsxFragmentFactory", "jsxImportSource", "experimentalDecorators", "emitDecoratorMetadata", "useDefineForClassFields", "verbatimModuleSyntax"];

/**
 * A tsconfig.json with just these compiler options, for Bun (given one, it
 * reads no tsconfig of its own finding), in `dir`, named by its content.
 * JSX defaults to React's production runtime, not Bun's development one.
 */
export function writeTsconfig(dir: string, options: Record<string, unknown>): string {
  const text = JSON.stringify({ compilerOptions: { jsx: "react-jsx", ...options } });
  const file = join(dir, `tsconfig-${Bun.hash.wyhash(text, 0n).toString(16)}.json`);
  mkdirSync(dir, { recursive: true });
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text);
  renameSync(tmp, file); // whole or not at all: another process may be reading it
  return file;
}

/** tsconfig.json is JSON with comments and trailing commas. */
export function parseJsonc(text: string): any {
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === '"') {
      const end = /"(?:[^"\\]|\\.)*"/y;
      end.lastIndex = i;
      const m = end.exec(text);
      if (!m) break;
      out += m[0];
      i += m[0].length - 1;
    } else if (c === "/" && text[i + 1] === "/") {
      while (i < text.length && text[i] !== "\n") i++;
      out += "\n";
    } else if (c === "/" && text[i + 1] === "*") {
      const close = text.indexOf("*/", i + 2);
      i = close < 0 ? text.length : close + 1;
    } else out += c;
  }
  return JSON.parse(out.replace(/,(\s*[}\]])/g, "$1"));
}

/**
 * Read `file` and what it extends. `read` gives a file's text when it exists
 * and the app may read it (undefined otherwise: that part is left out).
 */
export function loadTsconfig(file: string, read: (path: string) => string | undefined, depth = 0): TsConfig {
  let raw: any;
  try {
    raw = parseJsonc(read(file) ?? "{}");
  } catch {
    return { emit: {} }; // a tsconfig that does not parse configures nothing
  }
  const own = raw?.compilerOptions && typeof raw.compilerOptions === "object" ? raw.compilerOptions : {};
  let merged: TsConfig = { emit: {} };
  const parents = typeof raw?.extends === "string" ? [raw.extends] : Array.isArray(raw?.extends) ? raw.extends : [];
  for (const ext of parents) {
    const base = depth < 8 && typeof ext === "string" ? extendsTarget(ext, dirname(file), read) : undefined;
    if (!base) continue;
    const b = loadTsconfig(base, read, depth + 1);
    merged = { emit: { ...merged.emit, ...b.emit }, paths: b.paths ?? merged.paths, pathsBase: b.pathsBase ?? merged.pathsBase };
  }
  for (const k of EMIT_OPTIONS) if (k in own) merged.emit[k] = own[k];
  const baseUrl = typeof own.baseUrl === "string" ? resolve(dirname(file), own.baseUrl) : undefined;
  if (own.paths && typeof own.paths === "object") merged = { ...merged, paths: own.paths, pathsBase: baseUrl ?? dirname(file) };
  else if (baseUrl && merged.paths) merged.pathsBase = baseUrl;
  return merged;
}

/** The file an "extends" names: a path (".json" optional), or a package's file in node_modules up the tree. */
function extendsTarget(spec: string, dir: string, read: (path: string) => string | undefined): string | undefined {
  const candidates = (p: string) => [p, `${p}.json`, join(p, "tsconfig.json")];
  if (spec.startsWith(".") || spec.startsWith("/")) return candidates(resolve(dir, spec)).find((p) => read(p) !== undefined);
  for (let d = dir; ; d = dirname(d)) {
    const hit = candidates(join(d, "node_modules", spec)).find((p) => read(p) !== undefined);
    if (hit) return hit;
    if (dirname(d) === d) return undefined;
  }
}

/**
 * A file that Bun's bundler reads on its own for `file` and that is not a
 * regular file (a FIFO, a device: Bun would wait on it forever, out of reach
 * of any time limit): the tsconfig.json, jsconfig.json and package.json of
 * each directory up from `file`, and what a tsconfig extends.
 */
export function irregularConfigFor(file: string): string | undefined {
  let bad: string | undefined;
  const read = (p: string): string | undefined => {
    try {
      const st = statSync(p);
      if (!st.isFile()) return void (bad ??= st.isDirectory() ? undefined : p);
      return readRegularFile(p, 16 << 20);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ENOENT" && (err as NodeJS.ErrnoException).code !== "ENOTDIR") bad ??= p;
      return undefined;
    }
  };
  for (let d = dirname(file); !bad; d = dirname(d)) {
    read(join(d, "package.json"));
    read(join(d, "jsconfig.json"));
    if (read(join(d, "tsconfig.json")) !== undefined) loadTsconfig(join(d, "tsconfig.json"), read);
    if (dirname(d) === d) break;
  }
  return bad;
}
