// Plain JavaScript Arrays of numbers in frozen code. A parameter used as an
// array (a[i], a.length) takes a typed array or, when the function and all it
// calls have no effects (no element stores, no DataView set calls), a plain
// Array. The wrapper lets in only a QuickJS "fast array" (class Array, its
// elements one contiguous JSValue buffer) with no holes (length == count), and
// hands frozen code that buffer as an array of kind PLAIN: the same three i32s
// as a typed array (runtime.ts), the buffer's address and its length.
//
// Frozen code runs no JS, so the buffer, its length and its elements stay as
// they were at entry for the whole call. A read that is not an int or float64
// element (undefined, a string, an object with valueOf, ...) or lies outside
// the array (where JS would look at the prototype chain) deoptimises: the
// OVERFLOW global becomes DEOPT, the frozen stack unwinds, and the wrapper
// returns undefined, so the guard runs the function's JS from the start with
// the same arguments. That re-run is exact because such code has no effects
// (a compiled loop works on copies of its variables).
//
// Code with effects (SHA-512's rounds write typed arrays and read the plain
// Array K) may take a plain Array all the same where every access to it is
// shown to fall inside a window of its elements (ranges.ts: K[i * 2 + 1] in
// [0, 159]; M[offset + i] in [offset, offset + 15]): the wrapper lets in only
// an array that holds the window, with numbers only there, so no access can
// deoptimise; a store there writes the number's JSValue in place. An array only
// read, in one window, may have holes or be a slow array: the wrapper copies
// the window's elements (own data properties, numbers) and the code reads the
// copy.
//
// The object layout is QuickJS-NG's, of the quickjs.wasm in use; the init
// function checks it on an array it makes (probe) and, if anything differs,
// leaves plain Arrays to the interpreter (every call declines).

import { children, storesMember, type N } from "./ast.ts";
import type { Frozen, PlainWindow } from "./analyze.ts";
import type { Func, Instr } from "./encode.ts";
import { elementAccesses, rangeOf, safe, touches, type Bound, type Passed, type Range } from "./ranges.ts";
import { argumentAt, declaredCount, keepsArgument } from "./outer.ts";
import { TAG, TAG_OF } from "./runtime.ts";

/** The array kind (beside JSTypedArrayEnum's) of a plain Array's JSValue buffer: 8 bytes an element. */
export const PLAIN = 12;

/** Where QuickJS-NG keeps what is read here (wasm32): JSObject's fields, JS_CLASS_ARRAY, NaN-boxing's float offset. */
const OBJ = { flags: 8, fastArray: 0x10, classId: 10, values: 28, count: 32 } as const;
const CLASS_ARRAY = 2;
/** A float64 JSValue is its bits minus FLOAT64_ADDEND << 32 (JS_FLOAT64_TAG_ADDEND, with JS_TAG_FIRST = -9). */
const FLOAT64_ADDEND = 0x7ff80000 + 9 + 1;

const get = (local: number): Instr => ({ op: "local.get", local });
const i32 = (value: number): Instr => ({ op: "i32.const", value });
/** The tag (high 32 bits) of the i64 JSValue in `v`. */
const tag = (v: number): Instr[] => [get(v), ...TAG_OF];
/** i32 1 when JSValue local `v` is no float64 (its tag below -9 + 17, unsigned: numberOf's test after the int one). */
const notFloat = (v: number): Instr[] => [...tag(v), i32(9), { op: "i32.add" }, i32(17), { op: "i32.lt_u" }];
/** Does JSValue local `v` hold no number (neither an int, tag 0, nor a float64)? */
const notNumber = (v: number): Instr[] => [...tag(v), i32(0), { op: "i32.ne" }, ...notFloat(v), { op: "i32.and" }];
/** `cond` (an i32), else `decline` (which leaves the wrapper). */
const unless = (cond: Instr[], decline: Instr[]): Instr[] => [...cond, { op: "i32.eqz" }, { op: "if" }, ...decline, { op: "end" }];

/**
 * The number in JSValue local `v` (i64) as an f64: an int (tag 0) or a float64 (tags from
 * -9 + 17 up, NaN-boxed); any other value runs `deopt` (which must leave the block).
 */
export function numberOf(v: number, deopt: Instr[]): Instr[] {
  return [
    { op: "block", result: "f64" },
    ...tag(v), { op: "i32.eqz" }, { op: "if" }, get(v), { op: "i32.wrap_i64" }, { op: "f64.convert_i32_s" }, { op: "br", depth: 1 }, { op: "end" },
    ...notFloat(v), { op: "if" }, ...deopt, { op: "end" },
    get(v), { op: "i64.const", value: FLOAT64_ADDEND }, { op: "i64.const", value: 32 }, { op: "i64.shl" }, { op: "i64.add" }, { op: "f64.reinterpret_i64" },
    { op: "end" },
  ];
}

/**
 * Wrapper code for an argument that is not a typed array: a fast, hole-free Array sets
 * ptr, len and kind (PLAIN); anything else runs `decline`. `ok`: the address of the probe's
 * verdict; `scratch`: 8 bytes for JS_GetLength. Locals: `val` (the JSValue), `p` (i32).
 * `slow`: where given (an Array only read, in one window: plainCopy), an Array with holes or
 * made slow is let in too, `slow` set to 1 and `len` its length (its window is copied).
 */
export function plainArgument(ctx: Instr, val: number, p: number, ptr: number, len: number, kind: number, ok: Instr[], scratch: Instr[], decline: Instr[], slow?: number): Instr[] {
  const out: Instr[] = [
    ...unless([...ok, { op: "i32.load", offset: 0 }], decline),
    // an object (tag -1) of class Array
    ...unless([...tag(val), i32(-1), { op: "i32.eq" }], decline),
    get(val), { op: "i32.wrap_i64" }, { op: "local.set", local: p },
    ...unless([get(p), { op: "i32.load16_u", offset: OBJ.classId }, i32(CLASS_ARRAY), { op: "i32.eq" }], decline),
    // its length (an own data property of an Array: no JS runs)
    ...unless([ctx, get(val), ...scratch, { op: "call", func: "JS_GetLength" }, i32(0), { op: "i32.ge_s" }], decline),
  ];
  // its elements still its fast buffer, with no holes past it (its length is its count)
  const fast: Instr[] = [get(p), { op: "i32.load8_u", offset: OBJ.flags }, i32(OBJ.fastArray), { op: "i32.and" }, { op: "i32.eqz" }, { op: "i32.eqz" }];
  const whole: Instr[] = [...scratch, { op: "i64.load", offset: 0 }, get(p), { op: "i32.load", offset: OBJ.count }, { op: "i64.extend_i32_u" }, { op: "i64.eq" }];
  const buffer: Instr[] = [get(p), { op: "i32.load", offset: OBJ.count }, { op: "local.set", local: len }, get(p), { op: "i32.load", offset: OBJ.values }, { op: "local.set", local: ptr }];
  if (slow === undefined) out.push(...unless(fast, decline), ...unless(whole, decline), ...buffer);
  else {
    out.push(...fast, { op: "if", result: "i32" }, ...whole, { op: "else" }, i32(0), { op: "end" });
    out.push({ op: "if" }, ...buffer, i32(0), { op: "local.set", local: slow });
    // (a length of 2^31 or more, a sparse Array's, is declined: compiled code takes every array's
    // length below 2^31, so that a counter plus a small constant cannot wrap; analyze.ts indexOf)
    out.push({ op: "else" }, ...unless([...scratch, { op: "i64.load", offset: 0 }, { op: "i64.const", value: 2 ** 31 }, { op: "i64.lt_u" }], decline));
    out.push(...scratch, { op: "i64.load", offset: 0 }, { op: "i32.wrap_i64" }, { op: "local.set", local: len }, i32(1), { op: "local.set", local: slow }, { op: "end" });
  }
  out.push(i32(PLAIN), { op: "local.set", local: kind });
  return out;
}

/** Elements the wrapper checks at most in one window, a call (bcrypt's S-boxes: 1,024). */
const MAX_CHECKED = 4096;

/** Wrapper code: `j` the first index of window `w` of an array of length `len`, or `decline` where the array does not hold it (see plainWindow). */
function windowStart(len: number, w: PlainWindow, base: number | undefined, j: number, b: number, decline: Instr[]): Instr[] {
  const f64 = (value: number): Instr => ({ op: "f64.const", value });
  if (base === undefined) return [...unless([get(len), i32(w.hi), { op: "i32.gt_u" }], decline), i32(w.lo), { op: "local.set", local: j }];
  // the base an integer with base + lo >= 0 and base + hi < len (NaN and the infinities fail one)
  return [
    ...unless([get(base), { op: "f64.trunc" }, get(base), { op: "f64.eq" }], decline),
    get(base), f64(w.lo), { op: "f64.add" }, { op: "local.tee", local: b }, f64(0), { op: "f64.ge" }, { op: "i32.eqz" }, { op: "if" }, ...decline, { op: "end" },
    ...unless([get(base), f64(w.hi), { op: "f64.add" }, get(len), { op: "f64.convert_i32_u" }, { op: "f64.lt" }], decline),
    get(b), { op: "i32.trunc_f64_u" }, { op: "local.set", local: j },
  ];
}


/**
 * Wrapper code after plainArgument, for code with effects (plainWindows): `decline` unless the
 * array (`ptr`, `len`) holds `w` and every element there is a number (an int or float64
 * JSValue, as numberOf reads them), so that none of its accesses deoptimises. `base`: the f64
 * local of w's base parameter. Locals: `j` and `end` (i32), `v` (i64), `b` (f64).
 */
export function plainWindow(ptr: number, len: number, w: PlainWindow, base: number | undefined, j: number, end: number, v: number, b: number, decline: Instr[]): Instr[] {
  return [
    ...windowStart(len, w, base, j, b, decline),
    get(j), i32(w.hi - w.lo + 1), { op: "i32.add" }, { op: "local.set", local: end },
    { op: "block" }, { op: "loop" },
    get(j), get(end), { op: "i32.ge_u" }, { op: "br_if", depth: 1 },
    get(ptr), get(j), i32(3), { op: "i32.shl" }, { op: "i32.add" }, { op: "i64.load", offset: 0 }, { op: "local.set", local: v },
    ...notNumber(v), { op: "if" }, ...decline, { op: "end" },
    get(j), i32(1), { op: "i32.add" }, { op: "local.set", local: j }, { op: "br", depth: 0 },
    { op: "end" }, { op: "end" },
  ];
}

/**
 * Wrapper code for an Array only read, in one window, that has holes or is no longer fast
 * (plainArgument's `slow`: crypto-js pads its message past the end before hashing it): the
 * window's elements, each an own data property holding a number, copied to `copy` (its
 * static area), and `ptr` set so that element k of the array is read at ptr + 8k there. A
 * hole (the prototype chain's business), an accessor or anything not a number: `decline`. No
 * JS runs meanwhile, so the copy stays the array's for the whole call. `desc`: a
 * JSPropertyDescriptor's 32 bytes; locals as plainWindow's, and `a` (i32).
 */
export function plainCopy(ctx: Instr, val: number, ptr: number, len: number, w: PlainWindow, base: number | undefined, copy: Instr[], desc: Instr[], j: number, end: number, v: number, b: number, a: number, decline: Instr[]): Instr[] {
  const free = (x: Instr[]): Instr[] => [ctx, ...x, { op: "call", func: "JS_FreeValue" }];
  return [
    ...windowStart(len, w, base, j, b, decline),
    // element k at copy + 8 (k - start)
    ...copy, get(j), i32(3), { op: "i32.shl" }, { op: "i32.sub" }, { op: "local.set", local: ptr },
    get(j), i32(w.hi - w.lo + 1), { op: "i32.add" }, { op: "local.set", local: end },
    { op: "block" }, { op: "loop" },
    get(j), get(end), { op: "i32.ge_u" }, { op: "br_if", depth: 1 },
    // (an index past 2^31 - 1 is a string atom: made, and out of memory, 0 with an exception)
    ctx, get(j), { op: "call", func: "JS_NewAtomUInt32" }, { op: "local.tee", local: a },
    { op: "i32.eqz" }, { op: "if" }, ...free([ctx, { op: "call", func: "JS_GetException" }]), ...decline, { op: "end" },
    ctx, ...desc, get(val), get(a), { op: "call", func: "JS_GetOwnProperty" },
    ctx, get(a), { op: "call", func: "JS_FreeAtom" },
    // (< 0: it threw, 0: a hole)
    { op: "local.tee", local: a }, i32(0), { op: "i32.lt_s" }, { op: "if" }, ...free([ctx, { op: "call", func: "JS_GetException" }]), ...decline, { op: "end" },
    get(a), { op: "i32.eqz" }, { op: "if" }, ...decline, { op: "end" },
    // an accessor: its getter and setter (copies) go
    ...desc, { op: "i32.load", offset: 0 }, i32(1 << 4), { op: "i32.and" }, { op: "if" },
    ...free([...desc, { op: "i64.load", offset: 16 }]), ...free([...desc, { op: "i64.load", offset: 24 }]), ...decline,
    { op: "end" },
    ...desc, { op: "i64.load", offset: 8 }, { op: "local.set", local: v },
    ...notNumber(v), { op: "if" }, ...free([get(v)]), ...decline, { op: "end" },
    get(ptr), get(j), i32(3), { op: "i32.shl" }, { op: "i32.add" }, get(v), { op: "i64.store", offset: 0 },
    get(j), i32(1), { op: "i32.add" }, { op: "local.set", local: j }, { op: "br", depth: 0 },
    { op: "end" }, { op: "end" },
  ];
}

/**
 * Init code: checks the layout above on an Array it makes ([7, 0.5, -0, 2^31, NaN], then
 * made slow by a write far past its end) and stores 1 at `ok` when all holds. Locals: `arr`
 * (i64), `v` (i64), `p` (i32).
 */
export function probe(ctx: Instr, arr: number, v: number, p: number, ok: Instr[], scratch: Instr[]): Instr[] {
  const values = [7, 0.5, -0, 2 ** 31, NaN];
  const fail = (depth: number): Instr[] => [{ op: "br_if", depth }];
  const out: Instr[] = [ctx, { op: "call", func: "JS_NewArray" }, { op: "local.set", local: arr }];
  values.forEach((x, i) => out.push(ctx, get(arr), i32(i), ctx, { op: "f64.const", value: x }, { op: "call", func: "JS_NewNumber" }, { op: "call", func: "JS_SetPropertyUint32" }, { op: "drop" }));
  out.push({ op: "block" }); // failing checks branch out of it
  out.push(get(arr), { op: "call", func: "JS_GetClassID" }, i32(CLASS_ARRAY), { op: "i32.ne" }, ...fail(0));
  out.push(get(arr), { op: "i32.wrap_i64" }, { op: "local.set", local: p });
  out.push(get(p), { op: "i32.load16_u", offset: OBJ.classId }, i32(CLASS_ARRAY), { op: "i32.ne" }, ...fail(0));
  out.push(get(p), { op: "i32.load8_u", offset: OBJ.flags }, i32(OBJ.fastArray), { op: "i32.and" }, { op: "i32.eqz" }, ...fail(0));
  out.push(get(p), { op: "i32.load", offset: OBJ.count }, i32(values.length), { op: "i32.ne" }, ...fail(0));
  out.push(ctx, get(arr), ...scratch, { op: "call", func: "JS_GetLength" }, { op: "drop" }, ...scratch, { op: "i64.load", offset: 0 }, { op: "i64.const", value: values.length }, { op: "i64.ne" }, ...fail(0));
  values.forEach((x, i) => {
    // each element as the engine boxed it, read back as frozen code reads it (bit for bit: -0, NaN)
    out.push(get(p), { op: "i32.load", offset: OBJ.values }, { op: "i64.load", offset: 8 * i }, { op: "local.set", local: v });
    out.push(...numberOf(v, [{ op: "br", depth: 2 }]), { op: "i64.reinterpret_f64" });
    out.push({ op: "f64.const", value: x }, { op: "i64.reinterpret_f64" }, { op: "i64.ne" }, ...fail(0));
  });
  // a write far past the end makes it slow: the flag must say so
  out.push(ctx, get(arr), i32(1000), ctx, { op: "f64.const", value: 1 }, { op: "call", func: "JS_NewNumber" }, { op: "call", func: "JS_SetPropertyUint32" }, { op: "drop" });
  out.push(get(p), { op: "i32.load8_u", offset: OBJ.flags }, i32(OBJ.fastArray), { op: "i32.and" }, ...fail(0));
  out.push(...ok, i32(1), { op: "i32.store", offset: 0 });
  out.push({ op: "end" }, ctx, get(arr), { op: "call", func: "JS_FreeValue" });
  return out;
}

/**
 * Marks the frozen functions (and compiled loops) that may take plain Arrays: those with
 * no effects a re-run would repeat (element stores, DataView set calls), calling none that
 * has any; of the others, the arrays every access to which is shown inside windows (plainWindows).
 * `resolve`: the frozen function a call by name reaches, if any.
 */
export function markPlainArrays(fns: Frozen[], resolve: (f: Frozen, name: string) => Frozen | undefined): void {
  const calls = new Map<Frozen, Frozen[]>();
  const effects = new Set<Frozen>();
  for (const f of fns) {
    const callees: Frozen[] = [];
    const walk = (n: N): void => {
      if (storesMember(n)) effects.add(f);
      if (n.type === "CallExpression" && n.callee.type === "MemberExpression" && /^set/.test(n.callee.property.name ?? "")) effects.add(f);
      if (n.type === "CallExpression" && n.callee.type === "Identifier") {
        const g = resolve(f, n.callee.name);
        if (g) callees.push(g);
      }
      children(n).forEach(walk);
    };
    walk(f.cand.node.body);
    calls.set(f, callees);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of fns) if (!effects.has(f) && calls.get(f)!.some((g) => effects.has(g))) (effects.add(f), (grew = true));
  }
  for (const f of fns) f.plainArrays = f.paramTys.includes("array") && !effects.has(f);
  // windows for every function (a caller hands an array on only where its callee's accesses are
  // shown too), until no more are shown
  // (the number parameters a function never assigns are the same every round; one without array parameters shows none)
  const withArrays = fns.filter((f) => f.paramTys.includes("array")).map((f) => ({ f, fixed: fixedNumbers(f) }));
  const windows = new Map<Frozen, Windows>();
  for (let total = -1, round = 0; round < 20; round++) {
    for (const { f, fixed } of withArrays) windows.set(f, plainWindows(f, (name) => resolve(f, name), windows, fixed));
    const now = [...windows.values()].reduce((n, w) => n + w.size, 0);
    if (now === total) break;
    total = now;
  }
  for (const f of fns) if (!f.plainArrays) f.plainWindows = windows.get(f);
}

type Windows = NonNullable<Frozen["plainWindows"]>;

/** The number parameters `f` never assigns (ranges.ts: the bases a window may be offset by). */
function fixedNumbers(f: Frozen): Set<string> {
  const { params, node } = f.cand;
  return new Set(params.filter((p, i) => f.paramTys[i] === "number" && !touches(node.body as N, p)));
}


/**
 * Code with effects: its array parameters every access to which is shown inside windows of
 * elements (ranges.ts), with those windows (one a base, the number parameters it never
 * assigns being the bases).
 */
function plainWindows(f: Frozen, callee: (name: string) => Frozen | undefined, known: Map<Frozen, Windows>, fixed: ReadonlySet<string>): Windows {
  const { params, node } = f.cand;
  const body = node.body as N;
  // an array handed to a frozen function: its windows there, each base the argument given for it
  const calleeOf = (call: N) => (call.callee.type === "Identifier" ? callee(call.callee.name) : undefined);
  const windowsAt = (call: N, index: number, counters: ReadonlyMap<string, Range>) => {
    const g = calleeOf(call);
    const there = g && known.get(g)?.get(index);
    if (!g || !there) return undefined;
    const ranges: Bound[] = [];
    for (const w of there.windows) {
      if (w.baseParam === undefined) ranges.push({ lo: w.lo, hi: w.hi });
      else {
        const at = argumentAt(call, g.cand, w.baseParam);
        const r = at && rangeOf(at, counters, fixed);
        const sum = r && safe({ lo: r.lo + w.lo, hi: r.hi + w.hi, base: r.base });
        if (!sum) return undefined;
        ranges.push(sum);
      }
    }
    return { ranges, writes: !there.readOnly };
  };
  const passed: Passed = Object.assign(
    // (an extra argument is dropped: no windows there)
    (call: N, index: number, counters: ReadonlyMap<string, Range>) => {
      const g = calleeOf(call);
      return g && index < declaredCount(g.cand) ? windowsAt(call, index, counters) : undefined;
    },
    {
      keeps: (call: N, name: string) => keepsArgument(call, name, calleeOf(call)?.cand),
      implicit: (call: N, name: string, counters: ReadonlyMap<string, Range>) => {
        const g = calleeOf(call);
        const j = g?.cand.implicit?.indexOf(name) ?? -1;
        return g && j >= 0 ? windowsAt(call, declaredCount(g.cand) + j, counters) : null;
      },
    },
  );
  const out: Windows = new Map();
  f.paramTys.forEach((ty, i) => {
    if (ty !== "array") return;
    const acc = elementAccesses(body, params[i]!, fixed, params[i] === f.cand.returnsParam, passed);
    if (!acc?.ranges.length || acc.ranges.some((r) => !r || r.lo > r.hi)) return;
    const byBase = new Map<string | undefined, PlainWindow>();
    for (const r of acc.ranges) {
      const w = byBase.get(r!.base);
      byBase.set(r!.base, w ? { ...w, lo: Math.min(w.lo, r!.lo), hi: Math.max(w.hi, r!.hi) } : { lo: r!.lo, hi: r!.hi, ...(r!.base ? { baseParam: params.indexOf(r!.base) } : {}) });
    }
    const windows = [...byBase.values()];
    if (windows.some((w) => (w.baseParam === undefined && w.lo < 0) || w.hi - w.lo >= MAX_CHECKED || w.hi >= 2 ** 31)) return;
    out.set(i, { windows, readOnly: !acc.writes });
  });
  return out;
}

// for-of over an array parameter compiles to the indexed loop (analyze.ts forOf). That is
// what the interpreter does only while the iteration is the built-in one: GetMethod(a,
// @@iterator) finds Array.prototype.values (%TypedArray%.prototype.values for a typed
// array), whose iterator's `next`, looked up on %ArrayIteratorPrototype%, is the built-in
// next, and which has no `return` (a break would call it). The wrapper checks all three
// once a call, with lookups that run no JS (a proxy or an accessor on the way declines),
// against the originals kept at init. Then every step is the built-in next over an array
// that no JS changes: its length and own elements, read as frozen code reads them.

/** The helper that checks one lookup: fz_finds(obj, atom, kept) -> i32. */
export const FINDS_HELPER = "fz_finds";
/** What the checks keep, at offsets in their static data: the originals (JSValues) and the atoms. */
export const ITER = { arrayValues: 0, typedValues: 8, iterProto: 16, iterNext: 24, atomIterator: 32, atomNext: 36, atomReturn: 40, size: 48 } as const;

/**
 * fz_finds(obj i64, atom i32, kept i64) -> i32: 1 when obj[atom], looked up along the prototype
 * chain as the interpreter does, is a data property holding `kept` (undefined: also no property
 * at all); 0 when it is anything else, or a proxy or an accessor is met (whose JS would run).
 * `desc`: 32 bytes of static data for a JSPropertyDescriptor.
 */
export function findsHelper(desc: Instr[]): Func {
  const [obj, name, kept, cur, owned, r, v, res] = [0, 1, 2, 3, 4, 5, 6, 7];
  const ctx: Instr = { op: "global.get", global: "ctx" };
  const free = (x: Instr[]): Instr[] => [ctx, ...x, { op: "call", func: "JS_FreeValue" }];
  const tagIs = (t: number): Instr[] => [...tag(cur), i32(t), { op: "i32.eq" }];
  return {
    name: FINDS_HELPER,
    params: ["i64", "i32", "i64"],
    results: ["i32"],
    locals: ["i64", "i32", "i32", "i64", "i32"],
    body: [
      get(obj), { op: "local.set", local: cur },
      { op: "block" },
      { op: "loop" },
      get(cur), { op: "call", func: "JS_IsProxy" }, { op: "br_if", depth: 1 },
      ctx, ...desc, get(cur), get(name), { op: "call", func: "JS_GetOwnProperty" }, { op: "local.tee", local: r },
      i32(0), { op: "i32.lt_s" }, { op: "if" }, ...free([ctx, { op: "call", func: "JS_GetException" }]), { op: "br", depth: 2 }, { op: "end" },
      get(r), { op: "if" },
      // an accessor: its getter and setter (copies) go
      ...desc, { op: "i32.load", offset: 0 }, i32(1 << 4), { op: "i32.and" }, { op: "if" },
      ...free([...desc, { op: "i64.load", offset: 16 }]), ...free([...desc, { op: "i64.load", offset: 24 }]), { op: "br", depth: 3 },
      { op: "end" },
      ...desc, { op: "i64.load", offset: 8 }, get(kept), { op: "i64.eq" }, { op: "local.set", local: res },
      ...free([...desc, { op: "i64.load", offset: 8 }]),
      { op: "br", depth: 2 },
      { op: "end" },
      // not its own: on to the prototype (an object, or null at the end of the chain)
      ctx, get(cur), { op: "call", func: "JS_GetPrototype" }, { op: "local.set", local: v },
      get(owned), { op: "if" }, ...free([get(cur)]), { op: "end" },
      get(v), { op: "local.set", local: cur }, i32(1), { op: "local.set", local: owned },
      ...tagIs(TAG.object), { op: "i32.eqz" }, { op: "if" },
      ...tagIs(TAG.null), get(kept), { op: "i64.const", value: TAG.undefined }, { op: "i64.const", value: 32 }, { op: "i64.shl" }, { op: "i64.eq" }, { op: "i32.and" }, { op: "local.set", local: res },
      { op: "br", depth: 2 },
      { op: "end" },
      { op: "br", depth: 0 },
      { op: "end" },
      { op: "end" },
      get(owned), { op: "if" }, ...free([get(cur)]), { op: "end" },
      get(res),
    ],
  };
}

/**
 * Init code keeping what the checks compare with, before any of the app's code runs:
 * Array.prototype.values, %TypedArray%.prototype.values (each its prototype's @@iterator
 * then), %ArrayIteratorPrototype% and its next, and the atoms. `at(offset)`: the address of
 * the checks' static data plus offset; `cString`: a C string's address; locals `global` (the
 * global object), `a` and `b` (spare i64s).
 */
export function iterationInit(ctx: Instr, at: (offset: number) => Instr[], cString: (s: string) => Instr[], global: number, a: number, b: number): Instr[] {
  const prop = (from: Instr[], name: string): Instr[] => [ctx, ...from, ...cString(name), { op: "call", func: "JS_GetPropertyStr" }];
  const set = (local: number): Instr => ({ op: "local.set", local });
  const free = (local: number): Instr[] => [ctx, get(local), { op: "call", func: "JS_FreeValue" }];
  const keep = (offset: number, value: Instr[]): Instr[] => [...at(offset), ...value, { op: "i64.store", offset: 0 }];
  return [
    ...prop([get(global)], "Symbol"), set(a), ...prop([get(a)], "iterator"), set(b),
    ...at(ITER.atomIterator), ctx, get(b), { op: "call", func: "JS_ValueToAtom" }, { op: "i32.store", offset: 0 },
    ...free(b), ...free(a),
    ...at(ITER.atomNext), ctx, ...cString("next"), { op: "call", func: "JS_NewAtom" }, { op: "i32.store", offset: 0 },
    ...at(ITER.atomReturn), ctx, ...cString("return"), { op: "call", func: "JS_NewAtom" }, { op: "i32.store", offset: 0 },
    ...prop([get(global)], "Array"), set(a), ...prop([get(a)], "prototype"), set(b), ...free(a),
    ...keep(ITER.arrayValues, prop([get(b)], "values")), ...free(b),
    // an Array iterator's prototype: [].values()'s
    ctx, { op: "call", func: "JS_NewArray" }, set(a),
    ctx, ...at(ITER.arrayValues), { op: "i64.load", offset: 0 }, get(a), i32(0), i32(0), { op: "call", func: "JS_Call" }, set(b), ...free(a),
    ...keep(ITER.iterProto, [ctx, get(b), { op: "call", func: "JS_GetPrototype" }]), ...free(b),
    ...keep(ITER.iterNext, prop([...at(ITER.iterProto), { op: "i64.load", offset: 0 }], "next")),
    ...prop([get(global)], "Uint8Array"), set(a), ...prop([get(a)], "prototype"), set(b), ...free(a),
    ctx, get(b), { op: "call", func: "JS_GetPrototype" }, set(a), ...free(b),
    ...keep(ITER.typedValues, prop([get(a)], "values")), ...free(a),
  ];
}

/**
 * Wrapper code: `decline` unless the array in JSValue local `val` (of kind `kind`) iterates with
 * the built-in iterator (see above); `iterator`: also the checks of the iterator's next and return.
 */
export function iterationCheck(val: number, kind: number, at: (offset: number) => Instr[], decline: Instr[], iterator: boolean): Instr[] {
  const load = (offset: number, op: "i64.load" | "i32.load" = "i64.load"): Instr[] => [...at(offset), { op, offset: 0 }];
  const unlessFinds = (finds: Instr[]): Instr[] => [...finds, { op: "call", func: FINDS_HELPER }, { op: "i32.eqz" }, { op: "if" }, ...decline, { op: "end" }];
  const kept = [...load(ITER.arrayValues), ...load(ITER.typedValues), get(kind), i32(PLAIN), { op: "i32.eq" }, { op: "select" }] as Instr[];
  return [
    ...unlessFinds([get(val), ...load(ITER.atomIterator, "i32.load"), ...kept]),
    ...(iterator
      ? [
          ...unlessFinds([...load(ITER.iterProto), ...load(ITER.atomNext, "i32.load"), ...load(ITER.iterNext)]),
          ...unlessFinds([...load(ITER.iterProto), ...load(ITER.atomReturn, "i32.load"), { op: "i64.const", value: 3 }, { op: "i64.const", value: 32 }, { op: "i64.shl" }] as Instr[]),
        ]
      : []),
  ];
}

/**
 * Marks the array parameters each frozen function (or compiled loop) iterates with for-of,
 * itself or through the frozen functions it hands them to: the wrapper checks their iteration
 * (iterationCheck) once a call, for code called from frozen code is entered through no wrapper.
 */
export function markIterated(fns: Frozen[], resolve: (f: Frozen, name: string) => Frozen | undefined): void {
  const handed = new Map<Frozen, [number, Frozen, number][]>();
  for (const f of fns) {
    const params = f.cand.params;
    f.iterated = new Set();
    const edges: [number, Frozen, number][] = [];
    const walk = (n: N): void => {
      if (n.type === "ForOfStatement" && n.right.type === "Identifier" && params.includes(n.right.name)) f.iterated!.add(params.indexOf(n.right.name));
      if (n.type === "CallExpression" && n.callee.type === "Identifier") {
        const g = resolve(f, n.callee.name);
        // (each of its parameters: an argument, or a variable from around it handed on, outer.ts)
        g?.cand.params.forEach((_, j) => {
          const a = argumentAt(n, g.cand, j);
          if (a?.type === "Identifier" && params.includes(a.name)) edges.push([params.indexOf(a.name), g, j]);
        });
      }
      children(n).forEach(walk);
    };
    walk(f.cand.node.body);
    handed.set(f, edges);
  }
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of fns) {
      for (const [i, g, j] of handed.get(f)!) if (g.iterated!.has(j) && !f.iterated!.has(i) && f.paramTys[i] === "array") (f.iterated!.add(i), (grew = true));
    }
  }
  for (const f of fns) for (const i of f.iterated!) if (f.paramTys[i] !== "array") f.iterated!.delete(i);
}

/** What --explain adds for a function or loop with array parameters. */
export function arraysNote(f: Frozen): string {
  if (!f.paramTys.includes("array")) return "";
  if (f.plainArrays) return "; its arrays may be typed arrays or plain Arrays of numbers";
  const windows = [...(f.plainWindows ?? [])].map(([i, { windows: ws }]) => `${f.cand.params[i]} ${ws.map((w) => (w.baseParam === undefined ? `[${w.lo}, ${w.hi}]` : `[${f.cand.params[w.baseParam]} + ${w.lo}, ${f.cand.params[w.baseParam]} + ${w.hi}]`)).join(" ")}`);
  const others = f.paramTys.some((ty, i) => ty === "array" && !f.plainWindows?.has(i));
  if (!windows.length) return "; typed arrays only (it writes: plain Arrays run in the interpreter)";
  return `; it writes, so plain Arrays of numbers only where every access is shown inside these elements: ${windows.join(", ")}${others ? "; typed arrays only for the others" : ""}`;
}

/** Parameters handed as they are to a function whose parameter there is an array (`isArray(callee, i)`): arrays too. */
export function passedAsArrays(body: N, params: string[], isArray: (callee: string, i: number) => boolean): string[] {
  const out: string[] = [];
  const walk = (n: N): void => {
    if (n.type === "CallExpression" && n.callee.type === "Identifier") {
      (n.arguments as N[]).forEach((a, i) => {
        if (a.type === "Identifier" && params.includes(a.name) && !out.includes(a.name) && isArray(n.callee.name, i)) out.push(a.name);
      });
    }
    children(n).forEach(walk);
  };
  walk(body);
  return out;
}
