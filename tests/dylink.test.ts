// Side modules (dylink.0) linked into a live guest, on both engines: a fresh
// link, and a link again after a pre-initialised snapshot restore.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { nativeHostPath } from "../internal/assets/index.ts";
import { preinitialize } from "../internal/build/snapshot.ts";
import { linkSideModule, relinkOnly, sideModuleInfo, type SideModule } from "../internal/engine/dylink.ts";
import { callOwnDefinitions } from "../internal/engine/selfcalls.ts";
import { readSections, SectionId, uleb } from "../internal/engine/wasm.ts";
import { JsEngine } from "../internal/engine/js.ts";
import { NativeEngine } from "../internal/engine/native.ts";
import { openHostLib } from "../internal/engine/native-ffi.ts";
import { QuickJS, type GuestHooks } from "../internal/engine/quickjs.ts";
import type { Engine } from "../internal/engine/types.ts";
import { wasiImports } from "../internal/engine/wasi.ts";

const require = createRequire(import.meta.url);
const quickjs = readFileSync(require.resolve("quickjs-wasi/quickjs.wasm"));
const encoding = readFileSync(require.resolve("quickjs-wasi/encoding.so"));
const crypto = readFileSync(require.resolve("quickjs-wasi/crypto.so"));
const url = readFileSync(require.resolve("quickjs-wasi/url.so"));

const hooks: GuestHooks = {
  hostCall: () => undefined,
  interrupt: () => false,
  normalizeModule: (_b, s) => s,
  loadModule: () => "",
  rejection: () => {},
};
const output = { write() {} };

function evalString(vm: QuickJS, code: string): string {
  const h = vm.eval(code, "test.js");
  try {
    return vm.toString(h);
  } finally {
    vm.free(h);
  }
}

const engines: [string, () => Promise<Engine>][] = [
  ["js", async () => new JsEngine()],
  ["native", async () => new NativeEngine(openHostLib(await nativeHostPath()))],
];

for (const [name, make] of engines) {
  describe(`side modules on ${name}`, async () => {
    const engine = await make();
    const side = (wasm: Uint8Array, ext: string): SideModule => ({
      name: ext,
      module: engine.compile(wasm),
      ...sideModuleInfo(wasm),
      initFn: `qjs_ext_${ext}_init`,
    });

    test("URL's calls to its own C++ helpers stay in the guest once callOwnDefinitions has rewritten it", () => {
      const parse = `(() => { const u = new URL("../x/" + "%C3%A9".repeat(40) + "?q=" + "a b".repeat(50) + "#h", "https://user@例え.テスト:8080/a/b/c");
        return [u.href.length, u.hostname, u.pathname.slice(0, 12), u.search.length, u.hash].join(" "); })()`;
      const want = "540 xn--r8jz45g.xn--zckzah /a/x/%C3%A9% 253 #h"; // as node and Bun give it
      // the imports it defines itself left unserved: a call that still went through the host would trap
      for (const [wasm, works] of [[url, false], [callOwnDefinitions(url), true]] as const) {
        const vm = QuickJS.create(engine.compile(quickjs), hooks, { output });
        linkSideModule(vm.instance, { ...side(wasm, "url"), defines: [] }, wasiImports(() => vm.instance, output));
        if (works) expect(evalString(vm, parse)).toBe(want);
        else expect(() => evalString(vm, parse)).toThrow();
        vm.dispose();
      }
    });

    test("a fresh link registers the module's classes", () => {
      const vm = QuickJS.create(engine.compile(quickjs), hooks, { output });
      const wasi = wasiImports(() => vm.instance, output);
      linkSideModule(vm.instance, side(encoding, "encoding"), wasi);
      linkSideModule(vm.instance, side(crypto, "crypto"), wasi);
      expect(evalString(vm, `Array.from(new TextEncoder().encode("hé")).join(",")`)).toBe("104,195,169");
      expect(evalString(vm, `new TextDecoder().decode(new Uint8Array([104, 195, 169]))`)).toBe("hé");
      expect(evalString(vm, `String(crypto.getRandomValues(new Uint8Array(16)).some((b) => b !== 0))`)).toBe("true");
      vm.dispose();
    });

    test("after a snapshot restore, linking again at the recorded bases keeps the module working", () => {
      const vm = QuickJS.create(engine.compile(quickjs), hooks, { output });
      const wasi = wasiImports(() => vm.instance, output);
      const placed = linkSideModule(vm.instance, side(encoding, "encoding"), wasi).placement;
      vm.free(vm.eval(`globalThis.enc = new TextEncoder()`, "setup.js"));
      const { memory, stackPointer } = vm.snapshot();
      const state = vm.state();
      vm.dispose();

      const restored = QuickJS.restore(engine.compile(preinitialize(quickjs, memory, stackPointer)), hooks, { output }, state);
      linkSideModule(restored.instance, side(encoding, "encoding"), wasiImports(() => restored.instance, output), placed);
      // An object made before the snapshot and a new one both work.
      expect(evalString(restored, `enc.encode("ok").length + "," + new TextEncoder().encode("abc").length`)).toBe("2,3");
      restored.dispose();
    });
  });
}

describe("callOwnDefinitions", () => {
  const name = (s: string) => [s.length, ...new TextEncoder().encode(s)];
  const section = (id: number, ...items: number[][]) => {
    const body = [...uleb(items.length), ...items.flat()];
    return [id, ...uleb(body.length), ...body];
  };
  const fn = (n: number) => [4, 0x00, 0x41, n, 0x0b]; // () -> i32: i32.const n
  // Imports env.one (0) and env.other (1); defines one (2), two (3), three (4); a funcref global holds two.
  const edge = new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, [0x60, 0x00, 0x01, 0x7f]),
    ...section(2, [...name("env"), ...name("one"), 0x00, 0x00], [...name("env"), ...name("other"), 0x00, 0x00]),
    ...section(3, [0x00], [0x00], [0x00]),
    ...section(6, [0x70, 0x00, 0xd2, 3, 0x0b]),
    ...section(7, [...name("one"), 0x00, 2], [...name("g"), 0x03, 0]),
    ...section(10, fn(1), fn(2), fn(3)),
  ]);

  test("a function reference in a global still names the function it did (a stale index would be valid, and another function)", () => {
    const out = callOwnDefinitions(edge);
    expect(WebAssembly.validate(out)).toBe(true);
    const module = new WebAssembly.Module(out);
    expect(WebAssembly.Module.imports(module).map((i) => i.name)).toEqual(["other"]);
    const { exports } = new WebAssembly.Instance(module, { env: { other: () => 0 } });
    expect((exports.g as WebAssembly.Global).value()).toBe(2);
  });

  test("an import is not served by a definition whose type it could not read", () => {
    // types: a GC struct (not read), () -> i32, () -> i64; env.f imported as the first, defined as the second
    const mixed = new Uint8Array([
      ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
      ...section(1, [0x5f, 0x00], [0x60, 0x00, 0x01, 0x7f], [0x60, 0x00, 0x01, 0x7e]),
      ...section(2, [...name("env"), ...name("f"), 0x00, 1]),
      ...section(3, [2]),
      ...section(7, [...name("f"), 0x00, 1]),
      ...section(10, [4, 0x00, 0x42, 1, 0x0b]),
    ]);
    expect(callOwnDefinitions(mixed)).toEqual(mixed);
  });

  test("URL's rewrite is a valid module", () => {
    const out = callOwnDefinitions(url);
    expect(out.length).toBeLessThan(url.length);
    expect(WebAssembly.validate(out)).toBe(true);
  });
});

describe("relinkOnly: a side module linked again after a snapshot", () => {
  /**
   * wat2wasm of: (module (import "env" "__memory_base" (global $mb i32)) (import "env" "__table_base" (global $tb i32))
   * (memory (export "memory") 1) (global $g (export "g") (mut i32) (i32.const 0)) (global $h (export "h") (mut i32) (i32.const 0))
   * (func $start global.get $mb i32.const 5 i32.add global.set $g
   *   global.get $mb i32.const 8 i32.add i32.const 0 i32.const 16 memory.fill global.get $tb i32.const 3 i32.add global.set $h)
   * (start $start)): wasm-ld's relocation of its own globals, then a clear of its .bss
   */
  const RELOCATING = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 42, 2, 3, 101, 110, 118, 13, 95, 95, 109, 101, 109, 111, 114, 121, 95, 98, 97, 115, 101, 3, 127, 0, 3, 101, 110, 118, 12, 95, 95, 116, 97, 98, 108, 101, 95, 98, 97, 115, 101, 3, 127, 0, 3, 2, 1, 0, 5, 3, 1, 0, 1, 6, 11, 2, 127, 1, 65, 0, 11, 127, 1, 65, 0, 11, 7, 18, 3, 6, 109, 101, 109, 111, 114, 121, 2, 0, 1, 103, 3, 2, 1, 104, 3, 3, 8, 1, 0, 10, 30, 1, 28, 0, 35, 0, 65, 5, 106, 36, 2, 35, 0, 65, 8, 106, 65, 0, 65, 16, 252, 11, 0, 35, 1, 65, 3, 106, 36, 3, 11]);
  /** (start: global.get $mb i32.const 5 i32.add i32.const 1 i32.add global.set $g): not a base plus a constant */
  const SUMMING = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 2, 22, 1, 3, 101, 110, 118, 13, 95, 95, 109, 101, 109, 111, 114, 121, 95, 98, 97, 115, 101, 3, 127, 0, 3, 2, 1, 0, 6, 6, 1, 127, 1, 65, 0, 11, 7, 5, 1, 1, 103, 3, 1, 8, 1, 0, 10, 14, 1, 12, 0, 35, 0, 65, 5, 106, 65, 1, 106, 36, 1, 11]);
  /** (start: call $f): anything but relocations and memory writes */
  const CALLING = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 3, 2, 0, 0, 6, 6, 1, 127, 1, 65, 0, 11, 7, 5, 1, 1, 103, 3, 0, 8, 1, 1, 10, 9, 2, 2, 0, 11, 4, 0, 16, 0, 11]);

  test("no start function, and the globals it relocated start relocated", () => {
    const out = relinkOnly(RELOCATING);
    expect(readSections(out).some((s) => s.id === SectionId.start)).toBe(false);
    const { exports } = new WebAssembly.Instance(new WebAssembly.Module(out), { env: { __memory_base: 1000, __table_base: 200 } });
    expect([(exports.g as WebAssembly.Global).value, (exports.h as WebAssembly.Global).value]).toEqual([1005, 203]);
  });

  test("a start function that does more than that is refused, not dropped", () => {
    expect(() => relinkOnly(SUMMING)).toThrow("sets global 1 to something other than a base plus a constant");
    expect(() => relinkOnly(CALLING)).toThrow("holds opcode 0x10");
  });
});
