// Objects in frozen code (internal/freeze/objects.ts), through the built binary:
// the differential corpus tests/freeze/objects.js printed by a build, by the
// interpreter and by node, what --explain says, and reference counts held
// exact over millions of objects under a small memory cap.

import { describe, expect, test } from "bun:test";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { buildAsUser, edgebox, edgeboxAsync, nodeAsync, tempApp } from "./helpers.ts";

const build = buildAsUser;

describe("objects in frozen code", () => {
  test("literals, strings, method calls and property reads print what the interpreter and node print", async () => {
    const dir = tempApp({ "objects.js": readFileSync(join(import.meta.dir, "freeze", "objects.js"), "utf8") });
    const b = build(dir, ["objects.js", "--explain"]);
    const [frozen, interpreted, node, frozenMessages, interpretedMessages] = await Promise.all([
      edgeboxAsync(["run", "objects.ebx"], { cwd: dir }),
      edgeboxAsync(["run", "objects.js"], { cwd: dir }),
      nodeAsync(["objects.js"], { cwd: dir }),
      edgeboxAsync(["run", "objects.ebx", "messages"], { cwd: dir }),
      edgeboxAsync(["run", "objects.js", "messages"], { cwd: dir }),
    ]);
    expect(node.stdout.split("\n").length).toBeGreaterThan(70);
    expect(interpreted.stdout).toBe(node.stdout);
    expect(frozen.stdout).toBe(interpreted.stdout);
    expect(frozenMessages.stdout).toBe(interpretedMessages.stdout); // the same exceptions, word for word
    expect(frozen.code).toBe(0);
    expect(b.stdout).toMatch(/frozen {5}fill \(objects\.js:\d+:\d+\): f64; objects: adds strings and numbers, creates object literals, calls xs\.push\n/);
    expect(b.stdout).toMatch(/frozen {5}sumX \(objects\.js:\d+:\d+\): f64; objects: reads o\.x\n/);
    expect(b.stdout).toMatch(/frozen {5}norm2 \(objects\.js:\d+:\d+\): f64; objects: reads p\.x, reads q\.x, reads p\.y, reads q\.y, reads p\.z\n/);
    expect(b.stdout).toMatch(/frozen {5}lastX \(/);
    expect(b.stdout).toMatch(/frozen {5}sumPos \(objects\.js:\d+:\d+\): f64; objects: reads o\.pos\.x, reads o\.pos\.y\n/);
    expect(b.stdout).toMatch(/i32\.load \d+ \(atom x\)\n/); // the listing says what a constant is
    expect(b.stdout).toMatch(/loop \(objects\.js:\d+:\d+\) in the top level: compiled loop over objects made; objects: adds strings and numbers, creates object literals, calls made\.push\n/);
    expect(b.stdout).toMatch(/loop \(objects\.js:\d+:\d+\) in the top level: compiled loop over numbers total; objects p0, giving back total; objects: reads p0\.x, reads p0\.y\n/);
    expect(b.stdout).toMatch(/loop \(objects\.js:\d+:\d+\) in the top level: compiled loop over objects nests, outer; objects: creates object literals, calls nests\.push\n/);
    expect(b.stdout).toMatch(/frozen {5}stamp \(objects\.js:\d+:\d+\): f64; objects: writes o\.last\n/);
    expect(b.stdout).toMatch(/frozen {5}label \(objects\.js:\d+:\d+\): f64; objects: adds strings and numbers, writes o\.name, creates object literals, writes o\.box\n/);
    // an object's arrays and numbers read once, at the start, by code that stores into typed arrays
    expect(b.stdout).toMatch(/frozen {5}slide \(objects\.js:\d+:\d+\): f64; objects: reads s\.hash_size once, at the start, reads s\.w_size once, at the start, reads s\.head once, at the start, reads s\.prev once, at the start\n/);
    expect(b.stdout).toMatch(/frozen {5}scaleInto \(objects\.js:\d+:\d+\): f64; typed arrays only \(it writes: plain Arrays run in the interpreter\); objects: reads o\.k once, at the start, reads o\.b once, at the start\n/);
    expect(b.stdout).toMatch(/frozen {5}shiftCompare \(objects\.js:\d+:\d+\): f64; objects: reads s\.n once, at the start, reads s\.src once, at the start, reads s\.dst once, at the start\n/);
    expect(b.stdout).toMatch(/loop \(objects\.js:\d+:\d+\) in initTrees: compiled loop over objects s; objects: reads s\.codes once, at the start, reads s\.tree once, at the start\n/);
    expect(b.stdout).toMatch(/not frozen writesBetween \(objects\.js:\d+:\d+\): assigns to a property\n/);
    expect(b.stdout).toMatch(/not frozen nestedRead \(objects\.js:\d+:\d+\): works on objects and on typed arrays or DataViews together\n/);
    expect(b.stdout).toMatch(/not frozen lengthOnly \(objects\.js:\d+:\d+\): works on objects and on typed arrays or DataViews together\n/);
    expect(b.stdout).toMatch(/not frozen lastPast \(objects\.js:\d+:\d+\): reads a typed array where a read past its end \(undefined\) could be told from NaN: it may return one\n/);
    expect(b.stdout).toMatch(/loop \(objects\.js:\d+:\d+\) in the top level: compiled loop over objects counter; objects: writes counter\.count\n/);
    expect(b.stdout).toMatch(/loop \(objects\.js:\d+:\d+\) in the top level: compiled loop over objects handed, item; objects: creates object literals, calls handed\.push\n/);
  });

  test("what cannot be compiled exactly stays in the interpreter, with the reason", () => {
    const dir = tempApp({
      "refused.js": [
        `function both(o, xs, n) { let s = 0; for (let i = 0; i < n; i++) { s += o.x; xs.push({ i }); } return s; }`,
        `function withArray(a, xs) { let s = 0; for (let i = 0; i < a.length; i++) { s += a[i]; a[i] = s; xs.push(i); } return s; }`,
        `function kept(xs, n) { for (let i = 0; i < n; i++) { const o = { i }; xs.push(o); } return n; }`,
        `function proto(xs, n) { for (let i = 0; i < n; i++) xs.push({ __proto__: null, i }); return n; }`,
        `function bump(o, n) { for (let i = 0; i < n; i++) o.count += i; return n; }`,
        `const out = []; let count = 0;`,
        `for (let i = 0; i < 10; i++) { out.push({ i }); count += 1; }`,
        `const c = { count: 1 }; function readsAhead(o, a) { let s = 0; for (let i = 0; i < a.length; i++) { s += a[i] * o.x; a[i] = s; } return s; }`,
        `console.log(both({ x: 1 }, [], 3), withArray(new Uint8Array(3), []), kept([], 2), proto([], 2), out.length, count, bump(c, 4), c.count, readsAhead({ x: 2 }, new Uint8Array([1, 2, 3])));`,
      ].join("\n"),
    });
    const b = build(dir, ["refused.js", "--explain"]);
    expect(b.stdout).toContain("not frozen both (refused.js:1:1): both reads properties and calls methods or writes properties");
    expect(b.stdout).toContain("not frozen withArray (refused.js:2:1): works on objects and on typed arrays or DataViews together");
    expect(b.stdout).toContain("not frozen kept (refused.js:3:1): creates objects");
    expect(b.stdout).toContain("not frozen proto (refused.js:4:1): creates an object with __proto__");
    expect(b.stdout).toContain("not frozen bump (refused.js:5:1): updates a property in place (o.x += v, o.x++)");
    // it gives back count, and push runs JS that could read it
    expect(b.stdout).toContain("loop (refused.js:7:1) in the top level: not compiled: it runs JS (a method call, a property write) while it holds variables from around it that JS could change");
    // (where it stores into typed arrays and calls nothing, its reads are made once, at the start)
    expect(b.stdout).toContain("frozen     readsAhead (refused.js:8:25): f64; typed arrays only (it writes: plain Arrays run in the interpreter); objects: reads o.x once, at the start\n");
    expect(edgebox(["run", "refused.ebx"], { cwd: dir }).stdout).toBe("3 0 2 2 10 10 4 7 12\n");
  });

  test("a loop that runs JS keeps no variable a direct eval could assign", () => {
    const dir = tempApp({
      "evals.js": [
        `"use strict";`,
        `let bound = 5, hits = 0;`,
        `const o = { m(v) { hits++; if (hits === 2) eval("bound = 0"); } };`,
        `for (let i = 0; i < bound; i++) o.m({ i });`,
        `console.log(hits, bound);`,
      ].join("\n"),
    });
    expect(build(dir, ["evals.js", "--explain"]).stdout).toMatch(/loop \(evals\.js:4:1\) in [^:\n]+: not compiled: it runs JS \(a method call, a property write\) while it holds variables from around it that JS could change/);
    expect(edgebox(["run", "evals.ebx"], { cwd: dir }).stdout).toBe("2 0\n");
  });

  test("millions of objects and strings made and dropped in compiled code stay within a small memory cap; running out is the interpreter's error", () => {
    const dir = tempApp({
      "mem.js": `"use strict";
let seen = 0;
const sink = { push(o) { seen += o.s.length > 0 ? 1 : 0; } };
for (let i = 0; i < 3000000; i++) sink.push({ a: i, b: { c: i * 0.5 }, s: "x" + i });
function sumX(o, n) { let s = 0; for (let i = 0; i < n; i++) s += o.x; return s; }
let r = 0;
const floaty = { x: 0.25 };
const stringy = { get x() { return "0.25"; } };
for (let k = 0; k < 300000; k++) { r += sumX(floaty, 4); r += sumX(stringy, 1).length; }
function sumPos(o, n) { let s = 0; for (let i = 0; i < n; i++) s += o.pos.x + o.pos.y; return s; }
let t = 0;
for (let k = 0; k < 2000000; k++) t += sumPos({ pos: { x: k % 3, y: 1, pad: [k, k, k, k] } }, 1);
console.log(seen, r, t);
const hoard = [];
try {
  for (let i = 0; i < 1e9; i++) hoard.push({ i, s: "y" + i });
} catch (e) {
  const n = hoard.length;
  hoard.length = 0;
  console.log("caught", e.constructor.name, e.message, n > 1000);
}
`,
    });
    expect(build(dir, ["mem.js", "--explain"]).stdout).toMatch(/loop \(mem\.js:4:1\) in the top level: compiled loop over objects sink; objects: creates object literals, adds strings and numbers, calls sink\.push/);
    const r = edgebox(["run", "--max-memory", "48", "mem.ebx"], { cwd: dir });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("3000000 1800000 3999999\ncaught InternalError out of memory true\n");
    expect(r.code).toBe(0);
  }, 120000);
});
