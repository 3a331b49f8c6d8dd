// `edgebox serve`: one process per worker (--workers, default the core count)
// sharing the port (SO_REUSEPORT); a supervisor restarts a worker that dies,
// gathers their metrics, and stops them gracefully on SIGINT/SIGTERM. With one
// worker the supervisor is the server.

import { availableParallelism } from "node:os";
import { UserError } from "../errors.ts";
import type { GrantFlags } from "../config/resolve.ts";
import type { EngineKind } from "../engine/index.ts";
import { prepareApp } from "../sandbox/run.ts";
import { RanElsewhere } from "../sandbox/stack.ts";
import { limitWorkersInProcess, MAX_WORKERS } from "../sandbox/workers.ts";
import { DEFAULT_RUNTIME } from "../config/resolve.ts";
import { HOST_MEMORY_SLOTS } from "../engine/native.ts";
import type { Policy } from "../policy/types.ts";
import { selfCommand } from "../self.ts";
import { buildImage } from "./image.ts";
import { merge, prometheus, type MetricsSnapshot } from "./metrics.ts";
import { EdgeServer, portInUse } from "./server.ts";

export interface ServeOptions {
  target: string;
  cwd: string;
  host?: string;
  port?: number;
  workers?: number;
  timeoutMs?: number;
  maxMemoryMiB?: number;
  /** --pool-size: instances each worker keeps ready ahead (else the policy's daemon.pool_size). */
  poolSize?: number;
  maxBody: number;
  dev: boolean;
  quiet: boolean;
  json: boolean;
  metricsPort?: number;
  engine?: EngineKind;
  grants: GrantFlags;
  config?: string;
  /** --audit: the audit log (else the policy's). */
  audit?: string;
  info(message: string): void;
  warn(message: string): void;
}

/** The environment variable that makes a process one of the supervisor's workers. */
const WORKER_ENV = "EDGEBOX_SERVE_WORKER";
const DEFAULT_TIMEOUT_MS = 30_000;
/** A request's memory cap unless --max-memory or runtime.max_memory_pages says otherwise (as Workers). */
const DEFAULT_MAX_MEMORY_MIB = 128;
/**
 * A request's QuickJS stack where its memory comes from Wasmtime's pooling allocator (no memory
 * slots: macOS, Windows) and runtime.stack_size does not say: 1 MiB (~4,000 calls), not a script's
 * 4 MiB. That stack is a region of the guest's memory (malloc'd in each fresh instance), and the
 * pooling allocator resets a slot's whole memory up to linear_memory_keep_resident at every
 * release, touched or not: with 4 MiB a hello request cost ~1.5x the CPU (bench/serve-phases.ts
 * --pooling --stack=4096 against 1024, 6 runs alternated, load 4-9: 560-770 µs against 410-465).
 * Memory slots (Linux) reset only the pages a request wrote: there a request gets the script's
 * default, at no measured cost (the same runs without --pooling: 283-353 µs against 277-394; over
 * HTTP, wrk -c8 for 5 s against --workers 1, runtime.stack_size 1 MiB against 4 MiB + 64 KiB, both
 * set by a policy, the server's utime+stime per request, 16 runs alternated at load 1.3-3.3:
 * medians 437.5 µs both, means 437.6 and 436.4).
 */
const POOLED_REQUEST_STACK_SIZE = 1 << 20;

/** The limits a request gets in place of a script's defaults (prepareApp's `defaults`); `slots`: its memory comes from memory slots. */
export function requestDefaults(policy: Policy, slots = HOST_MEMORY_SLOTS): { maxMemoryMiB?: number; stackSize?: number } {
  return {
    // (the default of max_memory_pages, 2 GiB, is a script's; a request gets Workers' 128 MiB)
    maxMemoryMiB: policy.runtime.maxMemoryPages === DEFAULT_RUNTIME.maxMemoryPages ? DEFAULT_MAX_MEMORY_MIB : undefined,
    stackSize: !slots && policy.runtime.stackSize === DEFAULT_RUNTIME.stackSize ? POOLED_REQUEST_STACK_SIZE : undefined,
  };
}

/** Instances each worker keeps ready ahead unless --pool-size or daemon.pool_size says otherwise. */
const DEFAULT_POOL_SIZE = 8;
/**
 * worker_threads workers alive at once in a serving process, all its requests together: twice the
 * instances it keeps ready (at least one request's MAX_WORKERS). Each worker is an instance with a
 * request's memory cap, so without it N requests in flight could hold 8N of them; with it the
 * process holds at most its pool, its requests in flight and this many.
 */
const workersInProcess = (poolSize: number) => Math.max(MAX_WORKERS, 2 * poolSize);
/** Descriptors (open files, fetches, children) one request may hold at once. */
const MAX_DESCRIPTORS = 64;

export async function serve(o: ServeOptions): Promise<number> {
  const inWorker = process.env[WORKER_ENV] === "1";
  let app;
  try {
    app = await prepareApp(
      { target: o.target, cwd: o.cwd, engine: o.engine, timeoutMs: o.timeoutMs, maxMemoryMiB: o.maxMemoryMiB, grants: o.grants, config: o.config, audit: o.audit },
      // (memory slots where the host makes them, Linux; the pooling allocator elsewhere)
      { pooling: true, memorySlots: true, epoch: true },
      (policy) => requestDefaults(policy),
    );
  } catch (err) {
    // served by a process with a bigger stack (runtime.stack_size)
    if (err instanceof RanElsewhere) return err.code;
    throw err;
  }
  app.sandbox.maxDescriptors = MAX_DESCRIPTORS;
  app.sandbox.noStdin = true;
  const daemon = app.policy.daemon;
  const poolSize = o.poolSize ?? daemon.poolSize ?? DEFAULT_POOL_SIZE;
  limitWorkersInProcess(workersInProcess(poolSize));
  const timeoutMs = o.timeoutMs ?? daemon.execTimeoutMs ?? (app.sandbox.timeoutMs || DEFAULT_TIMEOUT_MS);
  const host = o.host ?? daemon.host ?? "127.0.0.1";
  let port = o.port ?? daemon.port ?? 3000;
  const workers = Math.max(1, o.workers ?? availableParallelism());
  // a busy port is said at once, not after the app's image is built
  if (!inWorker && port !== 0) assertPortFree(host, port);

  if (workers > 1 && !inWorker) {
    if (port === 0) port = await freePort(host);
    return supervise(o, workers, host, port);
  }

  const image = await buildImage({ ...app, sandbox: { ...app.sandbox, timeoutMs } }, o.warn);
  const server = new EdgeServer(image, { host, port, maxBody: o.maxBody, dev: o.dev, quiet: o.quiet, json: o.json, reusePort: workers > 1 || inWorker, poolSize, info: o.info });
  const { port: bound } = server.start();
  let draining = false;
  const metrics = o.metricsPort !== undefined && !inWorker ? startMetrics(host, o.metricsPort, () => server.metricsText(), () => !draining) : undefined;
  if (inWorker) {
    process.on("message", (m: any) => {
      if (m?.type === "metrics?") process.send?.({ type: "metrics", id: m.id, snapshot: server.metrics.snapshot() });
    });
    process.send?.({ type: "ready", port: bound });
    // the supervisor is gone (killed outright): do not serve on as an orphan
    process.on("disconnect", () => process.kill(process.pid, "SIGTERM"));
  } else {
    o.info(`serving ${app.file} on http://${host}:${bound}/ (started in ${Math.round(image.startupMs)} ms${metrics ? `; metrics on http://${host}:${metrics.port}/metrics` : ""})`);
  }
  await stopped(timeoutMs);
  draining = true;
  await server.stop(timeoutMs + 1000);
  metrics?.stop(true);
  if (!inWorker) o.info("stopped");
  return 0;
}

/** Resolves on the first SIGINT or SIGTERM. */
function stopped(_timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    process.once("SIGINT", () => resolve());
    process.once("SIGTERM", () => resolve());
  });
}

function assertPortFree(host: string, port: number): void {
  try {
    Bun.serve({ hostname: host, port, fetch: () => new Response() }).stop(true);
  } catch (err) {
    const busy = portInUse(err, host, port);
    if (busy) throw busy;
    // anything else (no permission, no such address) is reported where the server listens
  }
}

async function freePort(host: string): Promise<number> {
  const s = Bun.serve({ hostname: host, port: 0, fetch: () => new Response() });
  const p = s.port!;
  await s.stop(true);
  return p;
}

/**
 * The metrics port: /metrics (Prometheus), /healthz (alive: the process answers) and /readyz
 * (ready for traffic: 503 once a stop signal came, so a load balancer stops sending requests
 * while those in flight drain).
 */
function startMetrics(host: string, port: number, text: () => string | Promise<string>, ready: () => boolean) {
  try {
    return Bun.serve({
      hostname: host,
      port,
      fetch: async (req) => {
        const path = new URL(req.url).pathname;
        if (path === "/metrics") return new Response(await text(), { headers: { "content-type": "text/plain; version=0.0.4" } });
        if (path === "/healthz") return new Response("ok\n");
        if (path === "/readyz") return ready() ? new Response("ready\n") : new Response("draining\n", { status: 503 });
        return new Response("not found\n", { status: 404 });
      },
    });
  } catch (err) {
    throw new UserError("E_SERVE", `cannot serve metrics on ${host}:${port}: ${(err as Error).message}`);
  }
}

/** Run `workers` worker processes on `port`, keep them running, stop them on a signal. */
async function supervise(o: ServeOptions, workers: number, host: string, port: number): Promise<number> {
  const self = selfCommand();
  const args = process.argv.slice(2);
  const argv = [...self, ...args.filter((a, i) => !isPortFlag(a, args[i - 1])), "--port", String(port)];
  const children = new Set<ReturnType<typeof Bun.spawn>>();
  const pending = new Map<number, (s: MetricsSnapshot) => void>();
  let nextId = 1;
  let stopping = false;
  let readyCount = 0;
  let announce!: () => void;
  const allReady = new Promise<void>((r) => (announce = r));
  let startupError = "";

  const spawn = (restart: boolean): void => {
    const child = Bun.spawn(argv, {
      env: { ...process.env, [WORKER_ENV]: "1" },
      stdio: ["ignore", "inherit", "pipe"],
      ipc(message: any) {
        if (message?.type === "ready" && !restart && ++readyCount === workers) announce();
        if (message?.type === "metrics") pending.get(message.id)?.(message.snapshot);
      },
      onExit(_proc, code) {
        children.delete(child);
        if (stopping) return;
        if (readyCount < workers && !restart) {
          startupError ||= `a worker failed to start (exit ${code})`;
          announce();
          return;
        }
        o.warn(`a worker exited (code ${code}); starting another`);
        setTimeout(() => spawn(true), 200);
      },
    });
    children.add(child);
    // A worker's stderr: guest output and errors, passed through; kept for a startup failure's message.
    void (async () => {
      for await (const chunk of child.stderr as ReadableStream<Uint8Array>) {
        process.stderr.write(chunk);
        if (readyCount < workers) startupError += new TextDecoder().decode(chunk);
      }
    })();
  };
  for (let i = 0; i < workers; i++) spawn(false);
  await allReady;
  if (readyCount < workers) {
    stopping = true;
    for (const c of children) c.kill("SIGTERM");
    throw new UserError("E_SERVE", startupError.trim().replace(/^\[error\]\s*/, "") || "the workers failed to start");
  }
  const metrics =
    o.metricsPort !== undefined
      ? startMetrics(host, o.metricsPort, async () => {
          const snaps = await Promise.all(
            [...children].map(
              (c) =>
                new Promise<MetricsSnapshot | undefined>((resolve) => {
                  const id = nextId++;
                  const done = (s: MetricsSnapshot | undefined) => {
                    pending.delete(id); // answered or timed out: nothing stays behind per scrape
                    resolve(s);
                  };
                  pending.set(id, done);
                  c.send({ type: "metrics?", id });
                  setTimeout(() => done(undefined), 1000);
                }),
            ),
          );
          return prometheus(merge(snaps.filter((s): s is MetricsSnapshot => s !== undefined)));
        }, () => !stopping && children.size > 0)
      : undefined;
  o.info(`serving on http://${host}:${port}/ with ${workers} workers${metrics ? `; metrics on http://${host}:${metrics.port}/metrics` : ""}`);
  await stopped(0);
  stopping = true;
  for (const c of children) c.kill("SIGTERM");
  await Promise.all([...children].map((c) => c.exited));
  metrics?.stop(true);
  o.info("stopped");
  return 0;
}

function isPortFlag(arg: string, prev: string | undefined): boolean {
  return arg === "--port" || arg.startsWith("--port=") || prev === "--port";
}
