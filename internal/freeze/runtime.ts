// The helpers frozen code calls, written as instruction lists: JS's ToInt32
// and Number::exponentiate and Math.sign, where no single wasm instruction
// has JS's semantics.

import type { Func, Instr } from "./encode.ts";

/** The module's global that says a frozen call ran out of depth (i32, 0 or 1). */
export const OVERFLOW = "overflow";

export const HELPER = { toInt32: "fz_toInt32", pow: "fz_pow", sign: "fz_sign", isInt32: "fz_isInt32" } as const;

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
    // in range: truncation is the answer (and cannot trap)
    ...inInt32Range,
    { op: "if", result: "i32" },
    get(0), { op: "i32.trunc_f64_s" },
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

export const HELPERS: Func[] = [toInt32, pow, sign, isInt32];
