// The side module (dylink.0) for the frozen functions, emitted directly: no
// C compiler, no toolchain at the user's. It imports QuickJS's API and its
// fmod/pow from the main module, shares its memory and function table, and
// holds the frozen functions, the helpers, a JS-callable wrapper for each
// function (in the table, at __table_base + n) and the init function that
// hands them to the runtime.
//
// JSValue is QuickJS-NG's NaN-boxed 64-bit value on wasm32 (an i64 here); only
// the exported API touches its bits (JS_ToFloat64, JS_NewNumber), so the
// layout is QuickJS's business.

import { BAIL, CTX, intName, outputsInArray, type Frozen, type PlainWindow } from "./analyze.ts";
import { FINDS_HELPER, findsHelper, ITER, iterationCheck, iterationInit, PLAIN, plainArgument, plainCopy, plainWindow, probe } from "./arrays.ts";
import { VIEW_GETTERS, viewBytes, viewFields, viewProbe } from "./dataview.ts";
import { ModuleBuilder, type Func, type Instr, type ValType } from "./encode.ts";
import { ARRAY_KINDS, BUFFER_HELPER, DATAVIEW_METHODS, DEOPT, HELPER, HELPERS, otherKind, OVERFLOW, STATIC, TAG, TAG_OF, THROWN } from "./runtime.ts";
import { layoutConstants, mkval, OBJECT_API, objectHelpers } from "./objects.ts";

export const INIT_FN = "qjs_ext_frozen_init";
/** The global the init function sets, taken (and deleted) by the app's prologue. */
export const FROZEN_GLOBAL = "__edgebox_frozen";

/** The C API functions used, with their wasm32 signatures (checked against quickjs.wasm by tests/freeze.test.ts). */
export const API: Record<string, [ValType[], ValType[]]> = {
  JS_NewNumber: [["i32", "f64"], ["i64"]],
  JS_ToFloat64: [["i32", "i32", "i64"], ["i32"]],
  JS_NewObject: [["i32"], ["i64"]],
  JS_NewCFunction2: [["i32", "i32", "i32", "i32", "i32", "i32"], ["i64"]],
  JS_SetPropertyStr: [["i32", "i64", "i32", "i64"], ["i32"]],
  JS_GetGlobalObject: [["i32"], ["i64"]],
  JS_FreeValue: [["i32", "i64"], []],
  // variadic in C: (ctx, fmt, pointer to the arguments)
  JS_ThrowRangeError: [["i32", "i32", "i32"], ["i64"]],
  // typed arrays: kind, (buffer, offset, length in bytes), the buffer's data
  JS_GetTypedArrayType: [["i64"], ["i32"]],
  JS_GetTypedArrayBuffer: [["i32", "i64", "i32", "i32", "i32"], ["i64"]],
  JS_GetArrayBuffer: [["i32", "i32", "i64"], ["i32"]],
  JS_GetException: [["i32"], ["i64"]],
  // %TypedArray%.prototype's length getter, taken at init (the length a buffer resize leaves)
  JS_GetPropertyStr: [["i32", "i64", "i32"], ["i64"]],
  JS_GetPrototype: [["i32", "i64"], ["i64"]],
  JS_NewAtom: [["i32", "i32"], ["i32"]],
  JS_FreeAtom: [["i32", "i32"], []],
  JS_GetOwnProperty: [["i32", "i32", "i64", "i32"], ["i32"]],
  JS_NewAtomUInt32: [["i32", "i32"], ["i32"]],
  JS_Call: [["i32", "i64", "i64", "i32", "i32"], ["i64"]],
  JS_IsDataView: [["i64"], ["i32"]],
  // the init probe of a DataView's fields (dataview.ts)
  JS_NewArrayBufferCopy: [["i32", "i32", "i32"], ["i64"]],
  JS_CallConstructor: [["i32", "i64", "i32", "i32"], ["i64"]],
  JS_DetachArrayBuffer: [["i32", "i64"], []],
  // a compiled loop's variables, back to JS
  JS_NewArray: [["i32"], ["i64"]],
  JS_SetPropertyUint32: [["i32", "i64", "i32", "i64"], ["i32"]],
  // plain Arrays (arrays.ts)
  JS_GetLength: [["i32", "i64", "i32"], ["i32"]],
  JS_GetClassID: [["i64"], ["i32"]],
  // QuickJS's own: its % and ** call these, so frozen code rounds exactly as the interpreter does
  fmod: [["f64", "f64"], ["f64"]],
  pow: [["f64", "f64"], ["f64"]],
  ...OBJECT_API,
};

export interface EmittedModule {
  wasm: Uint8Array;
  /** The frozen functions as text, for --explain. */
  listing: string;
}

export function emitModule(fns: Frozen[]): EmittedModule {
  const m = new ModuleBuilder();
  m.importMemory("env", "memory");
  m.importTable("env", "__indirect_function_table");
  m.importGlobal("env", "__memory_base", "i32");
  m.importGlobal("env", "__table_base", "i32");
  // the C stack, for the arguments of calls into the engine (objects.ts)
  const bodies = fns.flatMap((f) => [f.body, ...(f.int ? [f.int.body] : [])]);
  if (bodies.some((b) => b.some((ins) => ins.op === "global.get" && ins.global === "__stack_pointer"))) m.importGlobal("env", "__stack_pointer", "i32", true);
  for (const [name, [params, results]] of Object.entries(API)) m.importFunc("env", name, params, results);
  m.global(OVERFLOW, "i32", true, 0);
  m.global(CTX, "i32", true, 0);
  for (const h of HELPERS) m.func(h);

  // static data: STATIC's fixed part (DataView's methods, a call's arguments, the compiled loops'
  // outputs), 16 bytes where JS_ToFloat64 and JS_GetTypedArrayBuffer write, log2 of each
  // typed-array kind's element size, then the strings
  // (each output's f64, then for each an i32 "written": analyze.ts storeOutputs)
  const fixed = m.staticData(new Uint8Array(STATIC.outputs + 16 * Math.max(1, ...fns.map((f) => f.cand.loop?.outputs.length ?? 0))), 8);
  if (fixed !== 0) throw new Error("STATIC must start the static data (analyze.ts addresses it from __memory_base)");
  const outputs = STATIC.outputs;
  const scratch = m.staticData(new Uint8Array(16), 8);
  // the length getter (a JSValue the module keeps), and a JSPropertyDescriptor {int flags; JSValue value, getter, setter}
  const lengthGetter = m.staticData(new Uint8Array(8), 8);
  const desc = m.staticData(new Uint8Array(32), 8);
  const log2 = m.staticData(Array.from({ length: 12 }, (_, k) => ARRAY_KINDS[k] ?? 0));
  // the init probe's verdict on plain Arrays (1: frozen code may read them), in memory to survive the snapshot
  const plainOk = m.staticData(new Uint8Array(4), 4);
  // DataView.prototype's buffer, byteOffset and byteLength getters (JSValues the module keeps)
  const viewGetters = m.staticData(new Uint8Array(8 * VIEW_GETTERS.length), 8);
  // the init probe's verdict on DataViews' fields (1: the wrapper may read them)
  const viewOk = m.staticData(new Uint8Array(4), 4);
  // their names' atoms, for the wrappers' lookups (fz_finds)
  const viewAtoms = m.staticData(new Uint8Array(4 * DATAVIEW_METHODS.length), 4);
  // for-of's checks (arrays.ts): the built-in iteration, kept at init
  const iterates = fns.some((f) => f.entry && f.iterated?.size);
  const iter = iterates ? m.staticData(new Uint8Array(ITER.size), 8) : 0;
  const at = (offset: number): Instr[] => [{ op: "global.get", global: "__memory_base" }, { op: "i32.const", value: offset }, { op: "i32.add" }];
  const stackMessage = m.cString("Maximum call stack size exceeded");
  const ctx: Instr = { op: "local.get", local: 0 };

  const register: Instr[] = [];
  // Calls from f64 code to a function with an int32 variant go through its dispatcher (a
  // function's calls to itself stay in its own form)
  const withInt = new Set(fns.filter((f) => f.int).map((f) => f.cand.id));
  const dispatched = new Set(fns.filter((f) => f.int && f.entry).map((f) => f.cand.id));
  for (const f of fns) {
    for (const ins of f.body) {
      if (ins.op === "call" && ins.func !== f.cand.id && withInt.has(ins.func)) (dispatched.add(ins.func), (ins.func = dispatcherName(ins.func)));
    }
  }
  for (const f of fns) {
    const n = f.cand.params.length;
    const slots = f.paramTys.flatMap((t): ValType[] => (t === "array" ? ["i32", "i32", "i32"] : t === "view" ? ["i64", "i32", "i32"] : t === "value" ? ["i64"] : ["f64"]));
    m.func({ name: f.cand.id, params: [...slots, "i32"], results: [f.ret === "number" ? "f64" : "i32"], locals: f.locals, body: f.body });
    if (dispatched.has(f.cand.id)) {
      m.func({ name: intName(f.cand), params: [...f.int!.params, "i32"], results: ["i32"], locals: f.int!.locals, body: f.int!.body });
      m.func(dispatcher(f));
    }
    if (!f.entry) continue; // called by other frozen functions only

    // JSValue js_<id>(JSContext *ctx, JSValue this, int argc, JSValue *argv): numbers as f64
    // (missing ones are 0: the JS guard calls with all of them numbers); typed arrays as
    // their three values, and anything else there makes the wrapper return undefined,
    // which tells the guard to run the function's JS (frozen functions never return undefined)
    const wrapper = `js_${f.cand.id}`;
    const body: Instr[] = [];
    const locals: ValType[] = [];
    const local = (t: ValType) => (locals.push(t), 3 + locals.length);
    const args: number[] = [];
    const undef: Instr[] = [...mkval(TAG.undefined), { op: "return" }];
    const arg = (i: number): Instr[] => [{ op: "local.get", local: 3 }, { op: "i64.load", offset: 8 * i }];
    body.push(ctx, { op: "global.set", global: CTX });
    let iteratorChecked = false;
    const inWindows: { ptr: number; len: number; kind: number; val: number; windows: PlainWindow[]; slow?: number; copy: number }[] = [];
    const numberLocal = new Map<number, number>();
    for (let i = 0; i < n; i++) {
      if (f.paramTys[i] === "value") {
        // any value, borrowed from argv (undefined when missing); objects.ts decides what compiled code does with it
        const v = local("i64");
        args.push(v);
        body.push(...mkval(TAG.undefined), { op: "local.set", local: v }, { op: "local.get", local: 2 }, { op: "i32.const", value: i }, { op: "i32.gt_s" }, { op: "if" }, ...arg(i), { op: "local.set", local: v }, { op: "end" });
        continue;
      }
      if (f.paramTys[i] === "view") {
        // a DataView whose methods (those it calls) are still DataView's own, as they were at init,
        // found by a lookup that runs no JS (a getter there, or a proxy, declines: fz_finds)
        const [v, fn, ptr, len, n, ta] = [local("i64"), local("i64"), local("i32"), local("i32"), local("i32"), local("i32")];
        args.push(v, ptr, len);
        body.push({ op: "local.get", local: 2 }, { op: "i32.const", value: i }, { op: "i32.le_s" }, { op: "if" }, ...undef, { op: "end" });
        body.push(...arg(i), { op: "local.tee", local: v }, { op: "call", func: "JS_IsDataView" }, { op: "i32.eqz" }, { op: "if" }, ...undef, { op: "end" });
        for (const method of f.cand.views!.get(f.cand.params[i]!)!) {
          const k = DATAVIEW_METHODS.indexOf(method);
          body.push({ op: "local.get", local: v }, ...at(viewAtoms + 4 * k), { op: "i32.load", offset: 0 }, ...at(STATIC.dataView + 8 * k), { op: "i64.load", offset: 0 });
          body.push({ op: "call", func: FINDS_HELPER }, { op: "i32.eqz" }, { op: "if" }, ...undef, { op: "end" });
        }
        // its bytes, for the reads and writes done in place (dataview.ts)
        body.push({ op: "block" }, ...viewFields(v, ptr, len, ta, n, at(viewOk), 0), ...viewBytes(ctx, v, ptr, len, n, fn, at(viewGetters), at(scratch)), { op: "end" });
        continue;
      }
      if (f.paramTys[i] === "array") {
        const [ptr, len, kind, gone] = [local("i32"), local("i32"), local("i32"), local("i32")];
        args.push(ptr, len, kind);
        body.push({ op: "local.get", local: 2 }, { op: "i32.const", value: i }, { op: "i32.le_s" }, { op: "if" }, ...undef, { op: "end" });
        body.push(...arg(i), ...otherKind(kind));
        // not one of those: a plain Array, where the function takes one
        body.push({ op: "if" });
        const pw = f.plainWindows?.get(i);
        if (f.plainArrays || pw) {
          const [val, p] = [local("i64"), local("i32")];
          // (an Array only read, in one window, may be one with holes or a slow one: its window is copied)
          const copies = pw?.readOnly && pw.windows.length === 1 ? pw.windows[0]! : undefined;
          const slow = copies ? local("i32") : undefined;
          body.push(...arg(i), { op: "local.set", local: val }, ...plainArgument(ctx, val, p, ptr, len, kind, at(plainOk), at(scratch), undef, slow));
          // (its windows once every parameter is read: a window's base is one)
          const copy = copies ? m.staticData(new Uint8Array(8 * (copies.hi - copies.lo + 1)), 8) : 0;
          if (pw) inWindows.push({ ptr, len, kind, val, windows: pw.windows, slow, copy });
        } else body.push(...undef);
        body.push({ op: "else" }, ...arg(i), { op: "call", func: BUFFER_HELPER }, { op: "local.set", local: gone }, { op: "local.set", local: len }, { op: "local.set", local: ptr }, { op: "end" });
        if (f.iterated?.has(i)) {
          // for-of over it: the built-in iteration (arrays.ts), of a typed array still in bounds (else next throws)
          const val = local("i64");
          body.push({ op: "local.get", local: gone }, { op: "if" }, ...undef, { op: "end" });
          body.push(...arg(i), { op: "local.set", local: val }, ...iterationCheck(val, kind, (o) => at(iter + o), undef, !iteratorChecked));
          iteratorChecked = true;
        }
        continue;
      }
      const v = local("f64");
      args.push(v);
      numberLocal.set(i, v);
      body.push({ op: "local.get", local: 2 }, { op: "i32.const", value: i }, { op: "i32.gt_s" }, { op: "if" });
      body.push(ctx, ...at(scratch), ...arg(i), { op: "call", func: "JS_ToFloat64" }, { op: "drop" });
      body.push(...at(scratch), { op: "f64.load", offset: 0 }, { op: "local.set", local: v }, { op: "end" });
    }
    // a plain Array given to code with effects: it holds its windows, numbers only there (arrays.ts)
    for (const { ptr, len, kind, val, windows, slow, copy } of inWindows) {
      const [j, end, v, b] = [local("i32"), local("i32"), local("i64"), local("f64")];
      const baseOf = (w: PlainWindow) => (w.baseParam === undefined ? undefined : numberLocal.get(w.baseParam)!);
      body.push({ op: "local.get", local: kind }, { op: "i32.const", value: PLAIN }, { op: "i32.eq" }, { op: "if" });
      if (slow !== undefined) {
        body.push({ op: "local.get", local: slow }, { op: "if" }, ...plainCopy(ctx, val, ptr, len, windows[0]!, baseOf(windows[0]!), at(copy), at(desc), j, end, v, b, local("i32"), undef), { op: "else" });
      }
      for (const w of windows) body.push(...plainWindow(ptr, len, w, baseOf(w), j, end, v, b, undef));
      if (slow !== undefined) body.push({ op: "end" });
      body.push({ op: "end" });
    }
    const res = local("f64");
    const result: Instr = { op: "local.set", local: res };
    for (const v of args) body.push({ op: "local.get", local: v });
    body.push({ op: "i32.const", value: 0 }, { op: "call", func: f.int ? dispatcherName(f.cand.id) : f.cand.id });
    // (a boolean or no value: its i32; a function that returns none hands JS a number, which its guard drops)
    if (f.ret === "boolean" || f.ret === "void") body.push({ op: "f64.convert_i32_s" });
    body.push(result);
    // ran out of depth: the interpreter's RangeError; or the engine threw (a DataView call)
    const outs = f.cand.loop?.outputs ?? [];
    const array = f.cand.loop !== undefined && outputsInArray(f.cand.loop);
    const arr = local("i64");
    body.push({ op: "global.get", global: OVERFLOW }, { op: "if" });
    // met what only the interpreter does exactly (arrays.ts, objects.ts): undefined, and the guard runs the JS
    body.push({ op: "global.get", global: OVERFLOW }, { op: "i32.const", value: DEOPT }, { op: "i32.eq" }, { op: "if" }, { op: "i32.const", value: 0 }, { op: "global.set", global: OVERFLOW }, ...undef, { op: "end" });
    body.push({ op: "global.get", global: OVERFLOW }, { op: "i32.const", value: THROWN }, { op: "i32.ne" }, { op: "if" });
    body.push(ctx, ...at(stackMessage), { op: "i32.const", value: 0 }, { op: "call", func: "JS_ThrowRangeError" }, { op: "drop" }, { op: "end" });
    body.push({ op: "i32.const", value: 0 }, { op: "global.set", global: OVERFLOW });
    if (f.cand.loop?.mayThrow) {
      // a compiled loop hands back its variables as they were when it threw, and the exception after them
      body.push(ctx, { op: "call", func: "JS_NewArray" }, { op: "local.set", local: arr });
      body.push(ctx, { op: "local.get", local: arr }, { op: "i32.const", value: outs.length }, ctx, { op: "call", func: "JS_GetException" }, { op: "call", func: "JS_SetPropertyUint32" }, { op: "drop" });
      body.push({ op: "br", depth: 0 }); // (the outputs, below)
    } else body.push(...mkval(TAG.exception), { op: "return" }); // JS_EXCEPTION
    body.push({ op: "end" });
    if (array) {
      // a compiled loop's variables: [v0, v1, ...] (and the exception, if it threw)
      body.push({ op: "local.get", local: arr }, { op: "i64.eqz" }, { op: "if" }, ctx, { op: "call", func: "JS_NewArray" }, { op: "local.set", local: arr }, { op: "end" });
      outs.forEach((name, i) => {
        const number: Instr[] = [ctx, ...at(outputs), { op: "f64.load", offset: 8 * i }, { op: "call", func: "JS_NewNumber" }];
        body.push(ctx, { op: "local.get", local: arr }, { op: "i32.const", value: i });
        // one the loop writes first and never wrote: undefined, which the JS leaves unassigned (index.ts)
        if (f.cand.loop!.firstWritten?.has(name)) {
          body.push(...at(outputs), { op: "i32.load", offset: 8 * (outs.length + i) }, { op: "if", result: "i64" }, ...number, { op: "else" }, ...mkval(TAG.undefined), { op: "end" });
        } else body.push(...number);
        body.push({ op: "call", func: "JS_SetPropertyUint32" }, { op: "drop" });
      });
      body.push({ op: "local.get", local: arr }, { op: "return" });
    }
    if (outs.length === 1) body.push(...at(outputs), { op: "f64.load", offset: 0 }, result);
    body.push(ctx, { op: "local.get", local: res }, { op: "call", func: "JS_NewNumber" });
    m.func({ name: wrapper, params: ["i32", "i64", "i32", "i32"], results: ["i64"], locals, body });
    const slot = m.tableSlot(wrapper);

    // obj[id] = JS_NewCFunction2(ctx, wrapper, name, length, JS_CFUNC_generic, 0)
    register.push(ctx, { op: "local.get", local: 2 }, ...at(m.cString(f.cand.id)));
    register.push(ctx, { op: "global.get", global: "__table_base" }, { op: "i32.const", value: slot }, { op: "i32.add" }, ...at(m.cString(f.cand.name)));
    register.push({ op: "i32.const", value: n }, { op: "i32.const", value: 0 }, { op: "i32.const", value: 0 }, { op: "call", func: "JS_NewCFunction2" });
    register.push({ op: "call", func: "JS_SetPropertyStr" }, { op: "drop" });
  }

  // int qjs_ext_frozen_init(JSContext *ctx, JSRuntime *rt)
  const obj: Instr = { op: "local.get", local: 2 };
  const global: Instr = { op: "local.get", local: 3 };
  const tmp: Instr = { op: "local.get", local: 4 };
  const set = (local: number): Instr => ({ op: "local.set", local });
  const free = (v: Instr[]): Instr[] => [ctx, ...v, { op: "call", func: "JS_FreeValue" }];
  const init: Instr[] = [
    // the length getter: Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Uint8Array.prototype), "length").get,
    // taken before any of the app's code runs
    ctx, { op: "call", func: "JS_GetGlobalObject" }, set(3),
    ctx, global, ...at(m.cString("Uint8Array")), { op: "call", func: "JS_GetPropertyStr" }, set(4),
    ctx, tmp, ...at(m.cString("prototype")), { op: "call", func: "JS_GetPropertyStr" }, set(5),
    ...free([tmp]),
    ctx, { op: "local.get", local: 5 }, { op: "call", func: "JS_GetPrototype" }, set(4),
    ...free([{ op: "local.get", local: 5 }]),
    ctx, ...at(m.cString("length")), { op: "call", func: "JS_NewAtom" }, set(6),
    ctx, ...at(desc), tmp, { op: "local.get", local: 6 }, { op: "call", func: "JS_GetOwnProperty" }, { op: "drop" },
    ctx, { op: "local.get", local: 6 }, { op: "call", func: "JS_FreeAtom" },
    ...free([tmp]),
    ...at(lengthGetter), ...at(desc), { op: "i64.load", offset: 16 }, { op: "i64.store", offset: 0 },
    ...free([...at(desc), { op: "i64.load", offset: 8 }]),
    ...free([...at(desc), { op: "i64.load", offset: 24 }]),
    // DataView's methods, when frozen code calls them: DataView.prototype[m] for each, kept
    ...(fns.some((f) => f.paramTys.includes("view"))
      ? ([
          ctx, global, ...at(m.cString("DataView")), { op: "call", func: "JS_GetPropertyStr" }, set(4),
          ctx, tmp, ...at(m.cString("prototype")), { op: "call", func: "JS_GetPropertyStr" }, set(5),
          ...viewProbe(ctx, [tmp], 2, 7, at(viewOk), at(STATIC.callArgs), at(scratch)),
          ...free([tmp]),
          ...DATAVIEW_METHODS.flatMap((name, k): Instr[] => [
            ...at(STATIC.dataView + 8 * k), ctx, { op: "local.get", local: 5 }, ...at(m.cString(name)), { op: "call", func: "JS_GetPropertyStr" }, { op: "i64.store", offset: 0 },
            ...at(viewAtoms + 4 * k), ctx, ...at(m.cString(name)), { op: "call", func: "JS_NewAtom" }, { op: "i32.store", offset: 0 },
          ]),
          ...VIEW_GETTERS.flatMap((name, k): Instr[] => [
            ctx, ...at(m.cString(name)), { op: "call", func: "JS_NewAtom" }, set(6),
            ctx, ...at(desc), { op: "local.get", local: 5 }, { op: "local.get", local: 6 }, { op: "call", func: "JS_GetOwnProperty" }, { op: "drop" },
            ctx, { op: "local.get", local: 6 }, { op: "call", func: "JS_FreeAtom" },
            ...at(viewGetters + 8 * k), ...at(desc), { op: "i64.load", offset: 16 }, { op: "i64.store", offset: 0 },
            ...free([...at(desc), { op: "i64.load", offset: 8 }]),
            ...free([...at(desc), { op: "i64.load", offset: 24 }]),
          ]),
          ...free([{ op: "local.get", local: 5 }]),
        ] as Instr[])
      : []),
    // objects.ts's atoms and strings, made once
    ...layoutConstants(bodies, (bytes, align) => m.staticData(bytes, align), (s) => m.cString(s), 3, 4, [6, 8, 9]),
    ...(iterates ? iterationInit(ctx, (o) => at(iter + o), (str) => at(m.cString(str)), 3, 4, 5) : []),
    ...free([global]),
    ...(fns.some((f) => f.plainArrays || f.plainWindows?.size) ? probe(ctx, 3, 4, 6, at(plainOk), at(scratch)) : []),
    ctx, { op: "call", func: "JS_NewObject" }, { op: "local.set", local: 2 },
    ...register,
    // "on": the guards use the frozen functions only while it is truthy (the build turns it off
    // while it pre-runs the top level, so that all of it runs in the interruptible interpreter)
    ctx, obj, ...at(m.cString("on")), ctx, { op: "f64.const", value: 1 }, { op: "call", func: "JS_NewNumber" }, { op: "call", func: "JS_SetPropertyStr" }, { op: "drop" },
    ctx, { op: "call", func: "JS_GetGlobalObject" }, { op: "local.set", local: 3 },
    ctx, global, ...at(m.cString(FROZEN_GLOBAL)), obj, { op: "call", func: "JS_SetPropertyStr" }, { op: "drop" },
    ctx, global, { op: "call", func: "JS_FreeValue" },
    { op: "i32.const", value: 0 },
  ];
  m.func({ name: INIT_FN, params: ["i32", "i32"], results: ["i32"], locals: ["i64", "i64", "i64", "i64", "i32", "i64", "i32", "i32"], body: init });
  m.export(INIT_FN, INIT_FN);
  for (const h of objectHelpers(bodies, () => at(desc))) m.func(h);
  if (iterates || fns.some((f) => f.entry && f.paramTys.includes("view"))) m.func(findsHelper(at(desc)));
  if (fns.some((f) => (f.entry && f.paramTys.includes("array")) || f.body.some((ins) => ins.op === "call" && ins.func === BUFFER_HELPER))) m.func(bufferHelper(at, scratch, lengthGetter));
  const ids = new Set(fns.flatMap((f) => [f.cand.id, intName(f.cand), dispatcherName(f.cand.id)]));
  return { wasm: m.encode(), listing: m.listing((name) => ids.has(name)) };
}

const dispatcherName = (id: string) => `${id}_any`;

/**
 * (f64 arguments, depth) -> the function's result: its int32 variant when every argument is an
 * int32 (not -0) and it does not bail out (BAIL), else the f64 function from the start (exact:
 * neither has effects). A depth overflow is left in OVERFLOW for the caller, as from any call.
 */
function dispatcher(f: Frozen): Func {
  const n = f.cand.params.length;
  const get = (local: number): Instr => ({ op: "local.get", local });
  const ret: ValType = f.ret === "number" ? "f64" : "i32";
  const body: Instr[] = [{ op: "block" }, { op: "i32.const", value: 1 }];
  for (let i = 0; i < n; i++) body.push(get(i), { op: "call", func: HELPER.isInt32 }, { op: "i32.and" });
  body.push({ op: "i32.eqz" }, { op: "br_if", depth: 0 });
  for (let i = 0; i < n; i++) body.push(get(i), { op: f.int!.params[i] === "i64" ? "i64.trunc_f64_s" : "i32.trunc_f64_s" });
  body.push(get(n), { op: "call", func: intName(f.cand) }, ...(ret === "f64" ? [{ op: "f64.convert_i32_s" } as Instr] : []), { op: "local.set", local: n + 1 });
  body.push({ op: "global.get", global: OVERFLOW }, { op: "i32.const", value: BAIL }, { op: "i32.ne" }, { op: "if" }, get(n + 1), { op: "return" }, { op: "end" });
  body.push({ op: "i32.const", value: 0 }, { op: "global.set", global: OVERFLOW }, { op: "end" });
  for (let i = 0; i <= n; i++) body.push(get(i));
  body.push({ op: "call", func: f.cand.id });
  return { name: dispatcherName(f.cand.id), params: [...f.cand.params.map((): ValType => "f64"), "i32"], results: [ret], locals: [ret], body };
}

/**
 * fz_buffer(a i64) -> (ptr i32, len i32, gone i32): where a typed array's elements are in
 * memory, and its length as the engine's own getter says it (a length-tracking array follows
 * its buffer's resizes, which the byte length does not). A detached array (or one shrunk past
 * it) throws in the engine, which is dropped: `gone`, and JS's empty array (0, 0).
 */
function bufferHelper(at: (offset: number) => Instr[], scratch: number, lengthGetter: number): Func {
  const [a, buf, ptr, len] = [0, 1, 2, 3];
  const ctx: Instr = { op: "global.get", global: CTX };
  const get = (local: number): Instr => ({ op: "local.get", local });
  const dropException: Instr[] = [ctx, ctx, { op: "call", func: "JS_GetException" }, { op: "call", func: "JS_FreeValue" }];
  const gone: Instr[] = [...dropException, { op: "i32.const", value: 0 }, { op: "i32.const", value: 0 }, { op: "i32.const", value: 1 }, { op: "return" }];
  return {
    name: BUFFER_HELPER,
    params: ["i64"],
    results: ["i32", "i32", "i32"],
    locals: ["i64", "i32", "i32"],
    body: [
      ctx, get(a), ...at(scratch), ...at(scratch + 4), { op: "i32.const", value: 0 }, { op: "call", func: "JS_GetTypedArrayBuffer" }, { op: "local.tee", local: buf },
      ...TAG_OF, { op: "i32.const", value: TAG.exception }, { op: "i32.eq" }, { op: "if" },
      ...gone,
      { op: "end" },
      ctx, ...at(scratch + 8), get(buf), { op: "call", func: "JS_GetArrayBuffer" }, { op: "local.set", local: ptr },
      ctx, get(buf), { op: "call", func: "JS_FreeValue" },
      get(ptr), { op: "i32.eqz" }, { op: "if" },
      ...gone,
      { op: "end" },
      get(ptr), ...at(scratch), { op: "i32.load", offset: 0 }, { op: "i32.add" }, { op: "local.set", local: ptr },
      ctx, ...at(lengthGetter), { op: "i64.load", offset: 0 }, get(a), { op: "i32.const", value: 0 }, { op: "i32.const", value: 0 }, { op: "call", func: "JS_Call" }, { op: "local.tee", local: buf },
      ...TAG_OF, { op: "i32.eqz" }, { op: "if" },
      get(buf), { op: "i32.wrap_i64" }, { op: "local.set", local: len },
      // (it cannot fail on a typed array; were it to throw, its exception is dropped with a length of 0)
      { op: "else" }, ctx, get(buf), { op: "call", func: "JS_FreeValue" }, ...dropException, { op: "end" },
      get(ptr), get(len), { op: "i32.const", value: 0 },
    ],
  };
}
