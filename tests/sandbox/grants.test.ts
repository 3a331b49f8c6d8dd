// Ways an app could widen its own grants: rewrite its policy, plant one where
// the search would find it, point the audit log at a file it may not write,
// disguise a program as an allowed command, or reach the host through /proc
// from a confined child.

import { describe, expect, test } from "bun:test";
import { chownSync, existsSync, lstatSync, readdirSync, readFileSync, realpathSync, symlinkSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { edgebox, edgeboxAsync, noConfinement, securityTest, tempApp } from "../helpers.ts";

/** Command lines of the processes whose arguments name `dir`. */
function processesNaming(dir: string): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((n) => /^\d+$/.test(n))) {
    try {
      const cmd = readFileSync(`/proc/${pid}/cmdline`, "utf8").split("\0").join(" ");
      if (cmd.includes(dir)) found.push(`${pid}: ${cmd.slice(0, 200)}`);
    } catch {
      // (gone meanwhile)
    }
  }
  return found;
}

const secret = join(tempApp({ "secret.txt": "GRANT-SECRET\n" }), "secret.txt");

describe("an app cannot widen its grants", () => {
  test("it cannot write, create, rename to or link a policy file, even where it may write", () => {
    const policy = JSON.stringify({ dirs: [{ path: ".", read: true, write: true }] });
    const dir = tempApp({
      ".edgebox.json": policy,
      "app.js": [
        `const fs = require("fs");`,
        `const wide = JSON.stringify({ dirs: [{ path: "/", read: true, write: true }] });`,
        `for (const [what, f] of [`,
        `  ["overwrite", () => fs.writeFileSync(".edgebox.json", wide)],`,
        `  ["append", () => fs.appendFileSync(".edgebox.json", " ")],`,
        `  ["toml", () => fs.writeFileSync("edgebox.toml", "dirs = []")],`,
        `  ["nested", () => { fs.mkdirSync("sub", { recursive: true }); fs.writeFileSync("sub/.edgebox.json", wide); }],`,
        `  ["rename", () => { fs.writeFileSync("x.json", wide); fs.renameSync("x.json", "sub/.edgebox.json"); }],`,
        `  ["symlink", () => fs.symlinkSync("x.json", "sub/edgebox.toml")],`,
        `]) { try { f(); console.log(what, "done"); } catch (e) { console.log(what, e.code); } }`,
      ].join("\n"),
    });
    const r = edgebox(["run", "app.js"], { cwd: dir });
    expect(r.stdout).toBe(["overwrite EACCES", "append EACCES", "toml EACCES", "nested EACCES", "rename EACCES", "symlink EACCES", ""].join("\n"));
    expect(readFileSync(join(dir, ".edgebox.json"), "utf8")).toBe(policy);
    for (const f of ["edgebox.toml", "sub/.edgebox.json", "sub/edgebox.toml"]) expect(existsSync(join(dir, f))).toBe(false);
  });

  test("a policy's audit log stays in the policy's directory", () => {
    const outside = join(tempApp(), "bashrc");
    const dir = tempApp({ ".edgebox.json": JSON.stringify({ audit: outside }), "app.js": `console.log("ran");` });
    const r = edgebox(["run", "app.js"], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(`"audit": ${outside} is outside the policy's directory`);
    expect(r.stdout).toBe("");
    expect(existsSync(outside)).toBe(false);
  });

  securityTest(process.getuid?.() === 0 ? undefined : "root (to chown a file to another user)")("a policy file another user owns is not used (as root: chown to uid 4321)", () => {
    const parent = tempApp({ ".edgebox.json": JSON.stringify({ dirs: [{ path: dirname(secret), read: true }] }), "app/app.js": `console.log(require("fs").readFileSync(${JSON.stringify(secret)}, "utf8"));` });
    chownSync(join(parent, ".edgebox.json"), 4321, 4321);
    const r = edgebox(["run", "app.js"], { cwd: join(parent, "app") });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("belongs to another user (uid 4321)");
    expect(r.stdout).not.toContain("GRANT-SECRET");
  });
});


describe("commands and confinement", () => {
  test("a link named after an allowed command runs as what it points to: refused", () => {
    const sh = realpathSync(Bun.which("sh")!);
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({ dirs: [{ path: ".", read: true }, { path: "./out", read: true, write: true }, { path: dirname(sh), read: true, execute: true }], commands: { git: ["status"] }, processSandbox: "best-effort" }),
      "out/.keep": "",
      "status": `echo PWNED-THROUGH-A-LINK\n`,
      "app.js": [
        `const fs = require("fs"), cp = require("child_process");`,
        `fs.symlinkSync(${JSON.stringify(sh)}, "out/git");`,
        `try { console.log(cp.execFileSync("./out/git", ["status"]).toString()); } catch (e) { console.log(e.code, e.message); }`,
      ].join("\n"),
    });
    const r = edgebox(["run", "app.js"], { cwd: dir });
    expect(r.stdout).toStartWith("ERR_ACCESS_DENIED");
    expect(r.stdout).toContain(`"commands" lists only git`);
    expect(r.stdout + r.stderr).not.toContain("PWNED");
  });

  securityTest(noConfinement)("a confined child with /proc granted cannot reach the host through /proc/<pid>/root or /environ", () => {
    const dir = tempApp({
      "app.js": [
        `const cp = require("child_process");`,
        `for (const pid of ["1", "2", "3"]) {`,
        `  for (const p of [\`/proc/\${pid}/root${secret}\`, \`/proc/\${pid}/environ\`]) {`,
        `    const r = cp.spawnSync("cat", [p]);`,
        `    console.log(r.status, String(r.stdout));`,
        `  }`,
        `}`,
      ].join("\n"),
    });
    const r = edgebox(["run", "--allow-read=/proc", `--allow-run=cat`, "app.js"], { cwd: dir, env: { EB_HOST_SECRET: "ENV-SECRET-VALUE" } });
    expect(r.stderr).not.toContain("ERR_ACCESS_DENIED");
    expect(r.stdout).not.toContain("GRANT-SECRET");
    expect(r.stdout).not.toContain("ENV-SECRET-VALUE");
    expect(r.stdout.split("\n").filter((l) => /^\d/.test(l)).length).toBe(6); // each cat ran
  });
});

describe("EdgeBox's own files under a grant", () => {
  test("a --config policy in a writable directory, a directory holding a policy, the audit log's directory: none can be changed", () => {
    const dir = tempApp({
      "w/pol.json": JSON.stringify({ dirs: [{ path: "..", read: true, write: true }], audit: "./logs/audit.jsonl" }),
      "w/logs/.keep": "",
      "trusted/.edgebox.json": JSON.stringify({ dirs: [{ path: "/", read: true }] }),
      "app.js": [
        `const fs = require("fs");`,
        `for (const [what, f] of [`,
        `  ["rewrite", () => fs.writeFileSync("w/pol.json", "{}")],`,
        `  ["move the policy's dir", () => fs.renameSync("w", "w2")],`,
        `  ["move a dir holding a policy", () => fs.renameSync("trusted", "proj")],`,
        `  ["move the log's dir", () => fs.renameSync("w/logs", "w/old")],`,
        `  ["read the log", () => fs.readFileSync("w/logs/audit.jsonl")],`,
        `]) { try { f(); console.log(what, "done"); } catch (e) { console.log(what, e.code); } }`,
      ].join("\n"),
    });
    const r = edgebox(["run", "--config", "w/pol.json", "app.js"], { cwd: dir });
    expect(r.stdout).toBe(["rewrite EACCES", "move the policy's dir EACCES", "move a dir holding a policy EACCES", "move the log's dir EACCES", "read the log EACCES", ""].join("\n"));
    expect(existsSync(join(dir, "proj"))).toBe(false);
  });

  securityTest(noConfinement)("a child sees nothing of a nested grant that takes every capability away (as the guest)", () => {
    const dir = tempApp({
      "hidden/secret.txt": "NESTED-SECRET\n",
      "hidden/deeper/also.txt": "NESTED-SECRET\n",
      "hidden.txt": "NESTED-SECRET\n",
      "app.js": [
        `const fs = require("fs"), cp = require("child_process");`,
        `for (const f of ["hidden/secret.txt", "hidden/deeper/also.txt", "hidden.txt"]) {`,
        `  try { fs.readFileSync(f); console.log("guest read", f); } catch (e) { console.log("guest", e.code); }`,
        `  const r = cp.spawnSync("cat", [f], { encoding: "utf8" });`,
        `  console.log(r.stdout.includes("SECRET") ? "child read " + f : "child refused");`,
        `}`,
        `const ls = cp.spawnSync("ls", ["-A", "hidden"], { encoding: "utf8" });`,
        `console.log("listing:", JSON.stringify(ls.stdout.trim()));`,
      ].join("\n"),
    });
    writeFileSync(
      join(dir, ".edgebox.json"),
      JSON.stringify({ dirs: [{ path: "/", read: true, execute: true }, { path: "./hidden", read: false }, { path: "./hidden.txt", read: false }], commands: { cat: true, ls: true } }),
    );
    const r = edgebox(["run", "app.js"], { cwd: dir });
    expect(r.stdout + r.stderr).not.toContain("NESTED-SECRET");
    expect(r.stdout).toBe(["guest EACCES", "child refused", "guest EACCES", "child refused", "guest EACCES", "child refused", 'listing: ""', ""].join("\n"));
  });

  securityTest(noConfinement)("a command under a write grant that holds the policy cannot change, move or replace it", () => {
    const policy = JSON.stringify({ dirs: [{ path: ".", read: true, write: true }] });
    const dir = tempApp({
      ".edgebox.json": policy,
      "app.js": [
        `const cp = require("child_process");`,
        `for (const script of ["echo '{}' > .edgebox.json", "echo ' ' >> .edgebox.json", "rm -f .edgebox.json", "mv .edgebox.json x.json", "mv \\"$PWD\\" \\"$PWD-moved\\"", "echo x > x && ln -f x .edgebox.json", "cp /dev/null .edgebox.json", "echo made > new.txt"]) {`,
        `  const r = cp.spawnSync("sh", ["-c", script + " && echo CHANGED"], { encoding: "utf8" });`,
        `  console.log(r.stdout.trim() || "refused: " + r.stderr.trim().split("\\n")[0]);`,
        `}`,
      ].join("\n"),
    });
    const r = edgebox(["run", "--allow-run=sh,echo,rm,mv,ln,cp", "app.js"], { cwd: dir });
    const lines = r.stdout.trim().split("\n");
    expect(lines.length).toBe(8);
    for (const l of lines.slice(0, 7)) expect(l).toMatch(/^refused: .*(Read-only file system|Device or resource busy)/);
    expect(lines[7]).toBe("CHANGED"); // the rest of the grant stays writable
    expect(readFileSync(join(dir, ".edgebox.json"), "utf8")).toBe(policy);
    expect(existsSync(join(dir, "x.json"))).toBe(false);
    expect(readFileSync(join(dir, "new.txt"), "utf8")).toBe("made\n");
  });

  securityTest(noConfinement)("a command under a write grant that holds the policy's directory cannot move that directory (and a --config policy stays as it is)", () => {
    const policy = JSON.stringify({ dirs: [{ path: "..", read: true, write: true }] });
    const dir = tempApp({ "conf/pol.json": policy, "app.js": `const r = require("child_process").spawnSync("sh", ["-c", "mv conf conf2 && mkdir conf && echo '{}' > conf/pol.json && echo CHANGED"], { encoding: "utf8" });\nconsole.log(r.stdout.trim() || r.stderr.trim());\n` });
    const r = edgebox(["run", "--config", "conf/pol.json", "--allow-run=sh,mv,mkdir", "app.js"], { cwd: dir });
    expect(r.stdout).toContain("Device or resource busy");
    expect(readFileSync(join(dir, "conf", "pol.json"), "utf8")).toBe(policy);
    expect(existsSync(join(dir, "conf2"))).toBe(false);
  });

  securityTest(noConfinement)("a command cannot plant a policy file between the app and its policy (the next run would find it first)", () => {
    const policy = JSON.stringify({ dirs: [{ path: ".", read: true, write: true }, { path: "./src/out", write: true }] });
    const wide = JSON.stringify({ dirs: [{ path: "/", read: true, write: true }] });
    const dir = tempApp({
      ".edgebox.json": policy,
      "src/out/.keep": "",
      "src/app.js": [
        `const cp = require("child_process");`,
        `for (const script of [\`echo '${wide}' > src/.edgebox.json\`, "echo 'dirs = []' > src/edgebox.toml", "mkdir -p src/x && mv src/x src/y", "echo ok > src/out/made", "echo ok > elsewhere"]) {`,
        `  const r = cp.spawnSync("sh", ["-c", script], { encoding: "utf8" });`,
        `  console.log(r.status === 0 ? "done" : "refused");`,
        `}`,
      ].join("\n"),
    });
    const r = edgebox(["run", "--allow-run=sh,mkdir,mv", "src/app.js"], { cwd: dir });
    expect(r.stdout).toBe("refused\nrefused\nrefused\ndone\ndone\n");
    for (const f of ["src/.edgebox.json", "src/edgebox.toml", "src/y"]) expect(existsSync(join(dir, f))).toBe(false);
    expect(readFileSync(join(dir, "src/out/made"), "utf8")).toBe("ok\n");
  }, 30000);

  test("a policy's audit log through a linked directory that leads elsewhere is refused", () => {
    const elsewhere = tempApp();
    const dir = tempApp({ ".edgebox.json": JSON.stringify({ audit: "./logs/audit.jsonl" }), "app.js": `console.log("ran")` });
    symlinkSync(elsewhere, join(dir, "logs"));
    const r = edgebox(["run", "app.js"], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("is outside the policy's directory");
    expect(existsSync(join(elsewhere, "audit.jsonl"))).toBe(false);
  });
});

describe("crafted error stacks", () => {
  test("an overlong stack line does not stall the error report", () => {
    const dir = tempApp({ "app.js": `const e = new Error("boom");\ne.stack = "Error: boom\\n    at " + " (x:1:1".repeat(100000) + "z";\nthrow e;\n` });
    const r = edgebox(["run", "--timeout", "2000", "app.js"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("Error: boom");
  });
});

describe("EdgeBox's cache, wherever it really is", () => {
  test("a cache reached through a linked ~/.cache is out of the app's reach, under a grant of where it really is", () => {
    const root = tempApp({ "data/cache/.keep": "", "home/.keep": "" });
    symlinkSync(join(root, "data", "cache"), join(root, "home", ".cache"));
    const env = { HOME: join(root, "home") };
    expect(edgebox(["run", "-e", "1"], { cwd: root, env }).code).toBe(0); // fills the cache
    const app = [
      `const fs = require("fs"), base = ${JSON.stringify(join(root, "data", "cache", "edgebox"))};`,
      `for (const [what, f] of [["list", () => fs.readdirSync(base)], ["write", () => fs.writeFileSync(base + "/x", "")]]) {`,
      `  try { f(); console.log(what, "done"); } catch (e) { console.log(what, e.code); }`,
      `}`,
    ].join("\n");
    const r = edgebox(["run", `--allow-read=${root}`, `--allow-write=${join(root, "data")}`, "-e", app], { cwd: root, env });
    expect(r.stdout).toBe("list EACCES\nwrite EACCES\n");
  });
});

describe("what a confined child gets", () => {
  securityTest(noConfinement)("a grant inside a write grant stays where it is: a child can neither move it nor what lies above it", () => {
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({ dirs: [{ path: ".", read: true }, { path: "./out", write: true }, { path: "./out/a/b/w", write: true }] }),
      "out/a/b/w/.keep": "",
      "app.js": [
        `const cp = require("child_process");`,
        `for (const script of ["mv out/a/b/w out/w-old", "mv out/a out/a-old", "mv out/a/b out/b-old", "rm -r out/a", "ln -sfn / out/a/b/w"]) {`,
        `  const r = cp.spawnSync("sh", ["-c", script + " && echo MOVED"], { encoding: "utf8" });`,
        `  console.log(r.stdout.trim() || "refused");`,
        `}`,
        `console.log(cp.spawnSync("sh", ["-c", "touch out/a/b/w/f && echo wrote; touch ro.txt 2>/dev/null || echo read-only"], { encoding: "utf8" }).stdout.trim());`,
      ].join("\n"),
    });
    const r = edgebox(["run", "--allow-run=sh,mv,rm,ln,touch", "app.js"], { cwd: dir });
    expect(r.stdout).toBe("refused\nrefused\nrefused\nrefused\nrefused\nwrote\nread-only\n");
    expect(lstatSync(join(dir, "out/a/b/w")).isDirectory()).toBe(true);
    expect(existsSync(join(dir, "out/a/b/w/f"))).toBe(true);
    expect(existsSync(join(dir, "ro.txt"))).toBe(false);
  });

  securityTest(noConfinement)("a child holds no descriptor but its stdio (a mount's source, reopened through /proc, would not be read-only)", () => {
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({ dirs: [{ path: ".", read: true, write: true }, { path: "./sub", write: true }] }),
      "sub/.keep": "",
      "app.js": `console.log(require("child_process").spawnSync("sh", ["-c", "cd /proc/$$/fd && ls"], { encoding: "utf8" }).stdout.trim().split("\\n").join(" "));\n`,
    });
    expect(edgebox(["run", "--allow-run=sh,ls", "app.js"], { cwd: dir }).stdout).toBe("0 1 2\n");
  });

  securityTest(noConfinement)("a child has no network unless the policy allows any URL (URL patterns cannot hold a child)", () => {
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({ allowedUrls: ["https://api.example.com/v1/*"] }),
      "app.js": `console.log(require("child_process").spawnSync("cat", ["/proc/net/dev"]).stdout.toString().split("\\n").slice(2).filter(Boolean).map((l) => l.trim().split(":")[0]).join(","));\n`,
    });
    expect(edgebox(["run", "--allow-run=cat", "app.js"], { cwd: dir }).stdout).toBe("lo\n");
  });

  securityTest(noConfinement)("no child outlives the run, whenever it is killed (bubblewrap killed mid set-up leaves its sandbox's init behind)", async () => {
    const dir = tempApp({
      "app.js": [
        `const cp = require("child_process");`,
        `let exits = 0;`,
        // killed at spread moments, so that some land while bubblewrap sets the sandbox up
        `for (let i = 0; i < 100; i++) {`,
        `  const c = cp.spawn("cat", [], { stdio: "pipe" });`,
        `  c.on("exit", () => exits++);`,
        `  const t0 = Date.now(), delay = (i % 20) / 5;`,
        `  const later = () => (Date.now() - t0 >= delay ? c.kill("SIGKILL") : setTimeout(later, 0));`,
        `  later();`,
        `}`,
        `for (let i = 0; i < 200; i++) cp.spawnSync("cat", [], { timeout: 1 + (i % 4) });`,
        `process.on("exit", () => console.log("exits", exits));`,
      ].join("\n"),
    });
    const r = await edgeboxAsync(["run", "--allow-run=cat", "--timeout", "30000", "app.js"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("exits 100\n");
    // (a killed sandbox takes a moment to go)
    let left: string[] = [];
    for (let i = 0; i < 50; i++) {
      left = processesNaming(dir);
      if (left.length === 0) break;
      await Bun.sleep(100);
    }
    expect(left).toEqual([]);
  }, 60_000);

  test("a child that does not read its stdin cannot make the host hold unbounded input", () => {
    const dir = tempApp({
      "app.js": [
        `const c = require("child_process").spawn("sleep", ["5"]);`,
        `const b = Buffer.alloc(1 << 20, 65);`,
        `try { for (let i = 0; i < 64; i++) c.stdin.write(b); console.log("all queued"); } catch (e) { console.log(e.code); }`,
        `c.kill();`,
      ].join("\n"),
    });
    const r = edgebox(["run", "--allow-run=sleep", "app.js"], { cwd: dir });
    expect(r.stdout + r.stderr).toContain("ENOBUFS");
  });
});

describe("a grant's place", () => {
  test("nothing can be put where a grant's directory stands (a confinement starting then would mount it)", () => {
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({ dirs: [{ path: ".", read: true }, { path: "./out", write: true }, { path: "./spare", write: true }] }),
      "out/.keep": "",
      "spare/x/.keep": "",
      "app.js": [
        `const fs = require("fs");`,
        `fs.rmSync("out", { recursive: true });`,
        `for (const [what, f] of [["symlink", () => fs.symlinkSync(".", "out")], ["rename", () => fs.renameSync("spare/x", "out")], ["link", () => { fs.writeFileSync("spare/f", ""); fs.linkSync("spare/f", "out"); }]]) {`,
        `  try { f(); console.log(what, "done"); } catch (e) { console.log(what, e.code); }`,
        `}`,
      ].join("\n"),
    });
    expect(edgebox(["run", "app.js"], { cwd: dir }).stdout).toBe("symlink EACCES\nrename EACCES\nlink EACCES\n");
  });

  test("it cannot make a file set-user-ID or set-group-ID (open, writeFile, chmod, fchmod, mkdir): those bits are taken out", () => {
    const dir = tempApp({
      "w/.keep": "",
      "app.js": [
        `const fs = require("fs");`,
        `fs.writeFileSync("w/a", "x", { mode: 0o6777 });`,
        `fs.writeFileSync("w/b", "x"); fs.chmodSync("w/b", 0o4755);`,
        `const fd = fs.openSync("w/c", "w", 0o2755); fs.fchmodSync(fd, 0o6755); fs.closeSync(fd);`,
        `fs.mkdirSync("w/d", { mode: 0o3777 });`,
        `console.log(["a", "b", "c", "d"].map((f) => (fs.statSync("w/" + f).mode & 0o6000).toString(8)).join(" "));`,
      ].join("\n"),
    });
    const r = edgebox(["run", "--allow-read=w", "--allow-write=w", "app.js"], { cwd: dir });
    expect(r).toEqual({ code: 0, stdout: "0 0 0 0\n", stderr: "" });
    for (const f of ["a", "b", "c", "d"]) expect(lstatSync(join(dir, "w", f)).mode & 0o6000).toBe(0);
  });

  test("no command runs while a grant lies inside EdgeBox's cache", () => {
    const home = tempApp({ ".cache/edgebox/.keep": "" });
    const cache = join(home, ".cache", "edgebox");
    const dir = tempApp({ "app.js": `try { require("child_process").spawnSync("sh", ["-c", "true"]); console.log("ran"); } catch (e) { console.log(e.code); }\n` });
    const r = edgebox(["run", `--allow-write=${cache}`, "--allow-run=sh", "app.js"], { cwd: dir, env: { HOME: home } });
    expect(r.stdout).toBe("ERR_ACCESS_DENIED\n");
  }, 30000);
});

/**
 * A static x86-64 Linux program of `code` (loaded at 0x400000, `code` may use
 * the address `CODE_AT` + its own offsets); it exits with what `code` leaves in eax.
 */
const CODE_AT = 0x400078;
function elf64(code: number[]): Uint8Array {
  const exit = [0x89, 0xc7, 0xb8, 60, 0, 0, 0, 0x0f, 0x05]; // mov edi, eax; mov eax, 60 (exit); syscall
  const body = [...code, ...exit];
  const b = Buffer.alloc(0x78 + body.length);
  b.set([0x7f, 0x45, 0x4c, 0x46, 2, 1, 1], 0); // ELF, 64-bit, little-endian
  b.writeUInt16LE(2, 16); // ET_EXEC
  b.writeUInt16LE(62, 18); // x86-64
  b.writeUInt32LE(1, 20);
  b.writeBigUInt64LE(BigInt(CODE_AT), 24); // entry
  b.writeBigUInt64LE(64n, 32); // program headers at 64
  b.writeUInt16LE(64, 52);
  b.writeUInt16LE(56, 54);
  b.writeUInt16LE(1, 56);
  b.writeUInt32LE(1, 64); // PT_LOAD
  b.writeUInt32LE(5, 68); // R + X
  b.writeBigUInt64LE(0x400000n, 80);
  b.writeBigUInt64LE(0x400000n, 88);
  b.writeBigUInt64LE(BigInt(b.length), 96);
  b.writeBigUInt64LE(BigInt(b.length), 104);
  b.writeBigUInt64LE(0x1000n, 112);
  b.set(body, 0x78);
  return b;
}
const u32 = (n: number) => [n & 0xff, (n >>> 8) & 0xff, (n >>> 16) & 0xff, n >>> 24];
/** i386's socketcall(SYS_SOCKET, [AF_UNIX, SOCK_STREAM, 0]) through int 0x80, from a 64-bit program. */
const INT80_SOCKETCALL = [0xb8, ...u32(102), 0xbb, ...u32(1), 0xb9, ...u32(CODE_AT + 19), 0xcd, 0x80, 0xeb, 12, ...u32(1), ...u32(1), ...u32(0)];
/** i386's socket(AF_UNIX, SOCK_STREAM, 0) through int 0x80. */
const INT80_SOCKET = [0xb8, ...u32(359), 0xbb, ...u32(1), 0xb9, ...u32(1), 0x31, 0xd2, 0xcd, 0x80];
/** x32's socket(AF_UNIX, SOCK_STREAM, 0): x86-64's number with the x32 bit. */
const X32_SOCKET = [0xb8, ...u32(0x40000000 + 41), 0xbf, ...u32(1), 0xbe, ...u32(1), 0x31, 0xd2, 0x0f, 0x05];

describe("the confinement of a child holds whoever runs edgebox", () => {
  const x64 = process.platform === "linux" && process.arch === "x64" ? undefined : "Linux on x86-64";
  securityTest(noConfinement ?? x64)("a child cannot open a Unix socket through another ABI's calls (i386's int 0x80, x32): EACCES", async () => {
    const dir = tempApp({ "bin/.keep": "" });
    const probes = { socketcall: INT80_SOCKETCALL, socket: INT80_SOCKET, x32: X32_SOCKET };
    for (const [name, code] of Object.entries(probes)) writeFileSync(join(dir, "bin", name), elf64(code), { mode: 0o755 });
    writeFileSync(join(dir, ".edgebox.json"), JSON.stringify({ dirs: [{ path: ".", read: true }, { path: "./bin", read: true, execute: true }], processSandbox: "required" }));
    // (each exits with the call's result: -13, EACCES, is 243; a socket would be 3)
    writeFileSync(join(dir, "app.js"), `const cp = require("child_process");
for (const p of ["socketcall", "socket", "x32"]) { const r = cp.spawnSync(__dirname + "/bin/" + p); console.log(p, r.status, r.signal); }
`);
    const r = await edgeboxAsync(["run", `--allow-run=${Object.keys(probes).map((p) => join(dir, "bin", p)).join(",")}`, "app.js"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("socketcall 243 null\nsocket 243 null\nx32 243 null\n");
  });

  securityTest(noConfinement)("a child cannot make a file set-user-ID or set-group-ID (chmod, open with O_CREAT): EPERM; other modes as asked", async () => {
    const dir = tempApp({ "w/.keep": "" });
    writeFileSync(
      join(dir, "app.js"),
      [
        `const cp = require("child_process");`,
        `const sh = (c) => { const r = cp.spawnSync("sh", ["-c", c]); return String(r.stdout).trim(); };`,
        `console.log(sh("touch w/x; chmod 4755 w/x 2>/dev/null; echo $? $(stat -c %a w/x)"));`,
        `console.log(sh("chmod 2755 w/x 2>/dev/null; echo $? $(stat -c %a w/x)"));`,
        `console.log(sh("chmod 751 w/x; echo $? $(stat -c %a w/x)"));`,
        `const perl = 'use Fcntl; print sysopen(F, "w/y", O_CREAT|O_WRONLY, 06755) ? "made" : "refused", "\\n"';`,
        `console.log(String(cp.spawnSync("perl", ["-e", perl]).stdout).trim());`,
      ].join("\n"),
    );
    const r = await edgeboxAsync(["run", "--allow-run=sh,touch,chmod,stat,perl", "--allow-read=/usr/bin,/bin", "--allow-write=w", "app.js"], { cwd: dir });
    expect(r).toEqual({ code: 0, stdout: "1 644\n1 644\n0 751\nrefused\n", stderr: "" });
    expect(existsSync(join(dir, "w", "y"))).toBe(false);
  });

  securityTest(noConfinement)("a child cannot set up io_uring (its opens carry a mode the filter cannot see): ENOSYS", async () => {
    const dir = tempApp({});
    // io_uring_setup(4, params): 425 on every ABI the filter knows
    const perl = 'my $p = "\\0" x 120; print syscall(425, 4, $p) < 0 ? "refused $!" : "made", "\\n"';
    writeFileSync(join(dir, "app.js"), `console.log(String(require("child_process").spawnSync("perl", ["-e", ${JSON.stringify(perl)}]).stdout).trim());\n`);
    const r = await edgeboxAsync(["run", "--allow-run=perl", "--allow-read=/usr/bin,/bin", "app.js"], { cwd: dir });
    expect(r).toEqual({ code: 0, stdout: "refused Function not implemented\n", stderr: "" });
  });

  securityTest(noConfinement ?? x64)("a child cannot make a user namespace (capabilities there would let it mount over its grants): EPERM; clone3 ENOSYS; threads and forks still work", async () => {
    const dir = tempApp({});
    // unshare(CLONE_NEWUSER), clone(CLONE_NEWUSER | SIGCHLD), clone3 (x86-64's numbers: 272, 56, 435)
    const perl = 'for my $c ([272, 0x10000000], [56, 0x10000000 | 17, 0, 0, 0, 0], [435, 0, 0]) { my ($n, @a) = @$c; print syscall($n, @a) < 0 ? "refused $!" : "made", "\\n"; exit 0 if $n == 56 && syscall(39) != $$ }';
    writeFileSync(join(dir, "app.js"), `const cp = require("child_process");\nconsole.log(String(cp.spawnSync("perl", ["-e", ${JSON.stringify(perl)}]).stdout).trim());\nconsole.log(String(cp.spawnSync("sh", ["-c", "(true &) ; wait; echo forked"]).stdout).trim());\n`);
    const r = await edgeboxAsync(["run", "--allow-run=perl,sh,true", "--allow-read=/usr/bin,/bin", "app.js"], { cwd: dir });
    expect(r).toEqual({ code: 0, stdout: "refused Operation not permitted\nrefused Operation not permitted\nrefused Function not implemented\nforked\n", stderr: "" });
  });

  const root = process.getuid?.() === 0 ? undefined : "root (edgebox run by uid 0)";
  securityTest(noConfinement ?? root)("run by root, a child holds no capability (it could mount the host's disk)", async () => {
    const dir = tempApp({ "app.js": `const r = require("child_process").spawnSync("cat", ["/proc/self/status"]);\nconsole.log(String(r.stdout).split("\\n").filter((l) => /^(CapEff|CapPrm|NoNewPrivs):/.test(l)).join(" "));\n` });
    const r = await edgeboxAsync(["run", "--allow-run=cat", "--allow-read=/usr/bin,/bin", "app.js"], { cwd: dir });
    expect(r.stdout.replace(/\s+/g, " ").trim()).toBe("CapPrm: 0000000000000000 CapEff: 0000000000000000 NoNewPrivs: 1");
  });
});

describe("Unix sockets under the grants", () => {
  const perl = ["/usr/bin/perl", "/bin/perl"].find((p) => existsSync(p));
  securityTest(noConfinement ?? (perl ? undefined : "perl"))("a child without network cannot connect to a socket file it can see", async () => {
    const dir = tempApp({ "data/.keep": "" });
    const sock = join(dir, "data", "s.sock");
    let got = "";
    const listener = Bun.listen({ unix: sock, socket: { data: (_s, d) => void (got += new TextDecoder().decode(d)) } });
    try {
      const real = realpathSync(perl!);
      const script = `use IO::Socket::UNIX; my $s = IO::Socket::UNIX->new(Peer => "${sock}") or die "refused: $!\\n"; print $s "from-child"; print "connected\\n";`;
      writeFileSync(join(dir, "app.js"), `const r = require("child_process").spawnSync(${JSON.stringify(real)}, ["-e", ${JSON.stringify(script)}]);\nconsole.log(String(r.stdout).trim() || String(r.stderr).trim());\n`);
      writeFileSync(join(dir, ".edgebox.json"), JSON.stringify({ dirs: [{ path: ".", read: true }, { path: dirname(real), read: true, execute: true }], processSandbox: "required" }));
      const r = await edgeboxAsync(["run", `--allow-run=${basename(real)}`, "app.js"], { cwd: dir });
      expect(r.stdout).toContain("refused: Permission denied");
      expect(got).toBe("");
    } finally {
      listener.stop(true);
    }
  });
});
