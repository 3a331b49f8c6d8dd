// console, as node prints it: log/info/debug to stdout, error/warn/trace to
// stderr, util.format semantics, groups, counters, timers, table.

// node:util (and node's inspect with it) loads on first use: printing strings needs neither.
const inspect = (...a) => require("./util.js").inspect(...a);
function format(...a) {
  if (a.every((x) => typeof x === "string") && (a.length <= 1 || !a[0].includes("%"))) return a.join(" ");
  return require("./util.js").format(...a);
}

export class Console {
  constructor(stdout, stderr) {
    // Accept node's options-object form too.
    if (stdout && typeof stdout.write !== "function" && stdout.stdout) {
      ({ stdout, stderr } = stdout);
    }
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
        indent += "  ";
      },
      groupEnd: () => {
        indent = indent.slice(0, -2);
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

const tableChars = {
  middleMiddle: "─",
  rowMiddle: "┼",
  topRight: "┐",
  topLeft: "┌",
  leftMiddle: "├",
  topMiddle: "┬",
  bottomRight: "┘",
  bottomLeft: "└",
  bottomMiddle: "┴",
  rightMiddle: "┤",
  left: "│ ",
  right: " │",
  middle: " │ ",
};

function renderRow(row, columnWidths) {
  let out = tableChars.left;
  for (let i = 0; i < row.length; i++) {
    const cell = row[i];
    const len = cell.length;
    const needed = (columnWidths[i] - len) / 2;
    out += " ".repeat(needed) + cell + " ".repeat(Math.ceil(needed));
    if (i !== row.length - 1) out += tableChars.middle;
  }
  out += tableChars.right;
  return out;
}

function table(head, columns) {
  const rows = [];
  const columnWidths = head.map((h) => h.length);
  const longestColumn = Math.max(...columns.map((a) => a.length));
  for (let i = 0; i < head.length; i++) {
    const column = columns[i];
    for (let j = 0; j < longestColumn; j++) {
      if (rows[j] === undefined) rows[j] = [];
      const value = (rows[j][i] = Object.prototype.hasOwnProperty.call(column, j) ? column[j] : "");
      const width = columnWidths[i] || 0;
      columnWidths[i] = Math.max(width, value.length);
    }
  }
  const divider = columnWidths.map((i) => tableChars.middleMiddle.repeat(i + 2));
  let result =
    tableChars.topLeft + divider.join(tableChars.topMiddle) + tableChars.topRight + "\n" +
    renderRow(head, columnWidths) + "\n" +
    tableChars.leftMiddle + divider.join(tableChars.rowMiddle) + tableChars.rightMiddle + "\n";
  for (const row of rows) result += `${renderRow(row, columnWidths)}\n`;
  result += tableChars.bottomLeft + divider.join(tableChars.bottomMiddle) + tableChars.bottomRight;
  return result;
}

function renderTable(tabularData, properties) {
  const _inspect = (v) => {
    const opt = { depth: v !== null && typeof v === "object" && !Array.isArray(v) && Object.keys(v).length > 2 ? -1 : 0, maxArrayLength: 3, breakLength: Infinity };
    return inspect(v, opt);
  };
  const getIndexArray = (length) => Array.from({ length }, (_, i) => _inspect(i));
  const mapIter = tabularData instanceof Map;
  let i = 0;
  const indexKey = "(index)";
  const iterKey = "(iteration index)";
  const keyKey = "Key";
  const valuesKey = "Values";
  if (mapIter) {
    const res = { keys: [], values: [] };
    for (const [k, v] of tabularData) {
      res.keys.push(_inspect(k));
      res.values.push(_inspect(v));
      i++;
    }
    return table([iterKey, keyKey, valuesKey], [getIndexArray(i), res.keys, res.values]);
  }
  if (tabularData instanceof Set) {
    const values = [];
    for (const v of tabularData) values.push(_inspect(v));
    return table([iterKey, valuesKey], [getIndexArray(values.length), values]);
  }
  const map = Object.create(null);
  let hasPrimitives = false;
  const valuesKeyArray = [];
  const indexKeyArray = Object.keys(tabularData);
  for (; i < indexKeyArray.length; i++) {
    const item = tabularData[indexKeyArray[i]];
    const primitive = item === null || (typeof item !== "function" && typeof item !== "object");
    if (properties === undefined && primitive) {
      hasPrimitives = true;
      valuesKeyArray[i] = _inspect(item);
    } else {
      const keys = properties || Object.keys(item);
      for (const key of keys) {
        map[key] ??= [];
        if ((primitive && properties) || !Object.prototype.hasOwnProperty.call(item, key)) map[key][i] = "";
        else map[key][i] = _inspect(item[key]);
      }
    }
  }
  const keys = Object.keys(map);
  const values = Object.values(map);
  if (hasPrimitives) {
    keys.push(valuesKey);
    values.push(valuesKeyArray);
  }
  keys.unshift(indexKey);
  values.unshift(indexKeyArray);
  return table(keys, values);
}

