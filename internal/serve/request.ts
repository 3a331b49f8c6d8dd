// One request: a fresh instance of the server image, the app's fetch handler,
// and the response. Every way a request can fail ends in a response (and a
// log line) here; the server itself carries on.

import { Sandbox, type RunResult } from "../sandbox/index.ts";
import type { Sink } from "../hostcalls/stdio.ts";
import type { ServerImage } from "./image.ts";
import { MAX_HEADERS } from "../hostcalls/net.ts";

export type OutcomeKind = "ok" | "error" | "timeout" | "memory" | "trap" | "too-large" | "too-slow";

export interface Outcome {
  response: Response;
  kind: OutcomeKind;
  /** The error, with its stack, for the log. */
  error?: string;
  /** ms: instantiating the instance; running the handler up to its response. */
  instantiateMs: number;
  handlerMs: number;
  /** Settles when ctx.waitUntil's promises have (the instance is released then). */
  after: Promise<void>;
}

export interface RequestOptions {
  maxBody: number;
  /** Send the error and its stack to the client (--dev), not just a status. */
  dev: boolean;
  stdout: Sink;
  stderr: Sink;
}

const text = (status: number, body: string) => new Response(body, { status, headers: { "content-type": "text/plain;charset=utf-8" } });

type Body = Uint8Array | null | "too-large" | "too-slow";

/**
 * The request's body, refused past `max` bytes (declared or streamed) or when
 * it has not all arrived within `ms` (a client that trickles a body in must
 * not hold the server: the body is read before a request takes a slot).
 */
export async function readRequestBody(req: Request, max: number, ms: number): Promise<Body> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<"too-slow">((resolve) => (timer = setTimeout(() => resolve("too-slow"), ms)));
  try {
    const body = await Promise.race([readBody(req, max), late]);
    if (body === "too-slow") void req.body?.cancel().catch(() => {});
    return body;
  } finally {
    clearTimeout(timer);
  }
}

async function readBody(req: Request, max: number): Promise<Uint8Array | null | "too-large"> {
  if (req.method === "GET" || req.method === "HEAD" || !req.body) return null;
  const declared = Number(req.headers.get("content-length") ?? -1);
  if (declared > max) return "too-large";
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of req.body) {
    size += chunk.length;
    if (size > max) return "too-large";
    chunks.push(chunk);
  }
  return chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size);
}

function failed(kind: OutcomeKind, status: number, message: string, dev: boolean, error?: string): Omit<Outcome, "instantiateMs" | "handlerMs" | "after"> {
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

/** What a request whose body was refused gets. */
export function refusedBody(body: "too-large" | "too-slow", o: RequestOptions, ms: number): Outcome {
  const f = body === "too-large" ? failed("too-large", 413, `the request body is larger than ${o.maxBody} bytes`, false) : failed("too-slow", 408, `the request body did not arrive within ${ms} ms`, false);
  return { ...f, instantiateMs: 0, handlerMs: 0, after: Promise.resolve() };
}

export async function handleRequest(image: ServerImage, req: Request, body: Uint8Array | null, o: RequestOptions): Promise<Outcome> {
  const t0 = performance.now();
  const sb = new Sandbox({ ...image.sandbox, stdout: o.stdout, stderr: o.stderr, onRejection: (t) => o.stderr(new TextEncoder().encode(t)) });
  const timeoutMs = image.sandbox.timeoutMs ?? 0;
  let instantiateMs = 0;
  let responseH = 0;
  let settledH = 0;
  const finish = (outcome: Omit<Outcome, "instantiateMs" | "handlerMs" | "after">, after: Promise<void>): Outcome => ({
    ...outcome,
    instantiateMs,
    handlerMs: performance.now() - t0 - instantiateMs,
    after,
  });
  const release = () => {
    try {
      if (responseH) sb.guest.free(responseH);
      if (settledH) sb.guest.free(settledH);
    } catch {
      // the instance trapped (its time ran out): it is dropped whole below
    }
    sb.dispose();
  };
  try {
    sb.startClock();
    sb.boot();
    instantiateMs = performance.now() - t0;
    const vm = sb.guest;
    const reqJson = vm.newString(JSON.stringify({ url: req.url, method: req.method, headers: [...req.headers] }));
    const bodyH = body ? vm.newBytes(body) : vm.undefined();
    let r: number;
    try {
      r = sb.callEntry("serve", [image.handler, reqJson, bodyH]);
    } finally {
      vm.free(reqJson);
      vm.free(bodyH);
    }
    responseH = vm.getProp(r, "response");
    settledH = vm.getProp(r, "settled");
    vm.free(r);
    const waited = await sb.spin(() => vm.promiseState(responseH) !== 0);
    if (waited === "dry") {
      release();
      return finish(failed("error", 500, "the handler's promise never settled", o.dev), Promise.resolve());
    }
    if (waited !== "until") {
      release();
      return finish(fromResult(waited, timeoutMs, o.dev), Promise.resolve());
    }
    if (vm.promiseState(responseH) === 2) {
      const err = vm.promiseResult(responseH);
      const oom = sb.isOutOfMemoryError(err);
      const error = oom ? undefined : sb.formatError(err, false).trimEnd();
      vm.free(err);
      release();
      return finish(oom ? failed("memory", 500, "the request ran out of memory", o.dev) : failed("error", 500, "the handler failed", o.dev, error), Promise.resolve());
    }
    const desc = vm.promiseResult(responseH);
    const headH = vm.getProp(desc, "head");
    const bodyOut = vm.getProp(desc, "body");
    const head = JSON.parse(vm.toString(headH)) as { status: number; statusText: string; headers: [string, string][] };
    const bytes = vm.isUndefined(bodyOut) ? undefined : vm.toBytes(bodyOut);
    vm.free(headH);
    vm.free(bodyOut);
    vm.free(desc);
    if (head.headers.length > MAX_HEADERS) {
      // (Bun takes time that grows with the square of the count to build them, past any time limit)
      release();
      return finish(failed("error", 500, "the handler failed", o.dev, `the response has ${head.headers.length} headers; at most ${MAX_HEADERS}`), Promise.resolve());
    }
    const response = new Response(bytes ?? null, { status: head.status, statusText: head.statusText, headers: head.headers });
    // ctx.waitUntil: the instance lives on until those promises settle (or the time limit).
    const after = (async () => {
      try {
        await sb.spin(() => vm.promiseState(settledH) !== 0);
      } catch {
        // a failure after the response was sent: nothing left to tell the client
      } finally {
        release();
      }
    })();
    return finish({ kind: "ok", response }, after);
  } catch (err) {
    const r = sb.fail(err);
    release();
    return finish(fromResult(r, timeoutMs, o.dev), Promise.resolve());
  }
}
