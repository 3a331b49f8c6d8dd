// The assets embedded in the executable. `with { type: "file" }` makes
// `bun build --compile` embed each file and gives its path inside the
// executable's own filesystem; from source they are the files themselves.

import { chmodSync, mkdirSync, readFileSync, realpathSync, renameSync, statSync, writeFileSync } from "node:fs";
import { homedir, tmpdir } from "node:os";
import { basename, dirname, join } from "node:path";
import runtimeWasm from "../../dist/assets/runtime.wasm" with { type: "file" };
import runtimeModulesFile from "../../dist/assets/runtime-modules.bin" with { type: "file" };
import extUrl from "../../dist/assets/ext-url.so" with { type: "file" };
import extEncoding from "../../dist/assets/ext-encoding.so" with { type: "file" };
import extStructuredClone from "../../dist/assets/ext-structured-clone.so" with { type: "file" };
import extCrypto from "../../dist/assets/ext-crypto.so" with { type: "file" };
import hostLib from "../../dist/assets/edgebox_host.bin" with { type: "file" };
import wasmtimeLib from "../../dist/assets/wasmtime.bin" with { type: "file" };
import intlBytecode from "../../dist/assets/intl.bin" with { type: "file" };
import info from "../../dist/assets/buildinfo.json" with { type: "json" };
import pkg from "../../package.json" with { type: "json" };
import type { SideModuleInfo } from "../engine/dylink.ts";
import { unpackRuntimeModules } from "./runtime-modules.ts";
import { dropIdleBuilds } from "../cache-limit.ts";

/** Another build's cache directory unused this long is removed (an upgrade's old version). */
const BUILD_IDLE_MS = 30 * 24 * 3600 * 1000;

export const buildInfo = info;

/** quickjs.wasm pre-initialised with the runtime JS (see internal/assets/build.ts); read only when needed. */
export const runtimeModule = {
  name: "runtime",
  hash: info.runtimeHash,
  bytes: (): Uint8Array => readFileSync(runtimeWasm),
};

let intlChunks: Map<string, Uint8Array> | undefined;
/** The bytecode of Intl chunk `name` (wasm/intl/, packed by build.ts), evaluated in a guest that first touches its members. */
export function intlChunk(name: string): Uint8Array | undefined {
  intlChunks ??= unpackRuntimeModules(readFileSync(intlBytecode));
  return intlChunks.get(name);
}

let keptOut: Map<string, Uint8Array> | undefined;
/** The bytecode of one of the runtime's modules kept out of its snapshot (RUNTIME_MODULE), read on first need. */
export function runtimeModuleBytecode(key: string): Uint8Array | undefined {
  keptOut ??= unpackRuntimeModules(readFileSync(runtimeModulesFile));
  return keptOut.get(key);
}

const extensionFiles: Record<string, string> = { url: extUrl, encoding: extEncoding, "structured-clone": extStructuredClone, crypto: extCrypto };

export interface Extension {
  /** As quickjs-wasi names it ("url", "encoding", "structured-clone", "crypto"). */
  name: string;
  source: { name: string; hash: string; bytes(): Uint8Array };
  info: SideModuleInfo;
  initFn: string;
}

/** The native extensions the runtime links on first use. */
export const extensions: Extension[] = Object.entries(info.extensions as Record<string, SideModuleInfo & { hash: string }>).map(([name, e]) => ({
  name,
  source: { name: `ext-${name}`, hash: e.hash, bytes: (): Uint8Array => readFileSync(extensionFiles[name]!) },
  info: { dylink: e.dylink, defines: e.defines },
  initFn: `qjs_ext_${name.replace(/-/g, "_")}_init`,
}));

/**
 * This build's directory in the user's cache: `$XDG_CACHE_HOME/edgebox/<version>-<build>`
 * (or `~/.cache/...`); native libraries and precompiled modules live there.
 */
export function cacheDir(): string {
  const base = process.env.XDG_CACHE_HOME || join(homedir(), ".cache");
  return join(base, "edgebox", `${pkg.version}-${info.build}`);
}

/** Where EdgeBox keeps what it trusts (native libraries, precompiled code): the cache, and the fallback under the temp dir; as written and as they really are. */
export function ownDirs(): string[] {
  const dirs = [dirname(cacheDir()), join(tmpdir(), `edgebox-${process.getuid?.() ?? "user"}`)];
  for (const d of [...dirs]) {
    try {
      dirs.push(realpathSync(d));
    } catch {
      // not there (yet): nothing to resolve
    }
  }
  return [...new Set(dirs)];
}

/** The native libraries' file names: as Zig names them, and as the host library imports Wasmtime's. */
const LIB_NAMES =
  process.platform === "win32"
    ? { host: "edgebox_host.dll", wasmtime: "wasmtime.dll" }
    : process.platform === "darwin"
      ? { host: "libedgebox_host.dylib", wasmtime: "libwasmtime.dylib" }
      : { host: "libedgebox_host.so", wasmtime: "libwasmtime.so" };

/**
 * The native host library's path, extracted (once) next to Wasmtime's. Files
 * are written under a temporary name and renamed into place, so processes
 * starting at the same time never see half a library.
 */
export async function nativeHostPath(): Promise<string> {
  let dir = cacheDir();
  try {
    return await extract(dir);
  } catch {
    // An unwritable home: fall back to a private directory under the temp dir.
    dir = join(tmpdir(), `edgebox-${process.getuid?.() ?? "user"}`, `${pkg.version}-${info.build}`);
    return await extract(dir);
  }
}

async function extract(dir: string): Promise<string> {
  const files: [string, string, number][] = [
    [hostLib, LIB_NAMES.host, info.nativeSizes.host],
    [wasmtimeLib, LIB_NAMES.wasmtime, info.nativeSizes.wasmtime],
  ];
  let filled = false;
  for (const [embedded, name, size] of files) {
    const target = join(dir, name);
    if (sizeOf(target) === size) continue;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = `${target}.${process.pid}.${Math.random().toString(36).slice(2)}.tmp`;
    writeFileSync(tmp, await Bun.file(embedded).bytes(), { mode: 0o755 });
    chmodSync(tmp, 0o755);
    renameSync(tmp, target);
    filled = true;
  }
  // a build's first run: the directories of builds no run has used for a month go
  if (filled) dropIdleBuilds(dirname(dir), basename(dir), BUILD_IDLE_MS);
  return join(dir, files[0]![1]);
}

function sizeOf(path: string): number {
  try {
    return statSync(path).size;
  } catch {
    return -1;
  }
}
