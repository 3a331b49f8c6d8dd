//! Filesystem access beneath a grant, on Windows: not ported yet (see fs.zig
//! for the contract). Every call answers ENOSYS, so the TypeScript side
//! refuses file access there instead of acting on unchecked paths.

pub const Op = enum(u32) { mkdir = 0, unlink = 1, rmdir = 2, rename = 3, symlink = 4, link = 5 };

const enosys: i32 = -38;

pub fn open(root: [*:0]const u8, rel: [*:0]const u8, flags: i32, mode: u32) i32 {
    _ = .{ root, rel, flags, mode };
    return enosys;
}

pub fn readlink(root: [*:0]const u8, rel: [*:0]const u8, buf: [*]u8, cap: usize) i32 {
    _ = .{ root, rel, buf, cap };
    return enosys;
}

pub fn at(op: Op, root: [*:0]const u8, rel: [*:0]const u8, root2: [*:0]const u8, rel2: [*:0]const u8, mode: u32) i32 {
    _ = .{ op, root, rel, root2, rel2, mode };
    return enosys;
}
