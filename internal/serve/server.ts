// The HTTP front of one server process: Bun.serve, a bound on instances in
// flight (each holds a memory slot's resident pages, or where there are no
// slots one of Wasmtime's finite pool: the rest wait their turn), one
// log line per request, metrics, and a graceful stop.

import { writeSync } from "node:fs";
import { UserError } from "../errors.ts";
import type { ServerImage } from "./image.ts";
import { Metrics, prometheus } from "./metrics.ts";
import { handleRequest, hasNoBody, readRequestBody, refusedBody, type Outcome } from "./request.ts";
import { InstancePool } from "./pool.ts";
import { Sandbox } from "../sandbox/index.ts";

export interface ServerOptions {
  host: string;
  port: number;
  maxBody: number;
  dev: boolean;
  quiet: boolean;
  json: boolean;
  /** Share the port with sibling processes (SO_REUSEPORT). */
  reusePort: boolean;
  /** Instances kept ready ahead of requests. */
  poolSize: number;
  /** Log through here (consola in the CLI). */
  info(message: string): void;
}

/** Instances one process keeps in flight: each holds a memory slot (Linux) or a few of Wasmtime's 256 pooled instance slots (as do those made ahead). */
const MAX_IN_FLIGHT = 48;

/** Bytes of request bodies one process holds at once, read or being read, in units of --max-body (16 MiB: 256 MiB). */
const BODIES_HELD = 16;

const sink = (fd: number) => (bytes: Uint8Array) => {
  for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
};

/** The error to report when `err`, from listening on host:port, says the port is taken; undefined otherwise. */
export function portInUse(err: unknown, host: string, port: number): UserError | undefined {
  const e = err as { code?: string; message: string };
  if (e.code !== "EADDRINUSE" && !/in use/i.test(e.message)) return undefined;
  return new UserError("E_SERVE", `port ${port} on ${host} is in use: pick another with --port (0 picks a free one)`);
}

export class EdgeServer {
  readonly metrics = new Metrics();
  private server!: ReturnType<typeof Bun.serve>;
  private inFlight = 0;
  private readonly waiting: (() => void)[] = [];
  private stopping = false;
  /** Bytes of the bodies of the requests in this process (see BODIES_HELD). */
  private bodyBytes = 0;
  private readonly pool: InstancePool;
  /** Responses ready in this turn of the event loop: they go out together at its end (see later()). */
  private readonly outbox: (() => void)[] = [];

  constructor(
    private readonly image: ServerImage,
    private readonly o: ServerOptions,
  ) {
    const stdout = sink(1);
    const stderr = sink(2);
    const onRejection = (t: string) => stderr(new TextEncoder().encode(t));
    let warned = false;
    this.pool = new InstancePool(() => new Sandbox({ ...image.sandbox, stdout, stderr, onRejection }), o.poolSize, (err) => {
      if (!warned) o.info(`could not make an instance ahead: ${(err as Error).message}`);
      warned = true;
    });
  }

  start(): { port: number } {
    try {
      this.server = Bun.serve({
        hostname: this.o.host,
        port: this.o.port,
        reusePort: this.o.reusePort,
        // a request may run as long as its time limit; Bun's default idle timeout is 10 s
        idleTimeout: Math.min(255, Math.ceil((this.image.sandbox.timeoutMs || 10_000) / 1000) + 5),
        maxRequestBodySize: this.o.maxBody + 1,
        fetch: (req) => this.handle(req),
        error: (err) => new Response(`internal error: ${err.message}\n`, { status: 500 }),
      });
    } catch (err) {
      const e = err as NodeJS.ErrnoException;
      const busy = portInUse(err, this.o.host, this.o.port);
      if (busy) throw busy;
      if (e.code === "EACCES") throw new UserError("E_SERVE", `no permission to listen on ${this.o.host}:${this.o.port}`);
      throw new UserError("E_SERVE", `cannot listen on ${this.o.host}:${this.o.port}: ${e.message}`);
    }
    this.pool.start();
    return { port: this.server.port! };
  }

  private async slot(): Promise<void> {
    if (this.inFlight < MAX_IN_FLIGHT) {
      this.inFlight++;
      return;
    }
    await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.inFlight++;
  }

  private release(): void {
    this.inFlight--;
    this.waiting.shift()?.();
  }

  /**
   * Resolves at the end of this turn of the event loop, together with every other response
   * asked for in it: the kernel delivers a burst of responses to a client that is already awake,
   * where one sent after each request would wake it each time (on a VM a wake-up across CPUs is an
   * interrupt through the hypervisor; bench/serve.ts: ~10 % of a request's CPU). A response ready
   * only on a later turn (a body read, an async handler) goes out when it is.
   */
  private later(): Promise<void> {
    if (this.outbox.length === 0) setImmediate(this.flush);
    return new Promise((resolve) => this.outbox.push(resolve));
  }

  private readonly flush = () => {
    for (const send of this.outbox.splice(0)) send();
  };

  private async handle(req: Request): Promise<Response> {
    let held = 0;
    const reserve = (n: number) => {
      if (this.bodyBytes + n > BODIES_HELD * this.o.maxBody) return false;
      this.bodyBytes += n;
      held += n;
      return true;
    };
    try {
      return await this.respond(req, reserve);
    } finally {
      this.bodyBytes -= held;
    }
  }

  private async respond(req: Request, reserve: (n: number) => boolean): Promise<Response> {
    const t0 = performance.now();
    // (asked first: the end of the turn sends this response before the instance its take makes ahead)
    const turnEnd = this.later();
    const ro = { maxBody: this.o.maxBody, dev: this.o.dev };
    // The body first, within the request's time limit, and only then a slot.
    const bodyMs = this.image.sandbox.timeoutMs || 30_000;
    const body = hasNoBody(req) ? null : await readRequestBody(req, this.o.maxBody, bodyMs, reserve);
    let outcome: Outcome;
    if (body === "too-large" || body === "too-slow" || body === "too-busy") outcome = refusedBody(body, ro, bodyMs);
    else {
      const parseMs = performance.now() - t0;
      await this.slot();
      let ahead = false;
      const take = () => {
        const r = this.pool.take();
        ahead = r.ahead;
        return r;
      };
      try {
        outcome = await handleRequest(this.image, take, req, body, ro, parseMs);
      } catch (err) {
        this.release();
        throw err;
      }
      this.metrics.instance(ahead);
      for (const [phase, ms] of [["parse", outcome.phases.parse], ["ready", outcome.phases.ready], ["first_call", outcome.phases.firstCall], ["handler", outcome.phases.handler], ["response", outcome.phases.response]] as const) this.metrics.phase(phase, ms);
      // (`after` never rejects, but a failure there must not take the server down either)
      void outcome.after
        .then((ms) => this.metrics.phase("teardown", ms))
        .catch(() => {})
        .finally(() => this.release());
    }
    await turnEnd;
    // (the time logged includes the wait for the end of the turn)
    this.metrics.request(outcome.response.status, outcome.kind);
    this.log(req, outcome.response.status, performance.now() - t0, outcome.kind, outcome.error);
    return outcome.response;
  }

  private log(req: Request, status: number, ms: number, kind: string, error?: string): void {
    if (this.o.quiet && kind === "ok") return;
    const path = req.url.slice(req.url.indexOf("/", req.url.indexOf("//") + 2));
    if (this.o.json) {
      const line = JSON.stringify({ time: new Date().toISOString(), method: req.method, path, status, ms: Math.round(ms * 1000) / 1000, ...(kind !== "ok" ? { error: kind, detail: error } : {}) });
      writeSync(1, `${line}\n`);
    } else {
      this.o.info(`${req.method} ${path} ${status} ${ms.toFixed(2)} ms${kind !== "ok" ? ` (${kind})` : ""}${error ? `\n${error}` : ""}`);
    }
  }

  /** Stop accepting, let the requests in flight finish (within `graceMs`), then resolve. */
  async stop(graceMs: number): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    void this.server.stop(false);
    const until = performance.now() + graceMs;
    // (a request released before its response leaves, at the end of its turn: the outbox empties first)
    while ((this.inFlight > 0 || this.outbox.length > 0) && performance.now() < until) await Bun.sleep(10);
    void this.server.stop(true);
    this.pool.stop();
  }

  metricsText(): string {
    return prometheus(this.metrics.snapshot());
  }
}
