// Objects in compiled code, through QuickJS's exported C API: object literals
// with fixed keys, string + number, method calls on objects from outside
// (`xs.push(...)`), property writes (`o.x = v`) and reads of numbers (`o.x`).
//
// A JSValue is an i64 (NaN-boxed on wasm32: the tag is its high 32 bits). Compiled
// code holds two kinds: parameters (the caller's, borrowed, never freed here) and
// temporaries of one expression (an object literal, a string, an argument),
// each freed exactly once: consumed by the call that takes it, or freed when the
// frozen stack unwinds past it (the compiler keeps the live ones, see analyze.ts).
//
// Two kinds of engine work, kept apart so that falling back stays exact:
// - a method call or a property write runs JS (a setter, a proxy's trap,
//   anything): compiled code calls the engine as the interpreter would and
//   hands on its exceptions;
// - a property read runs no JS: it looks at own and inherited data properties
//   (JS_GetOwnProperty along the prototype chain). A getter, a proxy, a
//   receiver that is no object, or a value that is no number makes the whole
//   call fall back (DEOPT): the wrapper returns undefined and the guard runs the
//   function's JS from its start, which is exact because nothing observable
//   happened before (reads change nothing; a literal nobody saw is garbage).
//   So one compiled function or loop never does both (analyze.ts refuses it).
//   Code whose only effects are stores into typed arrays makes its reads once,
//   at its start, before any of them (hoistedReads).

import { assigns, callsBeyondMath, children, isTestOf, NUMERIC_UNARY, someNode, storesMember, type N } from "./ast.ts";
import type { Func, Instr, ValType } from "./encode.ts";
import { DEOPT, OVERFLOW, TAG, TAG_OF, THROWN } from "./runtime.ts";
import { numberOf } from "./arrays.ts";
import type { Candidate } from "./analyze.ts";

/** The C API functions objects need (merged into emit.ts's API; their signatures are checked against quickjs.wasm). */
export const OBJECT_API: Record<string, [ValType[], ValType[]]> = {
  JS_DefinePropertyValue: [["i32", "i64", "i32", "i64", "i32"], ["i32"]],
  JS_Invoke: [["i32", "i64", "i32", "i32", "i32"], ["i64"]],
  JS_DupValue: [["i32", "i64"], ["i64"]],
  JS_NewStringLen: [["i32", "i32", "i32"], ["i64"]],
  JS_IsProxy: [["i64"], ["i32"]],
  JS_SetProperty: [["i32", "i64", "i32", "i64"], ["i32"]],
  JS_NewStringUTF16: [["i32", "i32", "i32"], ["i64"]],
  JS_ValueToAtom: [["i32", "i64"], ["i32"]],
};

/** Property flags of a literal's fields (JS_PROP_C_W_E | JS_PROP_THROW). */
export const FIELD_FLAGS = 7 | (1 << 14);
export const READ_HELPER = "fz_get";
export const READ_VALUE_HELPER = "fz_getv";
export const ITOA_HELPER = "fz_itoa";

const get = (local: number): Instr => ({ op: "local.get", local });
const set = (local: number): Instr => ({ op: "local.set", local });
const i32 = (value: number): Instr => ({ op: "i32.const", value });
/** analyze.ts's CTX: the JSContext of the call in progress. */
const ctx: Instr = { op: "global.get", global: "ctx" };
/** JS_MKVAL(tag, 0): undefined, null. */
export const mkval = (t: number): Instr[] => [{ op: "i64.const", value: t }, { op: "i64.const", value: 32 }, { op: "i64.shl" }];
const free = (local: number): Instr[] => [ctx, get(local), { op: "call", func: "JS_FreeValue" }];

// Constants the module makes once at init and keeps in its static data: atoms (i32) and
// strings (i64). Compiled code loads them through an instruction marked with what it
// loads; emit.ts gives each its place (layoutConstants) once every function is compiled.
// (The marks print in the listing as what they load.)
type Keep = { atom?: string; string?: string; concat?: true; shapeOk?: true; toString(): string };
type Marked = Instr & { keep?: Keep };
const load = (op: "i32.load" | "i64.load", keep: Keep): Instr[] => [{ op: "global.get", global: "__memory_base" }, { op, offset: 0, keep } as Marked];
export const atom = (name: string): Instr[] => load("i32.load", { atom: name, toString: () => `(atom ${name})` });
export const keptString = (s: string): Instr[] => load("i64.load", { string: s, toString: () => `(string ${JSON.stringify(s)})` });
/** String.prototype.concat as it was at init: `"n" + x` for a number x is concat("n", x), whatever the program does to String.prototype later. */
export const keptConcat = (): Instr[] => load("i64.load", { concat: true, toString: () => "(String.prototype.concat)" });
/** 1 when the init probe found objects laid out as cachedRead reads them (shapeProbe). */
const shapeOk = (): Instr[] => load("i32.load", { shapeOk: true, toString: () => "(object layout checked)" });

/**
 * Places the constants the bodies load, after the rest of the static data, and patches their
 * instructions. Returns the init code that makes them (locals: ctx 0, a spare i64 `tmp`).
 */
export function layoutConstants(bodies: Instr[][], staticData: (bytes: ArrayLike<number>, align: number) => number, cString: (s: string) => number, global: number, tmp: number, probeLocals: [number, number, number]): Instr[] {
  const atoms = new Map<string, number>();
  const strings = new Map<string, number>();
  let concat: number | undefined;
  let layout: number | undefined;
  const marked: Marked[] = [];
  for (const body of bodies) for (const ins of body as Marked[]) if (ins.keep) marked.push(ins);
  if (marked.length === 0) return [];
  for (const { keep } of marked) {
    if (keep!.atom !== undefined && !atoms.has(keep!.atom)) atoms.set(keep!.atom, staticData(new Uint8Array(4), 4));
    if (keep!.string !== undefined && !strings.has(keep!.string)) strings.set(keep!.string, staticData(new Uint8Array(8), 8));
    if (keep!.concat) concat ??= staticData(new Uint8Array(8), 8);
    if (keep!.shapeOk) layout ??= staticData(new Uint8Array(4), 4);
  }
  for (const ins of marked) (ins as { offset: number }).offset = ins.keep!.atom !== undefined ? atoms.get(ins.keep!.atom)! : ins.keep!.string !== undefined ? strings.get(ins.keep!.string)! : ins.keep!.shapeOk ? layout! : concat!;
  const at = (offset: number): Instr[] => [{ op: "global.get", global: "__memory_base" }, i32(offset), { op: "i32.add" }];
  const c0: Instr = { op: "local.get", local: 0 };
  // a string exactly as JS has it: UTF-8 when it has no surrogate (UTF-8 cannot carry a lone
  // one), else its UTF-16 code units (little-endian, as wasm reads them); an atom from that
  // string, not from a C string (a NUL would end it)
  const newString = (s: string): Instr[] => {
    if (!/[\uD800-\uDFFF]/.test(s)) return [c0, ...at(cString(s)), i32(new TextEncoder().encode(s).length), { op: "call", func: "JS_NewStringLen" }];
    const units = Array.from({ length: s.length }, (_, k) => s.charCodeAt(k)).flatMap((u) => [u & 0xff, u >> 8]);
    return [c0, ...at(staticData(units, 2)), i32(s.length), { op: "call", func: "JS_NewStringUTF16" }];
  };
  const init: Instr[] = [];
  for (const [name, off] of atoms) {
    init.push(...newString(name), set(tmp), ...at(off), c0, get(tmp), { op: "call", func: "JS_ValueToAtom" }, { op: "i32.store", offset: 0 });
    init.push(c0, get(tmp), { op: "call", func: "JS_FreeValue" });
  }
  for (const [s, off] of strings) init.push(...at(off), ...newString(s), { op: "i64.store", offset: 0 });
  if (concat !== undefined) {
    // String.prototype.concat, taken before any of the app's code runs
    init.push(c0, { op: "local.get", local: global }, ...at(cString("String")), { op: "call", func: "JS_GetPropertyStr" }, set(tmp));
    init.push(...at(concat), c0, get(tmp), ...at(cString("prototype")), { op: "call", func: "JS_GetPropertyStr" }, { op: "i64.store", offset: 0 });
    init.push(c0, get(tmp), { op: "call", func: "JS_FreeValue" });
    init.push(...at(concat), c0, ...at(concat), { op: "i64.load", offset: 0 }, ...at(cString("concat")), { op: "call", func: "JS_GetPropertyStr" }, set(tmp));
    init.push(c0, ...at(concat), { op: "i64.load", offset: 0 }, { op: "call", func: "JS_FreeValue" }, get(tmp), { op: "i64.store", offset: 0 });
  }
  if (layout !== undefined) init.push(...shapeProbe(c0, at(layout), (s) => at(cString(s)), tmp, probeLocals));
  return init;
}

// A for-of over a plain Array of objects reads each element's property: through the read
// helper (JS_GetOwnProperty along the chain) that is ~30 ns an element. Within one call no JS
// runs, so no object's shape (QuickJS's property layout, shared by objects made alike) changes
// and none is freed: where the helper found the property as an own data property of a plain
// object (class Object: no exotic lookup), the read site keeps that shape and the property's
// slot in two locals, and an element with the same shape and class is read from that slot.
// Locals start at 0 each call: nothing is kept across calls (a shape may change between them).
// The layout is QuickJS-NG's; shapeProbe checks it at init, else the cache is never filled.

/** JSObject's and JSShape's fields (wasm32): the object's class, shape and property values; the shape's hash mask, property count, and hash table (its properties follow it: {flags << 26 | next, atom}). */
const SH = { classId: 10, shape: 12, prop: 16, mask: 16, count: 24, table: 40 } as const;
const CLASS_OBJECT = 1;
/** JS_PROP_TMASK: a property that is neither a getter/setter, a variable reference nor lazily made. */
const PROP_TMASK = 0x30;

/**
 * `obj.<atom>` as an f64 through a per-call cache (see above). `slow`: the helper's read (leaves
 * an f64, unwinds where it must); `atomOf`: the property's atom (i32). Locals: shape and slot
 * (i32, the cache), p, i, n, base (i32), v (i64), r (f64).
 */
export function cachedRead(obj: number, atomOf: Instr[], slow: Instr[], l: { shape: number; slot: number; p: number; i: number; n: number; base: number; v: number; r: number }): Instr[] {
  const tag = (x: number): Instr[] => [get(x), ...TAG_OF];
  return [
    { op: "block", result: "f64" },
    ...tag(obj), i32(TAG.object), { op: "i32.eq" }, { op: "if" },
    get(obj), { op: "i32.wrap_i64" }, set(l.p),
    get(l.p), { op: "i32.load", offset: SH.shape }, get(l.shape), { op: "i32.eq" }, get(l.p), { op: "i32.load16_u", offset: SH.classId }, i32(CLASS_OBJECT), { op: "i32.eq" }, { op: "i32.and" }, { op: "if" },
    get(l.p), { op: "i32.load", offset: SH.prop }, get(l.slot), i32(3), { op: "i32.shl" }, { op: "i32.add" }, { op: "i64.load", offset: 0 }, set(l.v),
    // a number; anything else is the helper's (out of both ifs, to the read below)
    ...numberOf(l.v, [{ op: "br", depth: 3 }]), { op: "br", depth: 2 },
    { op: "end" },
    { op: "end" },
    ...slow, set(l.r),
    // the helper read it: where it is an own data property of a plain object, keep where
    ...shapeOk(), ...tag(obj), i32(TAG.object), { op: "i32.eq" }, { op: "i32.and" }, { op: "if" },
    get(obj), { op: "i32.wrap_i64" }, set(l.p),
    get(l.p), { op: "i32.load16_u", offset: SH.classId }, i32(CLASS_OBJECT), { op: "i32.eq" }, { op: "if" },
    get(l.p), { op: "i32.load", offset: SH.shape }, set(l.p),
    get(l.p), { op: "i32.load", offset: SH.count }, set(l.n),
    get(l.p), i32(SH.table), { op: "i32.add" }, get(l.p), { op: "i32.load", offset: SH.mask }, i32(1), { op: "i32.add" }, i32(2), { op: "i32.shl" }, { op: "i32.add" }, set(l.base),
    i32(0), set(l.i),
    { op: "block" }, { op: "loop" },
    get(l.i), get(l.n), { op: "i32.ge_u" }, { op: "br_if", depth: 1 },
    get(l.base), get(l.i), i32(3), { op: "i32.shl" }, { op: "i32.add" }, { op: "i32.load", offset: 4 }, ...atomOf, { op: "i32.eq" }, { op: "if" },
    get(l.base), get(l.i), i32(3), { op: "i32.shl" }, { op: "i32.add" }, { op: "i32.load", offset: 0 }, i32(26), { op: "i32.shr_u" }, i32(PROP_TMASK), { op: "i32.and" }, { op: "i32.eqz" }, { op: "if" },
    get(l.p), set(l.shape), get(l.i), set(l.slot),
    { op: "end" },
    { op: "br", depth: 2 },
    { op: "end" },
    get(l.i), i32(1), { op: "i32.add" }, set(l.i), { op: "br", depth: 0 },
    { op: "end" }, { op: "end" },
    { op: "end" },
    { op: "end" },
    get(l.r),
    { op: "end" },
  ];
}

/**
 * Init code: makes { a: 7, b: 0.5 } and checks that cachedRead finds b where it looks (class,
 * shape, count, the second property's flags and atom, its value as JS_NewNumber boxes it);
 * stores 1 at `ok` when all holds. Locals: `obj` (i64), p, sh, atom (i32).
 */
function shapeProbe(c: Instr, ok: Instr[], cString: (s: string) => Instr[], obj: number, [p, sh, a]: [number, number, number]): Instr[] {
  const fail: Instr = { op: "br_if", depth: 0 };
  const prop = (i: number, offset: number): Instr[] => [get(sh), i32(SH.table), { op: "i32.add" }, get(sh), { op: "i32.load", offset: SH.mask }, i32(1), { op: "i32.add" }, i32(2), { op: "i32.shl" }, { op: "i32.add" }, { op: "i32.load", offset: 8 * i + offset }];
  const out: Instr[] = [c, { op: "call", func: "JS_NewObject" }, set(obj)];
  for (const [name, x] of [["a", 7], ["b", 0.5]] as const) out.push(c, get(obj), ...cString(name), c, { op: "f64.const", value: x }, { op: "call", func: "JS_NewNumber" }, { op: "call", func: "JS_SetPropertyStr" }, { op: "drop" });
  out.push(c, ...cString("b"), { op: "call", func: "JS_NewAtom" }, set(a));
  out.push({ op: "block" });
  out.push(get(obj), ...TAG_OF, i32(TAG.object), { op: "i32.ne" }, fail);
  out.push(get(obj), { op: "i32.wrap_i64" }, set(p));
  out.push(get(p), { op: "i32.load16_u", offset: SH.classId }, i32(CLASS_OBJECT), { op: "i32.ne" }, fail);
  out.push(get(p), { op: "i32.load", offset: SH.shape }, set(sh));
  out.push(get(sh), { op: "i32.load", offset: SH.count }, i32(2), { op: "i32.ne" }, fail);
  out.push(...prop(1, 4), get(a), { op: "i32.ne" }, fail);
  // JS_SetPropertyStr made it configurable, writable, enumerable (7): a plain data property
  out.push(...prop(1, 0), i32(26), { op: "i32.shr_u" }, i32(7), { op: "i32.ne" }, fail);
  out.push(get(p), { op: "i32.load", offset: SH.prop }, { op: "i64.load", offset: 8 }, c, { op: "f64.const", value: 0.5 }, { op: "call", func: "JS_NewNumber" }, { op: "i64.ne" }, fail);
  out.push(...ok, i32(1), { op: "i32.store", offset: 0 });
  out.push({ op: "end" }, c, get(a), { op: "call", func: "JS_FreeAtom" }, c, get(obj), { op: "call", func: "JS_FreeValue" });
  return out;
}

/** The helpers the bodies call (`desc`: 32 bytes of static data for the read helper). */
export function objectHelpers(bodies: Instr[][], desc: () => Instr[]): Func[] {
  const calls = (name: string) => bodies.some((b) => b.some((ins) => ins.op === "call" && ins.func === name));
  return [...(calls(READ_HELPER) ? [readHelper(desc, false)] : []), ...(calls(READ_VALUE_HELPER) ? [readHelper(desc, true)] : []), ...(calls(ITOA_HELPER) ? [itoa] : [])];
}

/**
 * fz_itoa(end i32, v f64) -> i32: the decimal digits of v, an int32 (not -0), written
 * backwards into memory ending at `end`; returns where they start. As ToString(v) writes
 * them, so "n" + i can be made in one string (JS_NewStringLen), without a call through
 * String.prototype.concat and its intermediate string: "n" + (i % 100) ran ~180 ns that way.
 */
const itoa: Func = {
  name: ITOA_HELPER,
  params: ["i32", "f64"],
  results: ["i32"],
  locals: ["f64", "f64"],
  body: [
    get(1), { op: "f64.abs" }, set(2),
    { op: "loop" },
    // q = floor(f / 10); the digit f - 10 q (exact: f < 2^31)
    get(2), { op: "f64.const", value: 10 }, { op: "f64.div" }, { op: "f64.floor" }, set(3),
    get(0), i32(1), { op: "i32.sub" }, set(0),
    get(0), get(2), get(3), { op: "f64.const", value: 10 }, { op: "f64.mul" }, { op: "f64.sub" }, { op: "i32.trunc_f64_u" }, i32(48), { op: "i32.add" }, { op: "i32.store8", offset: 0 },
    get(3), set(2),
    get(2), { op: "f64.const", value: 0 }, { op: "f64.gt" }, { op: "br_if", depth: 0 },
    { op: "end" },
    get(1), { op: "f64.const", value: 0 }, { op: "f64.lt" }, { op: "if" },
    get(0), i32(1), { op: "i32.sub" }, set(0), get(0), i32(45), { op: "i32.store8", offset: 0 },
    { op: "end" },
    get(0),
  ],
};

/**
 * fz_get(obj i64, atom i32, undefinedIsNaN i32) -> f64: the number at obj[atom], found as the
 * interpreter finds it when no JS runs on the way: own, then inherited data properties. A
 * missing property is undefined: NaN where the caller said the two behave alike, else DEOPT;
 * a getter, a proxy, no object, or a value that is no number: DEOPT. An exception (a
 * module namespace's binding before its initialisation): THROWN. `desc` is 32 bytes of
 * static data for a JSPropertyDescriptor {int flags; JSValue value, getter, setter}.
 *
 * fz_getv(obj, atom, 0) -> i64, the same lookup for `o.a` in `o.a.b`: the value itself (a new
 * reference), undefined when missing (the read of .b from it falls back).
 */
function readHelper(desc: () => Instr[], value: boolean): Func {
  const [obj, name, undef] = [0, 1, 2];
  const [cur, owned, r, v] = [3, 4, 5, 6];
  const zero: Instr = value ? { op: "i64.const", value: 0 } : { op: "f64.const", value: 0 };
  const leave = (code: number): Instr[] => [i32(code), { op: "global.set", global: OVERFLOW }, zero, { op: "return" }];
  const dropCur: Instr[] = [get(owned), { op: "if" }, ...free(cur), { op: "end" }];
  const descAt = (offset: number): Instr[] => [...desc(), { op: "i64.load", offset }];
  // the value found, as a number: an int (tag 0), a float64 (every tag from JS_TAG_FLOAT64 up and
  // below the first negative one: NaN-boxing), undefined where NaN may stand for it; else DEOPT
  const asNumber: Instr[] = [
    ...descAt(8), { op: "local.tee", local: v }, ...TAG_OF, { op: "local.tee", local: r }, { op: "i32.eqz" }, { op: "if" },
    get(v), { op: "i32.wrap_i64" }, { op: "f64.convert_i32_s" }, { op: "return" },
    { op: "end" },
    get(r), i32(-9), { op: "i32.sub" }, i32(8 + 9), { op: "i32.ge_u" }, { op: "if" },
    ctx, ...desc(), get(v), { op: "call", func: "JS_ToFloat64" }, { op: "drop" }, ...desc(), { op: "f64.load", offset: 0 }, { op: "return" },
    { op: "end" },
    get(r), i32(TAG.undefined), { op: "i32.eq" }, get(undef), { op: "i32.and" }, { op: "if" }, { op: "f64.const", value: NaN }, { op: "return" }, { op: "end" },
    ...free(v), ...leave(DEOPT),
  ];
  return {
    name: value ? READ_VALUE_HELPER : READ_HELPER,
    params: ["i64", "i32", "i32"],
    results: [value ? "i64" : "f64"],
    locals: ["i64", "i32", "i32", "i64"],
    body: [
      get(obj), set(cur),
      get(cur), ...TAG_OF, i32(TAG.object), { op: "i32.ne" }, { op: "if" }, ...leave(DEOPT), { op: "end" },
      { op: "loop" },
      get(cur), { op: "call", func: "JS_IsProxy" }, { op: "if" }, ...dropCur, ...leave(DEOPT), { op: "end" },
      ctx, ...desc(), get(cur), get(name), { op: "call", func: "JS_GetOwnProperty" }, { op: "local.tee", local: r },
      i32(0), { op: "i32.lt_s" }, { op: "if" }, ...dropCur, ...leave(THROWN), { op: "end" },
      get(r), { op: "if" },
      ...dropCur,
      // an accessor: its getter and setter (copies) go, and the interpreter calls the getter
      ...desc(), { op: "i32.load", offset: 0 }, i32(1 << 4), { op: "i32.and" }, { op: "if" },
      ctx, ...descAt(16), { op: "call", func: "JS_FreeValue" }, ctx, ...descAt(24), { op: "call", func: "JS_FreeValue" }, ...leave(DEOPT),
      { op: "end" },
      ...(value ? [...descAt(8), { op: "return" } as Instr] : asNumber),
      { op: "end" },
      // not its own: on to the prototype (an object or null; no JS runs for a non-proxy)
      ctx, get(cur), { op: "call", func: "JS_GetPrototype" }, set(v),
      ...dropCur,
      get(v), set(cur), i32(1), set(owned),
      get(cur), ...TAG_OF, i32(TAG.object), { op: "i32.ne" }, { op: "if" },
      ...(value
        ? [get(cur), ...TAG_OF, i32(TAG.null), { op: "i32.eq" }, { op: "if" }, ...mkval(TAG.undefined), { op: "return" }, { op: "end" }]
        : [get(cur), ...TAG_OF, i32(TAG.null), { op: "i32.eq" }, get(undef), { op: "i32.and" }, { op: "if" }, { op: "f64.const", value: NaN }, { op: "return" }, { op: "end" }]) as Instr[],
      ...free(cur), ...leave(DEOPT),
      { op: "end" },
      { op: "br", depth: 0 },
      { op: "end" },
      { op: "unreachable" },
    ],
  };
}

/**
 * Parameters used as objects: `p.name` (not computed) or `p.method(...)`, or only ever handed
 * on as a value (a literal's field, a method's argument); and not already typed arrays or DataViews.
 */
export function objectNames(body: N, names: string[], taken: (name: string) => boolean): Set<string> {
  const asObject = new Set<string>();
  const handedOn = new Set<string>();
  const otherwise = new Set<string>();
  const walk = (n: N, parent?: N): void => {
    if (n.type === "Identifier" && names.includes(n.name) && parent) {
      if (parent.type === "MemberExpression" && parent.object === n && !parent.computed) asObject.add(n.name);
      else if (parent.type === "MemberExpression" && parent.property === n && !parent.computed) return;
      else if (parent.type === "Property" && parent.key === n && parent.value !== n && !parent.computed) return;
      else if ((parent.type === "Property" && parent.value === n) || (parent.type === "CallExpression" && isMethodOfObject(parent.callee) && parent.arguments.includes(n))) handedOn.add(n.name);
      else otherwise.add(n.name);
      return;
    }
    for (const c of children(n)) walk(c, n);
  };
  // (not Math.max(a, b), not a DataView's view.setUint8(i, v): those take numbers)
  const isMethodOfObject = (callee: N) => callee.type === "MemberExpression" && !callee.computed && callee.object.type === "Identifier" && names.includes(callee.object.name) && !taken(callee.object.name);
  walk(body);
  const out = new Set<string>();
  for (const name of [...asObject, ...handedOn]) if (!taken(name) && (asObject.has(name) || !otherwise.has(name))) out.add(name);
  return out;
}

/**
 * The reads (`o.x` nodes) whose value goes straight into arithmetic, an order comparison, a
 * test or a Math function: there undefined and NaN give the same result, so a missing
 * property may read as NaN. Anywhere else (===, return, a literal's field, a local) a
 * missing property falls back to the interpreter.
 */
export function numericReads(fn: N): Set<N> {
  const known = numericReadsOf.get(fn);
  if (known) return known;
  const out = new Set<N>();
  numericReadsOf.set(fn, out);
  const isString = (e: N) => (e.type === "Literal" && typeof e.value === "string") || e.type === "TemplateLiteral";
  const walk = (n: N): void => {
    const take = (e: N | undefined) => e && e.type === "MemberExpression" && !e.computed && out.add(e);
    switch (n.type) {
      case "BinaryExpression":
        if (!["==", "!=", "===", "!==", "in", "instanceof"].includes(n.operator) && !(n.operator === "+" && (isString(n.left) || isString(n.right)))) (take(n.left), take(n.right));
        break;
      case "UnaryExpression":
        if (NUMERIC_UNARY.includes(n.operator)) take(n.argument);
        break;
      case "AssignmentExpression":
        // s += o.x too: compiled code's variables are numbers, and a number plus undefined is NaN
        if (n.operator !== "=") take(n.right);
        break;
      case "CallExpression":
        if (n.callee.type === "MemberExpression" && n.callee.object.type === "Identifier" && n.callee.object.name === "Math") n.arguments.forEach(take);
        break;
      default:
        if (n.test && isTestOf(n, n.test)) take(n.test);
    }
    children(n).forEach(walk);
  };
  walk(fn.body);
  return out;
}
const numericReadsOf = new WeakMap<N, Set<N>>();

/** How --explain names a read made at the start (hoistedReads): it cannot throw there (a throw falls back). */
export const READ_AT_START = " once, at the start";

/**
 * The properties of object parameters that code storing into typed arrays reads once, at its
 * start (analyze.ts hoistReads), "o.p" -> how it uses them: `o.p[i]` (and `o.p.length`) as a
 * typed array, "array", or `o.p` itself, "number". Only in code that calls nothing (Math's
 * functions aside), writes no property and deletes none: no JS runs while it does, so each
 * property keeps the value it had at the start. A read there runs no JS either, and one that
 * falls back (DEOPT) does so before any effect. Empty in code that stores into no array (code
 * that only reads keeps its reads in place, where a missing property may be NaN and a plain
 * Array's length is read), and where a property is used both ways, as an object (o.p.q), or
 * only for its length.
 */
export function hoistedReads(body: N, objects: Set<string>): Map<string, "array" | "number"> {
  const out = new Map<string, "array" | "number">();
  // (an object parameter the code never assigns; asked only past the checks below, once a name)
  const kept = new Map<string, boolean>();
  const isObject = (name: string) => objects.has(name) && (kept.get(name) ?? kept.set(name, !assigns(body, name)).get(name)!);
  const target = (n: N) => (n.type === "AssignmentExpression" ? n.left : n.argument);
  const writes = (n: N) => (storesMember(n) && !target(n).computed) || (n.type === "UnaryExpression" && n.operator === "delete");
  if (callsBeyondMath(body) || someNode(body, writes) || !someNode(body, (n) => storesMember(n) && target(n).computed)) return out;
  // each property's uses: as an array (o.p[i]), its length (o.p.length), or as a number (o.p)
  const uses = new Map<string, Set<"element" | "length" | "number">>();
  let other = false;
  const walk = (n: N, parent?: N): void => {
    if (n.type === "MemberExpression" && !n.computed && !n.optional && n.object.type === "Identifier" && n.property.type === "Identifier" && isObject(n.object.name)) {
      const key = `${n.object.name}.${n.property.name}`;
      const under = parent?.type === "MemberExpression" && parent.object === n;
      const length = under && !parent.computed && parent.property.type === "Identifier" && parent.property.name === "length";
      if (under && !parent.computed && !length) other = true; // (o.p.q)
      if (!uses.has(key)) uses.set(key, new Set());
      uses.get(key)!.add(under ? (length ? "length" : "element") : "number");
      return;
    }
    for (const c of children(n)) walk(c, n);
  };
  walk(body);
  for (const [key, use] of uses) {
    // (a length alone may be a plain Array's, which a read in place takes and an array read here would not)
    if (other || (use.has("number") && use.size > 1) || (use.has("length") && !use.has("element"))) return new Map();
    out.set(key, use.has("number") ? "number" : "array");
  }
  return out;
}

/** What a compiled function or loop does with objects, for --explain. */
export function objectsHow(ops: Set<string> | undefined): string {
  return ops?.size ? `; objects: ${[...ops].join(", ")}` : "";
}

/** Why code is refused that would run JS while it holds variables from around it that JS could change (it would keep their stale values). */
export const RUNS_JS_HOLDING = "runs JS (a method call, a property write) while it holds variables from around it that JS could change";

/** Does `c`'s compiled code run JS (a method call, a property write: a setter, a proxy, a replaced method)? */
export const runsJs = (c: Candidate) => [...(c.objectOps ?? [])].some((op) => op.startsWith("calls ") || op.startsWith("writes "));
