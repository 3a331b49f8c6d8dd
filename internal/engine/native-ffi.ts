// The bun:ffi view of libedgebox_host's C ABI (zig/src/exports.zig).
// tests/engine.test.ts checks that this table and the Zig exports agree, type by type.

import { dlopen, type Pointer } from "bun:ffi";
import type { TrapCode } from "./types.ts";
import { dirname, join } from "node:path";

export const HOST_ABI_VERSION = 7;

export const symbols = {
  eb_abi_version: { args: [], returns: "u32" },
  eb_echo: { args: ["u64"], returns: "u64" },
  eb_engine_new: { args: ["u32", "ptr", "ptr", "ptr", "ptr", "usize"], returns: "i32" },
  eb_engine_free: { args: ["ptr"], returns: "void" },
  eb_module_compile: { args: ["ptr", "u32", "ptr", "usize", "ptr", "ptr", "usize"], returns: "i32" },
  eb_module_deserialize: { args: ["ptr", "u32", "ptr", "usize", "ptr", "ptr", "usize"], returns: "i32" },
  eb_module_deserialize_file: { args: ["ptr", "u32", "cstring", "ptr", "ptr", "usize"], returns: "i32" },
  eb_module_serialize: { args: ["ptr", "ptr", "ptr", "ptr", "usize"], returns: "i32" },
  eb_bytes_free: { args: ["ptr", "usize"], returns: "void" },
  eb_module_describe: { args: ["ptr", "ptr", "ptr"], returns: "void" },
  eb_module_set_image: { args: ["ptr", "ptr", "usize", "ptr", "usize"], returns: "i32" },
  eb_module_free: { args: ["ptr"], returns: "void" },
  eb_slots_copy_all: { args: ["u32"], returns: "void" },
  eb_slots_pages: { args: ["ptr"], returns: "void" },
  eb_file_hash: { args: ["cstring", "ptr", "ptr"], returns: "i32" },
  eb_isatty: { args: ["i32"], returns: "u32" },
  eb_fs_open: { args: ["cstring", "cstring", "i32", "u32", "ptr"], returns: "i32" },
  eb_fs_at: { args: ["u32", "cstring", "cstring", "cstring", "cstring", "u32", "ptr"], returns: "i32" },
  eb_fs_readlink: { args: ["cstring", "cstring", "ptr", "usize", "ptr"], returns: "i32" },
  eb_fs_handle: { args: ["i32", "ptr", "usize", "u32", "ptr"], returns: "i32" },
  eb_fs_list: { args: ["cstring", "cstring", "ptr", "usize", "ptr"], returns: "i32" },
  eb_instance_new: { args: ["ptr", "u32", "ptr", "i64", "u64", "u64", "ptr", "ptr", "ptr", "usize"], returns: "i32" },
  eb_instance_link: { args: ["ptr", "ptr", "ptr", "usize", "u32", "ptr", "ptr", "ptr", "usize"], returns: "i32" },
  eb_instance_export: { args: ["ptr", "ptr", "usize", "ptr", "ptr", "ptr", "usize", "ptr", "usize"], returns: "i32" },
  eb_instance_call: { args: ["ptr", "u32", "ptr", "usize", "ptr", "ptr", "usize"], returns: "i32" },
  eb_global_get: { args: ["ptr", "u32", "ptr", "ptr", "usize"], returns: "i32" },
  eb_global_set: { args: ["ptr", "u32", "i64", "ptr", "usize"], returns: "i32" },
  eb_table_grow: { args: ["ptr", "u32", "u32", "ptr", "ptr", "usize"], returns: "i32" },
  eb_table_set_func: { args: ["ptr", "u32", "u32", "ptr", "u32", "u32", "ptr", "usize"], returns: "i32" },
  eb_instance_set_deadline: { args: ["ptr", "u64"], returns: "void" },
  eb_instance_set_max_memory: { args: ["ptr", "i64"], returns: "void" },
  eb_instance_wasi_in_host: { args: ["ptr", "u32"], returns: "void" },
  eb_instance_free: { args: ["ptr"], returns: "void" },
  eb_instance_recycle: { args: ["ptr"], returns: "u32" },
  eb_instance_adopt: { args: ["ptr", "u32", "ptr", "i64", "u64", "u64", "ptr", "usize"], returns: "i32" },
} as const;

export type HostLib = ReturnType<typeof openHostLib>;

export function openHostLib(path: string) {
  // Windows looks for a DLL's imports beside the executable, not beside the DLL: load
  // Wasmtime's first, from where it was extracted, so the host library's import finds it.
  if (process.platform === "win32") dlopen(join(dirname(path), "wasmtime.dll"), { wasm_engine_delete: { args: ["ptr"], returns: "void" } });
  const lib = dlopen(path, symbols);
  const version = lib.symbols.eb_abi_version();
  if (version !== HOST_ABI_VERSION) {
    lib.close();
    throw new Error(`${path} speaks host ABI ${version}, this edgebox needs ${HOST_ABI_VERSION}`);
  }
  return lib.symbols;
}

/** Status codes (exports.zig `Status`). */
export const Status = { ok: 0, trap: 1, failed: 2, badArgument: 3, outOfMemory: 4, notFound: 5, osError: 6 } as const;

/** Wasmtime's trap codes by number (wasmtime.zig `TrapCode`); 255: none. */
export const TRAP_CODES = [
  "stack_overflow",
  "memory_out_of_bounds",
  "heap_misaligned",
  "table_out_of_bounds",
  "indirect_call_to_null",
  "bad_signature",
  "integer_overflow",
  "integer_division_by_zero",
  "bad_conversion_to_integer",
  "unreachable_code_reached",
  "interrupt",
  "out_of_fuel",
] as const satisfies readonly TrapCode[];

/** EngineFlags (host.zig), as bits. */
export const EngineFlag = { fuel: 1, epoch: 2, pooling: 4, optNone: 8, memorySlots: 16, perfMap: 32 } as const;

/** LinkKind (host.zig). */
export const LinkKind = { host: 0, rootExport: 1, constI32: 2, mutI32: 3 } as const;

/** Values per host call the scratch buffer holds (host.zig `scratch_slots`). */
export const SCRATCH_SLOTS = 16;

export type { Pointer };
