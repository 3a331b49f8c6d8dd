// The C side module for the frozen functions: QuickJS's API declared as
// imports from the main module (zig cc passes no --allow-undefined), the
// numeric helpers with JS semantics, the functions, a JS-callable wrapper for
// each, and the init function that hands them to the runtime.
//
// JSValue is QuickJS-NG's NaN-boxed 64-bit value on wasm32; only the exported
// API touches its bits (JS_ToFloat64, JS_NewNumber), so the layout is QuickJS's business.

import type { Frozen } from "./analyze.ts";

export const INIT_FN = "qjs_ext_frozen_init";
/** The global the init function sets, taken (and deleted) by the app's prologue. */
export const FROZEN_GLOBAL = "__edgebox_frozen";

const PRELUDE = String.raw`typedef unsigned long long JSValue;
typedef struct JSContext JSContext;
typedef JSValue JSCFunction(JSContext *ctx, JSValue this_val, int argc, JSValue *argv);
typedef __INT32_TYPE__ int32_t;
typedef __UINT32_TYPE__ uint32_t;
#define IMPORT(name) __attribute__((import_module("env"), import_name(#name)))
IMPORT(JS_NewNumber) JSValue JS_NewNumber(JSContext *ctx, double d);
IMPORT(JS_ToFloat64) int JS_ToFloat64(JSContext *ctx, double *pres, JSValue val);
IMPORT(JS_NewObject) JSValue JS_NewObject(JSContext *ctx);
IMPORT(JS_NewCFunction2) JSValue JS_NewCFunction2(JSContext *ctx, JSCFunction *func, const char *name, int length, int cproto, int magic);
IMPORT(JS_SetPropertyStr) int JS_SetPropertyStr(JSContext *ctx, JSValue obj, const char *prop, JSValue val);
IMPORT(JS_GetGlobalObject) JSValue JS_GetGlobalObject(JSContext *ctx);
IMPORT(JS_FreeValue) void JS_FreeValue(JSContext *ctx, JSValue v);
IMPORT(JS_ThrowRangeError) JSValue JS_ThrowRangeError(JSContext *ctx, const char *fmt, ...);
/* QuickJS's own: its % and ** call these, so frozen code rounds exactly as the interpreter does */
IMPORT(fmod) double fmod(double x, double y);
IMPORT(pow) double pow(double x, double y);

/* Recursion depth (each function's fz_d parameter): deep enough for anything the
   interpreter can recurse to, far inside Wasmtime's 4 MiB stack. Past it the calls
   unwind at once and the JS caller gets the interpreter's RangeError, not a crash. */
#define FZ_MAX_DEPTH 10000
static int fz_overflow;

static inline int fz_truthy(double d) { return d == d && d != 0; }

/* ToInt32 (ECMA-262 7.1.6) */
static inline int32_t fz_i32(double d) {
  if (d >= -2147483648.0 && d <= 2147483647.0) return (int32_t)d;
  if (d != d || d == __builtin_inf() || d == -__builtin_inf()) return 0;
  double m = fmod(__builtin_trunc(d), 4294967296.0);
  if (m < 0) m += 4294967296.0;
  return (int32_t)(uint32_t)m;
}
static inline uint32_t fz_u32(double d) { return (uint32_t)fz_i32(d); }

/* Number::exponentiate: where it differs from C's pow */
static inline double fz_pow(double x, double y) {
  if (y != y) return __builtin_nan("");
  if ((x == 1.0 || x == -1.0) && (y == __builtin_inf() || y == -__builtin_inf())) return __builtin_nan("");
  return pow(x, y);
}

static inline double fz_sign(double d) { return d > 0 ? 1.0 : d < 0 ? -1.0 : d; }
`;

export function emitModule(fns: Frozen[]): string {
  const cRet = (f: Frozen) => (f.ret === "number" ? "double" : "int");
  const forward = fns.map((f) => `static ${cRet(f)} ${f.cand.id}(${[...f.cand.params.map(() => "double"), "int"].join(", ")});\n`).join("");
  const wrappers = fns
    .map((f) => {
      const reads = f.cand.params.map((_, i) => `  double a${i} = 0;\n  if (argc > ${i}) JS_ToFloat64(ctx, &a${i}, argv[${i}]);\n`).join("");
      const call = `${f.cand.id}(${[...f.cand.params.map((_, i) => `a${i}`), "0"].join(", ")})`;
      return (
        `static JSValue js_${f.cand.id}(JSContext *ctx, JSValue this_val, int argc, JSValue *argv) {\n${reads}  double r = (double)${call};\n` +
        `  if (fz_overflow) { fz_overflow = 0; return JS_ThrowRangeError(ctx, "Maximum call stack size exceeded"); }\n` +
        `  return JS_NewNumber(ctx, r);\n}\n`
      );
    })
    .join("");
  const registrations = fns
    .map((f) => `  JS_SetPropertyStr(ctx, obj, "${f.cand.id}", JS_NewCFunction2(ctx, js_${f.cand.id}, ${JSON.stringify(f.cand.name)}, ${f.cand.params.length}, 0, 0));\n`)
    .join("");
  const init =
    `__attribute__((visibility("default"))) int ${INIT_FN}(JSContext *ctx, void *rt) {\n` +
    `  JSValue obj = JS_NewObject(ctx);\n${registrations}` +
    // "on": the guards use the frozen functions only while it is truthy (the build turns it off
    // while it pre-runs the top level, so that all of it runs in the interruptible interpreter)
    `  JS_SetPropertyStr(ctx, obj, "on", JS_NewNumber(ctx, 1));\n` +
    `  JSValue global = JS_GetGlobalObject(ctx);\n  JS_SetPropertyStr(ctx, global, "${FROZEN_GLOBAL}", obj);\n  JS_FreeValue(ctx, global);\n  return 0;\n}\n`;
  return `${PRELUDE}\n${forward}\n${fns.map((f) => f.c).join("\n")}\n${wrappers}\n${init}`;
}
