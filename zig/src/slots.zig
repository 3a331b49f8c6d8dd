//! Memory slots (Linux; edgebox serve): linear memories that the host makes
//! for Wasmtime (its host memory creator) and keeps after an instance is
//! dropped, for the next instance of the same image.
//!
//! Why not Wasmtime's pooling allocator: a reused pooling slot is reset by
//! copying the whole memory image back over it and zeroing the rest (Wasmtime
//! 50's C API cannot turn on its PAGEMAP_SCAN reset): for a hello handler's
//! 4 MiB memory, a third of a request's CPU. Here a slot maps the image copy-on-write
//! from a sealed memfd, and a reset asks the kernel (PAGEMAP_SCAN) which pages
//! are no longer the file's or the zero page, i.e. were written, and copies
//! the image back over just those (~500 KiB for a hello request: QuickJS's
//! reference counts on the objects it touches; past 2 MiB written, the rest are
//! dropped back to the file's pages instead, so that free slots do not keep
//! private copies of all a burst of requests wrote). Pages only read stay
//! mapped: the next instance takes no page fault on them. Without PAGEMAP_SCAN
//! (before Linux 6.7) a reset drops every page of the image.
//!
//! A module with an image (`Image`) has no data segments: the slot is its
//! initial memory. Instance.create arms the image for the one instantiation
//! (`armed`), so only that module's memory comes from its slots; any other
//! memory the engine makes is plain (reserved, zeroed, unmapped when dropped).

const std = @import("std");
const builtin = @import("builtin");
const wt = @import("wasmtime.zig");
const linux = std.os.linux;

pub const supported = builtin.os.tag == .linux;

const allocator = std.heap.c_allocator;
const page = 4096;

/// The image the next memory made on this thread starts from (set around one instantiation).
pub threadlocal var armed: ?*Image = null;

/// The image slot that instantiation made (Instance.create keeps it: a recycled instance restores it in place).
pub threadlocal var made: ?*Slot = null;

/// Reset the whole image (dropping every page), as where PAGEMAP_SCAN is missing (for tests of that path: eb_slots_copy_all).
pub var copy_all: std.atomic.Value(bool) = .init(false);

/// Since the process started: slots reset, and the pages they had written (copied back or dropped;
/// every page of the image for a reset without PAGEMAP_SCAN). Counted for bench/serve-phases.ts.
pub var resets: std.atomic.Value(u64) = .init(0);
pub var pages_written: std.atomic.Value(u64) = .init(0);

/// Free slots an image keeps; more are unmapped (a burst of concurrency does not stay resident).
const max_free_slots = 64;

pub const Image = struct {
    /// The initial memory, byte for byte (its length a multiple of the page size).
    bytes: []u8,
    fd: std.posix.fd_t,
    /// Slots reset and ready, most recently used last (its pages are the likeliest to be cached).
    free: std.ArrayListUnmanaged(*Slot) = .empty,
    /// (a worker thread's instance of the same image may be made or dropped on another thread)
    lock: std.Thread.Mutex = .{},

    pub fn create(memory: []const u8) !*Image {
        const len = std.mem.alignForward(usize, memory.len, page);
        const bytes = try allocator.alloc(u8, len);
        errdefer allocator.free(bytes);
        @memcpy(bytes[0..memory.len], memory);
        @memset(bytes[memory.len..], 0);
        const fd = try std.posix.memfd_create("edgebox-image", linux.MFD.CLOEXEC | linux.MFD.ALLOW_SEALING);
        errdefer std.posix.close(fd);
        var off: usize = 0;
        while (off < len) {
            const n = try std.posix.pwrite(fd, bytes[off..], off);
            if (n == 0) return error.ShortWrite;
            off += n;
        }
        // Sealed: no one (no bug either) can change what a clean page of a slot reads.
        // F_SEAL_FUTURE_WRITE (Linux 5.1), not F_SEAL_WRITE: the fd has no writable mapping, and
        // F_SEAL_WRITE waits for the pages just written to drop their extra references (another
        // CPU's LRU batch holds some under load) and fails with EBUSY after ~150 ms of that.
        const seals = 0x0001 | 0x0002 | 0x0004; // F_SEAL_SEAL | SHRINK | GROW
        if (!addSeals(fd, seals | 0x0010) and !addSeals(fd, seals | 0x0008)) return error.SealFailed;
        const self = try allocator.create(Image);
        self.* = .{ .bytes = bytes, .fd = fd };
        return self;
    }

    fn addSeals(fd: std.posix.fd_t, seals: usize) bool {
        return linux.E.init(linux.fcntl(fd, 1033, seals)) == .SUCCESS; // F_ADD_SEALS
    }

    pub fn destroy(self: *Image) void {
        for (self.free.items) |s| s.unmap();
        self.free.deinit(allocator);
        std.posix.close(self.fd);
        allocator.free(self.bytes);
        allocator.destroy(self);
    }
};

pub const Slot = struct {
    base: [*]align(page) u8,
    /// Bytes reserved (inaccessible past `accessible`), the guard included.
    reserved: usize,
    /// Bytes readable and writable (page-aligned); `size` is the memory's size.
    accessible: usize,
    size: usize,
    maximum: usize,
    image: ?*Image,

    fn unmap(self: *Slot) void {
        std.posix.munmap(self.base[0..self.reserved]);
        allocator.destroy(self);
    }

    fn grow(self: *Slot, new_size: usize) !void {
        const want = std.mem.alignForward(usize, new_size, page);
        if (new_size > self.maximum or want > self.reserved) return error.TooLarge;
        if (want > self.accessible) {
            try std.posix.mprotect(@alignCast(self.base[self.accessible..want]), std.posix.PROT.READ | std.posix.PROT.WRITE);
            self.accessible = want;
        }
        self.size = new_size;
    }

    /// Back to the image in place, for the instance that holds it (Instance.recycle); false: it grew.
    pub fn restore(self: *Slot) bool {
        const img = self.image orelse return false;
        if (self.size != img.bytes.len) return false;
        self.reset(img) catch return false;
        return true;
    }

    /// Back to the image: pages grown into are released and hidden, written ones copied back.
    fn reset(self: *Slot, image: *Image) !void {
        const initial = image.bytes.len;
        if (self.accessible > initial) {
            const grown = self.base[initial..self.accessible];
            try std.posix.madvise(@alignCast(grown.ptr), grown.len, std.posix.MADV.DONTNEED);
            try std.posix.mprotect(@alignCast(grown), std.posix.PROT.NONE);
            self.accessible = initial;
        }
        self.size = initial;
        _ = resets.fetchAdd(1, .monotonic);
        if (copy_all.load(.monotonic) or !scanAndRestore(self.base, image.bytes)) {
            // every page back to the file's (the image's); copied only if the kernel will not drop them
            _ = pages_written.fetchAdd(initial / page, .monotonic);
            std.posix.madvise(self.base, initial, std.posix.MADV.DONTNEED) catch @memcpy(self.base[0..initial], image.bytes);
        }
    }
};

// ---- PAGEMAP_SCAN (linux/fs.h; kernel 6.7+) ----

const PageRegion = extern struct { start: u64, end: u64, categories: u64 };
const PmScanArg = extern struct {
    size: u64,
    flags: u64,
    start: u64,
    end: u64,
    walk_end: u64,
    vec: u64,
    vec_len: u64,
    max_pages: u64,
    category_inverted: u64,
    category_mask: u64,
    category_anyof_mask: u64,
    return_mask: u64,
};
const PAGE_IS_FILE: u64 = 1 << 2;
const PAGE_IS_PRESENT: u64 = 1 << 3;
const PAGE_IS_SWAPPED: u64 = 1 << 4;
const PAGE_IS_PFNZERO: u64 = 1 << 5;
/// _IOWR('f', 16, struct pm_scan_arg)
const PAGEMAP_SCAN: u32 = (3 << 30) | (@sizeOf(PmScanArg) << 16) | ('f' << 8) | 16;

var pagemap_fd: std.atomic.Value(i32) = .init(-2); // -2: not opened yet; -1: unavailable

fn pagemap() ?std.posix.fd_t {
    const fd = pagemap_fd.load(.acquire);
    if (fd != -2) return if (fd >= 0) fd else null;
    const opened: i32 = std.posix.open("/proc/self/pagemap", .{ .CLOEXEC = true }, 0) catch -1;
    var probe: [1]PageRegion = undefined;
    if (opened >= 0 and scan(opened, 0, 0, &probe) == null) {
        std.posix.close(opened);
        pagemap_fd.store(-1, .release);
        return null;
    }
    if (pagemap_fd.cmpxchgStrong(-2, opened, .acq_rel, .acquire)) |other| {
        if (opened >= 0) std.posix.close(opened);
        return if (other >= 0) other else null;
    }
    return if (opened >= 0) opened else null;
}

const Scanned = struct { n: usize, walk_end: u64 };

/// Pages in [start, end) that are present or swapped and neither file-backed nor the zero page: written since mapped.
fn scan(fd: std.posix.fd_t, start: u64, end: u64, out: []PageRegion) ?Scanned {
    var arg: PmScanArg = .{
        .size = @sizeOf(PmScanArg),
        .flags = 0,
        .start = start,
        .end = end,
        .walk_end = 0,
        .vec = @intFromPtr(out.ptr),
        .vec_len = out.len,
        .max_pages = 0,
        .category_inverted = PAGE_IS_FILE | PAGE_IS_PFNZERO,
        .category_mask = PAGE_IS_FILE | PAGE_IS_PFNZERO,
        .category_anyof_mask = PAGE_IS_PRESENT | PAGE_IS_SWAPPED,
        .return_mask = 0,
    };
    const rc = linux.ioctl(fd, PAGEMAP_SCAN, @intFromPtr(&arg));
    if (linux.E.init(rc) != .SUCCESS) return null;
    return .{ .n = rc, .walk_end = arg.walk_end };
}

/// Written bytes a reset copies back (the pages the next request will likely write again); past
/// it they are dropped, so a slot does not keep a private copy of every page a request ever wrote
/// (a burst of requests writing a big image would otherwise stay resident, the image once per free slot).
const copy_budget = 2 << 20;

/// Copy the image over every written page of [base, base + image.len); false when the kernel cannot say which.
fn scanAndRestore(base: [*]align(page) u8, image: []const u8) bool {
    const fd = pagemap() orelse return false;
    var regions: [64]PageRegion = undefined;
    const start = @intFromPtr(base);
    const end = start + image.len;
    var at: u64 = start;
    var copied: usize = 0;
    while (at < end) {
        const got = scan(fd, at, end, &regions) orelse return false;
        for (regions[0..got.n]) |r| {
            const lo: usize = @intCast(r.start - start);
            const hi: usize = @intCast(r.end - start);
            _ = pages_written.fetchAdd((hi - lo) / page, .monotonic);
            if (copied + (hi - lo) <= copy_budget) {
                @memcpy(base[lo..hi], image[lo..hi]);
                copied += hi - lo;
            } else {
                // dropped: back to the file's pages (read from the image on the next touch)
                std.posix.madvise(@alignCast(base + lo), hi - lo, std.posix.MADV.DONTNEED) catch return false;
            }
        }
        // (a full vector stops the walk early: go on from where it stopped)
        if (got.walk_end <= at) return false;
        at = got.walk_end;
    }
    return true;
}

// ---- Wasmtime's host memory creator ----

pub const creator: wt.MemoryCreator = .{ .env = null, .new_memory = newMemory, .finalizer = null };

fn fail(msg: [:0]const u8) *wt.Error {
    return wt.wasmtime_error_new(msg.ptr);
}

fn newMemory(_: ?*anyopaque, _: *const wt.MemoryType, minimum: usize, maximum: usize, reserved_size: usize, guard_size: usize, ret: *wt.LinearMemory) callconv(.c) ?*wt.Error {
    const image = armed;
    armed = null; // (one memory per instantiation: side modules import it)
    const slot = takeSlot(image, minimum, maximum, reserved_size, guard_size) catch return fail("cannot map a linear memory");
    if (slot.image != null) made = slot;
    ret.* = .{ .env = slot, .get_memory = getMemory, .grow_memory = growMemory, .finalizer = release };
    return null;
}

fn takeSlot(armed_image: ?*Image, minimum: usize, maximum: usize, reserved_size: usize, guard_size: usize) !*Slot {
    // The memory never moves: its whole reach (4 GiB for wasm32, as Wasmtime's default) and the guard are reserved.
    const reach = @max(reserved_size, @as(usize, 4 << 30));
    const reserved = std.mem.alignForward(usize, reach + guard_size, page);
    // (a memory of another size than the image's is a plain one)
    const image = if (armed_image) |img| (if (minimum == img.bytes.len) img else null) else null;
    if (image) |img| {
        img.lock.lock();
        defer img.lock.unlock();
        while (img.free.pop()) |s| {
            if (s.reserved >= reserved) {
                s.maximum = maximum;
                return s;
            }
            s.unmap();
        }
    }
    const base = try std.posix.mmap(null, reserved, std.posix.PROT.NONE, .{ .TYPE = .PRIVATE, .ANONYMOUS = true, .NORESERVE = true }, -1, 0);
    errdefer std.posix.munmap(base);
    const self = try allocator.create(Slot);
    errdefer allocator.destroy(self);
    const accessible = std.mem.alignForward(usize, minimum, page);
    if (accessible > reserved) return error.TooLarge;
    self.* = .{ .base = base.ptr, .reserved = reserved, .accessible = accessible, .size = minimum, .maximum = maximum, .image = null };
    if (image) |img| {
        _ = try std.posix.mmap(base.ptr, img.bytes.len, std.posix.PROT.READ | std.posix.PROT.WRITE, .{ .TYPE = .PRIVATE, .FIXED = true }, img.fd, 0);
        self.image = img;
        return self;
    }
    if (accessible > 0) try std.posix.mprotect(base[0..accessible], std.posix.PROT.READ | std.posix.PROT.WRITE);
    return self;
}

fn getMemory(env: ?*anyopaque, size: *usize, maximum: *usize) callconv(.c) [*]u8 {
    const s: *Slot = @ptrCast(@alignCast(env.?));
    size.* = s.size;
    maximum.* = s.maximum;
    return s.base;
}

fn growMemory(env: ?*anyopaque, new_size: usize) callconv(.c) ?*wt.Error {
    const s: *Slot = @ptrCast(@alignCast(env.?));
    s.grow(new_size) catch return fail("cannot grow the linear memory");
    return null;
}

/// The instance is gone: an image's slot is reset and kept for the next instance, any other unmapped.
fn release(env: ?*anyopaque) callconv(.c) void {
    const s: *Slot = @ptrCast(@alignCast(env.?));
    const img = s.image orelse return s.unmap();
    s.reset(img) catch return s.unmap();
    img.lock.lock();
    defer img.lock.unlock();
    if (img.free.items.len >= max_free_slots) return s.unmap();
    img.free.append(allocator, s) catch return s.unmap();
}
