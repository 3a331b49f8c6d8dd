// The host's caches stay bounded: what runs leave behind (a built app's native
// code, bytecode of large modules, other builds' directories) is evicted by
// last use once a cache passes its size, and nothing in use goes.

import { describe, expect, test } from "bun:test";
import { existsSync, mkdirSync, readdirSync, statSync, truncateSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { edgebox, tempApp } from "./helpers.ts";

const DAY = 24 * 3600 * 1000;

/** A file of `bytes` (sparse: it takes no disk) last modified `ageMs` ago. */
function oldFile(path: string, bytes: number, ageMs: number): void {
  writeFileSync(path, "");
  if (bytes) truncateSync(path, bytes);
  age(path, ageMs);
}

function age(path: string, ageMs: number): void {
  const t = new Date(Date.now() - ageMs);
  utimesSync(path, t, t);
}

/** The build's cache directory under XDG_CACHE_HOME `cache` (one run made it). */
const buildDir = (cache: string) => join(cache, "edgebox", readdirSync(join(cache, "edgebox")).find((n) => /-[0-9a-f]{12}$/.test(n))!);

/** A hello app run once with a cache of its own: its env, and the build's cache directory that run filled. */
function helloRunOnce() {
  const app = tempApp({ "hello.js": `console.log("hello");\n` });
  const cache = tempApp();
  const env = { XDG_CACHE_HOME: cache };
  expect(edgebox(["run", join(app, "hello.js")], { env }).code).toBe(0);
  return { app, env, dir: buildDir(cache) };
}

/** An app's precompiled module (and its .sum) written two days ago, 600 MiB of native code: past the 512 MiB cap alone. */
function staleModule(dir: string): string {
  const stale = join(dir, "app-module-00000000000000aa-f0.cwasm");
  oldFile(stale, 600 * 2 ** 20, 2 * DAY);
  oldFile(`${stale}.sum`, 0, 2 * DAY);
  return stale;
}

describe("cache limits", () => {
  test("precompiled modules past their cap: the least recently used go, the runtime in use stays", () => {
    const { app, env, dir } = helloRunOnce();
    const runtime = readdirSync(dir).find((f) => /^runtime-.*\.cwasm$/.test(f))!;
    expect(runtime).toBeDefined();
    // an app built two days ago; the runtime last used a day ago
    const stale = staleModule(dir);
    age(join(dir, `${runtime}.sum`), DAY);

    // a run that finds the runtime marks it used
    const before = Date.now() - 5000;
    expect(edgebox(["run", join(app, "hello.js")], { env }).code).toBe(0);
    expect(statSync(join(dir, `${runtime}.sum`)).mtimeMs).toBeGreaterThan(before);
    expect(existsSync(stale)).toBe(true); // nothing was written: nothing evicted

    // a build writes its app's native code: the cache is past 512 MiB, the oldest entry goes
    const b = edgebox(["build", join(app, "hello.js"), "-o", join(app, "hello.ebx")], { env });
    expect(b.code).toBe(0);
    expect(existsSync(stale)).toBe(false);
    expect(existsSync(`${stale}.sum`)).toBe(false);
    expect(existsSync(join(dir, runtime))).toBe(true);
    expect(readdirSync(dir).some((f) => /^app-module-(?!00000000000000aa).*\.cwasm$/.test(f))).toBe(true);
    const r = edgebox(["run", join(app, "hello.ebx")], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("hello\n");
  });

  test("precompiled modules past their cap: the native libraries in the same directory are not entries", () => {
    const { app, env, dir } = helloRunOnce();
    const libs = readdirSync(dir).filter((f) => !/\.cwasm(\.sum)?$/.test(f));
    expect(libs.length).toBe(2);
    for (const f of libs) age(join(dir, f), 3 * DAY); // extracted long ago, older than any entry
    const stale = staleModule(dir);
    expect(edgebox(["build", join(app, "hello.js"), "-o", join(app, "hello.ebx")], { env }).code).toBe(0);
    expect(existsSync(stale)).toBe(false);
    for (const f of libs) expect(existsSync(join(dir, f))).toBe(true);
  });

  test("bytecode of large modules past its cap: the oldest entry goes when a new one is written", () => {
    const big = `module.exports = ${JSON.stringify("x".repeat(20_000))}.length;\n`;
    const app = tempApp({ "main.js": `console.log(require("./big.js"));\n`, "big.js": big });
    const cache = tempApp();
    const env = { XDG_CACHE_HOME: cache };
    expect(edgebox(["run", join(app, "main.js")], { env }).stdout).toBe("20000\n");
    const dir = join(buildDir(cache), "bytecode");
    const mine = readdirSync(dir);
    expect(mine.length).toBe(1);
    const stale = join(dir, "00000000000000aa.qbc");
    oldFile(stale, 300 * 2 ** 20, 2 * DAY);
    writeFileSync(join(app, "big.js"), big.replace("length", "length + 1"));
    expect(edgebox(["run", join(app, "main.js")], { env }).stdout).toBe("20001\n");
    expect(existsSync(stale)).toBe(false);
    expect(readdirSync(dir).length).toBe(2);
  });

  test("another build's directory unused for a month goes at a new build's first run; recent ones and other names stay", () => {
    const app = tempApp({ "hello.js": `console.log("hello");\n` });
    const cache = tempApp();
    const parent = join(cache, "edgebox");
    const dirs = { idle: "0.0.1-aaaaaaaaaaaa", recent: "0.0.2-bbbbbbbbbbbb", other: "notes-cccccccccccc" };
    for (const [k, name] of Object.entries(dirs)) {
      const d = join(parent, name);
      mkdirSync(d, { recursive: true });
      oldFile(join(d, "libwasmtime.so"), 1024, k === "recent" ? 10 * DAY : 40 * DAY);
      age(d, k === "recent" ? 10 * DAY : 40 * DAY);
    }
    expect(edgebox(["run", join(app, "hello.js")], { env: { XDG_CACHE_HOME: cache } }).stdout).toBe("hello\n");
    expect(existsSync(join(parent, dirs.idle))).toBe(false);
    expect(existsSync(join(parent, dirs.recent))).toBe(true);
    expect(existsSync(join(parent, dirs.other))).toBe(true);
  });
});
