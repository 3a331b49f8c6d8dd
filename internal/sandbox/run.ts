// `edgebox run`: resolve the app, load the guest, run it, return the exit code.

import { dirname } from "node:path";
import { loadQuickJSWasm, loadRuntimeBytecode } from "../assets/index.ts";
import { JsEngine } from "../engine/js.ts";
import { fdSink } from "../hostcalls/stdio.ts";
import { resolveEntry } from "./modules.ts";
import { UserError } from "../errors.ts";
import { Sandbox } from "./index.ts";
import built from "../../dist/assets/versions.json" with { type: "json" };

/** The Node.js API level the runtime presents (process.version). */
export const NODE_COMPAT = "20.0.0";

export interface RunOptions {
  target: string;
  args: string[];
  cwd: string;
  engine?: "native" | "js";
}

export async function runApp(opts: RunOptions): Promise<number> {
  if (opts.engine === "native") throw new UserError("E_ENGINE", "the native engine is not part of this build yet; use --engine js");
  const file = resolveEntry(opts.target, opts.cwd);
  const [wasm, runtime] = await Promise.all([loadQuickJSWasm(), loadRuntimeBytecode()]);
  const engine = new JsEngine();
  const module = engine.compile(wasm);
  const sandbox = new Sandbox(
    {
      module,
      runtime,
      argv: [process.execPath, file, ...opts.args],
      execPath: process.execPath,
      cwd: opts.cwd,
      env: {},
      stdout: fdSink(1),
      stderr: fdSink(2),
      versions: { node: NODE_COMPAT, edgebox: "", quickjs: built.quickjs },
    },
    dirname(file),
  );
  const result = await sandbox.run(file);
  return result.code;
}
