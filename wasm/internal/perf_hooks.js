// node:perf_hooks and the User Timing half of the `performance` global:
// marks, measures and observers of them. Event-loop and GC monitoring have
// nothing to observe in the sandbox and say so.

import { performance } from "./clock.js";
import { notSupported } from "./errors.js";
import { setImmediate } from "./timers.js";

const entries = [];
const observers = new Set();

class PerformanceEntry {
  constructor(name, entryType, startTime, duration, detail) {
    this.name = name;
    this.entryType = entryType;
    this.startTime = startTime;
    this.duration = duration;
    this.detail = detail ?? null;
  }
  toJSON() {
    return { name: this.name, entryType: this.entryType, startTime: this.startTime, duration: this.duration, detail: this.detail };
  }
}
export class PerformanceMark extends PerformanceEntry {}
export class PerformanceMeasure extends PerformanceEntry {}

function record(entry) {
  entries.push(entry);
  for (const o of observers) o._add(entry);
  return entry;
}

function timeOf(mark, fallback) {
  if (mark === undefined) return fallback;
  if (typeof mark === "number") return mark;
  const e = entries.findLast((x) => x.entryType === "mark" && x.name === mark);
  if (!e) {
    const err = new SyntaxError(`The "${mark}" performance mark has not been set`);
    err.code = "ERR_INVALID_PERFORMANCE_MARK";
    throw err;
  }
  return e.startTime;
}

Object.assign(performance, {
  mark(name, options) {
    return record(new PerformanceMark(String(name), "mark", options?.startTime ?? performance.now(), 0, options?.detail));
  },
  measure(name, startOrOptions, endMark) {
    let start;
    let end;
    let detail;
    if (startOrOptions !== null && typeof startOrOptions === "object") {
      start = timeOf(startOrOptions.start, 0);
      end = startOrOptions.duration !== undefined ? start + startOrOptions.duration : timeOf(startOrOptions.end, performance.now());
      detail = startOrOptions.detail;
    } else {
      start = timeOf(startOrOptions, 0);
      end = timeOf(endMark, performance.now());
    }
    return record(new PerformanceMeasure(String(name), "measure", start, end - start, detail));
  },
  getEntries() {
    return entries.slice();
  },
  getEntriesByName(name, type) {
    return entries.filter((e) => e.name === name && (type === undefined || e.entryType === type));
  },
  getEntriesByType(type) {
    return entries.filter((e) => e.entryType === type);
  },
  clearMarks(name) {
    remove("mark", name);
  },
  clearMeasures(name) {
    remove("measure", name);
  },
  timerify(fn) {
    return function timerified(...args) {
      const start = performance.now();
      try {
        return new.target ? Reflect.construct(fn, args, new.target) : fn.apply(this, args);
      } finally {
        record(new PerformanceEntry(fn.name, "function", start, performance.now() - start));
      }
    };
  },
});

function remove(type, name) {
  for (let i = entries.length - 1; i >= 0; i--) {
    if (entries[i].entryType === type && (name === undefined || entries[i].name === name)) entries.splice(i, 1);
  }
}

export class PerformanceObserver {
  static supportedEntryTypes = ["function", "mark", "measure"];

  constructor(callback) {
    this._callback = callback;
    this._types = new Set();
    this._buffer = [];
    this._scheduled = false;
  }
  observe(options = {}) {
    for (const t of options.entryTypes ?? [options.type]) this._types.add(t);
    observers.add(this);
    if (options.buffered) for (const e of entries) this._add(e);
  }
  disconnect() {
    observers.delete(this);
    this._buffer = [];
  }
  takeRecords() {
    return this._buffer.splice(0);
  }
  _add(entry) {
    if (!this._types.has(entry.entryType)) return;
    this._buffer.push(entry);
    if (this._scheduled) return;
    this._scheduled = true;
    // node delivers observed entries from an immediate, not a microtask
    setImmediate(() => {
      this._scheduled = false;
      const list = this._buffer.splice(0);
      if (list.length === 0) return;
      this._callback(
        {
          getEntries: () => list.slice(),
          getEntriesByName: (n, t) => list.filter((e) => e.name === n && (t === undefined || e.entryType === t)),
          getEntriesByType: (t) => list.filter((e) => e.entryType === t),
        },
        this,
      );
    });
  }
}

export { performance, PerformanceEntry };

export const constants = {
  NODE_PERFORMANCE_GC_MAJOR: 4,
  NODE_PERFORMANCE_GC_MINOR: 1,
  NODE_PERFORMANCE_GC_INCREMENTAL: 8,
  NODE_PERFORMANCE_GC_WEAKCB: 16,
  NODE_PERFORMANCE_GC_FLAGS_NO: 0,
  NODE_PERFORMANCE_GC_FLAGS_FORCED: 4,
};

export function monitorEventLoopDelay() {
  throw notSupported("perf_hooks.monitorEventLoopDelay");
}

export function createHistogram() {
  throw notSupported("perf_hooks.createHistogram");
}
