// One request: a fresh instance of the server image, the app's fetch handler,
// and the response. Every way a request can fail ends in a response (and a
// log line) here; the server itself carries on.

import type { RunResult, Sandbox } from "../sandbox/index.ts";
import type { ServerImage } from "./image.ts";
import { MAX_HEADERS } from "../hostcalls/net.ts";
import type { ReadyInstance } from "./pool.ts";

export type OutcomeKind = "ok" | "error" | "timeout" | "memory" | "trap" | "too-large" | "too-slow" | "too-busy";

/** Where a request's time went, ms (see metrics.ts). */
export interface Phases {
  /** From the handler's start to the request ready for the guest: its body read, its head encoded. */
  parse: number;
  /** Instantiating the image and linking its side modules (ahead of the request when the pool had one). */
  ready: number;
  /** Binding the fresh instance: its random seed written (internal/sandbox/binding.ts). */
  firstCall: number;
  /** The app's fetch, up to its response. */
  handler: number;
  /** The response out of the guest and into a Response. */
  response: number;
}

export interface Outcome {
  response: Response;
  kind: OutcomeKind;
  /** The error, with its stack, for the log. */
  error?: string;
  phases: Phases;
  /** Settles when ctx.waitUntil's promises have and the instance is released; with the ms the release took. */
  after: Promise<number>;
}

export interface RequestOptions {
  maxBody: number;
  /** Send the error and its stack to the client (--dev), not just a status. */
  dev: boolean;
}

const text = (status: number, body: string) => new Response(body, { status, headers: { "content-type": "text/plain;charset=utf-8" } });

type Body = Uint8Array | null | Refused;
type Refused = "too-large" | "too-slow" | "too-busy";

/** A request that has no body to read (GET, HEAD, or none sent): no readRequestBody for it. */
export const hasNoBody = (req: Request) => req.method === "GET" || req.method === "HEAD" || !req.body;

/**
 * The body of a request that has one (hasNoBody: not), refused past `max` bytes (declared or streamed) or when
 * it has not all arrived within `ms` (a client that trickles a body in must
 * not hold the server: the body is read before a request takes a slot), or
 * when `reserve(n)` says the process holds too many bytes of bodies already
 * (many clients that each stop just short of `max` must not fill its memory).
 */
export async function readRequestBody(req: Request, max: number, ms: number, reserve: (n: number) => boolean): Promise<Body> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"too-slow">((resolve) => (timer = setTimeout(() => resolve("too-slow"), ms)));
  try {
    const body = await Promise.race([readBody(req, max, reserve), late]);
    if (body === "too-slow" || body === "too-busy") void req.body?.cancel().catch(() => {});
    return body;
  } finally {
    clearTimeout(timer);
  }
}

async function readBody(req: Request, max: number, reserve: (n: number) => boolean): Promise<Uint8Array | null | "too-large" | "too-busy"> {
  if (!req.body) return null;
  const declared = Number(req.headers.get("content-length") ?? -1);
  if (declared > max) return "too-large";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.length;
    if (size > max) return "too-large";
    if (!reserve(chunk.length)) return "too-busy";
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

function failed(kind: OutcomeKind, status: number, message: string, dev: boolean, error?: string): Omit<Outcome, "phases" | "after"> {
  return { kind, response: text(status, dev && error ? `${message}\n\n${error}\n` : `${message}\n`), error: error ?? message };
}

/** What a run result that ended the request means for the client. */
function fromResult(r: RunResult, timeoutMs: number, dev: boolean) {
  if (r.reason === "timeout") return failed("timeout", 504, `the request took longer than ${timeoutMs} ms`, dev);
  if (r.reason === "out-of-memory") return failed("memory", 500, "the request ran out of memory", dev);
  if (r.reason === "trap") return failed("trap", 500, "the request crashed inside the sandbox", dev);
  if (r.reason === "exit") return failed("error", 500, "the handler called process.exit()", dev);
  return failed("error", 500, "the handler failed", dev);
}

const NO_PHASES: Phases = { parse: 0, ready: 0, firstCall: 0, handler: 0, response: 0 };
/** Microtasks a request runs between its response being ready and sent (the rest run after, within the time limit). */
const MICROTASKS_BEFORE_RESPONSE = 1000;

/** What a request whose body was refused gets. */
export function refusedBody(body: Refused, o: RequestOptions, ms: number): Outcome {
  const f =
    body === "too-large" ? failed("too-large", 413, `the request body is larger than ${o.maxBody} bytes`, false)
    : body === "too-slow" ? failed("too-slow", 408, `the request body did not arrive within ${ms} ms`, false)
    : failed("too-busy", 503, "the server holds too many request bodies at the moment: try again later", false);
  return { ...f, phases: NO_PHASES, after: Promise.resolve(0) };
}

/**
 * One request in a fresh instance (`take` gives one no other request has
 * touched). Whatever happens, the instance is released exactly once: at once
 * on failure, after ctx.waitUntil's promises otherwise.
 */
export async function handleRequest(image: ServerImage, take: () => ReadyInstance, req: Request, body: Uint8Array | null, o: RequestOptions, parseMs: number): Promise<Outcome> {
  const phases: Phases = { ...NO_PHASES, parse: parseMs };
  const timeoutMs = image.sandbox.timeoutMs ?? 0;
  let ready: ReadyInstance;
  try {
    ready = take();
  } catch (err) {
    const error = err instanceof Error ? err.message : String(err);
    return { ...failed("error", 500, "the server could not make an instance for the request", o.dev, error), phases, after: Promise.resolve(0) };
  }
  const sb = ready.sb;
  phases.ready = ready.readyMs;
  phases.firstCall = ready.firstCallMs;
  let released: Promise<number> | undefined;
  // (The handles the request holds are not freed one by one: the instance goes whole, its memory with them.)
  const dispose = () => {
    const t = performance.now();
    sb.dispose();
    return performance.now() - t;
  };
  // A failed request's instance: after the response is on its way (the next turn of the loop).
  const release = (): Promise<number> => (released ??= new Promise<number>((resolve) => setImmediate(() => resolve(dispose()))));
  const end = (outcome: Omit<Outcome, "phases" | "after">): Outcome => ({ ...outcome, phases, after: release() });
  let t = performance.now();
  const lap = (phase: keyof Phases) => {
    const now = performance.now();
    phases[phase] = now - t;
    t = now;
  };
  try {
    sb.startClock();
    const vm = sb.guest;
    // (wasm/runtime.js serve: the headers' JSON is parsed only if the handler reads them)
    const reqHead = vm.newString(`${req.method} ${req.url}\n${JSON.stringify([...req.headers])}`);
    // (no body: the argument left out, which the guest reads as undefined)
    const out = sb.callEntry("serve", body ? [image.handler, reqHead, vm.newBytes(body)] : [image.handler, reqHead]);
    const responseH = vm.getProp(out, "response");
    // (a handler that returned a Response at once: the response is there, not a promise of it)
    let desc = responseH;
    if (vm.promiseState(responseH) < 0) lap("handler");
    else {
      // (eager: a response that is ready does not wait for microtasks that never end)
      const waited = await sb.spin(() => vm.promiseState(responseH) !== 0, true);
      lap("handler");
      if (waited === "dry") return end(failed("error", 500, "the handler's promise never settled", o.dev));
      if (waited !== "until") return end(fromResult(waited, timeoutMs, o.dev));
      if (vm.promiseState(responseH) === 2) {
        const err = vm.promiseResult(responseH);
        const oom = sb.isOutOfMemoryError(err);
        const error = oom ? undefined : sb.formatError(err, false).trimEnd();
        vm.free(err);
        return end(oom ? failed("memory", 500, "the request ran out of memory", o.dev) : failed("error", 500, "the handler failed", o.dev, error));
      }
      desc = vm.promiseResult(responseH);
    }
    const head = responseHead(vm.toString(vm.getProp(desc, "head")));
    if (typeof head === "string") return end(failed("error", 500, "the handler failed", o.dev, head));
    const bodyOut = vm.getProp(desc, "body");
    const bytes = vm.isString(bodyOut) ? vm.toUtf8(bodyOut) : vm.isObject(bodyOut) ? vm.toBytes(bodyOut) : undefined;
    let response: Response;
    try {
      response = new Response(bytes ?? null, head);
    } catch (err) {
      // a header name or value, or a status, that HTTP does not allow
      return end(failed("error", 500, "the handler failed", o.dev, `the response is not valid HTTP: ${(err as Error).message}`));
    }
    lap("response");
    // Nothing left to wait for (no ctx.waitUntil, no unhandled rejection to report): the instance
    // goes now, before the next request's is made. Under load that keeps a process's requests in
    // one memory slot, warm in the cache; released on a later turn, a batch of requests (Bun
    // hands them over together) each held a slot of its own, and all of a request's phases cost
    // more (bench/serve.ts: CPU per request).
    if (doneNow(sb, out)) return { kind: "ok", response, phases, after: Promise.resolve(dispose()) };
    // ctx.waitUntil: the instance lives on until those promises settle (or the time limit).
    const after = (async () => {
      try {
        // (on a later turn: the response goes out first, whatever the microtasks left do)
        await new Promise((resolve) => setImmediate(resolve));
        // (the handler's microtasks run first: one may call ctx.waitUntil, which sets `settled`)
        let settledH = 0;
        await sb.spin(() => {
          if (!settledH) settledH = vm.getProp(out, "settled");
          return vm.isUndefined(settledH) || vm.promiseState(settledH) !== 0;
        });
      } catch (err) {
        // a failure after the response was sent: nothing left to tell the client, the log says why
        try {
          sb.fail(err);
        } catch {
          // (not the guest's doing; the instance goes all the same)
        }
      }
      return release();
    })();
    return { kind: "ok", response, phases, after };
  } catch (err) {
    let r: RunResult;
    try {
      r = sb.fail(err);
    } catch (bug) {
      // not the guest's doing: still this request's failure only
      return end(failed("error", 500, "the handler failed", o.dev, bug instanceof Error ? (bug.stack ?? bug.message) : String(bug)));
    }
    return end(fromResult(r, timeoutMs, o.dev));
  }
}

/**
 * The response's head from the guest's lines (wasm/runtime.js servedResponse: the header count,
 * status, status text, then each header's name and value), or why it cannot be one.
 */
export function responseHead(text: string): { status: number; statusText: string; headers: [string, string][] } | string {
  const lines = text.split("\n", 3 + 2 * (MAX_HEADERS + 1));
  if (!/^\d+$/.test(lines[0]!)) return "the response's head is not one the runtime wrote";
  const count = Number(lines[0]);
  // (Bun takes time that grows with the square of the count to build them, past any time limit)
  if (count > MAX_HEADERS) return `the response has ${count} headers; at most ${MAX_HEADERS}`;
  if (lines.length !== 3 + 2 * count) return "the response is not valid HTTP: its status text or a header has a line break";
  const headers: [string, string][] = [];
  for (let i = 3; i < lines.length; i += 2) headers.push([lines[i]!, lines[i + 1]!]);
  return { status: Number(lines[1]), statusText: lines[2]!, headers };
}

/**
 * The request's microtasks run (up to MICROTASKS_BEFORE_RESPONSE: the rest
 * run after the response is sent), and none left ctx.waitUntil's promises
 * pending or a rejection unhandled.
 */
function doneNow(sb: Sandbox, out: number): boolean {
  const vm = sb.guest;
  try {
    sb.enterBudget(); // (the request's workers may have run since its loop's last turn)
    let jobs = 0;
    if (!vm.runJobs(() => ++jobs >= MICROTASKS_BEFORE_RESPONSE)) return false;
    if (sb.rejections.size > 0) return false; // (the loop reports them)
    const settledH = vm.getProp(out, "settled");
    return vm.isUndefined(settledH) || vm.promiseState(settledH) !== 0;
  } catch {
    return false; // (the loop finds out why: the time limit, a trap)
  }
}
