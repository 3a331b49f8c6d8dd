//! Asks the Windows host library (edgebox_host.dll) itself to open names beneath a grant, as
//! tests/windows.test.ts does under Wine: every name the sandbox refuses must be refused here,
//! by fs_windows.zig, whatever the TypeScript side lets through. Then makes a symbolic link the
//! Windows way (if the system can) and opens through it.
//! Usage: probe <edgebox_host.dll> <grant dir> <dir outside> <file of names, one a line>
//! Prints (to stderr) one line per name: the name, then the errno or "ok". A name after `+` is
//! created if missing.

const std = @import("std");

const Open = *const fn ([*:0]const u8, [*:0]const u8, i32, u32, *i32) callconv(.c) c_int;
const Handle = *const fn (i32, [*]u8, usize, u32, *i32) callconv(.c) c_int;
const os_error = 6;

extern "kernel32" fn GetFileAttributesW(path: [*:0]const u16) callconv(.winapi) u32;
extern "kernel32" fn CreateSymbolicLinkW(link: [*:0]const u16, target: [*:0]const u16, flags: u32) callconv(.winapi) u8;

/// `rel` opened for reading; `+rel`, created (O_CREAT, as the MSVC runtime numbers it).
fn probe(open: Open, handle: Handle, root: [:0]const u8, line: [:0]const u8) void {
    const create = line.len > 0 and line[0] == '+';
    const rel = if (create) line[1..] else line;
    var out: i32 = 0;
    const st = open(root.ptr, rel.ptr, if (create) 0x100 else 0, 0, &out);
    if (st == 0) {
        var id: [16]u8 = undefined;
        var rc: i32 = 0;
        _ = handle(out, &id, id.len, 1, &rc);
        std.debug.print("{s}\tok\n", .{line});
    } else if (st == os_error) {
        std.debug.print("{s}\t{d}\n", .{ line, out });
    } else {
        std.debug.print("{s}\tstatus {d}\n", .{ line, st });
    }
}

pub fn main() !void {
    const gpa = std.heap.page_allocator;
    const args = try std.process.argsAlloc(gpa);
    // (Wasmtime's DLL first, from beside the host DLL, as internal/engine/native-ffi.ts loads them)
    const dir = args[1][0 .. std.mem.lastIndexOfScalar(u8, args[1], '\\') orelse 0];
    _ = try std.DynLib.open(try std.fmt.allocPrint(gpa, "{s}\\wasmtime.dll", .{dir}));
    var lib = try std.DynLib.open(args[1]);
    const open = lib.lookup(Open, "eb_fs_open") orelse return error.NoSymbol;
    const handle = lib.lookup(Handle, "eb_fs_handle") orelse return error.NoSymbol;
    const root = args[2];
    const names = try std.fs.cwd().readFileAlloc(gpa, args[4], 1 << 20);
    var it = std.mem.splitScalar(u8, names, '\n');
    while (it.next()) |line| {
        if (line.len == 0) continue;
        probe(open, handle, root, try gpa.dupeZ(u8, line));
    }
    // A directory symbolic link to the outside, made as Windows makes one (unprivileged flag).
    const link = try std.unicode.utf8ToUtf16LeAllocZ(gpa, try std.fmt.allocPrint(gpa, "{s}\\winlink", .{root}));
    const target = try std.unicode.utf8ToUtf16LeAllocZ(gpa, args[3]);
    // (Wine 8's CreateSymbolicLinkW answers TRUE and makes nothing: ask what is there)
    const made = CreateSymbolicLinkW(link.ptr, target.ptr, 0x1 | 0x2) != 0 and GetFileAttributesW(link.ptr) != 0xFFFFFFFF;
    std.debug.print("symlink made\t{}\n", .{made});
    if (made) probe(open, handle, root, "winlink/secret.txt");
}
