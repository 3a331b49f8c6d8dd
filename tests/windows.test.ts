// Windows x64: the release archive cross-built here (Bun's windows target,
// the host library cross-compiled by Zig as a DLL against the Wasmtime wheel
// for Windows), checked statically (every DLL a shipped file imports is
// shipped beside it or part of Windows), and run under Wine when Debian's
// wine64 is installed.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { peImports } from "../internal/assets/pe.ts";

const root = join(import.meta.dir, "..");
const version = pkg.version;
const name = `edgebox-${version}-windows-x64`;
const out = mkdtempSync(join(tmpdir(), "edgebox-winrel-"));
const unpacked = join(out, "unpacked");
afterAll(() => rmSync(out, { recursive: true, force: true }));

/** DLLs every Windows 10+ has (and Wine provides): what a shipped file may import besides wasmtime.dll. */
function isSystemDll(dll: string): boolean {
  return /^api-ms-win-[a-z0-9-]+\.dll$/i.test(dll) || SYSTEM.has(dll.toLowerCase());
}
const SYSTEM = new Set(
  ["kernel32", "ntdll", "advapi32", "bcrypt", "bcryptprimitives", "crypt32", "dbghelp", "iphlpapi", "ole32", "oleaut32", "shell32", "user32", "userenv", "ws2_32", "wsock32"].map(
    (d) => `${d}.dll`,
  ),
);

beforeAll(() => {
  const p = Bun.spawnSync(["node", join(root, "internal", "assets", "make.mjs"), "--release", "windows-x64"], {
    cwd: root,
    env: { ...process.env, EDGEBOX_RELEASE_OUT: out },
    stdout: "pipe",
    stderr: "pipe",
  });
  if (p.exitCode !== 0) throw new Error(`npm run release windows-x64 failed:\n${p.stderr.toString()}`);
  const u = Bun.spawnSync(["python3", "-m", "zipfile", "-e", join(out, `v${version}`, `${name}.zip`), unpacked]);
  if (u.exitCode !== 0) throw new Error(`unzip failed: ${u.stderr.toString()}`);
}, 600_000);

describe("the Windows release", () => {
  test("a zip with edgebox.exe, its checksum in SHA256SUMS, install.ps1 beside install.sh", () => {
    const zip = readFileSync(join(out, `v${version}`, `${name}.zip`));
    const sum = new Bun.CryptoHasher("sha256").update(zip).digest("hex");
    expect(readFileSync(join(out, `v${version}`, "SHA256SUMS"), "utf8")).toContain(`${sum}  ${name}.zip\n`);
    for (const f of ["edgebox.exe", "README.md", "LICENSE"]) expect(existsSync(join(unpacked, name, f))).toBe(true);
    const ps1 = readFileSync(join(out, "install.ps1"), "utf8");
    expect(ps1).toContain("Get-FileHash -Algorithm SHA256");
    expect(ps1).toContain(`windows-x64`);
    expect(existsSync(join(out, "install.sh"))).toBe(true);
  });

  test("every DLL a shipped file imports is shipped or part of Windows; edgebox.exe carries the host DLL", () => {
    const hostDll = readFileSync(join(root, "dist", "zig-out-windows-x64", "bin", "edgebox_host.dll"));
    const hostImports = peImports(hostDll);
    expect(hostImports).toContain("wasmtime.dll");
    expect(hostImports.filter((d) => d !== "wasmtime.dll" && !isSystemDll(d))).toEqual([]);
    const wasmtime = readFileSync(join(root, ".cache", "toolchain", `wasmtime-${JSON.parse(readFileSync(join(root, "internal", "assets", "toolchain.json"), "utf8")).wasmtime}`, "windows-x64", "wasmtime.dll"));
    expect(peImports(wasmtime).filter((d) => !isSystemDll(d))).toEqual([]);
    const exe = readFileSync(join(unpacked, name, "edgebox.exe"));
    expect(peImports(exe).filter((d) => !isSystemDll(d))).toEqual([]);
    // the host DLL and Wasmtime's travel inside the executable (extracted to the cache on first use)
    expect(exe.indexOf(hostDll)).toBeGreaterThan(0);
    expect(exe.indexOf(wasmtime.subarray(0, 1 << 16))).toBeGreaterThan(0);
  });
});

// Wine 8 (Debian 12) lacks bcryptprimitives.dll, which Bun imports for ProcessPrng: the test
// gives it one (RtlGenRandom underneath) beside the executable. Newer Wine and Windows have it.
const SHIM = `extern "advapi32" fn SystemFunction036(buf: [*]u8, len: u32) callconv(.winapi) u8;
export fn ProcessPrng(data: [*]u8, len: usize) callconv(.winapi) c_int {
    var off: usize = 0;
    while (off < len) {
        const n: u32 = @intCast(@min(len - off, 1 << 30));
        if (SystemFunction036(data + off, n) == 0) return 0;
        off += n;
    }
    return 1;
}
`;
const wine = ["/usr/lib/wine/wine64", Bun.which("wine64")].find((w) => w && existsSync(w));
// (npm test installs wine64: under CI its absence is a failure, not a skip)
if (!wine && process.env.CI === "true") test("Wine runs the Windows build", () => expect(wine).toBeDefined());

describe.skipIf(!wine)("edgebox.exe under Wine", () => {
  const prefix = join(out, "wineprefix");
  const app = join(out, "app");
  const exe = join(unpacked, name, "edgebox.exe");

  function winRun(args: string[]) {
    const p = Bun.spawnSync([wine!, exe, ...args], {
      cwd: app,
      env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: out, WINEPREFIX: prefix, WINEDEBUG: "-all", DISPLAY: "" },
      stdout: "pipe",
      stderr: "pipe",
      timeout: 240_000,
    });
    return { code: p.exitCode, stdout: p.stdout.toString(), stderr: p.stderr.toString() };
  }

  beforeAll(() => {
    const zig = join(root, ".cache", "toolchain", `ziglang-${JSON.parse(readFileSync(join(root, "internal", "assets", "toolchain.json"), "utf8")).ziglang}`, "ziglang", "zig");
    writeFileSync(join(out, "shim.zig"), SHIM);
    const z = Bun.spawnSync([zig, "build-lib", "-dynamic", "-target", "x86_64-windows-gnu", "-O", "ReleaseSmall", join(out, "shim.zig"), `-femit-bin=${join(unpacked, name, "bcryptprimitives.dll")}`], { cwd: out, stderr: "pipe" });
    if (z.exitCode !== 0) throw new Error(`shim: ${z.stderr.toString()}`);
    Bun.spawnSync(["mkdir", "-p", app]);
    writeFileSync(join(app, "hello.js"), `console.log("hello from", process.platform, 6 * 7);\n`);
    writeFileSync(
      join(app, "gaps.js"),
      `for (const [what, f] of [["fs", () => require("fs").readFileSync(__filename)], ["spawn", () => require("child_process").execFileSync("cmd.exe", ["/c", "echo"])]]) {
  try { f(); console.log(what, "ran"); } catch (e) { console.log(what, e.code); }
}
`,
    );
  }, 120_000);

  test("version names the Windows target", () => {
    const r = winRun(["version"]);
    expect(r.stdout).toContain(`edgebox ${version}`);
    expect(r.stdout).toContain("target win32-x64");
  }, 240_000);

  test("run hello.js on the native engine (Wasmtime's DLL through the host DLL)", () => {
    const r = winRun(["run", "--engine", "native", "hello.js"]);
    expect(r.stdout).toBe("hello from win32 42\n");
    expect(r.code).toBe(0);
  }, 240_000);

  test("what is not ported refuses with a named error: the file system and commands", () => {
    const r = winRun(["run", "gaps.js"]);
    expect(r.stdout).toBe("fs ERR_NOT_SUPPORTED_IN_SANDBOX\nspawn ERR_NOT_SUPPORTED_IN_SANDBOX\n");
  }, 240_000);
});
