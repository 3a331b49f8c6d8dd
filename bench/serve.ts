// A hello handler over HTTP, wrk against each server in the same run:
// edgebox serve (a fresh instance per request), Bun.serve, node http, deno
// serve, workerd (one isolate kept across requests). The servers take turns,
// several rounds, and each figure is the median of its rounds; wrk runs as a
// child process while the server's memory (its process tree) is sampled.
// Also the split of an edgebox request's time, from its --metrics.
// Usage: bun bench/serve.ts [seconds] [rounds]   (EDGEBOX_BASELINE=<an older edgebox> adds its row)

import { execFileSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { loadavg, tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, EDGEBOX, NODE, cpuTree, installedEnv, machine, root, sumTree, waitUp, writeResults } from "./lib.ts";

const seconds = Number(process.argv[2] ?? 8);
const rounds = Number(process.argv[3] ?? 3);
const CONNECTIONS = 32;
const DENO = join(root, "node_modules", ".bin", "deno");
const WORKERD = join(root, "node_modules", "@cloudflare", "workerd-linux-64", "bin", "workerd");
const WRK = findWrk();
const dir = mkdtempSync(join(tmpdir(), "edgebox-bench-serve-"));
const port = (n: number) => 28000 + n;

/** wrk from PATH; on a Debian machine without it, installed (Debian's `wrk` package). */
function findWrk(): string {
  const found = Bun.which("wrk");
  if (found) return found;
  if (Bun.which("apt-get")) {
    console.error("installing wrk (apt-get install wrk)...");
    try {
      execFileSync("apt-get", ["install", "-y", "-qq", "wrk"], { stdio: "ignore" });
    } catch {
      execFileSync("sh", ["-c", "apt-get update -qq && apt-get install -y -qq wrk"], { stdio: "ignore" });
    }
  }
  const after = Bun.which("wrk");
  if (!after) throw new Error("wrk is not installed (Debian: apt-get install wrk)");
  return after;
}

writeFileSync(join(dir, "hello.mjs"), `export default { fetch() { return new Response("hello\\n"); } };\n`);
writeFileSync(join(dir, "bun.ts"), `Bun.serve({ port: Number(process.argv[2]), hostname: "127.0.0.1", fetch: () => new Response("hello\\n") });\n`);
writeFileSync(join(dir, "node.mjs"), `import http from "node:http";\nhttp.createServer((q, s) => s.end("hello\\n")).listen(Number(process.argv[2]), "127.0.0.1");\n`);
const workerdConfig = (p: number) => `using Workerd = import "/workerd/workerd.capnp";
const config :Workerd.Config = (
  services = [ (name = "main", worker = .hello) ],
  sockets = [ (name = "http", address = "127.0.0.1:${p}", http = (), service = "main") ],
);
const hello :Workerd.Worker = ( modules = [ (name = "hello.mjs", esModule = embed "hello.mjs") ], compatibilityDate = "2024-09-01" );
`;

interface Server {
  name: string;
  note: string;
  argv: (p: number) => string[];
  edgebox?: boolean;
}

const servers: Server[] = [
  { name: "edgebox serve", note: "fresh instance per request, 2 worker processes, 8 made ahead each", edgebox: true, argv: (p) => [EDGEBOX, "serve", "hello.mjs", "--port", String(p), "--quiet", "--workers", "2", "--metrics", String(p + 500)] },
  // EDGEBOX_BASELINE=path/to/an/older/edgebox: that build too, in the same run (before/after a change)
  ...(process.env.EDGEBOX_BASELINE ? [{ name: "edgebox serve (baseline)", note: `${process.env.EDGEBOX_BASELINE_NOTE ?? "another build"}, 2 worker processes`, argv: (p: number) => [process.env.EDGEBOX_BASELINE!, "serve", "hello.mjs", "--port", String(p), "--quiet", "--workers", "2"] }] : []),
  { name: "Bun.serve", note: "one process", argv: (p) => [BUN, "bun.ts", String(p)] },
  { name: "node http", note: "one process", argv: (p) => [NODE, "node.mjs", String(p)] },
  { name: "deno serve", note: "one process, --parallel off", argv: (p) => [DENO, "serve", "--quiet", "--port", String(p), "--host", "127.0.0.1", "hello.mjs"] },
  ...(existsSync(WORKERD) ? [{ name: "workerd", note: "one isolate kept across requests", argv: (p: number) => (writeFileSync(join(dir, `w${p}.capnp`), workerdConfig(p)), [WORKERD, "serve", `w${p}.capnp`]) }] : []),
];

/** Resident memory of a process and its children, MiB. */
function rssTree(pid: number): number {
  return sumTree(pid, (p) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0)) / 1024;
}

interface Run {
  rps: number;
  /** The server's CPU time (all its processes) per request served, µs. */
  cpuPerRequest: number;
  p50: number;
  p99: number;
  rss: number;
}

/** wrk as a child process (the event loop stays free to sample `pid`'s memory meanwhile); ms latencies. */
async function wrk(url: string, secs: number, connections: number, pid: number): Promise<Run> {
  const threads = Math.min(2, connections);
  const p = Bun.spawn([WRK, `-t${threads}`, `-c${connections}`, `-d${secs}s`, "--latency", url], { stdout: "pipe", stderr: "ignore" });
  let rss = rssTree(pid);
  const cpu0 = cpuTree(pid);
  const sampler = setInterval(() => (rss = Math.max(rss, rssTree(pid))), 200);
  const out = await new Response(p.stdout).text();
  await p.exited;
  const cpuMs = cpuTree(pid) - cpu0;
  clearInterval(sampler);
  const ms = (s: string | undefined) => {
    const m = /^([\d.]+)(us|ms|s)$/.exec(s ?? "");
    return m ? Number(m[1]) * (m[2] === "us" ? 0.001 : m[2] === "s" ? 1000 : 1) : NaN;
  };
  const requests = Number(/(\d+) requests in/.exec(out)?.[1] ?? 0);
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    cpuPerRequest: requests > 0 ? (cpuMs * 1000) / requests : NaN,
    p50: ms(/\s50%\s+(\S+)/.exec(out)?.[1]),
    p99: ms(/\s99%\s+(\S+)/.exec(out)?.[1]),
    rss,
  };
}

const PHASES = ["parse", "ready", "first_call", "handler", "response", "teardown"] as const;
const results = new Map<string, { load: Run[]; one: Run[] }>(servers.map((s) => [s.name, { load: [], one: [] }]));
/**
 * Seconds of load before the measured runs, so that they measure a server's steady state, JIT
 * compilers' included: edgebox's host JS keeps tiering up for seconds (one worker under -c32, four
 * 4 s windows one after the other: its main thread 172, 146, 138, 135 µs of CPU a request; its
 * JIT thread 23 µs a request in the first, ~0 after).
 */
const WARMUP_S = 4;
const phaseSums: Record<string, number> = {};
let phaseCount = 0;
const ahead = { ahead: 0, onDemand: 0 };
const loadBefore = loadavg()[0]!;

for (let round = 0; round < rounds; round++) {
  for (const [i, s] of servers.entries()) {
    const p = port(i);
    const proc = Bun.spawn(s.argv(p), { cwd: dir, env: installedEnv(), stdout: "ignore", stderr: "inherit" });
    try {
      const url = `http://127.0.0.1:${p}/`;
      await waitUp(url);
      await wrk(url, WARMUP_S, CONNECTIONS, proc.pid);
      const r = results.get(s.name)!;
      r.load.push(await wrk(url, seconds, CONNECTIONS, proc.pid));
      r.one.push(await wrk(url, Math.max(2, Math.round(seconds / 3)), 1, proc.pid));
      console.error(`round ${round + 1}, ${s.name}: ${r.load.at(-1)!.rps.toFixed(0)} req/s at -c${CONNECTIONS}, p50 ${r.one.at(-1)!.p50} ms at -c1`);
      if (s.edgebox) {
        const m = await (await fetch(`http://127.0.0.1:${p + 500}/metrics`)).text();
        const v = (k: string) => Number(new RegExp(`^${k.replace(/[{}]/g, "\\$&")} (\\S+)$`, "m").exec(m)?.[1] ?? 0);
        for (const ph of PHASES) phaseSums[ph] = (phaseSums[ph] ?? 0) + v(`edgebox_request_phase_seconds_sum{phase="${ph}"}`);
        phaseCount += v(`edgebox_request_phase_seconds_count{phase="handler"}`);
        ahead.ahead += v(`edgebox_instances_total{made="ahead"}`);
        ahead.onDemand += v(`edgebox_instances_total{made="on_demand"}`);
      }
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
    }
  }
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2]! : (s[s.length / 2 - 1]! + s[s.length / 2]!) / 2;
};
const fmt = (ms: number) => (ms < 1 ? `${(ms * 1000).toFixed(0)}us` : `${ms.toFixed(2)}ms`);
const rows = servers.map((s) => {
  const r = results.get(s.name)!;
  return { ...s, rps: median(r.load.map((x) => x.rps)), all: r.load.map((x) => x.rps.toFixed(0)).join(" / "), p50: median(r.load.map((x) => x.p50)), p99: median(r.load.map((x) => x.p99)), p50one: median(r.one.map((x) => x.p50)), cpu: median(r.load.map((x) => x.cpuPerRequest)), rss: median(r.load.map((x) => x.rss)) };
});
const by = (name: string) => rows.find((r) => r.name === name)?.rps ?? NaN;
const ratio = (a: number, b: number) => (Number.isFinite(b) && b > 0 ? `${(a / b).toFixed(2)}x` : "-");
const us = (ph: string) => ((phaseSums[ph] ?? 0) / Math.max(1, phaseCount)) * 1e6;
const loadAfter = loadavg()[0]!;
const lines = [
  "## edgebox serve against other servers",
  "",
  `${machine()}; hello handler; after ${WARMUP_S} s of load, wrk -t2 -c${CONNECTIONS} -d${seconds}s, then wrk -t1 -c1 for the one-in-flight p50, on the same machine (wrk takes CPU from the servers too; "server CPU per request" is the user + system time of the server's processes during the -c${CONNECTIONS} run over the requests it served, which wrk's share does not blur); the servers took turns, ${rounds} rounds, medians shown; load average ${loadBefore.toFixed(1)} before, ${loadAfter.toFixed(1)} after (other work on the machine makes absolute numbers noisy; ratios within the run hold better); ${new Date().toISOString().slice(0, 10)}. Produced by bench/serve.ts.`,
  "",
  `| server | how | requests/s (median) | each round | vs workerd | vs Bun.serve | vs node | server CPU per request | p50 | p99 | p50, one in flight | peak RSS under load, MiB |`,
  "|---|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.name} | ${r.note} | ${r.rps.toFixed(0)} | ${r.all} | ${ratio(r.rps, by("workerd"))} | ${ratio(r.rps, by("Bun.serve"))} | ${ratio(r.rps, by("node http"))} | ${r.cpu.toFixed(0)} µs | ${fmt(r.p50)} | ${fmt(r.p99)} | ${fmt(r.p50one)} | ${r.rss.toFixed(0)} |`),
  "",
  `Split of an edgebox request (means over ${phaseCount} requests of every round, from --metrics; wall time inside a worker, so under load it includes waiting for the CPU): ` +
    PHASES.map((ph) => `${ph.replace("_", " ")} ${us(ph).toFixed(0)} µs`).join(", ") +
    `. Instances made ahead ${ahead.ahead}, on a request's path ${ahead.onDemand}. Accept and HTTP parsing happen in Bun.serve before "parse" starts and are not in the split.`,
];
console.log(lines.join("\n"));
rmSync(dir, { recursive: true, force: true });
writeResults("serve", lines.join("\n"));
