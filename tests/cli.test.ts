// The command line itself: help, versions, unknown commands and flags.

import { describe, expect, test } from "bun:test";
import { edgebox, tempApp } from "./helpers.ts";
import { join } from "node:path";

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

  test("EDGEBOX_TRACE=1: each start-up phase on stderr with its wall time, CPU time and page faults; the app's output as without it", () => {
    const dir = tempApp({ "app.js": `console.log("out"); console.error("err"); process.exitCode = 3;` });
    const plain = edgebox(["run", join(dir, "app.js")], { cwd: dir });
    const r = edgebox(["run", join(dir, "app.js")], { cwd: dir, env: { EDGEBOX_TRACE: "1" } });
    expect([r.code, r.stdout]).toEqual([plain.code, plain.stdout]);
    expect(plain.code).toBe(3);
    const lines = r.stderr.split("\n").filter((l) => l.startsWith("edgebox trace: "));
    const phases = lines.map((l) => l.slice("edgebox trace: ".length).split(/\s{2,}/)[0]);
    // in the order they happen (other phases may come between)
    const order = ["main()", "cli", "policy", "dlopen", "instantiate", "start()", "run"].map((p) => phases.indexOf(p));
    expect(order.every((at, i) => at >= 0 && (i === 0 || at > order[i - 1]!))).toBe(true);
    expect([phases[0], phases.at(-1)]).toEqual(["main()", "run"]);
    for (const l of lines) expect(l).toMatch(/ [\d.]+ ms \(at [\d.]+\) cpu [\d.]+ ms \(at [\d.]+\) faults \d+ \(at \d+\)$/);
    // the fault counts add up: each line's running total is the previous total plus its own count
    const totals = lines.map((l) => l.match(/faults (\d+) \(at (\d+)\)$/)!.slice(1).map(Number) as [number, number]);
    for (let i = 1; i < totals.length; i++) expect(totals[i]![1]).toBe(totals[i - 1]![1] + totals[i]![0]);
    expect(r.stderr.replace(/^edgebox trace: .*\n/gm, "")).toBe(plain.stderr);
  });
});

describe("a newcomer's first hour", () => {
  const dir = tempApp({ "app.js": `console.log("ran", process.argv.slice(2).join(" "));\n`, "x.wasm": "\0asm\x01\0\0\0", "data.bin": "ab\0cd" });

  test("edgebox app.js runs the file, as deno app.js and bun app.js do; its arguments are the app's", () => {
    expect(edgebox(["app.js", "--flag", "b"], { cwd: dir })).toEqual({ code: 0, stdout: "ran --flag b\n", stderr: "" });
  });

  test("a command-like word that is no file: unknown command, with a suggestion", () => {
    const typo = edgebox(["runn", "app.js"], { cwd: dir });
    expect(typo.code).toBe(2);
    expect(typo.stderr).toContain("did you mean 'edgebox run'?");
    const missing = edgebox(["nosuch.js"], { cwd: dir });
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain("did you mean 'edgebox run nosuch.js'?");
  });

  test("--help piped is plain text within 80 columns, and every flag has a description", async () => {
    const { commands } = await import("../cmd/commands.ts");
    for (const name of ["", ...Object.keys(commands)]) {
      const r = edgebox(name ? [name, "--help"] : ["--help"]);
      expect(r.code).toBe(0);
      expect(r.stdout).not.toContain("\x1b[");
      for (const line of r.stdout.split("\n")) if (!line.startsWith("  edgebox ")) expect(line.length).toBeLessThanOrEqual(80); // examples stay whole
      // a flag line is "  --flag   text": never a flag alone
      for (const line of r.stdout.split("\n")) if (/^ {2}(-\w, )?--[\w-]+(=<[^>]+>)?$/.test(line)) throw new Error(`${name}: flag without a description: ${line}`);
    }
    expect(edgebox(["build", "--help"]).stdout).toMatch(/--no-freeze +Do not compile/);
  });

  test("a file that is not a script is refused in one line (a .wasm, binary content)", () => {
    for (const [file, what] of [["x.wasm", "a WebAssembly module"], ["data.bin", "binary content"]] as const) {
      for (const args of [["run", file], [file]]) {
        const r = edgebox(args, { cwd: dir });
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr.trim().split("\n")).toHaveLength(1);
        expect(r.stderr).toContain(`is not JavaScript or TypeScript (${what})`);
      }
    }
  });
});

describe("the CLI in-process (runMain)", async () => {
  // Importing the CLI runs nothing: the executable's entry is cmd/main.ts.
  const { runMain } = await import("../cmd/edgebox.ts");
  const drive = async (args: string[]) => {
    let stdout = "";
    let stderr = "";
    const code = await runMain(args, { stdout: (t) => void (stdout += t), stderr: (t) => void (stderr += t) });
    return { code, stdout, stderr };
  };

  test("version --json: the versions, exit 0", async () => {
    const r = await drive(["version", "--json"]);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout).edgebox).toBe((await import("../package.json")).version);
    expect(r.stderr).toBe("");
  });

  test("check <policy>: what the policy grants, in words", async () => {
    const dir = tempApp({ ".edgebox.json": JSON.stringify({ env: ["HOME_TOWN"] }) });
    const r = await drive(["check", join(dir, ".edgebox.json")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("HOME_TOWN");
  });

  test("an unknown command: one line on stderr, exit 2, nothing on stdout", async () => {
    const r = await drive(["frobnicate"]);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
    expect(r.stderr).toContain("unknown command 'frobnicate'");
  });

  test("a bad policy: one line naming the problem, exit 1", async () => {
    const dir = tempApp({ ".edgebox.json": "{ not json" });
    const r = await drive(["check", join(dir, ".edgebox.json")]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe("");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});
