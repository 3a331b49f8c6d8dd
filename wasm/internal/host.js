// The runtime's one door to the host. `__edgebox_host` is installed by the
// host before the runtime runs; we keep it here and remove it from the global
// object so that app code cannot reach it by name. (App code that found it
// could still only ask: the host checks every call against the policy.)

import { hostError } from "./errors.js";

const hostFn = globalThis.__edgebox_host;
delete globalThis.__edgebox_host;

/**
 * Call the host: op code from wasm/abi.js, an optional string and optional
 * bytes. Returns undefined, a number, a string or a Uint8Array; throws the
 * Node-style error the host reported.
 */
export function host(op, str, bytes) {
  const r = hostFn(op, str, bytes);
  if (typeof r === "string" && r.charCodeAt(0) === 0) throw hostError(JSON.parse(r.slice(1)));
  return r;
}
