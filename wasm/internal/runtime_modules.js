// The runtime's modules kept out of its snapshot (node's streams and what needs them;
// internal/assets/build.ts lists them): each is compiled apart, and the host hands over its
// module function on first use (RUNTIME_MODULE). A run that never needs one never pays for it,
// and every instance starts from a smaller heap.

import { runtimeModuleFunction } from "./host.js";

/** key -> exports: the snapshot's modules that the kept-out ones import, then those loaded. */
const modules = new Map();

/** Make the snapshot's own modules importable by the kept-out ones ("internal/buffer" -> its namespace). */
export function shareModules(table) {
  for (const [key, exports] of Object.entries(table)) modules.set(key, exports);
}

export function runtimeModule(key) {
  let exports = modules.get(key);
  if (exports !== undefined) return exports;
  const module = { exports: {} };
  modules.set(key, module.exports); // a cycle sees the exports so far, as with require()
  try {
    runtimeModuleFunction(key)(module, module.exports, runtimeModule);
  } catch (err) {
    modules.delete(key);
    throw err;
  }
  modules.set(key, module.exports);
  return module.exports;
}
