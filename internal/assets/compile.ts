// The `bun build --compile` command line for the edgebox executable, shared
// by the development build and the release. The executable must not pick up
// a .env or bunfig.toml from the directory it runs in: that directory is the
// (untrusted) app's, and bunfig's `preload` would run its code in the host.
// It starts with JavaScriptCore's tier-up thresholds x4 (--compile-jit-policy):
// the host code of a run's start-up runs once and never pays back the JIT's
// compiling (a hello: 8-22 % less CPU, bench/RESULTS.md); cmd/edgebox.ts
// puts the normal policy back for the commands that run long (serve, build).

import { join } from "node:path";

export function compileCommand(root: string, outfile: string, extra: string[] = []): string[] {
  return [
    process.execPath, "build", "--compile", "--no-compile-autoload-dotenv", "--no-compile-autoload-bunfig",
    "--bytecode", "--compile-jit-policy=4", "--format=esm", "--splitting", "--minify", ...extra,
    join(root, "cmd", "main.ts"), "--outfile", outfile,
  ];
}

/**
 * Zig links Wasmtime's library by the path it found it at, and the wheel's
 * library has no SONAME, so the host library would name the build machine's
 * `/…/.cache/toolchain/…/libwasmtime.so` and fail to load anywhere else.
 * Rewrite that dependency, in place, to the bare file name (found through
 * the host library's $ORIGIN run path, or @rpath on macOS).
 */
export function bareWasmtimeDependency(lib: Uint8Array, ext: "so" | "dylib"): Uint8Array {
  const tail = new TextEncoder().encode(`/libwasmtime.${ext}\0`);
  const out = new Uint8Array(lib);
  for (let at = indexOf(out, tail, 0); at !== -1; at = indexOf(out, tail, at + 1)) {
    let start = at;
    while (start > 0 && out[start - 1] !== 0) start--;
    if (out[start] !== 0x2f) continue; // not an absolute path (already bare, or @rpath/...)
    const bare = new TextEncoder().encode(`libwasmtime.${ext}`);
    const end = at + tail.length - 1; // the NUL
    out.fill(0, start, end);
    out.set(bare, start);
  }
  return out;
}

function indexOf(hay: Uint8Array, needle: Uint8Array, from: number): number {
  return Buffer.from(hay.buffer, hay.byteOffset, hay.byteLength).indexOf(Buffer.from(needle), from);
}
