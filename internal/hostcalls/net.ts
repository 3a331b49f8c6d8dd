// fetch for the guest: the host makes the request. Every URL, and every
// redirect's target, is normalised and checked against the policy; redirects
// are followed here, one checked hop at a time. The policy's rate limit
// refuses requests beyond it; its connection limit makes requests wait.

import { checkNet } from "../policy/checks.ts";
import { normaliseUrl, parseAddress, type HostAddress } from "../policy/url.ts";
import { networkInterfaces } from "node:os";
import type { HostContext } from "./context.ts";
import type { Policy } from "../policy/types.ts";
import { accessDenied, GuestError, invalidArg, shown } from "./errors.ts";

/** Headers one request or response may carry (Bun answers 431 past about as many). */
export const MAX_HEADERS = 1000;
const MAX_REDIRECTS = 20;

interface FetchArgs {
  url: unknown;
  method?: unknown;
  headers?: unknown;
  redirect?: unknown;
}

/** An HTTP token (a method or a header name, RFC 9110). */
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;
/** A header value: no CR, LF or NUL, no other control but tab (RFC 9110 field-value). */
const FIELD_VALUE = /^[\t\x20-\x7e\x80-\xff]*$/;

/** The guest's request headers, checked as node's Headers checks them ("host" is the host's to set). */
function requestHeaders(list: unknown): Headers {
  if (list === undefined) return new Headers();
  if (!Array.isArray(list)) throw invalidArg("fetch: headers must be a list of [name, value] pairs");
  // (bounded before Bun sees them: building Headers from many takes time no guest limit covers)
  if (list.length > MAX_HEADERS) throw invalidArg(`fetch: more than ${MAX_HEADERS} request headers`);
  const headers = new Headers();
  for (const pair of list) {
    const [name, value] = Array.isArray(pair) ? pair : [];
    if (typeof name !== "string" || !TOKEN.test(name)) throw invalidHeader(`${shown(name)} is an invalid header name`);
    if (typeof value !== "string" || !FIELD_VALUE.test(value)) throw invalidHeader(`${shown(value)} is an invalid value for header ${shown(name)}`);
    if (name.toLowerCase() !== "host") headers.append(name, value.trim());
  }
  return headers;
}

function invalidHeader(message: string): GuestError {
  return new GuestError({ code: "ERR_INVALID_CHAR", name: "TypeError", message: `Headers.append: ${message}` });
}

/** Checks a URL by its name for the guest (before any lookup): the normalised URL, or the guest's error. */
function checked(ctx: HostContext, input: string): URL {
  const url = normaliseUrl(input);
  if (!url) throw new GuestError({ code: "ERR_INVALID_URL", message: `Invalid URL: ${input}`, input });
  if (url.protocol !== "http:" && url.protocol !== "https:") {
    throw new GuestError({ code: "ERR_NOT_SUPPORTED_IN_SANDBOX", message: `fetch supports http: and https: URLs in the sandbox (got ${url.protocol})` });
  }
  const d = checkNet(ctx.policy, url);
  if (!d.ok) {
    ctx.audit?.({ capability: "net", target: url.href, allowed: false, rule: d.denial.rule });
    throw accessDenied(d.denial, url.href);
  }
  return url;
}

/** This machine's own interface addresses (a server listening on 0.0.0.0 answers on each). */
let ownAddresses: Set<bigint> | undefined;
function isThisMachine(value: bigint): boolean {
  ownAddresses ??= new Set(
    Object.values(networkInterfaces())
      .flat()
      .map((i) => (i ? parseAddress(i.address.replace(/%.*$/, "")) : undefined))
      .filter((v): v is bigint => v !== undefined),
  );
  return ownAddresses.has(value);
}

/**
 * The addresses `url`'s host resolves to, each checked against the policy
 * (looked up once: the request then goes to these, never to a second answer).
 */
async function resolveChecked(ctx: HostContext, url: URL): Promise<HostAddress[]> {
  const bare = url.hostname.replace(/^\[(.*)\]$/, "$1");
  let found: { address: string }[];
  if (parseAddress(url.hostname) !== undefined) found = [{ address: bare }];
  else {
    try {
      // (node:dns is loaded on the first name to resolve, not at start-up)
      const { lookup } = require("node:dns/promises") as typeof import("node:dns/promises");
      found = await lookup(bare, { all: true, verbatim: true });
    } catch (err) {
      throw new GuestError({ code: "ERR_FETCH_FAILED", message: `fetch failed: ${url.hostname} does not resolve (${(err as NodeJS.ErrnoException).code ?? "lookup failed"})` });
    }
  }
  const addresses = found.flatMap(({ address }) => {
    const value = parseAddress(address);
    return value === undefined ? [] : [{ address, value, thisMachine: isThisMachine(value) }];
  });
  if (addresses.length === 0) throw new GuestError({ code: "ERR_FETCH_FAILED", message: `fetch failed: ${url.hostname} has no address` });
  const d = checkNet(ctx.policy, url, addresses);
  ctx.audit?.({ capability: "net", target: url.href, allowed: d.ok, rule: d.ok ? d.rule : d.denial.rule });
  if (!d.ok) throw accessDenied(d.denial, url.href);
  return addresses;
}

/**
 * Fetch `url` from one of its checked addresses, the next when one refuses
 * the connection (nothing was sent then). The name travels in the Host header
 * and in TLS (SNI and the certificate's check).
 */
async function fetchAt(url: URL, addresses: HostAddress[], init: BunFetchRequestInit & { headers: Headers }): Promise<Response> {
  const named = parseAddress(url.hostname) === undefined;
  for (let i = 0; ; i++) {
    const at = new URL(url);
    const a = addresses[i]!.address;
    at.hostname = a.includes(":") ? `[${a}]` : a;
    const headers = new Headers(init.headers);
    headers.set("host", url.host);
    try {
      return await fetch(at, { ...init, headers, ...(named && url.protocol === "https:" ? { tls: { serverName: url.hostname } } : {}) });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "ECONNREFUSED" || i + 1 >= addresses.length) throw err;
    }
  }
}

/** Per-run network state: the rate limiter, the connection slots, requests in flight. */
/**
 * rateLimitRps and maxConnections: one per run, or shared by every request
 * of an `edgebox serve` worker (so that concurrent requests do not multiply them).
 */
export class NetLimits {
  tokens: number;
  last = performance.now();
  active = 0;
  readonly waiting: (() => void)[] = [];

  constructor(readonly policy: Policy) {
    this.tokens = Math.max(1, Math.ceil(policy.net.rateLimitRps ?? 1));
  }
}

export class Network {
  private readonly inflight = new Map<number, AbortController>();

  constructor(private readonly ctx: HostContext) {}

  /** A token-bucket: a second's worth of requests may burst; beyond that, refused. */
  private takeToken(url: URL): void {
    const rps = this.ctx.policy.net.rateLimitRps;
    if (!rps) return;
    const l = this.ctx.netLimits;
    const now = performance.now();
    l.tokens = Math.min(Math.max(1, Math.ceil(rps)), l.tokens + ((now - l.last) / 1000) * rps);
    l.last = now;
    if (l.tokens < 1) {
      this.ctx.audit?.({ capability: "net", target: url.href, allowed: false, rule: `rateLimitRps ${rps}` });
      throw new GuestError({
        code: "ERR_ACCESS_DENIED",
        message: `Access to ${url.href} denied by the sandbox policy: more than ${rps} requests per second (rateLimitRps)`,
        permission: "net",
        resource: url.href,
      });
    }
    l.tokens -= 1;
  }

  private async slot(): Promise<void> {
    const max = this.ctx.policy.net.maxConnections;
    if (!max) return;
    const l = this.ctx.netLimits;
    while (l.active >= max) await new Promise<void>((r) => l.waiting.push(r));
    l.active++;
  }

  private release(): void {
    if (!this.ctx.policy.net.maxConnections) return;
    this.ctx.netLimits.active--;
    this.ctx.netLimits.waiting.shift()?.();
  }

  /** Start a request; the response arrives as deliveries: "head", "data"..., then "end" or "error". */
  fetch(a: FetchArgs, body: Uint8Array | undefined): number {
    if (typeof a.url !== "string") throw invalidArg(`fetch needs a URL`);
    const method = a.method ?? "GET";
    if (typeof method !== "string" || !TOKEN.test(method)) throw invalidArg(`fetch: ${shown(method)} is not a valid HTTP method`);
    const headers = requestHeaders(a.headers);
    const url = checked(this.ctx, a.url);
    this.takeToken(url);
    const id = this.ctx.async.start();
    const abort = new AbortController();
    this.inflight.set(id, abort);
    void this.run(id, url, method.toUpperCase(), headers, a.redirect, body, abort.signal).finally(() => this.inflight.delete(id));
    return id;
  }

  abort(id: number): undefined {
    this.inflight.get(id)?.abort();
    return undefined;
  }

  abortAll(): void {
    for (const a of this.inflight.values()) a.abort();
  }

  /** The request, one checked hop at a time; whatever fails ends it with an "error" delivery (never a host exception). */
  private async run(id: number, first: URL, firstMethod: string, headers: Headers, redirect: unknown, body: Uint8Array | undefined, signal: AbortSignal): Promise<void> {
    const deliver = this.ctx.async.deliver;
    let url = first;
    let method = firstMethod;
    let payload: Uint8Array | undefined = body;
    await this.slot();
    try {
      for (let hop = 0; ; hop++) {
        const addresses = await resolveChecked(this.ctx, url);
        const res = await fetchAt(url, addresses, { method, headers, body: payload, redirect: "manual", signal, decompress: true });
        const location = res.headers.get("location");
        if (redirect !== "manual" && res.status >= 300 && res.status < 400 && location) {
          if (redirect === "error") throw new GuestError({ code: "ERR_FETCH_REDIRECT", message: `fetch failed: redirect to ${location} with redirect: "error"` });
          if (hop >= MAX_REDIRECTS) throw new GuestError({ code: "ERR_TOO_MANY_REDIRECTS", message: `fetch failed: more than ${MAX_REDIRECTS} redirects` });
          await res.body?.cancel();
          const next = checked(this.ctx, new URL(location, url).href);
          // As the Fetch standard: credentials never follow a redirect to another origin.
          if (next.origin !== url.origin) for (const h of ["authorization", "cookie", "proxy-authorization"]) headers.delete(h);
          url = next;
          this.takeToken(url); // every hop is a request to count
          if (res.status === 303 || ((res.status === 301 || res.status === 302) && method === "POST")) {
            method = method === "HEAD" ? "HEAD" : "GET";
            payload = undefined;
            headers.delete("content-type");
            headers.delete("content-length");
          }
          continue;
        }
        deliver(
          {
            id,
            kind: "head",
            str: JSON.stringify({
              status: res.status,
              statusText: res.statusText,
              headers: [...res.headers.entries()],
              url: url.href,
              redirected: hop > 0,
            }),
          },
          false,
        );
        if (res.body) for await (const chunk of res.body) deliver({ id, kind: "data", bytes: chunk }, false);
        deliver({ id, kind: "end" }, true);
        return;
      }
    } catch (err) {
      const info =
        err instanceof GuestError
          ? err.info
          : signal.aborted
            ? { code: "ABORT_ERR", name: "AbortError", message: "This operation was aborted" }
            : { code: "ERR_FETCH_FAILED", message: `fetch failed: ${(err as Error).message}` };
      deliver({ id, kind: "error", str: JSON.stringify(info) }, true);
    } finally {
      this.release();
    }
  }
}
