// V8-style error stacks ("Name: message\n    at fn (file:line:col)") on top
// of QuickJS-NG's CallSite support, formatted lazily like V8: the header is
// built on first access of `err.stack`, so `this.name = ...` set after
// super() in an Error subclass shows, as it does under node.

import { OP } from "../abi.js";
import { kIsNodeError } from "./errors.js";
import { host } from "./host.js";

/** Files compiled with a prefix on their first line (the CommonJS wrapper, import.meta): filename -> its length. */
export const wrappedFiles = new Map();
/** Files the host has a source map for: a stack through them is mapped back to the original source. */
export const mappedFiles = new Set();
const stackDesc = Object.getOwnPropertyDescriptor(Error.prototype, "stack");
const getStack = stackDesc.get;
const setStack = stackDesc.set;

export function formatFrame(cs) {
  const file = cs.getFileName();
  const line = cs.getLineNumber();
  let col = cs.getColumnNumber();
  if (line === 1 && wrappedFiles.has(file)) col = Math.max(1, col - wrappedFiles.get(file));
  const name = cs.getFunctionName();
  if (cs.isNative()) return `    at ${name || "<anonymous>"} (native)`;
  const loc = file ? `${file}${line > 0 ? `:${line}:${col}` : ""}` : "<anonymous>";
  if (!name) return `    at ${loc}`;
  return `    at ${cs.isConstructor() ? "new " : ""}${name} (${loc})`;
}

function header(err) {
  let name, message;
  try {
    name = err.name === undefined ? "Error" : String(err.name);
    if (err[kIsNodeError] === true && typeof err.code === "string") name += ` [${err.code}]`;
    message = err.message === undefined ? "" : String(err.message);
  } catch {
    return "Error";
  }
  if (name === "") return message;
  if (message === "") return name;
  return `${name}: ${message}`;
}

/** Frames of the runtime itself (and the native calls into it) are noise in an app's stack. */
function userFrames(callsites) {
  const internal = (cs) => (cs.getFileName() || "").startsWith("edgebox:");
  return callsites.filter((cs, i) => {
    if (internal(cs)) return false;
    if (!cs.isNative()) return true;
    const next = callsites[i + 1];
    return !(next === undefined || internal(next));
  });
}

/**
 * prepare()'s value: the engine's call sites, kept until the stack is first read
 * (most errors are caught and dropped unread). A user's prepareStackTrace that
 * chains to ours and treats the result as a string gets the text.
 */
const pending = Symbol("edgebox.pending");
const pendingProto = {
  [pending]: true,
  // (and so as a string, a template's part or an operand of +: valueOf gives no primitive)
  toString() {
    return text(this, this.err);
  },
};

function prepare(err, callsites) {
  // the error only for a user's prepareStackTrace that chains to this one (the error holds
  // this value: a reference back would be a cycle, each error left to the cycle collector)
  return { __proto__: pendingProto, callsites, text: undefined, err: Error.prepareStackTrace === prepare ? undefined : err };
}

const isPending = (v) => v !== null && typeof v === "object" && v[pending] === true;

/** The stack text of `err` from its pending value: the header now, mapped through the host when a frame is in a mapped file. */
function text(v, err) {
  if (v.text !== undefined) return v.text;
  const user = userFrames(v.callsites);
  const lines = user.map((cs) => "\n" + formatFrame(cs)).join("");
  // (a name or message getter that reads the stack while the header is made gets the frames alone)
  v.text = lines.slice(1);
  try {
    const s = header(err) + lines;
    v.text = mappedFiles.size > 0 && user.some((cs) => mappedFiles.has(cs.getFileName())) ? host(OP.STACK_MAP, s) : s;
  } catch (e) {
    v.text = undefined;
    throw e;
  }
  v.callsites = []; // (the call sites hold functions and their closures alive)
  return v.text;
}

/** `obj.stack` as node has it once read or set: an own, non-enumerable data property (false where obj is frozen). */
function settle(obj, value) {
  try {
    Object.defineProperty(obj, "stack", { value, writable: true, enumerable: false, configurable: true });
    return true;
  } catch {
    return false;
  }
}

/** `obj`'s stack from its pending value, kept on it as node keeps a stack once read. */
function readPending(v, obj) {
  const s = text(v, obj);
  settle(obj, s);
  return s;
}

export function installStacks() {
  Error.prepareStackTrace = prepare;
  Object.defineProperty(Error.prototype, "stack", {
    configurable: true,
    get() {
      const v = getStack.call(this);
      return isPending(v) ? readPending(v, this) : v;
    },
    set(v) {
      // (not on the prototype itself: every error's stack would read it; QuickJS's setter refuses)
      if (this === Error.prototype || !settle(this, v)) setStack.call(this, v);
    },
  });
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = function captureStackTrace(target, fn) {
    // (without fn, this wrapper is the frame to cut, as V8 cuts captureStackTrace's own)
    capture.call(this, target, fn ?? captureStackTrace);
    // QuickJS stored prepare()'s value as a plain property: formatted when first
    // read, as V8 does (its header then, and a source map decoded only then: an
    // error made and dropped, a failed fs probe, decodes none)
    const d = Object.getOwnPropertyDescriptor(target, "stack");
    if (d === undefined || !isPending(d.value)) return;
    const inner = getStack.call(target); // (what super() left, shadowed now: never read)
    if (isPending(inner)) inner.callsites = [];
    const v = d.value;
    // (`this`, not target: the getter must not hold the error it belongs to, a cycle)
    const installed =
      d.configurable &&
      Reflect.defineProperty(target, "stack", {
        get() {
          return readPending(v, this);
        },
        set(value) {
          settle(this, value);
        },
        enumerable: false,
        configurable: true,
      });
    if (installed) return;
    try {
      target.stack = text(v, target); // (a property that cannot be made lazy: formatted now)
    } catch {
      // read-only too: it keeps what QuickJS stored
    }
  };
  // V8's CallSite has a few methods QuickJS lacks; packages that walk stacks call them.
  let proto;
  const saved = Error.prepareStackTrace;
  Error.prepareStackTrace = (_e, cs) => cs;
  try {
    const cs = new Error().stack;
    proto = Array.isArray(cs) && cs[0] ? Object.getPrototypeOf(cs[0]) : undefined;
  } finally {
    Error.prepareStackTrace = saved;
  }
  if (proto) {
    const defaults = {
      getTypeName: () => null,
      getMethodName: () => null,
      getThis: () => undefined,
      getEvalOrigin: () => undefined,
      isEval: () => false,
      isToplevel() {
        return !this.getFunctionName();
      },
      isAsync: () => false,
      isPromiseAll: () => false,
      getPromiseIndex: () => null,
      getScriptNameOrSourceURL() {
        return this.getFileName();
      },
      getScriptHash: () => "",
      getEnclosingColumnNumber: () => null,
      getEnclosingLineNumber: () => null,
      getPosition: () => 0,
      toString() {
        return formatFrame(this).slice(7);
      },
    };
    for (const [k, v] of Object.entries(defaults)) {
      if (!(k in proto)) Object.defineProperty(proto, k, { value: v, configurable: true, writable: true });
    }
  }
}
