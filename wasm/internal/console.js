// console, as node prints it: log/info/debug to stdout, error/warn/trace to
// stderr, util.format semantics, groups, counters, timers, table.

import { ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, markNodeError } from "./errors.js";
import { format, formatWithOptions, inspect } from "./util.js";

const kState = Symbol("edgebox.console");

function notWritable(name) {
  const err = new TypeError(`Console expects a writable stream instance for ${name}`);
  err.code = "ERR_CONSOLE_WRITABLE_STREAM";
  return markNodeError(err);
}

/**
 * node:console's Console: new Console(stdout, stderr, ignoreErrors) or new Console({ stdout, stderr,
 * ignoreErrors, inspectOptions, groupIndentation }); callable without new. Its methods live on the
 * prototype (a subclass overrides them) and each instance holds them bound, so that `const { log } =
 * console` works, as node's do. colorMode is not taken: no output here is a terminal's colours.
 */
export function Console(stdout, stderr, ignoreErrors) {
  if (!new.target) return new Console(...arguments);
  let step = 2;
  let inspectOptions;
  if (stdout !== null && typeof stdout === "object" && typeof stdout.write !== "function") {
    const options = stdout;
    ({ stdout, stderr, ignoreErrors, inspectOptions } = options);
    const g = options.groupIndentation;
    if (g !== undefined) {
      if (typeof g !== "number") throw new ERR_INVALID_ARG_TYPE("groupIndentation", "of type number", g);
      if (!Number.isInteger(g) || g < 0 || g > 1000) throw new ERR_OUT_OF_RANGE("groupIndentation", Number.isInteger(g) ? ">= 0 && <= 1000" : "an integer", g);
      step = g;
    }
    if (inspectOptions !== undefined && (inspectOptions === null || typeof inspectOptions !== "object")) {
      throw new ERR_INVALID_ARG_TYPE("options.inspectOptions", "of type object", inspectOptions);
    }
  }
  if (typeof stdout?.write !== "function") throw notWritable("stdout");
  if (stderr !== undefined && typeof stderr?.write !== "function") throw notWritable("stderr");
  this[kState] = { out: stdout, err: stderr ?? stdout, ignoreErrors: ignoreErrors !== false, inspectOptions, step, indent: "", counts: new Map(), timers: new Map() };
  for (const k of Object.keys(methods)) {
    Object.defineProperty(this, k, { value: this[k].bind(this), writable: true, enumerable: true, configurable: true });
  }
}

function write(self, to, text) {
  const st = self[kState];
  if (st.indent !== "") text = st.indent + text.replaceAll("\n", "\n" + st.indent);
  try {
    st[to].write(text + "\n");
  } catch (e) {
    if (!st.ignoreErrors) throw e;
  }
}

function fmt(self, args) {
  const o = self[kState].inspectOptions;
  return o === undefined ? format(...args) : formatWithOptions(o, ...args);
}

const methods = {
  log(...a) {
    write(this, "out", fmt(this, a));
  },
  info(...a) {
    write(this, "out", fmt(this, a));
  },
  debug(...a) {
    write(this, "out", fmt(this, a));
  },
  error(...a) {
    write(this, "err", fmt(this, a));
  },
  warn(...a) {
    write(this, "err", fmt(this, a));
  },
  dir(obj, options) {
    write(this, "out", inspect(obj, { customInspect: false, ...this[kState].inspectOptions, ...options }));
  },
  dirxml(...a) {
    write(this, "out", fmt(this, a));
  },
  trace(...a) {
    const e = new Error(fmt(this, a));
    e.name = "Trace";
    write(this, "err", e.stack); // (this frame is the runtime's: not in the stack)
  },
  assert(ok, ...a) {
    if (ok) return;
    if (typeof a[0] === "string") a[0] = `Assertion failed: ${a[0]}`;
    else a.unshift("Assertion failed");
    write(this, "err", fmt(this, a));
  },
  count(label = "default") {
    label = `${label}`;
    const counts = this[kState].counts;
    const n = (counts.get(label) || 0) + 1;
    counts.set(label, n);
    write(this, "out", `${label}: ${n}`);
  },
  countReset(label = "default") {
    label = `${label}`;
    const counts = this[kState].counts;
    if (!counts.has(label)) return process.emitWarning?.(`Count for '${label}' does not exist`);
    counts.set(label, 0);
  },
  group(...a) {
    if (a.length > 0) this.log(...a);
    this[kState].indent += " ".repeat(this[kState].step);
  },
  groupCollapsed(...a) {
    this.group(...a);
  },
  groupEnd() {
    const st = this[kState];
    st.indent = st.indent.slice(0, st.indent.length - st.step);
  },
  time(label = "default") {
    label = `${label}`;
    const timers = this[kState].timers;
    if (timers.has(label)) return process.emitWarning?.(`Label '${label}' already exists for console.time()`);
    timers.set(label, performance.now());
  },
  timeEnd(label = "default") {
    label = `${label}`;
    const timers = this[kState].timers;
    if (!timers.has(label)) return process.emitWarning?.(`No such label '${label}' for console.timeEnd()`);
    write(this, "out", `${label}: ${formatTime(performance.now() - timers.get(label))}`);
    timers.delete(label);
  },
  timeLog(label = "default", ...data) {
    label = `${label}`;
    const timers = this[kState].timers;
    if (!timers.has(label)) return process.emitWarning?.(`No such label '${label}' for console.timeLog()`);
    write(this, "out", [`${label}: ${formatTime(performance.now() - timers.get(label))}`, ...data.map((d) => inspect(d))].join(" "));
  },
  table(data, properties) {
    if (data === null || typeof data !== "object") return this.log(data);
    write(this, "out", renderTable(data, properties));
  },
};
for (const [k, f] of Object.entries(methods)) {
  Object.defineProperty(Console.prototype, k, { value: f, writable: true, enumerable: false, configurable: true });
}

function formatTime(ms) {
  if (ms >= 1000) {
    if (ms >= 60000) {
      if (ms >= 3600000) return `${(ms / 3600000).toFixed(3)}h`;
      return `${(ms / 60000).toFixed(3)}min`;
    }
    return `${(ms / 1000).toFixed(3)}s`;
  }
  return `${Number(ms.toFixed(3))}ms`;
}

// console.table: a box of the data's rows, written from node's documented output (the first
// column names the row, then one column per property, primitives under "Values"; cells are
// left-aligned and shown as inspect shows them, shallowly).
function renderTable(data, properties) {
  const cell = (v) =>
    inspect(v, { depth: v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 2 ? -1 : 0, maxArrayLength: 3, breakLength: Infinity });
  if (data instanceof Map || data instanceof Set) {
    const entries = [...data];
    const rows = entries.map((e, i) => (data instanceof Map ? [String(i), cell(e[0]), cell(e[1])] : [String(i), cell(e)]));
    return box(data instanceof Map ? ["(iteration index)", "Key", "Values"] : ["(iteration index)", "Values"], rows);
  }
  const columns = properties ? [...properties] : [];
  const records = []; // [row name, record or undefined, primitive value]
  let primitives = false;
  for (const key of Object.keys(data)) {
    const v = data[key];
    const isRecord = v !== null && (typeof v === "object" || typeof v === "function");
    if (isRecord && !properties) for (const k of Object.keys(v)) if (!columns.includes(k)) columns.push(k);
    if (!isRecord && !properties) primitives = true;
    records.push([key, isRecord ? v : undefined, v]);
  }
  const rows = records.map(([key, record, v]) => {
    const row = [key, ...columns.map((c) => (record && Object.prototype.hasOwnProperty.call(record, c) ? cell(record[c]) : ""))];
    if (primitives) row.push(record ? "" : cell(v));
    return row;
  });
  return box(["(index)", ...columns, ...(primitives ? ["Values"] : [])], rows);
}

/** Columns of one space either side of the widest cell, drawn with box characters. */
function box(head, rows) {
  const widths = head.map((h, i) => Math.max(textWidth(h), ...rows.map((r) => textWidth(r[i]))));
  const line = (l, m, r) => l + widths.map((w) => "─".repeat(w + 2)).join(m) + r;
  const row = (cells) => `│ ${cells.map((c, i) => c + " ".repeat(widths[i] - textWidth(c))).join(" │ ")} │`;
  return [line("┌", "┬", "┐"), row(head), line("├", "┼", "┤"), ...rows.map(row), line("└", "┴", "┘")].join("\n");
}

/** Columns a terminal gives the text: wide East Asian characters and emoji take two, combining marks none. */
function textWidth(text) {
  let w = 0;
  for (const ch of text) {
    const c = ch.codePointAt(0);
    if ((c >= 0x300 && c <= 0x36f) || c === 0x200d || (c >= 0xfe00 && c <= 0xfe0f)) continue;
    const wide =
      (c >= 0x1100 && c <= 0x115f) || (c >= 0x2e80 && c <= 0xa4cf) || (c >= 0xac00 && c <= 0xd7a3) || (c >= 0xf900 && c <= 0xfaff) ||
      (c >= 0xfe30 && c <= 0xfe4f) || (c >= 0xff00 && c <= 0xff60) || (c >= 0xffe0 && c <= 0xffe6) || (c >= 0x1f300 && c <= 0x1faff) || (c >= 0x20000 && c <= 0x3fffd);
    w += wide ? 2 : 1;
  }
  return w;
}
