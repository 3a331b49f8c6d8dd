// The compatibility corpus: real npm packages (pinned in package.json and
// package-lock.json here), installed at test time into a temp project (corpus.ts), each
// exercised by a script in cases/ that runs under node and under edgebox.
// Same stdout and exit code expected; node is the reference.

import { beforeAll, describe, expect, test } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { edgeboxAsync, nodeAsync, type Result } from "../helpers.ts";
import { ensureCorpus } from "./corpus.ts";

const HERE = import.meta.dir;
const CASES = readdirSync(join(HERE, "cases")).sort();
let PROJECT = "";

/** Deterministic for both: no colour hints, one time zone, no inherited CI variables. */
const ENV = { TZ: "UTC", ...(process.env.XDG_CACHE_HOME ? { XDG_CACHE_HOME: process.env.XDG_CACHE_HOME } : {}) };

beforeAll(() => {
  PROJECT = ensureCorpus();
  for (const c of CASES) copyFileSync(join(HERE, "cases", c), join(PROJECT, c));
  // The CLI case: `edgebox run <dir>` runs the bin of the policy's npm package; the fs
  // cases write under scratch/ (each run in a directory of its own, made by mkdtemp).
  writeFileSync(join(PROJECT, ".edgebox.json"), JSON.stringify({ npm: "cowsay", dirs: [{ path: "scratch", write: true }] }));
  mkdirSync(join(PROJECT, "scratch"), { recursive: true });
}, 300_000);

function expectSame(actual: Result, expected: Result): void {
  expect(expected.stdout.length).toBeGreaterThan(0); // the case printed something under node
  if (actual.stdout !== expected.stdout || actual.code !== expected.code) {
    // show what went wrong on the edgebox side before the diff
    console.error(actual.stderr);
  }
  expect(actual.stdout).toBe(expected.stdout);
  expect(actual.code).toBe(expected.code);
}

describe("npm packages print under edgebox what they print under node", () => {
  for (const c of CASES) {
    test(c.replace(/\.m?js$/, ""), async () => {
      const file = join(PROJECT, c);
      const [expected, actual] = await Promise.all([nodeAsync([file], { cwd: PROJECT, env: ENV }), edgeboxAsync(["run", file], { cwd: PROJECT, env: ENV })]);
      expectSame(actual, expected);
    }, 120_000);
  }

  test("a CLI through the policy's npm field: cowsay", async () => {
    const args = ["-f", "tux", "hello from the sandbox"];
    const [expected, actual] = await Promise.all([
      nodeAsync([join(PROJECT, "node_modules", "cowsay", "cli.js"), ...args], { cwd: PROJECT, env: ENV }),
      edgeboxAsync(["run", PROJECT, ...args], { cwd: PROJECT, env: ENV }),
    ]);
    expectSame(actual, expected);
    expect(actual.stdout).toContain("hello from the sandbox");
  });

  test("a package's CLI run by path sees the project's hoisted dependencies", async () => {
    const cli = join("node_modules", "cowsay", "cli.js"); // cowsay's yargs lies in the project's node_modules
    const args = ["-e", "^^", "by path"];
    const [expected, actual] = await Promise.all([nodeAsync([cli, ...args], { cwd: PROJECT, env: ENV }), edgeboxAsync(["run", cli, ...args], { cwd: PROJECT, env: ENV })]);
    expectSame(actual, expected);
  });
});
