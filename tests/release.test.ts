// Distribution: a release for this machine's target, served from 127.0.0.1,
// installed by install.sh into a temporary HOME, then used; tampering, an
// unsupported platform and a re-install; the Homebrew formula's checksums.

import { afterAll, beforeAll, describe, expect, setDefaultTimeout, test } from "bun:test";
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pkg from "../package.json" with { type: "json" };

const root = join(import.meta.dir, "..");
const target = `${process.platform}-${process.arch}`;
const version = pkg.version;
// (every temp dir goes at the end: an install home holds the extracted ~280 MB)
const made: string[] = [];
function tempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  made.push(dir);
  return dir;
}
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })));
const out = tempDir("edgebox-release-");
const archiveName = `edgebox-${version}-${target}.tar.gz`;
let base = "";
let tamper = false;
let server: ReturnType<typeof Bun.serve>;

beforeAll(() => {
  const p = Bun.spawnSync(["node", join(root, "internal", "assets", "make.mjs"), "--release", target], {
    cwd: root,
    env: { ...process.env, EDGEBOX_RELEASE_OUT: out, EDGEBOX_RELEASE_BASE: "https://example.test/releases" },
    stdout: "pipe",
    stderr: "pipe",
  });
  if (p.exitCode !== 0) throw new Error(`npm run release failed:\n${p.stderr.toString()}`);
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const path = join(out, decodeURIComponent(new URL(req.url).pathname));
      if (!path.startsWith(out) || !existsSync(path)) return new Response("not found", { status: 404 });
      const bytes = new Uint8Array(readFileSync(path));
      if (tamper && path.endsWith(".tar.gz")) bytes[bytes.length >> 1]! ^= 0xff;
      return new Response(bytes);
    },
  });
  base = `http://127.0.0.1:${server.port}`;
}, 600_000);
afterAll(() => server?.stop(true));
// Each install downloads and unpacks a ~60 MiB archive.
setDefaultTimeout(60_000);

// Asynchronous: the release server runs in this process, so a synchronous
// spawn would block the very server the child downloads from.
async function spawn(cmd: string[], env: Record<string, string>) {
  const p = Bun.spawn(cmd, { env, stdout: "pipe", stderr: "pipe" });
  const [stdout, stderr, code] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
  return { code, stdout, stderr };
}

function install(home: string, args: string[] = [], env: Record<string, string> = {}) {
  return spawn([Bun.which("sh") ?? "/bin/sh", join(out, "install.sh"), ...args], { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: home, EDGEBOX_INSTALL_BASE: base, ...env });
}

describe("release and install.sh", () => {
  test("the release: an archive per built target, SHA256SUMS, latest, install.sh", () => {
    const dir = join(out, `v${version}`);
    // linux-x64 releases carry the OCI image too (its archive and its manifest's digest)
    const oci = target === "linux-x64" ? [`edgebox-${version}-linux-x64-oci.tar`] : [];
    const files = readdirSync(dir).sort();
    expect(files).toEqual([archiveName, "SHA256SUMS", "edgebox.schema.json", ...oci, ...oci.map((f) => f.replace(/\.tar$/, ".digest"))].sort());
    expect(readFileSync(join(out, "latest"), "utf8")).toBe(`${version}\n`);
    const sum = (f: string) => new Bun.CryptoHasher("sha256").update(readFileSync(join(dir, f))).digest("hex");
    expect(readFileSync(join(dir, "SHA256SUMS"), "utf8")).toBe([archiveName, ...oci].map((f) => `${sum(f)}  ${f}\n`).join(""));
    for (const f of oci) {
      const digest = readFileSync(join(dir, f.replace(/\.tar$/, ".digest")), "utf8").trim();
      expect(Bun.spawnSync(["tar", "-xOf", join(dir, f), "index.json"]).stdout.toString()).toContain(digest);
    }
  });

  test("installs into $HOME/.edgebox/bin, and the installed edgebox runs a script from elsewhere", async () => {
    const home = tempDir("edgebox-home-");
    const r = await install(home);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`installed edgebox ${version} to ${home}/.edgebox/bin/edgebox`);
    expect(r.stderr).toContain("add it to your PATH");
    const work = tempDir("edgebox-elsewhere-");
    writeFileSync(join(work, "hello.js"), `console.log("hello from the installed edgebox", process.argv.length);\n`);
    const run = Bun.spawnSync([join(home, ".edgebox", "bin", "edgebox"), "run", join(work, "hello.js")], { cwd: tmpdir(), env: { HOME: home, PATH: "/usr/bin:/bin" } });
    expect(run.stdout.toString()).toBe("hello from the installed edgebox 2\n");
    const v = Bun.spawnSync([join(home, ".edgebox", "bin", "edgebox"), "version"], { env: { HOME: home } }).stdout.toString();
    expect(v).toContain(`edgebox ${version}`);
    expect(v).toContain(`target ${target}`);
    expect(v).toMatch(/quickjs-ng \d+\.\d+/);
    expect(v).toMatch(/wasmtime \d+\.\d+/);
  });

  test.skipIf(!Bun.which("bwrap"))("the installed edgebox needs nothing of the build machine: run where only the system, its HOME and the app exist, it uses the native engine", async () => {
    const home = tempDir("edgebox-home-");
    expect((await install(home)).code).toBe(0);
    const work = tempDir("edgebox-elsewhere-");
    writeFileSync(join(work, "hello.js"), `console.log("hello from a bare machine");\n`);
    const bind = (p: string) => ["--ro-bind-try", p, p];
    const argv = [
      Bun.which("bwrap")!, "--die-with-parent", "--unshare-pid",
      ...["/usr", "/bin", "/sbin", "/lib", "/lib64", "/etc"].flatMap(bind),
      "--proc", "/proc", "--dev", "/dev", "--tmpfs", "/tmp",
      "--bind", home, home, "--ro-bind", work, work,
      "--chdir", work, "--setenv", "HOME", home,
      join(home, ".edgebox", "bin", "edgebox"), "run", "hello.js",
    ];
    const r = await spawn(argv, { PATH: "/usr/bin:/bin" });
    expect(r.stderr).toBe(""); // no "the native engine is unavailable" warning
    expect(r.stdout).toBe("hello from a bare machine\n");
  });

  test("--version picks the version; re-running upgrades in place; edgebox upgrade re-runs the installer", async () => {
    const home = tempDir("edgebox-home-");
    expect((await install(home, ["--version", version])).code).toBe(0);
    const bin = join(home, ".edgebox", "bin", "edgebox");
    writeFileSync(join(home, "marker"), "");
    expect((await install(home, ["--version", `v${version}`])).code).toBe(0);
    expect(readdirSync(join(home, ".edgebox", "bin"))).toEqual(["edgebox"]); // no temporary file left
    const up = await spawn([bin, "upgrade", "--version", version], { HOME: home, PATH: process.env.PATH ?? "/usr/bin:/bin", EDGEBOX_INSTALL_BASE: base });
    expect(up.code).toBe(0);
    expect(up.stderr).toContain(`installed edgebox ${version} to ${home}/.edgebox/bin/edgebox`);
    expect(Bun.spawnSync([bin, "version"]).stdout.toString()).toContain(`edgebox ${version}`);
    // A Homebrew install is Homebrew's to upgrade.
    const cellar = join(home, "Cellar", "edgebox", version, "bin");
    mkdirSync(cellar, { recursive: true });
    copyFileSync(bin, join(cellar, "edgebox"));
    const brew = await spawn([join(cellar, "edgebox"), "upgrade"], { HOME: home, EDGEBOX_INSTALL_BASE: base });
    expect(brew.code).toBe(2);
    expect(brew.stderr).toContain("installed by Homebrew");
    expect(brew.stderr).toContain("brew upgrade edgebox");
  });

  test("a tampered archive: checksum error, nothing installed, a previous install untouched", async () => {
    const fresh = tempDir("edgebox-home-");
    const kept = tempDir("edgebox-home-");
    expect((await install(kept)).code).toBe(0);
    const before = readFileSync(join(kept, ".edgebox", "bin", "edgebox"));
    tamper = true;
    try {
      const r = await install(fresh);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`checksum mismatch for ${archiveName}`);
      expect(r.stderr).toContain("nothing was installed");
      expect(existsSync(join(fresh, ".edgebox"))).toBe(false);
      expect((await install(kept)).code).toBe(1);
      expect(readFileSync(join(kept, ".edgebox", "bin", "edgebox")).equals(before)).toBe(true);
    } finally {
      tamper = false;
    }
  });

  test("an unsupported platform, no downloader, a missing version: clear errors", async () => {
    const home = tempDir("edgebox-home-");
    const fake = join(home, "fakebin");
    mkdirSync(fake);
    writeFileSync(join(fake, "uname"), `#!/bin/sh\nif [ "$1" = "-s" ]; then echo SunOS; else echo sparc64; fi\n`);
    chmodSync(join(fake, "uname"), 0o755);
    const r = await install(home, [], { PATH: `${fake}:${process.env.PATH}` });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("unsupported platform: SunOS sparc64");
    // a PATH with the shell's basic tools but neither curl nor wget
    const bare = join(home, "bare");
    mkdirSync(bare);
    for (const tool of ["uname", "mktemp", "rm", "tr", "cut", "grep"]) {
      const found = Bun.which(tool);
      if (found) writeFileSync(join(bare, tool), `#!/bin/sh\nexec ${found} "$@"\n`), chmodSync(join(bare, tool), 0o755);
    }
    const noDl = await install(home, [], { PATH: bare });
    expect(noDl.code).toBe(1);
    expect(noDl.stderr).toContain("neither curl nor wget is installed");
    const missing = await install(home, ["--version", "9.9.9"]);
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("download failed");
    expect(existsSync(join(home, ".edgebox"))).toBe(false);
  });
});

describe("the Homebrew formula", () => {
  test("names each built archive with its checksum, and ruby accepts it", () => {
    const rb = readFileSync(join(out, "edgebox.rb"), "utf8");
    const sums = readFileSync(join(out, `v${version}`, "SHA256SUMS"), "utf8");
    expect(rb).toContain(`url "https://example.test/releases/v${version}/${archiveName}"`);
    expect(rb).toContain(`sha256 "${sums.split(" ")[0]}"`);
    expect(rb).toContain(`version "${version}"`);
    expect(rb).toContain("edgebox run");
    const ruby = Bun.which("ruby");
    if (!ruby) throw new Error("ruby is needed to check the formula (Debian: apt-get install ruby)");
    const check = Bun.spawnSync([ruby, "-c", join(out, "edgebox.rb")], { stdout: "pipe", stderr: "pipe" });
    expect(check.stdout.toString()).toContain("Syntax OK");
  });

  test("the committed Formula/edgebox.rb covers the four targets", () => {
    const rb = readFileSync(join(root, "Formula", "edgebox.rb"), "utf8");
    for (const t of ["darwin-arm64", "darwin-x64", "linux-arm64", "linux-x64"]) expect(rb).toMatch(new RegExp(`edgebox-${version}-${t}\\.tar\\.gz"\\n\\s+sha256 "[0-9a-f]{64}"`));
    const check = Bun.spawnSync([Bun.which("ruby") ?? "ruby", "-c", join(root, "Formula", "edgebox.rb")], { stdout: "pipe" });
    expect(check.stdout.toString()).toContain("Syntax OK");
  });
});
