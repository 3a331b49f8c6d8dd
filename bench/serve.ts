// A hello handler over HTTP, wrk against each server in the same run:
// edgebox serve (a fresh instance per request), Bun.serve, node http, deno
// serve, workerd (one isolate kept across requests). Also the split of an
// edgebox request's time and the servers' memory under load.
// Usage: bun bench/serve.ts [seconds]

import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, EDGEBOX, NODE, machine, root, writeResults } from "./lib.ts";

const seconds = Number(process.argv[2] ?? 10);
const DENO = join(root, "node_modules", ".bin", "deno");
const WORKERD = join(root, "node_modules", "@cloudflare", "workerd-linux-64", "bin", "workerd");
const WRK = Bun.which("wrk");
if (!WRK) throw new Error("wrk is not installed (Debian: apt-get install wrk)");
const dir = mkdtempSync(join(tmpdir(), "edgebox-bench-serve-"));
const port = (n: number) => 28000 + n;

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
}

const servers: Server[] = [
  { name: "edgebox serve", note: "fresh instance per request, 2 worker processes", argv: (p) => [EDGEBOX, "serve", "hello.mjs", "--port", String(p), "--quiet", "--workers", "2", "--metrics", String(p + 500)] },
  { name: "Bun.serve", note: "one process", argv: (p) => [BUN, "bun.ts", String(p)] },
  { name: "node http", note: "one process", argv: (p) => [NODE, "node.mjs", String(p)] },
  { name: "deno serve", note: "one process, --parallel off", argv: (p) => [DENO, "serve", "--quiet", "--port", String(p), "--host", "127.0.0.1", "hello.mjs"] },
  { name: "workerd", note: "one isolate kept across requests", argv: (p) => (writeFileSync(join(dir, `w${p}.capnp`), workerdConfig(p)), [WORKERD, "serve", `w${p}.capnp`]) },
];

/** Resident memory of a process and its children, MiB. */
function rssTree(pid: number): number {
  let kb = 0;
  const visit = (p: number) => {
    try {
      kb += Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${p}/status`, "utf8"))?.[1] ?? 0);
      for (const c of readFileSync(`/proc/${p}/task/${p}/children`, "utf8").trim().split(/\s+/).filter(Boolean)) visit(Number(c));
    } catch {
      // gone
    }
  };
  visit(pid);
  return kb / 1024;
}

async function waitUp(url: string): Promise<void> {
  for (let i = 0; i < 200; i++) {
    try {
      if ((await fetch(url)).ok) return;
    } catch {
      // not yet
    }
    await Bun.sleep(50);
  }
  throw new Error(`${url} did not come up`);
}

function wrk(url: string, secs: number): { rps: number; p50: string; p99: string } {
  const p = Bun.spawnSync([WRK!, "-t2", "-c64", `-d${secs}s`, "--latency", url], { stdout: "pipe" });
  const out = p.stdout.toString();
  return {
    rps: Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1] ?? 0),
    p50: /\s50%\s+(\S+)/.exec(out)?.[1] ?? "?",
    p99: /\s99%\s+(\S+)/.exec(out)?.[1] ?? "?",
  };
}

const rows: { name: string; note: string; rps: number; p50: string; p99: string; rss: number }[] = [];
let split = "";
for (const [i, s] of servers.entries()) {
  const p = port(i);
  const proc = Bun.spawn(s.argv(p), { cwd: dir, stdout: "ignore", stderr: "inherit" });
  try {
    const url = `http://127.0.0.1:${p}/`;
    await waitUp(url);
    wrk(url, 2); // warm up
    let rss = 0;
    const sampler = setInterval(() => (rss = Math.max(rss, rssTree(proc.pid))), 250);
    const r = await new Promise<ReturnType<typeof wrk>>((resolve) => setTimeout(() => resolve(wrk(url, seconds)), 0));
    clearInterval(sampler);
    rss = Math.max(rss, rssTree(proc.pid));
    rows.push({ name: s.name, note: s.note, ...r, rss });
    if (s.name === "edgebox serve") {
      const m = await (await fetch(`http://127.0.0.1:${p + 500}/metrics`)).text();
      const v = (k: string) => Number(new RegExp(`^${k} (\\S+)$`, "m").exec(m)?.[1] ?? 0);
      const count = v("edgebox_handler_seconds_count");
      const inst = (v("edgebox_instantiate_seconds_sum") / count) * 1e6;
      const hand = (v("edgebox_handler_seconds_sum") / count) * 1e6;
      split = `Split of an edgebox request (means over ${count} requests, from --metrics): instantiate ${inst.toFixed(0)} µs (a fresh instance of the image, side modules relinked, clock and randomness bound), handler ${hand.toFixed(0)} µs (request into the guest, the app's fetch, the response out, the instance released); the rest of the per-request time is HTTP in Bun.serve and waiting in wrk's queue.`;
    }
  } finally {
    proc.kill("SIGTERM");
    await proc.exited;
  }
}

const bunRps = rows.find((r) => r.name === "Bun.serve")!.rps;
const nodeRps = rows.find((r) => r.name === "node http")!.rps;
const lines = [
  "## edgebox serve against other servers",
  "",
  `${machine()}; wrk -t2 -c64 -d${seconds}s on the same machine (wrk takes CPU from the servers too); hello handler; ${new Date().toISOString().slice(0, 10)}. Produced by bench/serve.ts.`,
  "",
  "| server | how | requests/s | vs Bun.serve | vs node | p50 | p99 | peak RSS under load, MiB |",
  "|---|---|---:|---:|---:|---:|---:|---:|",
  ...rows.map((r) => `| ${r.name} | ${r.note} | ${r.rps.toFixed(0)} | ${(r.rps / bunRps).toFixed(2)}x | ${(r.rps / nodeRps).toFixed(2)}x | ${r.p50} | ${r.p99} | ${r.rss.toFixed(0)} |`),
  "",
  split,
];
console.log(lines.join("\n"));
writeResults("serve", lines.join("\n"));
