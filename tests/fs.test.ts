// fs and child_process inside grants behave as under node: the same script
// prints the same under both (node with no sandbox, edgebox with grants).

import { describe, expect, test } from "bun:test";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { edgeboxAsync, nodeAsync, tempApp } from "./helpers.ts";

/** Run `script` under node and under edgebox (granted its work dir), each in a fresh copy of `files`. */
async function same(script: string, files: Record<string, string> = {}, grants: string[] = []) {
  const a = tempApp({ "main.js": script, ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`work/${k}`, v])) });
  const b = tempApp({ "main.js": script, ...Object.fromEntries(Object.entries(files).map(([k, v]) => [`work/${k}`, v])) });
  mkdirSync(join(a, "work"), { recursive: true });
  mkdirSync(join(b, "work"), { recursive: true });
  const expected = await nodeAsync([join(a, "main.js"), join(a, "work")], { cwd: a });
  const actual = await edgeboxAsync(["run", `--allow-read=${b}`, `--allow-write=${join(b, "work")}`, ...grants, join(b, "main.js"), join(b, "work")], { cwd: b });
  const norm = (s: string, dir: string) => s.replaceAll(dir, "<dir>");
  return { expected: { ...expected, stdout: norm(expected.stdout, a) }, actual: { ...actual, stdout: norm(actual.stdout, b) } };
}

describe("fs inside grants, as node", () => {
  test("a file named with a trailing slash is not a directory: ENOTDIR, as the kernel says; copying a sparse file gives the same bytes", async () => {
    const { expected, actual } = await same(`
const fs = require("fs");
const w = process.argv[2];
fs.writeFileSync(w + "/a.txt", "hi");
for (const [n, f] of [["read", () => fs.readFileSync(w + "/a.txt/")], ["stat", () => fs.statSync(w + "/a.txt/.")], ["exists", () => fs.existsSync(w + "/a.txt/")], ["open", () => fs.openSync(w + "/a.txt/", "r")], ["dir", () => fs.readdirSync(w + "/").length]]) {
  try { console.log(n, String(f())); } catch (e) { console.log(n, e.code); }
}
const fd = fs.openSync(w + "/sparse", "w"); fs.writeSync(fd, "a", 3); fs.writeSync(fd, "z", 300000); fs.closeSync(fd);
fs.copyFileSync(w + "/sparse", w + "/copy");
console.log(fs.readFileSync(w + "/copy").equals(fs.readFileSync(w + "/sparse")), fs.statSync(w + "/copy").size);
`);
    expect(actual).toEqual(expected);
  });

  test("a file made by a name with a trailing slash: EISDIR, as the kernel says, whether or not something is there", async () => {
    const { expected, actual } = await same(`
const fs = require("fs");
const w = process.argv[2];
fs.writeFileSync(w + "/a.txt", "hi");
const ops = {
  writeNew: () => fs.writeFileSync(w + "/new/", "x"),
  openNew: () => fs.openSync(w + "/new2/", "w"),
  writeFile: () => fs.writeFileSync(w + "/a.txt/", "x"),
  append: () => fs.appendFileSync(w + "/a.txt/.", "x"),
  copyTo: () => fs.copyFileSync(w + "/a.txt", w + "/a.txt/"),
};
for (const [n, f] of Object.entries(ops)) { try { console.log(n, String(f())); } catch (e) { console.log(n, e.code); } }
console.log(fs.readdirSync(w).join(), fs.readFileSync(w + "/a.txt", "utf8"));
`);
    expect(actual).toEqual(expected);
  });

  test("the synchronous core", async () => {
    const { expected, actual } = await same(`
const fs = require("fs");
const path = require("path");
const w = process.argv[2];
fs.writeFileSync(path.join(w, "a.txt"), "hello");
fs.appendFileSync(path.join(w, "a.txt"), " world");
console.log(fs.readFileSync(path.join(w, "a.txt"), "utf8"));
console.log(fs.readFileSync(path.join(w, "a.txt")));
console.log(fs.existsSync(path.join(w, "a.txt")), fs.existsSync(path.join(w, "nope")));
fs.mkdirSync(path.join(w, "d/e/f"), { recursive: true });
console.log(fs.mkdirSync(path.join(w, "d/e/f"), { recursive: true }));
fs.writeFileSync(path.join(w, "d/e/f/g.json"), JSON.stringify({ x: 1 }));
console.log(fs.readdirSync(w).sort(), fs.readdirSync(path.join(w, "d"), { recursive: true }).sort());
console.log(fs.readdirSync(w, { withFileTypes: true }).map((d) => [d.name, d.isFile(), d.isDirectory()]).sort());
const st = fs.statSync(path.join(w, "a.txt"));
console.log(st.isFile(), st.isDirectory(), st.size, typeof st.mtimeMs, st.mtime instanceof Date);
fs.renameSync(path.join(w, "a.txt"), path.join(w, "b.txt"));
fs.copyFileSync(path.join(w, "b.txt"), path.join(w, "c.txt"));
console.log(fs.readFileSync(path.join(w, "c.txt"), "utf8"));
fs.symlinkSync("b.txt", path.join(w, "link.txt"));
console.log(fs.readlinkSync(path.join(w, "link.txt")), fs.lstatSync(path.join(w, "link.txt")).isSymbolicLink(), fs.realpathSync(path.join(w, "link.txt")) === path.join(fs.realpathSync(w), "b.txt"));
const fd = fs.openSync(path.join(w, "fd.txt"), "w+");
fs.writeSync(fd, "0123456789");
const buf = Buffer.alloc(4);
console.log(fs.readSync(fd, buf, 0, 4, 3), buf.toString());
fs.ftruncateSync(fd, 5);
console.log(fs.fstatSync(fd).size);
fs.closeSync(fd);
fs.unlinkSync(path.join(w, "c.txt"));
fs.rmSync(path.join(w, "d"), { recursive: true });
console.log(fs.readdirSync(w).sort());
try { fs.readFileSync(path.join(w, "missing")) } catch (e) { console.log(e.code, e.syscall, e.errno) }
try { fs.mkdirSync(path.join(w, "b.txt")) } catch (e) { console.log(e.code) }
try { fs.rmdirSync(w) } catch (e) { console.log(e.code) }
try { fs.rmSync(path.join(w, "nope")) } catch (e) { console.log(e.code) }
fs.rmSync(path.join(w, "nope"), { force: true });
console.log(fs.mkdtempSync(path.join(w, "tmp-")).startsWith(path.join(w, "tmp-")));
`);
    expect(actual).toEqual(expected);
  });

  test("callbacks and promises", async () => {
    const { expected, actual } = await same(`
const fs = require("fs");
const fsp = require("fs/promises");
const w = process.argv[2];
fs.writeFile(w + "/a.txt", "cb", (err) => {
  console.log("writeFile", err);
  fs.readFile(w + "/a.txt", "utf8", (err, data) => {
    console.log("readFile", err, data);
    fs.stat(w + "/missing", (err) => {
      console.log("stat", err.code);
      (async () => {
        await fsp.writeFile(w + "/p.txt", "promised");
        console.log(await fsp.readFile(w + "/p.txt", "utf8"));
        console.log((await fsp.readdir(w)).sort());
        const h = await fsp.open(w + "/p.txt", "r");
        const { bytesRead, buffer } = await h.read(Buffer.alloc(3), 0, 3, 0);
        console.log(bytesRead, buffer.toString());
        await h.close();
        await fsp.rm(w + "/p.txt");
        try { await fsp.access(w + "/p.txt") } catch (e) { console.log(e.code) }
      })();
    });
  });
});
console.log("sync first");
`);
    expect(actual).toEqual(expected);
  });

  test("streams", async () => {
    const { expected, actual } = await same(`
const fs = require("fs");
const w = process.argv[2];
const ws = fs.createWriteStream(w + "/s.txt");
for (let i = 0; i < 5; i++) ws.write("line " + i + "\\n");
ws.end("last\\n", () => {
  console.log("written", fs.readFileSync(w + "/s.txt", "utf8").split("\\n").length);
  const chunks = [];
  fs.createReadStream(w + "/s.txt", { encoding: "utf8", highWaterMark: 8 })
    .on("data", (c) => chunks.push(c))
    .on("end", () => console.log("read", chunks.join("") === fs.readFileSync(w + "/s.txt", "utf8"), chunks.length > 1))
    .on("close", () => console.log("closed"));
});
`);
    expect(actual).toEqual(expected);
  });
});

describe("child_process inside grants, as node", () => {
  const grants = ["--allow-run=echo,sh,cat,ls"];

  test("sync forms: output, status, errors", async () => {
    const { expected, actual } = await same(
      `
const cp = require("child_process");
console.log(JSON.stringify(cp.execFileSync("echo", ["a", "b"], { encoding: "utf8" })));
const r = cp.spawnSync("sh", ["-c", "echo out; echo err >&2; exit 3"], { encoding: "utf8" });
console.log(r.status, r.signal, JSON.stringify(r.stdout), JSON.stringify(r.stderr));
console.log(cp.execSync("echo $((6 * 7))", { encoding: "utf8" }).trim());
try { cp.execSync("exit 2", { stdio: "pipe" }) } catch (e) { console.log("status", e.status) }
console.log(cp.spawnSync("cat", { input: "piped in", encoding: "utf8" }).stdout);
const k = cp.spawnSync("sh", ["-c", "kill -9 $$"]);
console.log(k.status, k.signal);
const missing = cp.spawnSync("no-such-program-anywhere");
console.log(missing.error && missing.error.code);
`,
      {},
      grants,
    );
    expect(actual).toEqual(expected);
  });

  test("async forms: spawn streams, exec callback, events in order", async () => {
    const { expected, actual } = await same(
      `
const cp = require("child_process");
const child = cp.spawn("sh", ["-c", "read x; echo got $x; echo e >&2; exit 4"]);
let out = "";
child.stdout.on("data", (d) => (out += d));
child.stderr.on("data", (d) => (out += "[err]" + d));
child.on("exit", (code, signal) => console.log("exit", code, signal));
child.on("close", (code) => {
  console.log("close", code, JSON.stringify(out));
  cp.exec("echo hi; exit 1", (err, stdout, stderr) => {
    console.log("exec", err && err.code, JSON.stringify(stdout), JSON.stringify(stderr));
    cp.execFile("ls", ["/definitely/not/here"], (err) => console.log("execFile", err.code !== 0));
  });
});
child.stdin.end("value\\n");
`,
      {},
      grants,
    );
    expect(actual).toEqual(expected);
  });
});
