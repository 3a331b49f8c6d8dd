//! The part of Wasmtime's C API the host uses, declared by hand (no headers
//! are copied into this repository). The library itself comes from the PyPI
//! `wasmtime` wheel, pinned in internal/assets/toolchain.ts.
//!
//! Structs whose layout Wasmtime keeps private (externs, values) are sized
//! generously and only round-tripped: the host never reads their private fields.

pub const Engine = opaque {};
pub const Config = opaque {};
pub const Store = opaque {};
pub const Context = opaque {};
pub const Module = opaque {};
pub const Linker = opaque {};
pub const InstancePre = opaque {};
pub const Error = opaque {};
pub const Trap = opaque {};
pub const Caller = opaque {};
pub const FuncType = opaque {};
pub const ValType = opaque {};
pub const GlobalType = opaque {};
pub const ExternType = opaque {};
pub const ImportType = opaque {};
pub const ExportType = opaque {};
pub const PoolingConfig = opaque {};

pub const ByteVec = extern struct {
    size: usize = 0,
    data: ?[*]u8 = null,
};

pub const ValTypeVec = extern struct {
    size: usize,
    data: [*]const *const ValType,
};

pub const ImportTypeVec = extern struct {
    size: usize = 0,
    data: ?[*]*ImportType = null,
};

pub const ExportTypeVec = extern struct {
    size: usize = 0,
    data: ?[*]*ExportType = null,
};

/// wasmtime_instance_t
pub const Instance = extern struct {
    store_id: u64 = 0,
    private: usize = 0,
};

/// wasmtime_extern_t: a kind byte, then a union aligned to 8 (at most 24
/// bytes in Wasmtime 50; 40 reserved).
pub const Extern = extern struct {
    kind: u8 = 0,
    of: [40]u8 align(8) = [_]u8{0} ** 40,
};

/// wasmtime_extern_t exactly as C lays it out (a kind byte, then a 24-byte union), for
/// arrays of them: `Extern` above is padded for safety and so has another stride.
pub const PackedExtern = extern struct {
    kind: u8 = 0,
    of: [24]u8 align(8) = [_]u8{0} ** 24,

    pub fn from(e: Extern) PackedExtern {
        return .{ .kind = e.kind, .of = e.of[0..24].* };
    }
};

pub const extern_func: u8 = 0;
pub const extern_global: u8 = 1;
pub const extern_table: u8 = 2;
pub const extern_memory: u8 = 3;

/// wasmtime_val_t: a kind byte, then a union aligned to 8 (24 bytes with GC refs).
pub const Val = extern struct {
    kind: u8 = 0,
    of: extern union {
        i32: i32,
        i64: i64,
        f32: f32,
        f64: f64,
        bytes: [24]u8,
    } = .{ .bytes = [_]u8{0} ** 24 },
};

pub const val_i32: u8 = 0;
pub const val_i64: u8 = 1;
pub const val_f32: u8 = 2;
pub const val_f64: u8 = 3;
pub const val_funcref: u8 = 5;

/// wasm_valkind_t values (the standard C API's numbering).
pub const kind_i32: u8 = 0;
pub const kind_i64: u8 = 1;
pub const kind_f32: u8 = 2;
pub const kind_f64: u8 = 3;

/// wasmtime_val_raw_t: 16 bytes, what unchecked calls read and write.
pub const ValRaw = extern struct {
    bits: [16]u8 align(8),
};

pub const UncheckedCallback = *const fn (env: ?*anyopaque, caller: *Caller, args_and_results: [*]ValRaw, n: usize) callconv(.c) ?*Trap;

pub const opt_level_none: u8 = 0;
pub const opt_level_speed: u8 = 1;

/// Wasmtime's trap codes (wasmtime/trap.h, 50.0.1); `none` when a trap has no code (a host function's).
pub const TrapCode = enum(u8) {
    stack_overflow = 0,
    memory_out_of_bounds = 1,
    heap_misaligned = 2,
    table_out_of_bounds = 3,
    indirect_call_to_null = 4,
    bad_signature = 5,
    integer_overflow = 6,
    integer_division_by_zero = 7,
    bad_conversion_to_integer = 8,
    unreachable_code_reached = 9,
    interrupt = 10,
    out_of_fuel = 11,
    none = 255,
    _,
};

// ---- engine and configuration ----
pub extern fn wasm_config_new() ?*Config;
pub extern fn wasm_engine_new_with_config(config: *Config) ?*Engine;
pub extern fn wasm_engine_delete(engine: *Engine) void;
pub extern fn wasmtime_engine_increment_epoch(engine: *const Engine) void;
pub extern fn wasmtime_config_cranelift_opt_level_set(config: *Config, level: u8) void;
pub extern fn wasmtime_config_consume_fuel_set(config: *Config, on: bool) void;
pub extern fn wasmtime_config_epoch_interruption_set(config: *Config, on: bool) void;
/// wasmtime_profiling_strategy_t's WASMTIME_PROFILING_STRATEGY_PERFMAP.
pub const profiling_perfmap: u8 = 3;
pub extern fn wasmtime_config_profiler_set(config: *Config, strategy: u8) void;
pub extern fn wasmtime_config_memory_init_cow_set(config: *Config, on: bool) void;
pub extern fn wasmtime_config_host_memory_creator_set(config: *Config, creator: *const MemoryCreator) void;

pub const MemoryType = opaque {};

/// wasmtime_linear_memory_t: a memory the host made for an instance.
pub const LinearMemory = extern struct {
    env: ?*anyopaque,
    get_memory: *const fn (env: ?*anyopaque, byte_size: *usize, maximum_byte_size: *usize) callconv(.c) [*]u8,
    grow_memory: *const fn (env: ?*anyopaque, new_size: usize) callconv(.c) ?*Error,
    finalizer: ?*const fn (env: ?*anyopaque) callconv(.c) void,
};

/// wasmtime_memory_creator_t (copied by the config).
pub const MemoryCreator = extern struct {
    env: ?*anyopaque,
    new_memory: *const fn (env: ?*anyopaque, ty: *const MemoryType, minimum: usize, maximum: usize, reserved_size_in_bytes: usize, guard_size_in_bytes: usize, ret: *LinearMemory) callconv(.c) ?*Error,
    finalizer: ?*const fn (env: ?*anyopaque) callconv(.c) void,
};
pub extern fn wasmtime_config_parallel_compilation_set(config: *Config, on: bool) void;
pub extern fn wasmtime_config_max_wasm_stack_set(config: *Config, size: usize) void;
pub extern fn wasmtime_config_async_stack_size_set(config: *Config, size: usize) void;
pub extern fn wasmtime_pooling_allocation_config_new() ?*PoolingConfig;
pub extern fn wasmtime_pooling_allocation_config_delete(config: *PoolingConfig) void;
pub extern fn wasmtime_pooling_allocation_config_total_core_instances_set(config: *PoolingConfig, n: u32) void;
pub extern fn wasmtime_pooling_allocation_config_total_memories_set(config: *PoolingConfig, n: u32) void;
pub extern fn wasmtime_pooling_allocation_config_total_tables_set(config: *PoolingConfig, n: u32) void;
pub extern fn wasmtime_pooling_allocation_config_max_memory_size_set(config: *PoolingConfig, bytes: usize) void;
pub extern fn wasmtime_pooling_allocation_config_max_memories_per_module_set(config: *PoolingConfig, n: u32) void;
pub extern fn wasmtime_pooling_allocation_config_max_tables_per_module_set(config: *PoolingConfig, n: u32) void;
pub extern fn wasmtime_pooling_allocation_config_table_elements_set(config: *PoolingConfig, n: usize) void;
pub extern fn wasmtime_pooling_allocation_config_linear_memory_keep_resident_set(config: *PoolingConfig, n: usize) void;
pub extern fn wasmtime_pooling_allocation_config_table_keep_resident_set(config: *PoolingConfig, n: usize) void;
pub extern fn wasmtime_pooling_allocation_strategy_set(config: *Config, pooling: *const PoolingConfig) void;

// ---- stores ----
pub extern fn wasmtime_store_new(engine: *Engine, data: ?*anyopaque, finalizer: ?*const fn (?*anyopaque) callconv(.c) void) ?*Store;
pub extern fn wasmtime_store_context(store: *Store) *Context;
pub extern fn wasmtime_store_delete(store: *Store) void;
pub extern fn wasmtime_store_limiter(store: *Store, memory_size: i64, table_elements: i64, instances: i64, tables: i64, memories: i64) void;
pub extern fn wasmtime_context_get_data(ctx: *const Context) ?*anyopaque;
pub extern fn wasmtime_context_set_fuel(ctx: *Context, fuel: u64) ?*Error;
pub extern fn wasmtime_context_set_epoch_deadline(ctx: *Context, ticks_beyond_current: u64) void;

// ---- modules ----
pub extern fn wasmtime_module_new(engine: *Engine, wasm: [*]const u8, len: usize, ret: *?*Module) ?*Error;
pub extern fn wasmtime_module_delete(module: *Module) void;
pub extern fn wasmtime_module_serialize(module: *const Module, ret: *ByteVec) ?*Error;
pub extern fn wasmtime_module_deserialize(engine: *Engine, bytes: [*]const u8, len: usize, ret: *?*Module) ?*Error;
pub extern fn wasmtime_module_deserialize_file(engine: *Engine, path: [*:0]const u8, ret: *?*Module) ?*Error;
pub extern fn wasmtime_module_imports(module: *const Module, out: *ImportTypeVec) void;
pub extern fn wasmtime_module_exports(module: *const Module, out: *ExportTypeVec) void;

// ---- types ----
pub extern fn wasm_importtype_vec_delete(v: *ImportTypeVec) void;
pub extern fn wasm_exporttype_vec_delete(v: *ExportTypeVec) void;
pub extern fn wasm_importtype_module(t: *const ImportType) *const ByteVec;
pub extern fn wasm_importtype_name(t: *const ImportType) *const ByteVec;
pub extern fn wasm_importtype_type(t: *const ImportType) *const ExternType;
pub extern fn wasm_exporttype_name(t: *const ExportType) *const ByteVec;
pub extern fn wasm_exporttype_type(t: *const ExportType) *const ExternType;
pub extern fn wasm_externtype_kind(t: *const ExternType) u8;
pub extern fn wasm_externtype_as_functype_const(t: *const ExternType) ?*const FuncType;
pub extern fn wasm_functype_params(t: *const FuncType) *const ValTypeVec;
pub extern fn wasm_functype_results(t: *const FuncType) *const ValTypeVec;
pub extern fn wasm_valtype_kind(t: *const ValType) u8;
pub extern fn wasmtime_func_type(ctx: *const Context, func: *const anyopaque) *FuncType;
pub extern fn wasm_functype_delete(t: *FuncType) void;
pub extern fn wasm_valtype_new(kind: u8) *ValType;
pub extern fn wasm_globaltype_new(content: *ValType, mutability: u8) ?*GlobalType;
pub extern fn wasm_globaltype_delete(t: *GlobalType) void;

// ---- linking and instances ----
pub extern fn wasmtime_linker_new(engine: *Engine) ?*Linker;
pub extern fn wasmtime_linker_delete(linker: *Linker) void;
pub extern fn wasmtime_linker_define(linker: *Linker, ctx: *Context, module: [*]const u8, module_len: usize, name: [*]const u8, name_len: usize, item: *const Extern) ?*Error;
pub extern fn wasmtime_linker_define_func_unchecked(linker: *Linker, module: [*]const u8, module_len: usize, name: [*]const u8, name_len: usize, ty: *const FuncType, cb: UncheckedCallback, data: ?*anyopaque, finalizer: ?*const fn (?*anyopaque) callconv(.c) void) ?*Error;
pub extern fn wasmtime_linker_instantiate(linker: *const Linker, ctx: *Context, module: *const Module, instance: *Instance, trap: *?*Trap) ?*Error;
pub extern fn wasmtime_linker_instantiate_pre(linker: *const Linker, module: *const Module, pre: *?*InstancePre) ?*Error;
pub extern fn wasmtime_instance_pre_instantiate(pre: *const InstancePre, ctx: *Context, instance: *Instance, trap: *?*Trap) ?*Error;
pub extern fn wasmtime_instance_pre_delete(pre: *InstancePre) void;
pub extern fn wasmtime_instance_export_nth(ctx: *Context, instance: *const Instance, index: usize, name: *[*]const u8, name_len: *usize, item: *Extern) bool;
pub extern fn wasmtime_instance_export_get(ctx: *Context, instance: *const Instance, name: [*]const u8, name_len: usize, item: *Extern) bool;
pub extern fn wasmtime_caller_context(caller: *Caller) *Context;

// ---- calls, memory, globals, tables ----
pub extern fn wasmtime_func_call_unchecked(ctx: *Context, func: *const anyopaque, args_and_results: [*]ValRaw, len: usize, trap: *?*Trap) ?*Error;
pub extern fn wasmtime_memory_data(ctx: *const Context, memory: *const anyopaque) [*]u8;
pub extern fn wasmtime_memory_data_size(ctx: *const Context, memory: *const anyopaque) usize;
pub extern fn wasmtime_instance_new(ctx: *Context, module: *const Module, imports: [*]const PackedExtern, n: usize, instance: *Instance, trap: *?*Trap) ?*Error;
pub extern fn wasmtime_func_new_unchecked(ctx: *Context, ty: *const FuncType, cb: UncheckedCallback, data: ?*anyopaque, finalizer: ?*const fn (?*anyopaque) callconv(.c) void, ret: *anyopaque) void;
pub extern fn wasmtime_global_new(ctx: *Context, ty: *const GlobalType, val: *const Val, ret: *anyopaque) ?*Error;
pub extern fn wasmtime_global_get(ctx: *Context, global: *const anyopaque, out: *Val) void;
pub extern fn wasmtime_global_set(ctx: *Context, global: *const anyopaque, val: *const Val) ?*Error;
pub extern fn wasmtime_table_size(ctx: *const Context, table: *const anyopaque) u64;
pub extern fn wasmtime_table_grow(ctx: *Context, table: *const anyopaque, delta: u64, init: *const Val, prev_size: *u64) ?*Error;
pub extern fn wasmtime_table_set(ctx: *Context, table: *const anyopaque, index: u64, val: *const Val) ?*Error;
pub extern fn wasmtime_table_get(ctx: *Context, table: *const anyopaque, index: u64, val: *Val) bool;

// ---- errors and traps ----
pub extern fn wasmtime_error_message(err: *const Error, message: *ByteVec) void;
pub extern fn wasmtime_error_new(msg: [*:0]const u8) *Error;
pub extern fn wasmtime_error_delete(err: *Error) void;
pub extern fn wasm_trap_message(trap: *const Trap, message: *ByteVec) void;
pub extern fn wasm_trap_delete(trap: *Trap) void;
pub extern fn wasmtime_trap_code(trap: *const Trap, code: *u8) bool;
pub extern fn wasmtime_trap_new(msg: [*]const u8, len: usize) *Trap;
pub extern fn wasm_byte_vec_delete(v: *ByteVec) void;
