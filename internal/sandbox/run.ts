// `edgebox run`: resolve the app, load the guest on the chosen engine, run
// it, return the exit code.

import { dirname } from "node:path";
import { buildInfo, runtimeModule } from "../assets/index.ts";
import { chooseEngine, type EngineKind } from "../engine/index.ts";
import { UserError } from "../errors.ts";
import { fdSink } from "../hostcalls/stdio.ts";
import { resolveEntry } from "./modules.ts";
import { Sandbox } from "./index.ts";
import { trace } from "../trace.ts";

/** The Node.js API level the runtime presents (process.version). */
export const NODE_COMPAT = "20.0.0";

/** Linear memory QuickJS needs beyond its heap: static data and the 1 MiB stack. */
const GUEST_BASE_MEMORY = 4 << 20;

export interface RunOptions {
  target: string;
  args: string[];
  cwd: string;
  engine?: EngineKind;
  /** Wall-clock limit in ms (0 = none). */
  timeoutMs?: number;
  /** Memory limit in MiB for the guest's linear memory (0 = the engine's maximum). */
  maxMemoryMiB?: number;
}

function warn(message: string): void {
  process.stderr.write(`edgebox: warning: ${message}\n`);
}

export async function runApp(opts: RunOptions): Promise<number> {
  trace("cli");
  const file = resolveEntry(opts.target, opts.cwd);
  const maxBytes = (opts.maxMemoryMiB ?? 0) * 1048576;
  if (maxBytes && maxBytes < 2 * GUEST_BASE_MEMORY) {
    throw new UserError("E_USAGE", `--max-memory must be at least ${(2 * GUEST_BASE_MEMORY) >> 20} MiB`);
  }
  const { module } = await chooseEngine(runtimeModule, { kind: opts.engine, warn });
  trace("engine and module");
  const sandbox = new Sandbox(
    {
      module,
      snapshot: buildInfo.snapshot,
      argv: [process.execPath, file, ...opts.args],
      execPath: process.execPath,
      cwd: opts.cwd,
      env: {},
      stdout: fdSink(1),
      stderr: fdSink(2),
      timeoutMs: opts.timeoutMs ?? 0,
      memoryLimit: maxBytes ? maxBytes - GUEST_BASE_MEMORY : 0,
      maxMemoryBytes: maxBytes,
      versions: { node: NODE_COMPAT, quickjs: buildInfo.quickjs, wasmtime: buildInfo.wasmtime },
    },
    dirname(file),
  );
  const result = await sandbox.run(file);
  trace("run");
  return result.code;
}
