// Stage 1: bundle the app with Bun.build into one ES module. Every `node:`
// built-in stays an import, resolved at run time to the sandbox's runtime
// (wasm/builtins.js), never to Bun's own modules. Bun reads only what the
// app's policy lets it read: a build must not carry into the artifact a file
// the app could not read at run time.

import { BUILTINS } from "../../wasm/builtins.js";
import { UserError } from "../errors.ts";
import type { RawSourceMap } from "../transpile/sourcemap.ts";
import { NO_MACROS } from "../transpile/typescript.ts";
import { dirname, join, resolve } from "node:path";
import { mkdtempSync, realpathSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { ModuleResolver } from "../hostcalls/modules.ts";
import { writeTsconfig } from "../transpile/tsconfig.ts";
import type { BunPlugin } from "bun";
import { checkPath } from "../policy/fs.ts";
import type { Policy } from "../policy/types.ts";

/** The bundle and its source map back to the app's files (sources as absolute paths, without their text). */
export async function bundle(entry: string, policy: Policy): Promise<{ code: string; map: RawSourceMap }> {
  const external = BUILTINS.flatMap((b) => [b, `node:${b}`]);
  const underPolicy: BunPlugin = {
    name: "edgebox-policy",
    setup(build) {
      build.onLoad({ filter: /.*/ }, (args) => {
        let real = args.path;
        try {
          real = realpathSync(args.path);
        } catch {
          // Bun reports a missing file itself
        }
        const d = checkPath(policy, "read", real);
        if (!d.ok) throw new Error(`the policy does not let the app read ${real} (${d.denial.rule}); to allow it, ${d.denial.remedy.replace(/, or run with .*$/, "")}`);
        return undefined; // Bun loads it as usual
      });
    },
  };
  // The tsconfig the app may read (paths, JSX), so that Bun reads none of its own finding.
  const cfg = new ModuleResolver(policy).tsconfigFor(dirname(entry));
  const tmp = mkdtempSync(join(tmpdir(), "edgebox-build-"));
  const tsconfig = writeTsconfig(tmp, { ...cfg?.emit, ...(cfg?.paths && cfg.pathsBase ? { baseUrl: cfg.pathsBase, paths: cfg.paths } : {}) });
  let result;
  try {
    result = await Bun.build({ entrypoints: [entry], target: "node", format: "esm", external, sourcemap: "external", tsconfig, minify: false, throw: false, plugins: [underPolicy], ...NO_MACROS });
  } catch (err) {
    throw new UserError("E_BUILD", `bundling ${entry} failed: ${(err as Error).message}`);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  if (!result.success) {
    const messages = result.logs.filter((l) => l.level === "error").map((l) => String(l.message ?? l));
    throw new UserError("E_BUILD", `bundling ${entry} failed:\n  ${messages.join("\n  ")}`);
  }
  const js = result.outputs.filter((o) => o.kind === "entry-point");
  const map = result.outputs.find((o) => o.kind === "sourcemap");
  if (js.length !== 1 || !map) throw new UserError("E_BUILD", `bundling ${entry} produced ${result.outputs.length} files; expected one and its source map`);
  const raw = JSON.parse(await map.text()) as RawSourceMap;
  // Bun names sources relative to the entry's directory
  const sources = raw.sources.map((s) => resolve(dirname(entry), s));
  return { code: await js[0]!.text(), map: { version: 3, sources, mappings: raw.mappings } };
}
