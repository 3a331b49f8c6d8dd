// Control flow that must not depend on how the app is written: process.exit()
// and the time limit end an ES module, a dynamic import and top-level await
// as they end CommonJS; unsupported modules that name themselves load; a
// write stream outside the grants fails with the open's EACCES; the
// out-of-memory message names the limit that was hit.

import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { edgeboxAsync, tempApp } from "./helpers.ts";

const dir = tempApp({
  "exit.cjs": `process.exit(3);\n`,
  "exit.mjs": `process.exit(3);\n`,
  "exit-after-await.mjs": `await new Promise((r) => setTimeout(r, 10));\nprocess.exit(3);\n`,
  "exit-in-import.cjs": `import("./exit.mjs");\nsetTimeout(() => console.log("still running"), 2000);\n`,
  "exit-in-static-import.mjs": `import "./exit.mjs";\nconsole.log("still running");\n`,
  "exit-caught.mjs": `try { process.exit(3); } catch (e) { console.log("caught", e); } finally { console.log("finally"); }\n`,
  "module-type/package.json": `{ "type": "module" }\n`,
  "module-type/exit.js": `process.exit(3);\n`,
  "module-type/spin.js": `while (true) {}\n`,
  "spin.cjs": `while (true) {}\n`,
  "spin.mjs": `while (true) {}\n`,
  "spin-after-await.mjs": `await 1;\nwhile (true) {}\n`,
  "spin-in-import.cjs": `import("./spin.mjs");\n`,
  "spin-in-static-import.mjs": `import "./spin.mjs";\n`,
  "spin-caught.mjs": `try { while (true) {} } catch (e) { console.log("caught", e); }\n`,
  "dns.js": [
    `const out = [];`,
    `for (const name of ["dns", "node:dns", "dns/promises", "node:dns/promises"]) {`,
    `  const m = require(name);`,
    `  for (const f of [() => m.lookup("example.com"), () => (m.promises ?? m).resolve4("example.com")]) {`,
    `    try { f(); out.push("ran"); } catch (e) { out.push(e.code + " " + e.message.split(" is ")[0]); }`,
    `  }`,
    `}`,
    `import("dns").then((m) => { try { m.default.lookup("x"); } catch (e) { out.push("esm " + e.code); } console.log(JSON.stringify(out)); });`,
  ].join("\n"),
  "stream.js": [
    `const fs = require("fs");`,
    `const paths = ["/etc/edgebox-stream-test", "../outside-stream", process.argv[2] + "/../outside-abs"];`,
    `const out = [];`,
    `let pending = 0;`,
    `for (const p of paths) for (const flags of ["w", "a"]) {`,
    `  pending++;`,
    `  const s = fs.createWriteStream(p, { flags });`,
    `  s.on("error", (e) => { out.push(e.code + " " + e.syscall); if (--pending === 0) console.log(JSON.stringify(out)); });`,
    `  s.write("x");`,
    `  s.end("y");`,
    `}`,
  ].join("\n"),
  "alloc.js": `const keep = [];\nfor (;;) keep.push(new Array(100000).fill(1.5));\n`,
  "heap/.edgebox.json": JSON.stringify({ runtime: { heap_size: 32 << 20 } }),
  "heap/alloc.js": `const keep = [];\nfor (;;) keep.push(new Array(100000).fill(1.5));\n`,
});
const f = (n: string) => join(dir, n);
const run = (...args: string[]) => edgeboxAsync(["run", ...args], { cwd: dir });

describe("process.exit() ends a run whatever its module format", () => {
  for (const file of ["exit.cjs", "exit.mjs", "exit-after-await.mjs", "exit-in-import.cjs", "exit-in-static-import.mjs", "exit-caught.mjs", "module-type/exit.js"]) {
    test(file, async () => {
      expect(await run(f(file))).toEqual({ code: 3, stdout: "", stderr: "" });
    });
  }
});

describe("the time limit ends a run whatever its module format: 124 and one line", () => {
  for (const file of ["spin.cjs", "spin.mjs", "spin-after-await.mjs", "spin-in-import.cjs", "spin-in-static-import.mjs", "spin-caught.mjs", "module-type/spin.js"]) {
    test(file, async () => {
      expect(await run("--timeout", "300", f(file))).toEqual({ code: 124, stdout: "", stderr: "edgebox: time limit exceeded (300 ms)\n" });
    });
  }
});

test("dns and dns/promises load; each function throws ERR_NOT_SUPPORTED_IN_SANDBOX naming itself", async () => {
  const r = await run(f("dns.js"));
  expect(r.stderr).toBe("");
  expect(JSON.parse(r.stdout)).toEqual([
    "ERR_NOT_SUPPORTED_IN_SANDBOX dns.lookup",
    "ERR_NOT_SUPPORTED_IN_SANDBOX dns.promises.resolve4",
    "ERR_NOT_SUPPORTED_IN_SANDBOX dns.lookup",
    "ERR_NOT_SUPPORTED_IN_SANDBOX dns.promises.resolve4",
    "ERR_NOT_SUPPORTED_IN_SANDBOX dns.promises.lookup",
    "ERR_NOT_SUPPORTED_IN_SANDBOX dns.promises.resolve4",
    "ERR_NOT_SUPPORTED_IN_SANDBOX dns.promises.lookup",
    "ERR_NOT_SUPPORTED_IN_SANDBOX dns.promises.resolve4",
    "esm ERR_NOT_SUPPORTED_IN_SANDBOX",
  ]);
});

test("createWriteStream outside the grants fails with EACCES from open, and writes nothing", async () => {
  const r = await run(f("stream.js"), dir);
  expect(r.stderr).toBe("");
  expect(JSON.parse(r.stdout)).toEqual(Array(6).fill("EACCES open"));
  for (const p of ["/etc/edgebox-stream-test", join(dir, "../outside-stream"), join(dir, "../outside-abs")]) expect(existsSync(p)).toBe(false);
});

describe("the out-of-memory message names the limit that was hit", () => {
  test("runtime.heap_size", async () => {
    expect(await edgeboxAsync(["run", f("heap/alloc.js")], { cwd: join(dir, "heap") })).toEqual({
      code: 137,
      stdout: "",
      stderr: "edgebox: out of memory (JS heap limit 32 MiB, runtime.heap_size)\n",
    });
  });

  test("--max-memory", async () => {
    expect(await run("--max-memory", "64", f("alloc.js"))).toEqual({ code: 137, stdout: "", stderr: "edgebox: out of memory (limit 64 MiB)\n" });
  });
});
