// node:worker_threads: a Worker is another sandbox instance in this process,
// under the same policy, with its own event loop (internal/sandbox/workers.ts);
// messages travel as bytes (clone.js: structured clone, ArrayBuffers
// transferred). MessageChannel works within one instance. What stays
// unsupported throws ERR_NOT_SUPPORTED_IN_SANDBOX naming itself: SharedArrayBuffer
// and Atomics.wait across workers, passing a MessagePort to another worker,
// BroadcastChannel, resourceLimits, worker stdin/stdout options.

import { OP } from "../abi.js";
import { onDelivery } from "./async.js";
import { ERR_INVALID_ARG_TYPE, notSupported } from "./errors.js";
import { EventEmitter } from "./events.js";
import { host } from "./host.js";
import { serialize, deserialize } from "./clone.js";
import { setImmediate } from "./timers.js";

/** This instance as a worker: { threadId, data } from the host, or null in the main thread. */
let self;
function selfInfo() {
  if (self === undefined) {
    const info = JSON.parse(host(OP.WORKER_SELF));
    self = info.threadId ? { threadId: info.threadId, data: info.data === null ? undefined : deserialize(base64Bytes(info.data)) } : null;
  }
  return self;
}

function base64Bytes(s) {
  const bin = atob(s);
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

function transferList(options) {
  const list = Array.isArray(options) ? options : (options?.transfer ?? []);
  for (const t of list) {
    if (t instanceof MessagePort) throw notSupported("worker_threads: passing a MessagePort to another worker");
  }
  return list;
}

/** A message event's payload as node gives it to 'message' listeners. */
function emitMessage(target, value) {
  target.emit("message", value);
}

export class Worker extends EventEmitter {
  #id;
  #exited = false;
  #exitCode;
  #exitWaiters = [];
  constructor(filename, options = {}) {
    super();
    if (filename instanceof URL || (filename && typeof filename === "object" && typeof filename.href === "string")) filename = filename.href;
    if (typeof filename !== "string") throw new ERR_INVALID_ARG_TYPE("filename", "of type string or an instance of URL", filename);
    for (const unsupported of ["resourceLimits", "stdin", "stdout", "stderr"]) {
      if (options[unsupported]) throw notSupported(`worker_threads.Worker option ${unsupported}`);
    }
    const isEval = Boolean(options.eval);
    if (!isEval && filename.startsWith("file://")) filename = decodeURIComponent(new URL(filename).pathname);
    const data = options.workerData === undefined ? undefined : serialize(options.workerData, transferList(options.transferList));
    const r = JSON.parse(host(OP.WORKER_START, JSON.stringify({ filename, eval: isEval, argv: (options.argv ?? []).map(String) }), data));
    this.#id = r.id;
    this.threadId = r.threadId;
    this.resourceLimits = {};
    onDelivery(r.id, (kind, str, bytes) => {
      if (kind === "online") this.emit("online");
      else if (kind === "message") emitMessage(this, deserialize(bytes));
      else if (kind === "error") {
        const info = JSON.parse(str);
        const err = new Error(info.message);
        err.stack = info.stack;
        if (info.code) err.code = info.code;
        this.emit("error", err);
      } else if (kind === "exit") {
        this.#exited = true;
        this.#exitCode = Number(str);
        this.emit("exit", this.#exitCode);
        for (const w of this.#exitWaiters.splice(0)) w(this.#exitCode);
      }
    });
  }
  postMessage(value, transfer) {
    if (this.#exited) return;
    host(OP.WORKER_POST, JSON.stringify({ id: this.#id }), serialize(value, transferList(transfer)));
  }
  terminate() {
    if (this.#exited) return Promise.resolve(this.#exitCode);
    return new Promise((resolve) => {
      this.#exitWaiters.push(resolve);
      host(OP.WORKER_TERMINATE, JSON.stringify({ id: this.#id }));
    });
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }
  getHeapSnapshot() {
    return Promise.reject(notSupported("worker.getHeapSnapshot"));
  }
}

/** The parent side of a worker, inside it: messages arrive once someone listens. */
class ParentPort extends EventEmitter {
  #listening = false;
  #closed = false;
  constructor() {
    super();
    this.on("newListener", (event) => {
      if (event === "message" && !this.#listening && !this.#closed) this.#listen();
    });
  }
  #listen() {
    this.#listening = true;
    const id = Number(host(OP.WORKER_LISTEN, JSON.stringify({ close: false })));
    onDelivery(id, (kind, _str, bytes) => {
      if (kind === "message") emitMessage(this, deserialize(bytes));
      else if (kind === "close") this.emit("close");
    });
  }
  postMessage(value, transfer) {
    if (this.#closed) return;
    host(OP.WORKER_POST, JSON.stringify({ id: 0 }), serialize(value, transferList(transfer)));
  }
  close() {
    if (this.#closed) return;
    this.#closed = true;
    if (this.#listening) host(OP.WORKER_LISTEN, JSON.stringify({ close: true }));
    else setImmediate(() => this.emit("close"));
  }
  start() {}
  ref() {
    return this;
  }
  unref() {
    return this;
  }
}

/** One end of a MessageChannel: both ends live in this instance; messages are cloned and arrive on a later turn. */
export class MessagePort extends EventEmitter {
  constructor() {
    super();
    this._other = null;
    this._queue = [];
    this._closed = false;
    this._started = false;
    this.on("newListener", (event) => {
      if (event === "message") this.start();
    });
  }
  postMessage(value, transfer) {
    const other = this._other;
    if (this._closed || !other || other._closed) return;
    other._queue.push(serialize(value, transferList(transfer)));
    if (other._started) other._drain();
  }
  start() {
    if (this._started) return;
    this._started = true;
    this._drain();
  }
  _drain() {
    setImmediate(() => {
      while (this._queue.length && this._started && !this._closed) emitMessage(this, deserialize(this._queue.shift()));
    });
  }
  close() {
    for (const p of [this, this._other]) {
      if (p && !p._closed) {
        p._closed = true;
        setImmediate(() => p.emit("close"));
      }
    }
  }
  ref() {
    return this;
  }
  unref() {
    return this;
  }
}

export class MessageChannel {
  constructor() {
    this.port1 = new MessagePort();
    this.port2 = new MessagePort();
    this.port1._other = this.port2;
    this.port2._other = this.port1;
  }
}

/** A message waiting on a local port, taken now: { message } or undefined. */
export function receiveMessageOnPort(port) {
  if (!(port instanceof MessagePort)) throw new ERR_INVALID_ARG_TYPE("port", "an instance of MessagePort", port);
  if (!port._queue.length) return undefined;
  return { message: deserialize(port._queue.shift()) };
}

const environmentData = new Map();
export function setEnvironmentData(key, value) {
  if (value === undefined) environmentData.delete(key);
  else environmentData.set(key, value);
}
export function getEnvironmentData(key) {
  return environmentData.get(key);
}

export function markAsUntransferable() {}
export function isMarkedAsUntransferable() {
  return false;
}
export function moveMessagePortToContext() {
  throw notSupported("worker_threads.moveMessagePortToContext");
}
export class BroadcastChannel {
  constructor() {
    throw notSupported("worker_threads.BroadcastChannel");
  }
}

export const SHARE_ENV = Symbol.for("nodejs.worker_threads.SHARE_ENV");

/** The module object: its thread-dependent members are read when it is first required. */
export function workerThreadsModule() {
  const info = selfInfo();
  return {
    Worker,
    MessageChannel,
    MessagePort,
    BroadcastChannel,
    receiveMessageOnPort,
    setEnvironmentData,
    getEnvironmentData,
    markAsUntransferable,
    isMarkedAsUntransferable,
    moveMessagePortToContext,
    SHARE_ENV,
    isMainThread: !info,
    threadId: info ? info.threadId : 0,
    workerData: info ? info.data : null,
    parentPort: info ? new ParentPort() : null,
    resourceLimits: {},
  };
}
