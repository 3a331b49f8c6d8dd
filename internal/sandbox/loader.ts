// Module loading: the main file read and compiled (CommonJS or ES module), the
// ES modules the guest imports, require() of an ES module, and every file loaded
// as code kept for error reports.

import { posix } from "node:path";
import { CJS_WRAPPER } from "../../wasm/abi.js";
import { EvalFlags, GuestException } from "../engine/quickjs.ts";
import { UserError } from "../errors.ts";
import { GuestError } from "../hostcalls/errors.ts";
import { fsOps } from "../hostcalls/fs.ts";
import { readRegularFile, RefusedFile } from "../regular-file.ts";
import { linkedSourceMap } from "../transpile/sourcemap.ts";
import { ESM_SYNTAX, isTypeScript } from "../transpile/typescript.ts";
import { MIN_CACHED_SOURCE } from "./bytecode-cache.ts";
import type { Sandbox } from "./index.ts";
import { moduleFormat } from "./modules.ts";
import { carryAsyncContext } from "./async-context.ts";
import { rewriteVLiterals } from "./regexp-v.ts";
import { addMap, readIfAllowed } from "./sourcemaps.ts";
import { javascript } from "./typescript-prep.ts";

// (the guest's paths are POSIX everywhere; on Windows, see winpath.ts)
const { dirname } = posix;

/** `#!...` on a first line is a comment to node; inside our wrappers it would not be. */
function stripHashbang(source: string): string {
  return source.startsWith("#!") ? "//" + source.slice(2) : source;
}

/** A file loaded as code: kept for error reports, told to onLoad. */
export function loaded(sb: Sandbox, file: string, source: string): void {
  if (sb.sources.has(file)) return;
  sb.opts.onLoad?.(file);
  sb.sources.set(file, source);
  const map = isTypeScript(file) ? undefined : linkedSourceMap(file, source, (p) => readIfAllowed(sb, p));
  if (map) addMap(sb, file, map);
}

/** The main file's text: a regular file, bounded (a FIFO named as the app would stop edgebox here). */
export function readMain(sb: Sandbox, file: string): string {
  try {
    return readRegularFile(file, sb.maxSource);
  } catch (err) {
    if (err instanceof RefusedFile) throw new UserError("E_USAGE", `cannot run ${file}: ${err.reason}`);
    throw err;
  }
}

/**
 * The main file's CommonJS wrapper function, or undefined when it is an ES
 * module: declared so, or (undeclared .js) parsing only as a module.
 */
export function compileMain(sb: Sandbox, file: string, source: string, isEval = false): number | undefined {
  // eval is CommonJS unless it is ES module syntax, whatever package.json says (as node's -e)
  const declared = isEval ? "auto" : moduleFormat(file);
  const format = isTypeScript(file) ? sb.calls.modules.typeScriptFormat(file, source) : declared;
  if (format === "esm") return undefined;
  try {
    return compileCommonJS(sb, source, file);
  } catch (err) {
    if (format === "cjs" || !(err instanceof GuestException)) throw err;
    try {
      sb.free(sb.vm.eval(esmSource(sb, file, source), file, EvalFlags.MODULE | EvalFlags.COMPILE_ONLY));
    } catch (esmErr) {
      // Neither parses: report the error of the form the file most likely meant.
      if (esmErr instanceof GuestException) {
        const useEsm = ESM_SYNTAX.test(source);
        sb.vm.free(useEsm ? err.handle : esmErr.handle);
        throw useEsm ? esmErr : err;
      }
      throw esmErr;
    }
    sb.vm.free(err.handle);
    return undefined;
  }
}

/** Compile a CommonJS file: the wrapper function (its line-1 columns are shifted by the wrapper's prefix). */
export function compileCommonJS(sb: Sandbox, source: string, filename: string): number {
  loaded(sb, filename, source);
  markWrapped(sb, filename, CJS_WRAPPER[0]!.length);
  const body = rewriteVLiterals(stripHashbang(javascript(sb, filename, source, "cjs")), false);
  const wrap = (text: string) => CJS_WRAPPER[0] + text + CJS_WRAPPER[1];
  const cache = sb.opts.bytecodeCache;
  if (!cache || source.length < MIN_CACHED_SOURCE) return sb.vm.eval(wrap(carryAsyncContext(body, false)), filename, EvalFlags.GLOBAL);
  // keyed by the text before the await rewrite (the cache is per build), so a hit skips its parse
  const key = wrap(body);
  const cached = cache.get(filename, key);
  if (cached) return sb.vm.evalBytecode(cached);
  const bytecode = sb.vm.compile(wrap(carryAsyncContext(body, false)), filename, EvalFlags.GLOBAL);
  cache.put(filename, key, bytecode);
  return sb.vm.evalBytecode(bytecode);
}

/**
 * require() of an ES module, as node 20.19+: its graph is linked and evaluated now, which
 * QuickJS does synchronously unless a module awaits at top level.
 */
export function requireModule(sb: Sandbox, path: string): void {
  const source = `import * as ns from ${JSON.stringify(path)};globalThis[Symbol.for("edgebox.required")](ns);`;
  const promise = sb.vm.eval(source, `${path}#require`, EvalFlags.MODULE);
  try {
    const state = sb.vm.promiseState(promise);
    if (state === 0) {
      throw new GuestError({
        code: "ERR_REQUIRE_ASYNC_MODULE",
        message: `require() cannot be used on an ESM graph with top-level await. Use import() instead. (${path})`,
      });
    }
    if (state === 2) {
      // the caller gets the error: not an unhandled rejection
      const id = sb.vm.identity(promise);
      const tracked = sb.rejections.get(id);
      if (tracked !== undefined) sb.vm.free(tracked);
      sb.rejections.delete(id);
      throw new GuestException(sb.vm.promiseResult(promise));
    }
  } finally {
    sb.vm.free(promise);
  }
}

/** An ES module's source (transpiled when TypeScript) with import.meta filled in on its first line. */
export function esmSource(sb: Sandbox, file: string, source: string): string {
  const prefix =
    `import.meta.url=${JSON.stringify("file://" + file)};import.meta.filename=${JSON.stringify(file)};` +
    `import.meta.dirname=${JSON.stringify(dirname(file))};` +
    `import.meta.resolve=(s)=>globalThis[Symbol.for("edgebox.resolve")](s,${JSON.stringify(file)});`;
  loaded(sb, file, source);
  markWrapped(sb, file, prefix.length);
  return prefix + carryAsyncContext(rewriteVLiterals(stripHashbang(javascript(sb, file, source, "esm")), true), true, sb.opts.bytecodeCache);
}

function markWrapped(sb: Sandbox, file: string, prefixLength: number): void {
  sb.notify("markWrapped", file, prefixLength);
}

/** Source of an ES module the guest imports: a file (under the policy), a built-in or a CommonJS bridge. */
export function loadModule(sb: Sandbox, name: string): string {
  const text = (entryName: string, arg: string) => {
    const a = sb.vm.newString(arg);
    try {
      const h = sb.callEntry(entryName, [a]);
      const s = sb.vm.toString(h);
      sb.vm.free(h);
      return s;
    } finally {
      sb.vm.free(a);
    }
  };
  if (name.startsWith("node:")) return text("esmBuiltin", name.slice(5));
  const format = sb.calls.modules.formatOf(name);
  const source = fsOps.readFile(sb.calls.ctx, { path: name, encoding: "utf8" }) as string;
  loaded(sb, name, source);
  if (format === "json") return `export default ${source};`;
  if (format === "commonjs" && !ESM_SYNTAX.test(source)) return text("esmCommonJs", name);
  return esmSource(sb, name, source);
}
