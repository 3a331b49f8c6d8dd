// node:events: the npm `events` package (node's EventEmitter, ES5-callable as
// packages expect: `EventEmitter.call(this)`, util.inherits), completed with
// what node 20 has and the package lacks: the constructor's captureRejections
// option, errorMonitor, events.on() (an async iterator), once() with a signal
// and for EventTargets, getEventListeners/getMaxListeners/setMaxListeners for
// both kinds of emitter, addAbortListener and EventEmitterAsyncResource.

import Base from "events/events.js";
import { AsyncResource } from "./async_hooks.js";
import { ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, markNodeError } from "./errors.js";
import { inspect } from "./util.js";
import { eventTargetListeners } from "./web.js";

const proto = Base.prototype;
const kCapture = Symbol("kCapture");
const kShapeMode = Symbol("shapeMode");
export const errorMonitor = Symbol("events.errorMonitor");
export const captureRejectionSymbol = Symbol.for("nodejs.rejection");
export const kMaxEventTargetListeners = Symbol("events.maxEventTargetListeners");
export const kMaxEventTargetListenersWarned = Symbol("events.maxEventTargetListenersWarned");

/** The package's constructor drops its argument; this one passes it to init (captureRejections). */
export function EventEmitter(opts) {
  EventEmitter.init.call(this, opts);
}
EventEmitter.prototype = proto;
Object.defineProperty(proto, "constructor", { value: EventEmitter, writable: true, enumerable: false, configurable: true });
Object.defineProperty(proto, kCapture, { value: false, writable: true, enumerable: false, configurable: true });
EventEmitter.listenerCount = Base.listenerCount;
EventEmitter.EventEmitter = EventEmitter;
EventEmitter.usingDomains = false;

const baseInit = Base.init;
EventEmitter.init = function init(opts) {
  const fresh = this._events === undefined || this._events === Object.getPrototypeOf(this)._events;
  baseInit.call(this);
  this[kShapeMode] = !fresh; // node's own marker: a subclass (a stream) that made _events itself
  if (opts?.captureRejections !== undefined) {
    if (typeof opts.captureRejections !== "boolean") throw new ERR_INVALID_ARG_TYPE("options.captureRejections", "of type boolean", opts.captureRejections);
    this[kCapture] = opts.captureRejections;
  } else {
    this[kCapture] = proto[kCapture];
  }
};

Object.defineProperty(EventEmitter, "captureRejections", {
  enumerable: true,
  get: () => proto[kCapture],
  set(value) {
    if (typeof value !== "boolean") throw new ERR_INVALID_ARG_TYPE("EventEmitter.captureRejections", "of type boolean", value);
    proto[kCapture] = value;
  },
});

/** A listener limit as node checks it (its messages name the function or property). */
function validateLimit(name, value) {
  if (typeof value !== "number") throw new ERR_INVALID_ARG_TYPE(name, "of type number", value);
  if (value < 0 || Number.isNaN(value)) throw new ERR_OUT_OF_RANGE(name, ">= 0", value);
}

// node's errors where the package has its own words: a listener that is not a function, a bad limit
for (const [name, alias] of [
  ["addListener", "on"],
  ["prependListener"],
  ["once"],
  ["prependOnceListener"],
  ["removeListener", "off"],
]) {
  const base = proto[name];
  const checked = {
    [name](type, listener) {
      if (typeof listener !== "function") throw new ERR_INVALID_ARG_TYPE("listener", "of type function", listener);
      return base.call(this, type, listener);
    },
  }[name];
  proto[name] = checked;
  if (alias) proto[alias] = checked;
}
const baseSetMax = proto.setMaxListeners;
proto.setMaxListeners = {
  // (a computed name: the bundler renames a function that shares its name with this module's export)
  ["setMaxListeners"](n) {
    validateLimit("setMaxListeners", n);
    return baseSetMax.call(this, n);
  },
}["setMaxListeners"];
const defaultMax = Object.getOwnPropertyDescriptor(Base, "defaultMaxListeners");
Object.defineProperty(EventEmitter, "defaultMaxListeners", {
  enumerable: true,
  get: defaultMax.get,
  set(n) {
    validateLimit("defaultMaxListeners", n);
    defaultMax.set(n);
  },
});

const baseEmit = proto.emit;
proto.emit = function emit(type) {
  // (the common case as it comes: no array made of the arguments, twice)
  if (type !== "error" && !this[kCapture]) return Reflect.apply(baseEmit, this, arguments);
  const args = Array.prototype.slice.call(arguments, 1);
  // errorMonitor listeners see an error before the 'error' listeners (or the throw when there are none)
  if (type === "error" && this._events?.[errorMonitor] !== undefined) this.emit(errorMonitor, ...args);
  if (type === "error" && this._events?.error === undefined && !(args[0] instanceof Error)) {
    // node names what was emitted, as inspect shows it
    const err = new Error(`Unhandled error. (${inspect(args[0])})`);
    err.code = "ERR_UNHANDLED_ERROR";
    err.context = args[0];
    throw markNodeError(err);
  }
  const handler = this[kCapture] ? this._events?.[type] : undefined;
  if (handler === undefined) return Reflect.apply(baseEmit, this, arguments);
  // captureRejections: a listener's rejected promise becomes an 'error' (or the emitter's nodejs.rejection method)
  for (const listener of typeof handler === "function" ? [handler] : [...handler]) {
    const result = Reflect.apply(listener, this, args);
    if (result != null && typeof result.then === "function") {
      result.then(undefined, (err) => globalThis.process.nextTick(routeRejection, this, err, type, args));
    }
  }
  return true;
};

function routeRejection(emitter, err, type, args) {
  if (typeof emitter[captureRejectionSymbol] === "function") return emitter[captureRejectionSymbol](err, type, ...args);
  const capture = emitter[kCapture];
  try {
    emitter[kCapture] = false; // a rejecting 'error' listener must not loop
    emitter.emit("error", err);
  } finally {
    emitter[kCapture] = capture;
  }
}

const baseListenerCount = proto.listenerCount;
/** node 20: listenerCount(type, listener) counts that listener only. */
proto.listenerCount = function listenerCount(type, listener) {
  if (listener == null) return Reflect.apply(baseListenerCount, this, [type]);
  const handler = this._events?.[type];
  if (handler === undefined) return 0;
  return (typeof handler === "function" ? [handler] : handler).filter((l) => l === listener || l.listener === listener).length;
};

export class AbortError extends Error {
  constructor(message = "The operation was aborted", options = undefined) {
    super(message, options);
    this.code = "ABORT_ERR";
    this.name = "AbortError";
  }
}

const isEmitter = (x) => typeof x?.on === "function" && typeof x?.removeListener === "function";
const isEventTarget = (x) => typeof x?.addEventListener === "function" && typeof x?.removeEventListener === "function";

function validateSignal(signal, name = "options.signal") {
  if (signal !== undefined && (signal === null || typeof signal !== "object" || !("aborted" in signal))) throw new ERR_INVALID_ARG_TYPE(name, "an instance of AbortSignal", signal);
}

/** Listen on an EventEmitter or an EventTarget; the function that stops listening. */
function listen(target, name, listener, once) {
  // a `once` listener that has fired is gone already: stopping it removes nothing
  let fired = false;
  const wrapped = (...args) => {
    fired = once;
    return listener(...args);
  };
  if (isEmitter(target)) {
    target[once ? "once" : "on"](name, wrapped);
    return () => fired || target.removeListener(name, wrapped);
  }
  if (isEventTarget(target)) {
    target.addEventListener(name, wrapped, { once });
    return () => fired || target.removeEventListener(name, wrapped);
  }
  throw new ERR_INVALID_ARG_TYPE("emitter", "an instance of EventEmitter or EventTarget", target);
}

/** A promise of the arguments of `name`'s next emission; rejected by an 'error' first (EventEmitters) or by the signal. */
export function once(emitter, name, options = {}) {
  const signal = options?.signal;
  validateSignal(signal);
  if (signal?.aborted) return Promise.reject(new AbortError(undefined, { cause: signal.reason }));
  return new Promise((resolve, reject) => {
    const stops = [];
    const done = () => stops.forEach((stop) => stop());
    stops.push(
      listen(
        emitter,
        name,
        (...args) => {
          done();
          resolve(args);
        },
        true,
      ),
    );
    if (name !== "error" && isEmitter(emitter)) {
      stops.push(
        listen(
          emitter,
          "error",
          (err) => {
            done();
            reject(err);
          },
          true,
        ),
      );
    }
    if (signal) {
      const onAbort = () => {
        done();
        reject(new AbortError(undefined, { cause: signal.reason }));
      };
      signal.addEventListener("abort", onAbort, { once: true });
      stops.push(() => signal.removeEventListener("abort", onAbort));
    }
  });
}

/**
 * An async iterator over `name`'s emissions (each value the array of its arguments), as node's
 * events.on: an 'error' ends it by throwing, `close` names events that end it, a signal aborts it.
 */
export function on(emitter, name, options = {}) {
  const signal = options?.signal;
  validateSignal(signal);
  if (signal?.aborted) throw new AbortError(undefined, { cause: signal.reason });
  const queued = []; // emissions not yet asked for
  const waiting = []; // next() calls not yet answered: { resolve, reject }
  let error = null;
  let finished = false;
  const stops = [];

  const finish = () => {
    finished = true;
    stops.splice(0).forEach((stop) => stop());
    for (const w of waiting.splice(0)) w.resolve({ value: undefined, done: true });
  };
  const fail = (err) => {
    if (waiting.length > 0) waiting.shift().reject(err);
    else error = err;
    finish();
  };

  stops.push(
    listen(
      emitter,
      name,
      (...args) => {
        if (waiting.length > 0) waiting.shift().resolve({ value: args, done: false });
        else queued.push(args);
      },
      false,
    ),
  );
  if (name !== "error" && isEmitter(emitter)) stops.push(listen(emitter, "error", fail, false));
  for (const closing of options?.close ?? []) stops.push(listen(emitter, closing, finish, false));
  if (signal) {
    const onAbort = () => fail(new AbortError(undefined, { cause: signal.reason }));
    signal.addEventListener("abort", onAbort, { once: true });
    stops.push(() => signal.removeEventListener("abort", onAbort));
  }

  const iterator = Object.setPrototypeOf(
    {
      next() {
        if (queued.length > 0) return Promise.resolve({ value: queued.shift(), done: false });
        if (error) {
          const err = error;
          error = null;
          return Promise.reject(err);
        }
        if (finished) return Promise.resolve({ value: undefined, done: true });
        return new Promise((resolve, reject) => waiting.push({ resolve, reject }));
      },
      return() {
        finish();
        return Promise.resolve({ value: undefined, done: true });
      },
      throw(err) {
        if (!(err instanceof Error)) throw new ERR_INVALID_ARG_TYPE("EventEmitter.AsyncIterator", "an instance of Error", err);
        fail(err);
        return Promise.resolve({ value: undefined, done: true });
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    },
    Object.getPrototypeOf(Object.getPrototypeOf(async function* () {}).prototype),
  );
  return iterator;
}

/** A copy of the listeners of `name` on an EventEmitter or an EventTarget. */
export function getEventListeners(emitterOrTarget, name) {
  if (typeof emitterOrTarget?.listeners === "function") return emitterOrTarget.listeners(name);
  if (isEventTarget(emitterOrTarget)) return eventTargetListeners(emitterOrTarget, name);
  throw new ERR_INVALID_ARG_TYPE("emitter", "an instance of EventEmitter or EventTarget", emitterOrTarget);
}

export function getMaxListeners(emitterOrTarget) {
  if (typeof emitterOrTarget?.getMaxListeners === "function") return emitterOrTarget.getMaxListeners();
  if (isEventTarget(emitterOrTarget)) return emitterOrTarget[kMaxEventTargetListeners] ?? EventEmitter.defaultMaxListeners;
  throw new ERR_INVALID_ARG_TYPE("emitter", "an instance of EventEmitter or EventTarget", emitterOrTarget);
}

/** The limit for the given emitters and targets, or the default for all when none is given. */
export function setMaxListeners(n = EventEmitter.defaultMaxListeners, ...targets) {
  validateLimit("setMaxListeners", n);
  if (targets.length === 0) EventEmitter.defaultMaxListeners = n;
  for (const t of targets) {
    if (typeof t?.setMaxListeners === "function") t.setMaxListeners(n);
    else if (isEventTarget(t)) {
      t[kMaxEventTargetListeners] = n;
      t[kMaxEventTargetListenersWarned] = false;
    } else throw new ERR_INVALID_ARG_TYPE("eventTargets", "an instance of EventEmitter or EventTarget", t);
  }
}

/** Call `listener` once `signal` aborts (now, in a microtask, if it has); the result disposes of it. */
export function addAbortListener(signal, listener) {
  if (signal === undefined) throw new ERR_INVALID_ARG_TYPE("signal", "an instance of AbortSignal", signal);
  validateSignal(signal, "signal");
  if (typeof listener !== "function") throw new ERR_INVALID_ARG_TYPE("listener", "of type function", listener);
  let remove = () => {};
  if (signal.aborted) queueMicrotask(() => listener());
  else {
    signal.addEventListener("abort", listener, { once: true });
    remove = () => signal.removeEventListener("abort", listener);
  }
  return { [Symbol.dispose ?? Symbol.for("nodejs.dispose")]: remove };
}

const kResource = Symbol("kAsyncResource");

/** An EventEmitter whose listeners run in the async context it was made in. */
export class EventEmitterAsyncResource extends EventEmitter {
  constructor(options = undefined) {
    super(options);
    const name = options?.name ?? new.target.name;
    this[kResource] = new AsyncResource(name, { triggerAsyncId: options?.triggerAsyncId });
    this[kResource].eventEmitter = this;
  }
  emit(event, ...args) {
    return this[kResource].runInAsyncScope(super.emit, this, event, ...args);
  }
  emitDestroy() {
    this[kResource].emitDestroy();
  }
  get asyncResource() {
    return this[kResource];
  }
  get asyncId() {
    return this[kResource].asyncId();
  }
  get triggerAsyncId() {
    return this[kResource].triggerAsyncId();
  }
}

Object.assign(EventEmitter, {
  once,
  on,
  errorMonitor,
  captureRejectionSymbol,
  getEventListeners,
  getMaxListeners,
  setMaxListeners,
  addAbortListener,
  kMaxEventTargetListeners,
  kMaxEventTargetListenersWarned,
  EventEmitterAsyncResource,
});
