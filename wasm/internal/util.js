// node:util.

import { ERR_INVALID_ARG_TYPE } from "./errors.js";
import { promiseDetail } from "./host.js";
import { process } from "./process.js";

// util.inspect and util.format: node's own, from the npm `node-inspect-extracted` package.
export const { format, formatWithOptions, inspect, stripVTControlCharacters } = loadInspect();

/**
 * The package copies every global's methods when it loads (node's primordials), Atomics
 * among them, which this QuickJS build lacks; inspect never uses it, so an empty one stands
 * in while the package loads, and is gone before any script could see it.
 */
function loadInspect() {
  const had = "Atomics" in globalThis;
  if (!had) globalThis.Atomics = {};
  // what the package's promise introspection is bound to when it loads (internal/assets/build.ts)
  const detail = Symbol.for("edgebox.promiseDetail");
  globalThis[detail] = promiseDetail;
  try {
    const m = require("node-inspect-extracted");
    // (the package ships minified: its functions' names are not node's)
    for (const k of ["format", "formatWithOptions", "inspect", "stripVTControlCharacters"]) Object.defineProperty(m[k], "name", { value: k });
    return m;
  } finally {
    if (!had) delete globalThis.Atomics;
    delete globalThis[detail];
  }
}

const kCustomPromisify = Symbol.for("nodejs.util.promisify.custom");

export function promisify(original) {
  if (typeof original !== "function") throw new ERR_INVALID_ARG_TYPE("original", "of type function", original);
  if (original[kCustomPromisify]) {
    const fn = original[kCustomPromisify];
    return Object.defineProperty(fn, kCustomPromisify, { value: fn, enumerable: false, configurable: true });
  }
  function fn(...args) {
    return new Promise((resolve, reject) => {
      original.call(this, ...args, (err, ...values) => {
        if (err) return reject(err);
        resolve(values.length > 1 && original.__promisifyMany ? values : values[0]);
      });
    });
  }
  Object.setPrototypeOf(fn, Object.getPrototypeOf(original));
  Object.defineProperty(fn, kCustomPromisify, { value: fn, enumerable: false, configurable: true });
  return Object.defineProperties(fn, Object.getOwnPropertyDescriptors(original));
}
promisify.custom = kCustomPromisify;

export function callbackify(original) {
  if (typeof original !== "function") throw new ERR_INVALID_ARG_TYPE("original", "of type function", original);
  return function (...args) {
    const cb = args.pop();
    if (typeof cb !== "function") throw new ERR_INVALID_ARG_TYPE("last argument", "of type function", cb);
    original.apply(this, args).then(
      (v) => process.nextTick(cb, null, v),
      (e) => {
        if (!e) {
          const wrapped = new Error("Promise was rejected with a falsy value");
          wrapped.code = "ERR_FALSY_VALUE_REJECTION";
          wrapped.reason = e;
          e = wrapped;
        }
        process.nextTick(cb, e);
      },
    );
  };
}

export function inherits(ctor, superCtor) {
  if (ctor === undefined || ctor === null) throw new ERR_INVALID_ARG_TYPE("ctor", "of type function", ctor);
  if (superCtor === undefined || superCtor === null) throw new ERR_INVALID_ARG_TYPE("superCtor", "of type function", superCtor);
  if (superCtor.prototype === undefined) throw new ERR_INVALID_ARG_TYPE("superCtor.prototype", "of type object", superCtor.prototype);
  Object.defineProperty(ctor, "super_", { value: superCtor, writable: true, configurable: true });
  Object.setPrototypeOf(ctor.prototype, superCtor.prototype);
}

const warned = new Set();
export function deprecate(fn, msg, code) {
  let done = false;
  return function (...args) {
    if (!done && !(code && warned.has(code))) {
      done = true;
      if (code) warned.add(code);
      if (!process.noDeprecation) process.emitWarning(msg, "DeprecationWarning", code);
    }
    return new.target ? Reflect.construct(fn, args, new.target) : fn.apply(this, args);
  };
}

export function debuglog(section) {
  // NODE_DEBUG is read on first use, as node does (and so a module may create its logger at top level).
  let enabled;
  const isEnabled = () =>
    (enabled ??= new RegExp(`^(${(process.env.NODE_DEBUG ?? "").replace(/[|\\{}()[\]^$+?.]/g, "\\$&").replace(/\*/g, ".*").replace(/,/g, "|")})$`, "i").test(section));
  const fn = (...args) => {
    if (isEnabled()) process.stderr.write(`${section.toUpperCase()} ${process.pid}: ${format(...args)}\n`);
  };
  Object.defineProperty(fn, "enabled", { get: isEnabled, enumerable: true });
  return fn;
}
export const debug = debuglog;

const typedArrayTag = Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), Symbol.toStringTag).get;
const tagOf = (v) => Object.prototype.toString.call(v).slice(8, -1);

export const types = {
  isDate: (v) => v instanceof Date,
  isRegExp: (v) => v instanceof RegExp,
  isMap: (v) => v instanceof Map,
  isSet: (v) => v instanceof Set,
  isWeakMap: (v) => v instanceof WeakMap,
  isWeakSet: (v) => v instanceof WeakSet,
  // (instanceof, not the engine's answer, which costs a host call: an object that only inherits from
  // Promise.prototype passes, as node's does not)
  isPromise: (v) => v instanceof Promise,
  isNativeError: (v) => v instanceof Error,
  isArrayBuffer: (v) => v instanceof ArrayBuffer,
  isSharedArrayBuffer: (v) => typeof SharedArrayBuffer !== "undefined" && v instanceof SharedArrayBuffer,
  isAnyArrayBuffer: (v) => v instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && v instanceof SharedArrayBuffer),
  isArrayBufferView: (v) => ArrayBuffer.isView(v),
  isTypedArray: (v) => ArrayBuffer.isView(v) && !(v instanceof DataView),
  isUint8Array: (v) => typedArrayTag.call(v) === "Uint8Array",
  isUint8ClampedArray: (v) => typedArrayTag.call(v) === "Uint8ClampedArray",
  isUint16Array: (v) => typedArrayTag.call(v) === "Uint16Array",
  isUint32Array: (v) => typedArrayTag.call(v) === "Uint32Array",
  isInt8Array: (v) => typedArrayTag.call(v) === "Int8Array",
  isInt16Array: (v) => typedArrayTag.call(v) === "Int16Array",
  isInt32Array: (v) => typedArrayTag.call(v) === "Int32Array",
  isFloat32Array: (v) => typedArrayTag.call(v) === "Float32Array",
  isFloat64Array: (v) => typedArrayTag.call(v) === "Float64Array",
  isBigInt64Array: (v) => typedArrayTag.call(v) === "BigInt64Array",
  isBigUint64Array: (v) => typedArrayTag.call(v) === "BigUint64Array",
  isDataView: (v) => v instanceof DataView,
  isAsyncFunction: (v) => typeof v === "function" && tagOf(v) === "AsyncFunction",
  isGeneratorFunction: (v) => typeof v === "function" && /GeneratorFunction$/.test(tagOf(v)),
  isGeneratorObject: (v) => tagOf(v) === "Generator",
  isBoxedPrimitive: (v) => v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt || v instanceof Symbol,
  isNumberObject: (v) => v instanceof Number,
  isStringObject: (v) => v instanceof String,
  isBooleanObject: (v) => v instanceof Boolean,
  isBigIntObject: (v) => v instanceof BigInt,
  isSymbolObject: (v) => v instanceof Symbol,
  isProxy: () => false,
  isExternal: () => false,
  isModuleNamespaceObject: (v) => tagOf(v) === "Module",
  isWeakRef: (v) => typeof WeakRef !== "undefined" && v instanceof WeakRef,
  isMapIterator: (v) => tagOf(v) === "Map Iterator",
  isSetIterator: (v) => tagOf(v) === "Set Iterator",
  isArgumentsObject: (v) => tagOf(v) === "Arguments",
  isKeyObject: () => false,
  isCryptoKey: () => false,
};

export function isDeepStrictEqual(a, b) {
  return deepEqual(a, b, true, new Map());
}

/** Deep equality as node's assert.deepStrictEqual (strict) and deepEqual (loose) decide it. */
export function deepEqual(a, b, strict, seen) {
  if (strict ? Object.is(a, b) : a == b || (Number.isNaN(a) && Number.isNaN(b))) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (strict && Object.getPrototypeOf(a) !== Object.getPrototypeOf(b)) return false;
  const ta = tagOf(a);
  if (ta !== tagOf(b)) return false;
  const memo = seen.get(a);
  if (memo === b) return true;
  seen.set(a, b);
  if (a instanceof Date) return a.getTime() === b.getTime();
  if (a instanceof RegExp) return a.source === b.source && a.flags === b.flags && a.lastIndex === b.lastIndex;
  if (a instanceof Error && (a.message !== b.message || a.name !== b.name)) return false;
  if (types.isBoxedPrimitive(a)) return Object.is(a.valueOf(), b.valueOf());
  if (ArrayBuffer.isView(a)) {
    if (a.byteLength !== b.byteLength) return false;
    const ua = new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
    const ub = new Uint8Array(b.buffer, b.byteOffset, b.byteLength);
    for (let i = 0; i < ua.length; i++) if (ua[i] !== ub[i]) return false;
  }
  if (a instanceof Map) {
    if (a.size !== b.size) return false;
    for (const [k, v] of a) {
      if (!b.has(k) || !deepEqual(v, b.get(k), strict, seen)) return false;
    }
  } else if (a instanceof Set) {
    if (a.size !== b.size) return false;
    outer: for (const v of a) {
      if (b.has(v)) continue;
      if (typeof v === "object" && v !== null) {
        for (const w of b) if (deepEqual(v, w, strict, seen)) continue outer;
      }
      return false;
    }
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  for (const k of ka) {
    if (!Object.prototype.hasOwnProperty.call(b, k) || !deepEqual(a[k], b[k], strict, seen)) return false;
  }
  if (strict) {
    const sa = Object.getOwnPropertySymbols(a).filter((s) => Object.prototype.propertyIsEnumerable.call(a, s));
    const sb = Object.getOwnPropertySymbols(b).filter((s) => Object.prototype.propertyIsEnumerable.call(b, s));
    if (sa.length !== sb.length) return false;
    for (const s of sa) if (!deepEqual(a[s], b[s], strict, seen)) return false;
  }
  return true;
}

// The deprecated type checks node 20 still has (older packages call them).
export const isArray = Array.isArray;
export const isBoolean = (v) => typeof v === "boolean";
export const isNull = (v) => v === null;
export const isNullOrUndefined = (v) => v === null || v === undefined;
export const isNumber = (v) => typeof v === "number";
export const isString = (v) => typeof v === "string";
export const isSymbol = (v) => typeof v === "symbol";
export const isUndefined = (v) => v === undefined;
export const isRegExp = (v) => v instanceof RegExp;
export const isObject = (v) => v !== null && typeof v === "object";
export const isDate = (v) => v instanceof Date;
export const isError = (v) => v instanceof Error;
export const isFunction = (v) => typeof v === "function";
export const isPrimitive = (v) => v === null || (typeof v !== "object" && typeof v !== "function");

export function toUSVString(s) {
  return String(s).replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, "\ufffd");
}

export function styleText(format, text) {
  const codes = inspect.colors[format];
  return codes ? `\u001b[${codes[0]}m${text}\u001b[${codes[1]}m` : text;
}

export function getSystemErrorName(errno) {
  const names = { [-2]: "ENOENT", [-13]: "EACCES", [-17]: "EEXIST", [-20]: "ENOTDIR", [-21]: "EISDIR", [-22]: "EINVAL", [-1]: "EPERM", [-39]: "ENOTEMPTY" };
  return names[errno] ?? `Unknown system error ${errno}`;
}

function parseArgsError(code, message, Ctor = TypeError) {
  const err = new Ctor(message);
  err.code = code;
  return err;
}

/** util.parseArgs, as node 20 has it (strict mode, short groups, --no-* when allowNegative, tokens). */
export function parseArgs(config = {}) {
  const args = config.args ?? process.argv.slice(2);
  const options = config.options ?? {};
  const strict = config.strict ?? true;
  const allowPositionals = config.allowPositionals ?? !strict;
  const allowNegative = config.allowNegative ?? false;
  const values = { __proto__: null };
  const positionals = [];
  const tokens = [];
  const byShort = new Map();
  for (const [name, o] of Object.entries(options)) {
    if (o.type !== "string" && o.type !== "boolean") throw parseArgsError("ERR_INVALID_ARG_VALUE", `The property 'options.${name}.type' must be one of: 'string', 'boolean'. Received ${inspect(o.type)}`);
    if (o.short !== undefined) {
      if (typeof o.short !== "string" || o.short.length !== 1) throw parseArgsError("ERR_INVALID_ARG_VALUE", `The property 'options.${name}.short' must be a single character. Received ${inspect(o.short)}`);
      byShort.set(o.short, name);
    }
  }
  const display = (name) => (options[name]?.short ? `-${options[name].short}, --${name}` : `--${name}`);
  const store = (name, value, rawName, index, inlineValue) => {
    const o = options[name];
    tokens.push({ kind: "option", name, rawName, index, value, inlineValue });
    if (strict) {
      if (!o) {
        const hint = allowPositionals && rawName.startsWith("--") ? `. To specify a positional argument starting with a '-', place it at the end of the command after '--', as in '-- ${JSON.stringify(rawName)}` : "";
        throw parseArgsError("ERR_PARSE_ARGS_UNKNOWN_OPTION", `Unknown option '${rawName}'${hint}`);
      }
      if (o.type === "string" && typeof value !== "string") throw parseArgsError("ERR_PARSE_ARGS_INVALID_OPTION_VALUE", `Option '${display(name)} <value>' argument missing`);
      if (o.type === "boolean" && value !== undefined && typeof value !== "boolean") throw parseArgsError("ERR_PARSE_ARGS_INVALID_OPTION_VALUE", `Option '${display(name)}' does not take an argument`);
    }
    const v = value === undefined ? true : value;
    if (o?.multiple) (values[name] ??= []).push(v);
    else values[name] = v;
  };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i];
    if (arg === "--") {
      tokens.push({ kind: "option-terminator", index: i });
      for (let j = i + 1; j < args.length; j++) {
        positionals.push(args[j]);
        tokens.push({ kind: "positional", index: j, value: args[j] });
      }
      break;
    }
    const takesValue = (name) => options[name]?.type === "string";
    if (arg.startsWith("--") && arg.length > 2) {
      const eq = arg.indexOf("=");
      const name = eq === -1 ? arg.slice(2) : arg.slice(2, eq);
      if (eq !== -1) store(name, arg.slice(eq + 1), `--${name}`, i, true);
      else if (allowNegative && name.startsWith("no-") && options[name.slice(3)]?.type === "boolean") store(name.slice(3), false, arg, i, undefined);
      else if (takesValue(name)) {
        const at = i;
        const v = i + 1 < args.length ? args[++i] : undefined;
        store(name, v, arg, at, false);
      } else store(name, undefined, arg, i, undefined);
    } else if (arg.startsWith("-") && arg.length > 1) {
      const at = i;
      for (let k = 1; k < arg.length; k++) {
        const ch = arg[k];
        const name = byShort.get(ch) ?? ch;
        if (takesValue(name)) {
          if (k + 1 < arg.length) store(name, arg.slice(k + 1), `-${ch}`, at, true);
          else store(name, i + 1 < args.length ? args[++i] : undefined, `-${ch}`, at, false);
          break;
        }
        store(name, undefined, `-${ch}`, at, undefined);
      }
    } else {
      if (strict && !allowPositionals) throw parseArgsError("ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL", `Unexpected argument '${arg}'. This command does not take positional arguments`);
      positionals.push(arg);
      tokens.push({ kind: "positional", index: i, value: arg });
    }
  }
  for (const [name, o] of Object.entries(options)) {
    if (o.default !== undefined && values[name] === undefined) values[name] = o.default;
  }
  const result = { values, positionals };
  if (config.tokens) result.tokens = tokens;
  return result;
}
