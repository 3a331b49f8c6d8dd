// Generated differential cases for the freezer's reads at the start and its loops that
// leave a read past an array's end in a variable: seeded programs of random
// functions over a state object (typed arrays of every kind, numbers) and random
// ways to break it (a getter, a proxy, a plain Array, a string, a missing or
// inherited property, a detached buffer, a bound past the arrays' ends), each
// built, run by the interpreter and by node, and compared line for line.

import { describe, expect, test } from "bun:test";
import { buildAsUser, edgeboxAsync, nodeAsync, tempApp } from "./helpers.ts";

/** A small deterministic generator (a linear congruential one: the same seed, the same program). */
function random(seed: number) {
  let s = seed >>> 0;
  const next = () => (s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 2 ** 32;
  return { next, pick: <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!, int: (n: number) => Math.floor(next() * n) };
}

const KINDS = ["Uint8Array", "Int8Array", "Uint8ClampedArray", "Int16Array", "Uint16Array", "Int32Array", "Uint32Array", "Float32Array", "Float64Array"];
const CONSTANTS = ["0", "1", "2", "0.5", "255", "-1", "65536", "2147483648", "1e300"];

/** One program: `count` functions, each called on every kind of state, its results and arrays printed. */
function program(seed: number, count: number): string {
  const r = random(seed);
  const index = () => r.pick(["i", "i + 1", "i - 1", `i + ${r.int(4)}`, "i >> 1", "(i * 3) | 0", "s.n - i"]);
  const leaf = (): string => r.pick(["i", "t", `s.a[${index()}]`, `s.b[${index()}]`, "s.k", r.pick(CONSTANTS)]);
  const expr = (depth = 0): string => (depth > 1 || r.next() < 0.35 ? leaf() : `(${expr(depth + 1)} ${r.pick(["+", "-", "*", "/", "|", "^", "&", ">>", "%"])} ${expr(depth + 1)})`);
  const statement = (): string =>
    r.pick([
      () => `s.a[${index()}] = ${expr()};`,
      () => `s.b[${index()}] += ${expr()};`,
      () => `v = s.${r.pick(["a", "b"])}[${index()}];`,
      () => `t = t + ${expr()};`,
      () => `t ^= ${expr()};`,
      () => `if (${expr()} < ${expr()}) s.a[${index()}] = ${expr()};`,
      () => `if (s.a[${index()}] === s.b[${index()}]) t++;`,
      () => `s.b[${index()}]++;`,
    ])();
  // what comes after the loop: uses of v that cannot tell undefined from NaN, and uses that can
  const after = () =>
    r.pick([
      "[t, v | 0, v * 2, v < 3, !v, v >>> 1].join()",
      "[t, v >= 0 ? 1 : 2, -v].join()",
      "[t, String(v)].join()",
      "[t, v === undefined, typeof v].join()",
      "[t, v ?? 'none'].join()",
      "t",
    ]);
  const fns: string[] = [];
  const names: string[] = [];
  for (let f = 0; f < count; f++) {
    const name = `g${f}`;
    names.push(name);
    const loop = r.pick([
      (body: string) => `for (let i = 0; i < s.n; i++) { ${body} }`,
      (body: string) => `for (let i = s.n - 1; i >= 0; i--) { ${body} }`,
      (body: string) => `let i = 0; while (i < s.n) { ${body} i++; }`,
    ]);
    // (a store in each, since reads at the start are for code that stores; a read left in v in most)
    const body = [`s.${r.pick(["a", "b"])}[${index()}] = ${expr()};`, ...Array.from({ length: r.int(3) }, statement), ...(r.next() < 0.6 ? [`v = s.${r.pick(["a", "b"])}[${index()}];`] : [])].join(" ");
    // (half of them also make an object: not frozen whole, their loop compiled on its own)
    const alone = r.next() < 0.5;
    fns.push(`function ${name}(s) { ${alone ? "const o = {}; " : ""}let v = 0; let t = 0; ${loop(body)} return ${alone ? `[${after()}, o.x ?? 0].join("/")` : after()}; }`);
  }
  const a = r.pick(KINDS);
  const b = r.pick(KINDS);
  return `"use strict";
const show = (v) => (Object.is(v, -0) ? "-0" : typeof v === "number" ? String(v) : \`\${typeof v}:\${String(v)}\`);
const attempt = (f) => { try { return f(); } catch (e) { return e.constructor.name; } };
const detach = (t) => (typeof t.buffer.transfer === "function" ? t.buffer.transfer() : structuredClone(t.buffer, { transfer: [t.buffer] }), t);
${fns.join("\n")}
let reads = 0;
const states = {
  plain: () => ({ n: 4, k: 1.5, a: new ${a}([3, 0, 7, 255, -1]), b: new ${b}([1, 2, 3]) }),
  "past the ends": () => ({ n: 7, k: -0.5, a: new ${a}([9, 1]), b: new ${b}([4, 4, 4, 4]) }),
  inherited: () => Object.assign(Object.create({ a: new ${a}([5, 6, 7, 8]), k: 2 }), { n: 3, b: new ${b}([0, 1, 0]) }),
  "a getter": () => { const arr = new ${a}([1, 2, 3, 4]); return { n: 3, k: 1, get a() { reads++; return arr; }, b: new ${b}(4) }; },
  "a proxy": () => new Proxy({ n: 3, k: 1, a: new ${a}([1, 2, 3]), b: new ${b}([3, 2, 1]) }, {}),
  "a plain Array": () => ({ n: 3, k: 1, a: [1, 2, 3], b: new ${b}([3, 2, 1]) }),
  "a string": () => ({ n: 3, k: "2", a: new ${a}([1, 2, 3]), b: new ${b}([3, 2, 1]) }),
  "a missing number": () => ({ n: 3, a: new ${a}([1, 2, 3]), b: new ${b}([3, 2, 1]) }),
  "a detached array": () => ({ n: 3, k: 1, a: new ${a}([1, 2, 3]), b: detach(new ${b}([3, 2, 1])) }),
};
const out = [];
for (const [name, f] of [${names.map((n) => `["${n}", ${n}]`).join(", ")}]) {
  for (const [state, make] of Object.entries(states)) {
    const s = make();
    out.push(\`\${name} \${state}: \${[attempt(() => f(s)), attempt(() => Array.from(s.a).join()), attempt(() => Array.from(s.b).join()), reads].map(show).join(" ")}\`);
  }
}
console.log(out.join("\\n"));
`;
}

describe("generated programs over state objects", () => {
  for (const seed of [1, 2, 3]) {
    test(`seed ${seed}: a build prints what the interpreter and node print`, async () => {
      const file = `gen${seed}.js`;
      const dir = tempApp({ [file]: program(seed, 40) });
      const b = buildAsUser(dir, [file, "--explain"]);
      const [frozen, interpreted, node] = await Promise.all([
        edgeboxAsync(["run", file.replace(/\.js$/, ".ebx")], { cwd: dir }),
        edgeboxAsync(["run", file], { cwd: dir }),
        nodeAsync([file], { cwd: dir }),
      ]);
      expect(node.stdout.split("\n").length).toBeGreaterThan(300);
      expect(interpreted.stdout).toBe(node.stdout);
      expect(frozen.stdout).toBe(interpreted.stdout);
      // (and the features under test were used: functions and loops reading at the start, loops leaving v)
      expect(b.stdout.match(/once, at the start/g)?.length ?? 0).toBeGreaterThan(10);
      expect(b.stdout).toMatch(/compiled loop over [^\n]*giving back [^\n]*\bv\b/);
    }, 120000);
  }
});
