// Policy files: finding, parsing, validating, every field's effect, and the
// grant flags. Through the compiled binary (`edgebox check` and `edgebox run`).

import { describe, expect, test } from "bun:test";
import { mkdirSync, realpathSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { edgebox, tempApp } from "./helpers.ts";

const check = (args: string[], cwd?: string) => edgebox(["check", ...args], { cwd });

function policyDir(files: Record<string, string>): string {
  return tempApp(files);
}

describe("finding the policy", () => {
  const dir = policyDir({
    ".edgebox.json": JSON.stringify({ name: "outer", env: ["FOUND_OUTER"] }),
    "app/deep/main.js": "console.log(JSON.stringify(Object.keys(process.env)));",
    "other/edgebox.toml": 'name = "other"\nenv = ["FOUND_TOML"]\n',
    "other/main.js": "console.log(JSON.stringify(Object.keys(process.env)));",
    "both/.edgebox.json": "{}",
    "both/edgebox.toml": "",
    "both/main.js": "",
  });
  const env = { FOUND_OUTER: "1", FOUND_TOML: "2" };

  test("walks up from the app's directory", () => {
    const r = edgebox(["run", join(dir, "app/deep/main.js")], { env });
    expect(r.stdout).toBe('["FOUND_OUTER"]\n');
  });

  test("edgebox.toml works the same", () => {
    const r = edgebox(["run", join(dir, "other/main.js")], { env });
    expect(r.stdout).toBe('["FOUND_TOML"]\n');
  });

  test("--config overrides the search", () => {
    const r = edgebox(["run", "--config", join(dir, "other/edgebox.toml"), join(dir, "app/deep/main.js")], { env });
    expect(r.stdout).toBe('["FOUND_TOML"]\n');
  });

  test("a missing --config file is one clear error", () => {
    const r = edgebox(["run", "--config", join(dir, "nope.json"), join(dir, "app/deep/main.js")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("nope.json: no such file");
  });

  test("two policy files in one directory is an error", () => {
    const r = edgebox(["run", join(dir, "both/main.js")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("keep one");
  });

  test("check finds the nearest policy from the working directory", () => {
    const r = check([], join(dir, "app/deep"));
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`Policy ${join(dir, ".edgebox.json")} (outer): valid.`);
  });
});

describe("validation errors name the field", () => {
  const cases: [string, string, string][] = [
    ["unknown field", `{"nmae": "x"}`, 'nmae: unknown field (did you mean "name"?)'],
    ["unknown nested field", `{"dirs": [{"path": "x", "wrte": true}]}`, 'dirs[0].wrte: unknown field (did you mean "write"?)'],
    ["wrong type", `{"dirs": [{"path": "x", "read": "yes"}]}`, "dirs[0].read: must be boolean"],
    ["missing path", `{"dirs": [{"read": true}]}`, 'dirs[0]: missing "path"'],
    ["bad enum", `{"processSandbox": "sometimes"}`, 'processSandbox: must be one of "required", "best-effort"'],
    ["bad env name", `{"env": ["NOT-A-NAME"]}`, `env[0]: "NOT-A-NAME" is not a valid value here`],
    ["negative limit", `{"runtime": {"heap_size": -5}}`, "runtime.heap_size: must be >= 1048576"],
    ["bad command args", `{"commands": {"git": []}}`, "commands.git"],
    ["bad rate", `{"rateLimitRps": -1}`, "rateLimitRps: must be >= 0"],
    ["bad port", `{"daemon": {"port": 70000}}`, "daemon.port: must be <= 65535"],
    ["bad URL pattern", `{"allowedUrls": ["https://user@host/"]}`, "allowedUrls[0]"],
  ];
  for (const [name, json, message] of cases) {
    test(name, () => {
      const dir = policyDir({ "p.json": json });
      const r = check([join(dir, "p.json")]);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toContain(message);
    });
  }

  test("several problems are all listed", () => {
    const dir = policyDir({ "p.json": `{"nmae": 1, "env": [1], "useKeychain": "no"}` });
    const r = check([join(dir, "p.json")]);
    expect(r.stderr).toContain("nmae: unknown field");
    expect(r.stderr).toContain("env[0]: must be string");
    expect(r.stderr).toContain("useKeychain: must be boolean");
  });
});

describe("syntax errors give line and column", () => {
  test("JSON: a trailing comma", () => {
    const dir = policyDir({ "p.json": '{\n  "name": "x",\n}\n' });
    const r = check([join(dir, "p.json")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${join(dir, "p.json")}:3:1: trailing comma before }`);
  });
  test("JSON: a missing quote", () => {
    const dir = policyDir({ "p.json": '{\n  name: "x"\n}' });
    const r = check([join(dir, "p.json")]);
    expect(r.stderr).toContain(`${join(dir, "p.json")}:2:3: expected a "quoted" key`);
  });
  test("TOML: an unterminated array", () => {
    const dir = policyDir({ "edgebox.toml": 'name = "x"\nenv = ["A",\n' });
    const r = check([join(dir, "edgebox.toml")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`edgebox\\.toml:\\d+:\\d+: `));
  });
});

describe("every field", () => {
  const full = {
    name: "full",
    npm: "some-cli",
    runtime: { stack_size: 262144, heap_size: 67108864, max_memory_pages: 2048, max_instructions: -1, timeout_ms: 5000 },
    dirs: [
      { path: "./data", read: true },
      { path: "$HOME", read: true, write: false },
      { path: "~/x", write: true },
      { path: "/usr/bin", execute: true },
    ],
    env: ["A", "B"],
    allowCommands: ["ls", "cat"],
    denyCommands: ["rm"],
    allowedUrls: ["https://api.example.com/v1/*", "*.example.org"],
    blockedUrls: ["https://api.example.com/v1/admin/*"],
    rateLimitRps: 3,
    maxConnections: 2,
    useKeychain: false,
    processSandbox: "best-effort",
    audit: "./audit.jsonl",
    daemon: { pool_size: 4, exec_timeout_ms: 1000, port: 8080, host: "127.0.0.1" },
  };
  const toml = `name = "full"
npm = "some-cli"
env = ["A", "B"]
allowCommands = ["ls", "cat"]
denyCommands = ["rm"]
allowedUrls = ["https://api.example.com/v1/*", "*.example.org"]
blockedUrls = ["https://api.example.com/v1/admin/*"]
rateLimitRps = 3
maxConnections = 2
useKeychain = false
processSandbox = "best-effort"
audit = "./audit.jsonl"

[runtime]
stack_size = 262144
heap_size = 67108864
max_memory_pages = 2048
max_instructions = -1
timeout_ms = 5000

[[dirs]]
path = "./data"
read = true

[[dirs]]
path = "$HOME"
read = true
write = false

[[dirs]]
path = "~/x"
write = true

[[dirs]]
path = "/usr/bin"
execute = true

[daemon]
pool_size = 4
exec_timeout_ms = 1000
port = 8080
host = "127.0.0.1"
`;
  const dir = policyDir({ "json/.edgebox.json": JSON.stringify(full), "json/data/x": "", "toml/edgebox.toml": toml, "toml/data/x": "" });

  test("a policy using every field is valid and described in words", () => {
    const r = check([join(dir, "json/.edgebox.json")], undefined);
    expect(r.code).toBe(0);
    const home = process.env.HOME ?? "/root";
    for (const s of [
      "(full): valid.",
      `${join(dir, "json/data")}`,
      `${home}  `,
      `${home}/x`,
      "A, B (the others are absent)",
      "ls, cat, found in /usr/bin",
      "never: rm",
      "best effort",
      "  only:\n    https://api.example.com/v1/*\n    *.example.org\n",
      "  never (wins over the above):\n    https://api.example.com/v1/admin/*\n",
      "at most 3 requests per second",
      "at most 2 requests at once",
      "JS heap 64 MiB; memory 128 MiB (2048 pages); stack 256 KiB",
      "time 5000 ms",
      `Audit log: ${join(dir, "json/audit.jsonl")}`,
    ]) {
      expect(r.stdout).toContain(s.replace("256 KiB", "262144 bytes"));
    }
  });

  test("JSON and TOML mean the same", () => {
    const j = check([join(dir, "json/.edgebox.json")]).stdout.replaceAll(join(dir, "json"), "<dir>").replace(/\.edgebox\.json/g, "<file>");
    const t = check([join(dir, "toml/edgebox.toml")]).stdout.replaceAll(join(dir, "toml"), "<dir>").replace(/edgebox\.toml/g, "<file>");
    expect(t).toBe(j);
  });

  test("the shipped examples are valid", () => {
    for (const f of ["readonly-data.json", "api-client.toml", "git-status.json", "dev-tools.json"]) {
      const r = check([join(import.meta.dir, "..", "policies", "examples", f)]);
      expect({ f, code: r.code, stderr: r.stderr }).toEqual({ f, code: 0, stderr: "" });
    }
  });

  test("no policy at all: nothing is granted", () => {
    const empty = policyDir({});
    const r = check([], empty);
    expect(r.stdout).toContain("No policy file: the defaults apply.");
    expect(r.stdout).toContain("nothing: process.env is empty");
    expect(r.stdout).toContain("Network (fetch):\n  none");
  });
});

describe("effects of fields at run time", () => {
  test("runtime.timeout_ms stops the run", () => {
    const dir = policyDir({ ".edgebox.json": JSON.stringify({ runtime: { timeout_ms: 200 } }), "spin.js": "while (true) {}" });
    const r = edgebox(["run", join(dir, "spin.js")]);
    expect(r.code).toBe(124);
    expect(r.stderr).toBe("edgebox: time limit exceeded (200 ms)\n");
  });

  test("runtime.heap_size caps the JS heap", () => {
    const dir = policyDir({
      ".edgebox.json": JSON.stringify({ runtime: { heap_size: 16 << 20 } }),
      "alloc.js": "const a = []; for (;;) a.push(new Array(100000).fill(1.5));",
    });
    const r = edgebox(["run", join(dir, "alloc.js")]);
    expect(r.code).toBe(137);
    expect(r.stderr).toContain("out of memory");
  });

  test("runtime.max_memory_pages caps the guest's memory (the heap limit left high)", () => {
    const dir = policyDir({
      ".edgebox.json": JSON.stringify({ runtime: { max_memory_pages: 512, heap_size: 1 << 30 } }),
      "alloc.js": "const a = []; for (;;) a.push(new Array(100000).fill(1.5));",
    });
    const r = edgebox(["run", join(dir, "alloc.js")]);
    expect(r.code).toBe(137);
    expect(r.stderr).toContain("out of memory");
  });

  test("env lists exactly what the app sees", () => {
    const dir = policyDir({ ".edgebox.json": JSON.stringify({ env: ["SEEN"] }), "env.js": "console.log(JSON.stringify(process.env))" });
    const r = edgebox(["run", join(dir, "env.js")], { env: { SEEN: "yes", UNSEEN: "no" } });
    expect(r.stdout).toBe('{"SEEN":"yes"}\n');
  });

  test("useKeychain off macOS is a warning, not an error", () => {
    const dir = policyDir({ ".edgebox.json": JSON.stringify({ useKeychain: true }), "a.js": "console.log('ran')" });
    const r = edgebox(["run", join(dir, "a.js")]);
    expect(r.code).toBe(0);
    expect(r.stdout).toBe("ran\n");
    if (process.platform !== "darwin") expect(r.stderr).toContain("useKeychain works on macOS only");
  });

  test("runtime.max_instructions stops a busy loop on the native engine", () => {
    const dir = policyDir({ ".edgebox.json": JSON.stringify({ runtime: { max_instructions: 20000000 } }), "spin.js": "let i = 0; while (true) i++;" });
    const r = edgebox(["run", "--engine=native", join(dir, "spin.js")]);
    expect(r.code).toBe(124);
    expect(r.stderr).toBe("edgebox: instruction limit exceeded (20000000 instructions)\n");
  });

  test("npm: running the app's directory runs the package's bin", () => {
    const dir = policyDir({
      ".edgebox.json": JSON.stringify({ npm: "greet-cli" }),
      "node_modules/greet-cli/package.json": JSON.stringify({ name: "greet-cli", bin: { "greet-cli": "bin/cli.js" }, main: "lib.js" }),
      "node_modules/greet-cli/bin/cli.js": "#!/usr/bin/env node\nconsole.log('greetings', process.argv.slice(2).join(' '));\n",
      "node_modules/greet-cli/lib.js": "module.exports = 1;",
    });
    expect(edgebox(["run", dir, "from", "npm"]).stdout).toBe("greetings from npm\n");
  });

  test("npm: a package that is not installed is one clear error", () => {
    const dir = policyDir({ ".edgebox.json": JSON.stringify({ npm: "missing-pkg" }) });
    const r = edgebox(["run", dir]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('"npm": "missing-pkg" is not installed');
  });

  test("relative dirs resolve against the policy file, not the working directory", () => {
    const dir = policyDir({
      ".edgebox.json": JSON.stringify({ dirs: [{ path: "./shared", read: true }] }),
      "shared/f.txt": "shared file",
      "app/a.js": `console.log(require("fs").readFileSync(${JSON.stringify("")} + process.argv[2], "utf8"))`,
    });
    mkdirSync(join(dir, "elsewhere"), { recursive: true });
    const r = edgebox(["run", join(dir, "app/a.js"), join(dir, "shared/f.txt")], { cwd: join(dir, "elsewhere") });
    expect(r.stdout).toBe("shared file\n");
  });
});

describe("grant flags", () => {
  const dir = policyDir({
    "app/read.js": `try { console.log(require("fs").readFileSync(process.argv[2], "utf8").trim()) } catch (e) { console.log(e.code) }`,
    "app/write.js": `try { require("fs").writeFileSync(process.argv[2], "w"); console.log("wrote") } catch (e) { console.log(e.code) }`,
    "app/env.js": `console.log(JSON.stringify(Object.keys(process.env).filter((k) => k.startsWith("FLAG_")).sort()))`,
    "app/run.js": `try { console.log(require("child_process").execFileSync("echo", ["ran"], { encoding: "utf8" }).trim()) } catch (e) { console.log(e.code) }`,
    "other/f.txt": "other file",
    "out/.keep": "",
  });
  const f = (p: string) => join(dir, p);
  const env = { FLAG_A: "1", FLAG_B: "2" };

  test("--allow-read=path", () => {
    expect(edgebox(["run", f("app/read.js"), f("other/f.txt")]).stdout).toBe("EACCES\n");
    expect(edgebox(["run", `--allow-read=${f("other")}`, f("app/read.js"), f("other/f.txt")]).stdout).toBe("other file\n");
  });
  test("--allow-read (all)", () => {
    expect(edgebox(["run", "--allow-read", f("app/read.js"), f("other/f.txt")]).stdout).toBe("other file\n");
  });
  test("--allow-write=path", () => {
    expect(edgebox(["run", f("app/write.js"), f("out/w.txt")]).stdout).toBe("EACCES\n");
    expect(edgebox(["run", `--allow-write=${f("out")}`, f("app/write.js"), f("out/w.txt")]).stdout).toBe("wrote\n");
  });
  test("--allow-env=A and --allow-env", () => {
    expect(edgebox(["run", f("app/env.js")], { env }).stdout).toBe("[]\n");
    expect(edgebox(["run", "--allow-env=FLAG_A", f("app/env.js")], { env }).stdout).toBe('["FLAG_A"]\n');
    expect(edgebox(["run", "--allow-env", f("app/env.js")], { env }).stdout).toBe('["FLAG_A","FLAG_B"]\n');
  });
  test("--allow-run=cmd", () => {
    expect(edgebox(["run", f("app/run.js")]).stdout).toBe("ERR_ACCESS_DENIED\n");
    const r = edgebox(["run", "--allow-run=echo", f("app/run.js")]);
    expect(r.stdout).toBe("ran\n");
  });
  test("--allow-run=path allows that program by name or by path; a listed name still needs an execute grant", () => {
    const echo = realpathSync(Bun.which("echo")!);
    const lists = policyDir({
      ".edgebox.json": JSON.stringify({ allowCommands: ["ls"] }),
      "run.js": `for (const c of ["echo", ${JSON.stringify(echo)}, "ls"]) { try { require("child_process").execFileSync(c, ["."]); console.log(c, "ran"); } catch (e) { console.log(c, e.code); } }`,
    });
    const r = edgebox(["run", `--allow-run=${Bun.which("echo")}`, "run.js"], { cwd: lists });
    expect(r.stdout).toBe(`echo ran\n${echo} ran\nls ERR_ACCESS_DENIED\n`); // ls is allowed by name, but no execute grant covers it
  });
  test("-A allows everything", () => {
    expect(edgebox(["run", "-A", f("app/read.js"), "/etc/hostname"]).stdout).not.toBe("EACCES\n");
  });
  test("a grant flag takes its list only with =, so the script is never taken as a path", () => {
    const r = edgebox(["run", "--allow-read", f("app/read.js"), f("other/f.txt")]);
    expect(r.code).toBe(0);
  });
  test("an unknown command in --allow-run is a clear error", () => {
    const r = edgebox(["run", "--allow-run=no-such-command-anywhere", f("app/run.js")]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("no such command on PATH");
  });
});

void writeFileSync;

describe("rules people write", () => {
  test('"rateLimitRps": 0 means no limit: accepted, and check says so', () => {
    const dir = tempApp({ ".edgebox.json": JSON.stringify({ allowedUrls: [], rateLimitRps: 0 }) });
    const r = edgebox(["check"], { cwd: dir });
    expect(r.code).toBe(0);
    expect(r.stdout).toContain("no limit on requests per second (rateLimitRps 0)");
  });

  test("every runtime and daemon field is described by check (none silently ignored)", () => {
    const dir = tempApp({
      ".edgebox.json": JSON.stringify({ runtime: { stack_size: 4194304, heap_size: 67108864, max_memory_pages: 2048, max_instructions: 1000000, timeout_ms: 900 }, daemon: { port: 8123, host: "127.0.0.1", exec_timeout_ms: 700, pool_size: 2 } }),
    });
    const r = edgebox(["check"], { cwd: dir });
    expect(r.code).toBe(0);
    for (const s of ["stack 4 MiB (about 16400 calls deep)", "JS heap 64 MiB", "(2048 pages)", "instructions 1000000", "time 900 ms", "http://127.0.0.1:8123/", "700 ms per request", "pool of 2"]) expect(r.stdout).toContain(s);
  });
});

describe("policy errors name the fix", () => {
  test("// comments in JSON point to edgebox.toml", () => {
    const dir = tempApp({ ".edgebox.json": `{\n  // read the data\n  "env": []\n}\n` });
    const r = edgebox(["check"], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain(".edgebox.json:2:3: comments are not JSON: use edgebox.toml, which allows them");
  });

  test("check of a file that does not exist names that file, not a flag", () => {
    const dir = tempApp();
    const r = edgebox(["check", "nonexist.json"], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("nonexist.json: no such file");
    expect(r.stderr).not.toContain("--config");
  });

  test('a missing "npm" package gives the npm install command', () => {
    const dir = tempApp({ ".edgebox.json": JSON.stringify({ npm: "cowsay" }) });
    const r = edgebox(["run", "."], { cwd: dir });
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("run 'npm install cowsay' in");
  });
});
