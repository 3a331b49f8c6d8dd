// The Engine interface on both backends, in-process: traps, the FFI table, the precompiled cache.

import { describe, expect, test } from "bun:test";
import { openSync, readFileSync, readSync, readdirSync, statSync, writeFileSync } from "node:fs";
import { nativeHostPath } from "../internal/assets/index.ts";
import { join } from "node:path";
import { JsEngine } from "../internal/engine/js.ts";
import { NativeEngine } from "../internal/engine/native.ts";
import { openHostLib, Status, symbols, TRAP_CODES } from "../internal/engine/native-ffi.ts";
import { ptr, type Pointer } from "bun:ffi";
import { GuestTrap, type Engine, type Instance } from "../internal/engine/types.ts";
import { edgebox, ENGINES, securityTest, TABLE_WRITES, tempApp, wabt } from "./helpers.ts";
import { runtimeModule } from "../internal/assets/index.ts";

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

/**
 * wat2wasm of:
 *   (module
 *     (import "env" "h" (func $h (param i32) (result i32)))
 *     (func $down (export "down") (param $n i32) (result i32)
 *       local.get $n i32.eqz
 *       if (result i32) i32.const 1 call $h
 *       else local.get $n i32.const 1 i32.sub call $down i32.const 1 i32.add end)
 *     (memory (export "memory") 1))
 */
const RECURSE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 2, 9, 1, 3, 101, 110, 118, 1, 104, 0, 0, 3, 2, 1, 0, 5, 3, 1, 0, 1,
  7, 17, 2, 4, 100, 111, 119, 110, 0, 1, 6, 109, 101, 109, 111, 114, 121, 2, 0, 10, 25, 1, 23, 0, 32, 0, 69, 4, 127, 65, 1, 16,
  0, 5, 32, 0, 65, 1, 107, 16, 1, 65, 1, 106, 11, 11,
]);

/** wat2wasm of: (module (func (export "spin") (loop br 0))) */
const SPIN = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 7, 8, 1, 4, 115, 112, 105, 110, 0, 0, 10, 9, 1, 7, 0, 3, 64, 12, 0, 11, 11]);

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

/** The bun:ffi type a Zig parameter or return type of exports.zig crosses as. */
function ffiType(zig: string): string {
  if (zig === "[*:0]const u8") return "cstring";
  if (/^\??(\*|\[\*\])/.test(zig) || zig === "host.HostCallback") return "ptr";
  if (zig === "Status") return "i32";
  if (/^(u8|u32|u64|i32|i64|usize|void)$/.test(zig)) return zig;
  throw new Error(`exports.zig uses a type the test cannot map: ${zig}`);
}

/** The members of `pub const <name> = enum(<tag>) { ... }` in a Zig source, as name -> value. */
function zigEnum(src: string, name: string): { tag: string; members: Record<string, number> } {
  const m = new RegExp(`pub const ${name} = enum\\((\\w+)\\) \\{([^}]*)\\}`).exec(src)!;
  const members = Object.fromEntries([...m[2]!.matchAll(/^\s*(\w+) = (\d+),/gm)].map((x) => [x[1]!, Number(x[2])]));
  return { tag: m[1]!, members };
}

describe("native host library", () => {
  const zigDir = join(import.meta.dir, "..", "zig", "src");
  const zig = readFileSync(join(zigDir, "exports.zig"), "utf8");

  test("the bun:ffi table matches the Zig exports: names, argument and return types", () => {
    const exported = [...zig.matchAll(/@export\(&(\w+), \.\{ \.name = "(\w+)" \}\)/g)].map((m) => [m[1]!, m[2]!] as const);
    expect(exported.map(([, n]) => n).sort()).toEqual(Object.keys(symbols).sort());
    for (const [fn, name] of exported) {
      const [, params, ret] = new RegExp(`fn ${fn}\\(([^)]*)\\) callconv\\(\\.c\\) (\\S+) \\{`).exec(zig)!;
      const args = params!.trim() === "" ? [] : params!.split(", ").map((p) => ffiType(p.slice(p.indexOf(": ") + 2)));
      const declared = symbols[name as keyof typeof symbols];
      expect({ name, args, returns: ffiType(ret!) }).toEqual({ name, args: [...declared.args], returns: declared.returns });
    }
  });

  test("Status and the trap codes match the Zig enums", () => {
    const status = zigEnum(zig, "Status");
    expect(status.tag).toBe("c_int");
    const camel = (s: string) => s.replace(/_(\w)/g, (_, c: string) => c.toUpperCase());
    expect(Object.fromEntries(Object.entries(status.members).map(([k, v]) => [camel(k), v]))).toEqual({ ...Status });
    const trap = zigEnum(readFileSync(join(zigDir, "wasmtime.zig"), "utf8"), "TrapCode");
    expect(trap.tag).toBe("u8");
    expect(Object.entries(trap.members).filter(([k]) => k !== "none")).toEqual(TRAP_CODES.map((n, i) => [n, i]));
  });

  test("eb_echo round-trips through the FFI boundary", async () => {
    const e = await nativeEngine();
    expect(e.lib.eb_echo(123456789n)).toBe(123456789n);
  });

  test("a trap carries Wasmtime's code, typed; the message names the cause on its first line", async () => {
    const e = await nativeEngine();
    const inst = e.instantiate(e.compile(TRAPS), {});
    const trapOf = (f: () => unknown) => {
      try {
        f();
      } catch (err) {
        return err as GuestTrap;
      }
      throw new Error("no trap");
    };
    const oob = trapOf(() => inst.exports.oob!());
    expect([oob.code, oob.message.split("\n")[0]]).toEqual(["memory_out_of_bounds", "out of bounds memory access"]);
    const boom = trapOf(() => inst.exports.boom!());
    expect([boom.code, boom.message.split("\n")[0]]).toEqual(["unreachable_code_reached", "wasm `unreachable` instruction executed"]);
    const fueled = new NativeEngine(e.lib, { fuel: true });
    const spin = fueled.instantiate(fueled.compile(SPIN), {}, { fuel: 10000 });
    const out = trapOf(() => spin.exports.spin!());
    expect([out.code, out.message.split("\n")[0]]).toEqual(["out_of_fuel", "all fuel consumed (instruction limit reached)"]);
    const timed = new NativeEngine(e.lib, { epoch: true });
    const late = trapOf(() => timed.instantiate(timed.compile(SPIN), {}, { deadlineMs: 20 }).exports.spin!());
    expect(late.code).toBe("interrupt");
    fueled.dispose();
    timed.dispose();
  });

  test("wasm frames far past this thread's stack run on the guest's own; host calls from there run JS, and call in again; past the limit a trap", async () => {
    const e = await nativeEngine();
    const deep = new NativeEngine(e.lib, { wasmStackMiB: 64 });
    const module = deep.compile(RECURSE);
    let depthAtHost = 0;
    let inner: Instance | undefined;
    const other = deep.instantiate(module, { env: { h: { params: ["i32"], results: ["i32"], fn: (x: number) => x } } });
    const inst = deep.instantiate(module, {
      env: {
        h: {
          params: ["i32"],
          results: ["i32"],
          // at the bottom: JS (a closure, an array), a call into this same guest below its frames, and into another store
          fn: (x: number) => [x].map((y) => y + (depthAtHost++ === 0 ? inner!.exports.down!(1000) + other.exports.down!(100000) : 1))[0]!,
        },
      },
    });
    inner = inst;
    // 700,000 frames: 11 MiB or more of native stack (16 bytes a frame at least), beyond the 8 MiB of a main thread
    expect(inst.exports.down!(700_000)).toBe(700_000 + (1 + (1000 + 2) + (100_000 + 1)));
    expect(depthAtHost).toBe(2);
    // Wasmtime's limit (8 MiB here) is a trap, never a crash; the instance stays usable
    const small = new NativeEngine(e.lib, { wasmStackMiB: 8 });
    const capped = small.instantiate(small.compile(RECURSE), { env: { h: { params: ["i32"], results: ["i32"], fn: (x: number) => x } } });
    let trap: unknown;
    try {
      capped.exports.down!(10_000_000);
    } catch (err) {
      trap = err;
    }
    expect(trap).toBeInstanceOf(GuestTrap);
    expect((trap as GuestTrap).code).toBe("stack_overflow");
    expect(capped.exports.down!(10)).toBe(11);
    for (const x of [inst, other, capped]) x.dispose();
    deep.dispose();
    small.dispose();
  });

  test("an export lookup with an empty or short signature buffer is refused, not a write outside it", async () => {
    const e = await nativeEngine();
    const inst = e.instantiate(e.compile(TRAPS), {}) as unknown as { handle: Pointer };
    const name = Buffer.from("add");
    const sig = new Uint8Array(1).subarray(0, 0);
    const st = e.lib.eb_instance_export(inst.handle, name, name.length, e.outPtr, ptr(e.out, 8), sig, 0, e.errPtr, e.err.length);
    expect(st).toBe(Status.badArgument);
    expect(e.message()).toContain("signature buffer is empty");
    // "ii\ti" needs 5 bytes with its NUL: 3 is too few, and says so
    const small = new Uint8Array(3);
    const st2 = e.lib.eb_instance_export(inst.handle, name, name.length, e.outPtr, ptr(e.out, 8), small, small.length, e.errPtr, e.err.length);
    expect([st2, e.message()]).toEqual([Status.badArgument, "the signature of 'add' does not fit the caller's buffer"]);
  });

  test("a missing export is not_found, a file error is os_error with the errno", async () => {
    const e = await nativeEngine();
    const inst = e.instantiate(e.compile(TRAPS), {});
    expect(inst.exports.nothing).toBeUndefined();
    const out = new Int32Array(1);
    const st = e.lib.eb_fs_open(Buffer.from("/nonexistent-edgebox-dir\0"), Buffer.from("x\0"), 0, 0, out);
    expect([st, out[0]]).toEqual([Status.osError, 2 /* ENOENT */]);
    expect(e.hashFile("/nonexistent-edgebox-file")).toEqual({ hash: "", length: 0 });
  });
});

/**
 * wat2wasm of:
 *   (module
 *     (import "wasi_snapshot_preview1" "clock_time_get" (func $clock (param i32 i64 i32) (result i32)))
 *     (import "wasi_snapshot_preview1" "random_get" (func $random (param i32 i32) (result i32)))
 *     (memory (export "memory") 1)
 *     (func (export "clock") (param i32 i32) (result i32) local.get 0 i64.const 1 local.get 1 call $clock)
 *     (func (export "random") (param i32 i32) (result i32) local.get 0 local.get 1 call $random))
 */
const WASI = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 14, 2, 96, 3, 127, 126, 127, 1, 127, 96, 2, 127, 127, 1, 127, 2, 77, 2, 22, 119, 97, 115, 105, 95, 115, 110, 97, 112, 115, 104, 111,
  116, 95, 112, 114, 101, 118, 105, 101, 119, 49, 14, 99, 108, 111, 99, 107, 95, 116, 105, 109, 101, 95, 103, 101, 116, 0, 0, 22, 119, 97, 115, 105, 95, 115, 110, 97,
  112, 115, 104, 111, 116, 95, 112, 114, 101, 118, 105, 101, 119, 49, 10, 114, 97, 110, 100, 111, 109, 95, 103, 101, 116, 0, 1, 3, 3, 2, 1, 1, 5, 3, 1, 0, 1, 7, 27, 3,
  6, 109, 101, 109, 111, 114, 121, 2, 0, 5, 99, 108, 111, 99, 107, 0, 2, 6, 114, 97, 110, 100, 111, 109, 0, 3, 10, 21, 2, 10, 0, 32, 0, 66, 1, 32, 1, 16, 0, 11, 8, 0,
  32, 0, 32, 1, 16, 1, 11,
]);

describe.if(process.platform !== "win32")("the host library answers the guest's WASI clock and randomness", () => {
  // The imports TypeScript would answer with: 99, so a test can tell who answered.
  const fromTypeScript = {
    wasi_snapshot_preview1: {
      clock_time_get: { params: ["i32", "i64", "i32"], results: ["i32"], fn: () => 99 },
      random_get: { params: ["i32", "i32"], results: ["i32"], fn: () => 99 },
    },
  } as const;

  test("the clock: realtime for clock 0, monotonic otherwise, written at the guest's address", async () => {
    const e = await nativeEngine();
    const inst = e.instantiate(e.compile(WASI), fromTypeScript as never);
    const view = () => new DataView(inst.memory().buffer, inst.memory().byteOffset);
    const before = BigInt(Date.now()) * 1_000_000n;
    expect(inst.exports.clock!(0, 64)).toBe(0);
    const real = view().getBigUint64(64, true);
    expect(real >= before - 1_000_000n && real <= BigInt(Date.now() + 1) * 1_000_000n).toBe(true);
    expect(inst.exports.clock!(1, 128)).toBe(0);
    const mono = view().getBigUint64(128, true);
    expect(inst.exports.clock!(1, 128)).toBe(0);
    expect(view().getBigUint64(128, true) >= mono).toBe(true);
    e.dispose();
  });

  test("random bytes fill the guest's buffer; an address outside memory is EFAULT, and nothing is written", async () => {
    const e = await nativeEngine();
    const inst = e.instantiate(e.compile(WASI), fromTypeScript as never);
    expect(inst.exports.random!(1000, 4096)).toBe(0);
    expect(inst.memory().subarray(1000, 1000 + 4096).some((b) => b !== 0)).toBe(true);
    expect(inst.memory().subarray(1000 + 4096, 1000 + 8192).every((b) => b === 0)).toBe(true);
    const size = inst.memory().length;
    for (const [at, len] of [[size - 10, 11], [size, 1], [0xfffffff0, 32], [8, 0xffffffff]] as [number, number][]) expect(inst.exports.random!(at, len)).toBe(21);
    for (const at of [size - 7, size, 0xfffffffc]) expect(inst.exports.clock!(0, at)).toBe(21);
    expect(inst.memory().subarray(size - 16).every((b) => b === 0)).toBe(true);
    e.dispose();
  });

  test("an instance can send them to its imports instead (a build's pre-run refuses them)", async () => {
    const e = await nativeEngine();
    const inst = e.instantiate(e.compile(WASI), fromTypeScript as never);
    inst.wasiInHost!(false);
    expect([inst.exports.clock!(0, 64), inst.exports.random!(0, 8)]).toEqual([99, 99]);
    inst.wasiInHost!(true);
    expect([inst.exports.clock!(0, 64), inst.exports.random!(0, 8)]).toEqual([0, 0]);
    e.dispose();
  });
});

/** wat2wasm of: (module (func (export "g") (result i32) i32.const 7)) */
const SIDE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 127, 3, 2, 1, 0, 7, 5, 1, 1, 103, 0, 0, 10, 6, 1, 4, 0, 65, 7, 11]);

/**
 * wat2wasm of: (module (import "env" "f" (func $f (result i32))) (memory (export "memory") 2 64)
 * (global $sp (export "__stack_pointer") (mut i32) (i32.const 4096)) (table (export "__indirect_function_table") 1 10 funcref)
 * (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0))) (func (export "setSp") (param i32) (global.set $sp (local.get 0)))
 * (func (export "callF") (result i32) (call $f)) (func (export "trap") unreachable))
 */
const RECYCLABLE = new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 17, 4, 96, 0, 1, 127, 96, 1, 127, 1, 127, 96, 1, 127, 0, 96, 0, 0, 2, 9, 1, 3, 101, 110, 118, 1, 102, 0, 0, 3, 5, 4, 1, 2, 0, 3, 4, 5, 1, 112, 1, 1, 10, 5, 4, 1, 1, 2, 64, 6, 7, 1, 127, 1, 65, 128, 32, 11, 7, 86, 7, 6, 109, 101, 109, 111, 114, 121, 2, 0, 15, 95, 95, 115, 116, 97, 99, 107, 95, 112, 111, 105, 110, 116, 101, 114, 3, 0, 25, 95, 95, 105, 110, 100, 105, 114, 101, 99, 116, 95, 102, 117, 110, 99, 116, 105, 111, 110, 95, 116, 97, 98, 108, 101, 1, 0, 4, 103, 114, 111, 119, 0, 1, 5, 115, 101, 116, 83, 112, 0, 2, 5, 99, 97, 108, 108, 70, 0, 3, 4, 116, 114, 97, 112, 0, 4, 10, 24, 4, 6, 0, 32, 0, 64, 0, 11, 6, 0, 32, 0, 36, 0, 11, 4, 0, 16, 0, 11, 3, 0, 0, 11]);

/** wat2wasm of: (module (memory (export "memory") MIN MAX) (func (export "grow") (param i32) (result i32) (memory.grow (local.get 0)))) */
const memoryModule = (min: number, max: number) => new Uint8Array([0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 3, 2, 1, 0, 5, 5, 1, 1, min, max & 0x7f | 0x80, max >> 7, 7, 17, 2, 6, 109, 101, 109, 111, 114, 121, 2, 0, 4, 103, 114, 111, 119, 0, 0, 10, 8, 1, 6, 0, 32, 0, 64, 0, 11]);

describe.if(process.platform === "linux")("memory slots (edgebox serve's memories, Linux)", () => {
  // A module given an image starts each instance from a slot an earlier instance used: whatever
  // that one wrote (by the CPU, by the kernel through read(2), in memory it grew, up to its cap)
  // must be the image again, whether the reset asks PAGEMAP_SCAN or copies the whole image.
  // (2 pages: a reset copies back what was written; 64 pages, 4 MiB: past 2 MiB written it drops the pages instead)
  for (const [copyAll, min] of [[false, 2], [false, 64], [true, 2], [true, 64]] as const) {
    test(`a reused slot is the image byte for byte, and memory past it zero (${min} pages, ${copyAll ? "no PAGEMAP_SCAN" : "PAGEMAP_SCAN"})`, async () => {
      const e = new NativeEngine((await nativeEngine()).lib, { memorySlots: true });
      const max = min + 62;
      const module = e.compile(memoryModule(min, max));
      const image = new Uint8Array(min << 16);
      for (let i = 0; i < image.length; i++) image[i] = (i * 7 + (i >> 12)) & 0xff;
      e.setMemoryImage(module, image);
      const file = join(tempApp({ "secret.bin": "S".repeat(70000) }), "secret.bin");
      const expectImage = (inst: Instance) => {
        const m = inst.memory();
        expect(m.length).toBe(image.length);
        expect(Buffer.compare(Buffer.from(m), Buffer.from(image))).toBe(0);
        expect(inst.exports.grow!(62)).toBe(min);
        const grown = inst.memory().subarray(image.length);
        expect(grown.length).toBe(62 << 16);
        expect(grown.every((b) => b === 0)).toBe(true);
      };
      e.lib.eb_slots_copy_all(copyAll ? 1 : 0);
      try {
        const scribblers: ((m: Uint8Array) => void)[] = [
          (m) => m.fill(0xee), // every page, by the CPU
          (m) => (m[5 << 12] = 1), // one byte of one page
          (m) => expect(readSync(openSync(file, "r"), m, 4000, 70000, 0)).toBe(70000), // pages the kernel wrote (read(2) into guest memory)
          () => {}, // nothing: read only
        ];
        for (let round = 0; round < 3; round++) {
          for (const scribble of scribblers) {
            const insts = [e.instantiate(module, {}), e.instantiate(module, {})];
            for (const inst of insts) {
              expectImage(inst);
              scribble(inst.memory());
              inst.memory().fill(0xdd, image.length); // the grown memory, to the cap
            }
            for (const inst of insts) inst.dispose();
          }
          // switching between the two ways mid-run leaves them both right
          e.lib.eb_slots_copy_all((round % 2 === 0) === copyAll ? 0 : 1);
        }
        const last = e.instantiate(module, {});
        expectImage(last);
        last.dispose();
        // (its slot is the next instance's now: the host cannot write into it through the dropped one)
        expect(() => last.memory()).toThrow("the instance is disposed");
      } finally {
        e.lib.eb_slots_copy_all(0);
      }
    }, 60_000);
  }

  // A server image's instance (a module with an image and a stack pointer: internal/serve/image.ts)
  // is recycled when dropped, not freed: the next instance of the module is the same host instance
  // with its memory put back to the image (as a reused slot is) and its stack pointer as instantiated.
  // Whatever a request left in it (memory by the CPU or the kernel, the stack pointer, its host
  // imports) must not reach the next; a memory grown, a trap or a table the host changed: freed.
  const recyclable = async () => {
    const e = new NativeEngine((await nativeEngine()).lib, { memorySlots: true });
    const module = e.compile(RECYCLABLE);
    const image = new Uint8Array(2 << 16);
    for (let i = 0; i < image.length; i++) image[i] = (i * 13 + (i >> 12)) & 0xff;
    e.setMemoryImage(module, image);
    const make = (n: number) => e.instantiate(module, { env: { f: { params: [], results: ["i32"], fn: () => n } } }) as Instance & { handle: Pointer };
    const expectFresh = (inst: Instance, n: number) => {
      expect(Buffer.compare(Buffer.from(inst.memory()), Buffer.from(image))).toBe(0);
      expect(inst.getGlobal("__stack_pointer")).toBe(4096);
      expect(inst.exports.callF!()).toBe(n);
    };
    const side = e.compile(SIDE);
    return { e, module: module as unknown as { spares: Pointer[] }, make, expectFresh, side };
  };

  test("a server image's instance dropped clean is the next one, as fresh: the image's memory, its stack pointer, its own imports", async () => {
    const { e, module, make, expectFresh, side } = await recyclable();
    const file = join(tempApp({ "secret.bin": "S".repeat(70000) }), "secret.bin");
    let last: Pointer | undefined;
    let kept: Pointer | undefined;
    for (let n = 1; n <= 4; n++) {
      const inst = make(n);
      if (last !== undefined) expect(inst.handle).toBe(last);
      expectFresh(inst, n);
      // a side module it may keep (a bundled extension at its place): linked again, it is the one kept
      const linked = inst.link(side, () => ({ kind: "global", value: 0, mutable: false }), true) as Instance & { handle: Pointer };
      if (kept !== undefined) expect(linked.handle).toBe(kept);
      kept = linked.handle;
      expect(linked.exports.g!()).toBe(7);
      inst.tableSetFunction("__indirect_function_table", 0, linked, "g", true); // (as linking it does)
      inst.memory().fill(0xee, 0, 5000);
      expect(readSync(openSync(file, "r"), inst.memory(), 9000, 70000, 0)).toBe(70000);
      inst.exports.setSp!(1234);
      last = inst.handle;
      inst.dispose();
      expect(module.spares).toEqual([last]);
      // (the next request's now: what held it cannot reach it)
      expect(() => inst.exports.callF!()).toThrow("the instance is disposed");
      expect(() => linked.exports.g!()).toThrow("the instance is disposed");
    }
    e.dispose();
  });

  test("not recycled, but freed: an instance whose memory grew, that trapped, whose table grew or changed, or that linked a module it may not keep", async () => {
    const { e, module, make, expectFresh, side } = await recyclable();
    const spoilers: [string, (inst: Instance) => void][] = [
      ["grew", (inst) => expect(inst.exports.grow!(1)).toBe(2)],
      ["trapped", (inst) => expect(() => inst.exports.trap!()).toThrow()],
      ["table grown", (inst) => expect(inst.tableGrow("__indirect_function_table", 1)).toBe(1)],
      ["linked", (inst) => expect(inst.link(side, () => ({ kind: "global", value: 0, mutable: false })).exports.g!()).toBe(7)],
      ["table set", (inst) => inst.tableSetFunction("__indirect_function_table", 0, inst, "callF")],
    ];
    for (const [what, spoil] of spoilers) {
      const inst = make(1);
      spoil(inst);
      inst.memory().fill(0xee, 0, 5000);
      inst.dispose();
      expect([what, module.spares.length]).toEqual([what, 0]);
      const next = make(2);
      expectFresh(next, 2);
      next.dispose();
      expect(module.spares.length).toBe(1);
      make(3); // (takes the spare: the next case starts from none)
    }
    e.dispose();
  });

  const wasm2wat = wabt("wasm2wat");
  securityTest(wasm2wat.skip)("what a recycled instance keeps is the module's: the runtime's code never changes its table, has no start function, and its only global is the stack pointer", () => {
    const wat = wasm2wat.run(runtimeModule.bytes());
    expect(wat.length).toBeGreaterThan(1e6);
    expect(wat).not.toMatch(TABLE_WRITES);
    expect(wat.match(/^ {2}\(start /m)).toBeNull();
    expect(wat.match(/^ {2}\(global .*$/gm)).toEqual([expect.stringMatching(/^ {2}\(global \(;0;\) \(mut i32\)/)]);
    expect(wat).toContain(`(export "__stack_pointer" (global 0))`);
  });

  test("a reset counts the pages the instance wrote (eb_slots_pages, for bench/serve-phases.ts)", async () => {
    const e = new NativeEngine((await nativeEngine()).lib, { memorySlots: true });
    const module = e.compile(memoryModule(2, 2));
    e.setMemoryImage(module, new Uint8Array(2 << 16).fill(1));
    const counts = () => {
      const out = new BigUint64Array(2);
      e.lib.eb_slots_pages(out);
      return out;
    };
    const before = counts();
    const inst = e.instantiate(module, {});
    const m = inst.memory();
    for (const at of [0, 5 << 12, (9 << 12) + 100]) m[at] = 2; // three pages, one byte each
    m[(5 << 12) + 1] = 3; // (the same page again)
    inst.dispose();
    const after = counts();
    expect(after[0]! - before[0]!).toBe(1n);
    expect(after[1]! - before[1]!).toBe(3n);
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

describe("the await rewrite of large ES modules is kept with the bytecode", () => {
  // 1 000 async functions: above the size where reading the kept edits beats parsing
  const big = Array.from({ length: 1000 }, (_, i) => `export async function f${i}() { await null; return als.getStore() + ${i}; }`).join("\n");
  const app = tempApp({
    "big.mjs": `import { AsyncLocalStorage } from "node:async_hooks";\nexport const als = new AsyncLocalStorage();\n${big}\n`,
    "main.mjs": `import { als, f999 } from "./big.mjs";\nconsole.log(await als.run(1, async () => { await null; return f999(); }));\n`,
  });
  const cache = tempApp();
  const entries = () => {
    const dir = join(cache, "edgebox", readdirSync(join(cache, "edgebox"))[0]!, "bytecode");
    return readdirSync(dir).map((f) => join(dir, f));
  };

  test("a later run applies the kept edits; a damaged entry is made again; an edited source is a new entry", () => {
    const run = () => edgebox(["run", join(app, "main.mjs")], { env: { XDG_CACHE_HOME: cache } });
    expect(run()).toEqual({ code: 0, stdout: "1000\n", stderr: "" });
    expect(entries()).toHaveLength(1); // main.mjs is too small to be kept
    expect(run().stdout).toBe("1000\n");
    const [file] = entries();
    const bytes = readFileSync(file!);
    bytes[bytes.length - 10]! ^= 0xff;
    writeFileSync(file!, bytes);
    expect(run()).toEqual({ code: 0, stdout: "1000\n", stderr: "" });
    expect(readFileSync(file!).equals(bytes)).toBe(false);
    writeFileSync(join(app, "big.mjs"), readFileSync(join(app, "big.mjs"), "utf8").replace("+ 999;", "+ 998;"));
    expect(run().stdout).toBe("999\n");
    expect(entries()).toHaveLength(2);
  });
});
