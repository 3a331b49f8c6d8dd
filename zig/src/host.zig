//! The native host: engines, modules and instances over Wasmtime, with every
//! guest import routed to one callback into TypeScript. The C ABI over this
//! file is in exports.zig; internal/engine/native.ts is its only caller.
//!
//! Lifetimes: an Engine outlives its Modules; a Module outlives the Instances
//! made from it. A root Instance owns its store; linked (side) instances live
//! in the root's store and are freed with it.

const std = @import("std");

/// The time limit's granularity: the epoch ticks every this many ms (see Engine.tick).
const epoch_ms = 10;
const wt = @import("wasmtime.zig");
const stack = @import("stack.zig");
const slots = @import("slots.zig");
const wasi = @import("wasi.zig");

pub const abi_version: u32 = 7;

pub const HostError = error{
    OutOfMemory,
    EngineFailed,
    CompileFailed,
    DeserializeFailed,
    SerializeFailed,
    InstantiateFailed,
    LinkFailed,
    NoSuchExport,
    WrongKind,
    BufferTooSmall,
    Trapped,
    CallFailed,
};

/// Called for every import the guest calls: which instance, which module's
/// import table, which import. The arguments wait in the engine's scratch
/// buffer, where the callback leaves the results. Returns 0, or non-zero when
/// the host failed (the guest then traps).
pub const HostCallback = *const fn (instance_id: u32, module_id: u32, import_index: u32) callconv(.c) u32;

/// Values per host call the scratch buffer holds (arguments or results).
pub const scratch_slots = 16;

pub const EngineFlags = packed struct(u32) {
    fuel: bool = false,
    epoch: bool = false,
    pooling: bool = false,
    opt_none: bool = false,
    /// Linear memories from reusable slots reset page by page (slots.zig; Linux), instead of the pooling allocator.
    memory_slots: bool = false,
    /// Wasmtime's perf map (/tmp/perf-<pid>.map): `perf report` names the guest's functions (EDGEBOX_PERFMAP=1).
    perf_map: bool = false,
    _: u2 = 0,
    /// Native stack for wasm frames, in MiB (0: the default 4). Guests run on
    /// stacks of their own (stack.zig) where the platform has them; elsewhere
    /// on the caller's, under what Bun's JavaScriptCore allows that thread.
    wasm_stack_mib: u16 = 0,
    _pad: u8 = 0,
};

/// Where TypeScript reads the guest memory's current address and size (updated after every call).
pub const MemoryState = extern struct {
    ptr: u64,
    len: u64,
};

const allocator = std.heap.c_allocator;

/// The last error's text, copied into the caller's buffer by exports.zig.
pub threadlocal var last_error: [1024]u8 = undefined;
pub threadlocal var last_error_len: usize = 0;

fn setError(comptime fmt: []const u8, args: anytype) void {
    const s = std.fmt.bufPrint(&last_error, fmt, args) catch last_error[0..];
    last_error_len = s.len;
}

fn takeWasmtimeError(prefix: []const u8, err: *wt.Error) void {
    var msg: wt.ByteVec = .{};
    wt.wasmtime_error_message(err, &msg);
    defer wt.wasm_byte_vec_delete(&msg);
    wt.wasmtime_error_delete(err);
    const text = if (msg.data) |d| d[0..msg.size] else "";
    setError("{s}: {s}", .{ prefix, std.mem.trimRight(u8, text, "\x00") });
}

pub const TrapCode = wt.TrapCode;

/// The last trap's code, handed to the caller as an out-parameter by exports.zig.
pub threadlocal var last_trap: TrapCode = .none;

fn takeTrap(trap: *wt.Trap) void {
    var msg: wt.ByteVec = .{};
    wt.wasm_trap_message(trap, &msg);
    defer wt.wasm_byte_vec_delete(&msg);
    var code: u8 = 255;
    const has_code = wt.wasmtime_trap_code(trap, &code);
    wt.wasm_trap_delete(trap);
    last_trap = if (has_code) @enumFromInt(code) else .none;
    const text = std.mem.trimRight(u8, if (msg.data) |d| d[0..msg.size] else "", "\x00");
    // The first line names the cause (Wasmtime's text opens with the backtrace, its cause comes last).
    const tag = "wasm trap: ";
    const stated = if (std.mem.lastIndexOf(u8, text, tag)) |i| std.mem.sliceTo(text[i + tag.len ..], '\n') else "";
    const cause: []const u8 = switch (last_trap) {
        .stack_overflow => "call stack exhausted",
        .interrupt => "interrupted (epoch deadline reached)",
        .out_of_fuel => "all fuel consumed (instruction limit reached)",
        else => if (stated.len > 0) stated else std.mem.sliceTo(text, '\n'),
    };
    setError("{s}\n{s}", .{ cause, text });
}

// ---- engines ----

pub const Engine = struct {
    engine: *wt.Engine,
    flags: EngineFlags,
    /// Wasmtime's limit for wasm frames, in bytes (a guest stack holds it and stack.room).
    wasm_stack: usize,
    callback: HostCallback,
    /// TypeScript-owned, scratch_slots values: host call arguments and results.
    scratch: [*]wt.ValRaw,
    ticker: ?std.Thread = null,
    stop: std.atomic.Value(bool) = .init(false),

    pub fn create(flags: EngineFlags, callback: HostCallback, scratch: [*]wt.ValRaw) HostError!*Engine {
        const config = wt.wasm_config_new() orelse return error.EngineFailed;
        wt.wasmtime_config_cranelift_opt_level_set(config, if (flags.opt_none) wt.opt_level_none else wt.opt_level_speed);
        wt.wasmtime_config_consume_fuel_set(config, flags.fuel);
        wt.wasmtime_config_epoch_interruption_set(config, flags.epoch);
        if (flags.perf_map) wt.wasmtime_config_profiler_set(config, wt.profiling_perfmap);
        // (a memory the host makes cannot take Wasmtime's copy-on-write image: slots are their own)
        wt.wasmtime_config_memory_init_cow_set(config, !(slots.supported and flags.memory_slots));
        // QuickJS recursion uses native wasm frames too; its own guard (on the
        // linear-memory stack) must trip before this limit does.
        const wasm_stack = @as(usize, if (flags.wasm_stack_mib == 0) 4 else flags.wasm_stack_mib) << 20;
        wt.wasmtime_config_async_stack_size_set(config, wasm_stack + (64 << 10));
        wt.wasmtime_config_max_wasm_stack_set(config, wasm_stack);
        // (slots.supported first: elsewhere the branch is not compiled at all)
        if (slots.supported and flags.memory_slots) {
            wt.wasmtime_config_host_memory_creator_set(config, &slots.creator);
        } else if (flags.pooling) {
            const pool = wt.wasmtime_pooling_allocation_config_new() orelse return error.EngineFailed;
            defer wt.wasmtime_pooling_allocation_config_delete(pool);
            wt.wasmtime_pooling_allocation_config_total_core_instances_set(pool, 256);
            wt.wasmtime_pooling_allocation_config_total_memories_set(pool, 256);
            wt.wasmtime_pooling_allocation_config_total_tables_set(pool, 256);
            wt.wasmtime_pooling_allocation_config_max_memories_per_module_set(pool, 1);
            wt.wasmtime_pooling_allocation_config_max_tables_per_module_set(pool, 1);
            wt.wasmtime_pooling_allocation_config_max_memory_size_set(pool, 1 << 31);
            wt.wasmtime_pooling_allocation_config_table_elements_set(pool, 65536);
            // A reused slot keeps the pages the last instance touched and resets just those
            // (from the image) instead of unmapping them: the next instance takes no page faults there.
            wt.wasmtime_pooling_allocation_config_linear_memory_keep_resident_set(pool, 32 << 20);
            wt.wasmtime_pooling_allocation_config_table_keep_resident_set(pool, 1 << 20);
            wt.wasmtime_pooling_allocation_strategy_set(config, pool);
        }
        const engine = wt.wasm_engine_new_with_config(config) orelse return error.EngineFailed;
        const self = allocator.create(Engine) catch {
            wt.wasm_engine_delete(engine);
            return error.OutOfMemory;
        };
        self.* = .{ .engine = engine, .flags = flags, .wasm_stack = wasm_stack, .callback = callback, .scratch = scratch };
        if (flags.epoch) {
            // Without the ticker no deadline ever arrives: refuse rather than run without the time limit.
            self.ticker = std.Thread.spawn(.{}, tick, .{self}) catch |e| {
                setError("cannot start the thread that enforces the time limit ({s})", .{@errorName(e)});
                wt.wasm_engine_delete(engine);
                allocator.destroy(self);
                return error.EngineFailed;
            };
        }
        return self;
    }

    /// One epoch per `epoch_ms`. Each tick wakes a thread: at 1 ms, an idle edgebox serve worker
    /// spent 1.5% of a core on them (150 ms of CPU in 10 s), a busy one ~3 us per request.
    fn tick(self: *Engine) void {
        while (!self.stop.load(.acquire)) {
            std.Thread.sleep(epoch_ms * std.time.ns_per_ms);
            wt.wasmtime_engine_increment_epoch(self.engine);
        }
    }

    pub fn destroy(self: *Engine) void {
        self.stop.store(true, .release);
        if (self.ticker) |t| t.join();
        wt.wasm_engine_delete(self.engine);
        allocator.destroy(self);
    }
};

// ---- modules ----

const Import = struct {
    module: []u8,
    name: []u8,
    kind: u8,
    functype: ?*const wt.FuncType,
};

/// The per-import context handed to Wasmtime with each host function.
const ImportSlot = struct {
    engine: *Engine,
    module_id: u32,
    index: u32,
};

pub const Module = struct {
    engine: *Engine,
    module: *wt.Module,
    id: u32,
    imports: []Import,
    import_types: wt.ImportTypeVec,
    slots: []ImportSlot,
    /// For modules instantiated as roots: every import is a host function,
    /// linked once; instantiation is then a single pre-instantiate.
    pre: ?*wt.InstancePre = null,
    linker: ?*wt.Linker = null,
    description: []u8 = &.{},
    /// Exports are numbered in the order they are first asked for ("slots"), not enumerated up front.
    slot_names: std.ArrayListUnmanaged([]u8) = .empty,
    slot_map: std.StringHashMapUnmanaged(u32) = .empty,
    /// The initial memory, when the module has no data segments and its memory comes from slots (setImage).
    image: ?*slots.Image = null,

    pub fn compile(engine: *Engine, id: u32, wasm: []const u8) HostError!*Module {
        var m: ?*wt.Module = null;
        if (wt.wasmtime_module_new(engine.engine, wasm.ptr, wasm.len, &m)) |err| {
            takeWasmtimeError("compile", err);
            return error.CompileFailed;
        }
        return wrap(engine, id, m.?);
    }

    pub fn deserialize(engine: *Engine, id: u32, bytes: []const u8) HostError!*Module {
        var m: ?*wt.Module = null;
        if (wt.wasmtime_module_deserialize(engine.engine, bytes.ptr, bytes.len, &m)) |err| {
            takeWasmtimeError("deserialize", err);
            return error.DeserializeFailed;
        }
        return wrap(engine, id, m.?);
    }

    /// Map a file written by serialize() (the fastest load: no copy of the code).
    pub fn deserializeFile(engine: *Engine, id: u32, path: [*:0]const u8) HostError!*Module {
        var m: ?*wt.Module = null;
        if (wt.wasmtime_module_deserialize_file(engine.engine, path, &m)) |err| {
            takeWasmtimeError("deserialize", err);
            return error.DeserializeFailed;
        }
        return wrap(engine, id, m.?);
    }

    /// Takes ownership of `m`: on failure it is freed with everything allocated here.
    fn wrap(engine: *Engine, id: u32, m: *wt.Module) HostError!*Module {
        errdefer wt.wasmtime_module_delete(m);
        const self = allocator.create(Module) catch return error.OutOfMemory;
        errdefer allocator.destroy(self);
        self.* = .{ .engine = engine, .module = m, .id = id, .imports = &.{}, .import_types = .{}, .slots = &.{} };
        wt.wasmtime_module_imports(m, &self.import_types);
        errdefer wt.wasm_importtype_vec_delete(&self.import_types);
        const n = self.import_types.size;
        self.imports = allocator.alloc(Import, n) catch return error.OutOfMemory;
        errdefer allocator.free(self.imports);
        self.slots = allocator.alloc(ImportSlot, n) catch return error.OutOfMemory;
        errdefer allocator.free(self.slots);
        for (0..n) |i| {
            const t = self.import_types.data.?[i];
            const ext = wt.wasm_importtype_type(t);
            const kind = wt.wasm_externtype_kind(ext);
            self.imports[i] = .{
                .module = bytesOf(wt.wasm_importtype_module(t)),
                .name = bytesOf(wt.wasm_importtype_name(t)),
                .kind = kind,
                .functype = if (kind == wt.extern_func) wt.wasm_externtype_as_functype_const(ext) else null,
            };
            self.slots[i] = .{ .engine = engine, .module_id = id, .index = @intCast(i) };
        }
        self.description = try self.describe();
        return self;
    }

    pub fn serialize(self: *Module) HostError!wt.ByteVec {
        var out: wt.ByteVec = .{};
        if (wt.wasmtime_module_serialize(self.module, &out)) |err| {
            takeWasmtimeError("serialize", err);
            return error.SerializeFailed;
        }
        return out;
    }

    /// Text the TypeScript side parses once: one line per import:
    /// kind, module, name, parameter and result types (i=i32 I=i64 f=f32 F=f64 r=ref).
    fn describe(self: *Module) HostError![]u8 {
        var out: std.Io.Writer.Allocating = .init(allocator);
        errdefer out.deinit();
        for (self.imports) |imp| describeLine(&out.writer, "I", imp.kind, imp.module, imp.name, imp.functype) catch return error.OutOfMemory;
        return out.toOwnedSlice() catch error.OutOfMemory;
    }

    fn slotOf(self: *Module, name: []const u8) HostError!u32 {
        if (self.slot_map.get(name)) |s| return s;
        const owned = allocator.dupe(u8, name) catch return error.OutOfMemory;
        const slot: u32 = @intCast(self.slot_names.items.len);
        self.slot_names.append(allocator, owned) catch return error.OutOfMemory;
        self.slot_map.put(allocator, owned, slot) catch return error.OutOfMemory;
        return slot;
    }

    fn describeLine(w: *std.Io.Writer, tag: []const u8, kind: u8, module: []const u8, name: []const u8, ft: ?*const wt.FuncType) !void {
        try w.print("{s}\t{d}\t{s}\t{s}\t", .{ tag, kind, module, name });
        if (ft) |f| {
            try writeTypes(w, wt.wasm_functype_params(f));
            try w.writeAll("\t");
            try writeTypes(w, wt.wasm_functype_results(f));
        } else {
            try w.writeAll("\t");
        }
        try w.writeAll("\n");
    }

    pub fn writeTypes(w: *std.Io.Writer, v: *const wt.ValTypeVec) !void {
        for (0..v.size) |i| {
            try w.writeByte(switch (wt.wasm_valtype_kind(v.data[i])) {
                wt.kind_i32 => 'i',
                wt.kind_i64 => 'I',
                wt.kind_f32 => 'f',
                wt.kind_f64 => 'F',
                else => 'r',
            });
        }
    }

    /// A linker with every function import bound to the host callback (the WASI clock and randomness to the host's own answers, wasi.zig).
    fn hostLinker(self: *Module) HostError!*wt.Linker {
        const linker = wt.wasmtime_linker_new(self.engine.engine) orelse return error.LinkFailed;
        errdefer wt.wasmtime_linker_delete(linker);
        for (self.imports, 0..) |imp, i| {
            if (imp.kind != wt.extern_func) continue;
            const callback: wt.UncheckedCallback = if (wasi.kindOf(imp.module, imp.name, imp.functype.?)) |k| switch (k) {
                inline else => |c| wasiCallback(c),
            } else trampoline;
            if (wt.wasmtime_linker_define_func_unchecked(linker, imp.module.ptr, imp.module.len, imp.name.ptr, imp.name.len, imp.functype.?, callback, &self.slots[i], null)) |err| {
                takeWasmtimeError("link", err);
                return error.LinkFailed;
            }
        }
        return linker;
    }

    fn instancePre(self: *Module) HostError!*wt.InstancePre {
        if (self.pre) |p| return p;
        const linker = try self.hostLinker();
        self.linker = linker;
        var pre: ?*wt.InstancePre = null;
        if (wt.wasmtime_linker_instantiate_pre(linker, self.module, &pre)) |err| {
            takeWasmtimeError("instantiate", err);
            return error.InstantiateFailed;
        }
        self.pre = pre;
        return pre.?;
    }

    /// Give the module its initial memory (it must have no data segments): its instances' memories come from slots.
    pub fn setImage(self: *Module, memory: []const u8) HostError!void {
        if (comptime !slots.supported) {
            setError("this platform has no memory slots", .{});
            return error.WrongKind;
        }
        if (!self.engine.flags.memory_slots) {
            setError("this engine makes no memory slots", .{});
            return error.WrongKind;
        }
        if (self.image != null) {
            setError("the module has its image already", .{});
            return error.WrongKind;
        }
        self.image = slots.Image.create(memory) catch |e| {
            setError("cannot keep the memory image ({s})", .{@errorName(e)});
            return error.OutOfMemory;
        };
    }

    pub fn destroy(self: *Module) void {
        if (slots.supported) if (self.image) |img| img.destroy();
        if (self.pre) |p| wt.wasmtime_instance_pre_delete(p);
        if (self.linker) |l| wt.wasmtime_linker_delete(l);
        wt.wasm_importtype_vec_delete(&self.import_types);
        allocator.free(self.imports);
        allocator.free(self.slots);
        allocator.free(self.description);
        for (self.slot_names.items) |n| allocator.free(n);
        self.slot_names.deinit(allocator);
        self.slot_map.deinit(allocator);
        wt.wasmtime_module_delete(self.module);
        allocator.destroy(self);
    }
};

fn bytesOf(v: *const wt.ByteVec) []u8 {
    return if (v.data) |d| d[0..v.size] else &.{};
}

/// Every guest import the host does not answer itself (wasiCallback) lands here: find the instance
/// from the store, make the caller's context current (calls back into the guest must use it), ask TypeScript.
fn trampoline(env: ?*anyopaque, caller: *wt.Caller, args: [*]wt.ValRaw, n: usize) callconv(.c) ?*wt.Trap {
    const slot: *ImportSlot = @ptrCast(@alignCast(env.?));
    const ctx = wt.wasmtime_caller_context(caller);
    const root: *Instance = @ptrCast(@alignCast(wt.wasmtime_context_get_data(ctx).?));
    const saved = root.ctx;
    root.ctx = ctx;
    defer root.ctx = saved;
    root.publishMemory();
    if (n > scratch_slots) {
        const msg = "a host function has more values than the scratch buffer holds";
        return wt.wasmtime_trap_new(msg.ptr, msg.len);
    }
    const e = slot.engine;
    @memcpy(e.scratch[0..n], args[0..n]);
    // TypeScript runs on the thread's own stack, not the guest's
    const Call = struct {
        e: *Engine,
        id: u32,
        slot: *ImportSlot,
        failed: u32 = 0,
        fn go(c: *@This()) void {
            c.failed = c.e.callback(c.id, c.slot.module_id, c.slot.index);
        }
    };
    var c: Call = .{ .e = e, .id = root.id, .slot = slot };
    root.guest.toHost(Call, &c, Call.go);
    const failed = c.failed;
    @memcpy(args[0..n], e.scratch[0..n]);
    if (failed != 0) {
        const msg = "a host function failed (see the host's error output)";
        return wt.wasmtime_trap_new(msg.ptr, msg.len);
    }
    return null;
}

/// A WASI clock or randomness import the host answers (wasi.zig), unless the instance sends them to TypeScript.
fn wasiCallback(comptime kind: wasi.Kind) wt.UncheckedCallback {
    return struct {
        fn call(env: ?*anyopaque, caller: *wt.Caller, args: [*]wt.ValRaw, n: usize) callconv(.c) ?*wt.Trap {
            const ctx = wt.wasmtime_caller_context(caller);
            const root: *Instance = @ptrCast(@alignCast(wt.wasmtime_context_get_data(ctx).?));
            if (!root.wasi_in_host or !root.has_memory) return trampoline(env, caller, args, n);
            const data = wt.wasmtime_memory_data(ctx, &root.memory.of);
            wasi.answer(kind, data[0..wt.wasmtime_memory_data_size(ctx, &root.memory.of)], args);
            return null;
        }
    }.call;
}

// ---- instances ----

pub const LinkKind = enum(u32) {
    /// A function import served by the host callback.
    host = 0,
    /// An export of the root instance, by export index.
    root_export = 1,
    /// A new immutable i32 global with the given value.
    const_i32 = 2,
    /// A new mutable i32 global with the given value.
    mut_i32 = 3,
};

/// Run Wasmtime's `f` (whose last parameter is the trap out-pointer) with `args` on the store's guest stack.
fn onGuest(guest: *stack.Guest, size: usize, comptime f: anytype, args: anytype) HostError!struct { err: ?*wt.Error, trap: ?*wt.Trap } {
    const C = struct {
        args: @TypeOf(args),
        trap: ?*wt.Trap = null,
        err: ?*wt.Error = null,
        fn go(c: *@This()) void {
            c.err = @call(.auto, f, c.args ++ .{&c.trap});
        }
    };
    var c: C = .{ .args = args };
    try guest.run(size, C, &c, C.go);
    return .{ .err = c.err, .trap = c.trap };
}

pub const Instance = struct {
    id: u32,
    store: *wt.Store,
    /// The context calls must use: the store's own, or the calling guest's during a host callback.
    ctx: *wt.Context,
    instance: wt.Instance = .{},
    module: *Module,
    root: *Instance,
    memory: wt.Extern = .{},
    has_memory: bool = false,
    state: *MemoryState,
    /// Resolved exports by slot (see Module.slot_names).
    slots: std.ArrayListUnmanaged(?wt.Extern) = .empty,
    side: std.ArrayListUnmanaged(*Instance) = .empty,
    /// The root's: the stack this store's guest runs on (stack.zig).
    guest: stack.Guest = .{},
    /// The root's: the host answers the guest's clock and randomness (wasi.zig); false: TypeScript does.
    wasi_in_host: bool = true,
    /// The root's image slot (slots.zig) and stack pointer as instantiated: what recycle() puts back.
    slot: if (slots.supported) ?*slots.Slot else void = if (slots.supported) null else {},
    stack_pointer: ?wt.Extern = null,
    initial_stack_pointer: wt.Val = .{},
    /// The host grew its table or linked a side module it may not keep, or a call failed or trapped: recycle() refuses it.
    spoiled: bool = false,
    /// A side module kept with a recycled root (link's `keep`): the imports it was linked with.
    kept_spec: []const [2]u32 = &.{},

    /// A fresh store with one instance of `module`. `max_memory` < 0: no limit.
    pub fn create(module: *Module, id: u32, state: *MemoryState, max_memory: i64, fuel: u64, deadline_ms: u64) HostError!*Instance {
        const self = allocator.create(Instance) catch return error.OutOfMemory;
        errdefer allocator.destroy(self);
        const store = wt.wasmtime_store_new(module.engine.engine, self, null) orelse return error.InstantiateFailed;
        errdefer wt.wasmtime_store_delete(store);
        self.* = .{ .id = id, .store = store, .ctx = wt.wasmtime_store_context(store), .module = module, .root = self, .state = state };
        try self.setLimits(max_memory, fuel, deadline_ms);
        const pre = try module.instancePre();
        if (slots.supported) {
            slots.armed = module.image;
            slots.made = null;
        }
        defer if (slots.supported) {
            slots.armed = null;
        };
        // (instantiation may run the module's start function)
        const r = try onGuest(&self.guest, module.engine.wasm_stack, wt.wasmtime_instance_pre_instantiate, .{ pre, self.ctx, &self.instance });
        const trap = r.trap;
        if (r.err) |err| {
            takeWasmtimeError("instantiate", err);
            return error.InstantiateFailed;
        }
        if (trap) |t| {
            takeTrap(t);
            return error.Trapped;
        }
        const name = "memory";
        self.has_memory = wt.wasmtime_instance_export_get(self.ctx, &self.instance, name, name.len, &self.memory) and self.memory.kind == wt.extern_memory;
        self.publishMemory();
        if (slots.supported and module.image != null) self.keepForRecycling();
        return self;
    }

    /// An image's instance (edgebox serve): what it is made of past its memory, for recycle().
    /// An image module's only global is its stack pointer (build/snapshot.ts preinitialize refuses
    /// others) and it has no start function; its code has no table instruction (tests/engine.test.ts).
    fn keepForRecycling(self: *Instance) void {
        const name = "__stack_pointer";
        var sp: wt.Extern = .{};
        if (!wt.wasmtime_instance_export_get(self.ctx, &self.instance, name, name.len, &sp) or sp.kind != wt.extern_global) return;
        wt.wasmtime_global_get(self.ctx, &sp.of, &self.initial_stack_pointer);
        self.stack_pointer = sp;
        self.slot = slots.made;
    }

    /// As a fresh instance of its module again, for adopt(): its memory back to the image (the
    /// written pages copied back, as a dropped instance's slot is), its stack pointer as instantiated.
    /// False, and nothing done, unless it is an image's instance whose memory did not grow, whose
    /// table did not grow, that linked only side modules it may keep, and whose calls never trapped.
    /// (Its table then holds what linking those put there: slots reserved for them, the same
    /// functions whenever they are linked; the guest's code has no table instruction.)
    pub fn recycle(self: *Instance) bool {
        std.debug.assert(self.root == self);
        if (!slots.supported) return false;
        const slot = self.slot orelse return false;
        const sp = self.stack_pointer orelse return false;
        // (never from inside its own call: a host call that drops its instance)
        if (self.spoiled or self.guest.depth != 0 or !slot.restore()) return false;
        if (wt.wasmtime_global_set(self.ctx, &sp.of, &self.initial_stack_pointer)) |err| {
            wt.wasmtime_error_delete(err);
            return false;
        }
        return true;
    }

    /// A recycled instance handed to its next user: a new id and memory state, its limits set afresh.
    pub fn adopt(self: *Instance, id: u32, state: *MemoryState, max_memory: i64, fuel: u64, deadline_ms: u64) HostError!void {
        self.id = id;
        self.state = state;
        for (self.side.items) |s| {
            s.id = id;
            s.state = state;
        }
        self.wasi_in_host = true;
        try self.setLimits(max_memory, fuel, deadline_ms);
        self.publishMemory();
    }

    /// A new user's limits: how far memory may grow (< 0: no limit), fuel (0: no limit), the deadline.
    fn setLimits(self: *Instance, max_memory: i64, fuel: u64, deadline_ms: u64) HostError!void {
        self.setMaxMemory(max_memory);
        if (self.module.engine.flags.fuel) {
            if (wt.wasmtime_context_set_fuel(self.ctx, if (fuel == 0) std.math.maxInt(u64) else fuel)) |err| {
                takeWasmtimeError("fuel", err);
                return error.InstantiateFailed;
            }
        }
        self.setDeadline(deadline_ms);
    }

    /// Instantiate a side module in this instance's store. `spec` holds a
    /// (LinkKind, value) pair for each of the module's imports, in order.
    /// The imports are handed over by position (no Linker: edgebox serve
    /// links side modules again for every request, and a Linker hashes every name).
    /// `keep`: the module is the same thing every time it is linked with the same imports (it
    /// has no state outside the root's memory and stack pointer: a bundled extension's relink
    /// variant, internal/serve/image.ts), so a recycled root keeps it, and linking it again with
    /// the same `spec` is that instance. Any other side module makes the root one not to recycle.
    pub fn link(self: *Instance, module: *Module, spec: []const [2]u32, keep: bool) HostError!*Instance {
        const root = self.root;
        if (spec.len != module.imports.len) {
            setError("link: {d} import specs for {d} imports", .{ spec.len, module.imports.len });
            return error.LinkFailed;
        }
        // (a link that fails part way may have filled table slots: not recycled either)
        errdefer root.spoiled = true;
        if (!keep) root.spoiled = true;
        if (keep) for (root.side.items) |s| {
            if (s.module == module and s.kept_spec.len == spec.len and std.mem.eql(u32, @ptrCast(s.kept_spec), @ptrCast(spec))) return s;
        };
        const items = allocator.alloc(wt.PackedExtern, spec.len) catch return error.OutOfMemory;
        defer allocator.free(items);
        for (spec, items, 0..) |s, *item, i| item.* = .from(try root.linkItem(module, i, s));
        const side = allocator.create(Instance) catch return error.OutOfMemory;
        errdefer allocator.destroy(side);
        side.* = .{ .id = root.id, .store = root.store, .ctx = root.ctx, .module = module, .root = root, .state = root.state };
        // (instantiation may run the module's start function)
        const r = try onGuest(&root.guest, module.engine.wasm_stack, wt.wasmtime_instance_new, .{ root.ctx, module.module, items.ptr, items.len, &side.instance });
        const trap = r.trap;
        if (r.err) |err| {
            takeWasmtimeError("instantiate", err);
            return error.InstantiateFailed;
        }
        if (trap) |t| {
            takeTrap(t);
            return error.Trapped;
        }
        root.side.append(allocator, side) catch return error.OutOfMemory;
        if (keep) side.kept_spec = allocator.dupe([2]u32, spec) catch {
            root.spoiled = true;
            return side;
        };
        root.publishMemory();
        return side;
    }

    /// What import `i` of side module `module` is given, as `s` (a LinkKind and its value) says.
    fn linkItem(root: *Instance, module: *Module, i: usize, s: [2]u32) HostError!wt.Extern {
        const imp = module.imports[i];
        const kind = std.meta.intToEnum(LinkKind, s[0]) catch {
            setError("link: bad import kind {d}", .{s[0]});
            return error.LinkFailed;
        };
        var item: wt.Extern = .{};
        switch (kind) {
            .host => {
                if (imp.kind != wt.extern_func) {
                    setError("link: {s}.{s} is not a function", .{ imp.module, imp.name });
                    return error.LinkFailed;
                }
                item.kind = wt.extern_func;
                wt.wasmtime_func_new_unchecked(root.ctx, imp.functype.?, trampoline, &module.slots[i], null, &item.of);
            },
            .root_export => item = try root.exportAt(s[1]),
            .const_i32, .mut_i32 => {
                const ty = wt.wasm_globaltype_new(wt.wasm_valtype_new(wt.kind_i32), if (kind == .mut_i32) 1 else 0) orelse return error.LinkFailed;
                defer wt.wasm_globaltype_delete(ty);
                var v: wt.Val = .{ .kind = wt.val_i32 };
                v.of.i32 = @bitCast(s[1]);
                item.kind = wt.extern_global;
                if (wt.wasmtime_global_new(root.ctx, ty, &v, &item.of)) |err| {
                    takeWasmtimeError("link", err);
                    return error.LinkFailed;
                }
            },
        }
        return item;
    }

    /// Look an export up by name: its slot, its kind, and for functions its
    /// signature ("params\tresults", as in Module.describe) written to `sig`.
    pub fn exportByName(self: *Instance, name: []const u8, sig: *std.Io.Writer) HostError!struct { slot: u32, kind: u8 } {
        var item: wt.Extern = .{};
        if (!wt.wasmtime_instance_export_get(self.root.ctx, &self.instance, name.ptr, name.len, &item)) {
            setError("no export '{s}'", .{name});
            return error.NoSuchExport;
        }
        const slot = try self.module.slotOf(name);
        try self.remember(slot, item);
        if (item.kind == wt.extern_func) {
            const ft = wt.wasmtime_func_type(self.root.ctx, &item.of);
            defer wt.wasm_functype_delete(ft);
            writeSignature(sig, ft) catch {
                setError("the signature of '{s}' does not fit the caller's buffer", .{name});
                return error.BufferTooSmall;
            };
        }
        return .{ .slot = slot, .kind = item.kind };
    }

    fn writeSignature(w: *std.Io.Writer, ft: *const wt.FuncType) !void {
        try Module.writeTypes(w, wt.wasm_functype_params(ft));
        try w.writeAll("\t");
        try Module.writeTypes(w, wt.wasm_functype_results(ft));
    }

    fn remember(self: *Instance, slot: u32, item: wt.Extern) HostError!void {
        while (self.slots.items.len <= slot) self.slots.append(allocator, null) catch return error.OutOfMemory;
        self.slots.items[slot] = item;
    }

    pub fn exportAt(self: *Instance, slot: u32) HostError!wt.Extern {
        if (slot < self.slots.items.len) {
            if (self.slots.items[slot]) |e| return e;
        }
        if (slot >= self.module.slot_names.items.len) {
            setError("no export slot #{d}", .{slot});
            return error.NoSuchExport;
        }
        const name = self.module.slot_names.items[slot];
        var item: wt.Extern = .{};
        if (!wt.wasmtime_instance_export_get(self.root.ctx, &self.instance, name.ptr, name.len, &item)) {
            setError("no export '{s}'", .{name});
            return error.NoSuchExport;
        }
        try self.remember(slot, item);
        return item;
    }

    pub fn call(self: *Instance, index: u32, args: []wt.ValRaw) HostError!void {
        const root = self.root;
        const f = try self.exportAt(index);
        if (f.kind != wt.extern_func) {
            setError("export #{d} is not a function", .{index});
            return error.WrongKind;
        }
        const r = try onGuest(&root.guest, root.module.engine.wasm_stack, wt.wasmtime_func_call_unchecked, .{ root.ctx, &f.of, args.ptr, args.len });
        const trap = r.trap;
        const err = r.err;
        root.publishMemory();
        if (trap != null or err != null) root.spoiled = true;
        if (err) |e| {
            takeWasmtimeError("call", e);
            return error.CallFailed;
        }
        if (trap) |t| {
            takeTrap(t);
            return error.Trapped;
        }
    }

    pub fn globalGet(self: *Instance, index: u32) HostError!i64 {
        const g = try self.exportAt(index);
        if (g.kind != wt.extern_global) return error.WrongKind;
        var v: wt.Val = .{};
        wt.wasmtime_global_get(self.root.ctx, &g.of, &v);
        return switch (v.kind) {
            wt.val_i32 => v.of.i32,
            wt.val_i64 => v.of.i64,
            else => error.WrongKind,
        };
    }

    pub fn globalSet(self: *Instance, index: u32, value: i64) HostError!void {
        const g = try self.exportAt(index);
        if (g.kind != wt.extern_global) return error.WrongKind;
        var cur: wt.Val = .{};
        wt.wasmtime_global_get(self.root.ctx, &g.of, &cur);
        var v: wt.Val = .{ .kind = cur.kind };
        switch (cur.kind) {
            wt.val_i32 => v.of.i32 = @truncate(value),
            wt.val_i64 => v.of.i64 = value,
            else => return error.WrongKind,
        }
        if (wt.wasmtime_global_set(self.root.ctx, &g.of, &v)) |err| {
            takeWasmtimeError("global", err);
            return error.CallFailed;
        }
    }

    /// Grow an exported table by `delta` null entries; returns the previous size.
    pub fn tableGrow(self: *Instance, index: u32, delta: u32) HostError!u32 {
        const t = try self.exportAt(index);
        if (t.kind != wt.extern_table) return error.WrongKind;
        if (delta != 0) self.root.spoiled = true;
        var init: wt.Val = .{ .kind = wt.val_funcref };
        var prev: u64 = 0;
        if (wt.wasmtime_table_grow(self.root.ctx, &t.of, delta, &init, &prev)) |err| {
            takeWasmtimeError("table", err);
            return error.CallFailed;
        }
        return @intCast(prev);
    }

    /// Store function export `func_index` of `from` at `slot` of table export `table_index`.
    /// `keep`: part of linking a side module link() keeps, in the slots kept for it (a recycled
    /// instance's table holds them still, as linking it again would put them back); any other
    /// change of the table makes the instance one not to recycle.
    pub fn tableSetFunc(self: *Instance, table_index: u32, slot: u32, from: *Instance, func_index: u32, keep: bool) HostError!void {
        const t = try self.exportAt(table_index);
        const f = try from.exportAt(func_index);
        if (t.kind != wt.extern_table or f.kind != wt.extern_func) return error.WrongKind;
        if (!keep) self.root.spoiled = true;
        var v: wt.Val = .{ .kind = wt.val_funcref };
        @memcpy(v.of.bytes[0..16], f.of[0..16]);
        if (wt.wasmtime_table_set(self.root.ctx, &t.of, slot, &v)) |err| {
            takeWasmtimeError("table", err);
            return error.CallFailed;
        }
    }

    /// Set how far this store's memory may grow (< 0: no limit). A run's workers share its cap: the host
    /// lowers it, before an instance runs, to what the others leave.
    pub fn setMaxMemory(self: *Instance, max_memory: i64) void {
        wt.wasmtime_store_limiter(self.root.store, max_memory, -1, -1, -1, -1);
    }

    /// Restart the epoch deadline `deadline_ms` from now (an instance made ahead starts its clock when taken).
    /// Never early: the tick under way may end at once, so one more than the ms need (up to two ticks late).
    pub fn setDeadline(self: *Instance, deadline_ms: u64) void {
        if (!self.module.engine.flags.epoch) return;
        const ticks = std.math.divCeil(u64, deadline_ms, epoch_ms) catch unreachable;
        wt.wasmtime_context_set_epoch_deadline(self.ctx, if (deadline_ms == 0) std.math.maxInt(u64) / 2 else ticks + 1);
    }

    pub fn publishMemory(self: *Instance) void {
        if (!self.has_memory) return;
        self.state.ptr = @intFromPtr(wt.wasmtime_memory_data(self.ctx, &self.memory.of));
        self.state.len = wt.wasmtime_memory_data_size(self.ctx, &self.memory.of);
    }

    /// Free a root instance: its store, every side instance in it.
    pub fn destroy(self: *Instance) void {
        std.debug.assert(self.root == self);
        for (self.side.items) |s| {
            s.slots.deinit(allocator);
            allocator.free(s.kept_spec);
            allocator.destroy(s);
        }
        self.side.deinit(allocator);
        wt.wasmtime_store_delete(self.store);
        self.slots.deinit(allocator);
        allocator.destroy(self);
    }
};
