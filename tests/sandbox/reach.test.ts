// Reaching past the policy through the filesystem's side doors: metadata
// changes through a descriptor, a read-only grant nested in a write grant,
// recursive removal and moves of whole trees, and links that a move would
// turn outwards. Each attempt must fail with EACCES naming the path and leave
// the disk exactly as it was.

import { describe, expect, test } from "bun:test";
import { lstatSync, mkdirSync, readdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { edgeboxAsync, snapshotTree, tempApp } from "../helpers.ts";

/** Every path below `dir` (but the app's) with what it is. */
const snapshot = (dir: string) => snapshotTree(dir, ["app"]);

/**
 * A layout with the app apart from the data: app/ (the app, its policy), w/ (read and write)
 * holding w/ro (read only) and w/keep/ro2 (read only), ro/ (read only), outside/ (no grant).
 */
function layout(): { root: string; app: string } {
  const root = tempApp({
    "w/file.txt": "writable\n",
    "w/ro/file.txt": "nested read-only\n",
    "w/keep/ro2/file.txt": "deeper read-only\n",
    "w/keep/other.txt": "beside it\n",
    "w/tree/a/b/c.txt": "c\n",
    "w/tree/sub/.edgebox.json": "{}",
    "w/tree/z.txt": "z\n",
    "w/bin/no/tool.sh": "#!/bin/sh\necho tool\n",
    "ro/file.txt": "read-only\n",
    "outside/secret.txt": "SECRET\n",
  });
  symlinkSync("ro", join(root, "w/ro-link"));
  const app = join(root, "app");
  mkdirSync(app);
  const dirs = [
    { path: join(root, "w"), read: true, write: true, execute: true },
    { path: join(root, "w/ro"), read: true },
    { path: join(root, "w/keep/ro2"), read: true },
    { path: join(root, "w/bin/no"), read: true, write: true },
    { path: join(root, "ro"), read: true },
  ];
  writeFileSync(join(app, ".edgebox.json"), JSON.stringify({ dirs }));
  return { root, app };
}

/** Runs each named attempt in one sandbox; the error code of each (or "ok"), and its message. */
async function attempts(app: string, root: string, body: string): Promise<Record<string, { code: string; message?: string }>> {
  const script = [
    `const fs = require("fs"); const R = ${JSON.stringify(root)};`,
    `const attempts = {`,
    body,
    `};`,
    `(async () => { const out = {};`,
    `  for (const [k, f] of Object.entries(attempts)) { try { await f(); out[k] = { code: "ok" }; } catch (e) { out[k] = { code: e.code, message: e.message }; } }`,
    `  console.log(JSON.stringify(out)); })();`,
  ].join("\n");
  writeFileSync(join(app, "app.js"), script);
  const r = await edgeboxAsync(["run", "app.js"], { cwd: app });
  if (r.code !== 0) throw new Error(`edgebox failed (${r.code}): ${r.stderr}`);
  return JSON.parse(r.stdout);
}

function expectRefused(got: Record<string, { code: string; message?: string }>, names: string[], mention?: RegExp | string): void {
  for (const n of names) {
    expect({ n, code: got[n]?.code }).toEqual({ n, code: "EACCES" });
    if (mention) expect(got[n]!.message).toMatch(mention);
  }
}

describe("a change through a descriptor takes the write capability of the file's grant", () => {
  test("fchmod, futimes, ftruncate on read-only descriptors in read-only grants (sync, callback, promises' FileHandle)", async () => {
    const { root, app } = layout();
    const before = snapshot(root);
    const files = ["ro/file.txt", "w/ro/file.txt", "w/ro-link/file.txt"];
    const body = files
      .flatMap((f, i) => [
        `fchmod${i}: () => { const fd = fs.openSync(R + "/${f}", "r"); try { fs.fchmodSync(fd, 0o777); } finally { fs.closeSync(fd); } },`,
        `futimes${i}: () => { const fd = fs.openSync(R + "/${f}", "r"); try { fs.futimesSync(fd, 1, 1); } finally { fs.closeSync(fd); } },`,
        `futimesDate${i}: () => { const fd = fs.openSync(R + "/${f}", "r"); try { fs.futimesSync(fd, new Date(0), new Date(0)); } finally { fs.closeSync(fd); } },`,
        `ftruncate${i}: () => { const fd = fs.openSync(R + "/${f}", "r"); try { fs.ftruncateSync(fd, 0); } finally { fs.closeSync(fd); } },`,
        `truncateFd${i}: () => { const fd = fs.openSync(R + "/${f}", "r"); try { fs.truncateSync(fd, 1); } finally { fs.closeSync(fd); } },`,
        `fchmodCb${i}: () => new Promise((ok, no) => { const fd = fs.openSync(R + "/${f}", "r"); fs.fchmod(fd, 0o600, (e) => { fs.closeSync(fd); e ? no(e) : ok(); }); }),`,
        `futimesCb${i}: () => new Promise((ok, no) => { const fd = fs.openSync(R + "/${f}", "r"); fs.futimes(fd, 5, 5, (e) => { fs.closeSync(fd); e ? no(e) : ok(); }); }),`,
        `handleChmod${i}: async () => { const h = await fs.promises.open(R + "/${f}", "r"); try { await h.chmod(0o777); } finally { await h.close(); } },`,
        `handleUtimes${i}: async () => { const h = await fs.promises.open(R + "/${f}", "r"); try { await h.utimes(1, 1); } finally { await h.close(); } },`,
        `handleTruncate${i}: async () => { const h = await fs.promises.open(R + "/${f}", "r"); try { await h.truncate(0); } finally { await h.close(); } },`,
      ])
      .join("\n");
    const got = await attempts(app, root, body + `\nwritable: () => { const fd = fs.openSync(R + "/w/file.txt", "r"); try { fs.fchmodSync(fd, 0o640); fs.futimesSync(fd, 7, 7); } finally { fs.closeSync(fd); } },`);
    const refused = Object.keys(got).filter((k) => k !== "writable");
    expect(refused.length).toBe(30);
    expectRefused(got, refused, /without write|does not grant write/);
    for (const k of refused) expect(got[k]!.message).toMatch(/^EACCES: permission denied, (fchmod|futime|ftruncate) '\/.+\/file\.txt'/);
    // the write grant's own file: as chmod and utimes by path
    expect(got.writable).toEqual({ code: "ok" });
    const after = snapshot(root);
    delete before[join(root, "w/file.txt")];
    delete after[join(root, "w/file.txt")];
    expect(after).toEqual(before);
    expect(lstatSync(join(root, "w/file.txt")).mode & 0o777).toBe(0o640);
  });

  test("chown through a descriptor is not offered at all", async () => {
    const { root, app } = layout();
    const before = snapshot(root);
    const got = await attempts(app, root, `fchown: () => { const fd = fs.openSync(R + "/ro/file.txt", "r"); try { fs.fchownSync(fd, 0, 0); } finally { fs.closeSync(fd); } },`);
    expect(got.fchown!.code).toBe("ERR_NOT_SUPPORTED_IN_SANDBOX");
    expect(snapshot(root)).toEqual(before);
  });
});

describe("the most specific grant decides every capability", () => {
  test("a read-only grant inside a write grant stays read-only, by any spelling", async () => {
    const { root, app } = layout();
    const before = snapshot(root);
    const spellings = ["R + '/w/ro/file.txt'", "R + '/w/./ro/file.txt'", "R + '/w/keep/../ro/file.txt'", "R + '//w//ro//file.txt'", "'../w/ro/file.txt'", "R + '/w/ro-link/../ro/file.txt'"];
    const body = spellings
      .flatMap((p, i) => [
        `write${i}: () => fs.writeFileSync(${p}, "changed"),`,
        `append${i}: () => fs.appendFileSync(${p}, "more"),`,
        `open${i}: () => fs.openSync(${p}, "r+"),`,
        `truncate${i}: () => fs.truncateSync(${p}, 0),`,
        `chmod${i}: () => fs.chmodSync(${p}, 0o777),`,
        `utimes${i}: () => fs.utimesSync(${p}, 1, 1),`,
        `unlink${i}: () => fs.unlinkSync(${p}),`,
        `renameOut${i}: () => fs.renameSync(${p}, R + "/w/taken${i}.txt"),`,
        `renameOver${i}: () => fs.renameSync(R + "/w/file.txt", ${p}),`,
        `copyOver${i}: () => fs.copyFileSync(R + "/w/file.txt", ${p}),`,
        `accessW${i}: () => fs.accessSync(${p}, fs.constants.W_OK),`,
        `promises${i}: () => fs.promises.writeFile(${p}, "changed"),`,
      ])
      .join("\n");
    const more = [
      `mkdir: () => fs.mkdirSync(R + "/w/ro/new"),`,
      `mkdirP: () => fs.mkdirSync(R + "/w/ro/a/b", { recursive: true }),`,
      `create: () => fs.writeFileSync(R + "/w/ro/new.txt", "x"),`,
      `symlinkIn: () => fs.symlinkSync("../file.txt", R + "/w/ro/l"),`,
      `hardlinkIn: () => fs.linkSync(R + "/w/file.txt", R + "/w/ro/h"),`,
      `rmdirRo: () => fs.rmdirSync(R + "/w/ro"),`,
      `mkdtemp: () => fs.mkdtempSync(R + "/w/ro/t-"),`,
      `deeper: () => fs.writeFileSync(R + "/w/keep/ro2/file.txt", "changed"),`,
      `readStill: () => { if (fs.readFileSync(R + "/w/ro/file.txt", "utf8") !== "nested read-only\\n") throw new Error("read"); },`,
      `writeBeside: () => fs.writeFileSync(R + "/w/keep/other.txt", "beside it\\n"),`,
      `execNested: () => fs.accessSync(R + "/w/bin/no/tool.sh", fs.constants.X_OK),`,
    ].join("\n");
    const got = await attempts(app, root, body + "\n" + more);
    const refused = Object.keys(got).filter((k) => !["readStill", "writeBeside"].includes(k));
    expectRefused(got, refused);
    for (const k of refused.filter((k) => k !== "execNested")) expect(got[k]!.message).toContain("does not grant write");
    expect(got.execNested!.message).toContain("does not grant execute");
    expect(got.readStill).toEqual({ code: "ok" });
    expect(got.writeBeside).toEqual({ code: "ok" });
    const after = snapshot(root);
    for (const s of [before, after]) delete s[join(root, "w/keep/other.txt")]; // rewritten with the same bytes
    expect(after).toEqual(before);
  });

  test("a flag adds to the policy's grants; the app's own directory yields to them", async () => {
    const { root, app } = layout();
    writeFileSync(join(app, "app.js"), `require("fs").writeFileSync(${JSON.stringify(join(root, "w/ro/flag.txt"))}, "ok"); console.log("wrote");`);
    const r = await edgeboxAsync(["run", `--allow-write=${join(root, "w/ro")}`, "app.js"], { cwd: app });
    expect(r.stdout).toBe("wrote\n");
    // a policy grant of the app's own directory, read and write, wins over its default (read only)
    const own = tempApp({ ".edgebox.json": JSON.stringify({ dirs: [{ path: ".", write: true }] }), "app.js": `require("fs").writeFileSync("made.txt", "ok"); console.log("made");` });
    const r2 = await edgeboxAsync(["run", "app.js"], { cwd: own });
    expect(r2.stdout).toBe("made\n");
  });

  test("edgebox check says which nested grant restricts what", async () => {
    const { app } = layout();
    const r = await edgeboxAsync(["check"], { cwd: app });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("the most specific grant decides");
    expect(r.stdout).toMatch(/w\/ro: no write, no execute, although inside .*\/w \(read, write, execute\)/);
    expect(r.stdout).toMatch(/w\/bin\/no: no execute, although inside .*\/w/);
  });
});

describe("every entry of a recursive removal or move is checked", () => {
  const forms = (p: string) => [
    `rmSync: () => fs.rmSync(${p}, { recursive: true }),`,
    `rmSyncForce: () => fs.rmSync(${p}, { recursive: true, force: true }),`,
    `rmCallback: () => new Promise((ok, no) => fs.rm(${p}, { recursive: true, force: true }, (e) => (e ? no(e) : ok()))),`,
    `rmPromise: () => fs.promises.rm(${p}, { recursive: true }),`,
    `rmdirRecursive: () => fs.rmdirSync(${p}, { recursive: true }),`,
    `rmdirCallback: () => new Promise((ok, no) => fs.rmdir(${p}, { recursive: true }, (e) => (e ? no(e) : ok()))),`,
    `rmdirPromise: () => fs.promises.rmdir(${p}, { recursive: true }),`,
  ];

  test("a policy file inside the tree: nothing of the tree is removed", async () => {
    const { root, app } = layout();
    const before = snapshot(root);
    const got = await attempts(app, root, [...forms(`R + "/w/tree"`), ...forms(`"../w/./tree/"`).map((l) => l.replace(/^(\w+):/, "$1Rel:"))].join("\n"));
    expectRefused(got, Object.keys(got), "policy file");
    for (const k of Object.keys(got)) expect(got[k]!.message).toContain("/tree/sub/.edgebox.json");
    expect(snapshot(root)).toEqual(before);
  });

  test("a read-only grant inside the tree, or the tree holding one: nothing is removed", async () => {
    const { root, app } = layout();
    const before = snapshot(root);
    const body = [
      ...forms(`R + "/w/keep"`),
      ...forms(`R + "/w/ro"`).map((l) => l.replace(/^(\w+):/, "$1Root:")),
      `renameTree: () => fs.renameSync(R + "/w/keep", R + "/w/moved"),`,
      `renameTreeDeep: () => fs.renameSync(R + "/w/keep", R + "/w/tree/a/moved"),`,
      `renameGrant: () => fs.renameSync(R + "/w/ro", R + "/w/ro-moved"),`,
      `cpOver: () => fs.cpSync(R + "/w/tree/a", R + "/w/keep/ro2", { recursive: true }),`,
    ].join("\n");
    const got = await attempts(app, root, body);
    expectRefused(got, Object.keys(got));
    expect(got.rmSync!.message).toContain("/w/keep/ro2");
    expect(got.renameTree!.message).toContain("the root of a grant");
    expect(snapshot(root)).toEqual(before);
  });

  test("EdgeBox's own files in the tree (the policy in use, its audit log): nothing is removed", async () => {
    const dir = tempApp({ ".edgebox.json": JSON.stringify({ dirs: [{ path: ".", write: true }], audit: "./logs/audit.jsonl" }), "logs/keep.txt": "k\n", "data/x.txt": "x\n" });
    writeFileSync(
      join(dir, "app.js"),
      `const fs = require("fs"); for (const p of ["logs", ".", "./logs/", ${JSON.stringify(dir)}]) { try { fs.rmSync(p, { recursive: true, force: true }); console.log("removed", p); } catch (e) { console.log(e.code); } }`,
    );
    const before = snapshot(dir);
    const r = await edgeboxAsync(["run", "app.js"], { cwd: dir });
    expect(r.stdout).toBe("EACCES\n".repeat(4));
    const after = snapshot(dir);
    delete after[join(dir, "logs/audit.jsonl")]; // written by EdgeBox itself during the run
    delete before[join(dir, "logs/audit.jsonl")];
    expect(after).toEqual(before);
  });

  test("a tree with nothing protected in it is removed (each form)", async () => {
    const { root, app } = layout();
    const names = ["s", "f", "c", "p", "d", "dc", "dp"];
    const setup = names.map((n) => `fs.mkdirSync(R + "/w/gone-${n}/x/y", { recursive: true }); fs.writeFileSync(R + "/w/gone-${n}/x/y/f", "1"); fs.symlinkSync("x", R + "/w/gone-${n}/l");`).join("\n");
    const body = forms(`R + "/w/gone-NAME"`).map((l, i) => l.replaceAll("NAME", names[i]!));
    const got = await attempts(app, root, `setup: () => { ${setup} },\n` + body.join("\n"));
    for (const k of Object.keys(got)) expect({ k, code: got[k]!.code }).toEqual({ k, code: "ok" });
    for (const n of names) expect(readdirSync(join(root, "w")).includes(`gone-${n}`)).toBe(false);
  });
});

describe("a move cannot turn a link outwards", () => {
  test("moving a relative link, or a directory holding one, or hard-linking it, to where it would lead out of the grants", async () => {
    const { root, app } = layout();
    mkdirSync(join(root, "w/a/b/c"), { recursive: true });
    const before = snapshot(root);
    const body = [
      // made by the app while they lead inside: ../../file.txt from w/a/b is w/file.txt
      `make: () => { fs.symlinkSync("../../file.txt", R + "/w/a/b/up"); fs.symlinkSync("../../../outside/secret.txt", R + "/w/a/b/c/deep"); },`,
      `moveLink: () => fs.renameSync(R + "/w/a/b/up", R + "/w/up"),`,
      `moveLinkRel: () => fs.renameSync("../w/a/b/up", "../w/./up2"),`,
      `moveDir: () => fs.renameSync(R + "/w/a/b", R + "/w/b"),`,
      `moveDirDeepLink: () => fs.renameSync(R + "/w/a/b/c", R + "/w/c"),`,
      `moveDirCarryingLink: () => fs.renameSync(R + "/w/a/b/c", R + "/w/a/c"),`,
      // a hard link to a symlink is the symlink in a second place
      `hardLinkLink: () => fs.linkSync(R + "/w/a/b/up", R + "/w/up3"),`,
      `hardLinkLinkRel: () => fs.linkSync("../w/a/b/c/deep", "../w/deep2"),`,
      `readThrough: () => fs.readFileSync(R + "/w/a/b/up", "utf8"),`,
      `deeperIsFine: () => { fs.mkdirSync(R + "/w/d1/d2/d3", { recursive: true }); fs.renameSync(R + "/w/a/b/up", R + "/w/d1/d2/up"); fs.renameSync(R + "/w/d1/d2/up", R + "/w/a/b/up"); },`,
    ].join("\n");
    const got = await attempts(app, root, body);
    expect(got.make).toEqual({ code: "ok" });
    expectRefused(got, ["moveLink", "moveLinkRel", "moveDir", "moveDirDeepLink", "moveDirCarryingLink", "hardLinkLink", "hardLinkLinkRel"], "would point outside the grants");
    expect(got.moveLink!.message).toContain(`(${join(root, "..", "file.txt")})`);
    expect(got.readThrough).toEqual({ code: "ok" });
    expect(got.deeperIsFine).toEqual({ code: "ok" });
    const after = snapshot(root);
    expect(after[join(root, "w/a/b/up")]).toBe("link -> ../../file.txt");
    for (const k of [join(root, "w/a/b/up"), join(root, "w/a/b/c/deep"), join(root, "w/d1"), join(root, "w/d1/d2"), join(root, "w/d1/d2/d3")]) delete after[k];
    expect(after).toEqual(before);
  });

  test("a link's target may not climb back out of a name it went through (what it reaches would change with that name)", async () => {
    const { root, app } = layout();
    const before = snapshot(root);
    const body = [
      `dotdot: () => fs.symlinkSync("tree/../file.txt", R + "/w/l1"),`,
      `dotdotDeep: () => fs.symlinkSync("./tree/a/../../file.txt", R + "/w/l2"),`,
      `absolute: () => fs.symlinkSync(R + "/w/tree/../file.txt", R + "/w/l3"),`,
    ].join("\n");
    const got = await attempts(app, root, body + `\nleading: () => fs.symlinkSync("../../file.txt", R + "/w/tree/a/ok"),`);
    expectRefused(got, ["dotdot", "dotdotDeep", "absolute"], "climb back out");
    expect(got.leading).toEqual({ code: "ok" }); // only leading ".." : where it leads is fixed by where the link is
    const after = snapshot(root);
    expect(after[join(root, "w/tree/a/ok")]).toBe("link -> ../../file.txt");
    delete after[join(root, "w/tree/a/ok")];
    expect(after).toEqual(before);
  });
});
