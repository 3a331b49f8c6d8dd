// node:timers/promises.

import { setTimeout as st, setImmediate as si, setInterval as sv, clearTimeout, clearInterval, clearImmediate } from "./timers.js";

function abortError(signal) {
  const err = new Error("The operation was aborted");
  err.name = "AbortError";
  err.code = "ABORT_ERR";
  err.cause = signal?.reason;
  return err;
}

export function setTimeout(delay, value, options = {}) {
  return new Promise((resolve, reject) => {
    const signal = options.signal;
    if (signal?.aborted) return reject(abortError(signal));
    const t = st(() => resolve(value), delay);
    if (options.ref === false) t.unref();
    signal?.addEventListener("abort", () => (clearTimeout(t), reject(abortError(signal))), { once: true });
  });
}

export function setImmediate(value, options = {}) {
  return new Promise((resolve, reject) => {
    const signal = options.signal;
    if (signal?.aborted) return reject(abortError(signal));
    const i = si(() => resolve(value));
    signal?.addEventListener("abort", () => (clearImmediate(i), reject(abortError(signal))), { once: true });
  });
}

export async function* setInterval(delay, value, options = {}) {
  const signal = options.signal;
  let pending = 0;
  let wake = null;
  const t = sv(() => {
    pending++;
    wake?.();
  }, delay);
  if (options.ref === false) t.unref();
  try {
    for (;;) {
      if (signal?.aborted) throw abortError(signal);
      if (pending === 0) await new Promise((r) => (wake = r));
      wake = null;
      if (signal?.aborted) throw abortError(signal);
      pending--;
      yield value;
    }
  } finally {
    clearInterval(t);
  }
}

export const scheduler = {
  wait: (delay, options) => setTimeout(delay, undefined, options),
  yield: () => setImmediate(),
};
