// Hard limits: time, memory, stack. The host survives and reports clearly.

import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { EDGEBOX, ENGINES, edgebox, tempApp } from "./helpers.ts";

const dir = tempApp({
  "spin.js": `while (true) {}\n`,
  "spin-catch.js": `for (;;) { try { while (true) {} } catch (e) { console.log("caught", e) } finally { console.log("finally") } }\n`,
  "sleep.js": `setTimeout(() => console.log("woke"), 60000);\n`,
  "quick.js": `setTimeout(() => console.log("done"), 20);\n`,
  "child-sleep.js": `require("child_process").spawnSync("sleep", ["30"]);\nconsole.log("after the child");\n`,
  "alloc.js": `const keep = [];\nfor (;;) keep.push(new Array(100000).fill(1.5));\n`,
  "alloc-catch.js": [
    `let keep = [];`,
    `try { for (;;) keep.push(new Array(100000).fill(1.5)); } catch (e) { keep = null; console.log("caught", e.message); }`,
    `console.log("still running", [1, 2, 3].map((x) => x * 2).join(","));`,
  ].join("\n"),
  // 24 MB kept, then ~1.5M two-object cycles of garbage: only the cycle collector frees them
  "cycles.js": [
    `const keep = [];`,
    `for (let i = 0; i < 300; i++) keep.push(new Array(10000).fill(i + 0.5));`,
    `let n = 0;`,
    `for (let i = 0; i < 1500000; i++) { const a = { i }; const b = { a }; a.b = b; n += b.a.i & 1; }`,
    `console.log(keep.length, n);`,
  ].join("\n"),
  "deep.js": [
    `function down(n) { return down(n + 1) + 1; }`,
    `try { down(0); } catch (e) { console.log(e instanceof RangeError, e.message); }`,
    `function again(n) { return n === 0 ? 0 : again(n - 1) + 1; }`,
    `console.log("usable", again(1000));`,
  ].join("\n"),
});
const f = (n: string) => join(dir, n);

for (const engine of ENGINES) {
  describe(`limits --engine ${engine}`, () => {
    const run = (...args: string[]) => edgebox(["run", `--engine=${engine}`, ...args]);

    test("an infinite loop is stopped at --timeout: exit 124 and one line", () => {
      const t0 = performance.now();
      const r = run("--timeout", "300", f("spin.js"));
      const elapsed = performance.now() - t0;
      expect(r.code).toBe(124);
      expect(r.stderr).toBe("edgebox: time limit exceeded (300 ms)\n");
      expect(elapsed).toBeGreaterThan(250); // stopped by the limit, not by a crash
    });

    test("a synchronous child does not outlast --timeout: it is killed and the run ends, exit 124", () => {
      const r = run("--timeout", "500", "--allow-run=sleep", f("child-sleep.js"));
      expect(r.code).toBe(124);
      expect(r.stdout).toBe("");
      expect(r.stderr).toBe("edgebox: time limit exceeded (500 ms)\n");
    });

    test("the guest cannot catch the time limit or keep running in finally", () => {
      const r = run("--timeout", "300", f("spin-catch.js"));
      expect(r.code).toBe(124);
      expect(r.stdout).toBe("");
    });

    test("a pending timer beyond the limit ends at the limit", () => {
      const r = run("--timeout", "200", f("sleep.js"));
      expect(r.code).toBe(124);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("time limit exceeded (200 ms)");
    });

    test("a script that finishes within the limit is unaffected", () => {
      expect(run("--timeout", "5000", f("quick.js"))).toEqual({ code: 0, stdout: "done\n", stderr: "" });
    });

    test("an allocation loop hits --max-memory: exit 137 with a clear message", () => {
      const r = run("--max-memory", "64", f("alloc.js"));
      expect(r.code).toBe(137);
      expect(r.stderr).toBe("edgebox: out of memory (limit 64 MiB)\n");
    });

    test("out of memory is an error the guest can catch and recover from", () => {
      const r = run("--max-memory", "64", f("alloc-catch.js"));
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("caught out of memory\nstill running 2,4,6\n");
    });

    test("cyclic garbage next to a large live heap is collected before --max-memory is reached", () => {
      // run collects less often than QuickJS would (run.ts RUN_GC_GROWTH), but never so late that garbage hits the limit
      expect(run("--max-memory", "64", f("cycles.js"))).toEqual({ code: 0, stdout: "300 750000\n", stderr: "" });
    });

    test("deep recursion is a RangeError inside the guest, which stays usable", () => {
      const r = run(f("deep.js"));
      expect(r).toEqual({ code: 0, stdout: "true Maximum call stack size exceeded\nusable 1000\n", stderr: "" });
    });

    test("bad limit values are usage errors", () => {
      expect(run("--timeout", "soon", f("quick.js")).code).toBe(2);
      expect(run("--max-memory", "0", f("quick.js")).code).toBe(2);
      const r = run("--max-memory", "1", f("quick.js"));
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("--max-memory must be at least");
    });
  });
}

// runtime.stack_size: QuickJS's own stack, backed by enough native stack on either engine
// (the native engine's guest stack; on the js engine, a second process with a raised limit).
describe("runtime.stack_size", () => {
  const depth = [
    `let max = 0;`,
    `function down(n) { max = n; return down(n + 1) + 1; }`,
    `try { down(0); } catch (e) { console.log(e instanceof RangeError ? "RangeError" : String(e), max); }`,
    `function again(n) { return n === 0 ? 0 : again(n - 1) + 1; }`,
    `console.log("usable", again(1000));`,
  ].join("\n");
  const sized = (bytes: number) => tempApp({ ".edgebox.json": JSON.stringify({ runtime: { stack_size: bytes } }), "deep.js": depth });
  const reached = (stdout: string) => {
    const m = /^RangeError (\d+)\nusable 1000\n$/.exec(stdout);
    expect(m).not.toBeNull();
    return Number(m![1]);
  };

  for (const engine of ENGINES) {
    test(`8 MiB reaches node's depth and beyond, then a catchable RangeError (--engine ${engine})`, () => {
      const r = edgebox(["run", `--engine=${engine}`, "deep.js"], { cwd: sized(8 << 20) });
      expect(r.stderr).toBe("");
      expect(reached(r.stdout)).toBeGreaterThan(20000); // node 20: ~11,000
    });
  }

  // recursion through builtins takes more native stack per JS call than a plain call
  const shapes = [
    `const shapes = {`,
    `  getter: () => { const o = { get x() { return this.x; } }; return o.x; },`,
    `  toString: () => { const o = { toString() { return String(o); } }; return String(o); },`,
    `  proxy: () => { const p = new Proxy({}, { get(t, k) { return p[k]; } }); return p.x; },`,
    `  generator: () => { function* g() { yield* g(); } return g().next(); },`,
    `  callback: () => { const f = (n) => [n].map((x) => f(x + 1))[0]; return f(0); },`,
    `  call: () => { function f(n) { return f.call(null, n + 1); } return f(0); },`,
    `};`,
    `for (const [name, fn] of Object.entries(shapes)) { try { fn(); console.log(name, "returned"); } catch (e) { console.log(name, e instanceof RangeError); } }`,
  ].join("\n");
  const expected = "getter true\ntoString true\nproxy true\ngenerator true\ncallback true\ncall true\n";
  for (const engine of ENGINES) {
    for (const size of [undefined, 8 << 20]) {
      test(`recursion through getters, toString, Proxy, generators, callbacks: a RangeError (--engine ${engine}, ${size ? "8 MiB" : "the default"})`, () => {
        const dir = tempApp({ ...(size ? { ".edgebox.json": JSON.stringify({ runtime: { stack_size: size } }) } : {}), "shapes.js": shapes });
        expect(edgebox(["run", `--engine=${engine}`, "shapes.js"], { cwd: dir })).toEqual({ code: 0, stdout: expected, stderr: "" });
      });
    }
  }
  test("the js engine's default holds in JavaScriptCore's middle tier too (its wasm frames are the largest: top tier off, 3 runs)", () => {
    const dir = tempApp({ "shapes.js": shapes });
    for (let i = 0; i < 3; i++) expect(edgebox(["run", "--engine=js", "shapes.js"], { cwd: dir, env: { BUN_JSC_useOMGJIT: "0" } })).toEqual({ code: 0, stdout: expected, stderr: "" });
  });

  test("the depth follows the size: 2 MiB about half of 4 MiB, 256 KiB an eighth of 2 MiB; the default is 4 MiB", () => {
    const small = reached(edgebox(["run", "deep.js"], { cwd: sized(256 << 10) }).stdout);
    const two = reached(edgebox(["run", "deep.js"], { cwd: sized(2 << 20) }).stdout);
    const four = reached(edgebox(["run", "deep.js"], { cwd: sized(4 << 20) }).stdout);
    expect(four / two).toBeGreaterThan(1.8);
    expect(four / two).toBeLessThan(2.2);
    expect(two / small).toBeGreaterThan(7);
    expect(two / small).toBeLessThan(9);
    expect(reached(edgebox(["run", "deep.js"], { cwd: tempApp({ "deep.js": depth }) }).stdout)).toBe(four);
  });

  // node's depth for the same plain recursion, measured here: it varies a little from run to run
  const plain = [
    `function f(n) { return n === 0 ? 0 : 1 + f(n - 1); }`,
    `let lo = 0, hi = 1 << 20;`,
    `while (lo < hi) { const mid = (lo + hi + 1) >> 1; try { f(mid); lo = mid; } catch (e) { if (!(e instanceof RangeError)) throw e; hi = mid - 1; } }`,
    `console.log(lo, process.pid);`,
  ].join("\n");
  const plainApp = tempApp({ "plain.cjs": plain, "plain.mjs": plain + "\nexport {};\n" });
  const nodeDepth = (file: string) => {
    const p = Bun.spawnSync(["node", join(plainApp, file)], { stdout: "pipe", stderr: "pipe" });
    expect(p.stderr.toString()).toBe("");
    return Number(p.stdout.toString().split(" ")[0]);
  };

  for (const file of ["plain.cjs", "plain.mjs"]) {
    test(`by default, deeper than node and in this one process (native engine, ${file.endsWith(".mjs") ? "ESM" : "CommonJS"})`, () => {
      const node = Math.max(nodeDepth(file), nodeDepth(file));
      const p = Bun.spawnSync([EDGEBOX, "run", "--engine=native", file], { cwd: plainApp, env: { PATH: "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" }, stdout: "pipe", stderr: "pipe" });
      expect(p.stderr.toString()).toBe("");
      const [depth, pid] = p.stdout.toString().trim().split(" ").map(Number);
      expect(node).toBeGreaterThan(5000);
      expect(depth).toBeGreaterThanOrEqual(node);
      expect(pid).toBe(p.pid); // no second process was started for the stack
    });
  }

  test("host calls work at great depth and right at the limit: console.log, fs reads, then more I/O (native engine, the default)", () => {
    const dir = tempApp({
      "io.js": [
        `const fs = require("fs");`,
        `function down(n) { if (n === 0) { console.log("at the bottom"); return fs.readFileSync(__filename, "utf8").length; } return down(n - 1) + 0; }`,
        `console.log(down(15000) === fs.statSync(__filename).size);`,
        `let at = 0;`,
        `function edge(n) { try { return edge(n + 1); } catch (e) { at = n; console.log("caught", e.constructor.name, n > 10000); return fs.readFileSync(__filename, "utf8").includes("edge"); } }`,
        `console.log("read at the limit", edge(0));`,
        `fs.writeFileSync("out.txt", "written after a recursion " + (at > 10000));`,
        `console.log(fs.readFileSync("out.txt", "utf8"));`,
      ].join("\n"),
      ".edgebox.json": JSON.stringify({ dirs: [{ path: ".", read: true, write: true }] }),
    });
    expect(edgebox(["run", "--engine=native", "io.js"], { cwd: dir })).toEqual({
      code: 0,
      stdout: "at the bottom\ntrue\ncaught RangeError true\nread at the limit true\nwritten after a recursion true\n",
      stderr: "",
    });
  });

  test("8 MiB on the native engine: twice the default's depth, in this one process", () => {
    const r = edgebox(["run", "--engine=native", "deep.js"], { cwd: sized(8 << 20) });
    expect(r.stderr).toBe("");
    const eight = reached(r.stdout);
    const four = reached(edgebox(["run", "--engine=native", "deep.js"], { cwd: sized(4 << 20) }).stdout);
    expect(eight / four).toBeGreaterThan(1.8);
    expect(eight / four).toBeLessThan(2.2);
  });

  test("a built artifact (snapshot) gets the stack of the policy it runs under", () => {
    const dir = sized(8 << 20);
    expect(edgebox(["build", "deep.js", "-o", "deep.ebx"], { cwd: dir }).code).toBe(0);
    const r = edgebox(["run", "deep.ebx"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(reached(r.stdout)).toBeGreaterThan(20000);
  });

  test("the process that backs a big stack on the js engine is transparent: stdin, argv, exit code, no variable of its own", () => {
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({ runtime: { stack_size: 4 << 20 }, env: ["BUN_JSC_maxPerThreadStackUsage"] }),
      "io.js": `const input = require("fs").readFileSync(0, "utf8");\nconsole.log(input.trim(), process.argv.slice(2).join(" "), process.env.BUN_JSC_maxPerThreadStackUsage);\nprocess.exit(7);\n`,
    });
    expect(edgebox(["run", "--engine=js", "io.js", "a", "b"], { cwd: dir, stdin: "piped in\n" })).toEqual({ code: 7, stdout: "piped in a b undefined\n", stderr: "" });
  });

  test("under an unlimited stack limit (ulimit -s unlimited) too", () => {
    const dir = sized(8 << 20);
    for (const engine of ENGINES) {
      const r = Bun.spawnSync(["/bin/sh", "-c", `ulimit -s unlimited && exec "$0" run --engine=${engine} deep.js`, EDGEBOX], { cwd: dir, stdout: "pipe", stderr: "pipe" });
      expect(r.stderr.toString()).toBe("");
      expect(reached(r.stdout.toString())).toBeGreaterThan(20000);
    }
  });

  test("where the hard limit forbids the stack: the native engine needs none of it; the js engine warns once and runs on what this process backs", () => {
    const under = (engine: string) => Bun.spawnSync(["/bin/sh", "-c", `ulimit -Hs 16384 && ulimit -Ss 8192 && exec "$0" run --engine=${engine} deep.js`, EDGEBOX], { cwd: sized(8 << 20), stdout: "pipe", stderr: "pipe" });
    const native = under("native");
    expect(native.stderr.toString()).toBe("");
    expect(reached(native.stdout.toString())).toBeGreaterThan(30000);
    const js = under("js");
    expect(js.stderr.toString()).toBe("edgebox: warning: runtime.stack_size 8192 KiB cannot be backed here (the stack limit cannot be raised); running with 320 KiB\n");
    expect(reached(js.stdout.toString())).toBeGreaterThan(1000);
  });

  test("more than 16 MiB is refused by check and run", () => {
    const dir = sized(32 << 20);
    for (const args of [["check"], ["run", "deep.js"]]) {
      const r = edgebox(args, { cwd: dir });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain("runtime.stack_size");
    }
  });
});

describe("files the host reads for the run", () => {
  test("a package.json is capped in bytes, not characters (16 MiB of two-byte characters is refused)", () => {
    // 9 Mi characters, 18 MiB: under the cap as text, over it as bytes
    const big = JSON.stringify({ main: "main.js", pad: "é".repeat(9 << 20) });
    const dir = tempApp({ "app.js": `try { require("big"); console.log("loaded"); } catch (e) { console.log(e.code); }\n`, "node_modules/big/main.js": "" });
    writeFileSync(join(dir, "node_modules/big/package.json"), big);
    const r = edgebox(["run", "app.js"], { cwd: dir });
    expect(r.stdout).toBe("ERR_INVALID_PACKAGE_CONFIG\n");
  });
});
