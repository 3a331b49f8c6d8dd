// node:assert and node:assert/strict. Equality follows util's deepEqual
// (node's rules); messages follow node's wording, without the source text
// node quotes for a failed assert.ok (the sandbox keeps no source to quote).

import { deepEqual, inspect } from "./util.js";
import { ERR_INVALID_ARG_TYPE } from "./errors.js";

const kReadable = { compact: false, sorted: true, customInspect: false, depth: 1000, maxArrayLength: Infinity, breakLength: Infinity };

export class AssertionError extends Error {
  constructor(options) {
    if (options === null || typeof options !== "object") throw new ERR_INVALID_ARG_TYPE("options", "of type object", options);
    const { message, actual, expected, operator, stackStartFn } = options;
    super(message !== undefined ? String(message) : defaultMessage(actual, expected, operator));
    this.generatedMessage = message === undefined;
    this.code = "ERR_ASSERTION";
    this.actual = actual;
    this.expected = expected;
    this.operator = operator;
    Error.captureStackTrace?.(this, stackStartFn);
  }
  get name() {
    return "AssertionError";
  }
  toString() {
    return `${this.name} [${this.code}]: ${this.message}`;
  }
}

const headers = {
  deepStrictEqual: "Expected values to be strictly deep-equal:",
  strictEqual: "Expected values to be strictly equal:",
  deepEqual: "Expected values to be loosely deep-equal:",
  notDeepStrictEqual: 'Expected "actual" not to be strictly deep-equal to:',
  notStrictEqual: 'Expected "actual" to be strictly unequal to:',
  notDeepEqual: 'Expected "actual" not to be loosely deep-equal to:',
  notIdentical: "Values identical but not reference-equal:",
};

function defaultMessage(actual, expected, operator) {
  if (operator === "deepStrictEqual" || operator === "strictEqual") {
    const a = inspect(actual, kReadable).split("\n");
    const e = inspect(expected, kReadable).split("\n");
    if (a.length === 1 && e.length === 1 && a[0] !== e[0] && (typeof actual !== "object" || actual === null)) {
      return `${headers[operator]}\n\n${a[0]} !== ${e[0]}\n`;
    }
    return `${headers[operator]}\n+ actual - expected\n\n${diff(a, e).join("\n")}`;
  }
  if (operator in headers) {
    const a = inspect(actual, kReadable);
    return `${headers[operator]}${a.includes("\n") ? "\n\n" : " "}${a}${a.includes("\n") ? "\n" : ""}`;
  }
  if (operator === "==") return `${inspect(actual)} == ${inspect(expected)}`;
  if (operator === "!=") return `${inspect(actual)} != ${inspect(expected)}`;
  return `${inspect(actual)} ${operator} ${inspect(expected)}`;
}

/** A line diff of two renderings (longest common subsequence), in node's "+ actual - expected" form. */
function diff(a, e) {
  const n = a.length;
  const m = e.length;
  const lcs = Array.from({ length: n + 1 }, () => new Array(m + 1).fill(0));
  for (let i = n - 1; i >= 0; i--) for (let j = m - 1; j >= 0; j--) lcs[i][j] = a[i] === e[j] ? lcs[i + 1][j + 1] + 1 : Math.max(lcs[i + 1][j], lcs[i][j + 1]);
  const out = [];
  let i = 0;
  let j = 0;
  while (i < n || j < m) {
    if (i < n && j < m && a[i] === e[j]) out.push(`  ${a[i++]}`), j++;
    else if (i < n && (j === m || lcs[i + 1][j] >= lcs[i][j + 1])) out.push(`+ ${a[i++]}`);
    else out.push(`- ${e[j++]}`);
  }
  return out;
}

function fail_(actual, expected, message, operator, stackStartFn) {
  if (message instanceof Error) throw message;
  throw new AssertionError({ actual, expected, message, operator, stackStartFn });
}

function innerOk(fn, argLen, value, message) {
  if (value) return;
  let generated = message === undefined;
  if (argLen === 0) message = "No value argument passed to `assert.ok()`";
  else if (generated) message = "The expression evaluated to a falsy value";
  if (message instanceof Error) throw message;
  const err = new AssertionError({ actual: value, expected: true, message, operator: "==", stackStartFn: fn });
  err.generatedMessage = generated;
  throw err;
}

function makeAssert(strict) {
  const assert = function ok(...args) {
    innerOk(ok, args.length, ...args);
  };
  assert.ok = function ok(...args) {
    innerOk(ok, args.length, ...args);
  };
  assert.fail = function fail(message = "Failed") {
    if (message instanceof Error) throw message;
    throw new AssertionError({ message, operator: "fail", stackStartFn: fail });
  };
  assert.strictEqual = function strictEqual(actual, expected, message) {
    if (!Object.is(actual, expected)) fail_(actual, expected, message, "strictEqual", strictEqual);
  };
  assert.notStrictEqual = function notStrictEqual(actual, expected, message) {
    if (Object.is(actual, expected)) fail_(actual, expected, message, "notStrictEqual", notStrictEqual);
  };
  assert.deepStrictEqual = function deepStrictEqual(actual, expected, message) {
    if (!deepEqual(actual, expected, true, new Map())) fail_(actual, expected, message, "deepStrictEqual", deepStrictEqual);
  };
  assert.notDeepStrictEqual = function notDeepStrictEqual(actual, expected, message) {
    if (deepEqual(actual, expected, true, new Map())) fail_(actual, expected, message, "notDeepStrictEqual", notDeepStrictEqual);
  };
  assert.equal = strict
    ? assert.strictEqual
    : function equal(actual, expected, message) {
        if (!(actual == expected || (Number.isNaN(actual) && Number.isNaN(expected)))) fail_(actual, expected, message, "==", equal);
      };
  assert.notEqual = strict
    ? assert.notStrictEqual
    : function notEqual(actual, expected, message) {
        if (actual == expected || (Number.isNaN(actual) && Number.isNaN(expected))) fail_(actual, expected, message, "!=", notEqual);
      };
  assert.deepEqual = strict
    ? assert.deepStrictEqual
    : function deepEqual_(actual, expected, message) {
        if (!deepEqual(actual, expected, false, new Map())) fail_(actual, expected, message, "deepEqual", deepEqual_);
      };
  assert.notDeepEqual = strict
    ? assert.notDeepStrictEqual
    : function notDeepEqual(actual, expected, message) {
        if (deepEqual(actual, expected, false, new Map())) fail_(actual, expected, message, "notDeepEqual", notDeepEqual);
      };
  assert.throws = function throws(fn, expected, message) {
    if (typeof fn !== "function") throw new ERR_INVALID_ARG_TYPE("fn", "of type function", fn);
    let threw = false;
    let error;
    try {
      fn();
    } catch (e) {
      threw = true;
      error = e;
    }
    checkThrown(threw, error, expected, message, throws);
  };
  assert.rejects = async function rejects(promiseFn, expected, message) {
    let threw = false;
    let error;
    try {
      await (typeof promiseFn === "function" ? promiseFn() : promiseFn);
    } catch (e) {
      threw = true;
      error = e;
    }
    checkThrown(threw, error, expected, message, rejects);
  };
  assert.doesNotThrow = function doesNotThrow(fn, expected, message) {
    try {
      fn();
    } catch (e) {
      if (typeof expected === "string") message = expected;
      fail_(e, expected, message ?? `Got unwanted exception.\nActual message: "${e?.message}"`, "doesNotThrow", doesNotThrow);
    }
  };
  assert.doesNotReject = async function doesNotReject(promiseFn, expected, message) {
    try {
      await (typeof promiseFn === "function" ? promiseFn() : promiseFn);
    } catch (e) {
      if (typeof expected === "string") message = expected;
      fail_(e, expected, message ?? `Got unwanted rejection.\nActual message: "${e?.message}"`, "doesNotReject", doesNotReject);
    }
  };
  assert.ifError = function ifError(value) {
    if (value === null || value === undefined) return;
    let message = "ifError got unwanted exception: ";
    message += typeof value === "object" && typeof value.message === "string" ? value.message || value.constructor.name : inspect(value);
    throw new AssertionError({ actual: value, expected: null, operator: "ifError", message, stackStartFn: ifError });
  };
  assert.match = function match(string, regexp, message) {
    if (!(regexp instanceof RegExp)) throw new ERR_INVALID_ARG_TYPE("regexp", "an instance of RegExp", regexp);
    if (typeof string !== "string" || !regexp.test(string)) {
      message ??= typeof string !== "string" ? `The "string" argument must be of type string. Received type ${typeof string} (${inspect(string)})` : `The input did not match the regular expression ${inspect(regexp)}. Input:\n\n${inspect(string)}\n`;
      fail_(string, regexp, message, "match", match);
    }
  };
  assert.doesNotMatch = function doesNotMatch(string, regexp, message) {
    if (!(regexp instanceof RegExp)) throw new ERR_INVALID_ARG_TYPE("regexp", "an instance of RegExp", regexp);
    if (typeof string !== "string" || regexp.test(string)) {
      message ??= `The input was expected to not match the regular expression ${inspect(regexp)}. Input:\n\n${inspect(string)}\n`;
      fail_(string, regexp, message, "doesNotMatch", doesNotMatch);
    }
  };
  assert.AssertionError = AssertionError;
  return assert;
}

function checkThrown(threw, error, expected, message, fn) {
  if (typeof expected === "string") {
    message = expected;
    expected = undefined;
  }
  if (!threw) {
    const name = expected?.name ? ` (${expected.name})` : "";
    const what = fn.name === "rejects" ? "rejection" : "exception";
    fail_(undefined, expected, message ?? `Missing expected ${what}${name}.`, fn.name, fn);
  }
  if (expected === undefined) return;
  if (typeof expected === "function") {
    if (expected.prototype !== undefined && error instanceof expected) return;
    if (Error.isPrototypeOf(expected) || expected === Error) throw error;
    if (expected.call({}, error) === true) return;
    fail_(error, expected, message ?? `The "validate" function is expected to return "true". Received false`, fn.name, fn);
  }
  if (expected instanceof RegExp) {
    if (expected.test(String(error))) return;
    fail_(error, expected, message ?? `The input did not match the regular expression ${inspect(expected)}. Input:\n\n${inspect(String(error))}\n`, fn.name, fn);
  }
  if (typeof expected === "object" && expected !== null) {
    for (const key of Object.keys(expected)) {
      const want = expected[key];
      const got = error?.[key];
      const ok = want instanceof RegExp && typeof got === "string" ? want.test(got) : deepEqual(got, want, true, new Map());
      if (!ok) fail_(error, expected, message, "deepStrictEqual", fn);
    }
  }
}

export const assert = makeAssert(false);
export const strict = makeAssert(true);
assert.strict = strict;
strict.strict = strict;
