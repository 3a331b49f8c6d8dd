// Shared by the suites: the compiled binary as a child process, temp dirs.

import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { lstatSync, mkdtempSync, mkdirSync, readdirSync, readFileSync, readlinkSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, test } from "bun:test";

export const EDGEBOX = join(import.meta.dir, "..", "dist", "edgebox");

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

type SpawnOptions = { cwd?: string; env?: Record<string, string>; stdin?: string };

export function edgebox(args: string[], opts: SpawnOptions = {}): Result {
  const p = Bun.spawnSync([EDGEBOX, ...args], {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...opts.env },
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  return { code: p.exitCode ?? -1, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
}

/** `edgebox build` as install.sh leaves a user's machine (PATH only: no Zig, freezing needs no toolchain); throws if it fails. */
export function buildAsUser(dir: string, args: string[]): Result {
  const r = edgebox(["build", ...args], { cwd: dir, env: { PATH: "/usr/bin:/bin" } });
  if (r.code !== 0) throw new Error(`build failed (${r.code}):\n${r.stderr}`);
  return r;
}

/**
 * Run `argv` to completion without blocking this process (needed when the test itself serves HTTP);
 * `watch(pid)` starts looking at the child, and what it returns stops that once the child is done.
 */
export async function spawnAsync(argv: string[], opts: SpawnOptions = {}, watch?: (pid: number) => () => void): Promise<Result> {
  const p = Bun.spawn(argv, {
    cwd: opts.cwd,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...opts.env },
    stdin: opts.stdin === undefined ? "ignore" : new TextEncoder().encode(opts.stdin),
    stdout: "pipe",
    stderr: "pipe",
  });
  const stop = watch?.(p.pid);
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  stop?.();
  return { code, stdout, stderr };
}

/** As edgeboxAsync(), sampling the process's peak resident memory every 10 ms (VmHWM, KiB: Linux's /proc). */
export async function edgeboxPeak(args: string[], opts: SpawnOptions = {}): Promise<Result & { peakKiB: number }> {
  let peakKiB = 0;
  const sample = (pid: number) => {
    const timer = setInterval(() => {
      try {
        const m = /VmHWM:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
        if (m) peakKiB = Math.max(peakKiB, Number(m[1]));
      } catch {} // (exited)
    }, 10);
    return () => clearInterval(timer);
  };
  const r = await spawnAsync([EDGEBOX, ...args], opts, sample);
  return { ...r, peakKiB };
}

/** As edgebox(), without blocking this process. */
export function edgeboxAsync(args: string[], opts: SpawnOptions = {}): Promise<Result> {
  return spawnAsync([EDGEBOX, ...args], opts);
}

/** The same under node, the reference the sandbox is compared with. */
export function nodeAsync(args: string[], opts: SpawnOptions = {}): Promise<Result> {
  return spawnAsync(["node", ...args], opts);
}

/** What a running child has written so far, by stream, read as it comes. */
export function collect(proc: { stdout: unknown; stderr: unknown }): { stdout: string; stderr: string } {
  const got = { stdout: "", stderr: "" };
  for (const key of ["stdout", "stderr"] as const) {
    const dec = new TextDecoder();
    void (async () => {
      for await (const c of proc[key] as ReadableStream<Uint8Array>) got[key] += dec.decode(c);
    })();
  }
  return got;
}

/** Poll `cond` every 20 ms for up to `ms`; its last answer. */
export async function waitFor(cond: () => boolean, ms = 6000): Promise<boolean> {
  for (let t = 0; t < ms && !cond(); t += 20) await Bun.sleep(20);
  return cond();
}

/** A fresh temp directory holding `files` (path -> contents), removed after the suite. */
export function tempApp(files: Record<string, string> = {}): string {
  const dir = mkdtempSync(join(tmpdir(), "edgebox-test-"));
  for (const [path, content] of Object.entries(files)) {
    const abs = join(dir, path);
    mkdirSync(dirname(abs), { recursive: true });
    writeFileSync(abs, content);
  }
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/**
 * A wabt tool (wasm2wat, wasm-objdump; tests/prepare.sh installs wabt) run on a module's bytes:
 * `skip` says why a test of it cannot run here, undefined when it can.
 */
export function wabt(tool: string): { skip: string | undefined; run(bytes: Uint8Array, args?: string[]): string } {
  const path = Bun.which(tool);
  let dir: string | undefined;
  return {
    skip: path ? undefined : `${tool} (Debian: wabt)`,
    run(bytes, args = []) {
      const file = join((dir ??= tempApp()), "module.wasm");
      writeFileSync(file, bytes);
      return execFileSync(path!, [...args, file], { maxBuffer: 1 << 30 }).toString();
    },
  };
}

/** Instructions that change a table (in a wabt listing). */
export const TABLE_WRITES = /\b(table\.(set|grow|fill|copy|init)|elem\.drop)\b/;

/** The engines every `run` test runs on. */
export const ENGINES = ["native", "js"] as const;

/** Whether EdgeBox confines spawned commands here, by its own probe (not the test's guess). */
export const canConfine = (await import("../internal/hostcalls/confine.ts")).findConfinement({ fs: [], net: { allow: "none", block: [] } } as never) !== undefined;

/** What the machine lacks for confinement (bubblewrap), by EdgeBox's own probe; undefined where it confines. */
export const noConfinement = canConfine ? undefined : "bubblewrap (EdgeBox cannot confine commands here)";

/**
 * A security test that runs only where `missing` is undefined (else it names
 * what the machine lacks): skipped elsewhere, except under CI=true, where a
 * security test that could not run fails the run. Used as test.skipIf is.
 */
export function securityTest(missing: string | undefined) {
  return (name: string, fn: () => unknown, timeout?: number): void => {
    if (missing === undefined) test(name, fn as () => void, timeout);
    else if (process.env.CI === "true") test(name, () => { throw new Error(`a security test could not run under CI: this machine lacks ${missing}`); });
    else test.skip(`${name} (needs ${missing})`, fn as () => void);
  };
}

/** Every path below `dir` (but names in `skip`) with what it is: mode, hash and mtime of a file, a link's target, or a directory. */
export function snapshotTree(dir: string, skip: string[] = [], acc: Record<string, string> = {}): Record<string, string> {
  for (const name of readdirSync(dir).sort()) {
    if (skip.includes(name)) continue;
    const p = join(dir, name);
    const st = lstatSync(p);
    if (st.isSymbolicLink()) acc[p] = `link -> ${readlinkSync(p)}`;
    else if (st.isDirectory()) {
      acc[p] = `dir ${(st.mode & 0o777).toString(8)}`;
      snapshotTree(p, skip, acc);
    } else acc[p] = `file ${(st.mode & 0o777).toString(8)} ${createHash("sha256").update(readFileSync(p)).digest("hex")} ${st.mtimeMs}`;
  }
  return acc;
}
