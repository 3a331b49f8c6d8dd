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

const corpus = readFileSync(join(import.meta.dir, "freeze", "pure.js"), "utf8");
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
