//! The guest's own native stack. Wasm frames (QuickJS's recursion under
//! Cranelift) would otherwise pile up on the thread that called us: Bun's
//! main thread, whose stack is fixed at exec (RLIMIT_STACK, 8 MiB on most
//! Linux systems) and of which JavaScriptCore claims its own share for JS
//! (maxPerThreadStackUsage, read once at start). So a call into the guest
//! runs on a stack mapped here, and every host call the guest makes into
//! TypeScript switches back to the thread's own stack, right below where the
//! guest was entered: JavaScript only ever runs where JavaScriptCore expects it
//! to. (The WASI clock and randomness, answered in Zig, run on the guest's stack.)
//!
//! Both stacks are used last-in first-out: a host call may call into the
//! guest again (same store: on, below its frames; another store: on a stack
//! of its own), and that call returns before the host call does. A store
//! holds a stack only while its guest has frames on it; stacks are kept in a
//! per-thread free list, so a run (or a server's next request) reuses the
//! pages the last one touched.
//!
//! Where there is no switch (Windows: its stack bounds live in the thread's
//! TEB, and exception dispatch checks them), guests run on the caller's stack as before.

const std = @import("std");
const builtin = @import("builtin");

pub const supported = switch (builtin.os.tag) {
    .linux, .macos => builtin.cpu.arch == .x86_64 or builtin.cpu.arch == .aarch64,
    else => false,
};

/// Below the deepest wasm frame Wasmtime allows: Wasmtime's own calls out of
/// wasm (memory growth, trap handling), our trampoline, the switch.
pub const room: usize = 1 << 20;
/// No access: running past the end is a crash, not a write into other memory.
const guard: usize = 64 << 10;

/// `eb_on_stack(top, f, arg, save)`: store the current stack pointer in
/// `save.*`, call `f(arg)` with the stack pointer at `top` (aligned down to
/// 16), come back to the old stack and return. The frame pointer chain and
/// the CFI cross the switch, so debuggers still walk from one stack to the other.
const Entry = *const fn (?*anyopaque) callconv(.c) void;
extern fn eb_on_stack(top: usize, f: Entry, arg: ?*anyopaque, save: *usize) callconv(.c) void;

const sym = if (builtin.os.tag == .macos) "_eb_on_stack" else "eb_on_stack";
comptime {
    if (supported) switch (builtin.cpu.arch) {
        .x86_64 => asm (
            \\.text
            \\.p2align 4
            \\.globl 
        ++ sym ++ "\n" ++ sym ++ ":\n" ++
            \\    .cfi_startproc
            \\    pushq %rbp
            \\    .cfi_def_cfa_offset 16
            \\    .cfi_offset %rbp, -16
            \\    movq %rsp, %rbp
            \\    .cfi_def_cfa_register %rbp
            \\    movq %rsp, (%rcx)
            \\    movq %rdi, %rsp
            \\    andq $-16, %rsp
            \\    movq %rdx, %rdi
            \\    callq *%rsi
            \\    movq %rbp, %rsp
            \\    popq %rbp
            \\    .cfi_def_cfa %rsp, 8
            \\    retq
            \\    .cfi_endproc
            \\
        ),
        .aarch64 => asm (
            \\.text
            \\.p2align 2
            \\.globl 
        ++ sym ++ "\n" ++ sym ++ ":\n" ++
            \\    .cfi_startproc
            \\    stp x29, x30, [sp, #-16]!
            \\    .cfi_def_cfa_offset 16
            \\    .cfi_offset w30, -8
            \\    .cfi_offset w29, -16
            \\    mov x29, sp
            \\    .cfi_def_cfa w29, 16
            \\    mov x9, sp
            \\    str x9, [x3]
            \\    and x0, x0, #0xfffffffffffffff0
            \\    mov sp, x0
            \\    mov x0, x2
            \\    blr x1
            \\    mov sp, x29
            \\    .cfi_def_cfa wsp, 16
            \\    ldp x29, x30, [sp], #16
            \\    .cfi_def_cfa_offset 0
            \\    .cfi_restore w30
            \\    .cfi_restore w29
            \\    ret
            \\    .cfi_endproc
            \\
        ),
        else => unreachable,
    };
}

const Stack = struct {
    mem: []align(std.heap.page_size_min) u8,
    next: ?*Stack = null,

    fn top(self: *Stack) usize {
        return @intFromPtr(self.mem.ptr) + self.mem.len;
    }
};

/// Stacks no store holds now, this thread's (a stack must be used by one thread only).
threadlocal var free_list: ?*Stack = null;
threadlocal var free_count: usize = 0;
const keep = 4;

fn acquire(size: usize) error{OutOfMemory}!*Stack {
    // the first one big enough
    var link: *?*Stack = &free_list;
    while (link.*) |s| : (link = &s.next) {
        if (s.mem.len >= size) {
            link.* = s.next;
            free_count -= 1;
            s.next = null;
            return s;
        }
    }
    const total = std.mem.alignForward(usize, size + guard, 64 << 10);
    const flags: std.posix.MAP = if (@hasField(std.posix.MAP, "NORESERVE"))
        .{ .TYPE = .PRIVATE, .ANONYMOUS = true, .NORESERVE = true }
    else
        .{ .TYPE = .PRIVATE, .ANONYMOUS = true };
    const mem = std.posix.mmap(null, total, std.posix.PROT.READ | std.posix.PROT.WRITE, flags, -1, 0) catch return error.OutOfMemory;
    errdefer std.posix.munmap(mem);
    std.posix.mprotect(mem[0..guard], std.posix.PROT.NONE) catch return error.OutOfMemory;
    const s = std.heap.c_allocator.create(Stack) catch return error.OutOfMemory;
    s.* = .{ .mem = mem };
    return s;
}

/// Of a kept stack, the top bytes that stay resident; what a deep call touched below goes back to the
/// kernel (a stack is many times the QuickJS stack it backs: deep requests would otherwise leave it all).
const resident = 1 << 20;
const trim_every = 64;
threadlocal var releases: u32 = 0;

fn release(s: *Stack) void {
    if (free_count >= keep) {
        std.posix.munmap(s.mem);
        std.heap.c_allocator.destroy(s);
        return;
    }
    // Every trim_every-th release (one per outermost call into a guest: dozens a request), and only
    // when the page just below the kept window is resident (a stack is touched from its top down):
    // a madvise at each release cost a served request ~50 us, its TLB flush slowing what followed.
    releases +%= 1;
    if (releases % trim_every == 0 and s.mem.len > guard + resident) {
        const deep = s.mem[guard .. s.mem.len - resident];
        var in_core: [1]u8 = .{0};
        const edge: [*]align(std.heap.page_size_min) u8 = @alignCast(deep.ptr + deep.len - std.heap.page_size_min);
        std.posix.mincore(edge, std.heap.page_size_min, &in_core) catch {
            in_core[0] = 1; // (cannot tell: give them back)
        };
        if (in_core[0] & 1 != 0) std.posix.madvise(@alignCast(deep.ptr), deep.len, std.posix.MADV.DONTNEED) catch {};
    }
    s.next = free_list;
    free_list = s;
    free_count += 1;
}

/// `f` as eb_on_stack calls it.
fn thunk(comptime Ctx: type, comptime f: fn (*Ctx) void) Entry {
    return struct {
        fn entry(p: ?*anyopaque) callconv(.c) void {
            f(@as(*Ctx, @ptrCast(@alignCast(p.?))));
        }
    }.entry;
}

/// One store's use of a guest stack: embedded in the root instance.
pub const Guest = struct {
    stack: ?*Stack = null,
    /// Frames of this store's guest on the stack (calls into it, nested through host calls).
    depth: u32 = 0,
    /// Where the next call into the guest starts: the stack's top, or below a guest waiting for a host call.
    guest_sp: usize = 0,
    /// Where host calls run: just below where the thread's own stack was left.
    host_sp: usize = 0,

    /// Run `f(ctx)` on this store's guest stack (of at least `size` bytes
    /// besides `room`), or right here where there is none.
    pub fn run(self: *Guest, size: usize, comptime Ctx: type, ctx: *Ctx, comptime f: fn (*Ctx) void) error{OutOfMemory}!void {
        if (!supported) return f(ctx);
        if (self.depth == 0) {
            const s = try acquire(size + room);
            self.stack = s;
            self.guest_sp = s.top();
        }
        self.depth += 1;
        const saved_host = self.host_sp;
        eb_on_stack(self.guest_sp, thunk(Ctx, f), ctx, &self.host_sp);
        self.host_sp = saved_host;
        self.depth -= 1;
        if (self.depth == 0) {
            release(self.stack.?);
            self.stack = null;
        }
    }

    /// From the guest's stack, run `f(ctx)` on the thread's own (a host call). Right here when not on a guest stack.
    pub fn toHost(self: *Guest, comptime Ctx: type, ctx: *Ctx, comptime f: fn (*Ctx) void) void {
        if (!supported or self.depth == 0) return f(ctx);
        const saved_guest = self.guest_sp;
        // (each saved pointer is eb_on_stack's own frame: nothing below it is live)
        eb_on_stack(self.host_sp, thunk(Ctx, f), ctx, &self.guest_sp);
        self.guest_sp = saved_guest;
    }
};
