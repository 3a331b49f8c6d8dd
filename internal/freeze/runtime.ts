// The helpers frozen code calls, written as instruction lists: JS's ToInt32
// and Number::exponentiate and Math.sign, where no single wasm instruction
// has JS's semantics.

import { numberOf, PLAIN } from "./arrays.ts";
import type { Func, Instr } from "./encode.ts";

/** The module's global that says why a frozen call unwinds (i32: 0 it did not, 1 out of depth, BAIL in analyze.ts, THROWN, DEOPT). */
export const OVERFLOW = "overflow";
/**
 * The start of the module's static data, at fixed offsets from the imported __memory_base
 * (a global set at init would not survive the build's snapshot, which keeps memory but
 * not wasm globals): DataView's methods as they were before the app ran (JSValues the
 * module keeps), the arguments of one call into the engine, and where a compiled loop
 * leaves its variables' final values (f64 each).
 */
export const STATIC = { dataView: 0, callArgs: 128, outputs: 152 } as const;

/** DataView's methods frozen code calls (each returns a number or undefined), in STATIC.dataView's order. */
export const DATAVIEW_METHODS = ["getInt8", "getUint8", "getInt16", "getUint16", "getInt32", "getUint32", "getFloat32", "getFloat64", "setInt8", "setUint8", "setInt16", "setUint16", "setInt32", "setUint32", "setFloat32", "setFloat64"];

/** OVERFLOW's value when the engine threw (a DataView call): unwind, the exception is pending in the context. */
export const THROWN = 3;
/** OVERFLOW's value when compiled code met what only the interpreter does exactly (an element or a property it does not handle): the call runs as JS instead. */
export const DEOPT = 4;

/** QuickJS's JSValue tags (the high 32 bits of a JSValue) that frozen code tests or makes. */
export const TAG = { object: -1, bool: 1, null: 2, undefined: 3, exception: 6 } as const;
/** Replaces the i64 JSValue on the stack with its tag (i32). */
export const TAG_OF: Instr[] = [{ op: "i64.const", value: 32 }, { op: "i64.shr_u" }, { op: "i32.wrap_i64" }];

export const HELPER = { toInt32: "fz_toInt32", pow: "fz_pow", sign: "fz_sign", isInt32: "fz_isInt32", mod: "fz_mod" } as const;

const get = (local: number): Instr => ({ op: "local.get", local });
const f64 = (value: number): Instr => ({ op: "f64.const", value });
const TWO_32 = 4294967296;

/** Leaves 1 when the f64 parameter lies in [-2^31, 2^31-1] (NaN: 0). */
const inInt32Range: Instr[] = [get(0), f64(-2147483648), { op: "f64.ge" }, get(0), f64(2147483647), { op: "f64.le" }, { op: "i32.and" }];

/** ToInt32 (ECMA-262 7.1.6): f64 -> i32. */
const toInt32: Func = {
  name: HELPER.toInt32,
  params: ["f64"],
  results: ["i32"],
  locals: [],
  body: [
    // below 2^63 in magnitude: the low 32 bits of the truncated i64 (which cannot trap there)
    get(0), { op: "f64.abs" }, f64(2 ** 63), { op: "f64.lt" },
    { op: "if", result: "i32" },
    get(0), { op: "i64.trunc_f64_s" }, { op: "i32.wrap_i64" },
    { op: "else" },
    // NaN and ±Infinity give 0 (x - x is 0 only for finite x)
    get(0), get(0), { op: "f64.sub" }, f64(0), { op: "f64.eq" },
    { op: "if", result: "i32" },
    // t = trunc(x); t modulo 2^32 into [0, 2^32) is exact in f64 (t / 2^32 only scales, the
    // difference is an integer below 2^32), then its low 32 bits
    get(0), { op: "f64.trunc" }, { op: "local.tee", local: 0 },
    get(0), f64(TWO_32), { op: "f64.div" }, { op: "f64.floor" }, f64(TWO_32), { op: "f64.mul" }, { op: "f64.sub" },
    { op: "i64.trunc_f64_s" }, { op: "i32.wrap_i64" },
    { op: "else" },
    { op: "i32.const", value: 0 },
    { op: "end" },
    { op: "end" },
  ],
};

/** x ** y: C's pow, except where JS differs (y NaN; |x| = 1 with y infinite). */
const pow: Func = {
  name: HELPER.pow,
  params: ["f64", "f64"],
  results: ["f64"],
  locals: [],
  body: [
    get(1), get(1), { op: "f64.ne" },
    get(0), { op: "f64.abs" }, f64(1), { op: "f64.eq" }, get(1), { op: "f64.abs" }, f64(Infinity), { op: "f64.eq" }, { op: "i32.and" },
    { op: "i32.or" },
    { op: "if", result: "f64" },
    f64(NaN),
    { op: "else" },
    get(0), get(1), { op: "call", func: "pow" },
    { op: "end" },
  ],
};

/**
 * x % y: integers below 2^32 in magnitude (y not 0) through an unsigned remainder of their
 * magnitudes with x's sign (JS's result takes the dividend's sign, -0 included; the
 * divisor's does not count); anything else through C's fmod, which is JS's % there.
 */
const mod: Func = {
  name: HELPER.mod,
  params: ["f64", "f64"],
  results: ["f64"],
  locals: [],
  body: [
    get(0), { op: "f64.abs" }, f64(TWO_32), { op: "f64.lt" },
    get(1), { op: "f64.abs" }, f64(1), { op: "f64.ge" }, { op: "i32.and" },
    get(1), { op: "f64.abs" }, f64(TWO_32), { op: "f64.lt" }, { op: "i32.and" },
    get(0), { op: "f64.trunc" }, get(0), { op: "f64.eq" }, { op: "i32.and" },
    get(1), { op: "f64.trunc" }, get(1), { op: "f64.eq" }, { op: "i32.and" },
    { op: "if", result: "f64" },
    get(0), { op: "f64.abs" }, { op: "i32.trunc_f64_u" }, get(1), { op: "f64.abs" }, { op: "i32.trunc_f64_u" }, { op: "i32.rem_u" }, { op: "f64.convert_i32_u" }, get(0), { op: "f64.copysign" },
    { op: "else" },
    get(0), get(1), { op: "call", func: "fmod" },
    { op: "end" },
  ],
};

/** Math.sign: 1, -1, or x itself (±0, NaN). */
const sign: Func = {
  name: HELPER.sign,
  params: ["f64"],
  results: ["f64"],
  locals: [],
  // select (a, b, c) is c ? a : b. Inner: x < 0 ? -1 : 1; outer: (x > 0 || x < 0) ? inner : x.
  body: [
    f64(-1), f64(1), get(0), f64(0), { op: "f64.lt" }, { op: "select" },
    get(0), get(0), f64(0), { op: "f64.gt" }, get(0), f64(0), { op: "f64.lt" }, { op: "i32.or" }, { op: "select" },
  ],
};

/** Is this f64 an int32 (and not -0)? Then the int32 variant may take it. */
const isInt32: Func = {
  name: HELPER.isInt32,
  params: ["f64"],
  results: ["i32"],
  locals: [],
  body: [
    ...inInt32Range,
    { op: "if", result: "i32" },
    // integral, and +0 rather than -0
    get(0), { op: "i32.trunc_f64_s" }, { op: "f64.convert_i32_s" }, get(0), { op: "f64.eq" },
    get(0), f64(0), { op: "f64.ne" }, f64(1), get(0), { op: "f64.copysign" }, f64(0), { op: "f64.gt" }, { op: "i32.or" },
    { op: "i32.and" },
    { op: "else" },
    { op: "i32.const", value: 0 },
    { op: "end" },
  ],
};

// Typed arrays. Frozen code holds one as three i32s: the address of its first element in
// the guest's memory, its length in elements, and its kind (QuickJS's JSTypedArrayEnum:
// Uint8Clamped 0, Int8 1, Uint8 2, Int16 3, Uint16 4, Int32 5, Uint32 6, Float32 10,
// Float64 11; the wrapper lets no other kind in). Frozen code runs no JS, so the three
// stay valid for the whole call (nothing can detach or resize the buffer meanwhile).

/** The kinds frozen code takes, with log2 of their element size. */
export const ARRAY_KINDS: Record<number, number> = { 0: 0, 1: 0, 2: 0, 3: 1, 4: 1, 5: 2, 6: 2, 10: 2, 11: 3 };

/**
 * JS_GetTypedArrayType of the JSValue on the stack into `kind`; leaves 1 when it is none of
 * the kinds frozen code reads (0-6 and 10-11: not the BigInt ones, not Float16; -1, no typed array).
 */
export const otherKind = (kind: number): Instr[] => [
  { op: "call", func: "JS_GetTypedArrayType" }, { op: "local.tee", local: kind }, { op: "i32.const", value: 6 }, { op: "i32.gt_u" },
  get(kind), { op: "i32.const", value: 10 }, { op: "i32.lt_u" }, get(kind), { op: "i32.const", value: 11 }, { op: "i32.gt_u" }, { op: "i32.or" }, { op: "i32.and" },
];
/** emit.ts's fz_buffer(a i64) -> (ptr, len, gone): a typed array's elements in memory. */
export const BUFFER_HELPER = "fz_buffer";

/** Leaves the element index (an i32 in local `k`) when `idx` (f64) is an integer in [0, len), else runs `out`. */
const index = (idx: number, len: number, k: number, out: Instr[]): Instr[] => [
  // -0 is index 0 (ToPropertyKey(-0) is "0"); NaN fails the comparisons
  get(idx), f64(0), { op: "f64.ge" }, get(idx), get(len), { op: "f64.convert_i32_u" }, { op: "f64.lt" }, { op: "i32.and" }, { op: "i32.eqz" },
  { op: "if" }, ...out, { op: "end" },
  get(idx), { op: "i32.trunc_f64_u" }, { op: "local.tee", local: k }, { op: "f64.convert_i32_u" }, get(idx), { op: "f64.ne" },
  { op: "if" }, ...out, { op: "end" },
];
/**
 * An element index already an i32 (a loop counter, or an index that is exactly an i32): only the
 * unsigned bound to check (a negative one, or a uint32 past 2^31, is past the end as in JS), else
 * `out`; none when a counting loop's test was that bound (`inBounds`).
 */
export interface Counter {
  counter: number;
  inBounds?: boolean;
}
const counterIndex = (at: Counter, len: number, out: Instr[]): Instr[] => (at.inBounds ? [] : [get(at.counter), get(len), { op: "i32.ge_u" }, { op: "if" }, ...out, { op: "end" }]);
const address = (ptr: number, k: number, log2: number): Instr[] =>
  log2 ? [get(ptr), get(k), { op: "i32.const", value: log2 }, { op: "i32.shl" }, { op: "i32.add" }] : [get(ptr), get(k), { op: "i32.add" }];

/** i32 1 when the index `idx` (as loadInline takes it) is inside the array of length local `len`, else 0 (where JS reads undefined). */
export function inBounds(idx: number | Counter, len: number): Instr[] {
  if (typeof idx !== "number") return idx.inBounds ? [{ op: "i32.const", value: 1 }] : [get(idx.counter), get(len), { op: "i32.lt_u" }];
  return [
    get(idx), f64(0), { op: "f64.ge" }, get(idx), get(len), { op: "f64.convert_i32_u" }, { op: "f64.lt" }, { op: "i32.and" },
    get(idx), { op: "f64.trunc" }, get(idx), { op: "f64.eq" }, { op: "i32.and" },
  ];
}

/**
 * a[idx] -> f64, inline (a call per element cost SHA-256's compiled loop ~20% of its time):
 * locals ptr, len, kind (the array), idx (f64), k (a scratch i32), v (a scratch i64). Past the
 * end, or at no integer index, JS reads undefined: this gives NaN, and the compiler lets such a
 * read reach only places where undefined and NaN behave alike (arithmetic, comparisons, tests;
 * see typed.ts). A block whose cases branch out of it with their value. A plain Array (kind PLAIN) runs `deopt` (which leaves the function) where it is not a number
 * element or out of range.
 */
export function loadInline(ptr: number, len: number, kind: number, idx: number | Counter, k: number, v: number, deopt: Instr[]): Instr[] {
  const cases: [number[], number, Instr[]][] = [
    [[0, 2], 0, [{ op: "i32.load8_u", offset: 0 }, { op: "f64.convert_i32_u" }]],
    [[1], 0, [{ op: "i32.load8_s", offset: 0 }, { op: "f64.convert_i32_s" }]],
    [[3], 1, [{ op: "i32.load16_s", offset: 0 }, { op: "f64.convert_i32_s" }]],
    [[4], 1, [{ op: "i32.load16_u", offset: 0 }, { op: "f64.convert_i32_u" }]],
    [[5], 2, [{ op: "i32.load", offset: 0 }, { op: "f64.convert_i32_s" }]],
    [[6], 2, [{ op: "i32.load", offset: 0 }, { op: "f64.convert_i32_u" }]],
    [[10], 2, [{ op: "f32.load", offset: 0 }, { op: "f64.promote_f32" }]],
    [[11], 3, [{ op: "f64.load", offset: 0 }]],
    [[PLAIN], 3, [{ op: "i64.load", offset: 0 }, { op: "local.set", local: v }, ...numberOf(v, deopt)]],
  ];
  return switchOnKind(ptr, len, kind, idx, k, "f64", f64(NaN), deopt, cases);
}

/**
 * A read's block: outside the array `outside` (a plain Array's prototype chain is JS's business:
 * `deopt`), else a br_table on the kind into `cases` (kinds, log2 of the element size, the code
 * that turns the element's address into the value), each branching out with its value.
 */
function switchOnKind(ptr: number, len: number, kind: number, idx: number | Counter, k: number, result: "f64" | "i32", outside: Instr, deopt: Instr[], cases: [number[], number, Instr[]][]): Instr[] {
  const n = cases.length;
  const out: Instr[] = [{ op: "block", result }];
  // outside: out of the outer block (one level up from the if)
  const away: Instr[] = [get(kind), { op: "i32.const", value: PLAIN }, { op: "i32.eq" }, { op: "if" }, ...deopt, { op: "end" }, outside, { op: "br", depth: 1 }];
  if (typeof idx === "number") out.push(...index(idx, len, k, away));
  else {
    out.push(...counterIndex(idx, len, away));
    k = idx.counter;
  }
  out.push(...cases.map((): Instr => ({ op: "block" })), { op: "block" });
  const depths = Array.from({ length: PLAIN + 1 }, (_, kd) => {
    const i = cases.findIndex(([ks]) => ks.includes(kd));
    return i < 0 ? n : i;
  });
  out.push(get(kind), { op: "br_table", depths, default: n });
  // case i follows the end of its block; n - i blocks are still open around it
  cases.forEach(([, log2, code], i) => out.push({ op: "end" }, ...address(ptr, k, log2), ...code, { op: "br", depth: n - i }));
  out.push({ op: "end" }, { op: "unreachable" }, { op: "end" });
  return out;
}

/** ToInt32 of the f64 on the stack, inline below 2^63 in magnitude (the helper's fast path), the helper beyond; `t`: a scratch f64 local. */
export const toInt32Inline = (t: number): Instr[] => [
  { op: "local.tee", local: t }, { op: "f64.abs" }, f64(2 ** 63), { op: "f64.lt" },
  { op: "if", result: "i32" }, get(t), { op: "i64.trunc_f64_s" }, { op: "i32.wrap_i64" }, { op: "else" }, get(t), { op: "call", func: HELPER.toInt32 }, { op: "end" },
];

/**
 * ToInt32(a[idx]) -> i32, inline, for a read under a bitwise operator: the integer kinds' bits
 * as they are (a Uint32 element's ToInt32 is its own bits), the float kinds through ToInt32;
 * past the end (undefined, whose ToInt32 is 0) 0. Locals as loadInline's, and `t` a scratch f64.
 */
export function loadInt32Inline(ptr: number, len: number, kind: number, idx: number | Counter, k: number, v: number, t: number, deopt: Instr[]): Instr[] {
  const cases: [number[], number, Instr[]][] = [
    [[0, 2], 0, [{ op: "i32.load8_u", offset: 0 }]],
    [[1], 0, [{ op: "i32.load8_s", offset: 0 }]],
    [[3], 1, [{ op: "i32.load16_s", offset: 0 }]],
    [[4], 1, [{ op: "i32.load16_u", offset: 0 }]],
    [[5, 6], 2, [{ op: "i32.load", offset: 0 }]],
    [[10], 2, [{ op: "f32.load", offset: 0 }, { op: "f64.promote_f32" }, ...toInt32Inline(t)]],
    [[11], 3, [{ op: "f64.load", offset: 0 }, ...toInt32Inline(t)]],
    [[PLAIN], 3, [{ op: "i64.load", offset: 0 }, { op: "local.set", local: v }, ...numberOf(v, deopt), ...toInt32Inline(t)]],
  ];
  return switchOnKind(ptr, len, kind, idx, k, "i32", { op: "i32.const", value: 0 }, deopt, cases);
}

/**
 * f64 local `v`, its NaNs made the one NaN the interpreter stores (QuickJS's NaN-boxed values
 * hold only that one; wasm arithmetic may leave another, 0 / 0 with the sign bit set on x86).
 */
export const canonical = (v: number): Instr[] => [get(v), f64(NaN), get(v), get(v), { op: "f64.eq" }, { op: "select" }];

/**
 * a[idx] = v, inline (SHA-256's message schedule stores a million elements): converted as the
 * kind converts, ignored outside the array (as JS does). Locals ptr, len, kind (the array), idx (an f64, or a
 * Counter, whose i32 local `k` then is), v (f64), k (a scratch i32).
 * `int`: an i32 local already holding ToInt32(v) (v came from a bitwise operation), which
 * the integer kinds store as it is.
 */
export function storeInline(ptr: number, len: number, kind: number, idx: number | Counter, v: number, k: number, int?: number): Instr[] {
  const int32: Instr[] = int !== undefined ? [get(int)] : [get(v), ...toInt32Inline(v)];
  const cases: [number[], Instr[]][] = [
    // Uint8Clamped: NaN and below 0 give 0, above 255 gives 255, halves round to even
    [[0], [...address(ptr, k, 0), get(v), f64(0), { op: "f64.gt" }, { op: "if", result: "i32" }, get(v), f64(255), { op: "f64.min" }, { op: "f64.nearest" }, { op: "i32.trunc_f64_u" }, { op: "else" }, { op: "i32.const", value: 0 }, { op: "end" }, { op: "i32.store8", offset: 0 }]],
    [[1, 2], [...address(ptr, k, 0), ...int32, { op: "i32.store8", offset: 0 }]],
    [[3, 4], [...address(ptr, k, 1), ...int32, { op: "i32.store16", offset: 0 }]],
    [[5, 6], [...address(ptr, k, 2), ...int32, { op: "i32.store", offset: 0 }]],
    [[10], [...address(ptr, k, 2), ...canonical(v), { op: "f32.demote_f64" }, { op: "f32.store", offset: 0 }]],
    [[11], [...address(ptr, k, 3), ...canonical(v), { op: "f64.store", offset: 0 }]],
    // a plain Array's element (arrays.ts plainWindow: a number there, nothing to free): the number's JSValue
    [[PLAIN], [...address(ptr, k, 3), { op: "global.get", global: "ctx" /* analyze.ts CTX */ }, get(v), { op: "call", func: "JS_NewNumber" }, { op: "i64.store", offset: 0 }]],
  ];
  const n = cases.length;
  // outside the array (or at no integer index): nothing, out of the outer block
  const out: Instr[] = [{ op: "block" }, ...(typeof idx === "number" ? index(idx, len, k, [{ op: "br", depth: 1 }]) : counterIndex(idx, len, [{ op: "br", depth: 1 }]))];
  out.push(...cases.map((): Instr => ({ op: "block" })), { op: "block" });
  const depths = Array.from({ length: PLAIN + 1 }, (_, kd) => {
    const i = cases.findIndex(([ks]) => ks.includes(kd));
    return i < 0 ? n : i;
  });
  out.push(get(kind), { op: "br_table", depths, default: n });
  // case i follows the end of its block; n - i blocks are still open around it
  cases.forEach(([, code], i) => out.push({ op: "end" }, ...code, { op: "br", depth: n - i }));
  out.push({ op: "end" }, { op: "unreachable" }, { op: "end" });
  return out;
}

export const HELPERS: Func[] = [toInt32, pow, sign, isInt32, mod];
