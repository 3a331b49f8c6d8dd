//! The guest's clock and randomness, answered by the host itself: a WASI
//! `clock_time_get` or `random_get` that went to TypeScript cost a trip over
//! the FFI and back (a run's 100k performance.now() 78 ms, 36 here; a serve
//! request's fresh(), two clock reads, 12 µs, 4 here). The answers TypeScript's gave
//! (internal/engine/wasi.ts): realtime for clock 0, monotonic for every other clock, the
//! OS's random bytes; an address outside memory is EFAULT here, where TypeScript trapped.
//! Only the root module's imports: side modules' still go to TypeScript.
//! An instance may send them to TypeScript instead (`Instance.wasi_in_host`
//! false: a build's pre-run, which refuses the clock and randomness).

const std = @import("std");
const builtin = @import("builtin");
const wt = @import("wasmtime.zig");

/// Where the host can answer them (Windows: through TypeScript, as before).
pub const supported = builtin.os.tag != .windows;

const errno_success: i32 = 0;
const errno_fault: i32 = 21;
const errno_inval: i32 = 28;

pub const Kind = enum { clock_time_get, random_get };

/// Which of them a root module's function import is, or null: TypeScript answers it.
pub fn kindOf(module: []const u8, name: []const u8, ft: *const wt.FuncType) ?Kind {
    if (!supported or !std.mem.eql(u8, module, "wasi_snapshot_preview1")) return null;
    if (std.mem.eql(u8, name, "clock_time_get") and signature(ft, &.{ wt.kind_i32, wt.kind_i64, wt.kind_i32 })) return .clock_time_get;
    if (std.mem.eql(u8, name, "random_get") and signature(ft, &.{ wt.kind_i32, wt.kind_i32 })) return .random_get;
    return null;
}

/// Answer `kind` (its arguments and result in `args`) for a guest whose memory is `memory`.
pub fn answer(kind: Kind, memory: []u8, args: [*]wt.ValRaw) void {
    // (kindOf gives none where unsupported: the OS calls below are not even compiled there)
    if (comptime supported) switch (kind) {
        .clock_time_get => clockTimeGet(memory, args),
        .random_get => randomGet(memory, args),
    } else unreachable;
}

/// Parameters `params`, one i32 result.
fn signature(ft: *const wt.FuncType, params: []const u8) bool {
    const p = wt.wasm_functype_params(ft);
    const r = wt.wasm_functype_results(ft);
    if (p.size != params.len or r.size != 1 or wt.wasm_valtype_kind(r.data[0]) != wt.kind_i32) return false;
    for (params, 0..) |k, i| if (wt.wasm_valtype_kind(p.data[i]) != k) return false;
    return true;
}

fn arg(comptime T: type, v: wt.ValRaw) T {
    return std.mem.readInt(T, v.bits[0..@sizeOf(T)], .little);
}

fn result(args: [*]wt.ValRaw, errno: i32) void {
    args[0] = .{ .bits = @splat(0) };
    std.mem.writeInt(i32, args[0].bits[0..4], errno, .little);
}

/// `len` bytes at guest address `at` of `memory`, or null when they are not all inside it.
fn range(memory: []u8, at: u32, len: u32) ?[]u8 {
    if (at > memory.len or memory.len - at < len) return null;
    return memory[at..][0..len];
}

/// clock_time_get(id, precision, out): the time in ns at `out`.
fn clockTimeGet(memory: []u8, args: [*]wt.ValRaw) void {
    const id = arg(u32, args[0]);
    const out = range(memory, arg(u32, args[2]), 8) orelse return result(args, errno_fault);
    const ts = std.posix.clock_gettime(if (id == 0) .REALTIME else .MONOTONIC) catch return result(args, errno_inval);
    // (a realtime clock set before 1970 has no WASI time)
    const sec = std.math.cast(u64, ts.sec) orelse return result(args, errno_inval);
    const ns = sec *% std.time.ns_per_s +% @as(u64, @intCast(ts.nsec));
    std.mem.writeInt(u64, out[0..8], ns, .little);
    result(args, errno_success);
}

/// random_get(buf, len): `len` random bytes at `buf`.
fn randomGet(memory: []u8, args: [*]wt.ValRaw) void {
    const out = range(memory, arg(u32, args[0]), arg(u32, args[1])) orelse return result(args, errno_fault);
    std.posix.getrandom(out) catch return result(args, errno_inval);
    result(args, errno_success);
}
