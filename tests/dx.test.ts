// Developer experience through the compiled binary: TypeScript, stack traces
// at the user's source (run, a linked bundle, a built artifact, serve's log),
// eval and stdin, the audit log, --watch, init, completions and help.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { EDGEBOX, collect, edgebox, edgeboxAsync, tempApp, waitFor } from "./helpers.ts";

/** The `at ...` lines of a stack trace, with `from` renamed `to` (to compare two files' frames). */
function frames(stderr: string, from = "", to = ""): string[] {
  return stderr
    .split("\n")
    .filter((l) => l.trimStart().startsWith("at "))
    .map((l) => (from ? l.replaceAll(from, to) : l).trim());
}

describe("TypeScript", () => {
  const dir = tempApp({
    "tsconfig.json": `{
  // paths as TypeScript resolves them; comments and trailing commas as tsconfig allows
  "compilerOptions": { "baseUrl": ".", "paths": { "@util/*": ["src/util/*"], }, },
}
`,
    "app.ts": [
      `import { Color, describe } from "./shapes.ts";`,
      `import type { Shape } from "./shapes.ts";`,
      `import { double } from "@util/math";`,
      `import { greet } from "./greet.js";`,
      ``,
      `interface Options {`,
      `  verbose: boolean;`,
      `}`,
      `const opts: Options = { verbose: true };`,
      `const s: Shape = { kind: "circle", r: 2 };`,
      `console.log(describe(s), Color[Color.Green], double(21), greet("ts"), opts.verbose);`,
      ``,
    ].join("\n"),
    "shapes.ts": [
      `export enum Color { Red, Green }`,
      `export type Shape = { kind: "circle"; r: number } | { kind: "square"; side: number };`,
      `export function describe(s: Shape): string {`,
      `  return s.kind === "circle" ? \`circle r=\${s.r}\` : \`square \${s.side}\`;`,
      `}`,
      ``,
    ].join("\n"),
    "src/util/math.ts": `export const double = (n: number): number => n * 2;\n`,
    "greet.ts": `export function greet<T extends string>(who: T): \`hello \${T}\` {\n  return \`hello \${who}\`;\n}\n`,
    "common.cts": `const { basename } = require("node:path") as typeof import("node:path");\nconst n: number = 3;\nmodule.exports = { name: basename(__filename), n };\n`,
    "uses-common.mts": `import common from "./common.cts";\nconsole.log(common.name, common.n);\n`,
    "tsx/tsconfig.json": `{ "compilerOptions": { "jsx": "react", "jsxFactory": "h" } }\n`,
    "tsx/view.tsx": `const h = (tag: string, _props: unknown, ...kids: string[]): string => \`<\${tag}>\${kids.join("")}</\${tag}>\`;\nconsole.log(<b>bold</b>);\n`,
    "bad.ts": `const x: number = ;\n`,
    "missing.ts": `try { require("no-such-package"); } catch (e) { console.log((e as Error).message.split("\\n")[0], String((e as Error).message).includes("tsconfig")); }\n`,
  });

  test("a missing package's error names the package, not a tsconfig the search passed", () => {
    expect(edgebox(["run", join(dir, "missing.ts")]).stdout).toBe("Cannot find module 'no-such-package' false\n");
  });

  test("edgebox build reads no tsconfig the app's policy hides", () => {
    const runtime = `export const jsx = (t) => "<" + t + ">";\nexport const jsxs = jsx, jsxDEV = jsx, Fragment = "";\n`;
    const outer = tempApp({
      "tsconfig.json": JSON.stringify({ compilerOptions: { jsx: "react", jsxFactory: "HIDDEN_FACTORY" } }),
      "app/.edgebox.json": JSON.stringify({ dirs: [{ path: ".", read: true }] }),
      "app/node_modules/react/package.json": `{ "name": "react", "type": "module" }`,
      "app/node_modules/react/jsx-runtime.js": runtime,
      "app/node_modules/react/jsx-dev-runtime.js": runtime,
      "app/view.tsx": `function f() { return <div />; }\nconsole.log(f.toString().includes("HIDDEN_FACTORY"), f());\n`,
    });
    const app = join(outer, "app");
    const b = edgebox(["build", "view.tsx", "--keep-source"], { cwd: app });
    expect(b.stderr).not.toContain("error");
    expect(edgebox(["run", "view.ebx"], { cwd: app }).stdout).toBe("false <div>\n");
  });

  test("an app with an interface, an enum, a type import, .ts imports, a .js specifier for a .ts file and tsconfig paths", () => {
    expect(edgebox(["run", join(dir, "app.ts")])).toEqual({ code: 0, stdout: "circle r=2 Green 42 hello ts true\n", stderr: "" });
  });

  test(".mts importing .cts; .tsx with the tsconfig's JSX factory", () => {
    expect(edgebox(["run", join(dir, "uses-common.mts")]).stdout).toBe("common.cts 3\n");
    expect(edgebox(["run", join(dir, "tsx", "view.tsx")]).stdout).toBe("<b>bold</b>\n");
  });

  test("a syntax error names the file, line and column", () => {
    const r = edgebox(["run", join(dir, "bad.ts")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("SyntaxError");
    expect(r.stderr).toContain(`${join(dir, "bad.ts")}:1:`);
  });

  test("a file's format and imports come from the cache on later runs; an entry that is not a scan, or an edit, is scanned again", () => {
    const cache = tempApp();
    const app = tempApp({ "main.ts": `import { n } from "./dep.ts";\nconst x: number = n;\nconsole.log(x);\n`, "dep.ts": `export const n: number = 7;\n` });
    const run = () => edgebox(["run", join(app, "main.ts")], { env: { XDG_CACHE_HOME: cache } });
    expect(run()).toEqual({ code: 0, stdout: "7\n", stderr: "" });
    const ts = join(cache, "edgebox", readdirSync(join(cache, "edgebox"))[0]!, "typescript");
    const scans = () => readdirSync(ts).filter((f) => f.endsWith(".scan.json"));
    expect(scans().length).toBe(2);
    expect(run()).toEqual({ code: 0, stdout: "7\n", stderr: "" });
    for (const f of scans()) writeFileSync(join(ts, f), `{"format":"esm","imports":[1]}`);
    expect(run()).toEqual({ code: 0, stdout: "7\n", stderr: "" });
    // the same file, now CommonJS: a scan of its own
    writeFileSync(join(app, "main.ts"), `const { n } = require("./dep.ts") as { n: number };\nconsole.log(n + 1);\n`);
    expect(run()).toEqual({ code: 0, stdout: "8\n", stderr: "" });
    expect(scans().length).toBe(3);
  });

  test("edgebox build takes a TypeScript entry", () => {
    const out = join(dir, "app.ebx");
    expect(edgebox(["build", join(dir, "app.ts"), "-o", out]).code).toBe(0);
    expect(edgebox(["run", out]).stdout).toBe("circle r=2 Green 42 hello ts true\n");
  });
});

describe("stack traces point at the user's source", () => {
  // The same program twice: in TypeScript, and as the JavaScript it means with
  // every line where it is. Frames of the TypeScript run must equal the
  // JavaScript run's: the position QuickJS reports, mapped back exactly.
  const ts = [
    `// types on the lines around the throw`,
    `interface Reason {`,
    `  why: string;`,
    `}`,
    `type Code = number;`,
    `function explode(r: Reason, code: Code): never {`,
    `  throw new Error(\`exploded: \${r.why} \${code}\`);`,
    `}`,
    `explode({ why: "typed" }, 7);`,
    ``,
  ].join("\n");
  const js = ts
    .replace(/interface Reason \{\n {2}why: string;\n\}/, "\n\n")
    .replace("type Code = number;", "")
    .replace("(r: Reason, code: Code): never", "(r, code)");
  const dir = tempApp({
    "fail.ts": ts,
    "fail.js": js,
    "lib.ts": `export function fail(x: number): never {\n  throw new RangeError("bad " + x);\n}\n`,
    "main.ts": `import { fail } from "./lib.ts";\ninterface A { n: number }\nconst a: A = { n: 5 };\nfail(a.n);\n`,
    "from-js.mjs": `import { fail } from "./lib.ts";\nfail(6);\n`,
    "caught.ts": `import { fail } from "./lib.ts";\ntry {\n  fail(1);\n} catch (e) {\n  console.log((e as Error).stack);\n  console.log(new Error("made here").stack);\n}\n`,
    "capture.ts": [
      `interface Made { e: Error }`,
      `function probe(): Made {`,
      `  const e = new Error("first");`,
      `  Error.captureStackTrace(e);`,
      `  return { e };`,
      `}`,
      `const { e } = probe();`,
      `e.message = "second";`,
      `console.log(e.stack);`,
      `const o: { stack?: string } = {};`,
      `Error.captureStackTrace(o);`,
      `o.stack = "replaced";`,
      `console.log(o.stack, Object.keys(o).length, Object.getOwnPropertyDescriptor(o, "stack")!.writable);`,
      ``,
    ].join("\n"),
    "handler.ts": [
      `interface Env { GREETING?: string }`,
      `export default {`,
      `  async fetch(req: Request, env: Env): Promise<Response> {`,
      `    if (new URL(req.url).pathname === "/boom") throw new TypeError("handler failed");`,
      `    return new Response("ok");`,
      `  },`,
      `};`,
      ``,
    ].join("\n"),
  });

  test("a TypeScript file: the original file:line:column, and its source line under the caret", () => {
    const r = edgebox(["run", join(dir, "fail.ts")]);
    const plain = edgebox(["run", join(dir, "fail.js")]);
    expect(r.code).toBe(1);
    expect(frames(r.stderr)).toEqual(frames(plain.stderr, "fail.js", "fail.ts"));
    expect(frames(r.stderr)[0]).toMatch(new RegExp(`^at explode \\(${join(dir, "fail.ts")}:7:\\d+\\)$`));
    expect(frames(r.stderr)[1]).toMatch(new RegExp(`^at ${join(dir, "fail.ts")}:9:\\d+$`));
    expect(r.stderr).toContain(`${join(dir, "fail.ts")}:7\n  throw new Error(\`exploded: \${r.why} \${code}\`);\n`);
    expect(r.stderr).toContain("Error: exploded: typed 7");
  });

  test("TypeScript across files, a bundle with a linked source map, and a built artifact: the same original positions", async () => {
    const run = frames(edgebox(["run", join(dir, "main.ts")]).stderr);
    expect(run[0]).toMatch(new RegExp(`^at fail \\(${join(dir, "lib.ts")}:2:\\d+\\)$`));
    expect(run[1]).toMatch(new RegExp(`^at ${join(dir, "main.ts")}:4:\\d+$`));

    // a bundle made by another tool, naming its map with //# sourceMappingURL=
    const b = await Bun.build({ entrypoints: [join(dir, "main.ts")], outdir: join(dir, "out"), sourcemap: "linked", target: "node" });
    expect(b.success).toBe(true);
    // a JavaScript main file importing TypeScript by its name
    expect(frames(edgebox(["run", join(dir, "from-js.mjs")]).stderr)[0]).toBe(run[0]!);

    const bundled = edgebox(["run", join(dir, "out", "main.js")]);
    expect(bundled.code).toBe(1);
    expect(frames(bundled.stderr)).toEqual(run);

    // the same map as other tools also write it: an index map (sections), its sources under a sourceRoot
    const map = JSON.parse(readFileSync(join(dir, "out", "main.js.map"), "utf8"));
    expect(map.sources.every((s: string) => s.startsWith("../"))).toBe(true);
    const index = { version: 3, sections: [{ offset: { line: 0, column: 0 }, map: { ...map, sourceRoot: "..", sources: map.sources.map((s: string) => s.slice(3)) } }] };
    writeFileSync(join(dir, "out", "index.js.map"), JSON.stringify(index));
    writeFileSync(join(dir, "out", "index.js"), readFileSync(join(dir, "out", "main.js"), "utf8").replace(/sourceMappingURL=main\.js\.map/, "sourceMappingURL=index.js.map"));
    expect(frames(edgebox(["run", join(dir, "out", "index.js")]).stderr)).toEqual(run);

    const artifact = join(dir, "main.ebx");
    expect(edgebox(["build", join(dir, "main.ts"), "-o", artifact]).code).toBe(0);
    const built = edgebox(["run", artifact]);
    expect(built.stderr).toContain("RangeError: bad 5");
    expect(frames(built.stderr)).toEqual(run);
  });

  test("err.stack read by the app is mapped too (a caught error, a new Error)", () => {
    const r = edgebox(["run", join(dir, "caught.ts")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("RangeError: bad 1\n");
    expect(r.stdout).toMatch(new RegExp(`at fail \\(${join(dir, "lib.ts")}:2:\\d+\\)`));
    expect(r.stdout).toMatch(new RegExp(`at ${join(dir, "caught.ts")}:3:\\d+`));
    expect(r.stdout).toMatch(new RegExp(`Error: made here\n\\s+at ${join(dir, "caught.ts")}:6:\\d+`));
  });

  test("Error.captureStackTrace: formatted and mapped when first read, as V8 does (the header then, the original line)", () => {
    const r = edgebox(["run", join(dir, "capture.ts")]);
    expect(r.stderr).toBe("");
    expect(r.stdout).toMatch(new RegExp(`^Error: second\n\\s+at probe \\(${join(dir, "capture.ts")}:4:\\d+\\)\n\\s+at ${join(dir, "capture.ts")}:7:\\d+\n`));
    expect(r.stdout).toEndWith("replaced 0 true\n");
  });

  test("edgebox serve: the 500's log names the handler's TypeScript line", async () => {
    const proc = Bun.spawn([EDGEBOX, "serve", join(dir, "handler.ts"), "--port", "0", "--workers", "1"], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    try {
      const got = collect(proc);
      const log = () => got.stdout + got.stderr;
      await waitFor(() => /http:\/\/[\d.]+:\d+\//.test(log()));
      const url = /http:\/\/([\d.]+:\d+)\//.exec(log())?.[0];
      expect(url).toBeDefined();
      expect((await fetch(url + "ok")).status).toBe(200);
      expect((await fetch(url + "boom")).status).toBe(500);
      await waitFor(() => log().includes("handler failed"));
      expect(log()).toContain("TypeError: handler failed");
      expect(log()).toMatch(new RegExp(`at fetch \\(${join(dir, "handler.ts")}:4:\\d+\\)`));
    } finally {
      proc.kill("SIGKILL");
    }
  });
});

describe("eval and stdin", () => {
  const dir = tempApp({
    ".edgebox.json": JSON.stringify({ env: ["EB_VISIBLE"] }),
    "lib.js": `module.exports = (x) => x * 3;\n`,
  });
  const outside = tempApp({ "secret.txt": "secret\n" });
  const env = { EB_VISIBLE: "seen", EB_HIDDEN: "hidden" };

  test("-e runs the code; arguments after it are the code's", () => {
    expect(edgebox(["run", "-e", "console.log(1 + 1, process.argv.slice(1))", "a", "--b"], { cwd: dir })).toEqual({ code: 0, stdout: "2 [ 'a', '--b' ]\n", stderr: "" });
  });

  test("`-` reads the code from stdin; it requires relative to the current directory", () => {
    const r = edgebox(["run", "-"], { cwd: dir, stdin: `const triple = require("./lib.js");\nconsole.log(triple(14));\n` });
    expect(r).toEqual({ code: 0, stdout: "42\n", stderr: "" });
    expect(edgebox(["run", "-"], { cwd: dir, stdin: `import { basename } from "node:path";\nconsole.log(basename(import.meta.filename));\n` }).stdout).toBe("[stdin]\n");
  });

  test("the current directory's policy applies: its variables, and nothing beyond its grants", () => {
    expect(edgebox(["run", "-e", "console.log(process.env.EB_VISIBLE, process.env.EB_HIDDEN)"], { cwd: dir, env }).stdout).toBe("seen undefined\n");
    const read = edgebox(["run", "-e", `require("fs").readFileSync(${JSON.stringify(join(outside, "secret.txt"))})`], { cwd: dir });
    expect(read.code).toBe(1);
    expect(read.stderr).toContain("EACCES");
    const target = join(outside, "written.txt");
    const write = edgebox(["run", "-"], { cwd: dir, stdin: `require("fs").writeFileSync(${JSON.stringify(target)}, "x")` });
    expect(write.code).toBe(1);
    expect(write.stderr).toContain("EACCES");
    expect(existsSync(target)).toBe(false);
  });

  test("eval is CommonJS unless it is module syntax, whatever package.json says (as node -e)", () => {
    const esmDir = tempApp({ "package.json": `{ "type": "module" }` });
    expect(edgebox(["run", "-e", "console.log(typeof require)"], { cwd: esmDir }).stdout).toBe("function\n");
    expect(edgebox(["run", "-e", "import path from 'node:path'; console.log(typeof path.join)"], { cwd: esmDir }).stdout).toBe("function\n");
  });

  test("a syntax error in eval is a SyntaxError, exit 1; no code at all is a usage error", () => {
    const r = edgebox(["run", "-e", "let = ;"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("SyntaxError");
    const none = edgebox(["run"], { cwd: dir });
    expect(none.code).toBe(2);
    expect(none.stderr).toContain("needs <script>, or code with -e");
  });
});

describe("audit log", () => {
  let server: ReturnType<typeof Bun.serve> | undefined;
  afterAll(() => server?.stop(true));

  test("one JSON line per decision: granted and denied reads (caught or not), a spawn, fetches, variables", async () => {
    server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("pong") });
    const data = tempApp({ "data.txt": "data\n" });
    const outside = tempApp({ "secret.txt": "secret\n" });
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({
        env: ["EB_AUDITED"],
        dirs: [{ path: data, read: true }, { path: dirname(Bun.which("echo") ?? "/usr/bin/echo"), read: true, execute: true }],
        allowedUrls: [`http://127.0.0.1:${server.port}/*`],
        commands: { echo: true },
        processSandbox: "best-effort",
      }),
      "app.mjs": [
        `import fs from "node:fs";`,
        `import { execFileSync } from "node:child_process";`,
        `fs.readFileSync(${JSON.stringify(join(data, "data.txt"))});`,
        `try { fs.readFileSync(${JSON.stringify(join(outside, "secret.txt"))}); } catch {}`,
        `execFileSync("echo", ["audited", "run"]);`,
        `try { execFileSync("cat", ["/etc/hostname"]); } catch {}`,
        `console.log(await (await fetch("http://127.0.0.1:${server.port}/ping")).text());`,
        `try { await fetch("http://127.0.0.2:9/blocked"); } catch {}`,
        `console.log(process.env.EB_AUDITED);`,
      ].join("\n"),
    });
    const log = join(dir, "audit.jsonl");
    const r = await edgeboxAsync(["run", "--audit", log, "app.mjs"], { cwd: dir, env: { EB_AUDITED: "yes" } });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("pong\nyes\n");
    const lines = readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    for (const l of lines) {
      expect(Object.keys(l).sort()).toEqual(["allowed", "capability", "rule", "target", "time"]);
      expect(Number.isNaN(Date.parse(l.time))).toBe(false);
    }
    const find = (capability: string, target: string) => lines.find((l) => l.capability === capability && l.target === target);
    expect(find("env", "EB_AUDITED")).toMatchObject({ allowed: true });
    expect(find("read", join(data, "data.txt"))).toMatchObject({ allowed: true });
    expect(find("read", join(outside, "secret.txt"))).toMatchObject({ allowed: false, rule: `no grant covers ${join(outside, "secret.txt")}` });
    expect(find("run", "echo audited run")).toMatchObject({ allowed: true });
    expect(find("run", "cat /etc/hostname")).toMatchObject({ allowed: false });
    expect(find("net", `http://127.0.0.1:${server.port}/ping`)).toMatchObject({ allowed: true });
    expect(find("net", "http://127.0.0.2:9/blocked")).toMatchObject({ allowed: false });
  });

  test("edgebox serve --audit: the decisions of every request", async () => {
    const dir = tempApp({ "h.mjs": `import fs from "node:fs";\nexport default { fetch(req) { try { fs.readFileSync(new URL(req.url).searchParams.get("p")); } catch {} return new Response("done"); } };\n` });
    const log = join(dir, "serve-audit.jsonl");
    const proc = Bun.spawn([EDGEBOX, "serve", "h.mjs", "--port", "0", "--workers", "1", "--audit", log], { cwd: dir, stdout: "pipe", stderr: "pipe" });
    try {
      const got = collect(proc);
      await waitFor(() => /http:\/\/[\d.]+:\d+\//.test(got.stdout + got.stderr));
      const url = /http:\/\/([\d.]+:\d+)\//.exec(got.stdout + got.stderr)![0];
      for (const p of ["/etc/shadow", "/etc/hostname"]) expect(await (await fetch(`${url}?p=${p}`)).text()).toBe("done");
      const lines = readFileSync(log, "utf8").trim().split("\n").map((l) => JSON.parse(l));
      expect(lines).toContainEqual(expect.objectContaining({ capability: "read", target: "/etc/shadow", allowed: false }));
      expect(lines).toContainEqual(expect.objectContaining({ capability: "read", target: "/etc/hostname", allowed: false }));
    } finally {
      proc.kill("SIGKILL");
    }
  });

  test("the policy's audit field; nothing is written without one", () => {
    const dir = tempApp({ "app.js": `try { require("fs").readFileSync("/etc/shadow") } catch {}\n` });
    expect(edgebox(["run", "app.js"], { cwd: dir }).code).toBe(0);
    expect(readdirSync(dir)).toEqual(["app.js"]);
    writeFileSync(join(dir, ".edgebox.json"), JSON.stringify({ audit: "./decisions.jsonl" }));
    expect(edgebox(["run", "app.js"], { cwd: dir }).code).toBe(0);
    // the log sits in the app's directory, yet the app can neither read nor write it
    const peek = edgebox(["run", "-e", `for (const f of ["readFileSync", "appendFileSync"]) try { require("fs")[f]("decisions.jsonl", ""); console.log(f, "ok"); } catch (e) { console.log(f, e.code); }`], { cwd: dir });
    expect(peek.stdout).toBe("readFileSync EACCES\nappendFileSync EACCES\n");
    const lines = readFileSync(join(dir, "decisions.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toContainEqual(expect.objectContaining({ capability: "read", target: "/etc/shadow", allowed: false }));
  });
});

describe("--watch", () => {
  test("runs again when a file the app imported changes, and when its policy changes", async () => {
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({ env: [] }),
      "app.ts": `import { value } from "./dep.ts";\nconsole.log("value", value, process.env.EB_WATCHED);\n`,
      "dep.ts": `export const value: number = 1;\n`,
    });
    const proc = Bun.spawn([EDGEBOX, "run", "--watch", "app.ts"], { cwd: dir, env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "/root", EB_WATCHED: "granted" }, stdout: "pipe", stderr: "pipe" });
    const got = collect(proc);
    try {
      expect(await waitFor(() => got.stderr.includes("watching 3 files"))).toBe(true);
      expect(got.stdout).toBe("value 1 undefined\n");
      writeFileSync(join(dir, "dep.ts"), `export const value: number = 2;\n`);
      expect(await waitFor(() => got.stdout.includes("value 2"))).toBe(true);
      expect(got.stderr).toContain(`${join(dir, "dep.ts")} changed; running again`);
      expect(await waitFor(() => (got.stderr.match(/watching 3 files/g) ?? []).length === 2)).toBe(true);
      writeFileSync(join(dir, ".edgebox.json"), JSON.stringify({ env: ["EB_WATCHED"] }));
      expect(await waitFor(() => got.stdout.includes("value 2 granted"))).toBe(true);
      proc.kill("SIGINT");
      expect(await proc.exited).toBe(130);
    } finally {
      proc.kill("SIGKILL");
    }
  });

  test("--watch needs a file", () => {
    const r = edgebox(["run", "--watch", "-e", "1"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--watch needs a script file");
  });
});

describe("edgebox init", () => {
  test("writes .edgebox.json with $schema, the app's directory read-only; edgebox check accepts it; it refuses to overwrite", () => {
    const dir = tempApp({ "app.js": `require("fs").writeFileSync("out.txt", "x");\n`, "data.txt": "here\n" });
    const r = edgebox(["init"], { cwd: dir });
    expect(r.code).toBe(0);
    const policy = JSON.parse(readFileSync(join(dir, ".edgebox.json"), "utf8"));
    expect(policy.$schema).toMatch(/^https:\/\/.+\/edgebox\.schema\.json$/);
    expect(policy.dirs).toEqual([{ path: ".", read: true }]);
    const check = edgebox(["check"], { cwd: dir });
    expect(check.code).toBe(0);
    expect(check.stdout).toContain(dir);
    // the app may read its directory and do nothing else
    expect(edgebox(["run", "-e", `console.log(require("fs").readFileSync("data.txt", "utf8").trim())`], { cwd: dir }).stdout).toBe("here\n");
    const write = edgebox(["run", "app.js"], { cwd: dir });
    expect(write.code).toBe(1);
    expect(write.stderr).toContain("EACCES");
    expect(existsSync(join(dir, "out.txt"))).toBe(false);

    const before = readFileSync(join(dir, ".edgebox.json"), "utf8");
    const again = edgebox(["init"], { cwd: dir });
    expect(again.code).not.toBe(0);
    expect(again.stderr).toContain("already exists");
    expect(edgebox(["init", "--toml"], { cwd: dir }).code).not.toBe(0);
    expect(readFileSync(join(dir, ".edgebox.json"), "utf8")).toBe(before);
    expect(existsSync(join(dir, "edgebox.toml"))).toBe(false);
  });

  test("--toml writes a commented edgebox.toml that edgebox check accepts", () => {
    const dir = tempApp();
    expect(edgebox(["init", "--toml", dir]).code).toBe(0);
    const toml = readFileSync(join(dir, "edgebox.toml"), "utf8");
    expect(toml).toContain("# ");
    expect(toml).toContain('"$schema" = ');
    const check = edgebox(["check", join(dir, "edgebox.toml")]);
    expect(check.code).toBe(0);
  });
});

describe("completions and help", () => {
  const shells = ["bash", "zsh", "fish"] as const;
  for (const shell of shells) {
    test(`${shell}: the script parses${Bun.which(shell) ? "" : ` (${shell} is not installed here: not checked)`}`, () => {
      const r = edgebox(["completions", shell]);
      expect(r.code).toBe(0);
      expect(r.stdout).toContain("edgebox");
      const bin = Bun.which(shell);
      if (!bin) return;
      const file = join(tempApp(), `edgebox.${shell}`);
      writeFileSync(file, r.stdout);
      const parse = Bun.spawnSync([bin, "-n", file], { stderr: "pipe" });
      expect(parse.stderr.toString()).toBe("");
      expect(parse.exitCode).toBe(0);
    });
  }

  test("bash completes commands and a command's flags", () => {
    const file = join(tempApp(), "edgebox.bash");
    writeFileSync(file, edgebox(["completions", "bash"]).stdout);
    const complete = (line: string) => {
      const words = line.split(" ");
      const script = `source ${file}; COMP_WORDS=(${words.map((w) => `'${w}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _edgebox; printf '%s\\n' "\${COMPREPLY[@]}"`;
      return Bun.spawnSync(["bash", "-c", script]).stdout.toString().trim().split("\n");
    };
    expect(complete("edgebox ru")).toEqual(["run"]);
    expect(complete("edgebox run --allow-r")).toEqual(["--allow-read", "--allow-run"]);
    expect(complete("edgebox init --t")).toEqual(["--toml"]);
  });

  test("every command's --help shows its flags as typed and examples; edgebox help <command>", async () => {
    const { commands } = await import("../cmd/commands.ts");
    for (const name of Object.keys(commands)) {
      const r = edgebox([name, "--help"], { env: { NO_COLOR: "1" } });
      expect(r.code).toBe(0);
      expect(r.stdout).toContain(`edgebox ${name}`);
      expect(r.stdout).toContain("EXAMPLES");
      expect(r.stdout).not.toMatch(/--[a-z]+[A-Z]/); // camelCase would not parse
    }
    const help = edgebox(["help", "run"], { env: { NO_COLOR: "1" } });
    expect(help.stdout).toContain("--allow-read");
    expect(help.stdout).toContain("edgebox run -e");
    const unknown = edgebox(["help", "nosuch"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no command 'nosuch'");
  });
});

describe("a variable the policy hides", () => {
  const dir = tempApp({
    ".edgebox.json": JSON.stringify({ env: ["SHOWN"] }),
    "env.js": `console.log(process.env.EB_HIDDEN, "EB_HIDDEN" in process.env, process.env.EB_UNSET, process.env.SHOWN, process.env.EB_HIDDEN2);\n`,
  });
  const env = { EB_HIDDEN: "secret-value", EB_HIDDEN2: "x", SHOWN: "yes" };

  test("stays absent; one hint on stderr names it and the fix, never its value", () => {
    const r = edgebox(["run", "env.js"], { cwd: dir, env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("undefined false undefined yes undefined\n");
    const lines = r.stderr.trim().split("\n");
    expect(lines).toHaveLength(1);
    expect(lines[0]).toContain("the app read EB_HIDDEN, which is set but hidden by the policy");
    expect(lines[0]).toContain('add "EB_HIDDEN" to "env" in');
    expect(lines[0]).toContain("--allow-env=EB_HIDDEN");
    expect(r.stderr).not.toContain("secret-value");
  });

  test("no hint for a variable that is not set, nor with --quiet; --audit records each hidden one read", () => {
    expect(edgebox(["run", "env.js"], { cwd: dir, env: { SHOWN: "yes" } }).stderr).toBe("");
    const audit = join(dir, "audit.jsonl");
    const r = edgebox(["run", "--quiet", "--audit", audit, "env.js"], { cwd: dir, env });
    expect(r.stderr).toBe("");
    const denied = readFileSync(audit, "utf8").trim().split("\n").map((l) => JSON.parse(l)).filter((e) => e.capability === "env" && !e.allowed);
    expect(denied.map((e) => e.target).sort()).toEqual(["EB_HIDDEN", "EB_HIDDEN2"]);
    expect(readFileSync(audit, "utf8")).not.toContain("secret-value");
  });
});

describe("serve on a busy port", () => {
  test("says so at once and suggests --port", async () => {
    const busy = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("taken") });
    try {
      const dir = tempApp({ "app.mjs": `console.error("top level ran");\nexport default { fetch() { return new Response("x"); } };\n` });
      const r = await edgeboxAsync(["serve", "app.mjs", "--port", String(busy.port), "--workers", "1"], { cwd: dir });
      expect(r.code).not.toBe(0);
      expect(r.stderr).toContain(`port ${busy.port} on 127.0.0.1 is in use: pick another with --port`);
      expect(r.stderr).not.toContain("top level ran"); // said before the app's image is built (~2 s), not after
    } finally {
      busy.stop(true);
    }
  });
});

describe("the test command on a fresh machine", () => {
  const root = join(import.meta.dir, "..");

  test("npm test installs what the suites need first, and gives bun its per-test timeout (bunfig's is not read)", () => {
    const pkg = JSON.parse(readFileSync(join(root, "package.json"), "utf8"));
    expect(pkg.scripts.test).toStartWith("tests/prepare.sh && ");
    expect(pkg.scripts.test).toContain("bun test --timeout 60000");
    // where nothing can be installed (no apt-get, not root): one line naming the packages
    const p = Bun.spawnSync(["/bin/bash", join(root, "tests", "prepare.sh")], { env: { PATH: "/nonexistent" }, stdout: "pipe", stderr: "pipe" });
    expect(p.exitCode).toBe(0);
    const out = p.stdout.toString();
    expect(out.trim().split("\n")).toHaveLength(1);
    for (const name of ["bubblewrap", "ruby", "zsh", "fish"]) expect(out).toContain(name);
  });

  test("a security test that cannot run is skipped, and fails the run under CI=true", () => {
    const dir = tempApp({
      "sec.test.ts": `import { securityTest } from ${JSON.stringify(join(import.meta.dir, "helpers.ts"))};\nsecurityTest("a tool this machine lacks")("needs it", () => {});\n`,
    });
    const run = (ci: Record<string, string>) =>
      Bun.spawnSync([process.execPath, "test", join(dir, "sec.test.ts")], { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...ci }, stdout: "pipe", stderr: "pipe" });
    const local = run({});
    expect(local.exitCode).toBe(0);
    expect(local.stderr.toString()).toContain("1 skip");
    const ci = run({ CI: "true" });
    expect(ci.exitCode).toBe(1);
    expect(ci.stderr.toString()).toContain("a security test could not run under CI: this machine lacks a tool this machine lacks");
  });
});

describe("daemon settings", () => {
  test("daemon.port, daemon.host and daemon.exec_timeout_ms are what serve uses (none ignored)", async () => {
    const free = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const port = free.port!;
    free.stop(true);
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({ daemon: { port, host: "127.0.0.1", exec_timeout_ms: 300, pool_size: 1 } }),
      "app.mjs": `export default { fetch(request) { if (new URL(request.url).pathname === "/spin") for (;;) {} return new Response("ok"); } };\n`,
    });
    const proc = Bun.spawn([EDGEBOX, "serve", "app.mjs", "--workers", "1"], { cwd: dir, env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root" }, stdout: "pipe", stderr: "pipe" });
    try {
      const got = collect(proc);
      expect(await waitFor(() => got.stderr.includes("serving") || got.stdout.includes("serving"), 30000)).toBe(true);
      expect(got.stderr + got.stdout).toContain(`http://127.0.0.1:${port}/`);
      expect(await (await fetch(`http://127.0.0.1:${port}/`)).text()).toBe("ok");
      expect((await fetch(`http://127.0.0.1:${port}/spin`)).status).toBe(504);
    } finally {
      proc.kill("SIGTERM");
      await proc.exited;
    }
  }, 60000);
});
