// The guest's own native stack (zig/src/stack.zig): recursion to the limit,
// then host calls, time limits, memory limits, signals and a second run on a
// reused stack all end with a clear error or the right answer, never a crash
// of the host (SIGSEGV/SIGBUS/SIGILL) or a hang.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { EDGEBOX, ENGINES, edgeboxAsync, tempApp } from "../helpers.ts";

/** Recursion shapes (each through a different native path of QuickJS); every level makes host calls. */
const SHAPES = `const shape = process.argv[2];
const host = () => { require("fs").readFileSync(__filename); JSON.stringify({ a: [1, { b: 2 }] }); };
const shapes = {
  plain: () => { const f = (d) => { host(); return f(d + 1) + 1; }; return f(0); },
  getter: () => { const o = {}; Object.defineProperty(o, "x", { get() { host(); return o.x; } }); return o.x; },
  proxy: () => { const p = new Proxy({}, { get(t, k) { host(); return p[k]; } }); return p.a; },
  sort: () => { const f = () => [3, 2, 1].sort((a, b) => { host(); f(); return a - b; }); return f(); },
  replace: () => { const f = () => "ab".replace(/a/, () => { host(); return f(); }); return f(); },
  generator: () => { function* g() { host(); yield* g(); } return [...g()]; },
};
try { shapes[shape](); console.log("returned"); } catch (e) { console.log("caught", e.constructor.name); }
console.log("after", [1, 2, 3].map((x) => x * 2).join());
`;

/** Deep nesting through QuickJS's C recursion (wasm frames only, a few bytes of its stack a level): argv shape, depth. */
const NESTED = `const [shape, n] = [process.argv[2], Number(process.argv[3])];
const deep = () => { let o = {}; for (let i = 0; i < n; i++) o = { a: o }; return o; };
const shapes = {
  "JSON.parse of arrays": () => JSON.parse("[".repeat(n) + "]".repeat(n)),
  "JSON.parse of objects": () => JSON.parse('{"a":'.repeat(n) + "1" + "}".repeat(n)),
  "JSON.stringify": () => JSON.stringify(deep()),
  structuredClone: () => structuredClone(deep()),
  "the parser in parentheses": () => new Function("(".repeat(n) + "1" + ")".repeat(n)),
};
try { shapes[shape](); console.log("returned"); } catch (e) { console.log("caught", e.constructor.name); }
console.log("after", [1, 2, 3].map((x) => x * 2).join());
`;

const dir = tempApp({
  "shapes.js": SHAPES,
  "nested.js": NESTED,
  // JSON.stringify recurses in C (wasm frames only) and calls the replacer, and through it the host, at every level
  "replacer.js": [
    `let o = {}; let c = o; for (let i = 0; i < Number(process.argv[2]); i++) { c.a = {}; c = c.a; }`,
    `try { console.log(JSON.stringify(o, (k, v) => { require("fs").readFileSync(__filename); return v; }).length); } catch (e) { console.log("caught", e.constructor.name); }`,
  ].join("\n"),
  "spin-deep.js": `function g(d) { if (d > Number(process.argv[2])) { console.log("bottom"); for (;;) {} } return g(d + 1) + 1; }\ng(0);\n`,
  // the time limit reached in a call into the guest nested in a host call (require runs the module's top level)
  "spin.js": `for (;;) {}\n`,
  "require-spin.js": `try { require("./spin.js"); } catch (e) { console.log("caught", e && e.message); }\nconsole.log("after");\n`,
  "alloc-deep.js": `const keep = [];\nfunction g(d) { keep.push(new Array(1000).fill(d)); return g(d + 1) + 1; }\ntry { g(0); } catch (e) { console.log("caught", e.constructor.name); }\n`,
  // the same recursion twice in one run, the second from a timer: a later call into the guest on a stack used before
  "twice.js": [
    `let n = 0; function f() { n++; f(); }`,
    `const depth = () => { n = 0; try { f(); } catch (e) { return e.constructor.name + " " + n; } };`,
    `const first = depth();`,
    `setTimeout(() => { const second = depth(); console.log(first === second, first.split(" ")[0]); }, 10);`,
  ].join("\n"),
  "worker-deep.js": [
    `const { Worker } = require("worker_threads");`,
    `const code = "let n = 0; function f() { n++; require('fs'); f(); } try { f(); } catch (e) { require('worker_threads').parentPort.postMessage(e.constructor.name + ' ' + n); }";`,
    `let n = 0; function f() { n++; f(); }`,
    `const w = new Worker(code, { eval: true });`,
    `w.on("message", (m) => { try { f(); } catch (e) { console.log("main", e.constructor.name); } console.log("worker", m.split(" ")[0]); });`,
  ].join("\n"),
});
// a require chain: every module is compiled and run inside the host call of the one before (guest, host, guest, ...)
const CHAIN = 6000;
const chain = tempApp(
  Object.fromEntries([
    ...Array.from({ length: CHAIN }, (_, i) => [`m${i}.js`, `module.exports = 1 + ${i + 1 < CHAIN ? `require("./m${i + 1}.js")` : "0"};\n`]),
    ["main.js", `const from = Number(process.argv[2]);\ntry { console.log(require("./m" + from + ".js")); } catch (e) { console.log("caught"); }\nconsole.log("after", [1, 2].join());\n`],
  ]),
);
// (JSON.stringify's and structuredClone's checks for cycles take time quadratic in depth: 512 KiB of stack, not 4 MiB, keeps their tests short)
const small = tempApp({ ".edgebox.json": JSON.stringify({ runtime: { stack_size: 512 << 10 } }), "nested.js": NESTED });
const big = tempApp({ ".edgebox.json": JSON.stringify({ runtime: { stack_size: 16 << 20 } }), "shapes.js": SHAPES, "spin-deep.js": `function g(d) { if (d > 15000) { console.log("bottom"); for (;;) {} } return g(d + 1) + 1; }\ng(0);\n` });

/** Start `argv`, wait for its "bottom" line, send `sig` to that process alone (not its group): its exit code. */
async function signalAtBottom(argv: string[], sig: "SIGINT" | "SIGTERM", cwd?: string): Promise<number> {
  const p = Bun.spawn(argv, { cwd, env: { PATH: "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" }, stdout: "pipe", stderr: "pipe" });
  const reader = (p.stdout as ReadableStream<Uint8Array>).getReader();
  let out = "";
  while (!out.includes("bottom")) {
    const { value, done } = await reader.read();
    if (done) break;
    out += new TextDecoder().decode(value);
  }
  expect(out).toBe("bottom\n");
  p.kill(sig);
  return p.exited;
}
const f = (n: string) => join(dir, n);

/** A host crash: killed by a signal, or 128+n for SIGSEGV, SIGBUS, SIGILL (134 is edgebox's own exit for a guest's trap, said on stderr). */
const crashed = (code: number) => code < 0 || [139, 135, 132].includes(code);

for (const engine of ENGINES) {
  describe(`guest stack --engine ${engine}`, () => {
    const run = (...args: string[]) => edgeboxAsync(["run", `--engine=${engine}`, ...args]);

    for (const shape of ["plain", "getter", "proxy", "sort", "replace", "generator"]) {
      test(`recursion (${shape}) with host calls at every level ends in a catchable RangeError, and the guest goes on`, async () => {
        const r = await run("--allow-read", f("shapes.js"), shape);
        expect(r).toEqual({ code: 0, stdout: "caught RangeError\nafter 2,4,6\n", stderr: "" });
      });
    }

    // (JSON's C recursion needs ~44 native bytes per byte of QuickJS stack on JavaScriptCore, more than its stack backs)
    const nested: [string, number, string][] = [
      ["structuredClone", 100_000, small],
      ...(engine === "native"
        ? ([
            ["JSON.parse of arrays", 1_000_000, dir],
            ["JSON.parse of objects", 1_000_000, dir],
            ["JSON.stringify", 100_000, small],
            ["the parser in parentheses", 200_000, dir],
          ] as [string, number, string][])
        : []),
    ];
    for (const [shape, depth, cwd] of nested) {
      test(`${shape} ${depth.toLocaleString("en")} levels deep: a catchable RangeError, and the guest goes on`, async () => {
        const r = await edgeboxAsync(["run", `--engine=${engine}`, "nested.js", shape, String(depth)], { cwd });
        expect(r).toEqual({ code: 0, stdout: "caught RangeError\nafter 2,4,6\n", stderr: "" });
        const shallow = await edgeboxAsync(["run", `--engine=${engine}`, "nested.js", shape, "1000"], { cwd });
        expect(shallow).toEqual({ code: 0, stdout: "returned\nafter 2,4,6\n", stderr: "" });
      }, 60_000);
    }

    test("host calls from deep wasm-only recursion (a JSON.stringify replacer 100,000 levels down): the answer or a clear stack error", async () => {
      const shallow = await run("--allow-read", f("replacer.js"), "1000");
      expect(shallow).toEqual({ code: 0, stdout: "6002\n", stderr: "" });
      const deep = await run("--allow-read", f("replacer.js"), "100000");
      expect(crashed(deep.code)).toBe(false);
      if (deep.code === 0) {
        // (the answer where the native stack backs QuickJS's; node's, a RangeError, where QuickJS's own limit comes first)
        expect(["600002\n", "caught RangeError\n"]).toContain(deep.stdout);
      } else {
        expect(deep.code).toBe(134);
        expect(deep.stderr).toContain("the sandboxed code exhausted the stack");
      }
    }, 120_000);

    test(`a require chain ${CHAIN} modules deep (guest, host, guest... nested calls into the guest): an error the guest catches, and it goes on`, async () => {
      const r = await edgeboxAsync(["run", `--engine=${engine}`, "main.js", "0"], { cwd: chain });
      expect(r).toEqual({ code: 0, stdout: "caught\nafter 1,2\n", stderr: "" });
      const short = await edgeboxAsync(["run", `--engine=${engine}`, "main.js", String(CHAIN - 100)], { cwd: chain });
      expect(short).toEqual({ code: 0, stdout: "100\nafter 1,2\n", stderr: "" });
    }, 120_000);

    test("--timeout stops a loop deep in recursion: exit 124", async () => {
      const r = await run("--timeout", "1500", f("spin-deep.js"), engine === "native" ? "15000" : "1000");
      expect(r).toEqual({ code: 124, stdout: "bottom\n", stderr: "edgebox: time limit exceeded (1500 ms)\n" });
    });

    test("--timeout reached in a nested call into the guest (a required module that spins): exit 124, the guest cannot catch it", async () => {
      const r = await run("--timeout", "800", f("require-spin.js"));
      expect(r).toEqual({ code: 124, stdout: "", stderr: "edgebox: time limit exceeded (800 ms)\n" });
    });

    test("memory running out during deep recursion is an error the guest catches, or a clear out-of-memory exit", async () => {
      const r = await run("--max-memory", "32", f("alloc-deep.js"));
      expect(crashed(r.code)).toBe(false);
      if (r.code === 0) expect(r.stdout).toMatch(/^caught (InternalError|RangeError)\n$/);
      else expect([r.code, r.stderr]).toEqual([137, "edgebox: out of memory (limit 32 MiB)\n"]);
    });

    test("a second deep recursion in the same run (from a timer) reaches the same depth", async () => {
      const r = await run(f("twice.js"));
      expect(r).toEqual({ code: 0, stdout: "true RangeError\n", stderr: "" });
    });

    test("a worker (another store on this thread) and its parent both recurse to their limits", async () => {
      const r = await run("--allow-read", f("worker-deep.js"));
      expect(r).toEqual({ code: 0, stdout: "main RangeError\nworker RangeError\n", stderr: "" });
    });

    for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
      test(`${sig} during deep recursion: the process exits with ${code}`, async () => {
        expect(await signalAtBottom([EDGEBOX, "run", `--engine=${engine}`, f("spin-deep.js"), engine === "native" ? "15000" : "1000"], sig)).toBe(code);
      });
    }
  });
}

describe("guest stack at runtime.stack_size's maximum (16 MiB)", () => {
  test("recursion through getters with host calls at every level: a RangeError, and the guest goes on", async () => {
    const r = await edgeboxAsync(["run", "--allow-read", "shapes.js", "getter"], { cwd: big });
    expect(r).toEqual({ code: 0, stdout: "caught RangeError\nafter 2,4,6\n", stderr: "" });
  });

  for (const [sig, code] of [["SIGINT", 130], ["SIGTERM", 143]] as const) {
    test(`--engine js (a second process backs the stack): ${sig} to the edgebox process alone, 15,000 calls deep, exits ${code}`, async () => {
      expect(await signalAtBottom([EDGEBOX, "run", "--engine=js", "spin-deep.js"], sig, big)).toBe(code);
    }, 60_000);
  }
});
