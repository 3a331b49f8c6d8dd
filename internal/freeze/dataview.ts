// DataView reads and writes done in place. The wrapper hands frozen code a
// DataView as three values: its JSValue, the address of its first byte in the
// guest's memory and its length in bytes, read from the view's own fields
// (viewFields, a layout checked at init) or else from DataView.prototype's own
// getters taken at init (buffer, byteOffset, byteLength: no JS of the app
// runs); where they throw (a detached or out-of-bounds view) the length is 0.
// Frozen code runs no JS, so the bytes stay where they are for the whole call.
//
// view.getUint32(off, le) reads the bytes itself when ToIndex(off) + 4 fits
// in that length, which for a number off is: -1 < off < 2^31 and
// trunc(off) + 4 <= length; everything else (NaN, a fraction below 0, past
// the end, a missing argument) takes the engine's method as before, which
// throws what JS throws. Stored floats are NaN-canonical first, as the
// interpreter's NaN-boxed values are, so the bytes match bit for bit.

import type { Instr, ValType } from "./encode.ts";
import { canonical, TAG, TAG_OF, toInt32Inline } from "./runtime.ts";

/** Each method's element: its size in bytes, and what its bits mean. */
const METHODS: Record<string, { size: 1 | 2 | 4 | 8; as: "int" | "uint" | "float" }> = {
  Int8: { size: 1, as: "int" },
  Uint8: { size: 1, as: "uint" },
  Int16: { size: 2, as: "int" },
  Uint16: { size: 2, as: "uint" },
  Int32: { size: 4, as: "int" },
  Uint32: { size: 4, as: "uint" },
  Float32: { size: 4, as: "float" },
  Float64: { size: 8, as: "float" },
};

/** DataView.prototype's getters the wrapper calls, in the order their JSValues are kept. */
export const VIEW_GETTERS = ["buffer", "byteOffset", "byteLength"] as const;

const get = (local: number): Instr => ({ op: "local.get", local });
const set = (local: number): Instr => ({ op: "local.set", local });
const i32 = (value: number): Instr => ({ op: "i32.const", value });
/** Takes the pending exception and frees it. */
const dropException = (ctx: Instr): Instr[] => [ctx, ctx, { op: "call", func: "JS_GetException" }, { op: "call", func: "JS_FreeValue" }];
/**
 * Wrapper code: the address (`ptr`) and length (`len`) of the bytes of the DataView in JSValue
 * local `v`; length 0 where a getter throws. `getters`: where the three getters' JSValues are
 * kept; `scratch`: 8 bytes; `n` an i32 local, `r` an i64 local.
 */
export function viewBytes(ctx: Instr, v: number, ptr: number, len: number, n: number, r: number, getters: Instr[], scratch: Instr[]): Instr[] {
  const call = (k: number): Instr[] => [ctx, ...getters, { op: "i64.load", offset: 8 * k }, get(v), i32(0), i32(0), { op: "call", func: "JS_Call" }, set(r)];
  // unless the result has tag `t`: free it (or drop the exception: the engine's method throws it again where JS would), no bytes
  const expect = (t: number): Instr[] => [
    get(r), ...TAG_OF, i32(t), { op: "i32.ne" }, { op: "if" },
    get(r), ...TAG_OF, i32(TAG.exception), { op: "i32.eq" }, { op: "if" }, ...dropException(ctx), { op: "else" }, ctx, get(r), { op: "call", func: "JS_FreeValue" }, { op: "end" },
    { op: "br", depth: 1 }, { op: "end" },
  ];
  return [
    i32(0), set(len), i32(0), set(ptr),
    { op: "block" },
    // byteLength and byteOffset: ints (tag 0); buffer: an ArrayBuffer whose data the engine hands
    // out (null, with an exception, for any other kind of buffer)
    ...call(2), ...expect(0), get(r), { op: "i32.wrap_i64" }, set(n),
    ...call(1), ...expect(0), get(r), { op: "i32.wrap_i64" }, set(ptr),
    ...call(0), ...expect(TAG.object),
    ctx, ...scratch, get(r), { op: "call", func: "JS_GetArrayBuffer" }, { op: "local.get", local: ptr }, { op: "i32.add" }, set(ptr),
    ctx, get(r), { op: "call", func: "JS_FreeValue" },
    ...scratch, { op: "i32.load", offset: 0 }, { op: "i32.eqz" }, { op: "if" }, ...dropException(ctx), i32(0), set(ptr), { op: "br", depth: 1 }, { op: "end" },
    get(n), set(len),
    { op: "end" },
  ];
}

/** The element of a DataView method name (getUint32 -> Uint32), if frozen code does it in place. */
export const viewElement = (method: string) => METHODS[method.slice(3)];

/**
 * Leaves 1 when f64 local `off` is a byte offset whose `size` bytes lie inside the view (then
 * i32 local `k` is that offset), else 0.
 */
export function viewFits(off: number, len: number, k: number, size: number): Instr[] {
  return [
    get(off), { op: "f64.const", value: -1 }, { op: "f64.gt" }, get(off), { op: "f64.const", value: 2 ** 31 }, { op: "f64.lt" }, { op: "i32.and" },
    { op: "if", result: "i32" },
    get(len), get(off), { op: "i32.trunc_f64_s" }, { op: "local.tee", local: k }, i32(size), { op: "i32.add" }, { op: "i32.ge_u" },
    { op: "else" }, i32(0), { op: "end" },
  ];
}

/** The `size` bytes at address ptr + k as an unsigned i32 (size <= 4), little- or big-endian. */
function bits(ptr: number, k: number, size: number, little: boolean, offset = 0): Instr[] {
  const addr: Instr[] = [get(ptr), get(k), { op: "i32.add" }];
  if (little || size === 1) return [...addr, { op: size === 1 ? "i32.load8_u" : size === 2 ? "i32.load16_u" : "i32.load", offset }];
  const out: Instr[] = [];
  for (let b = 0; b < size; b++) {
    out.push(...addr, { op: "i32.load8_u", offset: offset + b });
    if (b < size - 1) out.push(i32(8 * (size - 1 - b)), { op: "i32.shl" });
    if (b > 0) out.push({ op: "i32.or" });
  }
  return out;
}

/** view.get<El>(off[, le]) in place, once viewFits holds: leaves the f64. `little`: a constant or an i32 local. */
export function viewGet(method: string, ptr: number, k: number, little: boolean | Instr[]): Instr[] {
  const { size, as } = viewElement(method)!;
  const read = (le: boolean): Instr[] => {
    if (size === 8) {
      if (le) return [get(ptr), get(k), { op: "i32.add" }, { op: "f64.load", offset: 0 }];
      // big-endian: the high word first
      return [...bits(ptr, k, 4, false), { op: "i64.extend_i32_u" }, { op: "i64.const", value: 32 }, { op: "i64.shl" }, ...bits(ptr, k, 4, false, 4), { op: "i64.extend_i32_u" }, { op: "i64.or" }, { op: "f64.reinterpret_i64" }];
    }
    const out = bits(ptr, k, size, le);
    if (as === "float") return [...out, { op: "f32.reinterpret_i32" }, { op: "f64.promote_f32" }];
    if (as === "uint") return [...out, { op: "f64.convert_i32_u" }];
    const shift = 32 - 8 * size;
    return [...out, ...(shift ? [i32(shift), { op: "i32.shl" }, i32(shift), { op: "i32.shr_s" }] as Instr[] : []), { op: "f64.convert_i32_s" }];
  };
  if (typeof little === "boolean") return read(little);
  return [...little, { op: "if", result: "f64" }, ...read(true), { op: "else" }, ...read(false), { op: "end" }];
}

/**
 * view.set<El>(off, v[, le]) in place, once viewFits holds: f64 local `v`, converted as the
 * method converts (ToInt32's low bits; floats NaN-canonical). Scratch locals: `x` (i32), `w` (i64).
 */
export function viewSet(method: string, ptr: number, k: number, v: number, x: number, w: number, little: boolean | Instr[]): Instr[] {
  const { size, as } = viewElement(method)!;
  const addr: Instr[] = [get(ptr), get(k), { op: "i32.add" }];
  // the value's bits: an i32 (size <= 4), or the i64 in w
  const value: Instr[] =
    as !== "float"
      ? [get(v), ...toInt32Inline(v)]
      : size === 4
        ? [...canonical(v), { op: "f32.demote_f64" }, { op: "i32.reinterpret_f32" }]
        : [...canonical(v), { op: "i64.reinterpret_f64" }, set(w)];
  const write = (le: boolean): Instr[] => {
    if (size === 8) {
      if (le) return [...addr, get(w), { op: "i64.store", offset: 0 }];
      const word = (hi: boolean): Instr[] => [get(w), ...(hi ? [{ op: "i64.const", value: 32 }, { op: "i64.shr_u" }] as Instr[] : []), { op: "i32.wrap_i64" }];
      return [...word(true), set(x), ...storeBytes(addr, x, 4, 0), ...word(false), set(x), ...storeBytes(addr, x, 4, 4)];
    }
    if (le || size === 1) return [...addr, get(x), { op: size === 1 ? "i32.store8" : size === 2 ? "i32.store16" : "i32.store", offset: 0 }];
    return storeBytes(addr, x, size, 0);
  };
  const out: Instr[] = [...value, ...(size === 8 ? [] : [set(x)])];
  if (typeof little === "boolean") return [...out, ...write(little)];
  return [...out, ...little, { op: "if" }, ...write(true), { op: "else" }, ...write(false), { op: "end" }];
}

/** Big-endian: the `size` low bytes of i32 local x at addr + offset, the highest first. */
function storeBytes(addr: Instr[], x: number, size: number, offset: number): Instr[] {
  const out: Instr[] = [];
  for (let b = 0; b < size; b++) {
    const shift = 8 * (size - 1 - b);
    out.push(...addr, get(x), ...(shift ? [i32(shift), { op: "i32.shr_u" }] as Instr[] : []), { op: "i32.store8", offset: offset + b });
  }
  return out;
}

// The same address and length read straight from the engine's objects, without three getter
// calls per entry (a function entered often for a few bytes paid ~300 ns a call for them):
// QuickJS-NG's layout on wasm32, checked at init on a view it makes (viewProbe); where anything
// differs, or the view tracks a resizable buffer's length, or its buffer is detached or too short
// for it, the getters decide as above.
const LAYOUT = {
  /** JSObject: u.typed_array (a DataView), u.array_buffer (an ArrayBuffer) */
  objectU: 24,
  /** JSTypedArray: buffer (its ArrayBuffer's JSObject), offset, length, track_rab */
  taBuffer: 12, taOffset: 16, taLength: 20, taTrack: 24,
  /** JSArrayBuffer: byte_length, detached, data */
  abLength: 0, abDetached: 8, abData: 12,
} as const;

/**
 * Wrapper code before viewBytes: when the probe held (`ok`), the view's address and length from
 * its own fields into `ptr` and `len`, and a branch out of the enclosing block (`depth`); else
 * nothing. Scratch i32 locals `ta`, `ab`.
 */
export function viewFields(v: number, ptr: number, len: number, ta: number, ab: number, ok: Instr[], depth: number): Instr[] {
  const load = (base: number, offset: number): Instr[] => [get(base), { op: "i32.load", offset }];
  return [
    ...ok, { op: "i32.load", offset: 0 }, { op: "if" },
    get(v), { op: "i32.wrap_i64" }, { op: "i32.load", offset: LAYOUT.objectU }, set(ta),
    ...load(ta, LAYOUT.taBuffer), { op: "i32.load", offset: LAYOUT.objectU }, set(ab),
    // not length-tracking, not detached, and offset + length within the buffer (in 64 bits: no wrap)
    get(ta), { op: "i32.load8_u", offset: LAYOUT.taTrack }, get(ab), { op: "i32.load8_u", offset: LAYOUT.abDetached }, { op: "i32.or" }, { op: "i32.eqz" },
    ...load(ta, LAYOUT.taOffset), { op: "i64.extend_i32_u" }, ...load(ta, LAYOUT.taLength), { op: "i64.extend_i32_u" }, { op: "i64.add" },
    ...load(ab, LAYOUT.abLength), { op: "i64.extend_i32_u" }, { op: "i64.le_u" }, { op: "i32.and" },
    { op: "if" },
    ...load(ab, LAYOUT.abData), ...load(ta, LAYOUT.taOffset), { op: "i32.add" }, set(ptr),
    ...load(ta, LAYOUT.taLength), set(len),
    { op: "br", depth: depth + 2 },
    { op: "end" },
    { op: "end" },
  ];
}

/**
 * Init code: makes new DataView(<16 bytes>, 3, 8) with the engine's own constructor (`ctor`, a
 * JSValue on the stack's instructions) and checks LAYOUT against it, and the detached flag after
 * detaching its buffer; stores 1 at `ok` when all holds. `args`: 24 bytes for the constructor's
 * arguments; `scratch`: 16 bytes. Locals: `abv`, `dv` (i64), `p` (i32).
 */
export function viewProbe(ctx: Instr, ctor: Instr[], abv: number, dv: number, ok: Instr[], args: Instr[], scratch: Instr[]): Instr[] {
  const fail: Instr = { op: "br_if", depth: 0 };
  const field = (base: Instr[], offset: number): Instr[] => [...base, { op: "i32.load", offset }];
  const ta: Instr[] = [get(dv), { op: "i32.wrap_i64" }, { op: "i32.load", offset: LAYOUT.objectU }];
  const abuf: Instr[] = [get(abv), { op: "i32.wrap_i64" }, { op: "i32.load", offset: LAYOUT.objectU }];
  return [
    { op: "i64.const", value: 0 }, set(dv),
    ctx, ...scratch, i32(16), { op: "call", func: "JS_NewArrayBufferCopy" }, set(abv),
    { op: "block" },
    get(abv), ...TAG_OF, i32(TAG.object), { op: "i32.ne" }, { op: "if" }, ...dropException(ctx), { op: "br", depth: 1 }, { op: "end" },
    ...args, get(abv), { op: "i64.store", offset: 0 },
    ...args, { op: "i64.const", value: 3 }, { op: "i64.store", offset: 8 }, // JS_MKVAL(JS_TAG_INT, 3)
    ...args, { op: "i64.const", value: 8 }, { op: "i64.store", offset: 16 },
    ctx, ...ctor, i32(3), ...args, { op: "call", func: "JS_CallConstructor" }, set(dv),
    get(dv), ...TAG_OF, i32(TAG.exception), { op: "i32.eq" }, { op: "if" }, ...dropException(ctx), { op: "br", depth: 1 }, { op: "end" },
    get(dv), { op: "call", func: "JS_IsDataView" }, { op: "i32.eqz" }, fail,
    ...field(ta, LAYOUT.taOffset), i32(3), { op: "i32.ne" }, fail,
    ...field(ta, LAYOUT.taLength), i32(8), { op: "i32.ne" }, fail,
    ...ta, { op: "i32.load8_u", offset: LAYOUT.taTrack }, fail,
    ...field(ta, LAYOUT.taBuffer), get(abv), { op: "i32.wrap_i64" }, { op: "i32.ne" }, fail,
    ...field(abuf, LAYOUT.abLength), i32(16), { op: "i32.ne" }, fail,
    ...abuf, { op: "i32.load8_u", offset: LAYOUT.abDetached }, fail,
    ...field(abuf, LAYOUT.abData), ctx, ...scratch, get(abv), { op: "call", func: "JS_GetArrayBuffer" }, { op: "i32.ne" }, fail,
    ctx, get(abv), { op: "call", func: "JS_DetachArrayBuffer" },
    ...abuf, { op: "i32.load8_u", offset: LAYOUT.abDetached }, i32(1), { op: "i32.ne" }, fail,
    ...ok, i32(1), { op: "i32.store", offset: 0 },
    { op: "end" },
    ctx, get(dv), { op: "call", func: "JS_FreeValue" },
    ctx, get(abv), { op: "call", func: "JS_FreeValue" },
  ];
}
