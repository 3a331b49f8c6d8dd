// V8-style error stacks ("Name: message\n    at fn (file:line:col)") on top
// of QuickJS-NG's CallSite support, formatted lazily like V8: the header is
// built on first access of `err.stack`, so `this.name = ...` set after
// super() in an Error subclass shows, as it does under node.

import { OP } from "../abi.js";
import { kIsNodeError } from "./errors.js";
import { host } from "./host.js";

const frames = Symbol("edgebox.frames");
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

/** The engine's call sites, kept until the stack is first read (most errors are caught and dropped unread). */
function prepare(_err, callsites) {
  return { [frames]: callsites };
}

const isPending = (v) => v !== null && typeof v === "object" && frames in v;

/** The stack text of `err` from prepare()'s pending value, its header now, mapped through the host when a frame is in a mapped file. */
function format(err, v) {
  const user = userFrames(v[frames]);
  const text = header(err) + user.map((cs) => "\n" + formatFrame(cs)).join("");
  return mappedFiles.size > 0 && user.some((cs) => mappedFiles.has(cs.getFileName())) ? host(OP.STACK_MAP, text) : text;
}

export function installStacks() {
  Error.prepareStackTrace = prepare;
  Object.defineProperty(Error.prototype, "stack", {
    configurable: true,
    get() {
      const v = getStack.call(this);
      if (isPending(v)) {
        const s = format(this, v);
        setStack.call(this, s);
        return s;
      }
      return v;
    },
    set(v) {
      setStack.call(this, v);
    },
  });
  const capture = Error.captureStackTrace;
  Error.captureStackTrace = function captureStackTrace(target, fn) {
    capture.call(this, target, fn);
    // QuickJS stored prepare()'s pending value as a plain property: formatted when
    // first read, as V8 does (its header then, and the source map decoded only
    // then: an error made and dropped, a failed fs probe, decodes none)
    const d = Object.getOwnPropertyDescriptor(target, "stack");
    if (d !== undefined && isPending(d.value)) {
      const settle = (value) => Object.defineProperty(target, "stack", { value, writable: true, enumerable: false, configurable: true });
      Object.defineProperty(target, "stack", {
        get() {
          const s = format(target, d.value);
          settle(s);
          return s;
        },
        set: settle,
        enumerable: false,
        configurable: true,
      });
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
