// Module resolution as node does it (relative paths, node_modules up the
// tree, package.json "main", "exports" and "imports" with conditions,
// index files), with every probe of the filesystem asked of the policy: a
// module is read only where the app may read.

import { statSync } from "node:fs";
import { readRegularFile, RefusedFile } from "../regular-file.ts";
import { posix } from "node:path";
import { hostPath } from "../winpath.ts";
import { BUILTINS } from "../../wasm/builtins.js";
import { checkPath } from "../policy/fs.ts";
import type { Policy } from "../policy/types.ts";
import { GuestError } from "./errors.ts";
import { isTypeScript, typeScriptFormat, type Format } from "../transpile/typescript.ts";
import { loadTsconfig, type TsConfig } from "../transpile/tsconfig.ts";
import { resolveReal, ResolveError } from "./paths.ts";

// (module paths are the guest's, POSIX everywhere; on Windows, see winpath.ts)
const { dirname, join, resolve: resolvePath } = posix;

/** A package.json or tsconfig.json the host reads, at most. */
const MAX_CONFIG = 16 << 20;
/** A TypeScript source read to tell its format, at most. */
const MAX_SOURCE = 256 << 20;

export type ResolveKind = "require" | "import";

export type Resolved = { builtin: string } | { path: string; format: "commonjs" | "module" | "json" };

const JS_EXTENSIONS = [".js", ".json", ".mjs", ".cjs"];
const EXTENSIONS = [...JS_EXTENSIONS, ".ts", ".tsx", ".mts", ".cts"];

/** TypeScript's habit: `import "./x.js"` names x.ts when that is the file there is. */
const TS_FOR_JS: Record<string, string[]> = { ".js": [".ts", ".tsx"], ".jsx": [".tsx"], ".mjs": [".mts"], ".cjs": [".cts"] };


function notFound(specifier: string, parent: string, kind: ResolveKind, denied?: string): GuestError {
  const hint = denied ? ` (the policy does not let the app read ${denied}: it is outside the read grants)` : "";
  if (kind === "import") {
    return new GuestError({
      code: "ERR_MODULE_NOT_FOUND",
      message: `Cannot find ${specifier.startsWith("/") ? "module" : "package"} '${specifier}' imported from ${parent}${hint}`,
    });
  }
  return new GuestError({
    code: "MODULE_NOT_FOUND",
    message: `Cannot find module '${specifier}'\nRequire stack:\n- ${parent}${hint}`,
    requireStack: [parent],
  });
}

export class ModuleResolver {
  /** The first path the policy kept the search from, for the not-found message. */
  private denied: string | undefined;

  constructor(private readonly policy: Policy) {}

  /**
   * How the resolver reads package.json, tsconfig and TypeScript sources: by name before the guest
   * runs (nothing of the app runs yet); once it runs, HostCalls sets the run's read beneath the
   * grant, so that a link a child swaps in after the check is not followed.
   */
  read: (path: string, limit: number) => string = readRegularFile;

  /**
   * The real path of `p` if it is a file the app may read; undefined otherwise.
   * The policy is asked before the filesystem, so that whether a hidden file
   * exists makes no difference to the answer or the message (`note`: name a
   * denied path in the not-found message).
   */
  private file(p: string, note = true): string | undefined {
    const denied = (path: string) => {
      if (note) this.denied ??= path;
      return undefined;
    };
    if (!checkPath(this.policy, "read", p).ok) return denied(p);
    let real: string;
    try {
      real = resolveReal("/", p);
    } catch (err) {
      if (err instanceof ResolveError) return undefined;
      throw err;
    }
    if (!checkPath(this.policy, "read", real).ok) return denied(p);
    try {
      return statSync(hostPath(real)).isFile() ? real : undefined;
    } catch {
      return undefined;
    }
  }

  /** Whether `p` is a directory the app may read (a denied one is named in the not-found message, as file() does). */
  private dir(p: string): boolean {
    try {
      if (!checkPath(this.policy, "read", p).ok || !checkPath(this.policy, "read", resolveReal("/", p)).ok) {
        this.denied ??= p;
        return false;
      }
      return statSync(hostPath(p)).isDirectory();
    } catch {
      return false;
    }
  }

  /** Parsed package.json files by directory (null: none), read once per run as node does. */
  private readonly packages = new Map<string, any>();

  private packageJson(dir: string): any | undefined {
    if (this.packages.has(dir)) return this.packages.get(dir) ?? undefined;
    const f = this.file(join(dir, "package.json"), false);
    let pkg = null;
    if (f) {
      try {
        pkg = JSON.parse(this.read(f, MAX_CONFIG));
      } catch (err) {
        throw new GuestError({ code: "ERR_INVALID_PACKAGE_CONFIG", message: `Invalid package config ${f}: ${(err as Error).message}` });
      }
    }
    this.packages.set(dir, pkg);
    return pkg ?? undefined;
  }

  private asFile(p: string): string | undefined {
    const exact = this.file(p);
    if (exact) return exact;
    // node never finds TypeScript in node_modules; an app's own files may be TypeScript
    const ts = !p.includes("/node_modules/");
    for (const ext of ts ? EXTENSIONS : JS_EXTENSIONS) {
      const f = this.file(p + ext);
      if (f) return f;
    }
    if (!ts) return undefined;
    const ext = /\.[mc]?jsx?$/.exec(p)?.[0];
    for (const ts of (ext && TS_FOR_JS[ext]) || []) {
      const f = this.file(p.slice(0, -ext!.length) + ts);
      if (f) return f;
    }
    return undefined;
  }

  /** The nearest tsconfig.json from `dir` up (outside node_modules) that the app may read, by directory; null: none. */
  private readonly tsconfigs = new Map<string, string | null>();

  private tsconfigOf(dir: string): string | undefined {
    const known = this.tsconfigs.get(dir);
    if (known !== undefined) return known ?? undefined;
    let found: string | null = null;
    if (!dir.split("/").includes("node_modules")) found = this.file(join(dir, "tsconfig.json"), false) ?? (dirname(dir) !== dir ? (this.tsconfigOf(dirname(dir)) ?? null) : null);
    this.tsconfigs.set(dir, found);
    return found ?? undefined;
  }

  /** The tsconfig that applies in `dir` (its "extends" followed under the policy), parsed once per file. */
  private readonly tsconfigData = new Map<string, TsConfig>();

  tsconfigFor(dir: string): TsConfig | undefined {
    const f = this.tsconfigOf(dir);
    if (!f) return undefined;
    let cfg = this.tsconfigData.get(f);
    if (!cfg) {
      cfg = loadTsconfig(f, (p) => {
        const real = this.file(p, false);
        if (!real) return undefined;
        try {
          return this.read(real, MAX_CONFIG);
        } catch (err) {
          if (err instanceof RefusedFile) return undefined; // left out, as a file it may not read
          throw err;
        }
      });
      this.tsconfigData.set(f, cfg);
    }
    return cfg;
  }

  /** A bare specifier through tsconfig "paths": exact or the longest `*` pattern, each target in turn. */
  private viaTsconfig(specifier: string, base: string): string | undefined {
    const cfg = this.tsconfigFor(base);
    if (!cfg?.paths || !cfg.pathsBase) return undefined;
    const hit = this.matchSubpath(cfg.paths, specifier);
    if (!hit || !Array.isArray(hit.value)) return undefined;
    for (const t of hit.value) {
      if (typeof t !== "string") continue;
      const p = resolvePath(cfg.pathsBase, hit.star === undefined ? t : t.replaceAll("*", hit.star));
      const f = this.asFile(p) ?? this.asDirectory(p);
      if (f) return f;
    }
    return undefined;
  }

  private asDirectory(p: string): string | undefined {
    if (!this.dir(p)) return undefined;
    const pkg = this.packageJson(p);
    if (typeof pkg?.main === "string") {
      const m = join(p, pkg.main);
      const f = this.asFile(m) ?? this.index(m);
      if (f) return f;
    }
    return this.index(p);
  }

  private index(p: string): string | undefined {
    for (const ext of p.includes("/node_modules/") ? JS_EXTENSIONS : EXTENSIONS) {
      const f = this.file(join(p, "index" + ext));
      if (f) return f;
    }
    return undefined;
  }

  /** The nearest package.json's directory and contents, from `dir` up. */
  private packageScope(dir: string): { dir: string; pkg: any } | undefined {
    for (let d = dir; ; d = dirname(d)) {
      if (d.endsWith("/node_modules")) return undefined;
      const pkg = this.packageJson(d);
      if (pkg) return { dir: d, pkg };
      if (dirname(d) === d) return undefined;
    }
  }

  /** A TypeScript file's format (typeScriptFormat), by path and source, decided once per run. */
  private readonly tsFormats = new Map<string, Format>();

  typeScriptFormat(path: string, source: string, bySyntax?: () => Format): Format {
    const key = `${path}\0${Bun.hash.wyhash(source, 0n)}`;
    let f = this.tsFormats.get(key);
    if (!f) {
      const type = this.packageScope(dirname(path))?.pkg?.type;
      f = typeScriptFormat(path, source, type === "module" ? "esm" : type === "commonjs" ? "cjs" : "auto", bySyntax);
      this.tsFormats.set(key, f);
    }
    return f;
  }

  /** "module" for .mjs, and for .js when the nearest package.json says "type": "module"; any other file is CommonJS, as node loads it. */
  formatOf(path: string): "commonjs" | "module" | "json" {
    if (path.endsWith(".json")) return "json";
    if (path.endsWith(".mjs")) return "module";
    if (isTypeScript(path)) return this.typeScriptFormat(path, this.read(path, MAX_SOURCE)) === "esm" ? "module" : "commonjs";
    if (!path.endsWith(".js")) return "commonjs";
    return this.packageScope(dirname(path))?.pkg?.type === "module" ? "module" : "commonjs";
  }

  resolve(specifier: string, parent: string, kind: ResolveKind): Resolved {
    this.denied = undefined;
    const bare = specifier.startsWith("node:") ? specifier.slice(5) : specifier;
    if (BUILTINS.includes(bare)) return { builtin: bare };
    if (specifier.startsWith("node:")) {
      throw new GuestError({ code: "ERR_UNKNOWN_BUILTIN_MODULE", message: `No such built-in module: ${specifier}` });
    }
    const base = dirname(parent);
    let found: string | undefined;
    if (specifier.startsWith("file://")) {
      const p = decodeURIComponent(new URL(specifier).pathname);
      found = this.asFile(p) ?? this.asDirectory(p);
    } else if (specifier.startsWith("/") || specifier.startsWith("./") || specifier.startsWith("../") || specifier === "." || specifier === "..") {
      const p = resolvePath(base, specifier);
      found = this.asFile(p) ?? this.asDirectory(p);
    } else if (specifier.startsWith("#")) {
      found = this.packageImports(specifier, base, kind);
    } else {
      found = this.viaTsconfig(specifier, base) ?? this.nodeModules(specifier, base, kind);
    }
    if (!found) {
      // As node: an import names the resolved path when the specifier is a path.
      const shown = kind === "import" && /^(\.{1,2}(\/|$)|\/)/.test(specifier) ? resolvePath(base, specifier) : specifier;
      throw notFound(shown, parent, kind, this.denied);
    }
    return { path: found, format: this.formatOf(found) };
  }

  private conditions(kind: ResolveKind): string[] {
    return kind === "import" ? ["import", "node", "default"] : ["require", "node", "default"];
  }

  private nodeModules(specifier: string, base: string, kind: ResolveKind): string | undefined {
    const m = /^((?:@[^/]+\/)?[^/]+)(\/.*)?$/.exec(specifier);
    if (!m) return undefined;
    const [, name, sub = ""] = m;
    // A package may import itself by name through its own "exports".
    const scope = this.packageScope(base);
    if (scope && scope.pkg?.name === name && scope.pkg.exports !== undefined) {
      return this.exportsResolve(scope.dir, "." + sub, scope.pkg.exports, kind);
    }
    for (let d = base; ; d = dirname(d)) {
      if (!d.endsWith("/node_modules")) {
        const dir = join(d, "node_modules", name!);
        if (this.dir(dir)) {
          const pkg = this.packageJson(dir);
          if (pkg?.exports !== undefined && pkg.exports !== null) return this.exportsResolve(dir, "." + sub, pkg.exports, kind);
          const p = join(dir, sub);
          const f = sub ? this.asFile(p) ?? this.asDirectory(p) : this.asDirectory(dir);
          if (f) return f;
        }
      }
      if (dirname(d) === d) return undefined;
    }
  }

  private packageImports(specifier: string, base: string, kind: ResolveKind): string | undefined {
    const scope = this.packageScope(base);
    if (!scope?.pkg?.imports) return undefined;
    const target = this.matchSubpath(scope.pkg.imports, specifier);
    if (target === undefined) return undefined;
    const resolved = this.target(scope.dir, target.value, target.star, kind);
    if (resolved && !resolved.startsWith("./") && !resolved.startsWith("/")) return this.nodeModules(resolved, base, kind);
    return resolved && this.asFile(resolved.startsWith("/") ? resolved : join(scope.dir, resolved));
  }

  private exportsResolve(dir: string, subpath: string, exports: any, kind: ResolveKind): string | undefined {
    const isSubpathMap = exports && typeof exports === "object" && !Array.isArray(exports) && Object.keys(exports).some((k) => k.startsWith("."));
    const map = isSubpathMap ? exports : { ".": exports };
    const hit = this.matchSubpath(map, subpath);
    if (!hit) {
      throw new GuestError({
        code: "ERR_PACKAGE_PATH_NOT_EXPORTED",
        message: subpath === "." ? `No "exports" main defined in ${join(dir, "package.json")}` : `Package subpath '${subpath}' is not defined by "exports" in ${join(dir, "package.json")}`,
      });
    }
    const rel = this.target(dir, hit.value, hit.star, kind);
    if (rel === undefined) return undefined;
    return this.file(join(dir, rel));
  }

  /** The entry of a subpath map for `key`: exact, or the longest `*` pattern. */
  private matchSubpath(map: Record<string, unknown>, key: string): { value: unknown; star?: string } | undefined {
    if (Object.prototype.hasOwnProperty.call(map, key) && !key.includes("*")) return { value: map[key] };
    let best: { value: unknown; star: string; len: number } | undefined;
    for (const [k, v] of Object.entries(map)) {
      const star = k.indexOf("*");
      if (star === -1) continue;
      const pre = k.slice(0, star);
      const post = k.slice(star + 1);
      if (key.startsWith(pre) && key.endsWith(post) && key.length >= k.length - 1 && (!best || pre.length > best.len)) {
        best = { value: v, star: key.slice(pre.length, key.length - post.length), len: pre.length };
      }
    }
    return best;
  }

  /** A conditional target: string, array (first that resolves) or condition object. */
  private target(dir: string, value: unknown, star: string | undefined, kind: ResolveKind): string | undefined {
    if (typeof value === "string") return star === undefined ? value : value.replaceAll("*", star);
    if (Array.isArray(value)) {
      for (const v of value) {
        const t = this.target(dir, v, star, kind);
        if (t !== undefined) return t;
      }
      return undefined;
    }
    if (value && typeof value === "object") {
      const conds = this.conditions(kind);
      for (const [k, v] of Object.entries(value)) {
        if (conds.includes(k)) {
          const t = this.target(dir, v, star, kind);
          if (t !== undefined) return t;
        }
      }
    }
    return undefined;
  }
}
