// TypeScript (.ts, .tsx, .mts, .cts) to JavaScript with Bun's transpiler:
// types stripped, not checked, as Deno and Bun run it.
//
// Files are transpiled ahead of the run, with source maps, by Bun.build (one
// file at a time, every import left as it is): the entry and the TypeScript
// files it imports, found by scanning and resolving through the app's policy.
// The sandbox loads modules synchronously, and Bun's synchronous transpiler
// gives no source map, so a TypeScript file the walk did not reach (a
// computed import, or one a JavaScript file imports without naming its
// extension) is transpiled when it loads, unmapped. Results of the walk are cached on disk by file,
// source and tsconfig options.

import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, dirname, join, posix } from "node:path";
import { hostPath } from "../winpath.ts";
import { SourceMap, type RawSourceMap } from "./sourcemap.ts";
import { irregularConfigFor, writeTsconfig } from "./tsconfig.ts";
import { touch, wrote } from "../cache-limit.ts";

const TYPESCRIPT = /\.(ts|tsx|mts|cts)$/;
/** Transpiled files and scans kept on disk take at most this much. */
const CAP_BYTES = 128 * 2 ** 20;

// Bun runs macros (`import { f } from "x" with { type: "macro" }`) while it
// transpiles or bundles: in the host, unsandboxed. Both switches are missing
// from bun-types but honoured by Bun (tests/sandbox/macros.test.ts tries them).
/** For Bun.build: a macro import fails the build ("Macros are disabled"). */
export const NO_MACROS = { macros: false } as object;
/** For Bun.Transpiler: a macro import throws. */
export const NO_MACRO = { macro: false } as object;

export function isTypeScript(file: string): boolean {
  return TYPESCRIPT.test(file);
}

export type Format = "esm" | "cjs";

/** ES module syntax at the start of a line: the file means to be a module. */
export const ESM_SYNTAX = /^\s*(import|export)\b/m;

// (made on first use: a run of plain JavaScript never needs one)
const scanners: { ts?: Bun.Transpiler; tsx?: Bun.Transpiler } = {};
const scannerFor = (file: string) => {
  const loader = file.endsWith(".tsx") ? "tsx" : "ts";
  return (scanners[loader] ??= new Bun.Transpiler({ loader, ...NO_MACRO }));
};

/**
 * A TypeScript file's module format: .mts/.cts by extension, else as declared
 * (package.json "type"), else by its syntax once types are gone (an `export
 * interface` or `import type` alone does not make a module).
 */
export function typeScriptFormat(file: string, source: string, declared: Format | "auto", bySyntax = () => syntaxFormat(file, source)): Format {
  if (file.endsWith(".mts")) return "esm";
  if (file.endsWith(".cts")) return "cjs";
  if (declared !== "auto") return declared;
  return bySyntax();
}

/** The format a file's syntax says, types gone (typeScriptFormat's last resort). */
function syntaxFormat(file: string, source: string): Format {
  try {
    const { imports, exports } = scannerFor(file).scan(source);
    return exports.length > 0 || imports.some((i) => i.kind === "import-statement") ? "esm" : "cjs";
  } catch {
    return ESM_SYNTAX.test(source) ? "esm" : "cjs"; // a syntax error: reported when it runs
  }
}

/** What scanning a file finds: the format its syntax says, and the specifiers it imports. */
interface Scan {
  format: Format;
  imports: string[];
}

interface Output {
  code: string;
  map?: RawSourceMap;
}

/** A scan kept on disk, or undefined when there is none or it is not one. */
function readScan(p: string | undefined): Scan | undefined {
  if (!p) return undefined;
  try {
    const o = JSON.parse(readFileSync(p, "utf8"));
    const ok = (o?.format === "esm" || o?.format === "cjs") && Array.isArray(o.imports) && o.imports.every((i: unknown) => typeof i === "string");
    if (!ok) return undefined;
    touch(p);
    return { format: o.format, imports: o.imports };
  } catch {
    return undefined;
  }
}

/** Code that throws the transpiler's complaint as a SyntaxError where the module is evaluated. */
function syntaxError(message: string): Output {
  return { code: `throw new SyntaxError(${JSON.stringify(message)});\n` };
}

export class TypeScript {
  private readonly outputs = new Map<string, Output>();
  private readonly maps = new Map<string, SourceMap>();
  private readonly scans = new Map<string, Scan>();

  constructor(private readonly cacheDir?: string) {}

  private key(file: string, format: Format, source: string): string {
    const h = BigInt.asUintN(64, BigInt(Bun.hash.wyhash(`${Bun.version}\0${file}\0${format}\0${source}`, 0n)));
    return `${file}\0${format}\0${h.toString(16)}`;
  }

  /** The disk entry for a key and the tsconfig options its transpile used (JSX and decorator settings). */
  private cachePath(key: string, emit: string): string | undefined {
    const h = BigInt.asUintN(64, BigInt(Bun.hash.wyhash(`${key}\0${emit}`, 0n)));
    return this.cacheDir && join(this.cacheDir, `${h.toString(16).padStart(16, "0")}.json`);
  }

  private fromDisk(p: string | undefined): Output | undefined {
    if (!p) return undefined;
    try {
      const o = JSON.parse(readFileSync(p, "utf8"));
      if (typeof o?.code !== "string") return undefined;
      touch(p);
      return o;
    } catch {
      return undefined;
    }
  }

  private toDisk(p: string | undefined, out: Output | Scan): void {
    if (!p) return;
    try {
      mkdirSync(dirname(p), { recursive: true });
      const text = JSON.stringify(out);
      writeFileSync(`${p}.${process.pid}`, text);
      renameSync(`${p}.${process.pid}`, p);
      wrote(dirname(p), Buffer.byteLength(text), CAP_BYTES, ".json");
    } catch {
      // a cache that cannot be written only costs speed
    }
  }

  /**
   * `file`'s format by syntax and its imports, kept on disk beside its
   * transpiled code: a run from the cache makes no Bun.Transpiler (creating
   * one and scanning cost ~0.5 ms of a TypeScript hello's start).
   */
  scan(file: string, source: string): Scan {
    const h = BigInt.asUintN(64, BigInt(Bun.hash.wyhash(`scan\0${Bun.version}\0${file}\0${source}`, 0n))).toString(16).padStart(16, "0");
    let s = this.scans.get(h);
    if (s) return s;
    const p = this.cacheDir && join(this.cacheDir, `${h}.scan.json`);
    s = readScan(p);
    if (!s) {
      let imports: string[] = [];
      try {
        imports = scannerFor(file).scanImports(source).map((i) => i.path);
      } catch {
        // a syntax error: reported when the file runs
      }
      s = { format: syntaxFormat(file, source), imports };
      this.toDisk(p, s);
    }
    this.scans.set(h, s);
    return s;
  }

  /** Transpile `file` with a source map (Bun.build, imports untouched). */
  private async build(file: string, format: Format, emit: Record<string, unknown>): Promise<Output> {
    // (Bun.build reads the file and its configuration itself: by the host's name for it)
    const host = hostPath(file);
    const irregular = irregularConfigFor(host);
    if (irregular) return syntaxError(`cannot transpile ${file}: ${irregular} is not a regular file (edgebox reads configuration only from regular files)`);
    const tsconfig = writeTsconfig(this.cacheDir ?? tmpdir(), emit);
    const r = await Bun.build({ entrypoints: [host], external: ["*"], sourcemap: "external", target: "node", format, tsconfig, minify: false, throw: false, ...NO_MACROS });
    if (!r.success) {
      const m = r.logs.find((l) => l.level === "error") as (BuildMessage & { position?: { file: string; line: number; column: number } }) | undefined;
      const where = m?.position ? `${m.position.file}:${m.position.line}:${m.position.column}: ` : "";
      return syntaxError(`${where}${m?.message ?? `cannot transpile ${file}`}`);
    }
    const js = r.outputs.find((o) => o.kind === "entry-point");
    const map = r.outputs.find((o) => o.kind === "sourcemap");
    if (!js) return syntaxError(`cannot transpile ${file}`);
    const raw = map ? (JSON.parse(await map.text()) as RawSourceMap) : undefined;
    // the map names sources relative to the file's directory; this one file is its only source
    if (raw) raw.sources = raw.sources.map((s) => (s === basename(host) ? file : posix.join(posix.dirname(file), s)));
    return { code: await js.text(), map: raw };
  }

  /**
   * Transpile `entry` (when TypeScript) and the TypeScript files it reaches
   * through static imports and requires, ahead of the run. `resolve` resolves a specifier
   * under the policy (undefined: not found or not allowed, left to run time);
   * `emitOptions` are the tsconfig options that apply to a file (tsconfig.ts).
   */
  async prepare(
    entry: string,
    read: (file: string) => string | undefined,
    formatOf: (file: string, source: string) => Format,
    resolve: (specifier: string, parent: string) => string | undefined,
    emitOptions: (file: string) => Record<string, unknown>,
  ): Promise<void> {
    const seen = new Set<string>();
    let level = [entry];
    while (level.length) {
      const next: string[] = [];
      await Promise.all(
        level.map(async (file) => {
          if (seen.has(file)) return;
          seen.add(file);
          const source = read(file);
          if (source === undefined) return;
          if (isTypeScript(file)) {
            const format = formatOf(file, source);
            const key = this.key(file, format, source);
            const emit = emitOptions(file);
            const disk = this.cachePath(key, JSON.stringify(emit));
            let out = this.fromDisk(disk);
            if (!out) {
              out = await this.build(file, format, emit);
              if (out.map) this.toDisk(disk, out); // (a failure is tried again next run)
            }
            this.outputs.set(key, out);
          }
          for (const spec of this.scan(file, source).imports) {
            const dep = resolve(spec, file);
            if (dep && isTypeScript(dep) && !seen.has(dep)) next.push(dep);
          }
        }),
      );
      level = next;
    }
  }

  /** The JavaScript for `file`: as prepared, or transpiled now (without a map) with `emit()`'s tsconfig options. */
  code(file: string, source: string, format: Format, emit: () => Record<string, unknown>): string {
    const key = this.key(file, format, source);
    let out = this.outputs.get(key);
    if (!out) {
      try {
        const tsconfig = JSON.stringify({ compilerOptions: { jsx: "react-jsx", ...emit() } });
        out = { code: new Bun.Transpiler({ loader: file.endsWith(".tsx") ? "tsx" : "ts", target: "node", tsconfig, ...NO_MACRO }).transformSync(source) };
      } catch (err) {
        out = syntaxError(`${file}: ${(err as Error).message}`);
      }
    }
    if (out.map) this.maps.set(file, new SourceMap(out.map));
    return out.code;
  }

  /** Source maps of the files transpiled so far, by file. */
  get sourceMaps(): ReadonlyMap<string, SourceMap> {
    return this.maps;
  }
}
