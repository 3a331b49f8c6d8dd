// Timers and immediates. They live in the guest; the host's event loop asks
// `tick()` to run one due callback at a time (draining microtasks between
// them, as node does) and sleeps until the next deadline.

import { ERR_INVALID_ARG_TYPE } from "./errors.js";

const TIMEOUT_MAX = 2 ** 31 - 1;
let nextId = 1;
let seq = 0;
const heap = []; // min-heap of {timer, when, seq}; an entry is stale once its timer is rescheduled or cleared
const active = new Map(); // id -> Timeout
let refs = 0; // ref'd active timers + ref'd queued immediates
const immediates = [];

function less(a, b) {
  return a.when < b.when || (a.when === b.when && a.seq < b.seq);
}

function push(t) {
  heap.push(t);
  let i = heap.length - 1;
  while (i > 0) {
    const p = (i - 1) >> 1;
    if (!less(heap[i], heap[p])) break;
    [heap[i], heap[p]] = [heap[p], heap[i]];
    i = p;
  }
}

function pop() {
  const top = heap[0];
  const last = heap.pop();
  if (heap.length > 0) {
    heap[0] = last;
    let i = 0;
    for (;;) {
      const l = 2 * i + 1;
      const r = l + 1;
      let m = i;
      if (l < heap.length && less(heap[l], heap[m])) m = l;
      if (r < heap.length && less(heap[r], heap[m])) m = r;
      if (m === i) break;
      [heap[i], heap[m]] = [heap[m], heap[i]];
      i = m;
    }
  }
  return top;
}

function now() {
  return performance.now();
}

function delayOf(ms) {
  ms = Number(ms);
  if (!(ms >= 1 && ms <= TIMEOUT_MAX)) return 1;
  return ms;
}

export class Timeout {
  constructor(callback, delay, args, repeat) {
    this._id = nextId++;
    this._onTimeout = callback;
    this._idleTimeout = delay;
    this._repeat = repeat ? delay : null;
    this._args = args;
    this._ref = true;
    this._destroyed = false;
    this.schedule();
    refs++;
  }

  schedule() {
    this.seq = seq++;
    active.set(this._id, this);
    push({ timer: this, when: now() + this._idleTimeout, seq: this.seq });
  }

  ref() {
    if (!this._ref && !this._destroyed) refs++;
    this._ref = true;
    return this;
  }

  unref() {
    if (this._ref && !this._destroyed) refs--;
    this._ref = false;
    return this;
  }

  hasRef() {
    return this._ref;
  }

  refresh() {
    if (!this._destroyed) {
      this.schedule();
    }
    return this;
  }

  close() {
    clear(this);
    return this;
  }

  [Symbol.toPrimitive]() {
    return this._id;
  }
}

function clear(t) {
  if (t._destroyed) return;
  t._destroyed = true;
  active.delete(t._id);
  if (t._ref) refs--;
}

function checkCallback(cb) {
  if (typeof cb !== "function") throw new ERR_INVALID_ARG_TYPE("callback", "of type function", cb);
}

export function setTimeout(callback, delay, ...args) {
  checkCallback(callback);
  return new Timeout(callback, delayOf(delay), args, false);
}

export function setInterval(callback, delay, ...args) {
  checkCallback(callback);
  return new Timeout(callback, delayOf(delay), args, true);
}

function clearTimer(t) {
  if (t == null) return;
  if (typeof t === "number" || typeof t === "string") t = active.get(Number(t));
  if (t instanceof Timeout) clear(t);
}
export { clearTimer as clearTimeout, clearTimer as clearInterval };

export class Immediate {
  constructor(callback, args) {
    this._onImmediate = callback;
    this._argv = args;
    this._ref = true;
    this._destroyed = false;
    refs++;
  }
  ref() {
    if (!this._ref && !this._destroyed) refs++;
    this._ref = true;
    return this;
  }
  unref() {
    if (this._ref && !this._destroyed) refs--;
    this._ref = false;
    return this;
  }
  hasRef() {
    return this._ref;
  }
}

export function setImmediate(callback, ...args) {
  checkCallback(callback);
  const im = new Immediate(callback, args);
  immediates.push(im);
  return im;
}

export function clearImmediate(im) {
  if (!(im instanceof Immediate) || im._destroyed) return;
  im._destroyed = true;
  if (im._ref) refs--;
}

/**
 * Run at most one due callback. Returns 0 when one ran (call again after the
 * microtasks), else the milliseconds until the next timer is due, or -1 when
 * no ref'd timer or immediate keeps the process alive.
 */
export function tick() {
  while (heap.length > 0 && (heap[0].timer._destroyed || heap[0].timer.seq !== heap[0].seq)) pop();
  const e = heap[0];
  if (e !== undefined && e.when <= now()) {
    pop();
    runTimer(e.timer);
    return 0;
  }
  while (immediates.length > 0) {
    const im = immediates.shift();
    if (im._destroyed) continue;
    im._destroyed = true;
    if (im._ref) refs--;
    im._onImmediate(...im._argv);
    return 0;
  }
  if (refs <= 0 || e === undefined) return -1;
  return Math.max(1, Math.ceil(e.when - now()));
}

function runTimer(t) {
  if (t._destroyed) return;
  if (t._repeat !== null) {
    t.schedule();
  } else {
    clear(t);
  }
  t._onTimeout(...t._args);
}
