// util.inspect and util.format, following Node's output (lib/internal/util/inspect.js)
// for the values scripts commonly print. Tests compare against real node.

export const inspectDefaultOptions = {
  showHidden: false,
  depth: 2,
  colors: false,
  customInspect: true,
  showProxy: false,
  maxArrayLength: 100,
  maxStringLength: 10000,
  breakLength: 80,
  compact: 3,
  sorted: false,
  getters: false,
  numericSeparator: false,
};

export const customInspectSymbol = Symbol.for("nodejs.util.inspect.custom");

const kObjectType = 0;
const kArrayType = 1;
const kArrayExtrasType = 2;
const kMinLineWidth = 16;

const styles = {
  special: "cyan",
  number: "yellow",
  bigint: "yellow",
  boolean: "yellow",
  undefined: "grey",
  null: "bold",
  string: "green",
  symbol: "green",
  date: "magenta",
  regexp: "red",
  module: "underline",
};
const colors = {
  bold: [1, 22],
  underline: [4, 24],
  red: [31, 39],
  green: [32, 39],
  yellow: [33, 39],
  magenta: [35, 39],
  cyan: [36, 39],
  grey: [90, 39],
};

function stylizeWithColor(str, styleType) {
  const style = styles[styleType];
  if (style !== undefined) {
    const c = colors[style];
    return `\u001b[${c[0]}m${str}\u001b[${c[1]}m`;
  }
  return str;
}

function stylizeNoColor(str) {
  return str;
}

const ansi = /\u001b\[\d\d?m/g;
function removeColors(s) {
  return s.replace(ansi, "");
}

export function inspect(value, opts) {
  const ctx = {
    budget: {},
    indentationLvl: 0,
    seen: [],
    currentDepth: 0,
    stylize: stylizeNoColor,
    circular: undefined,
    ...inspectDefaultOptions,
  };
  if (arguments.length > 1 && typeof opts === "boolean") {
    // Legacy signature: inspect(value, showHidden, depth, colors)
    ctx.showHidden = opts;
    if (arguments.length > 2 && arguments[2] !== undefined) ctx.depth = arguments[2];
    if (arguments.length > 3) ctx.colors = arguments[3];
  } else if (opts && typeof opts === "object") {
    for (const key of Object.keys(opts)) {
      if (key in inspectDefaultOptions || key === "stylize") ctx[key] = opts[key];
    }
  }
  if (ctx.colors) ctx.stylize = stylizeWithColor;
  if (ctx.maxArrayLength === null) ctx.maxArrayLength = Infinity;
  if (ctx.maxStringLength === null) ctx.maxStringLength = Infinity;
  return formatValue(ctx, value, 0);
}
inspect.custom = customInspectSymbol;
inspect.defaultOptions = inspectDefaultOptions;
inspect.colors = colors;
inspect.styles = styles;

const identRe = /^[a-zA-Z_][a-zA-Z_0-9]*$/;
const strEscapeSequencesRe = /[\x00-\x1f\x27\x5c\x7f-\x9f]/;
const meta = [
  "\\x00", "\\x01", "\\x02", "\\x03", "\\x04", "\\x05", "\\x06", "\\x07",
  "\\b", "\\t", "\\n", "\\x0B", "\\f", "\\r", "\\x0E", "\\x0F",
  "\\x10", "\\x11", "\\x12", "\\x13", "\\x14", "\\x15", "\\x16", "\\x17",
  "\\x18", "\\x19", "\\x1A", "\\x1B", "\\x1C", "\\x1D", "\\x1E", "\\x1F",
];

function escapeChar(c, quote) {
  const code = c.charCodeAt(0);
  if (code < 32) return meta[code];
  if (c === "\\") return "\\\\";
  if (c === quote) return "\\" + quote;
  if (code >= 0x7f && code <= 0x9f) return "\\x" + code.toString(16).toUpperCase();
  return c;
}

export function strEscape(str) {
  let quote = "'";
  if (str.includes("'")) {
    if (!str.includes('"')) quote = '"';
    else if (!str.includes("`") && !str.includes("${")) quote = "`";
  }
  if (!strEscapeSequencesRe.test(str) && !(quote !== "'" && str.includes(quote))) {
    return quote + str + quote;
  }
  let out = "";
  for (const ch of str) {
    const code = ch.charCodeAt(0);
    if (code < 32 || ch === "\\" || ch === quote || (code >= 0x7f && code <= 0x9f)) out += escapeChar(ch, quote);
    else out += ch;
  }
  return quote + out + quote;
}

function formatNumber(fn, n, numericSeparator) {
  if (Object.is(n, -0)) return fn("-0", "number");
  const s = String(n);
  if (!numericSeparator || !Number.isInteger(n)) return fn(s, "number");
  return fn(addSeparators(s), "number");
}

function addSeparators(s) {
  const neg = s[0] === "-" ? "-" : "";
  let digits = neg ? s.slice(1) : s;
  let out = "";
  while (digits.length > 3) {
    out = "_" + digits.slice(-3) + out;
    digits = digits.slice(0, -3);
  }
  return neg + digits + out;
}

function formatPrimitive(fn, value, ctx) {
  switch (typeof value) {
    case "string": {
      let trailer = "";
      if (value.length > ctx.maxStringLength) {
        const remaining = value.length - ctx.maxStringLength;
        value = value.slice(0, ctx.maxStringLength);
        trailer = `... ${remaining} more character${remaining > 1 ? "s" : ""}`;
      }
      if (
        ctx.compact !== true &&
        value.length > kMinLineWidth &&
        value.length > ctx.breakLength - ctx.indentationLvl - 4
      ) {
        const lines = value.split(/(?<=\n)/);
        return lines.map((line) => fn(strEscape(line), "string")).join(` +\n${" ".repeat(ctx.indentationLvl + 2)}`) + trailer;
      }
      return fn(strEscape(value), "string") + trailer;
    }
    case "number":
      return formatNumber(fn, value, ctx.numericSeparator);
    case "bigint":
      return fn(`${ctx.numericSeparator ? addSeparators(String(value)) : value}n`, "bigint");
    case "boolean":
      return fn(`${value}`, "boolean");
    case "undefined":
      return fn("undefined", "undefined");
    default:
      return fn(value.toString(), "symbol");
  }
}

function formatValue(ctx, value, recurseTimes, typedArray) {
  if (typeof value !== "object" && typeof value !== "function") return formatPrimitive(ctx.stylize, value, ctx);
  if (value === null) return ctx.stylize("null", "null");

  if (ctx.customInspect) {
    let maybeCustom;
    try {
      maybeCustom = value[customInspectSymbol];
    } catch {
      maybeCustom = undefined;
    }
    if (typeof maybeCustom === "function" && maybeCustom !== inspect) {
      const depth = ctx.depth === null ? null : ctx.depth - recurseTimes;
      const options = { ...ctx, depth };
      delete options.budget;
      delete options.seen;
      delete options.circular;
      delete options.currentDepth;
      delete options.indentationLvl;
      const ret = maybeCustom.call(value, depth, options, inspect);
      if (ret !== value) {
        if (typeof ret !== "string") return formatValue(ctx, ret, recurseTimes);
        return ret.replaceAll("\n", `\n${" ".repeat(ctx.indentationLvl)}`);
      }
    }
  }

  if (ctx.seen.includes(value)) {
    let index = 1;
    if (ctx.circular === undefined) {
      ctx.circular = new Map();
      ctx.circular.set(value, index);
    } else {
      index = ctx.circular.get(value);
      if (index === undefined) {
        index = ctx.circular.size + 1;
        ctx.circular.set(value, index);
      }
    }
    return ctx.stylize(`[Circular *${index}]`, "special");
  }
  return formatRaw(ctx, value, recurseTimes, typedArray);
}

function getConstructorName(obj) {
  let o = obj;
  let depth = 0;
  while (o || o === 0) {
    const desc = Object.getOwnPropertyDescriptor(o, "constructor");
    if (desc !== undefined && typeof desc.value === "function" && desc.value.name !== "" && isInstanceof(obj, desc.value)) {
      return depth === 0 ? desc.value.name : desc.value.name;
    }
    o = Object.getPrototypeOf(o);
    depth++;
    if (depth > 1000) break;
  }
  return null;
}

function isInstanceof(obj, ctor) {
  try {
    return obj instanceof ctor;
  } catch {
    return false;
  }
}

function getPrefix(constructor, tag, fallback, size = "") {
  if (constructor === null) {
    if (tag !== "" && fallback !== tag) return `[${fallback}${size}: null prototype] [${tag}] `;
    return `[${fallback}${size}: null prototype] `;
  }
  if (tag !== "" && constructor !== tag) return `${constructor}${size} [${tag}] `;
  return `${constructor}${size} `;
}

function getKeys(value, showHidden) {
  let keys;
  const symbols = Object.getOwnPropertySymbols(value);
  if (showHidden) {
    keys = Object.getOwnPropertyNames(value);
    if (symbols.length !== 0) keys.push(...symbols);
  } else {
    keys = Object.keys(value);
    for (const s of symbols) {
      if (Object.prototype.propertyIsEnumerable.call(value, s)) keys.push(s);
    }
  }
  return keys;
}

const typedArrayProto = Object.getPrototypeOf(Uint8Array.prototype);
const typedArrayTag = Object.getOwnPropertyDescriptor(typedArrayProto, Symbol.toStringTag).get;
function typedArrayName(v) {
  return typedArrayTag.call(v);
}

function isError(v) {
  return v instanceof Error || Object.prototype.toString.call(v) === "[object Error]";
}

function isBoxed(v) {
  return (
    v instanceof Number || v instanceof String || v instanceof Boolean || v instanceof BigInt || v instanceof Symbol
  );
}

function formatRaw(ctx, value, recurseTimes, typedArray) {
  let keys;
  let protoProps;
  const constructor = getConstructorName(value);
  let tag = value[Symbol.toStringTag];
  if (typeof tag !== "string" || (tag !== "" && (ctx.showHidden ? Object.prototype.hasOwnProperty : Object.prototype.propertyIsEnumerable).call(value, Symbol.toStringTag))) {
    tag = "";
  }
  let base = "";
  let formatter = getEmptyFormatArray;
  let braces;
  let noIterator = true;
  let i = 0;
  const filter = ctx.showHidden;
  let extrasType = kObjectType;

  if (Symbol.iterator in value || constructor === null) {
    noIterator = false;
    if (Array.isArray(value)) {
      const prefix = constructor !== "Array" || tag !== "" ? getPrefix(constructor, tag, "Array", `(${value.length})`) : "";
      keys = getOwnNonIndexProperties(value, filter);
      braces = [`${prefix}[`, "]"];
      if (value.length === 0 && keys.length === 0 && protoProps === undefined) return `${braces[0]}]`;
      extrasType = kArrayExtrasType;
      formatter = formatArray;
    } else if (value instanceof Set) {
      const size = value.size;
      const prefix = getPrefix(constructor, tag, "Set", `(${size})`);
      keys = getKeys(value, ctx.showHidden);
      formatter = formatSet.bind(null, value);
      if (size === 0 && keys.length === 0 && protoProps === undefined) return `${prefix}{}`;
      braces = [`${prefix}{`, "}"];
    } else if (value instanceof Map) {
      const size = value.size;
      const prefix = getPrefix(constructor, tag, "Map", `(${size})`);
      keys = getKeys(value, ctx.showHidden);
      formatter = formatMap.bind(null, value);
      if (size === 0 && keys.length === 0 && protoProps === undefined) return `${prefix}{}`;
      braces = [`${prefix}{`, "}"];
    } else if (ArrayBuffer.isView(value) && !(value instanceof DataView)) {
      keys = getOwnNonIndexProperties(value, filter);
      let bound = value;
      let fallback = "";
      if (constructor === null) {
        fallback = typedArrayName(value);
        bound = new globalThis[fallback](value);
      }
      const size = value.length;
      if (isBuffer(value)) {
        return formatBuffer(ctx, value, keys, recurseTimes);
      }
      const prefix = getPrefix(constructor, tag, fallback, `(${size})`);
      braces = [`${prefix}[`, "]"];
      if (value.length === 0 && keys.length === 0 && !ctx.showHidden) return `${braces[0]}]`;
      formatter = formatTypedArray.bind(null, bound, size);
      extrasType = kArrayExtrasType;
    } else if (isMapIterator(value)) {
      keys = getKeys(value, ctx.showHidden);
      braces = [`[${tag}] {`, "}"];
      formatter = formatIterator.bind(null, braces);
    } else if (isSetIterator(value)) {
      keys = getKeys(value, ctx.showHidden);
      braces = [`[${tag}] {`, "}"];
      formatter = formatIterator.bind(null, braces);
    } else {
      noIterator = true;
    }
  }
  if (noIterator) {
    keys = getKeys(value, ctx.showHidden);
    braces = ["{", "}"];
    if (constructor === "Object") {
      if (isArgumentsObject(value)) {
        braces[0] = "[Arguments] [";
        braces[1] = "]";
        extrasType = kArrayExtrasType;
        formatter = formatArguments;
        keys = getOwnNonIndexProperties(value, filter);
        if (value.length === 0 && keys.length === 0) return "[Arguments] []";
      } else if (tag !== "") {
        braces[0] = `${getPrefix(constructor, tag, "Object")}{`;
      }
      if (keys.length === 0 && protoProps === undefined && formatter === getEmptyFormatArray) {
        return `${braces[0]}}`;
      }
    } else if (typeof value === "function") {
      base = getFunctionBase(value, constructor, tag);
      if (keys.length === 0 && protoProps === undefined) return ctx.stylize(base, "special");
    } else if (value instanceof RegExp) {
      base = RegExp.prototype.toString.call(constructor !== null ? value : new RegExp(value));
      const prefix = getPrefix(constructor, tag, "RegExp");
      if (prefix !== "RegExp ") base = `${prefix}${base}`;
      if ((keys.length === 0 && protoProps === undefined) || (recurseTimes > ctx.depth && ctx.depth !== null)) {
        return ctx.stylize(base, "regexp");
      }
    } else if (value instanceof Date) {
      base = Number.isNaN(Date.prototype.getTime.call(value))
        ? Date.prototype.toString.call(value)
        : Date.prototype.toISOString.call(value);
      const prefix = getPrefix(constructor, tag, "Date");
      if (prefix !== "Date ") base = `${prefix}${base}`;
      if (keys.length === 0 && protoProps === undefined) return ctx.stylize(base, "date");
    } else if (isError(value)) {
      base = formatError(value, constructor, tag, ctx, keys);
      if (keys.length === 0 && protoProps === undefined) return base;
    } else if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer)) {
      const arrayType = value instanceof ArrayBuffer ? "ArrayBuffer" : "SharedArrayBuffer";
      const prefix = getPrefix(constructor, tag, arrayType);
      if (typedArray === undefined) {
        formatter = formatArrayBuffer;
      } else if (keys.length === 0 && protoProps === undefined) {
        return prefix + `{ byteLength: ${formatNumber(ctx.stylize, value.byteLength, false)} }`;
      }
      braces[0] = `${prefix}{`;
      keys.unshift("byteLength");
    } else if (value instanceof DataView) {
      braces[0] = `${getPrefix(constructor, tag, "DataView")}{`;
      keys.unshift("byteLength", "byteOffset", "buffer");
    } else if (value instanceof Promise) {
      braces[0] = `${getPrefix(constructor, tag, "Promise")}{`;
      formatter = formatPromise;
    } else if (value instanceof WeakSet) {
      braces[0] = `${getPrefix(constructor, tag, "WeakSet")}{`;
      formatter = formatWeakCollection;
    } else if (value instanceof WeakMap) {
      braces[0] = `${getPrefix(constructor, tag, "WeakMap")}{`;
      formatter = formatWeakCollection;
    } else if (typeof WeakRef !== "undefined" && value instanceof WeakRef) {
      braces[0] = `${getPrefix(constructor, tag, "WeakRef")}{`;
      formatter = formatWeakRef;
    } else if (isBoxed(value)) {
      base = getBoxedBase(value, ctx, keys, constructor, tag);
      if (keys.length === 0 && protoProps === undefined) return base;
    } else {
      if (keys.length === 0 && protoProps === undefined) {
        return `${getCtxName(constructor, tag, "Object")}{}`;
      }
      braces[0] = `${getCtxName(constructor, tag, "Object")}{`;
    }
  }

  if (recurseTimes > ctx.depth && ctx.depth !== null) {
    let constructorName = getCtxName(constructor, tag, "Object").slice(0, -1);
    if (constructor !== null) constructorName = `[${constructorName}]`;
    return ctx.stylize(constructorName, "special");
  }
  recurseTimes += 1;
  ctx.seen.push(value);
  ctx.currentDepth = recurseTimes;
  let output;
  try {
    output = formatter(ctx, value, recurseTimes);
    for (i = 0; i < keys.length; i++) {
      output.push(formatProperty(ctx, value, recurseTimes, keys[i], extrasType));
    }
  } finally {
    ctx.seen.pop();
  }
  if (ctx.circular !== undefined) {
    const index = ctx.circular.get(value);
    if (index !== undefined) {
      const reference = ctx.stylize(`<ref *${index}>`, "special");
      if (ctx.compact !== true) base = base === "" ? reference : `${reference} ${base}`;
      else braces[0] = `${reference} ${braces[0]}`;
    }
  }
  if (ctx.sorted) {
    const comparator = ctx.sorted === true ? undefined : ctx.sorted;
    if (extrasType === kObjectType) output.sort(comparator);
    else if (keys.length > 1) {
      const sorted = output.slice(output.length - keys.length).sort(comparator);
      output.splice(output.length - keys.length, keys.length, ...sorted);
    }
  }
  const res = reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value);
  const budget = ctx.budget[ctx.indentationLvl] || 0;
  const newLength = budget + res.length;
  ctx.budget[ctx.indentationLvl] = newLength;
  return res;
}

function getCtxName(constructor, tag, fallback) {
  return getPrefix(constructor, tag, fallback);
}

function isBuffer(v) {
  const B = globalThis.Buffer;
  return B !== undefined && typeof B.isBuffer === "function" && B.isBuffer(v);
}

function formatBuffer(ctx, value, keys, recurseTimes) {
  const max = 50;
  const n = Math.min(max, value.length);
  let str = "";
  for (let i = 0; i < n; i++) str += (i ? " " : "") + value[i].toString(16).padStart(2, "0");
  const remaining = value.length - max;
  if (remaining > 0) str += ` ... ${remaining} more byte${remaining > 1 ? "s" : ""}`;
  if (keys.length && ctx.depth >= recurseTimes) {
    const extras = keys.map((k) => formatProperty(ctx, value, recurseTimes + 1, k, kObjectType));
    str += `, ${extras.join(", ")}`;
  }
  return `<${getConstructorName(value) || "Buffer"} ${str}>`;
}

const mapIterProto = Object.getPrototypeOf(new Map()[Symbol.iterator]());
const setIterProto = Object.getPrototypeOf(new Set()[Symbol.iterator]());
function isMapIterator(v) {
  return Object.getPrototypeOf(v) === mapIterProto;
}
function isSetIterator(v) {
  return Object.getPrototypeOf(v) === setIterProto;
}

function isArgumentsObject(v) {
  return Object.prototype.toString.call(v) === "[object Arguments]";
}

function getFunctionBase(value, constructor, tag) {
  const stringified = Function.prototype.toString.call(value);
  if (stringified.startsWith("class") && stringified.endsWith("}")) {
    const slice = stringified.slice(5, -1);
    const bracketIndex = slice.indexOf("{");
    if (bracketIndex !== -1 && (!slice.slice(0, bracketIndex).includes("(") || /^\s*(?:extends\s+\S)/.test(slice))) {
      return getClassBase(value, constructor, tag);
    }
  }
  let type = "Function";
  if (constructor === "GeneratorFunction" || constructor === "AsyncGeneratorFunction" || constructor === "AsyncFunction") {
    type = constructor;
  }
  let base = `[${type}`;
  if (constructor === null) base += " (null prototype)";
  if (value.name === "") base += " (anonymous)";
  else base += `: ${value.name}`;
  base += "]";
  if (constructor !== type && constructor !== null) base += ` ${constructor}`;
  if (tag !== "" && constructor !== tag) base += ` [${tag}]`;
  return base;
}

function getClassBase(value, constructor, tag) {
  const hasName = Object.prototype.hasOwnProperty.call(value, "name");
  const name = (hasName && value.name) || "(anonymous)";
  let base = `class ${name}`;
  if (constructor !== "Function" && constructor !== null) base += ` [${constructor}]`;
  if (tag !== "" && constructor !== tag) base += ` [${tag}]`;
  if (constructor !== null) {
    const superName = Object.getPrototypeOf(value).name;
    if (superName) base += ` extends ${superName}`;
  } else {
    base += " extends [null prototype]";
  }
  return `[${base}]`;
}

function getBoxedBase(value, ctx, keys, constructor, tag) {
  let type;
  let primitive;
  if (value instanceof Number) {
    type = "Number";
    primitive = Number.prototype.valueOf.call(value);
  } else if (value instanceof String) {
    type = "String";
    primitive = String.prototype.valueOf.call(value);
    keys.splice(0, primitive.length);
  } else if (value instanceof Boolean) {
    type = "Boolean";
    primitive = Boolean.prototype.valueOf.call(value);
  } else if (value instanceof BigInt) {
    type = "BigInt";
    primitive = BigInt.prototype.valueOf.call(value);
  } else {
    type = "Symbol";
    primitive = Symbol.prototype.valueOf.call(value);
  }
  let base = `[${type}`;
  if (type !== constructor) {
    if (constructor === null) base += " (null prototype)";
    else base += ` (${constructor})`;
  }
  base += `: ${formatPrimitive(stylizeNoColor, primitive, ctx)}]`;
  if (tag !== "" && tag !== constructor) base += ` [${tag}]`;
  if (keys.length !== 0 || ctx.stylize === stylizeNoColor) return base;
  return ctx.stylize(base, type.toLowerCase());
}

function formatError(err, constructor, tag, ctx, keys) {
  const name = err.name != null ? String(err.name) : "Error";
  const message = err.message != null ? String(err.message) : "";
  let stack = getStackString(err);
  removeDuplicateErrorKeys(ctx, keys, err, stack);
  if ("cause" in err && (keys.length === 0 || !keys.includes("cause"))) keys.push("cause");
  if (Array.isArray(err.errors) && (keys.length === 0 || !keys.includes("errors"))) keys.push("errors");
  stack = improveStack(stack, constructor, name, tag);
  let pos = (err.message && stack.indexOf(err.message)) || -1;
  if (pos !== -1) pos += err.message.length;
  let stackStart = stack.indexOf("\n    at", pos);
  if (stackStart === -1) {
    stack = `[${stack}]`;
  } else if (ctx.colors) {
    // Keep the message, grey out the frames.
    const lines = stack.slice(stackStart + 1).split("\n");
    stack = stack.slice(0, stackStart) + "\n" + lines.map((l) => ctx.stylize(l, "undefined")).join("\n");
  }
  if (ctx.indentationLvl !== 0) {
    const indentation = " ".repeat(ctx.indentationLvl);
    stack = stack.replaceAll("\n", `\n${indentation}`);
  }
  void message;
  return stack;
}

function getStackString(err) {
  const stack = err.stack;
  if (typeof stack === "string" && stack !== "") return stack;
  return Error.prototype.toString.call(err);
}

function removeDuplicateErrorKeys(ctx, keys, err, stack) {
  if (!ctx.showHidden && keys.length !== 0) {
    for (const name of ["name", "message", "stack"]) {
      const index = keys.indexOf(name);
      if (index !== -1 && (typeof err[name] !== "string" || stack.includes(err[name]))) keys.splice(index, 1);
    }
  }
}

function improveStack(stack, constructor, name, tag) {
  let len = name.length;
  if (constructor === null || (name.endsWith("Error") && stack.startsWith(name) && (stack.length === len || stack[len] === ":" || stack[len] === "\n"))) {
    let fallback = "Error";
    if (constructor === null) {
      const start = /^([A-Z][a-z_ A-Z0-9[\]()-]+)(?::|\n\s+at)/.exec(stack) || /^([a-z_A-Z0-9-]*Error)$/.exec(stack);
      fallback = (start && start[1]) || "";
      len = fallback.length;
      fallback = fallback || "Error";
    }
    const prefix = getPrefix(constructor, tag, fallback).slice(0, -1);
    if (name !== prefix) {
      if (prefix.includes(name)) {
        if (len === 0) stack = `${prefix}: ${stack}`;
        else stack = `${prefix}${stack.slice(len)}`;
      } else {
        stack = `${prefix} [${name}]${stack.slice(len)}`;
      }
    }
  }
  return stack;
}

function getOwnNonIndexProperties(value, showHidden) {
  const names = showHidden ? Object.getOwnPropertyNames(value) : Object.keys(value);
  const out = [];
  for (const k of names) {
    if (!isArrayIndex(k)) out.push(k);
    else if (showHidden && ArrayBuffer.isView(value)) continue;
  }
  if (showHidden && Array.isArray(value)) {
    // "length" is non-enumerable and shown with showHidden, as node does.
  }
  for (const s of Object.getOwnPropertySymbols(value)) {
    if (showHidden || Object.prototype.propertyIsEnumerable.call(value, s)) out.push(s);
  }
  return out;
}

function isArrayIndex(k) {
  if (typeof k !== "string") return false;
  const n = Number(k);
  return n >>> 0 === n && String(n) === k && n !== 4294967295;
}

function getEmptyFormatArray() {
  return [];
}

function formatArrayBuffer(ctx, value) {
  const bytes = new Uint8Array(value);
  let str = "";
  const n = Math.min(ctx.maxArrayLength, bytes.length);
  for (let i = 0; i < n; i++) str += (i ? " " : "") + bytes[i].toString(16).padStart(2, "0");
  const remaining = bytes.length - ctx.maxArrayLength;
  if (remaining > 0) str += ` ... ${remaining} more byte${remaining > 1 ? "s" : ""}`;
  return [`${ctx.stylize("[Uint8Contents]", "special")}: <${str}>`];
}

function formatArrayLike(ctx, value, recurseTimes) {
  const valLen = value.length;
  const len = Math.min(Math.max(0, ctx.maxArrayLength), valLen);
  const remaining = valLen - len;
  const output = [];
  for (let i = 0; i < len; i++) {
    if (!Object.prototype.hasOwnProperty.call(value, i)) return formatArrayWithHoles(ctx, value, recurseTimes, len, output, i);
    output.push(formatProperty(ctx, value, recurseTimes, i, kArrayExtrasType));
  }
  if (remaining > 0) output.push(`... ${remaining} more item${remaining > 1 ? "s" : ""}`);
  return output;
}

function formatArrayWithHoles(ctx, value, recurseTimes, len, output, i) {
  let outputLen = output.length;
  const valLen = value.length;
  while (i < valLen && outputLen < len) {
    if (!Object.prototype.hasOwnProperty.call(value, i)) {
      let j = i + 1;
      while (j < valLen && !Object.prototype.hasOwnProperty.call(value, j)) j++;
      const emptyItems = j - i;
      output.push(ctx.stylize(`<${emptyItems} empty item${emptyItems > 1 ? "s" : ""}>`, "undefined"));
      i = j;
    } else {
      output.push(formatProperty(ctx, value, recurseTimes, i, kArrayExtrasType));
      i++;
    }
    outputLen++;
  }
  const remaining = valLen - i;
  if (remaining > 0) output.push(`... ${remaining} more item${remaining > 1 ? "s" : ""}`);
  return output;
}

function formatArray(ctx, value, recurseTimes) {
  return formatArrayLike(ctx, value, recurseTimes);
}

function formatArguments(ctx, value, recurseTimes) {
  return formatArrayLike(ctx, value, recurseTimes);
}

function formatTypedArray(value, length, ctx, _ignored, recurseTimes) {
  const maxLength = Math.min(Math.max(0, ctx.maxArrayLength), length);
  const remaining = value.length - maxLength;
  const output = new Array(maxLength);
  const elementFormatter = value.length > 0 && typeof value[0] === "number" ? formatNumber : formatBigIntElement;
  for (let i = 0; i < maxLength; ++i) output[i] = elementFormatter(ctx.stylize, value[i], ctx.numericSeparator);
  if (remaining > 0) output[maxLength] = `... ${remaining} more item${remaining > 1 ? "s" : ""}`;
  if (ctx.showHidden) {
    ctx.indentationLvl += 2;
    for (const key of ["BYTES_PER_ELEMENT", "length", "byteLength", "byteOffset", "buffer"]) {
      const str = formatValue(ctx, value[key], recurseTimes, true);
      output.push(`[${key}]: ${str}`);
    }
    ctx.indentationLvl -= 2;
  }
  return output;
}

function formatBigIntElement(fn, v, sep) {
  return fn(`${sep ? addSeparators(String(v)) : v}n`, "bigint");
}

function formatSet(value, ctx, _ignored, recurseTimes) {
  const length = value.size;
  const maxLength = Math.min(Math.max(0, ctx.maxArrayLength), length);
  const remaining = length - maxLength;
  const output = [];
  ctx.indentationLvl += 2;
  let i = 0;
  for (const v of value) {
    if (i >= maxLength) break;
    output.push(formatValue(ctx, v, recurseTimes));
    i++;
  }
  if (remaining > 0) output.push(`... ${remaining} more item${remaining > 1 ? "s" : ""}`);
  ctx.indentationLvl -= 2;
  return output;
}

function formatMap(value, ctx, _ignored, recurseTimes) {
  const length = value.size;
  const maxLength = Math.min(Math.max(0, ctx.maxArrayLength), length);
  const remaining = length - maxLength;
  const output = [];
  ctx.indentationLvl += 2;
  let i = 0;
  for (const [k, v] of value) {
    if (i >= maxLength) break;
    output.push(`${formatValue(ctx, k, recurseTimes)} => ${formatValue(ctx, v, recurseTimes)}`);
    i++;
  }
  if (remaining > 0) output.push(`... ${remaining} more item${remaining > 1 ? "s" : ""}`);
  ctx.indentationLvl -= 2;
  return output;
}

function formatIterator(braces, ctx, value, recurseTimes) {
  // Iterating would consume the iterator; node peeks with internals we lack.
  void ctx;
  void value;
  void recurseTimes;
  braces[0] = braces[0].replace(/\{$/, "{ <items unknown>");
  return [];
}

function formatPromise(ctx) {
  // The promise state is not observable from JS inside the sandbox.
  return [ctx.stylize("<unknown>", "special")];
}

function formatWeakCollection(ctx) {
  return [ctx.stylize("<items unknown>", "special")];
}

function formatWeakRef(ctx, value, recurseTimes) {
  ctx.indentationLvl += 2;
  const target = value.deref();
  const out = target === undefined ? ctx.stylize("<cleared>", "special") : formatValue(ctx, target, recurseTimes);
  ctx.indentationLvl -= 2;
  return [out];
}

function formatProperty(ctx, value, recurseTimes, key, type, desc) {
  let name, str;
  let extra = " ";
  desc = desc || Object.getOwnPropertyDescriptor(value, key) || { value: value[key], enumerable: true };
  if (desc.value !== undefined) {
    const diff = ctx.compact !== true || type !== kObjectType ? 2 : 3;
    ctx.indentationLvl += diff;
    str = formatValue(ctx, desc.value, recurseTimes);
    if (diff === 3 && ctx.breakLength < getStringWidth(str)) {
      extra = `\n${" ".repeat(ctx.indentationLvl)}`;
    }
    ctx.indentationLvl -= diff;
  } else if (desc.get !== undefined) {
    const label = desc.set !== undefined ? "Getter/Setter" : "Getter";
    const s = ctx.stylize;
    const sp = "special";
    if (ctx.getters && (ctx.getters === true || (ctx.getters === "get" && desc.set === undefined) || (ctx.getters === "set" && desc.set !== undefined))) {
      try {
        const tmp = desc.get.call(value);
        ctx.indentationLvl += 2;
        if (tmp === null) str = `${s(`[${label}:`, sp)} ${s("null", "null")}${s("]", sp)}`;
        else if (typeof tmp === "object") str = `${s(`[${label}]`, sp)} ${formatValue(ctx, tmp, recurseTimes)}`;
        else str = `${s(`[${label}:`, sp)} ${formatPrimitive(s, tmp, ctx)}${s("]", sp)}`;
        ctx.indentationLvl -= 2;
      } catch (err) {
        str = `${s(`[${label}: <Inspection threw (${err.message})>]`, sp)}`;
      }
    } else {
      str = ctx.stylize(`[${label}]`, sp);
    }
  } else if (desc.set !== undefined) {
    str = ctx.stylize("[Setter]", "special");
  } else {
    str = ctx.stylize("undefined", "undefined");
  }
  if (type === kArrayExtrasType) return str;
  if (typeof key === "symbol") {
    name = `[${ctx.stylize(key.toString().replace(strEscapeSequencesRe, (c) => escapeChar(c, "'")), "symbol")}]`;
  } else if (key === "__proto__") {
    name = "['__proto__']";
  } else if (desc.enumerable === false) {
    const tmp = String(key).replace(strEscapeSequencesRe, (c) => escapeChar(c, "'"));
    name = `[${tmp}]`;
  } else if (identRe.test(key)) {
    name = ctx.stylize(key, "name");
  } else {
    name = ctx.stylize(strEscape(key), "string");
  }
  return `${name}:${extra}${str}`;
}

function getStringWidth(str) {
  return removeColors(str).length;
}

function groupArrayElements(ctx, output, value) {
  let totalLength = 0;
  let maxLength = 0;
  let i = 0;
  let outputLength = output.length;
  if (ctx.maxArrayLength < output.length) outputLength--;
  const separatorSpace = 2;
  const dataLen = new Array(outputLength);
  for (; i < outputLength; i++) {
    const len = ctx.colors ? removeColors(output[i]).length : output[i].length;
    dataLen[i] = len;
    totalLength += len + separatorSpace;
    if (maxLength < len) maxLength = len;
  }
  const actualMax = maxLength + separatorSpace;
  if (actualMax * 3 + ctx.indentationLvl < ctx.breakLength && (totalLength / actualMax > 5 || maxLength <= 6)) {
    const approxCharHeights = 2.5;
    const averageBias = Math.sqrt(actualMax - totalLength / output.length);
    const biasedMax = Math.max(actualMax - 3 - averageBias, 1);
    const columns = Math.min(
      Math.round(Math.sqrt(approxCharHeights * biasedMax * outputLength) / biasedMax),
      Math.floor((ctx.breakLength - ctx.indentationLvl) / actualMax),
      ctx.compact * 4,
      15,
    );
    if (columns <= 1) return output;
    const tmp = [];
    const maxLineLength = [];
    for (let i = 0; i < columns; i++) {
      let lineLength = 0;
      for (let j = i; j < output.length; j += columns) {
        if (dataLen[j] > lineLength) lineLength = dataLen[j];
      }
      maxLineLength.push(lineLength + separatorSpace);
    }
    let order = "padStart";
    if (value !== undefined) {
      for (let i = 0; i < output.length; i++) {
        if (typeof value[i] !== "number" && typeof value[i] !== "bigint") {
          order = "padEnd";
          break;
        }
      }
    }
    for (let i = 0; i < outputLength; i += columns) {
      const max = Math.min(i + columns, outputLength);
      let str = "";
      let j = i;
      for (; j < max - 1; j++) {
        const padding = maxLineLength[j - i] + output[j].length - dataLen[j];
        str += `${output[j]}, `[order](padding, " ");
      }
      if (order === "padStart") {
        const padding = maxLineLength[j - i] + output[j].length - dataLen[j] - separatorSpace;
        str += output[j].padStart(padding, " ");
      } else {
        str += output[j];
      }
      tmp.push(str);
    }
    if (ctx.maxArrayLength < output.length) tmp.push(output[outputLength]);
    output = tmp;
  }
  return output;
}

function isBelowBreakLength(ctx, output, start, base) {
  let totalLength = output.length + start;
  if (totalLength + output.length > ctx.breakLength) return false;
  for (let i = 0; i < output.length; i++) {
    totalLength += ctx.colors ? removeColors(output[i]).length : output[i].length;
    if (totalLength > ctx.breakLength) return false;
  }
  return base === "" || !base.includes("\n");
}

function reduceToSingleString(ctx, output, base, braces, extrasType, recurseTimes, value) {
  if (ctx.compact !== true) {
    if (typeof ctx.compact === "number" && ctx.compact >= 1) {
      const entries = output.length;
      if (extrasType === kArrayExtrasType && entries > 6) output = groupArrayElements(ctx, output, value);
      if (ctx.currentDepth - recurseTimes < ctx.compact && entries === output.length) {
        const start = output.length + ctx.indentationLvl + braces[0].length + base.length + 10;
        if (isBelowBreakLength(ctx, output, start, base)) {
          const joinedOutput = output.join(", ");
          if (!joinedOutput.includes("\n")) {
            return `${base ? `${base} ` : ""}${braces[0]} ${joinedOutput}` + ` ${braces[1]}`;
          }
        }
      }
    }
    const indentation = `\n${" ".repeat(ctx.indentationLvl)}`;
    return `${base ? `${base} ` : ""}${braces[0]}${indentation}  ${output.join(`,${indentation}  `)}${indentation}${braces[1]}`;
  }
  if (isBelowBreakLength(ctx, output, 0, base)) {
    return `${braces[0]}${base ? ` ${base}` : ""} ${output.join(", ")} ` + braces[1];
  }
  const indentation = " ".repeat(ctx.indentationLvl);
  const ln = base === "" && braces[0].length === 1 ? " " : `${base ? ` ${base}` : ""}\n${indentation}  `;
  return `${braces[0]}${ln}${output.join(`,\n${indentation}  `)} ${braces[1]}`;
}

// ---- format ----

function formatNumberArg(fn, n) {
  return formatNumber(fn, n, false);
}

export function format(...args) {
  return formatWithOptionsInternal(undefined, args);
}

export function formatWithOptions(inspectOptions, ...args) {
  return formatWithOptionsInternal(inspectOptions, args);
}

function formatWithOptionsInternal(inspectOptions, args) {
  const first = args[0];
  let a = 0;
  let str = "";
  let join = "";
  if (typeof first === "string") {
    if (args.length === 1) return first;
    let tempStr;
    let lastPos = 0;
    for (let i = 0; i < first.length - 1; i++) {
      if (first.charCodeAt(i) === 37) {
        // '%'
        const nextChar = first.charCodeAt(++i);
        if (a + 1 !== args.length) {
          switch (nextChar) {
            case 115: {
              // 's'
              const tempArg = args[++a];
              if (typeof tempArg === "number") tempStr = formatNumberArg(stylizeNoColor, tempArg);
              else if (typeof tempArg === "bigint") tempStr = `${tempArg}n`;
              else if (typeof tempArg !== "object" || tempArg === null || !hasBuiltInToString(tempArg)) tempStr = String(tempArg);
              else tempStr = inspect(tempArg, { ...inspectOptions, depth: 0, colors: false, compact: 3 });
              break;
            }
            case 106: // 'j'
              tempStr = tryStringify(args[++a]);
              break;
            case 100: {
              // 'd'
              const tempNum = args[++a];
              if (typeof tempNum === "bigint") tempStr = `${tempNum}n`;
              else if (typeof tempNum === "symbol") tempStr = "NaN";
              else tempStr = formatNumberArg(stylizeNoColor, Number(tempNum));
              break;
            }
            case 79: // 'O'
              tempStr = inspect(args[++a], inspectOptions);
              break;
            case 111: // 'o'
              tempStr = inspect(args[++a], { ...inspectOptions, showHidden: true, showProxy: true, depth: 4 });
              break;
            case 105: {
              // 'i'
              const tempInteger = args[++a];
              if (typeof tempInteger === "bigint") tempStr = `${tempInteger}n`;
              else if (typeof tempInteger === "symbol") tempStr = "NaN";
              else tempStr = formatNumberArg(stylizeNoColor, Number.parseInt(tempInteger));
              break;
            }
            case 102: {
              // 'f'
              const tempFloat = args[++a];
              if (typeof tempFloat === "symbol") tempStr = "NaN";
              else tempStr = formatNumberArg(stylizeNoColor, Number.parseFloat(tempFloat));
              break;
            }
            case 99: // 'c'
              a += 1;
              tempStr = "";
              break;
            case 37: // '%'
              str += first.slice(lastPos, i);
              lastPos = i + 1;
              continue;
            default:
              continue;
          }
          if (lastPos !== i - 1) str += first.slice(lastPos, i - 1);
          str += tempStr;
          lastPos = i + 1;
        } else if (nextChar === 37) {
          str += first.slice(lastPos, i);
          lastPos = i + 1;
        }
      }
    }
    if (lastPos !== 0) {
      a++;
      join = " ";
      if (lastPos < first.length) str += first.slice(lastPos);
    }
  }
  while (a < args.length) {
    const value = args[a];
    str += join;
    str += typeof value !== "string" ? inspect(value, inspectOptions) : value;
    join = " ";
    a++;
  }
  return str;
}

// Global constructors whose toString counts as built in (node: builtInObjects).
const builtInObjects = new Set(
  Object.getOwnPropertyNames(globalThis).filter((k) => /^[A-Z][a-zA-Z0-9]+$/.test(k) && typeof globalThis[k] === "function"),
);

function hasBuiltInToString(value) {
  if (typeof value.toString !== "function") return true;
  if (Object.prototype.hasOwnProperty.call(value, "toString")) return false;
  let pointer = value;
  do {
    pointer = Object.getPrototypeOf(pointer);
  } while (!Object.prototype.hasOwnProperty.call(pointer, "toString"));
  const descriptor = Object.getOwnPropertyDescriptor(pointer, "constructor");
  return descriptor !== undefined && typeof descriptor.value === "function" && builtInObjects.has(descriptor.value.name);
}

function tryStringify(arg) {
  try {
    return JSON.stringify(arg);
  } catch (err) {
    if (err instanceof TypeError && /circular/i.test(err.message)) return "[Circular]";
    throw err;
  }
}
