// node:async_hooks: AsyncLocalStorage and AsyncResource. The context (which
// store each AsyncLocalStorage holds, ./async_context.js) is carried over
// `await` by the compiled code itself, and over callbacks by wrapping those the
// runtime schedules: timers, setImmediate, process.nextTick, queueMicrotask,
// promise reactions registered with then/catch/finally, and host deliveries
// (fetch, child processes). The wrappers are installed when an
// AsyncLocalStorage or AsyncResource is first made: a run that never uses
// them pays only the two calls each await makes.

import { context as deliveries } from "./async.js";
import { current, enter } from "./async_context.js";
import { ERR_INVALID_ARG_TYPE } from "./errors.js";

let installed = false;

/** `fn` bound to the context current now. */
function bindFrame(fn) {
  const captured = current();
  return function (...args) {
    const prev = current();
    enter(captured);
    try {
      return fn.apply(this, args);
    } finally {
      enter(prev);
    }
  };
}

function install() {
  if (installed) return;
  installed = true;
  const g = globalThis;
  const wrapFirst = (original) =>
    function (fn, ...rest) {
      return original.call(this, typeof fn === "function" ? bindFrame(fn) : fn, ...rest);
    };
  for (const name of ["setTimeout", "setInterval", "setImmediate", "queueMicrotask"]) g[name] = wrapFirst(g[name]);
  g.process.nextTick = wrapFirst(g.process.nextTick);
  const then = Promise.prototype.then;
  Object.defineProperty(Promise.prototype, "then", {
    value: function then_(onFulfilled, onRejected) {
      return then.call(this, typeof onFulfilled === "function" ? bindFrame(onFulfilled) : onFulfilled, typeof onRejected === "function" ? bindFrame(onRejected) : onRejected);
    },
    writable: true,
    configurable: true,
  });
  Object.defineProperty(Promise.prototype.then, "name", { value: "then" });
  deliveries.bind = bindFrame;
}

export class AsyncLocalStorage {
  constructor() {
    install();
    this._enabled = true;
  }
  static bind(fn) {
    install();
    return bindFrame(fn);
  }
  static snapshot() {
    install();
    const run = bindFrame((fn, ...args) => fn(...args));
    return run;
  }
  getStore() {
    return current().get(this);
  }
  run(store, callback, ...args) {
    const prev = current();
    enter(new Map(prev).set(this, store));
    try {
      return callback(...args);
    } finally {
      enter(prev);
    }
  }
  exit(callback, ...args) {
    const prev = current();
    const next = new Map(prev);
    next.delete(this);
    enter(next);
    try {
      return callback(...args);
    } finally {
      enter(prev);
    }
  }
  enterWith(store) {
    enter(new Map(current()).set(this, store));
  }
  disable() {
    if (!current().has(this)) return;
    const next = new Map(current());
    next.delete(this);
    enter(next);
  }
}

let nextAsyncId = 1;

export class AsyncResource {
  constructor(type, opts) {
    if (typeof type !== "string") throw new ERR_INVALID_ARG_TYPE("type", "of type string", type);
    install();
    this._type = type;
    this._asyncId = ++nextAsyncId;
    this._triggerId = typeof opts === "number" ? opts : (opts?.triggerAsyncId ?? 1);
    this._run = bindFrame((fn, thisArg, args) => fn.apply(thisArg, args));
  }
  runInAsyncScope(fn, thisArg, ...args) {
    return this._run(fn, thisArg, args);
  }
  bind(fn, thisArg) {
    if (typeof fn !== "function") throw new ERR_INVALID_ARG_TYPE("fn", "of type function", fn);
    const self = this;
    const bound = function (...args) {
      return self.runInAsyncScope(fn, thisArg === undefined ? this : thisArg, ...args);
    };
    Object.defineProperty(bound, "length", { value: fn.length });
    return bound;
  }
  static bind(fn, type, thisArg) {
    return new AsyncResource(type || fn.name || "bound-anonymous-fn").bind(fn, thisArg);
  }
  emitDestroy() {
    return this;
  }
  asyncId() {
    return this._asyncId;
  }
  triggerAsyncId() {
    return this._triggerId;
  }
}

/** No async ids are tracked: the top level's (1) and its trigger (0), as node reports outside any callback. */
export function executionAsyncId() {
  return 1;
}
export function triggerAsyncId() {
  return 0;
}
export function executionAsyncResource() {
  return {};
}

/** A hook object as node returns; its callbacks are never called (the engine reports no async resources). */
export function createHook(callbacks) {
  if (callbacks === null || typeof callbacks !== "object") throw new ERR_INVALID_ARG_TYPE("callbacks", "of type object", callbacks);
  return {
    enable() {
      return this;
    },
    disable() {
      return this;
    },
  };
}

export const asyncWrapProviders = Object.freeze({ NONE: 0 });
