// edgebox build: artifacts of scripts, ES module and CommonJS apps, app
// directories; fresh argv/env/clock/random per run; the policy applies as to
// scripts; damaged, foreign and mismatched artifacts are refused; frozen
// functions print exactly what the interpreter prints.

import { describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { basename, join } from "node:path";
import { MAGIC, readArtifact, writeArtifact, type ArtifactHeader } from "../internal/build/artifact.ts";
import { buildAsUser, EDGEBOX, edgebox, edgeboxAsync, nodeAsync, spawnAsync, tempApp } from "./helpers.ts";

// As install.sh leaves a user's machine: only PATH, without Zig (freezing needs no toolchain).
const env = { PATH: "/usr/bin:/bin" };
const build = buildAsUser;

/** `file` in `dir` built and its artifact run: it prints `stdout` and nothing on stderr (within the instruction budget of the app's policy, where a test sets one). */
function builtPrints(dir: string, file: string, stdout: string): void {
  build(dir, [file]);
  const r = edgebox(["run", file.replace(/\.js$/, ".ebx")], { cwd: dir });
  expect(r.stderr).toBe("");
  expect(r.stdout).toBe(stdout);
}

/** --explain says each of `names` is frozen whole. */
function expectFrozen(out: string, names: string[]) {
  for (const name of names) expect(out).toMatch(new RegExp(`frozen {5}${name} \\(`));
}

/** tests/freeze/<file> built (with --explain) and run, interpreted and under node: the same output, at least `lines` of it. What the build said. */
async function differential(file: string, lines: number) {
  const dir = tempApp({ [file]: readFileSync(join(import.meta.dir, "freeze", file), "utf8") });
  const b = build(dir, [file, "--explain"]);
  const [frozen, interpreted, node] = await Promise.all([
    edgeboxAsync(["run", file.replace(/\.js$/, ".ebx")], { cwd: dir }),
    edgeboxAsync(["run", file], { cwd: dir }),
    nodeAsync([file], { cwd: dir }),
  ]);
  expect(node.stdout.split("\n").length).toBeGreaterThan(lines);
  expect(interpreted.stdout).toBe(node.stdout);
  expect(frozen.stdout).toBe(interpreted.stdout);
  expect(frozen.code).toBe(0);
  return b;
}

describe("build and run", () => {
  test("a script: argv, exit code, stderr; the build reports its stages", () => {
    const dir = tempApp({ "hello.js": `console.log("hello", process.argv.slice(2)); console.error("to stderr"); process.exitCode = 3;` });
    const b = build(dir, ["hello.js"]);
    for (const stage of ["bundle", "freeze", "bytecode", "pre-initialise", "native code", "artifact"]) expect(b.stderr).toContain(stage);
    expect(b.stderr).toMatch(/built .*hello\.ebx in \d+ ms/);
    expect(readFileSync(join(dir, "hello.ebx")).subarray(0, 16)).toEqual(Buffer.from(MAGIC));
    const r = edgebox(["run", "hello.ebx", "a", "--b"], { cwd: dir });
    expect(r).toEqual({ code: 3, stdout: "hello [ 'a', '--b' ]\n", stderr: "to stderr\n" });
  });

  test("an ES module app with imports, node: built-ins and top-level await prints what its source prints", async () => {
    const files = {
      "main.mjs": `import { greet } from "./lib/greet.mjs";\nimport path from "node:path";\nimport { EventEmitter } from "events";\nconst n = await Promise.resolve(2);\nconst e = new EventEmitter();\ne.on("x", (v) => console.log(greet(v), path.basename("/a/b.txt"), n, import.meta.url.startsWith("file://")));\ne.emit("x", "world");\nexport const answer = 42;\n`,
      "lib/greet.mjs": `export const greet = (who) => \`hello \${who}\`;\n`,
    };
    const dir = tempApp(files);
    build(dir, ["main.mjs", "-o", "app.ebx"]);
    const [built, source] = await Promise.all([edgeboxAsync(["run", "app.ebx"], { cwd: dir }), edgeboxAsync(["run", "main.mjs"], { cwd: dir })]);
    expect(source.stdout).toBe("hello world b.txt 2 true\n");
    expect(built).toEqual(source);
  });

  test("a built app's awaits carry AsyncLocalStorage's store, and its v-flag literals work, as under node", async () => {
    const main = `import { AsyncLocalStorage } from "node:async_hooks";
const als = new AsyncLocalStorage();
const seen = [];
const step = async (tag) => { await null; seen.push(tag + "=" + als.getStore()); await new Promise((r) => setTimeout(r, 1)); seen.push(tag + "+" + als.getStore()); };
await Promise.all([als.run("a", () => step("a")), als.run("b", () => step("b"))]);
for await (const x of [1]) seen.push("loop=" + als.getStore());
console.log(seen.sort().join(" "), "a-b;;c".replace(/-|;;/gv, "_"));
`;
    const dir = tempApp({ "main.mjs": main });
    build(dir, ["main.mjs", "-o", "app.ebx"]);
    const [built, expected] = await Promise.all([edgeboxAsync(["run", "app.ebx"], { cwd: dir }), nodeAsync([join(dir, "main.mjs")], { cwd: dir })]);
    expect(expected.stdout).toBe("a+a a=a b+b b=b loop=undefined a_b_c\n");
    expect(built.stdout).toBe(expected.stdout);
  });

  test("a CommonJS app with node_modules, and an app directory with package.json main", async () => {
    const dir = tempApp({
      "package.json": JSON.stringify({ name: "app", main: "src/index.js" }),
      "src/index.js": `const pad = require("left-pad");\nconst { join } = require("path");\nconsole.log(pad("7", 3, "0"), join("a", "b"), require("./data.json").ok);\n`,
      "src/data.json": `{ "ok": true }`,
      "node_modules/left-pad/package.json": JSON.stringify({ name: "left-pad", main: "index.js" }),
      "node_modules/left-pad/index.js": `module.exports = (s, n, c) => String(s).padStart(n, c);\n`,
    });
    build(dir, [".", "-o", "dir.ebx"]);
    const [built, expected] = await Promise.all([edgeboxAsync(["run", "dir.ebx"], { cwd: dir }), nodeAsync(["src/index.js"], { cwd: dir })]);
    expect(expected.stdout).toBe("007 a/b true\n");
    expect(built.stdout).toBe(expected.stdout);
    expect(built.code).toBe(0);
  });

  test("an artifact carries no native code; --portable does not precompile it here either", () => {
    const dir = tempApp({ "p.js": `console.log(40 + 2);` });
    expect(build(dir, ["p.js"]).stderr).toContain("native code");
    expect(readArtifact(join(dir, "p.ebx")).header.parts.map((p) => p.name).filter((n) => n.endsWith(".cwasm"))).toEqual([]);
    const b = build(dir, ["p.js", "-o", "q.ebx", "--portable"]);
    expect(b.stderr).not.toContain("native code");
    expect(edgebox(["run", "q.ebx"], { cwd: dir }).stdout).toBe("42\n");
  });

  test("after a build, the app's first run compiles nothing: the native extensions it links on first use are precompiled too", () => {
    const dir = tempApp({ "u.js": `console.log(new URL("https://example.com/a/b?x=1").pathname, new TextEncoder().encode("hé").length, crypto.randomUUID().length);` });
    const cache = join(dir, "cache");
    const compiled = () => readdirSync(cache, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".cwasm")).sort();
    const b = edgebox(["build", "u.js"], { cwd: dir, env: { PATH: "/usr/bin:/bin", XDG_CACHE_HOME: cache } });
    expect(b.code).toBe(0);
    const afterBuild = compiled();
    expect(afterBuild.some((f) => basename(f).startsWith("ext-url-"))).toBe(true);
    const r = edgebox(["run", "u.ebx"], { cwd: dir, env: { XDG_CACHE_HOME: cache } });
    expect(r.stdout).toBe("/a/b 3 36\n");
    expect(compiled()).toEqual(afterBuild);
  });

  test("native code inside an artifact is never run (Wasmtime would trust it): another app's, planted as module.cwasm", () => {
    const dir = tempApp({ "a.js": `console.log("I am A");`, "b.js": `console.log("I am B");` });
    build(dir, ["a.js"]);
    build(dir, ["b.js"]);
    // A's native code, as this machine's cache holds it after the build
    const hashA = readArtifact(join(dir, "a.ebx")).header.parts.find((p) => p.name === "module.wasm")!.hash;
    const root = join(process.env.HOME ?? "/root", ".cache", "edgebox");
    const entry = readdirSync(root, { recursive: true, encoding: "utf8" }).find((f) => basename(f).startsWith(`app-module-${hashA}-f`) && f.endsWith(".cwasm"));
    expect(entry).toBeDefined();
    const flags = Number(/-f(\d+)\.cwasm$/.exec(entry!)![1]);
    // B's artifact, re-made (hashes and all) with A's code as its "native" part, as an older format shipped it
    const b = readArtifact(join(dir, "b.ebx"));
    const parts = b.header.parts.map((p) => [p.name, b.part(p.name)!] as [string, Uint8Array]);
    parts.push(["module.cwasm", new Uint8Array(readFileSync(join(root, entry!)))]);
    const { parts: _, format: __, ...rest } = b.header;
    writeFileSync(join(dir, "forged.ebx"), writeArtifact({ ...rest, target: `${process.platform}-${process.arch}`, engineFlags: flags } as never, parts));
    const r = edgebox(["run", "forged.ebx"], { cwd: dir });
    expect(r.stdout).toBe("I am B\n");

    // B's header claiming A's module hash (A's code is in the cache under it): B's bytes do not match, refused
    const raw = new Uint8Array(readFileSync(join(dir, "b.ebx")));
    const view = new DataView(raw.buffer);
    const jsonLen = view.getUint32(MAGIC.length + 4, true);
    const header = JSON.parse(new TextDecoder().decode(raw.subarray(MAGIC.length + 8, MAGIC.length + 8 + jsonLen)));
    header.parts.find((p: { name: string }) => p.name === "module.wasm").hash = hashA;
    const json = new TextEncoder().encode(JSON.stringify(header));
    const rest2 = raw.subarray(MAGIC.length + 8 + jsonLen + 8);
    const out = new Uint8Array(MAGIC.length + 8 + json.length + 8 + rest2.length);
    out.set(raw.subarray(0, MAGIC.length + 4));
    new DataView(out.buffer).setUint32(MAGIC.length + 4, json.length, true);
    out.set(json, MAGIC.length + 8);
    new DataView(out.buffer).setBigUint64(MAGIC.length + 8 + json.length, BigInt.asUintN(64, BigInt(Bun.hash.wyhash(json, 0n))), true);
    out.set(rest2, MAGIC.length + 8 + json.length + 8);
    writeFileSync(join(dir, "claims-a.ebx"), out);
    const claim = edgebox(["run", "claims-a.ebx"], { cwd: dir });
    expect(claim.stdout).not.toContain("I am A");
    expect(claim.code).toBe(1);
    expect(claim.stderr).toContain("damaged");
  });

  test("an app rebuilt to the same artifact path runs its new code", () => {
    const dir = tempApp({ "v.js": `console.log("one");` });
    build(dir, ["v.js"]);
    expect(edgebox(["run", "v.ebx"], { cwd: dir }).stdout).toBe("one\n");
    writeFileSync(join(dir, "v.js"), `console.log("two");`);
    build(dir, ["v.js"]);
    expect(edgebox(["run", "v.ebx"], { cwd: dir }).stdout).toBe("two\n");
  });

  test("build errors are one clear line: missing entry, unbundlable import, extra argument", () => {
    const dir = tempApp({ "bad.js": `require("not-installed-anywhere");` });
    expect(edgebox(["build", "nope.js"], { cwd: dir, env })).toMatchObject({ code: 1, stderr: expect.stringContaining("cannot find 'nope.js'") });
    const r = edgebox(["build", "bad.js"], { cwd: dir, env });
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("not-installed-anywhere");
    expect(edgebox(["build", "a.js", "b.js"], { cwd: dir, env })).toMatchObject({ code: 2, stderr: expect.stringContaining("unexpected argument 'b.js'") });
  });
});

describe("nothing from build time shows at run time", () => {
  test("argv, env, the clock and Math.random are the run's own", async () => {
    const dir = tempApp({
      "t.js": `const t0 = Date.now();\nconst r = Math.random();\nconsole.log(JSON.stringify({ t0, r, argv: process.argv.slice(2), v: process.env.EB_VALUE ?? null, tz: new Date(0).getTimezoneOffset() }));\n`,
      ".edgebox.json": JSON.stringify({ env: ["EB_VALUE"] }),
    });
    build(dir, ["t.js"]);
    const run = async (v: string, arg: string) => {
      const before = Date.now();
      const r = await edgeboxAsync(["run", "t.ebx", arg], { cwd: dir, env: { EB_VALUE: v } });
      return { ...JSON.parse(r.stdout), before, after: Date.now() };
    };
    const a = await run("one", "x");
    await Bun.sleep(1100);
    const b = await run("two", "y");
    for (const x of [a, b]) {
      expect(x.t0).toBeGreaterThanOrEqual(x.before);
      expect(x.t0).toBeLessThanOrEqual(x.after);
    }
    expect(b.t0 - a.t0).toBeGreaterThanOrEqual(1000);
    expect(a.r).not.toBe(b.r);
    expect([a.argv, a.v, b.argv, b.v]).toEqual([["x"], "one", ["y"], "two"]);
  });

  test("a top level that needs nothing of a run is pre-run; what it queued runs at start with run-time values", () => {
    const dir = tempApp({
      "pre.js": `const table = [];\nfor (let i = 0; i < 20; i++) table.push(i * i);\nsetImmediate(() => console.log(table[19], process.argv[2], Date.now() > 1700000000000));\n`,
    });
    const b = build(dir, ["pre.js", "--explain"]);
    expect(b.stdout).toContain("top level: pre-run at build time");
    expect(edgebox(["run", "pre.ebx", "arg"], { cwd: dir }).stdout).toBe("361 arg true\n");
  });

  test("a top level that loads node's modules kept out of the runtime's snapshot (path, util, stream) is still pre-run", () => {
    const dir = tempApp({
      "mods.js": `const path = require("path"), util = require("util"), { Readable } = require("stream");\nconst text = util.inspect({ joined: path.join("/a", "b"), win: path.win32.join("C:\\\\a", "b"), r: typeof Readable });\nsetImmediate(() => console.log(text));\n`,
    });
    expect(build(dir, ["mods.js", "--explain"]).stdout).toContain("top level: pre-run at build time");
    expect(edgebox(["run", "mods.ebx"], { cwd: dir }).stdout).toBe("{ joined: '/a/b', win: 'C:\\\\a\\\\b', r: 'function' }\n");
  });

  test("--explain says what stopped the pre-run", () => {
    const dir = tempApp({ "e.js": `const home = process.env.HOME;\nconsole.log(typeof home);\n` });
    expect(build(dir, ["e.js", "--explain"]).stdout).toContain("top level: runs at start, not at build time: it reads process.env");
    expect(build(dir, ["e.js", "--explain", "--no-prerun"]).stdout).toContain("top level: runs at start (--no-prerun)");
  });

  test("Intl's locale data the app names is prepared at build time; the time zone is the run's, and what it formats is node's", async () => {
    const dir = tempApp({
      "dates.js": `const prepared = typeof Object.getOwnPropertyDescriptor(Intl, "DateTimeFormat").value === "function";
const f = new Intl.DateTimeFormat("en-US", { dateStyle: "medium", timeStyle: "long" });
console.log(prepared, f.resolvedOptions().timeZone, f.format(new Date(0)), new Date(0).toLocaleString(), (1234.5).toLocaleString());
`,
    });
    expect(build(dir, ["dates.js"]).stderr).toMatch(/pre-initialise .*top level runs at start: it uses Intl \(locale data loaded on first use\); Intl prepared: DateTimeFormat, NumberFormat/);
    for (const TZ of ["Asia/Tokyo", "America/Los_Angeles"]) {
      const [built, node] = await Promise.all([edgeboxAsync(["run", "dates.ebx"], { cwd: dir, env: { TZ } }), nodeAsync(["dates.js"], { cwd: dir, env: { TZ } })]);
      expect(node.stdout).toStartWith(`true ${TZ} `);
      expect(built.stdout).toBe(node.stdout);
    }
    // a top level pre-run, then Intl prepared: what it queued formats in the run's zone
    writeFileSync(join(dir, "later.js"), `const show = () => [new Date(0).toLocaleString("en-US"), Intl.DateTimeFormat().resolvedOptions().timeZone].join(" ");\nsetImmediate(() => console.log(show()));\n`);
    expect(build(dir, ["later.js"]).stderr).toMatch(/pre-initialise .*top level ran at build time; Intl prepared: DateTimeFormat, NumberFormat/);
    for (const TZ of ["Asia/Tokyo", "America/Los_Angeles"]) {
      const [built, node] = await Promise.all([edgeboxAsync(["run", "later.ebx"], { cwd: dir, env: { TZ } }), nodeAsync(["later.js"], { cwd: dir, env: { TZ } })]);
      expect(node.stdout).toEndWith(` ${TZ}\n`);
      expect(built.stdout).toBe(node.stdout);
    }
    // --no-intl: left to the first use, as in a plain run
    expect(build(dir, ["dates.js", "--no-intl", "-o", "plain.ebx"]).stderr).not.toContain("Intl prepared");
    expect(edgebox(["run", "plain.ebx"], { cwd: dir, env: { TZ: "UTC" } }).stdout).toStartWith("false UTC ");
  });

  test("a top level that reads the clock is not pre-run (the host answers the clock in a run, not in a build's pre-run)", () => {
    const dir = tempApp({ "c.js": `const t = Date.now();\nconsole.log(t > 1700000000000, performance.now() >= 0);\n` });
    expect(build(dir, ["c.js", "--explain"]).stdout).toContain("top level: runs at start, not at build time: it reads the clock");
    expect(edgebox(["run", "c.ebx"], { cwd: dir }).stdout).toBe("true true\n");
  });
});

describe("the policy applies to artifacts as to scripts", () => {
  test("a read outside the grants is denied; the policy next to the artifact grants it", () => {
    const dir = tempApp({ "r.js": `const fs = require("fs");\ntry { console.log(fs.readFileSync(process.argv[2], "utf8")); } catch (e) { console.log(e.code); }\n` });
    const secret = join(tempApp({ "secret.txt": "s3cret" }), "secret.txt");
    build(dir, ["r.js"]);
    expect(edgebox(["run", "r.ebx", secret], { cwd: dir }).stdout).toBe("EACCES\n");
    writeFileSync(join(dir, ".edgebox.json"), JSON.stringify({ dirs: [{ path: secret, read: true }] }));
    expect(edgebox(["run", "r.ebx", secret], { cwd: dir }).stdout).toBe("s3cret\n");
  });

  test("the build reads only what the app may read: a hidden file imported as text or code is refused, no artifact", () => {
    const hidden = tempApp({ "secret.txt": "s3cret-at-build", "lib.js": `export const v = "hidden code";\n` });
    const dir = tempApp({
      "text.js": `import s from ${JSON.stringify(join(hidden, "secret.txt"))} with { type: "text" };\nconsole.log(s);\n`,
      "code.js": `import { v } from ${JSON.stringify(join(hidden, "lib.js"))};\nconsole.log(v);\n`,
    });
    for (const f of ["text.js", "code.js"]) {
      const r = edgebox(["build", f], { cwd: dir });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`the policy does not let the app read ${hidden}`);
      expect(existsSync(join(dir, f.replace(".js", ".ebx")))).toBe(false);
    }
    writeFileSync(join(dir, ".edgebox.json"), JSON.stringify({ dirs: [{ path: hidden, read: true }] }));
    build(dir, ["text.js"]);
    expect(edgebox(["run", "text.ebx"], { cwd: dir }).stdout).toBe("s3cret-at-build\n");
  });
});

describe("artifacts that cannot run here are refused", () => {
  const dir = tempApp({ "a.js": `console.log("ran");` });
  build(dir, ["a.js"]);
  const good = readFileSync(join(dir, "a.ebx"));
  const runBytes = (name: string, bytes: Uint8Array) => {
    writeFileSync(join(dir, name), bytes);
    return edgebox(["run", name], { cwd: dir });
  };

  test("a truncated artifact", () => {
    const r = runBytes("trunc.ebx", good.subarray(0, good.length - 1000));
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("is not a usable artifact: it is truncated; rebuild it with 'edgebox build'");
  });

  test("an altered artifact (one byte of code flipped)", () => {
    const bytes = new Uint8Array(good);
    // a byte in the middle of module.wasm (read when no precompiled code is cached: the js engine)
    const base = MAGIC.length + 8 + new DataView(bytes.buffer).getUint32(MAGIC.length + 4, true) + 8;
    const wasm = readArtifact(join(dir, "a.ebx")).header.parts.find((p) => p.name === "module.wasm")!;
    bytes[base + wasm.offset + (wasm.length >> 1)]! ^= 0x40;
    writeFileSync(join(dir, "altered.ebx"), bytes);
    const r = edgebox(["run", "--engine=js", "altered.ebx"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toMatch(/its part '[a-z.]+' is damaged \(hash mismatch\)/);
  });

  test("an artifact changed in place after a run (size and mtime put back) is read and checked again, not answered from the cache", () => {
    const file = join(dir, "inplace.ebx");
    writeFileSync(file, good);
    expect(edgebox(["run", "inplace.ebx"], { cwd: dir }).stdout).toBe("ran\n");
    const before = statSync(file, { bigint: true }).mtimeNs;
    const bytes = new Uint8Array(good);
    const base = MAGIC.length + 8 + new DataView(bytes.buffer).getUint32(MAGIC.length + 4, true) + 8;
    const wasm = readArtifact(file).header.parts.find((p) => p.name === "module.wasm")!;
    bytes[base + wasm.offset + (wasm.length >> 1)]! ^= 0x40;
    writeFileSync(file, bytes);
    const ns = String(before % 1_000_000_000n).padStart(9, "0");
    expect(Bun.spawnSync(["touch", "-m", "-d", `@${before / 1_000_000_000n}.${ns}`, file]).exitCode).toBe(0);
    const r = edgebox(["run", "inplace.ebx"], { cwd: dir });
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr).toContain("its part 'module.wasm' is damaged (hash mismatch)");
  });

  test("an altered header", () => {
    const bytes = new Uint8Array(good);
    bytes[40]! ^= 0x01;
    expect(runBytes("header.ebx", bytes).stderr).toContain("its header is damaged");
  });

  test("another EdgeBox build", () => {
    const a = readArtifact(join(dir, "a.ebx"));
    const parts = a.header.parts.map((p) => [p.name, a.part(p.name)!] as [string, Uint8Array]);
    const { parts: _, format: __, ...rest } = a.header;
    const remake = (h: Partial<ArtifactHeader>) => writeArtifact({ ...rest, ...h }, parts);
    const older = runBytes("old.ebx", remake({ edgebox: "0.0.1" }));
    expect(older.code).toBe(1);
    expect(older.stderr).toContain("it was built by EdgeBox 0.0.1");
    expect(older.stderr).toContain("rebuild it with 'edgebox build'");
  });

  test("a script that only looks like one is not confused with an artifact", () => {
    expect(runBytes("plain.ebx", new TextEncoder().encode(`console.log("just a script")`)).stdout).toBe("just a script\n");
  });
});

describe("frozen functions", () => {
  const corpus = join(import.meta.dir, "freeze", "pure.js");

  test("EDGEBOX_PERFMAP=1 has Wasmtime write its perf map, naming the guest's wasm functions (the runtime's, the frozen code's) for perf; unset, none", async () => {
    const dir = tempApp({ "fib.js": "function fib(n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }\nconsole.log(fib(20));\n" });
    build(dir, ["fib.js"]);
    for (const on of [true, false]) {
      let pid = 0;
      const r = await spawnAsync([EDGEBOX, "run", "fib.ebx"], { cwd: dir, env: on ? { ...env, EDGEBOX_PERFMAP: "1" } : env }, (p) => ((pid = p), () => {}));
      expect(r.stdout).toBe("6765\n");
      expect(r.code).toBe(0);
      const map = `/tmp/perf-${pid}.map`;
      try {
        expect(existsSync(map)).toBe(on);
        // (lines of "address size name": the runtime's functions, and the side module's)
        if (on) expect(readFileSync(map, "utf8").split("\n").filter((l) => /^0x[0-9a-f]+ [0-9a-f]+ wasm\[\d+\]::function\[\d+\]$/.test(l)).length).toBeGreaterThan(1000);
      } finally {
        rmSync(map, { force: true });
      }
    }
  });

  test("print exactly what the interpreter and node print, edge values included, with no toolchain", async () => {
    expect(Bun.which("zig", { PATH: env.PATH })).toBeNull();
    const dir = tempApp({ "pure.js": readFileSync(corpus, "utf8") });
    const b = build(dir, ["pure.js", "--explain"]);
    const [frozen, interpreted, node] = await Promise.all([
      edgeboxAsync(["run", "pure.ebx"], { cwd: dir }),
      edgeboxAsync(["run", "pure.js"], { cwd: dir }),
      nodeAsync(["pure.js"], { cwd: dir }),
    ]);
    expect(node.stdout.split("\n").length).toBeGreaterThan(800);
    // QuickJS's pow (libm's) and V8's differ in the last bit for some inputs: ** is held to the interpreter only
    const notPow = (out: string) => out.split("\n").filter((l) => !/^(pow|mathPow) /.test(l));
    expect(notPow(interpreted.stdout)).toEqual(notPow(node.stdout));
    expect(frozen.stdout).toBe(interpreted.stdout);
    expect(frozen.code).toBe(0);
    // what was frozen, and why the rest was not
    const names = ["fib", "sumTo", "gcd", "collatz", "isPrime", "mandel", "bits", "floats", "isEven", "isOdd", "overflow", "logic", "deep", "names"];
    names.push("mix", "add", "mod", "pow", "mathPow", "shl", "ushr", "min", "max", "orNum", "andNum", "pick", "compound", "loops", "both", "extra", "loopDeep", "sign", "rounding", "sumT", "pickT", "trib", "ack", "nested", "tri", "fact", "halve", "sumSq", "viaSumT", "addK", "subK", "incDec", "down", "parity", "accRev", "accAlt", "accSub");
    expectFrozen(b.stdout, names);
    const reasons: Record<string, string> = {
      // (it reads counter, from around it, at each call: too little to pay for one)
      closure: "does too little to pay for a call into compiled code (no loop, no recursion, under 100 operations)\n",
      property: "does too little to pay for a call into compiled code", // (its read compiles: objects.ts)
      writes: "does too little to pay for a call into compiled code", // (its write compiles: objects.ts)
      tryCatch: "uses try/catch",
      gen: "is a generator",
      later: "is async",
      args: "uses arguments",
      self: "uses this",
      maybe: "may end without returning a number",
      evals: "calls the global 'eval'",
      sq: "does too little to pay for a call into compiled code",
      mixSmall: "does too little to pay for a call into compiled code (no loop, no recursion, under 100 operations)",
    };
    for (const name of Object.keys(reasons)) expect(b.stdout).toContain(`not frozen ${name} (`);
    for (const why of Object.values(reasons)) expect(b.stdout).toContain(why);
    expect(b.stdout).toMatch(/frozen {5}fib \(pure\.js:\d+:\d+\): f64\n/);
    // and the WebAssembly of each, as text
    expect(b.stdout).toContain("func fz_fib_");
    expect(b.stdout).toMatch(/call fz_fib_\d+\n/);
  });

  test("typed arrays and loops compiled on their own print what the interpreter and node print", async () => {
    const b = await differential("typed.js", 300);
    expectFrozen(b.stdout, ["sum", "storeAll", "dot", "dotTwice", "qsort", "compares", "eqCount", "matchLen"]);
    expect(b.stdout).toContain("not frozen comparesHeld (typed.js:");
    expect(b.stdout).toContain("it compares two such values with ===");
    expectFrozen(b.stdout, ["countsValue"]);
    expect(b.stdout).toContain("it may return one");
    // a read past an end left in a variable: given back as NaN only where the rest of the function takes a number
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in afterAsNumber: compiled loop over numbers n, v, w, s; arrays a, giving back v, w, s/);
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in afterReentered: compiled loop over numbers v, t; arrays a, giving back v, t/);
    for (const name of ["afterStrictEq", "afterLooseEq", "afterAdded", "afterTypeof", "afterInArray", "afterNullish", "afterShorthand", "afterPlusAssigned", "afterAsKey", "afterTemplate", "afterAnd", "afterSwitch", "afterInClosure"]) expect(b.stdout).toMatch(new RegExp(`loop \\(typed\\.js:\\d+:\\d+\\) in ${name}: not compiled: .*'v' may hold one after the loop`));
    expect(b.stdout).toMatch(/partly {5}withObjects \(typed\.js:\d+:\d+\): partly: its loop at typed\.js:\d+:\d+ compiled, the rest in the interpreter; not whole: it creates objects/);
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in rounds: compiled loop over numbers a, b; arrays K2, w, giving back a, b/);
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in the top level: compiled loop over numbers total, count; arrays sq, giving back total, count/);
    expectFrozen(b.stdout, ["readBE", "writeLE"]);
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in the top level: compiled loop over numbers seen, lastOk; DataViews dv, giving back seen, lastOk; in place, through the engine where the bytes are not in the view: dv\.getUint8/);
    expect(b.stdout).toMatch(/frozen {5}readBE \(typed\.js:\d+:\d+\): f64; in place, through the engine where the bytes are not in the view: view\.getUint32, view\.getInt16, view\.getFloat32\n/);
    // functions that return no value, and variables declared without one but assigned before any read
    expectFrozen(b.stdout, ["fillWith", "clampAll", "fillThenSum", "bothBranches", "deepVoid"]);
    expect(b.stdout).toMatch(/frozen {5}fillWith \(typed\.js:\d+:\d+\): f64, no value returned \(undefined\)/);
    for (const name of ["readFirst", "maybeSet"]) expect(b.stdout).toMatch(new RegExp(`${name} \\(typed\\.js:\\d+:\\d+\\): .*not whole: it declares 't' without a value and may read it before assigning it`));
    expect(b.stdout).toContain("uses the value of fillWith, which returns none (undefined)");
    expect(b.stdout).toMatch(/not frozen someValue \(typed\.js:\d+:\d+\): returns a value on some paths and none \(undefined\) on others/);

    // int32 variables: the rounds' sums and differences wrapped in i32, none in f64
    expectFrozen(b.stdout, ["quarter", "int32Reads", "notInt32"]);
    const quarter = b.stdout.slice(b.stdout.indexOf("func fz_quarter_"), b.stdout.indexOf("\nfunc ", b.stdout.indexOf("func fz_quarter_") + 1));
    expect(quarter).toMatch(/i32\.sub\n/);
    expect(quarter).not.toContain("f64.sub");
    // a compiled loop's variables that start undefined, written before they are read
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in firstWrites: compiled loop over numbers n, u, i, w; arrays a, giving back u, i, w;/);

    // only the variables read after a compiled loop go back
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in deadAfter: compiled loop over numbers t, u, w; arrays a, giving back w;/);
    for (const name of ["liveAround", "liveInClosure", "liveThroughArguments"]) expect(b.stdout).toMatch(new RegExp(`in ${name}: compiled loop over numbers t(, k)?; arrays a, giving back t;`));

    // var in a function's loops: the function's variables, given back when read after
    expect(b.stdout).toMatch(/in varLoops: compiled loop over numbers i; arrays a, b, giving back i;/);
    expect(b.stdout).toMatch(/in varLoops: compiled loop over numbers j, k, t, u; arrays a, b, giving back j, t;/);

    // assignments whose value is used (a[o++] = v, while (n--), x = y = e), in JS's order
    expectFrozen(b.stdout, ["packs", "order", "postfix", "countDownSum", "callsBumps", "chainedPlace", "chain3"]);

    // labelled loops: break and continue to an outer one
    expectFrozen(b.stdout, ["labelled", "endless"]);
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in topLoop: compiled loop over numbers bits, i, o; arrays input, out, giving back i, o;/);

    // code with effects reading plain Arrays it never writes, each read inside a bound the wrapper checks
    expectFrozen(b.stdout, ["varCounter", "sboxMix"]);
    // (a loop reading a const from around it that may be in its dead zone: compiled, and exact there)
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in f: compiled loop over numbers n, s; arrays TDZ_T, giving back s;/);
    const within = "it writes, so plain Arrays of numbers only where every access is shown inside these elements:";
    expect(b.stdout).toMatch(/frozen {5}sboxMix \(typed\.js:\d+:\d+\): f64; it writes, so plain Arrays of numbers only where every access is shown inside these elements: out \[0, 3\], S \[0, 511\]\n/);
    expect(b.stdout).toMatch(/frozen {5}varCounter \(typed\.js:\d+:\d+\): f64; it writes, so plain Arrays of numbers only where every access is shown inside these elements: out \[0, 3\], K \[0, 9\]\n/);
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in mixPairs: compiled loop over arrays out, K; it writes, so plain Arrays of numbers only where every access is shown inside these elements: out \[0, 7\], K \[0, 15\]\n/);
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in hashLike: compiled loop over numbers n, a, b; arrays KTOP, m, w, giving back a, b; it writes, so plain Arrays of numbers only where every access is shown inside these elements: KTOP \[0, 15\], m \[0, 3\], w \[0, 3\]\n/);
    // plain Arrays written, and read at an offset the wrapper checks
    expectFrozen(b.stdout, ["schedule", "accumulate", "viewSum", "mixOuter", "encOuter", "readsT", "effT"]);
    expect(b.stdout).toMatch(/frozen {5}effT \(typed\.js:\d+:\d+\): f64; reads TBL from around it, as they are at each call; it writes, so plain Arrays of numbers only where every access is shown inside these elements: out \[0, 3\], TBL \[0, 3\]\n/);
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in the top level: compiled loop over numbers s3, K3, giving back s3\n/);
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in the top level: compiled loop over numbers sT; arrays TBL, giving back sT; its arrays may be typed arrays or plain Arrays of numbers\n/);
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in keyLike: compiled loop over arrays S, lr, P; it writes, so plain Arrays of numbers only where every access is shown inside these elements: lr \[0, 1\], P \[0, 3\]; typed arrays only for the others\n/);
    expect(b.stdout).toMatch(/loop \(typed\.js:\d+:\d+\) in a function: compiled loop over arrays buf, P, S; it writes, so plain Arrays of numbers only where every access is shown inside these elements: buf \[2, 3\], P \[0, 3\]; typed arrays only for the others\n/);
    expect(b.stdout).toMatch(/frozen {5}mixOuter \(typed\.js:\d+:\d+\): f64, returning its parameter lr; reads ROUNDS, TABLE from around it, as they are at each call; it writes, so plain Arrays of numbers only where every access is shown inside these elements: lr \[off \+ 0, off \+ 1\], TABLE \[0, 7\]\n/);
    expect(b.stdout).toMatch(/frozen {5}accumulate \(typed\.js:\d+:\d+\): f64; it writes, so plain Arrays of numbers only where every access is shown inside these elements: W \[0, 7\], M \[offset \+ 0, offset \+ 7\]\n/);
    expect(b.stdout).toContain(`: f64; ${within} W [0, 23], M [offset + 0, offset + 7]\n`);
    expect(b.stdout).toMatch(/partly {5}blockLabel \(typed\.js:\d+:\d+\): .*not whole: it uses a label on something other than a loop/);
    // and the loops that were not compiled, each with why
    expect(b.stdout).toMatch(/loops not compiled: \d+\n/);
    expect(b.stdout).toMatch(/ {2}loop \(typed\.js:\d+:\d+\) in varAndLet: not compiled: it declares a var that the loop also declares with let or const/);
    expect(b.stdout).toMatch(/ {2}loop \(typed\.js:\d+:\d+\) in withObjects: not compiled: it reads a property\n/);
  });

  test("DataView reads and writes in place, and bitwise code kept as i32, print what the interpreter and node print", async () => {
    const b = await differential("views.js", 2500);
    expectFrozen(b.stdout, ["setInt8", "setUint16", "setFloat32", "setFloat64", "byteAt", "sumBytes", "bits", "storeBits", "readBits", "notBits", "viewDepth", "viewFib"]);
    expect(b.stdout).toMatch(/loop \(views\.js:\d+:\d+\) in getUint32: compiled loop over numbers r, o, q, p, d, le; DataViews v, giving back r, q, p, d; in place, through the engine where the bytes are not in the view: v\.getUint32\n/);
    // rotr inlined as i32, its constant argument folded in: rotr(x, 7) shifts left by 25
    const bits = b.stdout.slice(b.stdout.indexOf("func fz_bits_"), b.stdout.indexOf("\nfunc ", b.stdout.indexOf("func fz_bits_") + 1));
    expect(bits).toMatch(/i32\.const 7\n\s+i32\.shr_u\n[^]*?i32\.const 25\n\s+i32\.shl\n/);
    // an Int32Array/Uint32Array element under a bitwise operator: its bits, no trip through f64
    const reads = b.stdout.slice(b.stdout.indexOf("func fz_readBits_"));
    expect(reads).toMatch(/i32\.load 0\n\s+br \d+\n/);
  });

  test("a DataView's bytes are found from its own fields on entry: 100k entries fit a budget the getter calls exceed", () => {
    // (with DataView.prototype's getters called on each entry this needs ~540M instructions, with the fields ~460M)
    const dir = tempApp({
      "two.js": `function two(v, o) { let s = 0; for (let i = 0; i < 2; i++) s += v.getUint8(o + i); return s; }
const v = new DataView(new ArrayBuffer(64));
new Uint8Array(v.buffer).fill(3);
let t = 0;
for (let k = 0; k < 100000; k++) t += two(v, k & 31);
console.log(t);
`,
      ".edgebox.json": JSON.stringify({ runtime: { max_instructions: 500_000_000 } }),
    });
    builtPrints(dir, "two.js", "600000\n");
  });

  test("a NaN computed in compiled code is stored with the bytes the interpreter stores (DataView and typed arrays)", async () => {
    const dir = tempApp({
      "nan.js": `function viaView(view, n) {
  for (let i = 0; i < n; i++) {
    view.setFloat64(0, i / (i - i));
    view.setFloat32(8, Infinity - Infinity, true);
    view.setFloat64(16, -Math.sqrt(-1 - i), true);
    view.setFloat32(24, -(i / (i - i)));
  }
  return n;
}
function viaArrays(f64, f32, n) {
  for (let i = 0; i < n; i++) {
    f64[i & 1] = 0 / (i - i);
    f32[i & 1] = -(Infinity - Infinity);
  }
  return n;
}
const a = new ArrayBuffer(32);
const b = new ArrayBuffer(24);
viaView(new DataView(a), 2);
viaArrays(new Float64Array(b, 0, 2), new Float32Array(b, 16, 2), 3);
console.log(new Uint8Array(a).join(","), new Uint8Array(b).join(","));
`,
    });
    expect(build(dir, ["nan.js", "--explain"]).stdout).toMatch(/frozen {5}viaView[^]*frozen {5}viaArrays/);
    const [built, source] = await Promise.all([edgeboxAsync(["run", "nan.ebx"], { cwd: dir }), edgeboxAsync(["run", "nan.js"], { cwd: dir })]);
    expect(source.code).toBe(0);
    expect(built).toEqual(source);
  });

  test("plain Arrays (dense, holey, mixed, huge, proxied, hostile) print what the interpreter and node print", async () => {
    const b = await differential("arrays.js", 400);
    for (const name of ["sum", "pastEnd", "dot", "sumBoth", "sumTwo", "maxOf", "mix", "indexed", "window", "skipping", "grid", "stepping"]) {
      expect(b.stdout).toMatch(new RegExp(`frozen {5}${name} \\(arrays\\.js:\\d+:\\d+\\): f64; its arrays may be typed arrays or plain Arrays of numbers\n`));
    }
    expect(b.stdout).toMatch(/frozen {5}bump \(arrays\.js:\d+:\d+\): f64; typed arrays only \(it writes: plain Arrays run in the interpreter\)\n/);
    expect(b.stdout).toMatch(/loop \(arrays\.js:\d+:\d+\) in the top level: compiled loop over numbers s; arrays huge, giving back s; its arrays may be typed arrays or plain Arrays of numbers\n/);
    // for-of over arrays, numbers and objects (o.x): compiled, with the built-in iteration checked at each call
    for (const name of ["sumOf", "firstOver", "evens", "pairs", "hashOf", "minOf", "viaSumOf"]) {
      expect(b.stdout).toMatch(new RegExp(`frozen {5}${name} \\(arrays\\.js:\\d+:\\d+\\): f64; its arrays may be typed arrays or plain Arrays of numbers\n`));
    }
    expect(b.stdout).toMatch(/frozen {5}bumpOf \(arrays\.js:\d+:\d+\): f64; typed arrays only/);
    expect(b.stdout).toMatch(/frozen {5}sumX \(arrays\.js:\d+:\d+\): f64; its arrays may be typed arrays or plain Arrays of numbers; objects: reads o\.x\n/);
    expect(b.stdout).toMatch(/frozen {5}sumPos \(arrays\.js:\d+:\d+\): f64; its arrays may be typed arrays or plain Arrays of numbers; objects: reads o\.w, reads o\.pos\.x\n/);
    expect(b.stdout).toMatch(/loop \(arrays\.js:\d+:\d+\) in the top level: compiled loop over numbers t; arrays pts, giving back t; objects: reads o\.x; its arrays may be/);
    expect(b.stdout).toMatch(/loop \(arrays\.js:\d+:\d+\) in the top level: compiled loop over numbers w; arrays ints, giving back w; its arrays may be/);
  });

  test("for-of over a plain Array, of numbers or of objects, runs compiled: it fits an instruction budget the interpreter exceeds (400M instructions built, over 1G interpreted)", () => {
    const dir = tempApp({
      "of.js": `function sumOf(a) { let s = 0; for (const v of a) s += v; return s; }
const a = [];
const os = [];
for (let i = 0; i < 1000; i++) (a.push(i * 0.5), os.push({ x: i, y: -i }));
let t = 0;
for (let k = 0; k < 1000; k++) t += sumOf(a);
let u = 0;
for (let k = 0; k < 1000; k++) for (const o of os) u += o.x;
console.log(t, u);
`,
      ".edgebox.json": JSON.stringify({ runtime: { max_instructions: 600_000_000 } }),
    });
    builtPrints(dir, "of.js", "249750000 499500000\n");
    expect(edgebox(["run", "of.js"], { cwd: dir }).stderr).not.toBe("");
  });

  test("a plain Array is read by compiled code: it fits an instruction budget the interpreter exceeds tenfold", () => {
    const dir = tempApp({
      "sum.js": `function sum(a) { let s = 0; for (let i = 0; i < a.length; i++) s += a[i]; return s; }
const a = [];
for (let i = 0; i < 1000; i++) a.push(i * 0.5);
let t = 0;
for (let k = 0; k < 1000; k++) t += sum(a);
let u = 0;
for (let k = 0; k < 1000; k++) for (let i = 0; i < a.length; i++) u += a[i];
console.log(t, u);
`,
      ".edgebox.json": JSON.stringify({ runtime: { max_instructions: 400_000_000 } }),
    });
    builtPrints(dir, "sum.js", "249750000 249750000\n");
  });

  test("the frozen module is valid WebAssembly that links as a side module, and the artifact carries it", () => {
    const dir = tempApp({
      "f.js": `function sq(x) { return x * x; }\nfunction sumSq(n) { let s = 0; for (let i = 1; i <= n; i++) s += sq(i); return s; }\nconsole.log(sumSq(12), sumSq(-0), sumSq("3"), sq(5));\n`,
    });
    const r = build(dir, ["f.js", "--explain"]);
    expect(r.stderr).toContain("1 of 2 functions frozen");
    expect(r.stdout).toContain("frozen     sumSq (f.js:2:1): f64, and int32 while its values stay int32\n"); // (sq inlined: no call left)
    expect(r.stdout).toContain("not frozen sq (f.js:1:1): does too little to pay for a call into compiled code");
    expect(r.stdout).toContain("func fz_sq_"); // compiled, and inlined where compiled code calls it (one expression, no calls)
    expect(r.stdout).not.toContain("call fz_sq_");
    const a = readArtifact(join(dir, "f.ebx"));
    const wasm = a.part("frozen.wasm")!;
    expect(WebAssembly.validate(wasm)).toBe(true);
    expect(a.header.frozen).toEqual(["sumSq"]);
    expect(edgebox(["run", "f.ebx"], { cwd: dir }).stdout).toBe("650 0 14 25\n");
  });

  test("a runaway frozen loop is stopped by runtime.max_instructions (int32 and f64 alike)", () => {
    const dir = tempApp({
      "spin.js": `function spin(n) { while (n > 0) { n = n + 1; } return n; }\nfunction spinf(x) { while (x > 0) { x = x + 0.5; } return x; }\nconsole.log(process.argv[2] === "f" ? spinf(1.5) : spin(process.argv.length));\n`,
      ".edgebox.json": JSON.stringify({ runtime: { max_instructions: 50_000_000 } }),
    });
    expect(build(dir, ["spin.js", "--explain"]).stdout).toContain("frozen     spin (spin.js:1:1): f64, and int32 while its values stay int32");
    for (const arg of ["i", "f"]) {
      const r = edgebox(["run", "spin.ebx", arg], { cwd: dir });
      expect(r.stderr).toBe("edgebox: instruction limit exceeded (50000000 instructions)\n");
      expect(r.code).not.toBe(0);
    }
  });

  test("a runaway frozen loop is stopped by --timeout", () => {
    const dir = tempApp({ "spin.js": `function spin(n) { while (n > 0) { n = n + 1; } return n; }\nconsole.log(spin(process.argv.length));\n` });
    build(dir, ["spin.js"]);
    const r = edgebox(["run", "--timeout", "300", "spin.ebx"], { cwd: dir });
    expect(r.code).toBe(124);
    expect(r.stderr).toBe("edgebox: time limit exceeded (300 ms)\n");
  });

  test("a runaway loop reading a DataView in place is stopped by --timeout", () => {
    const dir = tempApp({ "spin.js": `function spin(v, n) { let s = 0; while (n > 0) { s += v.getUint8(n & 7) + v.getUint32(0, true); n = n + 1; } return s; }
console.log(spin(new DataView(new ArrayBuffer(8)), process.argv.length));
` });
    expect(build(dir, ["spin.js", "--explain"]).stdout).toContain("frozen     spin (spin.js:1:1): f64; in place");
    const r = edgebox(["run", "--timeout", "300", "spin.ebx"], { cwd: dir });
    expect(r.code).toBe(124);
    expect(r.stderr).toBe("edgebox: time limit exceeded (300 ms)\n");
  });

  test("a runaway loop compiled on its own (top level, over a typed array) is stopped by --timeout", () => {
    const dir = tempApp({ "spin.js": `const a = new Float64Array(4);
let n = process.argv.length;
while (n > 0) { a[n & 3] += n; n = n + 1; }
console.log(n, [...a]);
` });
    const b = build(dir, ["spin.js", "--explain"]);
    expect(b.stdout).toContain("in the top level: compiled loop over numbers n; arrays a, giving back n");
    const r = edgebox(["run", "--timeout", "300", "spin.ebx"], { cwd: dir });
    expect(r.code).toBe(124);
    expect(r.stderr).toBe("edgebox: time limit exceeded (300 ms)\n");
  });
});
