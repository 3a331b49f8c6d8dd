// Shared by the benchmarks: time whole processes, report medians and ratios.

import { join } from "node:path";

export const root = join(import.meta.dir, "..");
export const EDGEBOX = join(root, "dist", "edgebox");
export const BUN = join(root, "node_modules", ".bin", "bun");
export const NODE = Bun.which("node") ?? "node";

export interface Timing {
  name: string;
  median: number;
  p10: number;
  p90: number;
  runs: number;
}

/** Run `argv` `runs` times after `warmup` runs; wall-clock ms per run. */
export function timeProcess(name: string, argv: string[], runs = 30, warmup = 3, cwd?: string): Timing {
  const samples: number[] = [];
  for (let i = 0; i < warmup + runs; i++) {
    const t0 = performance.now();
    const p = Bun.spawnSync(argv, { cwd, stdout: "ignore", stderr: "pipe" });
    const dt = performance.now() - t0;
    if (p.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${p.exitCode}: ${p.stderr.toString()}`);
    if (i >= warmup) samples.push(dt);
  }
  samples.sort((a, b) => a - b);
  const at = (q: number) => samples[Math.min(samples.length - 1, Math.floor(q * samples.length))]!;
  return { name, median: at(0.5), p10: at(0.1), p90: at(0.9), runs };
}

/** A table of medians with each row's ratio to the named baselines. */
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
  const widths = head.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const fmt = (l: string[]) => l.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join("  ");
  return [`## ${title}`, fmt(head), ...lines.map(fmt)].join("\n");
}

export function machine(): string {
  const os = require("node:os") as typeof import("node:os");
  return `${os.cpus()[0]?.model ?? "cpu"} x${os.cpus().length}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, ${os.platform()} ${os.release()}, bun ${Bun.version}`;
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
