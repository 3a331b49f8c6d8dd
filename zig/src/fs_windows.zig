//! Filesystem access beneath a grant, on Windows (the contract of fs.zig).
//! `root` is the grant's directory as a Windows path (the policy checked it);
//! `rel` is below it, `/`-separated, normalised. The walk opens one component
//! at a time relative to the handle of the one before (NtCreateFile with
//! OBJECT_ATTRIBUTES.RootDirectory, so no name is ever parsed by the Win32
//! path layer), with FILE_OPEN_REPARSE_POINT, and refuses (EACCES):
//! - a reparse point anywhere on the way, the root included (a symbolic link,
//!   a junction, a mount point: the tree changed after the policy looked);
//! - `.`, `..`, an empty component, `:` (an alternate data stream), `\`, the
//!   wildcard and control characters, a trailing dot or space (Win32 would
//!   strip it and name another file), a reserved device name (NUL, CON, PRN,
//!   AUX, COM0-9, LPT0-9, CONIN$, CONOUT$; any case, any extension);
//! - an 8.3-shaped name with `~` that is not an entry's exact long name (a
//!   short name aliases another entry; such a new name is refused too).
//! Each component is looked up in its parent's listing first (its exact long
//! name, not a reparse point there), then opened, then its handle asked again.
//! `open` answers a handle that holds the file: the TypeScript side opens the
//! same path with Bun (whose descriptors are its own C runtime's), compares
//! identities (`identity`) and closes ours. Results: n >= 0 or -errno, with
//! the MSVC runtime's errno numbers (node's os.constants.errno on Windows).

const std = @import("std");
const w = std.os.windows;

/// The operations, numbered as fs.zig numbers them (exports.zig passes them on).
pub const Op = @import("fs.zig").Op;

const EPERM = 1;
const ENOENT = 2;
const EIO = 5;
const EACCES = 13;
const EBUSY = 16;
const EEXIST = 17;
const EXDEV = 18;
const ENOTDIR = 20;
const EISDIR = 21;
const EINVAL = 22;
const ENAMETOOLONG = 38;
const ENOSYS = 40;
const ENOTEMPTY = 41;

// open(2) flags as the MSVC runtime numbers them (node's fs.constants on Windows).
const O_ACCMODE = 3;
const O_APPEND = 0x8;
const O_CREAT = 0x100;
const O_EXCL = 0x400;

const dir_access = w.FILE_LIST_DIRECTORY | w.FILE_TRAVERSE | w.FILE_READ_ATTRIBUTES | w.SYNCHRONIZE;
/// Not FILE_SHARE_DELETE: what a handle of ours holds cannot be renamed or removed meanwhile.
const share = w.FILE_SHARE_READ | w.FILE_SHARE_WRITE;
const sync_opts = w.FILE_SYNCHRONOUS_IO_NONALERT | w.FILE_OPEN_REPARSE_POINT | w.FILE_OPEN_FOR_BACKUP_INTENT;

fn statusErrno(st: w.NTSTATUS) i32 {
    return -@as(i32, switch (@intFromEnum(st)) {
        0xC0000034, 0xC000003A, 0xC000000F, 0xC0000056 => ENOENT, // name / path not found, no such file, delete pending
        0xC0000035 => EEXIST,
        0xC0000103 => ENOTDIR,
        0xC00000BA => EISDIR,
        0xC0000101 => ENOTEMPTY,
        0xC0000043 => EBUSY, // sharing violation
        0xC00000D4 => EXDEV,
        0xC0000121 => EPERM, // cannot delete (read-only)
        0xC0000033, 0xC000003B, 0xC000000D => EINVAL,
        0xC0000022 => EACCES,
        else => EIO,
    });
}

fn close(h: w.HANDLE) void {
    _ = w.ntdll.NtClose(h);
}

/// Open `name` (one component, UTF-16) relative to the directory handle `dir`.
fn ntOpen(dir: w.HANDLE, name: []const u16, access: w.ACCESS_MASK, disposition: w.ULONG, options: w.ULONG, out: *w.HANDLE) i32 {
    var us: w.UNICODE_STRING = .{
        .Length = @intCast(name.len * 2),
        .MaximumLength = @intCast(name.len * 2),
        .Buffer = @constCast(name.ptr),
    };
    var attr: w.OBJECT_ATTRIBUTES = .{
        .Length = @sizeOf(w.OBJECT_ATTRIBUTES),
        .RootDirectory = dir,
        .ObjectName = &us,
        .Attributes = w.OBJ_CASE_INSENSITIVE,
        .SecurityDescriptor = null,
        .SecurityQualityOfService = null,
    };
    var io: w.IO_STATUS_BLOCK = undefined;
    const st = w.ntdll.NtCreateFile(out, access, &attr, &io, null, w.FILE_ATTRIBUTE_NORMAL, share, disposition, options | sync_opts, null, 0);
    return if (st == .SUCCESS) 0 else statusErrno(st);
}

/// EACCES when `h` is a reparse point (a symlink, junction or mount point).
fn refuseReparse(h: w.HANDLE) i32 {
    var info: w.FILE_BASIC_INFORMATION = undefined;
    var io: w.IO_STATUS_BLOCK = undefined;
    const st = w.ntdll.NtQueryInformationFile(h, &io, &info, @sizeOf(w.FILE_BASIC_INFORMATION), .FileBasicInformation);
    if (st != .SUCCESS) return statusErrno(st);
    return if (info.FileAttributes & w.FILE_ATTRIBUTE_REPARSE_POINT != 0) -EACCES else 0;
}

fn upper(c: u16) u16 {
    return if (c >= 'a' and c <= 'z') c - 32 else c;
}

fn eqlIgnoreCase(a: []const u16, b: []const u8) bool {
    if (a.len != b.len) return false;
    for (a, b) |x, y| if (upper(x) != upper(y)) return false;
    return true;
}

/// A DOS device name whatever its extension (`NUL.txt`, `com1 .log`).
fn isDevice(name: []const u16) bool {
    var base = name[0 .. std.mem.indexOfScalar(u16, name, '.') orelse name.len];
    while (base.len > 0 and base[base.len - 1] == ' ') base = base[0 .. base.len - 1];
    for ([_][]const u8{ "CON", "PRN", "AUX", "NUL", "CONIN$", "CONOUT$" }) |d| if (eqlIgnoreCase(base, d)) return true;
    if (base.len == 4 and (eqlIgnoreCase(base[0..3], "COM") or eqlIgnoreCase(base[0..3], "LPT"))) {
        const n = base[3];
        // 0-9 and the superscripts 1, 2, 3 that Windows also takes for device numbers
        return (n >= '0' and n <= '9') or n == 0xB9 or n == 0xB2 or n == 0xB3;
    }
    return false;
}

/// Whether `name` has the shape of an 8.3 short name with `~` (`PROGRA~1`, `LONGNA~1.TXT`).
fn shortShaped(name: []const u16) bool {
    if (std.mem.indexOfScalar(u16, name, '~') == null or name.len > 12) return false;
    const dot = std.mem.indexOfScalar(u16, name, '.');
    if (dot) |d| {
        if (std.mem.indexOfScalarPos(u16, name, d + 1, '.') != null) return false;
        return d >= 1 and d <= 8 and name.len - d - 1 <= 3;
    }
    return name.len <= 8;
}

/// A component as UTF-16 in `buf`, or -EACCES / -EINVAL / -ENAMETOOLONG when it may not be opened.
fn component(part: []const u8, buf: *[256]u16) i32 {
    if (part.len == 0 or std.mem.eql(u8, part, ".") or std.mem.eql(u8, part, "..")) return -EACCES;
    if (part.len > 255 * 3) return -ENAMETOOLONG;
    var tmp: [255 * 3]u16 = undefined;
    const n = std.unicode.utf8ToUtf16Le(&tmp, part) catch return -EINVAL;
    if (n > 255) return -ENAMETOOLONG;
    const name = tmp[0..n];
    for (name) |ch| switch (ch) {
        0...31, '<', '>', ':', '"', '/', '\\', '|', '?', '*' => return -EACCES,
        else => {},
    };
    if (name[n - 1] == '.' or name[n - 1] == ' ' or isDevice(name)) return -EACCES;
    @memcpy(buf[0..n], name);
    return @intCast(n);
}

const Entry = enum { absent, plain, reparse };

/// The entry `name` of `dir` as the directory lists it, in `kind`. The listing has the last word:
/// Wine shows a Unix symbolic link as a reparse point there, not on a handle opened through it.
/// EACCES when `name` is not the entry's exact long name (an 8.3 short name finds it too), and
/// for an 8.3-shaped name with `~` that no entry has as its long name.
fn entryOf(dir: w.HANDLE, name: []const u16, kind: *Entry) i32 {
    // (a fresh handle: a directory handle remembers the first search pattern it was asked)
    var h: w.HANDLE = undefined;
    const rc = ntOpen(dir, &.{}, w.FILE_LIST_DIRECTORY | w.SYNCHRONIZE, w.FILE_OPEN, w.FILE_DIRECTORY_FILE, &h);
    if (rc < 0) return rc;
    defer close(h);
    var buf: [1024]u8 align(8) = undefined;
    var us: w.UNICODE_STRING = .{ .Length = @intCast(name.len * 2), .MaximumLength = @intCast(name.len * 2), .Buffer = @constCast(name.ptr) };
    var io: w.IO_STATUS_BLOCK = undefined;
    const st = w.ntdll.NtQueryDirectoryFile(h, null, null, null, &io, &buf, buf.len, .FileDirectoryInformation, w.TRUE, &us, w.TRUE);
    switch (@intFromEnum(st)) {
        0 => {},
        0x80000006, 0xC000000F, 0xC0000034 => { // no more files, no such file, name not found
            if (shortShaped(name)) return -EACCES;
            kind.* = .absent;
            return 0;
        },
        else => return statusErrno(st),
    }
    const info: *const w.FILE_DIRECTORY_INFORMATION = @ptrCast(&buf);
    const long: [*]const u16 = @ptrCast(&info.FileName);
    const found = long[0 .. info.FileNameLength / 2];
    if (found.len != name.len) return -EACCES;
    for (found, name) |a, b| if (upper(a) != upper(b)) return -EACCES;
    kind.* = if (info.FileAttributes & w.FILE_ATTRIBUTE_REPARSE_POINT != 0) .reparse else .plain;
    return 0;
}

fn openRoot(root: [*:0]const u8, out: *w.HANDLE) i32 {
    const path = std.mem.span(root);
    var buf: [4096]u16 = undefined;
    if (path.len == 0) return -ENOENT;
    if (path.len >= buf.len) return -ENAMETOOLONG;
    const n = std.unicode.utf8ToUtf16Le(&buf, path) catch return -EINVAL;
    buf[n] = 0;
    const h = w.kernel32.CreateFileW(@ptrCast(&buf), dir_access, share, null, w.OPEN_EXISTING, w.FILE_FLAG_BACKUP_SEMANTICS | w.FILE_FLAG_OPEN_REPARSE_POINT, null);
    if (h == w.INVALID_HANDLE_VALUE) return switch (w.kernel32.GetLastError()) {
        .FILE_NOT_FOUND, .PATH_NOT_FOUND => -ENOENT,
        .DIRECTORY => -ENOTDIR,
        else => -EACCES,
    };
    const r = refuseReparse(h);
    if (r < 0) {
        close(h);
        return r;
    }
    out.* = h;
    return 0;
}

/// The directory holding the last component of `rel` beneath `root` (walked as the header says),
/// and that component, checked, in `name` (its length is the result), what it is in `last`.
fn parentOf(root: [*:0]const u8, rel: []const u8, dir: *w.HANDLE, name: *[256]u16, last: *Entry) i32 {
    var cur: w.HANDLE = undefined;
    var rc = openRoot(root, &cur);
    if (rc < 0) return rc;
    var it = std.mem.splitScalar(u8, rel, '/');
    var part = it.next().?;
    while (it.next()) |next| : (part = next) {
        const len = component(part, name);
        rc = len;
        var kind: Entry = .absent;
        if (rc >= 0) rc = entryOf(cur, name[0..@intCast(len)], &kind);
        if (rc >= 0 and kind != .plain) rc = if (kind == .absent) -ENOENT else -EACCES;
        var h: w.HANDLE = undefined;
        if (rc >= 0) rc = ntOpen(cur, name[0..@intCast(len)], dir_access, w.FILE_OPEN, w.FILE_DIRECTORY_FILE, &h);
        close(cur);
        if (rc < 0) return if (rc == -EISDIR) -ENOTDIR else rc;
        rc = refuseReparse(h);
        if (rc < 0) {
            close(h);
            return rc;
        }
        cur = h;
    }
    rc = component(part, name);
    if (rc >= 0) {
        const r = entryOf(cur, name[0..@intCast(rc)], last);
        if (r < 0) rc = r;
    }
    if (rc < 0) {
        close(cur);
        return rc;
    }
    dir.* = cur;
    return rc;
}

/// Open `rel` (not empty) beneath `root` into `h`: walked as the header says, its last component
/// opened relative to its parent's handle, and refused when it is a reparse point.
fn openBeneath(root: [*:0]const u8, rel: []const u8, access: w.ACCESS_MASK, disposition: w.ULONG, options: w.ULONG, h: *w.HANDLE) i32 {
    var dir: w.HANDLE = undefined;
    var name: [256]u16 = undefined;
    var last: Entry = undefined;
    const n = parentOf(root, rel, &dir, &name, &last);
    if (n < 0) return n;
    defer close(dir);
    if (last == .reparse) return -EACCES;
    var rc = ntOpen(dir, name[0..@intCast(n)], access, disposition, options, h);
    if (rc < 0) return rc;
    rc = refuseReparse(h.*);
    if (rc < 0) close(h.*);
    return rc;
}

/// A handle (as a number) that holds `rel` beneath `root`, created when `flags` say so. It opens
/// neither for reading nor writing (Bun's own open does) and truncates nothing (the caller does,
/// once the identities agree); O_CREAT makes a regular file.
pub fn open(root: [*:0]const u8, rel: [*:0]const u8, flags: i32, mode: u32) i32 {
    _ = mode;
    const r = std.mem.span(rel);
    var h: w.HANDLE = undefined;
    if (r.len == 0) {
        const rc = openRoot(root, &h);
        return if (rc < 0) rc else @intCast(@intFromPtr(h));
    }
    const disposition: w.ULONG = if (flags & O_CREAT == 0) w.FILE_OPEN else if (flags & O_EXCL != 0) w.FILE_CREATE else w.FILE_OPEN_IF;
    const writes = flags & O_ACCMODE != 0 or flags & O_APPEND != 0;
    const access: w.ACCESS_MASK = w.FILE_READ_ATTRIBUTES | w.SYNCHRONIZE | @as(w.ACCESS_MASK, if (writes) w.FILE_WRITE_DATA else 0);
    const options: w.ULONG = if (flags & O_CREAT != 0) w.FILE_NON_DIRECTORY_FILE else 0;
    const rc = openBeneath(root, r, access, disposition, options, &h);
    if (rc < 0) return rc;
    const v = @intFromPtr(h);
    if (v > std.math.maxInt(i32)) {
        close(h);
        return -EIO;
    }
    return @intCast(v);
}

/// What `handle` (from open) holds: the volume's serial and the file's index (as libuv's st_dev
/// and st_ino), and its attributes, into `buf` (16 bytes); then closes the handle when `release`.
pub fn identity(handle: i32, buf: [*]u8, cap: usize, release: bool) i32 {
    const h: w.HANDLE = @ptrFromInt(@as(usize, @intCast(handle)));
    defer if (release) close(h);
    if (cap < 16) return -EINVAL;
    var io: w.IO_STATUS_BLOCK = undefined;
    var internal: w.FILE_INTERNAL_INFORMATION = undefined;
    var st = w.ntdll.NtQueryInformationFile(h, &io, &internal, @sizeOf(w.FILE_INTERNAL_INFORMATION), .FileInternalInformation);
    if (st != .SUCCESS) return statusErrno(st);
    var vol: [64]u8 align(8) = undefined;
    st = w.ntdll.NtQueryVolumeInformationFile(h, &io, &vol, vol.len, .FileFsVolumeInformation);
    // (a label longer than the buffer still fills the serial)
    if (st != .SUCCESS and @intFromEnum(st) != 0x80000005) return statusErrno(st);
    const serial = @as(*const w.FILE_FS_VOLUME_INFORMATION, @ptrCast(&vol)).VolumeSerialNumber;
    var basic: w.FILE_BASIC_INFORMATION = undefined;
    st = w.ntdll.NtQueryInformationFile(h, &io, &basic, @sizeOf(w.FILE_BASIC_INFORMATION), .FileBasicInformation);
    if (st != .SUCCESS) return statusErrno(st);
    std.mem.writeInt(i64, buf[0..8], internal.IndexNumber, .little);
    std.mem.writeInt(u32, buf[8..12], serial, .little);
    std.mem.writeInt(u32, buf[12..16], basic.FileAttributes, .little);
    return 16;
}

/// The entries of the directory `rel` beneath `root` (walked as the header says), read through
/// the handle the walk reached: into `buf`, each as a type byte (1 file, 2 directory, 3 reparse
/// point), its UTF-8 name and a NUL. The result is the length used; -ERANGE when `cap` is too small.
pub fn list(root: [*:0]const u8, rel: [*:0]const u8, buf: [*]u8, cap: usize) i32 {
    const r = std.mem.span(rel);
    var h: w.HANDLE = undefined;
    if (r.len == 0) {
        const rc = openRoot(root, &h);
        if (rc < 0) return rc;
    } else {
        const rc = openBeneath(root, r, w.FILE_LIST_DIRECTORY | w.FILE_READ_ATTRIBUTES | w.SYNCHRONIZE, w.FILE_OPEN, w.FILE_DIRECTORY_FILE, &h);
        if (rc < 0) return rc;
    }
    defer close(h);
    var chunk: [16384]u8 align(8) = undefined;
    var used: usize = 0;
    var first = true;
    while (true) : (first = false) {
        var io: w.IO_STATUS_BLOCK = undefined;
        const st = w.ntdll.NtQueryDirectoryFile(h, null, null, null, &io, &chunk, chunk.len, .FileDirectoryInformation, w.FALSE, null, @intFromBool(first));
        if (@intFromEnum(st) == 0x80000006 or @intFromEnum(st) == 0xC000000F) break; // no more files, no such file
        if (st != .SUCCESS) return statusErrno(st);
        var off: usize = 0;
        while (true) {
            const info: *const w.FILE_DIRECTORY_INFORMATION = @ptrCast(@alignCast(&chunk[off]));
            const wide: [*]const u16 = @ptrCast(&info.FileName);
            const name = wide[0 .. info.FileNameLength / 2];
            const dots = (name.len == 1 and name[0] == '.') or (name.len == 2 and name[0] == '.' and name[1] == '.');
            if (!dots) {
                // (UTF-8 takes at most 3 bytes per UTF-16 unit)
                if (used + 2 + name.len * 3 > cap) return -34; // ERANGE
                const attr = info.FileAttributes;
                buf[used] = if (attr & w.FILE_ATTRIBUTE_REPARSE_POINT != 0) 3 else if (attr & w.FILE_ATTRIBUTE_DIRECTORY != 0) 2 else 1;
                const n = std.unicode.utf16LeToUtf8(buf[used + 1 .. cap], name) catch return -EIO;
                buf[used + 1 + n] = 0;
                used += n + 2;
            }
            if (info.NextEntryOffset == 0) break;
            off += info.NextEntryOffset;
        }
    }
    return @intCast(used);
}

/// No symbolic links on Windows: the sandbox neither makes nor follows them there.
pub fn readlink(root: [*:0]const u8, rel: [*:0]const u8, buf: [*]u8, cap: usize) i32 {
    _ = .{ root, rel, buf, cap };
    return -ENOSYS;
}

/// Mark the entry `name` of `dir` deleted (a directory only when `is_dir`).
fn remove(dir: w.HANDLE, name: []const u16, is_dir: bool) i32 {
    var h: w.HANDLE = undefined;
    const rc = ntOpen(dir, name, w.DELETE | w.FILE_READ_ATTRIBUTES | w.SYNCHRONIZE, w.FILE_OPEN, if (is_dir) w.FILE_DIRECTORY_FILE else w.FILE_NON_DIRECTORY_FILE, &h);
    if (rc < 0) return if (!is_dir and rc == -EISDIR) -EPERM else rc;
    defer close(h);
    var info: w.FILE_DISPOSITION_INFORMATION = .{ .DeleteFile = w.TRUE };
    var io: w.IO_STATUS_BLOCK = undefined;
    const st = w.ntdll.NtSetInformationFile(h, &io, &info, @sizeOf(w.FILE_DISPOSITION_INFORMATION), .FileDispositionInformation);
    return if (st == .SUCCESS) 0 else statusErrno(st);
}

/// Move entry `name` of `dir` to `name2` in `dir2`, replacing a file there (as rename(2)).
fn move(dir: w.HANDLE, name: []const u16, dir2: w.HANDLE, name2: []const u16) i32 {
    var h: w.HANDLE = undefined;
    const rc = ntOpen(dir, name, w.DELETE | w.FILE_READ_ATTRIBUTES | w.SYNCHRONIZE, w.FILE_OPEN, 0, &h);
    if (rc < 0) return rc;
    defer close(h);
    var buf: [@sizeOf(w.FILE_RENAME_INFORMATION) + 512]u8 align(8) = undefined;
    const info: *w.FILE_RENAME_INFORMATION = @ptrCast(&buf);
    info.* = .{ .Flags = w.TRUE, .RootDirectory = dir2, .FileNameLength = @intCast(name2.len * 2), .FileName = undefined };
    const dest: [*]u16 = @ptrCast(&info.FileName);
    @memcpy(dest[0..name2.len], name2);
    var io: w.IO_STATUS_BLOCK = undefined;
    const st = w.ntdll.NtSetInformationFile(h, &io, info, @intCast(@offsetOf(w.FILE_RENAME_INFORMATION, "FileName") + name2.len * 2), .FileRenameInformation);
    return if (st == .SUCCESS) 0 else statusErrno(st);
}

/// One change in a directory beneath a grant. Links are not made on Windows (ENOSYS).
pub fn at(op: Op, root: [*:0]const u8, rel: [*:0]const u8, root2: [*:0]const u8, rel2: [*:0]const u8, mode: u32) i32 {
    _ = mode;
    if (op == .symlink or op == .link) return -ENOSYS;
    var dir: w.HANDLE = undefined;
    var name: [256]u16 = undefined;
    // (a reparse point itself may be removed or moved: that acts on the link, opened as itself)
    var last: Entry = undefined;
    const n = parentOf(root, std.mem.span(rel), &dir, &name, &last);
    if (n < 0) return n;
    defer close(dir);
    const nm = name[0..@intCast(n)];
    return switch (op) {
        .mkdir => blk: {
            var h: w.HANDLE = undefined;
            const rc = ntOpen(dir, nm, w.FILE_LIST_DIRECTORY | w.SYNCHRONIZE, w.FILE_CREATE, w.FILE_DIRECTORY_FILE, &h);
            if (rc == 0) close(h);
            break :blk rc;
        },
        .unlink => remove(dir, nm, false),
        .rmdir => remove(dir, nm, true),
        .rename => blk: {
            var dir2: w.HANDLE = undefined;
            var name2: [256]u16 = undefined;
            var last2: Entry = undefined;
            const n2 = parentOf(root2, std.mem.span(rel2), &dir2, &name2, &last2);
            if (n2 < 0) break :blk n2;
            defer close(dir2);
            break :blk move(dir, nm, dir2, name2[0..@intCast(n2)]);
        },
        .symlink, .link => unreachable,
    };
}
