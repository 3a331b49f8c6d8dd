// The guest/host contract: the one list of host calls the guest may make.
// Imported by the runtime JS (bundled into the guest) and by the host
// (internal/hostcalls). Read wasm/ABI.md for the calling convention.
//
// Bump ABI_VERSION whenever an op changes meaning or an op is removed; adding
// an op is backwards compatible.

export const ABI_VERSION = 1;

export const OP = Object.freeze({
  /** str or bytes: write to the process's stdout. */
  STDOUT: 1,
  /** str or bytes: write to the process's stderr. */
  STDERR: 2,
  /** str: exit code. Never returns: the guest unwinds with an uncatchable error. */
  EXIT: 3,
});

/**
 * The host compiles a CommonJS file as PREFIX + source + SUFFIX (one
 * function, so that the file's variables stay local). The prefix sits on the
 * source's first line: the runtime subtracts its length from line-1 columns.
 */
export const CJS_WRAPPER = Object.freeze(["(function (exports, require, module, __filename, __dirname) { ", "\n})"]);

/** Op code to name, for messages and the audit log. */
export const OP_NAMES = Object.freeze(Object.fromEntries(Object.entries(OP).map(([k, v]) => [v, k])));
