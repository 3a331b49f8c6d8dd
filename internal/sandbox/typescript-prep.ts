// The TypeScript a run loads: transpiled ahead (with source maps) before the
// guest asks for it, and the JavaScript handed to the guest in its place.

import { dirname } from "node:path";
import { ModuleResolver } from "../hostcalls/modules.ts";
import { readRegularFile } from "../regular-file.ts";
import { trace } from "../trace.ts";
import { isTypeScript, type Format } from "../transpile/typescript.ts";
import type { Sandbox } from "./index.ts";
import { addMap } from "./sourcemaps.ts";

/** A quoted specifier ending in a TypeScript extension. */
const NAMES_TYPESCRIPT = /\.[cm]?tsx?["'`]/;

/**
 * Transpile the TypeScript a run will load, with source maps, before it
 * needs it: a TypeScript main file and what it imports, or the TypeScript
 * files a JavaScript main file names with their extension.
 */
export async function prepareTypeScript(sb: Sandbox, file: string, source: string): Promise<void> {
  if (!isTypeScript(file) && !NAMES_TYPESCRIPT.test(source)) return;
  const resolver = (sb.resolver = new ModuleResolver(sb.opts.policy));
  await sb.ts.prepare(
    file,
    (f) => {
      try {
        return readRegularFile(f, sb.maxSource);
      } catch {
        return undefined;
      }
    },
    (f, source) => resolver.typeScriptFormat(f, source, () => sb.ts.scan(f, source).format),
    (spec, parent) => {
      try {
        const r = resolver.resolve(spec, parent, "import");
        return "path" in r ? r.path : undefined;
      } catch {
        return undefined;
      }
    },
    (f) => resolver.tsconfigFor(dirname(f))?.emit ?? {},
  );
  trace("typescript");
}

/** The JavaScript to run for `source` of `file`: itself, or transpiled when TypeScript. */
export function javascript(sb: Sandbox, file: string, source: string, format: Format): string {
  if (!isTypeScript(file)) return source;
  const code = sb.ts.code(file, source, format, () => sb.calls.modules.tsconfigFor(dirname(file))?.emit ?? {});
  const map = sb.ts.sourceMaps.get(file);
  if (map && !sb.maps.has(file)) addMap(sb, file, map);
  else if (!map) sb.sources.set(file, code); // positions are the transpiled file's
  return code;
}
