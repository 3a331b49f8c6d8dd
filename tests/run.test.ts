// `edgebox run` end to end through the compiled binary, on every engine.

import { describe, expect, test } from "bun:test";
import { join } from "node:path";
import { ENGINES, edgebox, tempApp } from "./helpers.ts";

for (const engine of ENGINES) {
  describe(`edgebox run --engine ${engine}`, () => {
    const run = (args: string[], cwd?: string) => edgebox(["run", `--engine=${engine}`, ...args], { cwd });
    const dir = tempApp({
      "hello.js": `console.log("hello from the sandbox");\n`,
      "argv.js": `console.log(JSON.stringify(process.argv.slice(1)));\n`,
      "exit3.js": `console.log("before"); process.exit(3); console.log("after");\n`,
      "exit-in-try.js": `try { process.exit(4) } catch { console.log("caught") } finally { console.log("finally") }\n`,
      "exitcode.js": `process.exitCode = 7; setTimeout(() => console.log("timer ran"), 5);\n`,
      "throw.js": `function fail() {\n  throw new TypeError("bad input");\n}\nfail();\n`,
      "reject.mjs": `await null;\nPromise.reject(new RangeError("rejected here"));\n`,
      "reject-value.js": `Promise.reject("plain");\n`,
      "syntax.js": `const ok = 1;\nlet broken = ;\n`,
      "lib.mjs": `export const double = (x) => x * 2;\nexport default "lib default";\n`,
      "main.mjs": `import def, { double } from "./lib.mjs";\nconsole.log(def, double(21));\n`,
      "tla.mjs": `const v = await new Promise((r) => setTimeout(() => r("awaited"), 10));\nconsole.log(v);\n`,
      "tla-auto.js": `import { double } from "./lib.mjs";\nconsole.log(await Promise.resolve(double(4)));\n`,
      "missing-import.mjs": `import "./nope.mjs";\n`,
      "console.js": [
        `console.log({ a: 1, b: "two", c: [1, 2, { d: { e: { f: 1 } } }] });`,
        `console.error("to stderr", 42);`,
        `console.warn("warned");`,
        `console.info("%s=%d", "x", 5);`,
      ].join("\n"),
      "microtasks.js": `Promise.resolve().then(() => console.log("microtask")); queueMicrotask(() => console.log("queued"));\nconsole.log("sync");\n`,
      "app/package.json": `{ "main": "start.js" }`,
      "app/start.js": `console.log("started from package.json main");\n`,
      "empty/README": "nothing to run here\n",
    });
    const f = (name: string) => join(dir, name);

    test("hello", () => {
      const r = run([f("hello.js")]);
      expect(r).toEqual({ code: 0, stdout: "hello from the sandbox\n", stderr: "" });
    });

    test("argv: [execPath, script, ...args], with flags passed through to the script", () => {
      const r = run([f("argv.js"), "a b", "--help", "-x", "--", "z"]);
      expect(r.code).toBe(0);
      expect(JSON.parse(r.stdout)).toEqual([f("argv.js"), "a b", "--help", "-x", "--", "z"]);
    });

    test("process.exit(3) stops at once with code 3", () => {
      expect(run([f("exit3.js")])).toEqual({ code: 3, stdout: "before\n", stderr: "" });
    });

    test("process.exit cannot be caught or delayed by finally", () => {
      expect(run([f("exit-in-try.js")])).toEqual({ code: 4, stdout: "", stderr: "" });
    });

    test("process.exitCode is the code once the loop is done", () => {
      expect(run([f("exitcode.js")])).toEqual({ code: 7, stdout: "timer ran\n", stderr: "" });
    });

    test("uncaught throw: exit 1, message and file:line:col on stderr, source line shown", () => {
      const r = run([f("throw.js")]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain("TypeError: bad input");
      expect(r.stderr).toContain(`at fail (${f("throw.js")}:2:`);
      expect(r.stderr.startsWith(`${f("throw.js")}:2\n  throw new TypeError("bad input");\n`)).toBe(true);
    });

    test("unhandled rejection: exit 1 with the error and its location", () => {
      const r = run([f("reject.mjs")]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("RangeError: rejected here");
      expect(r.stderr).toContain(`${f("reject.mjs")}:2:`);
    });

    test("unhandled rejection with a non-error value", () => {
      const r = run([f("reject-value.js")]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`The promise rejected with the reason "'plain'"`);
    });

    test("syntax error names file, line and column", () => {
      const r = run([f("syntax.js")]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("SyntaxError");
      expect(r.stderr).toContain(`${f("syntax.js")}:2:14`);
    });

    test("ESM import of a sibling (default and named)", () => {
      expect(run([f("main.mjs")])).toEqual({ code: 0, stdout: "lib default 42\n", stderr: "" });
    });

    test("top-level await", () => {
      expect(run([f("tla.mjs")])).toEqual({ code: 0, stdout: "awaited\n", stderr: "" });
    });

    test("an undeclared .js file with import syntax runs as an ES module", () => {
      expect(run([f("tla-auto.js")])).toEqual({ code: 0, stdout: "8\n", stderr: "" });
    });

    test("a missing import fails with ERR_MODULE_NOT_FOUND", () => {
      const r = run([f("missing-import.mjs")]);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`Cannot find module '${f("nope.mjs")}'`);
      expect(r.stderr).toContain("ERR_MODULE_NOT_FOUND");
    });

    test("console formats like node, to the right stream", () => {
      const r = run([f("console.js")]);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe("{ a: 1, b: 'two', c: [ 1, 2, { d: [Object] } ] }\nx=5\n");
      expect(r.stderr).toBe("to stderr 42\nwarned\n");
    });

    test("microtasks drain before exit", () => {
      expect(run([f("microtasks.js")]).stdout).toBe("sync\nmicrotask\nqueued\n");
    });

    test("a directory runs its package.json main", () => {
      expect(run([f("app")]).stdout).toBe("started from package.json main\n");
    });

    test("a directory without an entry point: one clear line, non-zero", () => {
      const r = run([f("empty")]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain("without an entry point");
    });

    test("a missing file: one clear line, non-zero", () => {
      const r = run([f("does-not-exist.js")]);
      expect(r.code).not.toBe(0);
      expect(r.stderr.trim().split("\n")).toHaveLength(1);
      expect(r.stderr).toContain("cannot find");
    });

    test("runs from another working directory, with a relative path", () => {
      const r = run(["hello.js"], dir);
      expect(r.stdout).toBe("hello from the sandbox\n");
      const r2 = run([join("..", "hello.js")], join(dir, "app"));
      expect(r2.stdout).toBe("hello from the sandbox\n");
    });
  });
}
