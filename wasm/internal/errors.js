// Node-style errors: a `code` property and, for system errors, errno/syscall/path.

const errnos = { EACCES: -13, ENOENT: -2, EEXIST: -17, ENOTDIR: -20, EISDIR: -21, EINVAL: -22, EPERM: -1, ENOTEMPTY: -39, EBADF: -9, EMFILE: -24, ELOOP: -40, ENAMETOOLONG: -36, EXDEV: -18 };

/** Build the guest error for a failure the host reported (see wasm/ABI.md). */
export function hostError(info) {
  const { code, message, ...rest } = info;
  const err = new Error(message);
  err.code = code;
  if (code in errnos) err.errno = errnos[code];
  for (const k of Object.keys(rest)) err[k] = rest[k];
  // The stack starts at the guest code that made the call, not in the runtime.
  Error.captureStackTrace?.(err, hostErrorCaller);
  return err;
}
function hostErrorCaller() {}

/** Marks node's own errors (ERR_* codes): their stacks read "TypeError [ERR_X]: message", as node writes them (./stack.js). */
export const kIsNodeError = Symbol("kIsNodeError");

export function markNodeError(err) {
  Object.defineProperty(err, kIsNodeError, { value: true });
  Object.defineProperty(err, "toString", { value: nodeErrorToString, writable: true, configurable: true });
  return err;
}

function nodeErrorToString() {
  return `${this.name} [${this.code}]: ${this.message}`;
}

export class NodeError extends Error {
  constructor(code, message) {
    super(message);
    this.code = code;
    markNodeError(this);
  }
  get name() {
    return "Error";
  }
}

export class ERR_INVALID_ARG_TYPE extends TypeError {
  constructor(name, expected, actual) {
    // node's wording: a dotted name is a property of an argument
    super(`The "${name}" ${name.includes(".") ? "property" : "argument"} must be ${expected}. Received ${describe(actual)}`);
    this.code = "ERR_INVALID_ARG_TYPE";
    markNodeError(this);
  }
}

export class ERR_OUT_OF_RANGE extends RangeError {
  constructor(name, range, value) {
    super(`The value of "${name}" is out of range. It must be ${range}. Received ${value}`);
    this.code = "ERR_OUT_OF_RANGE";
    markNodeError(this);
  }
}

function describe(v) {
  if (v == null) return String(v);
  if (typeof v === "function") return `function ${v.name}`;
  if (typeof v === "object") return v.constructor?.name ? `an instance of ${v.constructor.name}` : "an object";
  let s = typeof v === "string" ? `'${v.length > 28 ? v.slice(0, 25) + "..." : v}'` : String(v);
  return `type ${typeof v} (${s})`;
}

/** The error for an API the sandbox does not offer: it names the API, never pretends. */
export function notSupported(what) {
  const err = new Error(`${what} is not supported in the sandbox`);
  err.code = "ERR_NOT_SUPPORTED_IN_SANDBOX";
  return err;
}
