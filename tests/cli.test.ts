// The command line itself: help, versions, unknown commands and flags.

import { describe, expect, test } from "bun:test";
import { edgebox } from "./helpers.ts";

describe("edgebox CLI", () => {
  test("--help lists every command and exits 0", () => {
    const r = edgebox(["--help"]);
    expect(r.code).toBe(0);
    for (const c of ["run", "build", "serve", "check", "version"]) expect(r.stdout).toContain(c);
  });

  test("no command prints usage and exits 2", () => {
    const r = edgebox([]);
    expect(r.code).toBe(2);
    expect(r.stdout).toContain("USAGE");
  });

  test("run --help describes run and exits 0", () => {
    const r = edgebox(["run", "--help"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Run a script in the sandbox");
    expect(r.stdout).toContain("SCRIPT");
  });

  test("help <command> is the command's help", () => {
    const r = edgebox(["help", "run"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("Run a script in the sandbox");
  });

  test("unknown command: one line, exit 2", () => {
    const r = edgebox(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  test("unknown flag: one line, exit 2", () => {
    const r = edgebox(["run", "--frobnicate", "x.js"]);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("unknown flag '--frobnicate'");
  });

  test("run without a script says what is missing", () => {
    const r = edgebox(["run"]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("needs <script>");
  });

  test("version names EdgeBox, QuickJS-NG and the target", () => {
    const r = edgebox(["version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^edgebox \d+\.\d+\.\d+/);
    expect(r.stdout).toMatch(/quickjs-ng \d+\.\d+\.\d+/);
    expect(r.stdout).toContain(`target ${process.platform}-${process.arch}`);
    const j = JSON.parse(edgebox(["version", "--json"]).stdout);
    expect(j.target).toBe(`${process.platform}-${process.arch}`);
  });

  test("--version prints the version", () => {
    const r = edgebox(["--version"]);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^edgebox \d+\.\d+\.\d+\n$/);
  });
});
