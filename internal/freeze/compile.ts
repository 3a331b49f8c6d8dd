// Compiling the frozen functions' C into a wasm side module (dylink.0) with
// Zig, found at build time: $EDGEBOX_ZIG, `zig` on PATH, or PyPI's ziglang
// (`python3 -m ziglang`). Without one, nothing is frozen and the build says why.

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { UserError } from "../errors.ts";

/** The command that runs Zig, or undefined. */
export function findZig(): string[] | undefined {
  if (process.env.EDGEBOX_ZIG) return [process.env.EDGEBOX_ZIG];
  const onPath = Bun.which("zig");
  if (onPath) return [onPath];
  const python = Bun.which("python3");
  if (python && Bun.spawnSync([python, "-m", "ziglang", "version"], { stdout: "ignore", stderr: "ignore" }).exitCode === 0) return [python, "-m", "ziglang"];
  return undefined;
}

export function compileSideModule(zig: string[], c: string): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), "edgebox-freeze-"));
  try {
    writeFileSync(join(dir, "frozen.c"), c);
    const out = join(dir, "frozen.wasm");
    const p = Bun.spawnSync(
      [...zig, "cc", "-target", "wasm32-wasi", "-O2", "-fPIC", "-shared", "-nostdlib", "-s", "-Wno-parentheses-equality", "-fno-builtin-fmod", "-fno-builtin-pow", "-o", out, join(dir, "frozen.c")],
      { stdout: "pipe", stderr: "pipe" },
    );
    if (p.exitCode !== 0) throw new UserError("E_BUILD", `compiling the frozen functions failed (a bug in EdgeBox's freezer; --no-freeze builds without them):\n${p.stderr.toString()}`);
    return new Uint8Array(readFileSync(out));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
