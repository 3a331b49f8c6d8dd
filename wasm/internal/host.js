// The runtime's one door to the host. `__edgebox_host` is installed by the
// host before the runtime runs; we keep it here and remove it from the global
// object so that app code cannot reach it by name. (App code that found it
// could still only ask: the host checks every call against the policy.)

import { OP, OP_NAMES } from "../abi.js";
import { hostError } from "./errors.js";

const hostFn = globalThis.__edgebox_host;
delete globalThis.__edgebox_host;

// Before start() binds a run, the guest is being pre-initialised at build time
// (edgebox build pre-runs an app's top level): anything that belongs to a run
// stops the pre-run, so that no build-time value is ever captured.
let bound = false;

export function bindRun() {
  bound = true;
}

/** Call before reading anything a run provides (argv, env, cwd, randomness). */
export function needsRun(what) {
  if (!bound) hostFn(OP.PRERUN_STOP, JSON.stringify({ what, stack: new Error().stack }));
}

/**
 * Call the host: op code from wasm/abi.js, an optional string and optional
 * bytes. Returns undefined, a number, a string or a Uint8Array; throws the
 * Node-style error the host reported.
 */
export function host(op, str, bytes) {
  return answer(ask(op, str, bytes));
}

/** The host's reply as it comes, an error it reported not yet built (for callers that only look at its code: isHostError, errorCode). */
export function ask(op, str, bytes) {
  if (!bound) needsRun(OP_NAMES[op]);
  return hostFn(op, str, bytes);
}

/** A Node-style error the host reported: a string starting with NUL, then JSON. */
export const isHostError = (r) => typeof r === "string" && r.charCodeAt(0) === 0;

/** The code of an error the host reported (isHostError). */
export const errorCode = (r) => JSON.parse(r.slice(1)).code;

/** The host's reply, or the error it reported. */
export function answer(r) {
  if (isHostError(r)) throw hostError(JSON.parse(r.slice(1)));
  return r;
}

/**
 * Load an Intl chunk ("": none) and answer the run's time zone. `preparing`: edgebox build's
 * pre-run asks after the top level (runtime.js warmIntl), unbound; during the top level it stops.
 */
export function intlLoad(chunk, preparing = false) {
  return answer(preparing ? hostFn(OP.INTL_LOAD, chunk) : ask(OP.INTL_LOAD, chunk));
}

/** The module function of one of the runtime's modules kept out of its snapshot: it is nothing of a run, so a pre-run may ask for it too. */
export function runtimeModuleFunction(key) {
  return answer(hostFn(OP.RUNTIME_MODULE, key));
}

/** A promise's state (-1 not a promise, 0 pending, 1 fulfilled, 2 rejected), or with `result` its value or reason: the engine's answer, for util.inspect. */
export function promiseDetail(value, result) {
  return hostFn(result ? OP.PROMISE_RESULT : OP.PROMISE_STATE, value);
}
