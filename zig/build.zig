//! Builds libedgebox_host, the native host library that `edgebox` loads
//! through bun:ffi. Wasmtime's C library comes from the PyPI wheel; the
//! caller (internal/assets/toolchain.ts) passes its directory.
//!
//!   zig build -Dwasmtime-lib=<dir with libwasmtime.so> [-Dtarget=...] [--prefix out]

const std = @import("std");

pub fn build(b: *std.Build) void {
    const target = b.standardTargetOptions(.{});
    const optimize = b.standardOptimizeOption(.{ .preferred_optimize_mode = .ReleaseFast });
    const wasmtime_lib = b.option([]const u8, "wasmtime-lib", "Directory holding Wasmtime's C library (libwasmtime.so / .dylib)") orelse
        @panic("-Dwasmtime-lib=<dir> is required");

    b.installArtifact(hostLibrary(b, target, optimize, wasmtime_lib));
}

fn hostLibrary(b: *std.Build, target: std.Build.ResolvedTarget, optimize: std.builtin.OptimizeMode, wasmtime_lib: []const u8) *std.Build.Step.Compile {
    const module = b.createModule(.{
        .root_source_file = b.path("src/exports.zig"),
        .target = target,
        .optimize = optimize,
        .link_libc = true,
        .strip = optimize != .Debug,
    });
    module.addLibraryPath(.{ .cwd_relative = wasmtime_lib });
    module.linkSystemLibrary("wasmtime", .{});
    // Find libwasmtime next to ourselves once both are extracted to the cache.
    module.addRPathSpecial(if (target.result.os.tag == .macos) "@loader_path" else "$ORIGIN");
    const lib = b.addLibrary(.{ .linkage = .dynamic, .name = "edgebox_host", .root_module = module });
    lib.each_lib_rpath = false; // no build-machine paths in the shipped library
    return lib;
}
