// Web APIs: Event, EventTarget, AbortController/AbortSignal, Headers, Blob,
// Request, Response and fetch. fetch asks the host, which checks every URL
// (and every redirect) against the policy before any byte leaves.

import { OP } from "../abi.js";
import { onDelivery } from "./async.js";
import { host } from "./host.js";
import { utf8Decode, utf8Encode } from "./utf8.js";

export class Event {
  constructor(type, init = {}) {
    this.type = String(type);
    this.bubbles = Boolean(init.bubbles);
    this.cancelable = Boolean(init.cancelable);
    this.composed = Boolean(init.composed);
    this.defaultPrevented = false;
    this.timeStamp = performance.now();
    this.target = null;
    this.currentTarget = null;
    this.isTrusted = false;
    this._stop = false;
  }
  preventDefault() {
    if (this.cancelable) this.defaultPrevented = true;
  }
  stopPropagation() {}
  stopImmediatePropagation() {
    this._stop = true;
  }
  composedPath() {
    return this.target ? [this.target] : [];
  }
}

export class CustomEvent extends Event {
  constructor(type, init = {}) {
    super(type, init);
    this.detail = init.detail ?? null;
  }
}

const listenersKey = Symbol("listeners");

export class EventTarget {
  constructor() {
    Object.defineProperty(this, listenersKey, { value: new Map() });
  }
  addEventListener(type, listener, options) {
    if (!listener) return;
    const once = typeof options === "object" && options !== null && Boolean(options.once);
    const list = this[listenersKey].get(type) ?? [];
    if (list.some((l) => l.listener === listener)) return;
    list.push({ listener, once });
    this[listenersKey].set(type, list);
    const signal = typeof options === "object" ? options?.signal : undefined;
    signal?.addEventListener("abort", () => this.removeEventListener(type, listener), { once: true });
  }
  removeEventListener(type, listener) {
    const list = this[listenersKey].get(type);
    if (list) this[listenersKey].set(type, list.filter((l) => l.listener !== listener));
  }
  dispatchEvent(event) {
    event.target = this;
    event.currentTarget = this;
    for (const l of [...(this[listenersKey].get(event.type) ?? [])]) {
      if (l.once) this.removeEventListener(event.type, l.listener);
      if (typeof l.listener === "function") l.listener.call(this, event);
      else l.listener.handleEvent(event);
      if (event._stop) break;
    }
    const handler = this[`on${event.type}`];
    if (typeof handler === "function") handler.call(this, event);
    return !event.defaultPrevented;
  }
}

/** The listeners of `type` on an EventTarget (node's events.getEventListeners). */
export function eventTargetListeners(target, type) {
  return (target[listenersKey]?.get(type) ?? []).map((l) => l.listener);
}

function abortError(message = "This operation was aborted") {
  if (typeof DOMException === "function") return new DOMException(message, "AbortError");
  return Object.assign(new Error(message), { name: "AbortError", code: 20 });
}

export class AbortSignal extends EventTarget {
  constructor() {
    super();
    this.aborted = false;
    this.reason = undefined;
    this.onabort = null;
  }
  throwIfAborted() {
    if (this.aborted) throw this.reason;
  }
  static abort(reason) {
    const c = new AbortController();
    c.abort(reason);
    return c.signal;
  }
  static timeout(ms) {
    const c = new AbortController();
    setTimeout(() => c.abort(typeof DOMException === "function" ? new DOMException("The operation was aborted due to timeout", "TimeoutError") : new Error("timeout")), ms).unref?.();
    return c.signal;
  }
  static any(signals) {
    const c = new AbortController();
    for (const s of signals) {
      if (s.aborted) {
        c.abort(s.reason);
        break;
      }
      s.addEventListener("abort", () => c.abort(s.reason), { once: true });
    }
    return c.signal;
  }
}

export class AbortController {
  constructor() {
    this.signal = new AbortSignal();
  }
  abort(reason) {
    const s = this.signal;
    if (s.aborted) return;
    s.aborted = true;
    s.reason = reason === undefined ? abortError() : reason;
    s.dispatchEvent(new Event("abort"));
  }
}

function normalizeName(name) {
  name = String(name);
  if (!/^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/.test(name)) throw new TypeError(`Invalid header name: "${name}"`);
  return name.toLowerCase();
}

function normalizeValue(v) {
  return String(v).replace(/^[\t\n\r ]+|[\t\n\r ]+$/g, "");
}

/** Adds a value to a Headers map under its normalized name: set-cookie's each kept, any other's joined with ", ". */
function appendTo(map, k, v) {
  const cur = map.get(k);
  if (k === "set-cookie") map.set(k, cur ? [...cur, v] : [v]);
  else map.set(k, cur === undefined ? v : `${cur}, ${v}`);
}

export class Headers {
  constructor(init) {
    this._map = new Map();
    if (init === undefined) return;
    if (init instanceof Headers) for (const [k, v] of init) this.append(k, v);
    else if (Array.isArray(init)) for (const [k, v] of init) this.append(k, v);
    else if (init && typeof init === "object") {
      if (typeof init[Symbol.iterator] === "function") for (const [k, v] of init) this.append(k, v);
      else for (const k of Object.keys(init)) this.append(k, init[k]);
    }
  }
  append(name, value) {
    appendTo(this._map, normalizeName(name), normalizeValue(value));
  }
  set(name, value) {
    const k = normalizeName(name);
    this._map.set(k, k === "set-cookie" ? [normalizeValue(value)] : normalizeValue(value));
  }
  get(name) {
    const v = this._map.get(normalizeName(name));
    if (v === undefined) return null;
    return Array.isArray(v) ? v.join(", ") : v;
  }
  getSetCookie() {
    return [...(this._map.get("set-cookie") ?? [])];
  }
  has(name) {
    return this._map.has(normalizeName(name));
  }
  delete(name) {
    this._map.delete(normalizeName(name));
  }
  forEach(cb, thisArg) {
    for (const [k, v] of this) cb.call(thisArg, v, k, this);
  }
  *entries() {
    for (const k of [...this._map.keys()].sort()) {
      const v = this._map.get(k);
      if (Array.isArray(v)) for (const one of v) yield [k, one];
      else yield [k, v];
    }
  }
  *keys() {
    for (const [k] of this.entries()) yield k;
  }
  *values() {
    for (const [, v] of this.entries()) yield v;
  }
  [Symbol.iterator]() {
    return this.entries();
  }
  get [Symbol.toStringTag]() {
    return "Headers";
  }
}

export class Blob {
  constructor(parts = [], options = {}) {
    const chunks = parts.map((p) => (typeof p === "string" ? utf8Encode(p) : p instanceof Blob ? p._bytes : p instanceof ArrayBuffer ? new Uint8Array(p) : new Uint8Array(p.buffer, p.byteOffset, p.byteLength)));
    const size = chunks.reduce((n, c) => n + c.length, 0);
    this._bytes = new Uint8Array(size);
    let off = 0;
    for (const c of chunks) {
      this._bytes.set(c, off);
      off += c.length;
    }
    this.type = options.type ? String(options.type).toLowerCase() : "";
  }
  get size() {
    return this._bytes.length;
  }
  async arrayBuffer() {
    return this._bytes.slice().buffer;
  }
  async bytes() {
    return this._bytes.slice();
  }
  async text() {
    return utf8Decode(this._bytes);
  }
  slice(start, end, type) {
    const b = new Blob([], { type });
    b._bytes = this._bytes.slice(start, end);
    return b;
  }
  get [Symbol.toStringTag]() {
    return "Blob";
  }
}

/** The bytes behind each stream-like `body` handed out, so that `new Response(res.body, res)` (as frameworks rebuild a response) keeps them. */
const bodyStreams = new WeakMap();

function bodyBytes(body) {
  if (body === undefined || body === null) return { bytes: null, type: null };
  if (bodyStreams.has(body)) return { bytes: bodyStreams.get(body), type: null };
  if (body instanceof URLSearchParamsLike()) return { bytes: utf8Encode(body.toString()), type: "application/x-www-form-urlencoded;charset=UTF-8" };
  if (body instanceof Blob) return { bytes: body._bytes, type: body.type || null };
  if (body instanceof ArrayBuffer) return { bytes: new Uint8Array(body), type: null };
  if (ArrayBuffer.isView(body)) return { bytes: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), type: null };
  return { bytes: utf8Encode(String(body)), type: "text/plain;charset=UTF-8" };
}

function URLSearchParamsLike() {
  // (read without its getter: while URL is not linked no URLSearchParams exists, and a body must not link it)
  const v = Object.getOwnPropertyDescriptor(globalThis, "URLSearchParams")?.value;
  return typeof v === "function" ? v : class Never {};
}

class Body {
  _initBody(body, headers) {
    let type;
    if (typeof body === "string") {
      // kept as text until its bytes are needed: edgebox serve hands the host the string itself
      this._text = body;
      type = "text/plain;charset=UTF-8";
    } else {
      const b = bodyBytes(body);
      this._bytes = b.bytes;
      type = b.type;
    }
    // (the name is a valid lowercase one: straight to the map, without normalizing it again)
    if (type && !headers._map.has("content-type")) headers._map.set("content-type", type);
  }
  /** The body's bytes (null for none), its text encoded on first use. */
  get _body() {
    if (this._text !== undefined) {
      this._bytes = utf8Encode(this._text);
      this._text = undefined;
    }
    return this._bytes;
  }
  set _body(bytes) {
    this._text = undefined;
    this._bytes = bytes;
  }
  _consume() {
    if (this.bodyUsed) throw new TypeError("Body is unusable: Body has already been read");
    this.bodyUsed = true;
    return this._body ?? new Uint8Array(0);
  }
  get body() {
    if (this._body === null) return null;
    const bytes = this._body;
    const stream = {
      locked: false,
      getReader: () => {
        let done = false;
        return {
          read: async () => {
            if (done) return { done: true, value: undefined };
            done = true;
            this.bodyUsed = true;
            return { done: false, value: bytes };
          },
          releaseLock() {},
          cancel: async () => {},
        };
      },
      async *[Symbol.asyncIterator]() {
        yield bytes;
      },
    };
    bodyStreams.set(stream, bytes);
    return stream;
  }
  async arrayBuffer() {
    return this._consume().slice().buffer;
  }
  async bytes() {
    return this._consume().slice();
  }
  async text() {
    return utf8Decode(this._consume());
  }
  async json() {
    return JSON.parse(await this.text());
  }
  async blob() {
    return new Blob([this._consume()], { type: this.headers.get("content-type") ?? "" });
  }
}

/** A default on the prototype, written over on the object when it changes (a request or response sets fewer properties of its own). */
const defaults = (proto, values) => {
  for (const [k, value] of Object.entries(values)) Object.defineProperty(proto, k, { value, writable: true, configurable: true });
};
defaults(Body.prototype, { _bytes: null, bodyUsed: false });

export class Request extends Body {
  constructor(input, init = {}) {
    super();
    const from = input instanceof Request ? input : null;
    this.url = from ? from.url : new URL(String(input)).href;
    this.method = String(init.method ?? from?.method ?? "GET").toUpperCase();
    this.headers = new Headers(init.headers ?? from?.headers);
    this.redirect = init.redirect ?? from?.redirect ?? "follow";
    this.signal = init.signal ?? from?.signal ?? new AbortController().signal;
    const body = init.body !== undefined ? init.body : from?._body;
    if (body !== undefined && body !== null && (this.method === "GET" || this.method === "HEAD")) {
      throw new TypeError("Request with GET/HEAD method cannot have body.");
    }
    this._initBody(body, this.headers);
  }
  clone() {
    return new Request(this, { body: this._body });
  }
}

/**
 * A Request the host received (edgebox serve). Its URL is already valid, so it is not parsed
 * again; its headers (lowercase, valid: Bun parsed them) and its signal are made on first use,
 * since most handlers never read them.
 */
export function incomingRequest(url, method, headersJson, body) {
  const req = Object.create(IncomingRequest);
  req.url = url;
  req.method = method;
  req._headersJson = headersJson;
  if (body) req._body = body;
  return req;
}

const IncomingRequest = Object.create(Request.prototype, {
  redirect: { value: "follow", writable: true, configurable: true },
  headers: {
    get() {
      if (this._headers === undefined) {
        const h = new Headers();
        for (const [k, v] of JSON.parse(this._headersJson)) appendTo(h._map, k, v);
        this._headers = h;
      }
      return this._headers;
    },
    set(h) {
      this._headers = h;
    },
  },
  signal: {
    get() {
      return (this._signal ??= new AbortController().signal);
    },
    set(s) {
      this._signal = s;
    },
  },
});

/** The [name, value] pairs of a Response's headers, as [...headers] gives them (sorted by name). */
export function headerPairs(headers) {
  if (Object.getPrototypeOf(headers) !== Headers.prototype) return [...headers];
  const out = [];
  for (const [k, v] of headers._map) {
    if (Array.isArray(v)) for (const one of v) out.push([k, one]);
    else out.push([k, v]);
  }
  // (stable: the values of set-cookie keep their order)
  if (out.length > 1) out.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return out;
}

const NO_INIT = Object.freeze({});

export class Response extends Body {
  constructor(body = null, init = NO_INIT) {
    super();
    this.status = init.status ?? 200;
    if (this.status < 200 || this.status > 599) throw new RangeError(`init["status"] must be in the range of 200 to 599, inclusive.`);
    this.statusText = init.statusText ?? "";
    this.headers = new Headers(init.headers);
    this._initBody(body, this.headers);
  }
  get ok() {
    return this.status >= 200 && this.status < 300;
  }
  clone() {
    const r = new Response(this._body, { status: this.status, statusText: this.statusText, headers: this.headers });
    r.url = this.url;
    r.redirected = this.redirected;
    return r;
  }
  static json(data, init = {}) {
    const headers = new Headers(init.headers);
    if (!headers.has("content-type")) headers.set("content-type", "application/json");
    return new Response(JSON.stringify(data), { ...init, headers });
  }
  static redirect(url, status = 302) {
    if (![301, 302, 303, 307, 308].includes(status)) throw new RangeError("Invalid status code");
    return new Response(null, { status, headers: { location: new URL(String(url)).href } });
  }
  static error() {
    const r = new Response(null, { status: 200 });
    r.status = 0;
    r.type = "error";
    return r;
  }
}

defaults(Response.prototype, { type: "default", url: "", redirected: false });

function fetchFailed(info) {
  if (info.code === "ABORT_ERR") return abortError();
  if (info.code === "ERR_ACCESS_DENIED") return Object.assign(new Error(info.message), info);
  const err = new TypeError("fetch failed");
  err.cause = Object.assign(new Error(info.message), info);
  return err;
}

export function fetch(input, init) {
  return new Promise((resolve, reject) => {
    const req = new Request(input, init);
    if (req.signal.aborted) throw req.signal.reason;
    const id = host(
      OP.NET_FETCH,
      JSON.stringify({ url: req.url, method: req.method, headers: [...req.headers], redirect: req.redirect }),
      req._body ?? undefined,
    );
    const chunks = [];
    let head = null;
    const onAbort = () => {
      host(OP.NET_ABORT, JSON.stringify({ id }));
    };
    req.signal.addEventListener("abort", onAbort, { once: true });
    onDelivery(id, (kind, str, bytes) => {
      if (kind === "head") head = JSON.parse(str);
      else if (kind === "data") chunks.push(bytes);
      else if (kind === "end") {
        req.signal.removeEventListener("abort", onAbort);
        const size = chunks.reduce((n, c) => n + c.length, 0);
        const body = new Uint8Array(size);
        let off = 0;
        for (const c of chunks) {
          body.set(c, off);
          off += c.length;
        }
        const res = new Response(null, { status: head.status === 0 ? 200 : Math.max(200, head.status), statusText: head.statusText, headers: head.headers });
        res.status = head.status;
        res._body = head.status === 204 || head.status === 304 || req.method === "HEAD" ? null : body;
        res.url = head.url;
        res.redirected = head.redirected;
        resolve(res);
      } else if (kind === "error") {
        req.signal.removeEventListener("abort", onAbort);
        reject(req.signal.aborted ? req.signal.reason : fetchFailed(JSON.parse(str)));
      }
    });
  });
}
