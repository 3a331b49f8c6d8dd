// Command rules where the kernel sees them: a denied program cannot run by
// any name or through any wrapper inside the confinement; no file the app can
// write is executed; a child gets only the variables the policy passes on;
// a name in the policy means the program it resolves to. And the original
// design's example policy runs its commands.

import { describe, expect } from "bun:test";
import { chmodSync, existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { edgebox, noConfinement, securityTest, tempApp } from "../helpers.ts";

// Every test here runs commands in the confinement.
const test = securityTest(noConfinement);

const loader = ["/lib64/ld-linux-x86-64.so.2", "/lib/ld-linux-aarch64.so.1"].find((p) => existsSync(p))!;

/** Each line of the app's output, parsed (the app prints one JSON value per attempt). */
function lines(stdout: string): { what: string; status: number | null; out: string; err: string }[] {
  return stdout.trim().split("\n").map((l) => JSON.parse(l));
}

describe("a denied program, by any name or wrapper", () => {
  // Each spelling tries to remove out/victim.txt with the denied rm.
  const spellings: [string, string, string[]][] = [
    ["env", "env", ["rm", "out/victim.txt"]],
    ["timeout", "timeout", ["5", "rm", "out/victim.txt"]],
    ["nice", "nice", ["rm", "out/victim.txt"]],
    ["nohup", "nohup", ["rm", "out/victim.txt"]],
    ["setsid", "setsid", ["-w", "rm", "out/victim.txt"]],
    ["stdbuf", "stdbuf", ["-o0", "rm", "out/victim.txt"]],
    ["xargs", "sh", ["-c", "echo out/victim.txt | xargs rm"]],
    ["find -exec", "find", ["out", "-name", "victim.txt", "-exec", "rm", "{}", ";"]],
    ["sh -c", "sh", ["-c", "rm out/victim.txt"]],
    ["an absolute path", "sh", ["-c", "/usr/bin/rm out/victim.txt"]],
    ["another mount of it", "sh", ["-c", "/bin/rm out/victim.txt"]],
    ["a relative path", "sh", ["-c", "cd /usr/bin && ./rm \"$OLDPWD/out/victim.txt\""]],
    ["exec", "sh", ["-c", "exec rm out/victim.txt"]],
    ["perl's exec", "perl", ["-e", 'exec("/usr/bin/rm", "out/victim.txt") or die "refused: $!\\n"']],
    ["the dynamic loader", "sh", ["-c", `${loader} /usr/bin/rm out/victim.txt`]],
    ["a copy", "sh", ["-c", "cp /usr/bin/rm out/myrm && chmod +x out/myrm && ./out/myrm out/victim.txt"]],
  ];

  test("runs nowhere in the confinement: a permission error and the file is still there", () => {
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({
        dirs: [{ path: ".", read: true }, { path: "./out", write: true }, { path: "/usr/bin", execute: true }, { path: "/bin", execute: true }],
        allowCommands: ["env", "timeout", "nice", "nohup", "setsid", "stdbuf", "sh", "find", "perl"],
        denyCommands: ["rm"],
      }),
      "out/victim.txt": "still here\n",
      "app.js": [
        `const cp = require("child_process");`,
        `for (const [what, cmd, args] of ${JSON.stringify(spellings)}) {`,
        `  const r = cp.spawnSync(cmd, args, { encoding: "utf8" });`,
        `  console.log(JSON.stringify({ what, status: r.status, out: r.stdout, err: r.stderr }));`,
        `}`,
      ].join("\n"),
    });
    const r = edgebox(["run", "app.js"], { cwd: dir });
    expect(r.stderr).toBe("");
    const got = lines(r.stdout);
    expect(got.map((g) => g.what)).toEqual(spellings.map((s) => s[0]));
    for (const g of got) {
      // (a copy reads as an empty file: nothing to run; find reports the failed -exec but exits 0)
      if (g.what === "a copy") continue;
      expect({ what: g.what, err: g.err }).toEqual({ what: g.what, err: expect.stringMatching(/Permission denied|refused|file too short/) });
    }
    expect(readFileSync(join(dir, "out", "victim.txt"), "utf8")).toBe("still here\n");
  }, 30000);

  test("the spawn itself is refused by name, by path and through a link, with nothing run", () => {
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({ dirs: [{ path: ".", read: true }, { path: "./out", write: true }, { path: "/usr/bin", execute: true }], denyCommands: ["rm"] }),
      "out/victim.txt": "still here\n",
      "app.js": [
        `const fs = require("fs"), cp = require("child_process");`,
        `fs.symlinkSync("/usr/bin/rm", "out/del");`,
        `for (const c of ["rm", "/usr/bin/rm", "/bin/rm", "./out/del"]) {`,
        `  try { cp.execFileSync(c, ["out/victim.txt"]); console.log(c, "ran"); } catch (e) { console.log(c, e.code, e.message.includes('"rm" is in denyCommands')); }`,
        `}`,
      ].join("\n"),
    });
    const r = edgebox(["run", "app.js"], { cwd: dir });
    expect(r.stdout).toBe(["rm", "/usr/bin/rm", "/bin/rm", "./out/del"].map((c) => `${c} ERR_ACCESS_DENIED true\n`).join(""));
    expect(readFileSync(join(dir, "out", "victim.txt"), "utf8")).toBe("still here\n");
  }, 30000);

  test("a denied interpreter: its scripts do not run, by #! or through env", () => {
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({ dirs: [{ path: ".", read: true }, { path: "./out", write: true }, { path: "./tools", execute: true }, { path: "/usr/bin", execute: true }], denyCommands: ["sh"] }),
      "tools/direct": "#!/bin/sh\necho RAN > out/ran-direct\n",
      "tools/via-env": "#!/usr/bin/env sh\necho RAN > out/ran-env\n",
      "out/.keep": "",
      "app.js": [
        `const cp = require("child_process");`,
        `for (const c of ["./tools/direct", "./tools/via-env"]) {`,
        `  try { cp.execFileSync(c); console.log(c, "ran"); } catch (e) { console.log(c, e.code, /interpreter .* "sh" is in denyCommands/.test(e.message)); }`,
        `}`,
        `const r = cp.spawnSync("env", ["./tools/via-env"], { encoding: "utf8" });`,
        `console.log("env", r.status !== 0, r.stderr.includes("Permission denied"));`,
      ].join("\n"),
    });
    for (const f of ["direct", "via-env"]) chmodSync(join(dir, "tools", f), 0o755);
    const r = edgebox(["run", "app.js"], { cwd: dir });
    expect(r.stdout).toBe("./tools/direct ERR_ACCESS_DENIED true\n./tools/via-env ERR_ACCESS_DENIED true\nenv true true\n");
    expect(existsSync(join(dir, "out", "ran-direct"))).toBe(false);
    expect(existsSync(join(dir, "out", "ran-env"))).toBe(false);
  });
});

describe("write XOR execute", () => {
  test("a file the app can write never runs, whatever its name or its interpreter", () => {
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({ dirs: [{ path: ".", read: true }, { path: "./bin", write: true, execute: true }, { path: "/usr/bin", execute: true }, { path: "/bin", execute: true }] }),
      "bin/.keep": "",
      "app.js": [
        `const fs = require("fs"), cp = require("child_process");`,
        `fs.writeFileSync("bin/git", "#!/bin/sh\\necho PWNED > bin/pwned\\n", { mode: 0o755 });`,
        `fs.copyFileSync("/usr/bin/true", "bin/true"); fs.chmodSync("bin/true", 0o755);`,
        `fs.symlinkSync("git", "bin/link-to-git");`,
        `for (const c of ["./bin/git", "bin/git", process.cwd() + "/bin/git", "./bin/true", "./bin/link-to-git"]) {`,
        `  try { cp.execFileSync(c); console.log("ran"); } catch (e) { console.log(e.code, e.message.includes("no file the app can write is executed")); }`,
        `}`,
      ].join("\n"),
    });
    const r = edgebox(["run", "app.js"], { cwd: dir });
    expect(r.stdout).toBe("ERR_ACCESS_DENIED true\n".repeat(5));
    expect(existsSync(join(dir, "bin", "pwned"))).toBe(false);
  });

  test("a script outside the write grants whose interpreter the app wrote does not run", () => {
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({ dirs: [{ path: ".", read: true }, { path: "./w", write: true, execute: true }, { path: "./tools", execute: true }, { path: "/usr/bin", execute: true }] }),
      "w/.keep": "",
      "app.js": [
        `const fs = require("fs"), cp = require("child_process");`,
        `fs.writeFileSync("w/interp", "#!/bin/sh\\necho PWNED > w/pwned\\n", { mode: 0o755 });`,
        `try { cp.execFileSync("./tools/tool"); console.log("ran"); } catch (e) { console.log(e.code, e.message.includes("the interpreter of")); }`,
      ].join("\n"),
    });
    mkdirSync(join(dir, "tools"));
    writeFileSync(join(dir, "tools", "tool"), `#!${realpathSync(dir)}/w/interp\n`, { mode: 0o755 });
    const r = edgebox(["run", "app.js"], { cwd: dir });
    expect(r.stdout).toBe("ERR_ACCESS_DENIED true\n");
    expect(existsSync(join(dir, "w", "pwned"))).toBe(false);
  });
});

describe("a child's variables", () => {
  const dangerous = ["TAR_OPTIONS", "LESSOPEN", "PERL5OPT", "PYTHONSTARTUP", "NODE_OPTIONS", "RUBYOPT", "LD_PRELOAD", "BASH_ENV", "GIT_CONFIG_COUNT", "EDITOR", "UNNAMED"];
  const app = [
    `const env = { NAMED: "kept", HOME: "/tmp/app-chosen-home", ${dangerous.map((n) => `${n}: "x"`).join(", ")} };`,
    `const out = require("child_process").spawnSync("env", [], { env, encoding: "utf8" }).stdout.split("\\n").filter(Boolean);`,
    `console.log(JSON.stringify({ names: out.map((l) => l.split("=")[0]).sort(), home: out.find((l) => l.startsWith("HOME=")) }));`,
  ].join("\n");
  const host = { HOME: process.env.HOME ?? "/root", PATH: "/usr/bin:/bin", SECRET_HOST_VAR: "s" };

  test("the host's base and the names the policy grants reach a child, nothing else the app passes; the audit log lists what was dropped", () => {
    const dir = tempApp({ ".edgebox.json": JSON.stringify({ env: ["NAMED"], audit: "./audit.jsonl" }), "app.js": app });
    const r = edgebox(["run", "--allow-run=env", "app.js"], { cwd: dir, env: host });
    const { names, home } = JSON.parse(r.stdout);
    expect(names.filter((n: string) => n !== "PWD")).toEqual(["HOME", "NAMED", "PATH"]); // (bubblewrap sets PWD)
    expect(home).toBe(`HOME=${host.HOME}`); // not the app's: git would read its config from there
    const audit = readFileSync(join(dir, "audit.jsonl"), "utf8").trim().split("\n").map((l) => JSON.parse(l));
    const dropped = audit.find((e) => e.capability === "env" && e.allowed === false);
    expect(dropped.target.split(",").sort()).toEqual([...dangerous, "HOME"].sort());
  });

  test("with every variable granted (--allow-env), those that make a program run code still do not pass", () => {
    const dir = tempApp({ "app.js": app });
    const { names, home } = JSON.parse(edgebox(["run", "--allow-env", "--allow-run=env", "app.js"], { cwd: dir, env: host }).stdout);
    expect(names).toContain("UNNAMED");
    expect(home).toBe(`HOME=${host.HOME}`);
    for (const n of dangerous.filter((n) => n !== "UNNAMED")) expect(names).not.toContain(n);
  });
});

describe("a name in the policy is the program it resolves to", () => {
  test('allowCommands ["sh"] runs the system shell (dash), by name and by path; a link named git to it is still sh', () => {
    const sh = realpathSync(Bun.which("sh")!);
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({ dirs: [{ path: ".", read: true }, { path: "./out", write: true }, { path: "/usr/bin", execute: true }, { path: "/bin", execute: true }], allowCommands: ["sh"] }),
      "out/.keep": "",
      "app.js": [
        `const fs = require("fs"), cp = require("child_process");`,
        `for (const c of ["sh", "/bin/sh", ${JSON.stringify(sh)}]) console.log(cp.execFileSync(c, ["-c", "echo ok"], { encoding: "utf8" }).trim());`,
        `try { cp.execFileSync("git", ["--version"]); console.log("git ran"); } catch (e) { console.log(e.code); }`,
      ].join("\n"),
    });
    const r = edgebox(["run", "app.js"], { cwd: dir });
    expect(r.stdout).toBe("ok\nok\nok\nERR_ACCESS_DENIED\n");
    // the other way round: git allowed, a link named git to sh refused
    writeFileSync(join(dir, ".edgebox.json"), JSON.stringify({ dirs: [{ path: ".", read: true }, { path: "./out", write: true }, { path: "/usr/bin", execute: true }], allowCommands: ["git"] }));
    writeFileSync(join(dir, "app.js"), `require("fs").symlinkSync(${JSON.stringify(sh)}, "out/git");\ntry { require("child_process").execFileSync("./out/git", ["-c", "echo PWNED"]); } catch (e) { console.log(e.code, e.message.includes("is not in allowCommands")); }\n`);
    const r2 = edgebox(["run", "app.js"], { cwd: dir });
    expect(r2.stdout).toBe("ERR_ACCESS_DENIED true\n");
  });
});

describe("the original design's example policy", () => {
  // "/" read+execute; /tmp, $HOME and $PWD read+write; git, npm, node
  const policy = {
    dirs: [
      { path: "/", read: true, execute: true },
      { path: "/tmp", read: true, write: true },
      { path: "$HOME", read: true, write: true },
      { path: "$PWD", read: true, write: true },
    ],
    commands: { git: true, npm: true, node: true },
  };

  test("runs its commands, with EdgeBox's own files out of their reach", () => {
    const home = tempApp({ ".keep": "" });
    const dir = tempApp({
      ".edgebox.json": JSON.stringify(policy),
      "app.js": [
        `const cp = require("child_process");`,
        `for (const [c, a] of [["git", ["--version"]], ["node", ["--version"]], ["npm", ["--version"]]]) console.log(c, cp.execFileSync(c, a, { encoding: "utf8" }).trim().length > 0);`,
        `const js = 'const fs = require("fs"); for (const f of [() => fs.writeFileSync(".edgebox.json", "{}"), () => fs.renameSync(".edgebox.json", "x"), () => fs.unlinkSync(".edgebox.json"), () => fs.writeFileSync(process.env.HOME + "/.cache/edgebox/x", "")]) { try { f(); console.log("changed"); } catch (e) { console.log(e.code); } } console.log(fs.readdirSync(process.env.HOME + "/.cache/edgebox").length); fs.writeFileSync("made-by-node", "")';`,
        `console.log(cp.execFileSync("node", ["-e", js], { encoding: "utf8" }).trim());`,
      ].join("\n"),
    });
    const r = edgebox(["run", "app.js"], { cwd: dir, env: { HOME: home } });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("git true\nnode true\nnpm true\nEROFS\nEBUSY\nEBUSY\nEROFS\n0\n");
    expect(readFileSync(join(dir, ".edgebox.json"), "utf8")).toBe(JSON.stringify(policy));
    expect(existsSync(join(dir, "made-by-node"))).toBe(true);
    expect(existsSync(join(home, ".cache", "edgebox", "x"))).toBe(false);
  }, 60000);

  test("with a bubblewrap that cannot mount from descriptors (before 0.8), every command is refused, and check says so", () => {
    const fake = tempApp({ "bwrap": `#!/bin/sh\nif [ "$1" = --help ]; then ${Bun.which("bwrap")} --help | grep -v -- -fd; exit 0; fi\nexec ${Bun.which("bwrap")} "$@"\n` });
    chmodSync(join(fake, "bwrap"), 0o755);
    const dir = tempApp({ ".edgebox.json": JSON.stringify(policy), "app.js": `try { require("child_process").execFileSync("git", ["--version"]); console.log("ran"); } catch (e) { console.log(e.code, e.message.includes("bubblewrap 0.8 or later")); }\n` });
    const env = { PATH: `${fake}:/usr/bin:/bin` };
    expect(edgebox(["run", "app.js"], { cwd: dir, env }).stdout).toBe("ERR_ACCESS_DENIED true\n");
    expect(edgebox(["check"], { cwd: dir, env }).stdout).toContain("Here: every command is refused: a command cannot be confined: the grant of");
  }, 30000);

  test("edgebox check says what will happen", () => {
    const dir = tempApp({ ".edgebox.json": JSON.stringify(policy) });
    const r = edgebox(["check"], { cwd: dir });
    expect(r.code).toBe(0);
    for (const s of ["git, npm, node, found in /", "never a program in /tmp", "the policy file read-only, its cache and audit log hidden", "their variables: PATH, HOME", "Here: commands run under bubblewrap", `  git: ${realpathSync(Bun.which("git")!)}\n`]) expect(r.stdout).toContain(s);
    // a denied name: the files masked
    writeFileSync(join(dir, ".edgebox.json"), JSON.stringify({ ...policy, denyCommands: ["rm"] }));
    expect(edgebox(["check"], { cwd: dir }).stdout).toContain(`  masked: ${realpathSync(Bun.which("rm")!)}`);
  });
});

describe("an older bubblewrap", () => {
  test("one without --json-status-fd (before 0.4) still confines commands, not refuses them", () => {
    // a bubblewrap that knows every option but that one, found first on PATH
    const fake = tempApp({
      bwrap: [
        "#!/bin/sh",
        `for a in "$@"; do [ "$a" = --json-status-fd ] && { echo "bwrap: Unknown option --json-status-fd" >&2; exit 1; }; done`,
        `[ "$1" = --help ] && { /usr/bin/bwrap --help | grep -v json-status-fd; exit 0; }`,
        `exec /usr/bin/bwrap "$@"`,
      ].join("\n"),
    });
    chmodSync(join(fake, "bwrap"), 0o755);
    const dir = tempApp({ "app.js": `const r = require("child_process").spawnSync("echo", ["confined"], { encoding: "utf8" }); console.log(r.status, r.stdout.trim(), r.stderr.trim());` });
    const r = edgebox(["run", "--allow-run=echo", "app.js"], { cwd: dir, env: { PATH: `${fake}:/usr/bin:/bin` } });
    expect(r.stderr).toBe("");
    expect(r.stdout).toBe("0 confined \n");
  });
});
