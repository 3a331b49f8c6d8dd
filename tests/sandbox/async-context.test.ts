// The await rewrite (internal/sandbox/async-context.ts) under attack: a source
// must compute what it computes under node, whatever it names and however it
// is written, and the host's cost of rewriting it stays bounded.

import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ENGINES, edgeboxAsync, edgeboxPeak, nodeAsync, securityTest, tempApp } from "../helpers.ts";

const SOURCES: Record<string, string> = {
  // the rewrite's own names, bound by the app: they must not take the rewrite's calls
  "shadow.mjs": [
    `async function f() { const __edgebox_resume = (a, b) => "hijacked"; return await 1; }`,
    `console.log(await f());`,
    `const __edgebox_loop0 = "mine";`,
    `for await (const x of [1]) console.log(x, __edgebox_loop0);`,
    `async function g() { let __edgebox_context = 5; await null; return __edgebox_context; }`,
    `console.log(await g());`,
  ].join("\n"),
  "with-eval.js": [
    `async function f() { eval("var __edgebox_resume = () => 'hijacked'"); return await 1; }`,
    `async function g() { with ({ __edgebox_resume: () => "hijacked", __edgebox_context: 0 }) { return await 2; } }`,
    `f().then(console.log).then(() => g()).then(console.log);`,
  ].join("\n"),
  // a direct eval of a literal (eval("require"), as packages hide require from bundlers) keeps the store carried
  "eval-literal.js": [
    `const { AsyncLocalStorage } = require("node:async_hooks");`,
    `const als = new AsyncLocalStorage();`,
    `const req = eval("require");`,
    `als.run("kept", async () => { await new Promise((r) => setTimeout(r, 5)); console.log(als.getStore(), typeof req); });`,
    `als.run("other", async () => { await null; console.log(als.getStore()); });`,
  ].join("\n"),
  // awaits in strings, templates, regexps and comments; labels; ASI; typeof; nested templates
  "tricky.mjs": [
    "const s = `a ${await Promise.resolve(`b ${await Promise.resolve(\"c\")} await`)} /* await */`;",
    `const r = /await/.test("await"); // await`,
    `label: for await (const v of [1, 2]) { if (v === 1) continue label; console.log("v", v); }`,
    `outer: for (const i of [1]) for await (const v of [3]) { if (v) break outer; }`,
    `let n = 0`,
    `await n`,
    `++n`,
    `const o = { await: 1 }; const { await: renamed } = o;`,
    `if (n) for await (const w of [4]) console.log("w", w); else console.log("never");`,
    `console.log(s, r, n, typeof await null, renamed, o.await, "aw\\u0061it");`,
  ].join("\n"),
  // a script: await is an identifier there, and HTML-like comments are comments
  "script.js": [
    `var await = 3; console.log(await + 1, aw\\u0061it);`,
    `async function f() {`,
    `  let x = 1`,
    `  <!-- await Promise.reject(new Error("ran"))`,
    `--> await Promise.reject(new Error("ran too"))`,
    `  return x + (await 2)`,
    `}`,
    `f().then(console.log, (e) => console.log("rejected", e.message));`,
  ].join("\n"),
};
const dir = tempApp(SOURCES);

for (const engine of ENGINES) {
  describe(`the await rewrite --engine ${engine}`, () => {
    for (const name of Object.keys(SOURCES)) {
      test(`${name} prints what node prints`, async () => {
        const [ours, node] = await Promise.all([edgeboxAsync(["run", `--engine=${engine}`, name], { cwd: dir }), nodeAsync([name], { cwd: dir })]);
        expect(node.code).toBe(0);
        expect(ours).toEqual({ code: 0, stdout: node.stdout, stderr: "" });
      });
    }
  });
}

describe("the await rewrite's cost to the host", () => {
  const big = tempApp();
  // 16 MiB, two million awaits: parsed, it cost the host ~2 GB and its rewritten text (6x) no longer fit the guest's heap
  writeFileSync(join(big, "awaits.mjs"), `async function f() {\n${"await 0;\n".repeat(2 << 20)}}\nawait f();\nconsole.log("ok");\n`);
  writeFileSync(join(big, "nested.mjs"), `const v = await ${"(await ".repeat(20000)}1${")".repeat(20000)};\nconsole.log(v);\n`);
  const linuxOnly = securityTest(process.platform === "linux" ? undefined : "Linux's /proc (the host's peak memory)");

  linuxOnly("a 16 MiB module of awaits runs, and the host's peak memory stays under 1 GiB", async () => {
    const { code, stdout, stderr, peakKiB } = await edgeboxPeak(["run", "awaits.mjs"], { cwd: big, env: { PATH: "/usr/bin:/bin" } });
    expect({ code, stdout, stderr }).toEqual({ code: 0, stdout: "ok\n", stderr: "" });
    expect(peakKiB).toBeGreaterThan(0);
    expect(peakKiB).toBeLessThan(1 << 20);
  }, 120_000);

  test("20,000 nested awaits: no crash of the host (its parser's recursion gives up; the guest's parser reports the stack)", async () => {
    const r = await edgeboxAsync(["run", "nested.mjs"], { cwd: big });
    expect([0, 134]).toContain(r.code);
    if (r.code === 0) expect(r.stdout).toBe("1\n");
    else expect(r.stderr).toContain("exhausted the stack");
  });
});
