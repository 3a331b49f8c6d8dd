// Side modules (dylink.0) linked into a live guest, on both engines: a fresh
// link, and a link again after a pre-initialised snapshot restore.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { nativeHostPath } from "../internal/assets/index.ts";
import { preinitialize } from "../internal/build/snapshot.ts";
import { linkSideModule, sideModuleInfo, type SideModule } from "../internal/engine/dylink.ts";
import { callOwnDefinitions } from "../internal/engine/selfcalls.ts";
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
