//! The C ABI of libedgebox_host: everything TypeScript may call, on one
//! screen. Every call that can fail returns a Status and hands its results
//! through out-parameters; on failure the message is copied into the caller's
//! buffer (nothing for TypeScript to free), a trap's code into `trap`, an
//! errno into the call's out-parameter. Calls that cannot fail return their
//! value (or nothing). The bun:ffi table in internal/engine/native-ffi.ts
//! mirrors this file; tests/engine.test.ts checks that the two agree, type by type.

const std = @import("std");
const builtin = @import("builtin");
const host = @import("host.zig");
const slots = @import("slots.zig");
const wt = @import("wasmtime.zig");
const fs = if (builtin.os.tag == .windows) @import("fs_windows.zig") else @import("fs.zig");

pub const Status = enum(c_int) {
    ok = 0,
    trap = 1,
    failed = 2,
    bad_argument = 3,
    out_of_memory = 4,
    /// No export of that name.
    not_found = 5,
    /// A system call failed; its errno is in the call's out-parameter.
    os_error = 6,
};

fn status(err: host.HostError) Status {
    return switch (err) {
        error.OutOfMemory => .out_of_memory,
        error.Trapped => .trap,
        error.NoSuchExport => .not_found,
        error.WrongKind, error.BufferTooSmall => .bad_argument,
        error.EngineFailed, error.CompileFailed, error.DeserializeFailed, error.SerializeFailed, error.InstantiateFailed, error.LinkFailed, error.CallFailed => .failed,
    };
}

/// Copy `text` into `buf` (NUL-terminated, truncated to fit).
fn copyText(text: []const u8, buf: [*]u8, cap: usize) void {
    if (cap == 0) return;
    const n = @min(text.len, cap - 1);
    @memcpy(buf[0..n], text[0..n]);
    buf[n] = 0;
}

/// The status for `err`, its message (the last error's text) copied into `buf`.
fn report(err: host.HostError, buf: [*]u8, cap: usize) Status {
    copyText(if (host.last_error_len > 0) host.last_error[0..host.last_error_len] else @errorName(err), buf, cap);
    host.last_error_len = 0;
    return status(err);
}

/// bad_argument, with `text` as the message.
fn refuse(text: []const u8, buf: [*]u8, cap: usize) Status {
    copyText(text, buf, cap);
    return .bad_argument;
}

/// report(), and the trap's code (`none` when the failure was no trap).
fn reportTrap(err: host.HostError, trap: *host.TrapCode, buf: [*]u8, cap: usize) Status {
    trap.* = if (err == error.Trapped) host.last_trap else .none;
    return report(err, buf, cap);
}

/// fs.zig answers n >= 0 or -errno: ok with n in `out`, or os_error with the errno there.
fn osResult(rc: i32, out: *i32) Status {
    out.* = if (rc < 0) -rc else rc;
    return if (rc < 0) .os_error else .ok;
}

fn ebAbiVersion() callconv(.c) u32 {
    return host.abi_version;
}

fn ebEcho(x: u64) callconv(.c) u64 {
    return x;
}

/// `scratch` (scratch_slots x 16 bytes) carries host call arguments and results; it must outlive the engine.
fn ebEngineNew(flags: u32, callback: host.HostCallback, scratch: [*]wt.ValRaw, out: *?*host.Engine, err: [*]u8, cap: usize) callconv(.c) Status {
    out.* = host.Engine.create(@bitCast(flags), callback, scratch) catch |e| return report(e, err, cap);
    return .ok;
}

fn ebEngineFree(e: *host.Engine) callconv(.c) void {
    e.destroy();
}

fn ebModuleCompile(e: *host.Engine, id: u32, wasm: [*]const u8, len: usize, out: *?*host.Module, err: [*]u8, cap: usize) callconv(.c) Status {
    out.* = host.Module.compile(e, id, wasm[0..len]) catch |x| return report(x, err, cap);
    return .ok;
}

fn ebModuleDeserialize(e: *host.Engine, id: u32, bytes: [*]const u8, len: usize, out: *?*host.Module, err: [*]u8, cap: usize) callconv(.c) Status {
    out.* = host.Module.deserialize(e, id, bytes[0..len]) catch |x| return report(x, err, cap);
    return .ok;
}

fn ebModuleDeserializeFile(e: *host.Engine, id: u32, path: [*:0]const u8, out: *?*host.Module, err: [*]u8, cap: usize) callconv(.c) Status {
    out.* = host.Module.deserializeFile(e, id, path) catch |x| return report(x, err, cap);
    return .ok;
}

/// The serialized (precompiled) module; free it with eb_bytes_free.
fn ebModuleSerialize(m: *host.Module, out_ptr: *?[*]u8, out_len: *usize, err: [*]u8, cap: usize) callconv(.c) Status {
    const v = m.serialize() catch |x| return report(x, err, cap);
    out_ptr.* = v.data;
    out_len.* = v.size;
    return .ok;
}

fn ebBytesFree(ptr: [*]u8, len: usize) callconv(.c) void {
    var v: wt.ByteVec = .{ .size = len, .data = ptr };
    wt.wasm_byte_vec_delete(&v);
}

/// The module's imports and exports as text (see Module.describe); owned by the module.
fn ebModuleDescribe(m: *host.Module, out_ptr: *[*]const u8, out_len: *usize) callconv(.c) void {
    out_ptr.* = m.description.ptr;
    out_len.* = m.description.len;
}

/// The module's initial memory, kept by the host (copied): its instances' memories come from slots reset to it.
fn ebModuleSetImage(m: *host.Module, memory: [*]const u8, len: usize, err: [*]u8, cap: usize) callconv(.c) Status {
    m.setImage(memory[0..len]) catch |x| return report(x, err, cap);
    return .ok;
}

/// Tests only: reset memory slots whole, without PAGEMAP_SCAN (the path kernels without PAGEMAP_SCAN take).
fn ebSlotsCopyAll(on: u32) callconv(.c) void {
    if (slots.supported) slots.copy_all.store(on != 0, .monotonic);
}

/// Memory slots reset since the process started, and the pages they had written: out[0], out[1].
fn ebSlotsPages(out: *[2]u64) callconv(.c) void {
    out.* = if (slots.supported) .{ slots.resets.load(.monotonic), slots.pages_written.load(.monotonic) } else .{ 0, 0 };
}

fn ebModuleFree(m: *host.Module) callconv(.c) void {
    m.destroy();
}

/// Wyhash (seed 0) of a whole file, read through a private mapping, so the
/// precompiled cache can be checked before Wasmtime trusts it (and without the
/// bytes ever becoming a JavaScript buffer). os_error when unreadable or empty.
fn ebFileHash(path: [*:0]const u8, out_hash: *u64, out_len: *u64) callconv(.c) Status {
    const file = std.fs.cwd().openFileZ(path, .{}) catch return .os_error;
    defer file.close();
    const size = file.getEndPos() catch return .os_error;
    if (size == 0) return .os_error;
    if (builtin.os.tag == .windows) {
        // No mmap there: the same hash, streamed through a buffer.
        var h = std.hash.Wyhash.init(0);
        var buf: [64 * 1024]u8 = undefined;
        var total: u64 = 0;
        while (true) {
            const n = file.read(&buf) catch return .os_error;
            if (n == 0) break;
            h.update(buf[0..n]);
            total += n;
        }
        if (total != size) return .os_error;
        out_hash.* = h.final();
        out_len.* = size;
        return .ok;
    }
    const map = std.posix.mmap(null, size, std.posix.PROT.READ, .{ .TYPE = .PRIVATE }, file.handle, 0) catch return .os_error;
    defer std.posix.munmap(map);
    out_hash.* = std.hash.Wyhash.hash(0, map);
    out_len.* = size;
    return .ok;
}

extern "c" fn _isatty(fd: c_int) c_int;

/// 1 when `fd` is a terminal: what node's tty.isatty answers, without loading Bun's node:tty (~7 ms).
fn ebIsatty(fd: i32) callconv(.c) u32 {
    if (builtin.os.tag == .windows) return @intFromBool(_isatty(fd) != 0);
    return @intFromBool(std.posix.isatty(fd));
}

/// Open `rel` beneath the grant directory `root` (see fs.zig); `out`: the descriptor, or the errno.
fn ebFsOpen(root: [*:0]const u8, rel: [*:0]const u8, flags: i32, mode: u32, out: *i32) callconv(.c) Status {
    return osResult(fs.open(root, rel, flags, mode), out);
}

/// The text of the link `rel` into `buf`; `out`: its length, or the errno.
fn ebFsReadlink(root: [*:0]const u8, rel: [*:0]const u8, buf: [*]u8, cap: usize, out: *i32) callconv(.c) Status {
    return osResult(fs.readlink(root, rel, buf, cap), out);
}

/// Windows: the identity of a handle from ebFsOpen (16 bytes into `buf`, see fs_windows.zig), and
/// closes it when `release`; elsewhere ENOSYS (descriptors there are the caller's own).
fn ebFsHandle(handle: i32, buf: [*]u8, cap: usize, release: u32, out: *i32) callconv(.c) Status {
    if (builtin.os.tag != .windows) return osResult(-@as(i32, @intFromEnum(std.posix.E.NOSYS)), out);
    return osResult(fs.identity(handle, buf, cap, release != 0), out);
}

/// Windows: the entries of the directory `rel` beneath `root` into `buf` (see fs_windows.zig);
/// `out`: the length used, or the errno (ERANGE: a larger buffer). Elsewhere ENOSYS.
fn ebFsList(root: [*:0]const u8, rel: [*:0]const u8, buf: [*]u8, cap: usize, out: *i32) callconv(.c) Status {
    if (builtin.os.tag != .windows) return osResult(-@as(i32, @intFromEnum(std.posix.E.NOSYS)), out);
    return osResult(fs.list(root, rel, buf, cap), out);
}

/// mkdir, unlink, rmdir, rename, symlink or link beneath grant directories (see fs.zig); `out`: 0, or the errno.
fn ebFsAt(op: u32, root: [*:0]const u8, rel: [*:0]const u8, root2: [*:0]const u8, rel2: [*:0]const u8, mode: u32, out: *i32) callconv(.c) Status {
    const o = std.meta.intToEnum(fs.Op, op) catch return .bad_argument;
    return osResult(fs.at(o, root, rel, root2, rel2, mode), out);
}

fn ebInstanceNew(m: *host.Module, id: u32, state: *host.MemoryState, max_memory: i64, fuel: u64, deadline_ms: u64, out: *?*host.Instance, trap: *host.TrapCode, err: [*]u8, cap: usize) callconv(.c) Status {
    out.* = host.Instance.create(m, id, state, max_memory, fuel, deadline_ms) catch |x| return reportTrap(x, trap, err, cap);
    return .ok;
}

fn ebInstanceLink(i: *host.Instance, m: *host.Module, spec: [*]const [2]u32, n: usize, keep: u32, out: *?*host.Instance, trap: *host.TrapCode, err: [*]u8, cap: usize) callconv(.c) Status {
    out.* = i.link(m, spec[0..n], keep != 0) catch |x| return reportTrap(x, trap, err, cap);
    return .ok;
}

/// Find export `name`: its slot (the index later calls use), kind, and for a function its signature text.
fn ebInstanceExport(i: *host.Instance, name: [*]const u8, len: usize, out_slot: *u32, out_kind: *u8, sig: [*]u8, sig_cap: usize, err: [*]u8, cap: usize) callconv(.c) Status {
    if (sig_cap == 0) return refuse("eb_instance_export: the signature buffer is empty", err, cap);
    var w: std.Io.Writer = .fixed(sig[0 .. sig_cap - 1]);
    const found = i.exportByName(name[0..len], &w) catch |x| return report(x, err, cap);
    sig[w.end] = 0;
    out_slot.* = found.slot;
    out_kind.* = found.kind;
    return .ok;
}

fn ebInstanceCall(i: *host.Instance, index: u32, args: [*]wt.ValRaw, n: usize, trap: *host.TrapCode, err: [*]u8, cap: usize) callconv(.c) Status {
    i.call(index, args[0..n]) catch |x| return reportTrap(x, trap, err, cap);
    return .ok;
}

fn ebGlobalGet(i: *host.Instance, index: u32, out: *i64, err: [*]u8, cap: usize) callconv(.c) Status {
    out.* = i.globalGet(index) catch |x| return report(x, err, cap);
    return .ok;
}

fn ebGlobalSet(i: *host.Instance, index: u32, value: i64, err: [*]u8, cap: usize) callconv(.c) Status {
    i.globalSet(index, value) catch |x| return report(x, err, cap);
    return .ok;
}

fn ebTableGrow(i: *host.Instance, index: u32, delta: u32, prev: *u32, err: [*]u8, cap: usize) callconv(.c) Status {
    prev.* = i.tableGrow(index, delta) catch |x| return report(x, err, cap);
    return .ok;
}

fn ebTableSetFunc(i: *host.Instance, table: u32, slot: u32, from: *host.Instance, func: u32, keep: u32, err: [*]u8, cap: usize) callconv(.c) Status {
    i.tableSetFunc(table, slot, from, func, keep != 0) catch |x| return report(x, err, cap);
    return .ok;
}

fn ebInstanceSetDeadline(i: *host.Instance, deadline_ms: u64) callconv(.c) void {
    i.setDeadline(deadline_ms);
}

fn ebInstanceSetMaxMemory(i: *host.Instance, max_memory: i64) callconv(.c) void {
    i.setMaxMemory(max_memory);
}

/// The guest's clock and randomness from TypeScript (`in_host` 0), not the host (a build's pre-run refuses them).
fn ebInstanceWasiInHost(i: *host.Instance, in_host: u32) callconv(.c) void {
    i.root.wasi_in_host = in_host != 0;
}

fn ebInstanceFree(i: *host.Instance) callconv(.c) void {
    i.destroy();
}

/// Done with a root instance: 1 when it is kept as a fresh one for eb_instance_adopt (Instance.recycle), else 0 and freed.
fn ebInstanceRecycle(i: *host.Instance) callconv(.c) u32 {
    if (i.recycle()) return 1;
    i.destroy();
    return 0;
}

fn ebInstanceAdopt(i: *host.Instance, id: u32, state: *host.MemoryState, max_memory: i64, fuel: u64, deadline_ms: u64, err: [*]u8, cap: usize) callconv(.c) Status {
    i.adopt(id, state, max_memory, fuel, deadline_ms) catch |x| return report(x, err, cap);
    return .ok;
}

comptime {
    @export(&ebAbiVersion, .{ .name = "eb_abi_version" });
    @export(&ebEcho, .{ .name = "eb_echo" });
    @export(&ebEngineNew, .{ .name = "eb_engine_new" });
    @export(&ebEngineFree, .{ .name = "eb_engine_free" });
    @export(&ebModuleCompile, .{ .name = "eb_module_compile" });
    @export(&ebModuleDeserialize, .{ .name = "eb_module_deserialize" });
    @export(&ebModuleDeserializeFile, .{ .name = "eb_module_deserialize_file" });
    @export(&ebModuleSerialize, .{ .name = "eb_module_serialize" });
    @export(&ebBytesFree, .{ .name = "eb_bytes_free" });
    @export(&ebModuleDescribe, .{ .name = "eb_module_describe" });
    @export(&ebModuleSetImage, .{ .name = "eb_module_set_image" });
    @export(&ebModuleFree, .{ .name = "eb_module_free" });
    @export(&ebSlotsCopyAll, .{ .name = "eb_slots_copy_all" });
    @export(&ebSlotsPages, .{ .name = "eb_slots_pages" });
    @export(&ebFileHash, .{ .name = "eb_file_hash" });
    @export(&ebIsatty, .{ .name = "eb_isatty" });
    @export(&ebFsOpen, .{ .name = "eb_fs_open" });
    @export(&ebFsAt, .{ .name = "eb_fs_at" });
    @export(&ebFsReadlink, .{ .name = "eb_fs_readlink" });
    @export(&ebFsHandle, .{ .name = "eb_fs_handle" });
    @export(&ebFsList, .{ .name = "eb_fs_list" });
    @export(&ebInstanceNew, .{ .name = "eb_instance_new" });
    @export(&ebInstanceLink, .{ .name = "eb_instance_link" });
    @export(&ebInstanceExport, .{ .name = "eb_instance_export" });
    @export(&ebInstanceCall, .{ .name = "eb_instance_call" });
    @export(&ebGlobalGet, .{ .name = "eb_global_get" });
    @export(&ebGlobalSet, .{ .name = "eb_global_set" });
    @export(&ebTableGrow, .{ .name = "eb_table_grow" });
    @export(&ebTableSetFunc, .{ .name = "eb_table_set_func" });
    @export(&ebInstanceSetDeadline, .{ .name = "eb_instance_set_deadline" });
    @export(&ebInstanceSetMaxMemory, .{ .name = "eb_instance_set_max_memory" });
    @export(&ebInstanceWasiInHost, .{ .name = "eb_instance_wasi_in_host" });
    @export(&ebInstanceFree, .{ .name = "eb_instance_free" });
    @export(&ebInstanceRecycle, .{ .name = "eb_instance_recycle" });
    @export(&ebInstanceAdopt, .{ .name = "eb_instance_adopt" });
}
