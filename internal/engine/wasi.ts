// The six WASI preview1 functions quickjs.wasm imports, and nothing more.
// No file descriptors beyond stdout/stderr exist here: every other capability
// goes through the policy-checked host calls, never through WASI.
//
// @wasmer/wasi was measured as the alternative: its own wasm needs ~8 ms to
// initialise (more than our whole start-up budget) and it brings a virtual
// filesystem the guest must not see.

import type { HostFunction, Instance } from "./types.ts";

const ERRNO_SUCCESS = 0;
const ERRNO_BADF = 8;
const ERRNO_INVAL = 28;
const ERRNO_SPIPE = 70;

const CLOCK_REALTIME = 0;

export interface WasiOutput {
  /** Bytes the guest wrote to fd 1 or 2 (QuickJS uses this only for its own fatal messages). */
  write(fd: 1 | 2, bytes: Uint8Array): void;
  /**
   * Pre-running an app at build time: the guest reads the clock or asks for
   * randomness, which belong to a run. Throws, ending the pre-run.
   */
  needsRun?(what: string): never;
}

export function wasiImports(instance: () => Instance, out: WasiOutput): Record<string, HostFunction> {
  const dv = () => {
    const m = instance().memory();
    return new DataView(m.buffer, m.byteOffset, m.byteLength);
  };
  return {
    clock_time_get: {
      params: ["i32", "i64", "i32"],
      results: ["i32"],
      fn(id: number, _precision: bigint, resultPtr: number) {
        out.needsRun?.("reads the clock (Date, performance.now, timers)");
        const ns =
          id === CLOCK_REALTIME
            ? BigInt(Math.round((performance.timeOrigin + performance.now()) * 1e6))
            : process.hrtime.bigint();
        dv().setBigUint64(resultPtr, ns, true);
        return ERRNO_SUCCESS;
      },
    },
    fd_write: {
      params: ["i32", "i32", "i32", "i32"],
      results: ["i32"],
      fn(fd: number, iovs: number, iovsLen: number, nwrittenPtr: number) {
        if (fd !== 1 && fd !== 2) return ERRNO_BADF;
        const view = dv();
        const mem = instance().memory();
        let total = 0;
        for (let i = 0; i < iovsLen; i++) {
          const ptr = view.getUint32(iovs + i * 8, true);
          const len = view.getUint32(iovs + i * 8 + 4, true);
          out.write(fd, mem.slice(ptr, ptr + len));
          total += len;
        }
        view.setUint32(nwrittenPtr, total, true);
        return ERRNO_SUCCESS;
      },
    },
    fd_close: { params: ["i32"], results: ["i32"], fn: () => ERRNO_BADF },
    fd_seek: { params: ["i32", "i64", "i32", "i32"], results: ["i32"], fn: () => ERRNO_SPIPE },
    fd_fdstat_get: {
      params: ["i32", "i32"],
      results: ["i32"],
      fn(fd: number, statPtr: number) {
        if (fd > 2) return ERRNO_BADF;
        const view = dv();
        // filetype character_device, no flags, no rights beyond what fd_write needs.
        for (let i = 0; i < 24; i++) view.setUint8(statPtr + i, 0);
        view.setUint8(statPtr, 2);
        view.setBigUint64(statPtr + 8, 1n << 6n, true); // fd_write
        return ERRNO_SUCCESS;
      },
    },
    random_get: {
      params: ["i32", "i32"],
      results: ["i32"],
      fn(ptr: number, len: number) {
        out.needsRun?.("asks for random bytes (crypto)");
        if (len < 0) return ERRNO_INVAL;
        const mem = instance().memory();
        // getRandomValues fills at most 65536 bytes per call.
        for (let off = 0; off < len; off += 65536) {
          crypto.getRandomValues(mem.subarray(ptr + off, ptr + Math.min(len, off + 65536)));
        }
        return ERRNO_SUCCESS;
      },
    },
  };
}
