// console, as node prints it: log/info/debug to stdout, error/warn/trace to
// stderr, util.format semantics, groups, counters, timers, table.

import { markNodeError } from "./errors.js";
import { format, inspect } from "./util.js";

function notWritable(name) {
  const err = new TypeError(`Console expects a writable stream instance for ${name}`);
  err.code = "ERR_CONSOLE_WRITABLE_STREAM";
  return markNodeError(err);
}

/** node:console's Console: new Console(stdout, stderr) or new Console({ stdout, stderr, groupIndentation }); callable without new, as node's is. */
export function Console(stdout, stderr) {
  if (!new.target) return new Console(...arguments);
  let step = 2;
  // node's options-object form
  if (stdout !== null && typeof stdout === "object" && typeof stdout.write !== "function") {
    const options = stdout;
    ({ stdout, stderr } = options);
    const g = options.groupIndentation;
    if (g !== undefined) step = Math.max(0, Math.min(1000, Math.trunc(Number(g)) || 0));
  }
  if (typeof stdout?.write !== "function") throw notWritable("stdout");
  if (stderr !== undefined && typeof stderr?.write !== "function") throw notWritable("stderr");
  const out = stdout;
  const err = stderr || stdout;
  let indent = "";
  const counts = new Map();
  const timers = new Map();
  const write = (stream, text) => {
    if (indent !== "") text = indent + text.replaceAll("\n", "\n" + indent);
    stream.write(text + "\n");
  };
  const self = this;
  const methods = {
    log: (...a) => write(out, format(...a)),
    info: (...a) => write(out, format(...a)),
    debug: (...a) => write(out, format(...a)),
    error: (...a) => write(err, format(...a)),
    warn: (...a) => write(err, format(...a)),
    dir: (obj, options) => write(out, inspect(obj, { customInspect: false, ...options })),
    dirxml: (...a) => write(out, format(...a)),
    trace: (...a) => {
      const e = new Error(format(...a));
      e.name = "Trace";
      const stack = e.stack.split("\n");
      stack.splice(1, 1); // drop this frame
      write(err, stack.join("\n"));
    },
    assert: (ok, ...a) => {
      if (!ok) {
        if (typeof a[0] === "string") a[0] = `Assertion failed: ${a[0]}`;
        else a.unshift("Assertion failed");
        write(err, format(...a));
      }
    },
    count: (label = "default") => {
      label = `${label}`;
      const n = (counts.get(label) || 0) + 1;
      counts.set(label, n);
      write(out, `${label}: ${n}`);
    },
    countReset: (label = "default") => {
      label = `${label}`;
      if (!counts.has(label)) return process.emitWarning?.(`Count for '${label}' does not exist`);
      counts.set(label, 0);
    },
    group: (...a) => {
      if (a.length > 0) methods.log(...a);
      indent += " ".repeat(step);
    },
    groupEnd: () => {
      indent = indent.slice(0, indent.length - step);
    },
    time: (label = "default") => {
      label = `${label}`;
      if (timers.has(label)) return process.emitWarning?.(`Label '${label}' already exists for console.time()`);
      timers.set(label, performance.now());
    },
    timeEnd: (label = "default") => {
      label = `${label}`;
      if (!timers.has(label)) return process.emitWarning?.(`No such label '${label}' for console.timeEnd()`);
      write(out, `${label}: ${formatTime(performance.now() - timers.get(label))}`);
      timers.delete(label);
    },
    timeLog: (label = "default", ...data) => {
      label = `${label}`;
      if (!timers.has(label)) return process.emitWarning?.(`No such label '${label}' for console.timeLog()`);
      write(out, [`${label}: ${formatTime(performance.now() - timers.get(label))}`, ...data.map((d) => inspect(d))].join(" "));
    },
    table: (data, properties) => {
      if (data === null || typeof data !== "object") return methods.log(data);
      write(out, renderTable(data, properties));
    },
  };
  methods.groupCollapsed = methods.group;
  for (const [k, v] of Object.entries(methods)) {
    Object.defineProperty(self, k, { value: v, writable: true, enumerable: true, configurable: true });
  }
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
