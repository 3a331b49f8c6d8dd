// `edgebox run`: resolve the app and its policy, load the guest on the
// chosen engine, run it, return the exit code.

import { dirname } from "node:path";
import { buildInfo, extensions, runtimeModule } from "../assets/index.ts";
import { loadPolicy } from "../config/index.ts";
import type { GrantFlags } from "../config/resolve.ts";
import { chooseEngine, loadModule, type EngineKind } from "../engine/index.ts";
import { UserError } from "../errors.ts";
import { beneathBackend, plainBackend } from "../hostcalls/fs-backend.ts";
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
  /** Wall-clock limit in ms (0 = none); overrides the policy's runtime.timeout_ms. */
  timeoutMs?: number;
  /** Memory limit in MiB for the guest's linear memory; overrides runtime.max_memory_pages. */
  maxMemoryMiB?: number;
  grants: GrantFlags;
  /** --config: the policy file. */
  config?: string;
}

function warn(message: string): void {
  process.stderr.write(`edgebox: warning: ${message}\n`);
}

export async function runApp(opts: RunOptions): Promise<number> {
  trace("cli");
  const file = resolveEntry(opts.target, opts.cwd);
  const policy = await loadPolicy({ appDir: dirname(file), cwd: opts.cwd, config: opts.config, flags: opts.grants });
  trace("policy");
  if (policy.useKeychain && process.platform !== "darwin") warn("useKeychain works on macOS only; ignored");
  const maxBytes = opts.maxMemoryMiB ? opts.maxMemoryMiB * 1048576 : policy.runtime.maxMemoryPages * 65536;
  if (maxBytes < 2 * GUEST_BASE_MEMORY) {
    throw new UserError("E_USAGE", `--max-memory must be at least ${(2 * GUEST_BASE_MEMORY) >> 20} MiB`);
  }
  const heap = Math.min(policy.runtime.heapSize, maxBytes - GUEST_BASE_MEMORY);
  const choice = await chooseEngine(runtimeModule, { kind: opts.engine, warn });
  const { module, hostLib } = choice;

  const sandbox = new Sandbox({
    module,
    snapshot: buildInfo.snapshot,
    sides: [],
    extensions: extensions.map((e) => ({ name: e.name, info: e.info, initFn: e.initFn, module: () => loadModule(choice, e.source, { warn }) })),
    policy,
    fs: hostLib ? beneathBackend(hostLib) : plainBackend,
    argv: [process.execPath, file, ...opts.args],
    execPath: process.execPath,
    cwd: opts.cwd,
    hostEnv: process.env,
    stdout: fdSink(1),
    stderr: fdSink(2),
    timeoutMs: opts.timeoutMs ?? policy.runtime.timeoutMs,
    memoryLimit: heap,
    maxMemoryBytes: maxBytes,
    maxStackSize: policy.runtime.stackSize,
    versions: { node: NODE_COMPAT, quickjs: buildInfo.quickjs, wasmtime: buildInfo.wasmtime },
  });
  const result = await sandbox.run(file);
  trace("run");
  return result.code;
}
