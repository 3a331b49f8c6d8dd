// Shared by the benchmarks: time whole processes, report medians and ratios.

import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";

export const root = join(import.meta.dir, "..");
export const EDGEBOX = join(root, "dist", "edgebox");
export const BUN = join(root, "node_modules", ".bin", "bun");
export const NODE = Bun.which("node") ?? "node";

/**
 * The environment of a user's shell after install.sh: HOME, locale, terminal, cache, and a PATH
 * with no directory that holds a Zig; none of the build's variables (the toolchain, the release
 * libraries). Every benchmarked process gets it, so what is measured is what users run.
 */
export function installedEnv(extra: Record<string, string> = {}): Record<string, string> {
  return { ...INSTALLED, ...extra };
}
// (made once: spawning a timed process does nothing more)
const INSTALLED: Record<string, string> = {
  ...Object.fromEntries(["HOME", "LANG", "TERM", "TZ", "XDG_CACHE_HOME"].filter((k) => process.env[k] !== undefined).map((k) => [k, process.env[k]!])),
  PATH:
    (process.env.PATH ?? "")
      .split(":")
      .filter((d) => d && !existsSync(join(d, "zig")))
      .join(":") || "/usr/bin:/bin",
};

export interface Timing {
  name: string;
  median: number;
  p10: number;
  p90: number;
  runs: number;
}

/**
 * Call each of `fns` once per round, in turn (A B C A B C ...), `warmup`
 * rounds uncounted then `runs` counted: drift on the machine (other load, CPU
 * frequency, caches) then hits every contender alike. The samples, per fn.
 */
export function interleave<T>(fns: (() => T)[], runs: number, warmup = 1): T[][] {
  const samples = fns.map((): T[] => []);
  for (let round = 0; round < warmup + runs; round++) {
    fns.forEach((fn, i) => {
      const x = fn();
      if (round >= warmup) samples[i]!.push(x);
    });
  }
  return samples;
}

/** The middle value (upper median) of `xs`, by `key`. */
export function median<T>(xs: T[], key: (x: T) => number = (x) => x as number): T {
  return [...xs].sort((a, b) => key(a) - key(b))[xs.length >> 1]!;
}

export interface Contender {
  name: string;
  argv: string[];
  cwd?: string;
}

/** Wall-clock ms of whole processes, the contenders interleaved (see interleave). */
export function timeProcesses(contenders: Contender[], runs = 30, warmup = 3): Timing[] {
  const once = (c: Contender) => () => {
    const t0 = performance.now();
    const p = Bun.spawnSync(c.argv, { cwd: c.cwd, env: installedEnv(), stdout: "ignore", stderr: "pipe" });
    const dt = performance.now() - t0;
    if (p.exitCode !== 0) throw new Error(`${c.argv.join(" ")} exited ${p.exitCode}: ${p.stderr.toString()}`);
    return dt;
  };
  return interleave(contenders.map(once), runs, warmup).map((xs, i) => {
    xs.sort((a, b) => a - b);
    const at = (q: number) => xs[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;
    return { name: contenders[i]!.name, median: at(0.5), p10: at(0.1), p90: at(0.9), runs };
  });
}

/** A markdown table of medians with each row's ratio to the named baselines. */
export function report(title: string, rows: Timing[], baselines: string[] = ["bun", "node"]): string {
  const base = new Map(rows.map((r) => [r.name, r.median]));
  const head = ["", "median ms", "p10", "p90", ...baselines.map((b) => `vs ${b}`)];
  const lines = rows.map((r) => [
    r.name,
    r.median.toFixed(2),
    r.p10.toFixed(2),
    r.p90.toFixed(2),
    ...baselines.map((b) => (base.has(b) ? `${(r.median / base.get(b)!).toFixed(2)}x` : "-")),
  ]);
  const row = (cells: string[]) => `| ${cells.join(" | ")} |`;
  return [
    `### ${title}`,
    "",
    `Median of ${rows[0]?.runs} runs each, the runtimes' runs interleaved (A B C A B C ...).`,
    "",
    row(head),
    row(head.map((_, i) => (i === 0 ? "---" : "---:"))),
    ...lines.map(row),
  ].join("\n");
}

/** The sum of `read(p)` over process `pid` and its descendants, from /proc; a process gone meanwhile adds nothing. */
export function sumTree(pid: number, read: (p: number) => number): number {
  let sum = 0;
  const visit = (p: number) => {
    try {
      sum += read(p);
      for (const c of readFileSync(`/proc/${p}/task/${p}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) visit(Number(c));
    } catch {
      // gone
    }
  };
  visit(pid);
  return sum;
}

/** CPU time (user + system) of a process and its children so far, ms (clock ticks of 10 ms). */
export function cpuTree(pid: number): number {
  const ticks = (p: number) => {
    const f = readFileSync(`/proc/${p}/stat`, "utf8").split(") ")[1]!.split(" ");
    return Number(f[11]) + Number(f[12]); // utime, stime
  };
  return sumTree(pid, ticks) * 10;
}

/** Wait until `url` answers 200, polling every 50 ms; throws after `seconds`. */
export async function waitUp(url: string, seconds = 20): Promise<void> {
  for (let i = 0; i < seconds * 20; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await Bun.sleep(50);
  }
  throw new Error(`${url} did not come up`);
}

export function machine(): string {
  const os = require("node:os") as typeof import("node:os");
  return `${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, bun ${Bun.version}`;
}

/** The 1-minute load average against the CPU count: numbers taken on a busy machine say so. */
export function load(): string {
  const os = require("node:os") as typeof import("node:os");
  return `load average ${os.loadavg()[0]!.toFixed(1)} on ${os.cpus().length} CPUs`;
}

/** Put `markdown` into bench/RESULTS.md as section `name`, replacing that section's previous run. */
export function writeResults(name: string, markdown: string): void {
  const { existsSync, readFileSync, writeFileSync } = require("node:fs") as typeof import("node:fs");
  const file = join(root, "bench", "RESULTS.md");
  const begin = `<!-- ${name} -->`;
  const end = `<!-- /${name} -->`;
  const block = `${begin}\n${markdown.trimEnd()}\n${end}`;
  let text = existsSync(file) ? readFileSync(file, "utf8") : "# EdgeBox benchmark results\n\nWritten by `npm run bench`; each section by its own script, measured on the machine it names.\n";
  const a = text.indexOf(begin);
  const b = text.indexOf(end);
  text = a !== -1 && b > a ? text.slice(0, a) + block + text.slice(b + end.length) : `${text.trimEnd()}\n\n${block}\n`;
  writeFileSync(file, text);
}
