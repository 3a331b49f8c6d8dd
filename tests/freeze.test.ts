// The freezer's WebAssembly, in-process: the encoder's bytes, every module it
// emits validated, and the QuickJS API it imports checked against the
// quickjs.wasm it links to. (tests/build.test.ts runs the frozen functions
// against the interpreter and node through the built binary.)

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { parseDylink, sideModuleInfo } from "../internal/engine/dylink.ts";
import { Reader, readSections, SectionId } from "../internal/engine/wasm.ts";
import { ModuleBuilder } from "../internal/freeze/encode.ts";
import { API, INIT_FN } from "../internal/freeze/emit.ts";
import { freeze } from "../internal/freeze/index.ts";
import { HELPER, HELPERS, loadInline, storeInline } from "../internal/freeze/runtime.ts";
import { ITOA_HELPER, objectHelpers } from "../internal/freeze/objects.ts";
import { assignedBeforeRead, declaredWithoutValue } from "../internal/freeze/assigned.ts";
import { countingLoop, elementAccesses, rangeOf } from "../internal/freeze/ranges.ts";
import { implicitReads, returnedParam } from "../internal/freeze/outer.ts";
import { parse } from "acorn";
import type { N } from "../internal/freeze/ast.ts";

const corpus = readFileSync(join(import.meta.dir, "freeze", "pure.js"), "utf8");
/** The first statement of `src`, parsed. */
const fnOf = (src: string) => (parse(src, { ecmaVersion: "latest" }) as N).body[0] as N;
const VALTYPE: Record<number, string> = { 0x7f: "i32", 0x7e: "i64", 0x7c: "f64", 0x7d: "f32" };

/** name -> "params>results" of every function a module exports. */
function exportedSignatures(wasm: Uint8Array): Map<string, string> {
  const sections = readSections(wasm);
  const body = (id: number) => new Reader(sections.find((s) => s.id === id)!.body);
  const types: string[] = [];
  const t = body(SectionId.type);
  for (let n = t.u32(); n > 0; n--) {
    t.byte();
    const params = Array.from({ length: t.u32() }, () => VALTYPE[t.byte()]);
    const results = Array.from({ length: t.u32() }, () => VALTYPE[t.byte()]);
    types.push(`${params.join(",")}>${results.join(",")}`);
  }
  const funcTypes: number[] = [];
  const imp = body(SectionId.import);
  for (let n = imp.u32(); n > 0; n--) {
    imp.name();
    imp.name();
    const kind = imp.byte();
    if (kind === 0) funcTypes.push(imp.u32());
    else if (kind === 1) (imp.byte(), imp.byte() & 1 ? (imp.u32(), imp.u32()) : imp.u32());
    else if (kind === 2) (imp.byte() & 1 ? (imp.u32(), imp.u32()) : imp.u32());
    else (imp.byte(), imp.byte());
  }
  const fn = body(SectionId.function);
  for (let n = fn.u32(); n > 0; n--) funcTypes.push(fn.u32());
  const out = new Map<string, string>();
  const exp = body(SectionId.export);
  for (let n = exp.u32(); n > 0; n--) {
    const name = exp.name();
    const kind = exp.byte();
    const index = exp.u32();
    if (kind === 0) out.set(name, types[funcTypes[index]!]!);
  }
  return out;
}

describe("the freezer's WebAssembly", () => {
  test("imports QuickJS's API with the signatures quickjs.wasm exports it with", () => {
    const quickjs = exportedSignatures(new Uint8Array(readFileSync(require.resolve("quickjs-wasi/quickjs.wasm"))));
    for (const [name, [params, results]] of Object.entries(API)) {
      expect(`${name} ${quickjs.get(name)}`).toBe(`${name} ${params.join(",")}>${results.join(",")}`);
    }
  });

  test("the corpus's module validates, is a side module, and exports the init function", () => {
    const r = freeze(corpus);
    expect(r.frozen.length).toBeGreaterThan(40);
    expect(WebAssembly.validate(r.wasm!)).toBe(true);
    const info = sideModuleInfo(r.wasm!);
    expect(info.dylink.tableSize).toBe(r.frozen.length); // one JS-callable wrapper each
    expect(info.dylink.memorySize).toBeGreaterThan(8);
    expect(info.dylink.memoryAlign).toBe(3);
    const exports = WebAssembly.Module.exports(new WebAssembly.Module(r.wasm!)).map((e) => e.name);
    expect(exports).toEqual([INIT_FN]);
    const imports = WebAssembly.Module.imports(new WebAssembly.Module(r.wasm!)).map((i) => `${i.module}.${i.name}`);
    expect(imports).toEqual(expect.arrayContaining(["env.memory", "env.__indirect_function_table", "env.__memory_base", "env.__table_base", "env.fmod", "env.pow"]));
  });

  test("loops get an int32 variant; functions that make calls do not", () => {
    const r = freeze(corpus);
    const int = new Set(r.frozen.filter((f) => f.int).map((f) => f.cand.name));
    for (const name of ["tri", "fact", "sumTo", "sumT", "gcd", "collatz", "isPrime"]) expect(int.has(name)).toBe(true);
    for (const name of ["fib", "deep", "isEven", "loopDeep", "floats", "pow", "max"]) expect(int.has(name)).toBe(false);
    expect(r.listing).toContain("func fz_tri_");
    expect(r.listing).toMatch(/func fz_tri_\d+_i32 \(i32 i32\) -> i32/);
  });

  test("f64 code calls an int32 loop through its dispatcher; constant operands are checked by one comparison; base cases are inlined in front of calls", () => {
    const r = freeze(corpus);
    const body = (name: RegExp) => {
      const at = r.listing!.search(name);
      expect(at).toBeGreaterThanOrEqual(0);
      const end = r.listing!.indexOf("\nfunc ", at + 1);
      return r.listing!.slice(at, end < 0 ? undefined : end);
    };
    // viaSumT's loop calls sumT: its int32 variant first, through the dispatcher
    expect(body(/func fz_viaSumT_\d+ /)).toMatch(/call fz_sumT_\d+_any\n/);
    expect(body(/func fz_sumT_\d+_any /)).toMatch(/call fz_sumT_\d+_i32\n[^]*call fz_sumT_\d+$/);
    // a + 2147483647 overflows exactly when a > 0: one comparison, no sign arithmetic
    const addK = body(/func fz_addK_\d+_i32 /);
    expect(addK).toMatch(/i32.const 0\n\s*i32.gt_s\n/);
    expect(addK).not.toContain("i32.xor");
    // sumT's accumulator: an i64, added to without a check; its tail call unrolled (four iterations a trip)
    const sumT = body(/func fz_sumT_\d+_i32 /);
    expect(sumT).toMatch(/^func fz_sumT_\d+_i32 \(i32 i64 i32\)/);
    expect(sumT.match(/i64.add\n/g)!.length).toBe(4);
    expect(sumT).not.toContain("i32.xor");
    expect(sumT.match(/br \d+\n/g)!.length).toBe(1);
    // fib: each of the calls left after three levels of inlining has its own n < 2 in front
    const fib = body(/func fz_fib_\d+ /);
    const calls = fib.match(/call fz_fib_/g)!.length;
    expect(calls).toBe(16);
    expect(fib.match(/f64.lt\n/g)!.length).toBe(2 * calls - 1);
  });

  test("typed-array element helpers read and write as JS's typed arrays do, every kind, edge values and indices", () => {
    const m = new ModuleBuilder();
    m.importMemory("env", "memory");
    m.importFunc("env", "pow", ["f64", "f64"], ["f64"]);
    m.importFunc("env", "fmod", ["f64", "f64"], ["f64"]);
    // (a plain Array's store makes its JSValue through the engine: not called here, no plain Array stored)
    m.importFunc("env", "JS_NewNumber", ["i32", "f64"], ["i64"]);
    m.global("ctx", "i32", true, 0);
    for (const h of HELPERS) m.func(h);
    // the element code frozen code inlines, as functions: (ptr, len, kind, idx[, v]); store_i32 also
    // takes ToInt32(v) as an i32, as a bitwise result's store does
    m.func({ name: "fz_load", params: ["i32", "i32", "i32", "f64"], results: ["f64"], locals: ["i32", "i64"], body: loadInline(0, 1, 2, 3, 4, 5, [{ op: "unreachable" }]) });
    m.func({ name: "fz_store", params: ["i32", "i32", "i32", "f64", "f64"], results: [], locals: ["i32"], body: storeInline(0, 1, 2, 3, 4, 5) });
    m.func({ name: "fz_store_i32", params: ["i32", "i32", "i32", "f64", "f64", "i32"], results: [], locals: ["i32"], body: storeInline(0, 1, 2, 3, 4, 6, 5) });
    m.export("fz_load", "fz_load");
    m.export("fz_store", "fz_store");
    m.export("fz_store_i32", "fz_store_i32");
    const wasm = m.encode();
    expect(WebAssembly.validate(wasm)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm), { env: { memory, pow: Math.pow, fmod: (a: number, b: number) => a % b, JS_NewNumber: () => 0n } });
    const { fz_load: load, fz_store: store, fz_store_i32: storeI32 } = inst.exports as {
      fz_load: (p: number, n: number, k: number, i: number) => number;
      fz_store: (p: number, n: number, k: number, i: number, v: number) => void;
      fz_store_i32: (p: number, n: number, k: number, i: number, v: number, int: number) => void;
    };
    const kinds: [number, new (buf: ArrayBuffer | number, off?: number, len?: number) => ArrayLike<number> & { [i: number]: number; fill(v: number): void }][] = [
      [0, Uint8ClampedArray], [1, Int8Array], [2, Uint8Array], [3, Int16Array], [4, Uint16Array], [5, Int32Array], [6, Uint32Array], [10, Float32Array], [11, Float64Array],
    ];
    const values = [0, -0, 1, -1, 0.5, 1.5, 2.5, -2.5, 127.5, 128, 254.5, 255.5, 256, -129, 32767.5, 65535, 65536, 2 ** 31 - 1, 2 ** 31, -(2 ** 31) - 1, 2 ** 32 - 1, 2 ** 32 + 3, 2 ** 53 + 2, 2 ** 63, 2 ** 64 + 4096, 1e300, -1e300, 5e-324, 3.4028235677973366e38, NaN, Infinity, -Infinity];
    const indices = [0, -0, 3, 7, 8, -1, 1.5, NaN, Infinity, 2 ** 32, 2 ** 53];
    // random values too: bit patterns of every size
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32 - 0.5) * 2 ** ((seed % 70) - 5);
    for (let n = 0; n < 200; n++) values.push(rand());
    for (const [kind, K] of kinds) {
      const at = 1024;
      const view = new K(memory.buffer, at, 8);
      for (const v of values) {
        for (const i of indices) {
          view.fill(0);
          const expected = new K(8);
          expected[i] = v;
          store(at, 8, kind, i, v);
          expect(`${K.name} [${i}] = ${v}: ${Array.from(view)}`).toBe(`${K.name} [${i}] = ${v}: ${Array.from(expected)}`);
          if (kind !== 0 && kind < 10) {
            // an integer kind stores ToInt32(v) as given
            view.fill(0);
            storeI32(at, 8, kind, i, v, v | 0);
            expect(`${K.name} [${i}] = ${v} (i32): ${Array.from(view)}`).toBe(`${K.name} [${i}] = ${v} (i32): ${Array.from(expected)}`);
          }
          const read = load(at, 8, kind, i);
          const js = expected[i];
          expect(`${K.name} [${i}]: ${Object.is(read, js === undefined ? NaN : js)}`).toBe(`${K.name} [${i}]: true`);
        }
      }
    }
  });

  test("x % y is JS's %: integers below 2^32 through the remainder of their magnitudes, everything else through fmod", () => {
    const m = new ModuleBuilder();
    m.importMemory("env", "memory");
    m.importFunc("env", "pow", ["f64", "f64"], ["f64"]);
    m.importFunc("env", "fmod", ["f64", "f64"], ["f64"]);
    m.global("ctx", "i32", true, 0);
    for (const h of HELPERS) m.func(h);
    m.export(HELPER.mod, HELPER.mod);
    const wasm = m.encode();
    let slow = 0;
    const env = { memory: new WebAssembly.Memory({ initial: 1 }), pow: Math.pow, fmod: (a: number, b: number) => (slow++, a % b) };
    const mod = new WebAssembly.Instance(new WebAssembly.Module(wasm), { env }).exports[HELPER.mod] as (a: number, b: number) => number;
    const show = (v: number) => (Object.is(v, -0) ? "-0" : String(v));
    const edges = [0, -0, 1, -1, 2, 3, 7, -7, 16, -16, 1013, 0.5, -2.5, 2 ** 31 - 1, 2 ** 31, -(2 ** 31), 2 ** 32 - 1, -(2 ** 32 - 1), 2 ** 32, -(2 ** 32), 2 ** 53, 1e300, 5e-324, NaN, Infinity, -Infinity];
    let seed = 7;
    const rand = () => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed);
    const xs = [...edges, ...Array.from({ length: 200 }, () => (rand() % 2 ? -1 : 1) * rand() * (rand() % 3))];
    for (const x of xs) for (const y of [...edges, ...xs.slice(-40)]) expect(Object.is(mod(x, y), x % y) ? "same" : `${show(x)} % ${show(y)}: ${show(mod(x, y))}, JS ${show(x % y)}`).toBe("same");
    slow = 0;
    for (const [x, y] of [[7, 3], [-7, 3], [-16, 16], [-0, 5], [2 ** 32 - 1, -(2 ** 32 - 1)], [4294967295, 2]]) mod(x!, y!);
    expect(slow).toBe(0);
    for (const [x, y] of [[7.5, 3], [7, 0], [2 ** 32, 3], [NaN, 3], [7, Infinity], [7, 0.5]]) mod(x!, y!);
    expect(slow).toBe(6);
  });

  test("plain Arrays go only to code without effects: no element stores, no DataView setters, no callee that has either", () => {
    const r = freeze(`
function sum(a) { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s; }
function fill(a, v) { for (let i = 0; i < a.length; i++) a[i] = v; return a.length; }
function viaFill(a) { let n = 0; for (let i = 0; i < 3; i++) n += fill(a, i); return n + a[0]; }
function viaSum(a) { let n = 0; for (let i = 0; i < 3; i++) n += sum(a); return n + a[0]; }
function poke(v) { for (let i = 0; i < 2; i++) v.setUint8(i, 1); return 0; }
function nums(x) { let s = 0; for (let i = 0; i < x; i++) s += i; return s; }
console.log(sum([1]), fill([1], 2), viaFill([1]), viaSum([1]), poke(new DataView(new ArrayBuffer(2))), nums(3));
`);
    const plain = Object.fromEntries(r.frozen.map((f) => [f.cand.name, f.plainArrays]));
    expect(plain).toEqual({ sum: true, fill: false, viaFill: false, viaSum: true, poke: false, nums: false });
    expect(WebAssembly.validate(r.wasm!)).toBe(true);
    const how = Object.fromEntries(r.explain.map((e) => [e.name, e.how]));
    expect(how.sum).toBe("f64; its arrays may be typed arrays or plain Arrays of numbers");
    expect(how.fill).toBe("f64; typed arrays only (it writes: plain Arrays run in the interpreter)");
    expect(how.nums).toStartWith("f64, and int32");
  });

  test("code with effects takes a plain Array it only reads, each read shown inside its first elements", () => {
    // a counting loop's counter, inside the body
    const counted = (src: string) => countingLoop(fnOf(src))?.range.join("..") ?? "-";
    expect(counted("for (i = 0; i < 80; i++) ;")).toBe("0..79");
    expect(counted("for (let i = 3; i <= 10; ++i) ;")).toBe("3..10");
    expect(counted("for (var i = 0; i < 4; i += 1) x[i] = 1;")).toBe("0..3");
    expect(counted("for (i = 0; i < 0; i++) ;")).toBe("-");
    expect(counted("for (i = 0; i < n; i++) ;")).toBe("-");
    expect(counted("for (i = 0; i < 10; i += 2) ;")).toBe("-");
    expect(counted("for (i = 0.5; i < 10; i++) ;")).toBe("-");
    expect(counted("for (i = 0; i > 10; i++) ;")).toBe("-");
    expect(counted("for (i = 0; i < 10; i++) i += 0;")).toBe("-");
    expect(counted("for (i = 0; i < 10; i++) [i] = [50];")).toBe("-");
    expect(counted("for (i = 0; i < 10; i++) ({ i } = o);")).toBe("-");
    expect(counted("for (i = 0; i < 10; i++) for (i of a) ;")).toBe("-");
    // (frozen code declares no name twice; a counter declared again is no counter all the same)
    expect(counted("for (i = 0; i < 10; i++) { let i = 50; }")).toBe("-");
    expect(counted("for (i = 0; i < 10; i++) { var i; }")).toBe("-");
    expect(counted("for (i = 0; i < 10; i++) for (let j = 0; j < 2; j++) i--;")).toBe("-");
    // ranges of index expressions
    const shown = (r: { base?: string; lo: number; hi: number }) => `${r.base ? `${r.base}+` : ""}${r.lo}..${r.hi}`;
    const range = (src: string) => {
      const r = rangeOf((fnOf(`(${src})`) as N).expression, new Map([["i", [0, 79] as const], ["k", [-3, 3] as const]]), new Set(["off"]));
      return r ? shown(r) : "-";
    };
    expect(range("i * 2 + 1")).toBe("1..159");
    expect(range("2 * i")).toBe("0..158");
    expect(range("i % 16")).toBe("0..15");
    expect(range("i % 100")).toBe("0..79");
    expect(range("i >> 3")).toBe("0..9");
    expect(range("i >>> 4")).toBe("0..4");
    expect(range("anything & 63")).toBe("0..63");
    expect(range("63 & anything")).toBe("0..63");
    expect(range("anything >>> 24")).toBe("0..255");
    expect(range("0x100 | (anything & 0xff)")).toBe("256..511");
    expect(range("(i % 4) | 8")).toBe("8..11");
    expect(range("anything | 8")).toBe("-");
    expect(range("k | 8")).toBe("-");
    expect(range("anything >>> 0")).toBe("-");
    expect(range("i - 1")).toBe("-1..78");
    expect(range("k * k")).toBe("-9..9");
    expect(range("k % 4")).toBe("-");
    expect(range("i / 2")).toBe("-");
    expect(range("j")).toBe("-");
    expect(range("i | 0")).toBe("0..79");
    expect(range("anything & -1")).toBe("-");
    // on a base: a number variable the code never assigns (the wrapper checks its value)
    expect(range("off + i")).toBe("off+0..79");
    expect(range("i + off - 2")).toBe("off+-2..77");
    expect(range("off")).toBe("off+0..0");
    expect(range("off + off")).toBe("-");
    expect(range("off * 2")).toBe("-");
    expect(range("3 - off")).toBe("-");
    expect(range("(off + i) % 8")).toBe("-");
    expect(range("(off + i) & 7")).toBe("0..7");
    // an if or ?: on a counter narrows it in each branch
    const accesses = (src: string) => {
      const a = elementAccesses(fnOf(`function f(W, K, M, off) { ${src} }`).body, "W", new Set(["off"]));
      return a ? `${a.ranges.map((r) => (r ? shown(r) : "?")).join(" ")}${a.writes ? " writes" : ""}` : "-";
    };
    expect(accesses("for (let i = 0; i < 64; i++) { if (i < 16) W[i] = M[off + i]; else W[i] = W[i - 16] + W[i - 2]; }")).toBe("0..15 16..63 0..47 14..61 writes");
    expect(accesses("for (let i = 0; i < 64; i++) x += i >= 8 ? W[i - 8] : W[i];")).toBe("0..55 0..7");
    expect(accesses("for (let i = 0; i < 64; i++) x += 8 > i ? W[i] : W[i - 8];")).toBe("0..7 0..55");
    expect(accesses("for (let i = 0; i < 64; i++) if (i <= 9) W[i]++; else W[off + i] = 0;")).toBe("0..9 off+10..63 writes");
    expect(accesses("for (let i = 0; i < 64; i++) if (i < 16 && x) W[i] = 0; else W[i - 16] = 1;")).toBe("0..63 -16..47 writes");
    expect(accesses("for (let i = 0; i < 4; i++) W[i] = W.length;")).toBe("0..3 writes");
    // (a branch the counter's range never enters: its accesses need no window, its other uses count)
    expect(accesses("for (let i = 0; i < 4; i++) if (i > 10) W[i] = 0; else W[i] = 1;")).toBe("0..3 writes");
    expect(accesses("for (let i = 0; i < 4; i++) if (i > 10) f(W); else W[i] = 1;")).toBe("-");
    expect(accesses("for (let i = 0; i < 4; i++) W[j] = 0;")).toBe("? writes");
    expect(accesses("W.length = 0;")).toBe("-");
    expect(accesses("delete W[0];")).toBe("-");
    expect(accesses("f(W);")).toBe("-");
    expect(accesses("for (const x of W) ;")).toBe("-");
    // which arrays code with effects takes as plain Arrays, and how many elements each must have
    const r = freeze(`
function rounds(out, K) { for (let i = 0; i < 8; i++) out[i] = K[i * 2] + K[i * 2 + 1]; }
function masked(out, K, x) { for (let i = 0; i < 4; i++) out[i] = K[x & 7] + K.length; }
function sbox(out, S, x) { for (let i = 0; i < 4; i++) out[i] = S[x >>> 24] + S[0x100 | ((x >> 16) & 0xff)]; }
function huge(out, S, x) { for (let i = 0; i < 4; i++) out[i] = S[x >>> 16]; }
function unbounded(out, K, n) { for (let i = 0; i < n; i++) out[i] = K[i]; }
function before(out, K) { for (let i = 0; i < 4; i++) out[i] = K[i - 1]; }
function writes(out, K) { for (let i = 0; i < 4; i++) { out[i] = K[i]; K[i] = 0; } }
function stores(K) { for (let i = 0; i < 4; i++) K[i] = K[i + 1] + i; }
function hands(out, K) { for (let i = 0; i < 4; i++) out[i] = K[i]; rounds(out, K); }
function block(W, M, off) { for (let i = 0; i < 64; i++) W[i] = i < 16 ? M[off + i] : W[i - 16] + W[i - 7]; }
function deadOnly(out, K) { for (let i = 0; i < 4; i++) { out[i] = 1; if (i > 10) out[0] += K[i]; } }
function moves(M, off) { let s = 0; for (let i = 0; i < 4; i++) { s += M[off + i]; M[0] = s; off++; } return s; }
console.log(rounds([], []), masked([], [], 1), sbox([], [], 1), huge([], [], 1), unbounded([], [], 1), before([], []), writes([], []), stores([]), hands([], []), block([], [], 0), deadOnly([], []), moves([], 0));
`);
    const windows = Object.fromEntries(
      r.frozen.map((f) => [f.cand.name, f.plainArrays ? "all" : Object.fromEntries([...(f.plainWindows ?? [])].map(([i, { windows: ws }]) => [f.cand.params[i], ws.map((w) => `${w.baseParam === undefined ? "" : `${f.cand.params[w.baseParam]}+`}${w.lo}..${w.hi}`).join(" ")]))]),
    );
    // (the arrays written at a counter, out, may be plain Arrays too; hands' arrays handed to rounds: rounds' windows)
    const out03 = { out: "0..3" };
    expect(windows).toEqual({ rounds: { out: "0..7", K: "0..15" }, masked: { ...out03, K: "0..7" }, sbox: { ...out03, S: "0..511" }, huge: out03, unbounded: {}, before: out03, writes: { ...out03, K: "0..3" }, stores: { K: "0..4" }, hands: { out: "0..7", K: "0..15" }, block: { W: "0..63", M: "off+0..15" }, deadOnly: { out: "0..3" }, moves: {} });
    expect(WebAssembly.validate(r.wasm!)).toBe(true);
    const how = Object.fromEntries(r.explain.map((e) => [e.name, e.how]));
    expect(how.rounds).toBe("f64, no value returned (undefined); it writes, so plain Arrays of numbers only where every access is shown inside these elements: out [0, 7], K [0, 15]");
    expect(how.huge).toBe("f64, no value returned (undefined); it writes, so plain Arrays of numbers only where every access is shown inside these elements: out [0, 3]; typed arrays only for the others");
    expect(how.block).toBe("f64, no value returned (undefined); it writes, so plain Arrays of numbers only where every access is shown inside these elements: W [0, 63], M [off + 0, off + 15]");
    expect(how.unbounded).toBe("f64, no value returned (undefined); typed arrays only (it writes: plain Arrays run in the interpreter)");
  });

  test("variables from around a function that it only reads become its last parameters; a function returning its parameter returns nothing compiled", () => {
    const outer = new Set(["K", "T", "n", "g"]);
    const reads = (src: string) => implicitReads(fnOf(src), (name) => outer.has(name)).join(" ");
    expect(reads("function f(a) { return a[0] * K + T[1] + Math.abs(g.x); }")).toBe("K T g");
    expect(reads("function f(a) { n += a; return K; }")).toBe("K");
    expect(reads("function f(K) { let T = 1; return K + T + n; }")).toBe("n");
    expect(reads("function f(a) { for (const K of a) ; return T.K + a.n; }")).toBe("T");
    expect(reads("function f(a) { [n] = a; return 0; }")).toBe("");
    expect(reads("function f(a) { L: for (;;) break L; return arguments.length; }")).toBe("");
    const back = (src: string) => returnedParam(fnOf(src)) ?? "-";
    expect(back("function f(lr, x) { lr[0] = x; return lr; }")).toBe("lr");
    expect(back("function f(lr, x) { if (x) return lr; lr[0] = x; return lr; }")).toBe("lr");
    expect(back("function f(lr, x) { if (x) return lr; return x; }")).toBe("-");
    expect(back("function f(lr, x) { lr[0] = x; if (x) return lr; }")).toBe("-");
    expect(back("function f(lr, x) { lr = [x]; return lr; }")).toBe("-");
    expect(back("function f(x) { return y; }")).toBe("-");
    expect(returnedParam(fnOf("((lr) => lr);").expression)).toBeUndefined(); // (an arrow's expression body: no return statement)
    const r = freeze(`
var K = 3;
const T = new Int32Array(4);
let n = 0;
function sums(a) { let s = 0; for (let i = 0; i < 4; i++) s += a[i] * K + T[i]; return s; }
function adds(a) { for (let i = 0; i < 4; i++) n += a[i]; return n; }
function calls(a) { let s = 0; for (let i = 0; i < 4; i++) s += sums(a); return s; }
function fills(lr, x) { for (let i = 0; i < 2; i++) lr[i] = x; return lr; }
console.log(sums([]), adds([]), calls([]), fills([], 1));
`);
    const e = Object.fromEntries(r.explain.map((x) => [x.name, x.how ?? x.reason]));
    expect(e.sums).toBe("f64; reads K, T from around it, as they are at each call; its arrays may be typed arrays or plain Arrays of numbers");
    expect(e.adds).toBe("assigns to 'n', which is not its own variable");
    expect(e.calls).toBe("calls 'sums', which reads variables from around it that this code does not have (JS calls it, with their values)");
    expect(e.fills).toBe("f64, returning its parameter lr; it writes, so plain Arrays of numbers only where every access is shown inside these elements: lr [0, 1]");
    expect(r.code).toContain("var __eb_t = 0; if (__eb_frozen.on) try { __eb_t = (K, T, 1); } catch {}");
    expect(r.code).toMatch(/return lr; \}/);
  });

  test("a variable declared without a value is taken only where every read comes after an assignment, on every path", () => {
    /** The names of `body` (a function's) declared without a value that assignedBeforeRead takes. */
    const taken = (body: string) => {
      const fn = fnOf(`function f(a, c, n, s) { ${body} }`);
      const stmts = fn.body.body as N[];
      return [...assignedBeforeRead(stmts, declaredWithoutValue(stmts))].sort().join(" ");
    };
    // taken
    expect(taken("var i; for (i = 0; i < n; i++) s += i; return s;")).toBe("i");
    expect(taken("var u, v; u = a[0]; v = u | 0; return u + v;")).toBe("u v");
    expect(taken("var t; if (c) t = 1; else t = 2; return t;")).toBe("t");
    expect(taken("var t; if (c) { t = 1; } else { if (n) t = 2; else t = 3; } return t;")).toBe("t");
    expect(taken("var a1, b1; a1 = b1 = 3; return a1 + b1;")).toBe("a1 b1");
    expect(taken("var t; (t = n) && s; return t;")).toBe("t");
    expect(taken("var t; a[t = 1] = t; return t;")).toBe("t");
    expect(taken("var t; for (let k = 0; k < n; k++) { t = k * 2; s += t; } return s;")).toBe("t");
    expect(taken("for (let k = 0; k < n; k++) { let t; t = k; s += t; } return s;")).toBe("t");
    expect(taken("var t; t = 0; for (const x of a) s += x + t; return s;")).toBe("t");
    // not taken: a path on which a read comes first
    expect(taken("var t; if (c) t = 1; return t;")).toBe("");
    expect(taken("var t; for (let k = 0; k < n; k++) { s += t; t = k; } return s;")).toBe("");
    expect(taken("var t; for (let k = 0; k < n; k++) t = k; return t;")).toBe("");
    expect(taken("var t; while (c) t = 1; return t;")).toBe("");
    expect(taken("var t; do { t = 1; } while (c); return t;")).toBe(""); // (conservative: a continue could skip it)
    expect(taken("var t; c && (t = 1); return t;")).toBe("");
    expect(taken("var t; c ? (t = 1) : 0; return t;")).toBe("");
    expect(taken("var t; t += 1; return t;")).toBe("");
    expect(taken("var t; t = t + 1; return t;")).toBe("");
    expect(taken("var t; return typeof t;")).toBe("");
    expect(taken("for (let k = 0; k < n; k++) { let t; if (c) t = 1; s += t; } return s;")).toBe("");
    expect(taken("var t; for (const x of a) t = x; return t;")).toBe("");
    expect(taken("var t; switch (c) { case 1: t = 1; } return 0;")).toBe("");
    expect(taken("var t; t = 1; const g = () => t; return g();")).toBe("");
    expect(taken("var t; t = 1; function g() { t = 2; } return t;")).toBe("");
  });

  test("a function calling Math is not frozen where the program may replace Math's functions, whichever way", () => {
    const user = `function f(n) { let s = 0; for (let i = 0; i < n; i++) s += Math.floor(i / 2); return s; }\nconsole.log(f(10));\n`;
    const frozen = (code: string) => freeze(code).frozen.map((x) => x.cand.name);
    expect(frozen(user)).toEqual(["f"]);
    // (reads of Math, a key or property named Math, and other Math functions replaced leave it frozen)
    expect(frozen(`const o = { Math: 1 }; o.Math = Math.PI; Math.sqrt = () => 0;\n${user}`)).toEqual(["f"]);
    for (const patch of [
      `Math.floor = () => 42;`,
      `Math["floor"] = () => 42;`,
      `Object.defineProperty(Math, "floor", { value: () => 42 });`,
      `Object.assign(Math, { floor: () => 42 });`,
      `const M = Math; M.floor = () => 42;`,
      `const o = { Math }; o.Math.floor = () => 42;`,
      `({ f: Math.floor } = { f: () => 42 });`,
      `for (Math.floor of [() => 42]);`,
      `delete Math.floor;`,
      `globalThis.Math.floor = () => 42;`,
    ]) {
      expect([patch, frozen(`${patch}\n${user}`)]).toEqual([patch, []]);
    }
  });

  test("objects.ts's digit writer spells every int32 as ToString does", () => {
    const m = new ModuleBuilder();
    m.importMemory("env", "memory");
    const [itoa] = objectHelpers([[{ op: "call", func: ITOA_HELPER }]], () => []);
    m.func(itoa!);
    m.export(ITOA_HELPER, ITOA_HELPER);
    const wasm = m.encode();
    expect(WebAssembly.validate(wasm)).toBe(true);
    const memory = new WebAssembly.Memory({ initial: 1 });
    const write = new WebAssembly.Instance(new WebAssembly.Module(wasm), { env: { memory } }).exports[ITOA_HELPER] as (end: number, v: number) => number;
    const values = [0, 1, -1, 9, 10, -10, 99, 100, 12345, -98765, 2 ** 31 - 1, -(2 ** 31), 2 ** 30, 1000000000, -1000000000];
    let seed = 11;
    for (let n = 0; n < 2000; n++) values.push(((seed = (seed * 1103515245 + 12345) >>> 0) | 0) >> (seed % 31));
    for (const v of values) {
      const start = write(64, v);
      expect(new TextDecoder().decode(new Uint8Array(memory.buffer, start, 64 - start))).toBe(String(v));
    }
  });

  test("encodes LEB128, sizes and constants exactly", () => {
    const m = new ModuleBuilder();
    m.importMemory("env", "memory");
    m.importTable("env", "__indirect_function_table");
    m.importGlobal("env", "__memory_base", "i32");
    m.importGlobal("env", "__table_base", "i32");
    const values = [0, 1, -1, 63, 64, -64, -65, 127, 128, 2 ** 31 - 1, -(2 ** 31)];
    // a body longer than 127 bytes (a two-byte size), and every i32 edge constant
    m.func({ name: "f", params: [], results: ["i32"], locals: [], body: [{ op: "i32.const", value: 0 }, ...values.flatMap((value) => [{ op: "i32.const" as const, value }, { op: "i32.add" as const }])] });
    m.func({ name: "g", params: ["f64"], results: ["f64"], locals: ["f64", "f64", "i32"], body: [{ op: "f64.const", value: -0 }, { op: "local.get", local: 0 }, { op: "f64.add" }] });
    m.export("f", "f");
    m.export("g", "g");
    m.staticData(new Uint8Array(200));
    const wasm = m.encode();
    expect(WebAssembly.validate(wasm)).toBe(true);
    expect(parseDylink(wasm).memorySize).toBe(200);
    const mem = new WebAssembly.Memory({ initial: 1 });
    const table = new WebAssembly.Table({ initial: 0, element: "anyfunc" });
    const g = (value: number) => new WebAssembly.Global({ value: "i32", mutable: false }, value);
    const inst = new WebAssembly.Instance(new WebAssembly.Module(wasm), { env: { memory: mem, __indirect_function_table: table, __memory_base: g(0), __table_base: g(0) } });
    const x = inst.exports as { f: () => number; g: (v: number) => number };
    expect(x.f()).toBe(values.reduce((a, b) => (a + b) | 0, 0));
    expect(Object.is(x.g(-0), -0)).toBe(true);
    expect(m.listing()).toContain("i32.const -2147483648");
  });
});
