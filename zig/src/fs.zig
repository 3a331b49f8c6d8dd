//! Filesystem access beneath a grant. The policy (TypeScript) decides on a
//! fully resolved path; these functions then act on exactly that path, never
//! leaving the grant's directory even if the tree changes meanwhile: on
//! Linux with openat2(RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS), elsewhere (or
//! without openat2) one component at a time with O_NOFOLLOW. A symlink or a
//! `..` met on the way means the tree changed after the check: refused.
//!
//! Paths: `root` is the grant's directory (absolute, real); `rel` is relative
//! to it, normalised, without `.` or `..` ("" is the root itself).
//! Results: a descriptor or 0 on success, -errno on failure.

const std = @import("std");
const builtin = @import("builtin");

const is_linux = builtin.os.tag == .linux;
const c = std.c;

extern "c" fn openat(dirfd: c_int, path: [*:0]const u8, flags: c_int, ...) c_int;
extern "c" fn mkdirat(dirfd: c_int, path: [*:0]const u8, mode: c.mode_t) c_int;
extern "c" fn unlinkat(dirfd: c_int, path: [*:0]const u8, flags: c_int) c_int;
extern "c" fn renameat(olddirfd: c_int, oldpath: [*:0]const u8, newdirfd: c_int, newpath: [*:0]const u8) c_int;
extern "c" fn symlinkat(target: [*:0]const u8, newdirfd: c_int, linkpath: [*:0]const u8) c_int;
extern "c" fn readlinkat(dirfd: c_int, path: [*:0]const u8, buf: [*]u8, bufsiz: usize) isize;
extern "c" fn linkat(olddirfd: c_int, oldpath: [*:0]const u8, newdirfd: c_int, newpath: [*:0]const u8, flags: c_int) c_int;
extern "c" fn close(fd: c_int) c_int;

fn flagBits(o: std.posix.O) c_int {
    return @bitCast(@as(u32, @bitCast(o)));
}

/// A directory to walk through or act in (O_PATH where the OS has it).
const dir_flags: c_int = flagBits(if (is_linux)
    .{ .DIRECTORY = true, .NOFOLLOW = true, .CLOEXEC = true, .PATH = true }
else
    .{ .DIRECTORY = true, .NOFOLLOW = true, .CLOEXEC = true });
const nofollow: c_int = flagBits(.{ .NOFOLLOW = true });
const creat: c_int = flagBits(.{ .CREAT = true });
const cloexec: c_int = flagBits(.{ .CLOEXEC = true });
const at_removedir: c_int = if (is_linux) 0x200 else 0x80;

const E = std.posix.E;

fn neg(e: E) i32 {
    return -@as(i32, @intCast(@intFromEnum(e)));
}

fn lastErrno() i32 {
    return -@as(i32, c._errno().*);
}

pub const Op = enum(u32) { mkdir = 0, unlink = 1, rmdir = 2, rename = 3, symlink = 4, link = 5 };

const open_how = extern struct { flags: u64, mode: u64, resolve: u64 };
const resolve_beneath: u64 = 0x08;
const resolve_no_symlinks: u64 = 0x04;
const resolve_no_magiclinks: u64 = 0x02;

var have_openat2 = std.atomic.Value(bool).init(is_linux);

fn openRoot(root: [*:0]const u8) i32 {
    const fd = openat(c.AT.FDCWD, root, dir_flags);
    return if (fd < 0) lastErrno() else fd;
}

/// Open `rel` beneath the open directory `dirfd` with `flags` (O_NOFOLLOW is always added).
fn openUnder(dirfd: c_int, rel: []const u8, flags: c_int, mode: u32) i32 {
    var buf: [4096]u8 = undefined;
    if (rel.len >= buf.len) return neg(.NAMETOOLONG);
    if (rel.len == 0) {
        const fd = openat(dirfd, ".", flags | cloexec, mode);
        return if (fd < 0) lastErrno() else fd;
    }
    if (is_linux and have_openat2.load(.monotonic)) {
        @memcpy(buf[0..rel.len], rel);
        buf[rel.len] = 0;
        var how: open_how = .{
            .flags = @as(u32, @bitCast(flags | cloexec | nofollow)),
            // openat2 refuses a mode without O_CREAT (open(2) ignores it).
            .mode = if (flags & creat != 0) mode else 0,
            .resolve = resolve_beneath | resolve_no_symlinks | resolve_no_magiclinks,
        };
        const rc = std.os.linux.syscall4(.openat2, @as(usize, @bitCast(@as(isize, dirfd))), @intFromPtr(&buf), @intFromPtr(&how), @sizeOf(open_how));
        const err = std.os.linux.E.init(rc);
        if (err != .NOSYS) return if (err == .SUCCESS) @intCast(rc) else -@as(i32, @intCast(@intFromEnum(err)));
        have_openat2.store(false, .monotonic);
    }
    // Component by component: every directory on the way opened with O_NOFOLLOW.
    var cur: c_int = dirfd;
    var it = std.mem.splitScalar(u8, rel, '/');
    var part = it.next().?;
    while (it.next()) |next| : (part = next) {
        if (part.len == 0 or std.mem.eql(u8, part, ".") or std.mem.eql(u8, part, "..")) {
            if (cur != dirfd) _ = close(cur);
            return neg(.ACCES);
        }
        @memcpy(buf[0..part.len], part);
        buf[part.len] = 0;
        const fd = openat(cur, @ptrCast(&buf), dir_flags);
        const errno = lastErrno();
        if (cur != dirfd) _ = close(cur);
        if (fd < 0) return errno;
        cur = fd;
    }
    if (part.len == 0 or std.mem.eql(u8, part, ".") or std.mem.eql(u8, part, "..")) {
        if (cur != dirfd) _ = close(cur);
        return neg(.ACCES);
    }
    @memcpy(buf[0..part.len], part);
    buf[part.len] = 0;
    const fd = openat(cur, @ptrCast(&buf), flags | cloexec | nofollow, mode);
    const errno = lastErrno();
    if (cur != dirfd) _ = close(cur);
    return if (fd < 0) errno else fd;
}

/// A descriptor for `rel` beneath `root`.
pub fn open(root: [*:0]const u8, rel: [*:0]const u8, flags: i32, mode: u32) i32 {
    const rootfd = openRoot(root);
    if (rootfd < 0) return rootfd;
    defer _ = close(rootfd);
    const r = openUnder(rootfd, std.mem.span(rel), flags, mode);
    // A symlink or a `..` on the way: the tree changed after the policy looked at it.
    return if (r == neg(.LOOP) or r == neg(.XDEV)) neg(.ACCES) else r;
}

/// The parent directory of `rel` beneath `root`, and the last component (NUL-terminated in `name`).
fn parentOf(root: [*:0]const u8, rel: []const u8, name: *[256:0]u8) i32 {
    const slash = std.mem.lastIndexOfScalar(u8, rel, '/');
    const base = if (slash) |s| rel[s + 1 ..] else rel;
    if (base.len == 0 or base.len > 255 or std.mem.eql(u8, base, ".") or std.mem.eql(u8, base, "..")) return neg(.ACCES);
    @memcpy(name[0..base.len], base);
    name[base.len] = 0;
    const rootfd = openRoot(root);
    if (rootfd < 0) return rootfd;
    defer _ = close(rootfd);
    const r = openUnder(rootfd, if (slash) |s| rel[0..s] else "", dir_flags, 0);
    return if (r == neg(.LOOP) or r == neg(.XDEV)) neg(.ACCES) else r;
}

/// The text of the symbolic link `rel` beneath `root`, into `buf`: its length, or -errno.
pub fn readlink(root: [*:0]const u8, rel: [*:0]const u8, buf: [*]u8, cap: usize) i32 {
    var name: [256:0]u8 = undefined;
    const dir = parentOf(root, std.mem.span(rel), &name);
    if (dir < 0) return dir;
    defer _ = close(dir);
    const n = readlinkat(dir, &name, buf, cap);
    return if (n < 0) lastErrno() else @intCast(n);
}

/// One change in a directory beneath a grant. `root2`/`rel2`: the second
/// path of rename and link; for symlink, `root2` is the link's target text.
pub fn at(op: Op, root: [*:0]const u8, rel: [*:0]const u8, root2: [*:0]const u8, rel2: [*:0]const u8, mode: u32) i32 {
    var name: [256:0]u8 = undefined;
    const dir = parentOf(root, std.mem.span(rel), &name);
    if (dir < 0) return dir;
    defer _ = close(dir);
    const rc: c_int = switch (op) {
        .mkdir => mkdirat(dir, &name, @intCast(mode)),
        .unlink => unlinkat(dir, &name, 0),
        .rmdir => unlinkat(dir, &name, at_removedir),
        .symlink => symlinkat(root2, dir, &name),
        .rename, .link => blk: {
            var name2: [256:0]u8 = undefined;
            const dir2 = parentOf(root2, std.mem.span(rel2), &name2);
            if (dir2 < 0) return dir2;
            defer _ = close(dir2);
            break :blk if (op == .rename) renameat(dir, &name, dir2, &name2) else linkat(dir, &name, dir2, &name2, 0);
        },
    };
    return if (rc < 0) lastErrno() else 0;
}
