// Escape attempts: each one runs in a fresh sandbox under one policy, must
// fail with the exact error a denial gives, and must leave the filesystem
// exactly as it was.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { edgeboxAsync, noConfinement, securityTest, snapshotTree, tempApp } from "../helpers.ts";

const root = tempApp();
const app = join(root, "app");
const data = join(root, "data");
const out = join(root, "out");
const secret = join(root, "secret");

let server: ReturnType<typeof Bun.serve>;
let base = "";

/** Every path below root with what it is. */
const snapshot = (dir = root) => snapshotTree(dir);

const ATTEMPTS = String.raw`
const fs = require("fs");
const cp = require("child_process");
const base = process.argv[3];
const attempts = {
  // files
  absoluteRead: () => fs.readFileSync("/etc/passwd", "utf8"),
  relativeTraversal: () => fs.readFileSync("../secret/secret.txt", "utf8"),
  traversalThroughGrant: () => fs.readFileSync("../data/../secret/secret.txt", "utf8"),
  dotDotAfterGrantRoot: () => fs.readFileSync("../data/../../" + require("path").basename(require("path").resolve("..")) + "/secret/secret.txt", "utf8"),
  symlinkedFile: () => fs.readFileSync("../data/secret-link.txt", "utf8"),
  symlinkedDir: () => fs.readFileSync("../data/to-secret/secret.txt", "utf8"),
  readdirSymlinkedDir: () => fs.readdirSync("../data/to-secret"),
  statOutside: () => fs.statSync("/etc/shadow"),
  statMissingOutside: () => fs.statSync("/etc/no-such-file-here"),
  existsOutside: () => [fs.existsSync("../secret/secret.txt"), fs.existsSync("/etc/passwd")],
  procSelfRoot: () => fs.readFileSync("/proc/self/root/etc/passwd", "utf8"),
  procSelfEnviron: () => fs.readFileSync("/proc/self/environ", "utf8"),
  procSelfFd: () => fs.readlinkSync("/proc/self/fd/0"),
  realpathOutside: () => fs.realpathSync("../data/to-secret/secret.txt"),
  writeReadOnlyGrant: () => fs.writeFileSync("../data/new.txt", "x"),
  overwriteReadOnly: () => fs.writeFileSync("../data/data.txt", "overwritten"),
  appendReadOnly: () => fs.appendFileSync("../data/data.txt", "more"),
  openRdwrReadOnly: () => fs.openSync("../data/data.txt", "r+"),
  mkdirReadOnly: () => fs.mkdirSync("../data/newdir"),
  createInUngrantedParent: () => fs.writeFileSync("../secret/new.txt", "x"),
  mkdirRecursiveOutside: () => fs.mkdirSync("../secret/a/b/c", { recursive: true }),
  writeThroughSymlinkDir: () => fs.writeFileSync("../out/to-etc/edgebox-pwned", "x"),
  writeThroughSymlinkFile: () => fs.writeFileSync("../out/data-link.txt", "overwritten"),
  renameOutOfGrant: () => fs.renameSync("../out/out.txt", "../secret/stolen.txt"),
  renameIntoGrant: () => fs.renameSync("../secret/secret.txt", "../out/secret.txt"),
  copyOutOfGrant: () => fs.copyFileSync("../out/out.txt", "../secret/copy.txt"),
  copySecretIn: () => fs.copyFileSync("../secret/secret.txt", "../out/copy.txt"),
  unlinkReadOnly: () => fs.unlinkSync("../data/data.txt"),
  rmTreeReadOnly: () => fs.rmSync("../data", { recursive: true, force: true }),
  rmOutside: () => fs.rmSync("../secret", { recursive: true, force: true }),
  symlinkToOutside: () => fs.symlinkSync("/etc/passwd", "../out/passwd-link"),
  symlinkRelativeEscape: () => fs.symlinkSync("../secret", "../out/secret-link"),
  hardlinkSecret: () => fs.linkSync("../secret/secret.txt", "../out/hard.txt"),
  hardlinkReadOnly: () => fs.linkSync("../data/data.txt", "../out/hard-data.txt"),
  chmodReadOnly: () => fs.chmodSync("../data/data.txt", 0o777),
  truncateReadOnly: () => fs.truncateSync("../data/data.txt", 0),
  utimesReadOnly: () => fs.utimesSync("../data/data.txt", 1, 1),
  nulByte: () => fs.readFileSync("../data/data.txt\0../secret/secret.txt"),
  fsPromisesOutside: () => require("fs/promises").readFile("/etc/passwd", "utf8"),
  fsCallbackOutside: () => new Promise((res, rej) => fs.readFile("/etc/passwd", (e, d) => (e ? rej(e) : res(d)))),
  streamOutside: () => new Promise((res, rej) => fs.createReadStream("/etc/passwd").on("error", rej).on("data", res)),
  requireOutside: () => require("../secret/mod.js"),
  importOutside: () => import("../secret/mod.mjs"),
  // environment
  envEnumeration: () => [Object.keys(process.env).sort(), process.env.SECRET_TOKEN === undefined],
  // commands
  deniedByName: () => cp.execFileSync("rm", ["-rf", "../out"]),
  deniedByAbsolutePath: () => cp.execFileSync("/bin/rm", ["-rf", "../out"]),
  deniedViaSymlinkedPath: () => cp.execFileSync("../out/rm-link", ["-rf", "../out"]),
  notAllowed: () => cp.execFileSync("touch", ["../out/touched"]),
  argumentSmuggling: () => cp.execFileSync("git", ["-c", "core.pager=sh", "status"]),
  argumentAllowed: () => cp.spawnSync("git", ["status"], { cwd: "../out", encoding: "utf8" }).status !== undefined,
  shellNotGranted: () => cp.execSync("echo hi"),
  shellOption: () => cp.spawnSync("echo", ["hi"], { shell: true }),
  absoluteEcho: () => cp.execFileSync("/bin/echo", ["hi"], { encoding: "utf8" }),
  metacharactersAreData: () => cp.execFileSync("echo", ["hi; cat /etc/passwd && $(id) ` + "`" + `id` + "`" + `"], { encoding: "utf8" }),
  loaderInjection: () => cp.execFileSync("printenv", ["LD_PRELOAD"], { env: { LD_PRELOAD: "../out/evil.so" }, encoding: "utf8" }),
  confinedCat: () => cp.execFileSync("cat", [process.argv[4] + "/secret/secret.txt"], { encoding: "utf8", stdio: "pipe" }),
  confinedWriteOutside: () => cp.execFileSync("cp", ["../out/out.txt", process.argv[4] + "/secret/copied.txt"], { stdio: "pipe" }),
  asyncSpawnDenied: () => cp.spawn("rm", ["-rf", "../out"]),
  // network
  urlNotAllowed: () => fetch("http://example.com/"),
  urlBlockedPath: () => fetch(base + "/admin/users"),
  urlBlockedDotSegments: () => fetch(base + "/public/../admin/users"),
  urlBlockedPercentEncoded: () => fetch(base + "/%61dmin/users"),
  urlUserinfoTrick: () => fetch("http://127.0.0.1@example.com/"),
  urlIpv6Host: () => fetch("http://[::1]:1/"),
  urlFileScheme: () => fetch("file:///etc/passwd"),
  redirectToBlocked: () => fetch(base + "/redirect-admin"),
  redirectToOtherHost: () => fetch(base + "/redirect-away"),
  rateLimit: async () => {
    for (let i = 0; i < 4; i++) await fetch(base + "/public/ok");
  },
};
Promise.resolve()
  .then(() => attempts[process.argv[2]]())
  .then(
    (v) => console.log(JSON.stringify({ ok: v === undefined ? null : v })),
    (e) => console.log(JSON.stringify({ error: { code: e.code, message: e.message } })),
  );
`;

interface Outcome {
  ok?: unknown;
  error?: { code: string; message: string };
}

beforeAll(() => {
  for (const d of [app, data, out, secret]) mkdirSync(d, { recursive: true });
  writeFileSync(join(secret, "secret.txt"), "top secret\n");
  writeFileSync(join(secret, "mod.js"), "module.exports = 'stolen';\n");
  writeFileSync(join(secret, "mod.mjs"), "export default 'stolen';\n");
  writeFileSync(join(data, "data.txt"), "read-only data\n");
  writeFileSync(join(out, "out.txt"), "writable data\n");
  symlinkSync("../secret", join(data, "to-secret"));
  symlinkSync("../secret/secret.txt", join(data, "secret-link.txt"));
  symlinkSync("/etc", join(out, "to-etc"));
  symlinkSync("../data/data.txt", join(out, "data-link.txt"));
  symlinkSync("/bin/rm", join(out, "rm-link"));
  writeFileSync(join(app, "attempt.js"), ATTEMPTS);
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      if (path === "/redirect-admin") return Response.redirect(`${base}/admin/secret`, 302);
      if (path === "/redirect-away") return Response.redirect("http://example.com/", 302);
      if (path.startsWith("/admin")) return new Response("ADMIN DATA");
      return new Response("public");
    },
  });
  base = `http://127.0.0.1:${server.port}`;
  writeFileSync(
    join(app, ".edgebox.json"),
    JSON.stringify({
      dirs: [
        { path: "../data", read: true },
        { path: "../out", read: true, write: true },
        { path: "/usr/bin", read: true, execute: true },
        { path: "/bin", read: true, execute: true },
      ],
      env: ["GRANTED_VAR", "PATH"],
      commands: { echo: true, cat: true, cp: true, printenv: true, git: ["status"], rm: true },
      denyCommands: ["rm"],
      allowedUrls: ["http://127.0.0.1:*/*"],
      blockedUrls: ["http://127.0.0.1:*/admin/*"],
      rateLimitRps: 2,
    }),
  );
});

afterAll(() => server?.stop(true));

async function attempt(name: string, extraEnv: Record<string, string> = {}): Promise<Outcome> {
  const before = snapshot();
  // (--quiet: reading SECRET_TOKEN would print a hint, tested in dx.test.ts)
  const r = await edgeboxAsync(["run", "--quiet", join(app, "attempt.js"), name, base, root], {
    cwd: app,
    env: { GRANTED_VAR: "visible", SECRET_TOKEN: "hunter2", ...extraEnv },
  });
  expect(r.stderr).toBe("");
  expect(r.code).toBe(0);
  // Nothing was created, changed or deleted.
  expect(snapshot()).toEqual(before);
  return JSON.parse(r.stdout.trim().split("\n").pop()!);
}

async function expectDenied(p: Outcome | Promise<Outcome>, code: "EACCES" | "ERR_ACCESS_DENIED", mentions: string[] = []) {
  const o = await p;
  expect(o.ok).toBeUndefined();
  expect(o.error?.code).toBe(code);
  for (const m of mentions) expect(o.error?.message).toContain(m);
}

describe("filesystem escapes", () => {
  test("an absolute path outside every grant", () => {
    expectDenied(attempt("absoluteRead"), "EACCES", ["open '/etc/passwd'", "no grant covers /etc/passwd", "--allow-read=/etc/passwd"]);
  });
  test("../ out of the app directory", () => expectDenied(attempt("relativeTraversal"), "EACCES", ["secret.txt"]));
  test("../ through a granted directory", () => expectDenied(attempt("traversalThroughGrant"), "EACCES"));
  test(".. past the grant's root and back in by name", () => expectDenied(attempt("dotDotAfterGrantRoot"), "EACCES"));
  test("a symlinked file inside a grant pointing outside", () => expectDenied(attempt("symlinkedFile"), "EACCES", [`no grant covers ${secret};`])); // (resolution stops where the grants end)
  test("a symlinked directory inside a grant pointing outside", () => expectDenied(attempt("symlinkedDir"), "EACCES"));
  test("listing a symlinked directory that points outside", () => expectDenied(attempt("readdirSymlinkedDir"), "EACCES", ["scandir"]));
  test("stat outside", () => expectDenied(attempt("statOutside"), "EACCES", ["stat '/etc/shadow'"]));
  test("stat of a missing path outside says EACCES, not ENOENT (no existence leak)", () => expectDenied(attempt("statMissingOutside"), "EACCES"));
  test("existsSync outside is false", async () => expect(await attempt("existsOutside")).toEqual({ ok: [false, false] }));
  test("/proc/self/root", () => expectDenied(attempt("procSelfRoot"), "EACCES"));
  test("/proc/self/environ, even with --allow-read=/", async () => {
    const before = snapshot();
    const r = await edgeboxAsync(["run", "--allow-read", join(app, "attempt.js"), "procSelfEnviron", base, root], { cwd: app });
    expect(snapshot()).toEqual(before);
    const o: Outcome = JSON.parse(r.stdout.trim());
    await expectDenied(o, "EACCES", ["/proc/"]);
  });
  test("/proc/self/fd magic links", () => expectDenied(attempt("procSelfFd"), "EACCES"));
  test("realpath of a path leading outside", () => expectDenied(attempt("realpathOutside"), "EACCES"));
  test("creating a file in a read-only grant", () => expectDenied(attempt("writeReadOnlyGrant"), "EACCES", ["without write"]));
  test("overwriting a file in a read-only grant", () => expectDenied(attempt("overwriteReadOnly"), "EACCES"));
  test("appending to a file in a read-only grant", () => expectDenied(attempt("appendReadOnly"), "EACCES"));
  test("opening read-write in a read-only grant", () => expectDenied(attempt("openRdwrReadOnly"), "EACCES"));
  test("mkdir in a read-only grant", () => expectDenied(attempt("mkdirReadOnly"), "EACCES", ["mkdir"]));
  test("creating a file in an ungranted directory", () => expectDenied(attempt("createInUngrantedParent"), "EACCES"));
  test("mkdir -p outside", () => expectDenied(attempt("mkdirRecursiveOutside"), "EACCES"));
  test("writing through a symlinked directory in a write grant", () => expectDenied(attempt("writeThroughSymlinkDir"), "EACCES", ["no grant covers /etc;"]));
  test("writing through a symlink into a read-only grant", () => expectDenied(attempt("writeThroughSymlinkFile"), "EACCES"));
  test("rename out of a grant", () => expectDenied(attempt("renameOutOfGrant"), "EACCES", ["rename"]));
  test("rename a secret into a grant", () => expectDenied(attempt("renameIntoGrant"), "EACCES"));
  test("copy out of a grant", () => expectDenied(attempt("copyOutOfGrant"), "EACCES"));
  test("copy a secret into a grant", () => expectDenied(attempt("copySecretIn"), "EACCES"));
  test("unlink in a read-only grant", () => expectDenied(attempt("unlinkReadOnly"), "EACCES"));
  test("rm -r of a read-only grant", () => expectDenied(attempt("rmTreeReadOnly"), "EACCES"));
  test("rm -r of an ungranted directory", () => expectDenied(attempt("rmOutside"), "EACCES"));
  test("a symlink pointing outside the grants", () => expectDenied(attempt("symlinkToOutside"), "EACCES", ["symlink may not point outside"]));
  test("a relative symlink escaping the grants", () => expectDenied(attempt("symlinkRelativeEscape"), "EACCES"));
  test("a hard link to a secret", () => expectDenied(attempt("hardlinkSecret"), "EACCES"));
  test("a hard link to a read-only file (would carry write access)", () => expectDenied(attempt("hardlinkReadOnly"), "EACCES"));
  test("chmod in a read-only grant", () => expectDenied(attempt("chmodReadOnly"), "EACCES"));
  test("truncate in a read-only grant", () => expectDenied(attempt("truncateReadOnly"), "EACCES"));
  test("utimes in a read-only grant", () => expectDenied(attempt("utimesReadOnly"), "EACCES"));
  test("a NUL byte in a path", async () => {
    const o = await attempt("nulByte");
    expect(o.error?.code).toBe("ERR_INVALID_ARG_VALUE");
  });
  test("fs/promises outside", () => expectDenied(attempt("fsPromisesOutside"), "EACCES"));
  test("callback fs outside", () => expectDenied(attempt("fsCallbackOutside"), "EACCES"));
  test("a read stream outside", () => expectDenied(attempt("streamOutside"), "EACCES"));
  test("require() of a module outside the grants", async () => {
    const o = await attempt("requireOutside");
    expect(o.error?.code).toBe("MODULE_NOT_FOUND");
    expect(o.error?.message).toMatch(/\(the policy does not let the app read \/\S+: it is outside the read grants\)/);
  });
  test("import() of a module outside the grants", async () => {
    const o = await attempt("importOutside");
    expect(o.error?.code).toBe("ERR_MODULE_NOT_FOUND");
  });
});

describe("environment", () => {
  test("only granted variables exist", async () => {
    expect(await attempt("envEnumeration")).toEqual({ ok: [["GRANTED_VAR", "PATH"], true] });
  });
});

describe("command escapes", () => {
  test("a denied command by name", () => expectDenied(attempt("deniedByName"), "ERR_ACCESS_DENIED", ['"rm" is in denyCommands']));
  test("a denied command by absolute path", () => expectDenied(attempt("deniedByAbsolutePath"), "ERR_ACCESS_DENIED", ["rm"]));
  test("a denied command through a symlink with another name", () => expectDenied(attempt("deniedViaSymlinkedPath"), "ERR_ACCESS_DENIED", ['"rm" is in denyCommands']));
  test("a command not in the argument allowlist", () => expectDenied(attempt("notAllowed"), "ERR_ACCESS_DENIED", ['"commands" lists only']));
  test("argument smuggling past commands.git", () => expectDenied(attempt("argumentSmuggling"), "ERR_ACCESS_DENIED", ['only with "status"']));
  test("the allowed first argument runs", async () => expect(await attempt("argumentAllowed")).toEqual({ ok: true }));
  test("execSync needs a shell, which is not granted", () => expectDenied(attempt("shellNotGranted"), "ERR_ACCESS_DENIED", ["/bin/sh"]));
  test("shell: true needs a shell too", () => expectDenied(attempt("shellOption"), "ERR_ACCESS_DENIED"));
  test("shell metacharacters are plain arguments", async () => {
    expect(await attempt("metacharactersAreData")).toEqual({ ok: "hi; cat /etc/passwd && $(id) `id`\n" });
  });
  test("loader-injection variables never reach a child", async () => {
    const o = await attempt("loaderInjection");
    // printenv exits 1 when the variable is not set: it was dropped.
    expect(o.error?.message).toContain("Command failed: printenv LD_PRELOAD");
  });
  test("an async spawn of a denied command throws at once", () => expectDenied(attempt("asyncSpawnDenied"), "ERR_ACCESS_DENIED"));
});

describe("confinement (where EdgeBox's probe finds bubblewrap)", () => {
  securityTest(noConfinement)("a spawned cat cannot read an ungranted file", async () => {
    const o = await attempt("confinedCat");
    expect(o.error?.message).toContain("No such file or directory");
  });
  securityTest(noConfinement)("a spawned cp cannot write outside the grants", async () => {
    const o = await attempt("confinedWriteOutside");
    expect(o.error?.message).toContain("Command failed");
  });
});

describe("required confinement without bubblewrap", () => {
  test("spawning is refused with a clear error, nothing runs", async () => {
    // No bwrap on PATH: the policy requires confinement, so nothing may run.
    await expectDenied(attempt("absoluteEcho", { PATH: "/nonexistent" }), "ERR_ACCESS_DENIED", ["processSandbox", "bubblewrap"]);
  });
});

describe("network escapes", () => {
  test("a host not in allowedUrls", () => expectDenied(attempt("urlNotAllowed"), "ERR_ACCESS_DENIED", ["http://example.com/", "no pattern in allowedUrls matches"]));
  test("a blocked path", () => expectDenied(attempt("urlBlockedPath"), "ERR_ACCESS_DENIED", ["/admin/users", "blocked by"]));
  test("a blocked path reached through ../", () => expectDenied(attempt("urlBlockedDotSegments"), "ERR_ACCESS_DENIED"));
  test("a blocked path hidden by percent-encoding", () => expectDenied(attempt("urlBlockedPercentEncoded"), "ERR_ACCESS_DENIED"));
  test("userinfo that looks like an allowed host", () => expectDenied(attempt("urlUserinfoTrick"), "ERR_ACCESS_DENIED", ["example.com"]));
  test("an IPv6 literal", () => expectDenied(attempt("urlIpv6Host"), "ERR_ACCESS_DENIED"));
  test("a file: URL", async () => expect((await attempt("urlFileScheme")).error?.code).toBe("ERR_NOT_SUPPORTED_IN_SANDBOX"));
  test("a redirect to a blocked path", () => expectDenied(attempt("redirectToBlocked"), "ERR_ACCESS_DENIED", ["/admin/secret"]));
  test("a redirect to a host not allowed", () => expectDenied(attempt("redirectToOtherHost"), "ERR_ACCESS_DENIED", ["example.com"]));
  test("more requests per second than rateLimitRps", () => expectDenied(attempt("rateLimit"), "ERR_ACCESS_DENIED", ["rateLimitRps"]));
});
