// The Engine interface on both backends, in-process: traps, the FFI table, the precompiled cache.

import { describe, expect, test } from "bun:test";
import { readFileSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { nativeHostPath } from "../internal/assets/index.ts";
import { join } from "node:path";
import { JsEngine } from "../internal/engine/js.ts";
import { NativeEngine } from "../internal/engine/native.ts";
import { openHostLib, symbols } from "../internal/engine/native-ffi.ts";
import { GuestTrap, type Engine } from "../internal/engine/types.ts";
import { edgebox, ENGINES, tempApp } from "./helpers.ts";

/**
 * wat2wasm of:
 *   (module
 *     (memory (export "memory") 1)
 *     (func (export "boom") unreachable)
 *     (func (export "oob") (result i32) i32.const 70000 i32.load)
 *     (func (export "add") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
 */
const TRAPS = new Uint8Array([
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x0e, 0x03, 0x60, 0x00, 0x00, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x02,
  0x7f, 0x7f, 0x01, 0x7f, 0x03, 0x04, 0x03, 0x00, 0x01, 0x02, 0x05, 0x03, 0x01, 0x00, 0x01, 0x07, 0x1d, 0x04, 0x06, 0x6d,
  0x65, 0x6d, 0x6f, 0x72, 0x79, 0x02, 0x00, 0x04, 0x62, 0x6f, 0x6f, 0x6d, 0x00, 0x00, 0x03, 0x6f, 0x6f, 0x62, 0x00, 0x01,
  0x03, 0x61, 0x64, 0x64, 0x00, 0x02, 0x0a, 0x17, 0x03, 0x03, 0x00, 0x00, 0x0b, 0x09, 0x00, 0x41, 0xf0, 0xa2, 0x04, 0x28,
  0x02, 0x00, 0x0b, 0x07, 0x00, 0x20, 0x00, 0x20, 0x01, 0x6a, 0x0b,
]);

/** The native engine over the host library as `edgebox` extracts it (from the build's dist/assets). */
async function nativeEngine(): Promise<NativeEngine> {
  return new NativeEngine(openHostLib(await nativeHostPath()));
}

const engines: [string, () => Engine | Promise<Engine>][] = [
  ["js", () => new JsEngine()],
  ["native", nativeEngine],
];

for (const [name, make] of engines) {
  describe(`engine ${name}`, async () => {
    const engine = await make();
    const module = engine.compile(TRAPS);

    test("calls an export", () => {
      const inst = engine.instantiate(module, {});
      expect(inst.exports.add!(2, 40)).toBe(42);
      inst.dispose();
    });

    test("unreachable is a GuestTrap, and the engine keeps working", () => {
      const inst = engine.instantiate(module, {});
      expect(() => inst.exports.boom!()).toThrow(GuestTrap);
      expect(inst.exports.add!(1, 2)).toBe(3);
      const again = engine.instantiate(module, {});
      expect(again.exports.add!(3, 4)).toBe(7);
    });

    test("an out-of-bounds load is a GuestTrap naming the cause", () => {
      const inst = engine.instantiate(module, {});
      let err: unknown;
      try {
        inst.exports.oob!();
      } catch (e) {
        err = e;
      }
      expect(err).toBeInstanceOf(GuestTrap);
      expect(String((err as Error).message)).toMatch(/out of bounds/i);
    });

    test("memory is a live view", () => {
      const inst = engine.instantiate(module, {});
      expect(inst.memory().length).toBe(65536);
      inst.memory()[100] = 7;
      expect(inst.memory()[100]).toBe(7);
    });
  });
}

describe("native host library", () => {
  test("the bun:ffi table matches the Zig exports", () => {
    const zig = readFileSync(join(import.meta.dir, "..", "zig", "src", "exports.zig"), "utf8");
    const exported = [...zig.matchAll(/@export\(&(\w+), \.\{ \.name = "(\w+)" \}\)/g)].map((m) => [m[1]!, m[2]!] as const);
    expect(exported.map(([, n]) => n).sort()).toEqual(Object.keys(symbols).sort());
    for (const [fn, name] of exported) {
      const params = new RegExp(`fn ${fn}\\(([^)]*)\\)`).exec(zig)![1]!;
      const arity = params.trim() === "" ? 0 : params.split(",").length;
      expect({ name, arity }).toEqual({ name, arity: symbols[name as keyof typeof symbols].args.length });
    }
  });

  test("eb_echo round-trips through the FFI boundary", async () => {
    const e = await nativeEngine();
    expect(e.lib.eb_echo(123456789n)).toBe(123456789n);
  });
});

describe("precompiled cache", () => {
  const app = tempApp({ "hello.js": `console.log("cached hello");\n` });
  const cache = tempApp();
  const run = () => edgebox(["run", "--engine=native", join(app, "hello.js")], { env: { XDG_CACHE_HOME: cache } });
  const entry = () => {
    const dir = join(cache, "edgebox", readdirSync(join(cache, "edgebox"))[0]!);
    const file = readdirSync(dir).find((f) => f.endsWith(".cwasm"))!;
    return join(dir, file);
  };

  test("the first run fills the cache, later runs use it silently", () => {
    expect(run()).toEqual({ code: 0, stdout: "cached hello\n", stderr: "" });
    expect(readFileSync(entry()).length).toBeGreaterThan(100000);
    // hash, length, and the identity (device:inode:size:mtime:ctime) it had when hashed
    expect(readFileSync(entry() + ".sum", "utf8")).toMatch(/^edgebox-cwasm-3 [0-9a-f]{16} \d+ \d+:\d+:\d+:\d+:\d+\n$/);
    expect(run()).toEqual({ code: 0, stdout: "cached hello\n", stderr: "" });
  });

  test("a corrupted entry is detected, discarded and rebuilt with a warning", () => {
    const file = entry();
    const bytes = readFileSync(file);
    bytes[bytes.length >> 1]! ^= 0xff;
    writeFileSync(file, bytes);
    const r = run();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("cached hello\n");
    expect(r.stderr).toContain("discarding a corrupt precompiled cache entry (checksum mismatch)");
    expect(run()).toEqual({ code: 0, stdout: "cached hello\n", stderr: "" });
  });

  test("an entry changed in place with its size and times put back is still detected (its change time moved)", () => {
    const file = entry();
    const before = statSync(file, { bigint: true }).mtimeNs;
    const bytes = readFileSync(file);
    bytes[bytes.length >> 2]! ^= 0xff;
    writeFileSync(file, bytes);
    // the modification time back to the nanosecond (touch takes nanoseconds; utimes from JS rounds them)
    const ns = String(before % 1_000_000_000n).padStart(9, "0");
    expect(Bun.spawnSync(["touch", "-m", "-d", `@${before / 1_000_000_000n}.${ns}`, file]).exitCode).toBe(0);
    expect(statSync(file, { bigint: true }).mtimeNs).toBe(before);
    const r = run();
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("cached hello\n");
    expect(r.stderr).toContain("discarding a corrupt precompiled cache entry (checksum mismatch)");
    expect(run()).toEqual({ code: 0, stdout: "cached hello\n", stderr: "" });
  });

  test("a truncated entry is rebuilt too", () => {
    const file = entry();
    writeFileSync(file, readFileSync(file).subarray(0, 1000));
    const r = run();
    expect(r.code).toBe(0);
    expect(r.stderr).toContain("discarding a corrupt precompiled cache entry");
    expect(run().stderr).toBe("");
  });
});

describe("bytecode cache of large CommonJS modules", () => {
  // 20 000 lines: above the size where reading bytecode beats compiling
  const big = Array.from({ length: 20000 }, (_, i) => `exports.f${i} = function () { return ${i}; };`).join("\n");
  const app = tempApp({
    "big.js": `${big}\nexports.fail = function () { throw new Error("from big"); };\n`,
    "main.js": `const b = require("./big.js");\nconsole.log(b.f19999(), b.f7.toString());\ntry { b.fail(); } catch (e) { console.log(/big\\.js:\\d+/.exec(e.stack)[0]); }\n`,
  });
  const cache = tempApp();
  const expected = "19999 function () { return 7; }\nbig.js:20001\n";
  const entries = () => {
    const dir = join(cache, "edgebox", readdirSync(join(cache, "edgebox"))[0]!, "bytecode");
    return readdirSync(dir).map((f) => join(dir, f));
  };

  for (const engine of ENGINES) {
    test(`a cached module runs as the source does: values, toString, stack lines (--engine ${engine})`, () => {
      const run = () => edgebox(["run", `--engine=${engine}`, join(app, "main.js")], { env: { XDG_CACHE_HOME: cache } });
      const first = run();
      expect(first.stderr).toBe("");
      expect(first.stdout).toBe(expected);
      expect(entries()).toHaveLength(1);
      expect(run().stdout).toBe(expected);
    });
  }

  test("a damaged entry is ignored and rewritten; an edited source is a new entry", () => {
    const run = () => edgebox(["run", join(app, "main.js")], { env: { XDG_CACHE_HOME: cache } });
    expect(run().stdout).toBe(expected);
    const [file] = entries();
    const bytes = readFileSync(file!);
    bytes[bytes.length - 100]! ^= 0xff;
    writeFileSync(file!, bytes);
    expect(run()).toEqual({ code: 0, stdout: expected, stderr: "" });
    expect(readFileSync(file!).equals(bytes)).toBe(false);
    writeFileSync(join(app, "big.js"), `${big}\nexports.fail = function () { throw new Error("edited"); };\n`);
    expect(run().stdout).toBe(expected);
    expect(entries()).toHaveLength(2);
  });
});
