// The guest can neither stall nor bloat the host. Files the host reads (for
// the guest or for itself) are regular files, bounded: a FIFO or a device
// named in a grant, by a source map comment or by a tsconfig is refused
// clearly instead of blocking the process past --timeout. Host-side buffers
// are bounded by the guest's limits: a child's output by maxBuffer while it
// is read, decompression by the guest's heap, compression and hashing by the
// run's deadline.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { closeSync, constants, existsSync, mkdirSync, openSync, readdirSync, rmSync, symlinkSync, truncateSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { EDGEBOX, edgeboxAsync, noConfinement, securityTest, spawnAsync, tempApp } from "../helpers.ts";

const root = tempApp();
const app = join(root, "app");
const grant = join(root, "grant");

beforeAll(() => {
  mkdirSync(app, { recursive: true });
  mkdirSync(grant, { recursive: true });
  for (const p of [join(grant, "fifo"), join(app, "fifo"), join(app, "fifo.js"), join(root, "stdin-fifo"), join(root, "stdout-fifo")]) Bun.spawnSync(["mkfifo", p]);
  symlinkSync("fifo", join(grant, "fifo-link"));
  symlinkSync("/dev/zero", join(grant, "zero-link"));
  writeFileSync(join(grant, "plain.txt"), "plain\n");
  writeFileSync(
    join(app, ".edgebox.json"),
    JSON.stringify({
      dirs: [
        { path: ".", read: true },
        { path: "../grant", read: true, write: true },
        { path: "/dev/zero", read: true },
        { path: "/dev/null", read: true, write: true },
        { path: "/usr/bin", read: true, execute: true },
        { path: "/bin", read: true, execute: true },
      ],
      commands: { head: true, sh: true, dash: true },
    }),
  );
});

/** Run `source` as app/<name> under the app's policy with a time limit; the run must end by itself, never at the limit. */
async function run(name: string, source: string, args: string[] = [], argv: string[] = []) {
  writeFileSync(join(app, name), source);
  const r = await edgeboxAsync(["run", "--timeout", "8000", ...args, join(app, name), ...argv], { cwd: app });
  expect(r.stderr).not.toContain("time limit exceeded");
  return r;
}

describe("the host reads only regular files for the guest", () => {
  const spellings = ["../grant/fifo", join(grant, "fifo"), "../grant/./fifo", "../grant/fifo-link", "/dev/zero", "/dev/./zero", "../grant/zero-link", "/dev/null"];

  test("every read or open of a FIFO or device is refused at once, by name", async () => {
    const r = await run(
      "reads.js",
      `const fs = require("fs");
      const out = [];
      const tryIt = (what, fn) => { try { fn(); out.push(what + " ok"); } catch (e) { out.push(what + " " + e.code); } };
      for (const p of ${JSON.stringify(spellings)}) {
        tryIt("readFile " + p, () => fs.readFileSync(p));
        tryIt("open r " + p, () => fs.openSync(p, "r"));
        tryIt("open r+ " + p, () => fs.openSync(p, "r+"));
        tryIt("copy " + p, () => fs.copyFileSync(p, "../grant/copy-" + out.length));
      }
      tryIt("writeFile fifo", () => fs.writeFileSync("../grant/fifo", "x"));
      tryIt("append fifo", () => fs.appendFileSync("../grant/fifo", "x"));
      tryIt("require fifo", () => require("../grant/fifo"));
      import("../grant/fifo").catch((e) => out.push("import " + e.code));
      Promise.allSettled([
        fs.promises.readFile("../grant/fifo"),
        new Promise((res, rej) => fs.createReadStream("../grant/fifo").on("error", rej).on("data", res)),
        new Promise((res, rej) => fs.readFile("/dev/zero", (e, d) => (e ? rej(e) : res(d)))),
      ]).then((rs) => {
        for (const r of rs) out.push("async " + (r.status === "fulfilled" ? "ok" : r.reason.code));
        console.log(JSON.stringify(out));
      });`,
    );
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as string[];
    for (const line of out) {
      // reads are refused by what the file is; opens for writing may be refused first by the kernel
      // (a FIFO without a reader: ENXIO) or the policy (a read-only grant: EACCES); nothing is ever "ok"
      if (/^(readFile|open r |async)/.test(line)) expect(line).toEndWith(" ERR_NOT_SUPPORTED_IN_SANDBOX");
      else if (line.startsWith("require") || line.startsWith("import")) expect(line).toMatch(/ (ERR_)?MODULE_NOT_FOUND$/);
      else expect(line).toMatch(/ (ERR_NOT_SUPPORTED_IN_SANDBOX|ENXIO|EACCES)$/);
    }
    expect(out.length).toBe(spellings.length * 4 + 3 + 1 + 3);
    expect(out).toContain("import ERR_MODULE_NOT_FOUND");
    // nothing was made in the grant
    expect(readdirSync(grant).sort()).toEqual(["fifo", "fifo-link", "plain.txt", "zero-link"]);
  });

  test("the refusal says what the file is", async () => {
    const r = await run("say.js", `try { require("fs").readFileSync("../grant/fifo") } catch (e) { console.log(e.message) }`);
    expect(r.stdout).toBe("open '../grant/fifo': a FIFO; the sandbox opens only regular files and directories\n");
  });

  test("regular files and directories in the same grant still work", async () => {
    const r = await run("regular.js", `const fs = require("fs"); console.log(fs.readFileSync("../grant/plain.txt", "utf8").trim(), fs.readdirSync("../grant").length, fs.statSync("../grant/fifo").isFIFO())`);
    expect(r).toEqual({ code: 0, stdout: "plain 4 true\n", stderr: "" });
  });
});

describe("the host reads only regular files for itself", () => {
  for (const target of ["fifo", "./fifo", "../grant/fifo", "/dev/zero", "../grant/zero-link"]) {
    test(`a source map comment naming ${target}: the error is printed unmapped`, async () => {
      const r = await run("mapped.js", `throw new Error("boom");\n//# sourceMappingURL=${target}\n`);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("Error: boom");
      expect(r.stderr).toContain("mapped.js:1");
    });
  }

  test("a source map file larger than the cap is not read", async () => {
    writeFileSync(join(app, "huge.map"), "");
    truncateSync(join(app, "huge.map"), 200 << 20); // sparse: 200 MiB that take no disk
    const r = await run("huge-mapped.js", `throw new Error("boom");\n//# sourceMappingURL=huge.map\n`);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain("huge-mapped.js:1");
  });

  const tsconfigs: Record<string, () => void> = {
    "extends naming a FIFO": () => writeFileSync(join(app, "tsconfig.json"), `{ "extends": "./fifo" }`),
    "extends naming a FIFO without its extension": () => {
      if (!existsSync(join(app, "base.json"))) Bun.spawnSync(["mkfifo", join(app, "base.json")]);
      writeFileSync(join(app, "tsconfig.json"), `{ "extends": "./base" }`);
    },
    "extends naming a device": () => writeFileSync(join(app, "tsconfig.json"), `{ "extends": "/dev/zero" }`),
  };
  for (const [name, setup] of Object.entries(tsconfigs)) {
    test(`a tsconfig ${name}: refused in one clear error, not a hang`, async () => {
      setup();
      try {
        const r = await run("app.ts", `const n: number = 1;\nconsole.log(n);\n`);
        expect(r.code).toBe(1);
        expect(r.stderr).toMatch(/is not a regular file/);
      } finally {
        writeFileSync(join(app, "tsconfig.json"), "{}");
      }
    });
  }

  test("a main script that is a FIFO: refused in one line", async () => {
    const r = await edgeboxAsync(["run", "--timeout", "8000", join(app, "fifo.js")], { cwd: app });
    expect(r.code).not.toBe(0);
    expect(r.code).not.toBe(124);
    expect(r.stderr).toContain("fifo.js");
    expect(r.stderr.trim().split("\n")).toHaveLength(1);
  });
});

describe("a write to stdout waits no longer than the time limit", () => {
  const writes = `for (let i = 0; i < 64; i++) process.stdout.write("x".repeat(1 << 16));\nconsole.error("all written");\n`;
  const limit = "edgebox: time limit exceeded (1000 ms)\n";

  test("a FIFO nobody reads: exit 124 at the limit, not when the reader goes", async () => {
    writeFileSync(join(app, "stdout.js"), writes);
    // (held open by this test, O_RDWR: without waiting, and never read)
    const held = openSync(join(root, "stdout-fifo"), constants.O_RDWR);
    const p = Bun.spawn([EDGEBOX, "run", "--timeout", "1000", join(app, "stdout.js")], { cwd: app, stdin: "ignore", stdout: held, stderr: "pipe" });
    try {
      const [stderr, exit] = await Promise.all([new Response(p.stderr).text(), p.exited]);
      expect({ exit, stderr }).toEqual({ exit: 124, stderr: limit });
    } finally {
      p.kill(9);
      closeSync(held);
    }
  }, 20_000);

  test("stdout and stderr one FIFO nobody reads: exit 124 at the limit (the host's own message waits no longer)", async () => {
    writeFileSync(join(app, "stdout.js"), writes);
    const held = openSync(join(root, "stdout-fifo"), constants.O_RDWR);
    const p = Bun.spawn([EDGEBOX, "run", "--timeout", "1000", join(app, "stdout.js")], { cwd: app, stdin: "ignore", stdout: held, stderr: held });
    try {
      expect(await p.exited).toBe(124);
    } finally {
      p.kill(9);
      closeSync(held);
    }
  }, 20_000);

  const perl = ["/usr/bin/perl", "/bin/perl"].find((p) => existsSync(p));
  (perl ? test : test.skip)("a socket nobody reads (as node's and Bun's spawn give): exit 124 at the limit", async () => {
    writeFileSync(join(app, "stdout.js"), writes);
    // (Bun reads a "pipe" it gives at once: perl holds the other end of a socket pair, unread, until edgebox ends)
    const hold = `use Socket; socketpair(my $r, my $w, AF_UNIX, SOCK_STREAM, PF_UNSPEC) or die; my $pid = fork();
      if ($pid == 0) { close $r; open(STDOUT, ">&", $w) or die; exec @ARGV; } close $w; waitpid($pid, 0); print STDERR "exit ", $? >> 8, "\\n";`;
    const r = await spawnAsync([perl!, "-e", hold, EDGEBOX, "run", "--timeout", "1000", join(app, "stdout.js")], { cwd: app });
    expect(r.stderr).toBe(`${limit}exit 124\n`);
  }, 20_000);
});

describe("a read of stdin waits no longer than the time limit", () => {
  const spellings = {
    "readFileSync(0)": `require("fs").readFileSync(0)`,
    "readFileSync('/dev/stdin')": `require("fs").readFileSync("/dev/stdin")`,
    "readSync(0)": `require("fs").readSync(0, Buffer.alloc(10))`,
  };
  // stdin: a FIFO this test holds open for writing (O_RDWR: without waiting), or the socket Bun gives
  // as a "pipe" (as node's spawn does); nobody ever writes to either
  for (const kind of ["fifo", "socket"] as const) {
    for (const [name, code] of Object.entries(spellings)) {
      test(`${name} on a ${kind} nobody writes to: exit 124 at the limit`, async () => {
        writeFileSync(join(app, "stdin.js"), `${code};\nconsole.log("read");\n`);
        const held = kind === "fifo" ? openSync(join(root, "stdin-fifo"), constants.O_RDWR) : undefined;
        const p = Bun.spawn([EDGEBOX, "run", "--timeout", "500", join(app, "stdin.js")], { cwd: app, stdin: held ?? "pipe", stdout: "pipe", stderr: "pipe" });
        try {
          const [stdout, stderr, exit] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
          expect({ exit, stdout, stderr }).toEqual({ exit: 124, stdout: "", stderr: "edgebox: time limit exceeded (500 ms)\n" });
        } finally {
          p.kill(9);
          if (held !== undefined) closeSync(held);
        }
      }, 15_000);
    }
  }

  test("what arrives on a socket before the limit is read", async () => {
    writeFileSync(join(app, "stdin.js"), `console.log(require("fs").readFileSync(0, "utf8"));\n`);
    const p = Bun.spawn([EDGEBOX, "run", "--timeout", "5000", join(app, "stdin.js")], { cwd: app, stdin: "pipe", stdout: "pipe", stderr: "pipe" });
    p.stdin.write("over a socket");
    await p.stdin.end();
    const [stdout, stderr, exit] = await Promise.all([new Response(p.stdout).text(), new Response(p.stderr).text(), p.exited]);
    expect({ exit, stdout, stderr }).toEqual({ exit: 0, stdout: "over a socket\n", stderr: "" });
  }, 15_000);
});

describe("under edgebox serve, one request cannot freeze the worker", () => {
  test("a request reading a FIFO or a device is refused at once; the next request is served", async () => {
    writeFileSync(
      join(app, "server.mjs"),
      `import fs from "node:fs";
      export default { fetch(request) {
        const path = new URL(request.url).searchParams.get("path");
        if (!path) return new Response("alive");
        try { return new Response(String(fs.readFileSync(path).length)); } catch (e) { return new Response(e.code, { status: 403 }); }
      } };`,
    );
    const proc = Bun.spawn([EDGEBOX, "serve", "server.mjs", "--port", "0", "--workers", "1", "--timeout", "5000"], { cwd: app, stdout: "pipe", stderr: "pipe" });
    try {
      let out = "";
      void (async () => {
        for await (const c of proc.stdout as ReadableStream<Uint8Array>) out += new TextDecoder().decode(c);
      })();
      for (let i = 0; i < 400 && !/http:\/\/[\d.]+:\d+\//.test(out); i++) await Bun.sleep(25);
      const base = /http:\/\/[\d.]+:\d+/.exec(out)?.[0];
      expect(base).toBeDefined();
      for (const path of ["../grant/fifo", "../grant/fifo-link", "/dev/zero", "../grant/zero-link"]) {
        const r = await fetch(`${base}/?path=${encodeURIComponent(path)}`);
        expect(r.status).toBe(403);
        expect(await r.text()).toBe("ERR_NOT_SUPPORTED_IN_SANDBOX");
      }
      expect(await (await fetch(`${base}/?path=../grant/plain.txt`)).text()).toBe("6");
      expect(await (await fetch(`${base}/`)).text()).toBe("alive");
    } finally {
      proc.kill(9);
    }
  }, 30_000);
});

describe("host memory stays bounded by the guest's limits", () => {
  const loud = `const cp = require("child_process");
  const out = [];
  const show = (what, e) => out.push(what + " " + (e ? e.code + " " + (e.stdout ? e.stdout.length : 0) + " " + (e.stderr ? e.stderr.length : 0) : "no error"));
  const gig = ["-c", "1500000000", "/dev/zero"];
  try { cp.execFileSync("head", gig, { maxBuffer: 1024 }); show("execFileSync"); } catch (e) { show("execFileSync", e); }
  try { cp.execFileSync("head", gig); show("default maxBuffer"); } catch (e) { show("default maxBuffer", e); }
  const r = cp.spawnSync("sh", ["-c", "head -c 1500000000 /dev/zero >&2"], { maxBuffer: 4096 });
  show("spawnSync stderr", r.error && Object.assign(r.error, { stdout: r.stdout, stderr: r.stderr }));
  console.log(JSON.stringify({ out, rss: process.memoryUsage().rss }));`;

  securityTest(noConfinement)("a child printing gigabytes is killed at maxBuffer (ENOBUFS), not collected", async () => {
    const r = await run("loud.js", loud);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const { out, rss } = JSON.parse(r.stdout) as { out: string[]; rss: number };
    expect(out).toEqual(["execFileSync ENOBUFS 1024 0", "default maxBuffer ENOBUFS 1048576 0", "spawnSync stderr ENOBUFS 0 4096"]);
    // the host's resident memory (process.memoryUsage().rss is the host's) never held the output
    expect(rss).toBeLessThan(512 << 20);
  });

  test("a read that asks far more than the file holds: the host's buffer is what the file can give; past the guest's buffer, node's RangeError with the file untouched", async () => {
    const r = await run("big-read.js", `const fs = require("fs");
      const fd = fs.openSync("../grant/plain.txt", "r");
      const buf = new Uint8Array(192 << 20);
      let n = 0;
      for (let i = 0; i < 40; i++) n += fs.readSync(fd, buf, 0, buf.length, 0);
      let code;
      try { fs.readSync(fd, new Uint8Array(4), 0, 1 << 30, null); } catch (e) { code = e.code; }
      const small = new Uint8Array(5);
      fs.readSync(fd, small, 0, 5, null);
      console.log(JSON.stringify({ n, code, next: new TextDecoder().decode(small), rss: process.memoryUsage().rss }));`);
    expect(r.stderr).toBe("");
    const out = JSON.parse(r.stdout) as { n: number; code: string; next: string; rss: number };
    expect({ ...out, rss: 0 }).toEqual({ n: 240, code: "ERR_OUT_OF_RANGE", next: "plain", rss: 0 });
    // (the guest's 192 MiB buffer is in it; a host buffer of the asked size per read took it past 1 GiB)
    expect(out.rss).toBeLessThan(512 << 20);
  });

  test("copying a sparse file keeps its holes (a 4 KiB file of 1 GiB is not written out densely), and a copy stops at the time limit", async () => {
    const copy = (size: number) => `const fs = require("fs");
      const fd = fs.openSync("../grant/sparse", "w"); fs.writeSync(fd, "a", 5); fs.writeSync(fd, "z", ${size}); fs.closeSync(fd);
      fs.copyFileSync("../grant/sparse", "../grant/copy");
      const st = fs.statSync("../grant/copy"), c = fs.openSync("../grant/copy", "r"), b = Buffer.alloc(1);
      const at = (p) => (fs.readSync(c, b, 0, 1, p), String(b));
      console.log(st.size, st.blocks * 512 < (16 << 20), at(5), at(6) === "\\0", at(${size}));`;
    const r = await run("sparse.js", copy(2 ** 30));
    expect(r).toEqual({ code: 0, stdout: `${2 ** 30 + 1} true a true z\n`, stderr: "" });
    // 1 TiB of holes to read through: the time limit ends it, with little written
    writeFileSync(join(app, "huge.js"), copy(2 ** 40));
    const huge = await edgeboxAsync(["run", "--timeout", "1500", join(app, "huge.js")], { cwd: app });
    expect([huge.code, huge.stderr]).toEqual([124, "edgebox: time limit exceeded (1500 ms)\n"]);
    rmSync(join(grant, "sparse"));
    rmSync(join(grant, "copy"));
  }, 60_000);

  test("a decompression bomb stops at the guest's heap: an error the guest can catch", async () => {
    writeFileSync(join(app, "bomb.gz"), gzipSync(Buffer.alloc(200 << 20)));
    const r = await run("bomb.js", `const zlib = require("zlib"); const bomb = require("fs").readFileSync("bomb.gz");
      for (const f of ["gunzipSync", "unzipSync"]) try { zlib[f](bomb); console.log(f, "inflated") } catch (e) { console.log(f, e.code) }`, ["--max-memory", "64"]);
    expect(r).toEqual({ code: 0, stdout: "gunzipSync ERR_BUFFER_TOO_LARGE\nunzipSync ERR_BUFFER_TOO_LARGE\n", stderr: "" });
  });

  test("compression and hashing stop at the run's deadline (a slow brotli does not run on after it)", async () => {
    // Text brotli's best quality needs tens of seconds for; the test's own timeout (20 s) would catch a host that ran on.
    const text = Buffer.alloc(6 << 20);
    for (let i = 0; i < text.length; i++) text[i] = 65 + ((Math.random() * 32) | 0);
    writeFileSync(join(app, "text.bin"), text);
    writeFileSync(join(app, "slow.js"), `const data = require("fs").readFileSync("text.bin"); require("zlib").brotliCompressSync(data); console.log("finished");`);
    const r = await edgeboxAsync(["run", "--timeout", "2000", join(app, "slow.js")], { cwd: app });
    expect(r.code).toBe(124);
    expect(r.stdout).toBe("");
    expect(r.stderr).toBe("edgebox: time limit exceeded (2000 ms)\n");
  }, 20_000);
});

describe("no value from the guest raises an exception in the host", () => {
  let server: ReturnType<typeof Bun.serve>;
  const seen: string[] = [];
  beforeAll(() => {
    server = Bun.serve({
      port: 0,
      hostname: "127.0.0.1",
      fetch: (req) => {
        seen.push([...req.headers.keys()].join(","));
        return new Response("ok");
      },
    });
  });
  afterAll(() => server?.stop(true));

  test("an uncaught value whose stack, message or traps throw is reported, not an internal error; one whose getter loops ends at the time limit", async () => {
    const cant = "Uncaught exception: what was thrown could not be described (reading it threw)\n";
    const cases: [string, string][] = [
      ["getter.js", `Object.defineProperty(Error.prototype, "stack", { get() { throw new Error("g"); } }); throw new Error("boom");`],
      ["proxy.js", `throw new Proxy({}, { get() { throw 1; }, getPrototypeOf() { throw 2; } });`],
      ["self.js", `const e = new Error("x"); Object.defineProperty(e, "stack", { get() { throw e; } }); throw e;`],
      ["rejected.js", `Promise.reject(new Proxy({}, { get() { throw 1; }, getPrototypeOf() { throw 2; } }));`],
    ];
    for (const [name, source] of cases) expect(await run(name, source)).toEqual({ code: 1, stdout: "", stderr: cant });
    // a worker's uncaught error of that kind reaches its parent's 'error' as a message
    const w = await run("worker-stack.js", `const { Worker } = require("worker_threads");
      new Worker(${JSON.stringify(cases[0]![1])}, { eval: true }).on("error", (e) => console.log("error:", e.message));`);
    expect([w.code, w.stdout]).toEqual([0, "error: boom\n"]);
    writeFileSync(join(app, "loops.js"), `Object.defineProperty(Error.prototype, "stack", { get() { for (;;) {} } }); throw new Error("boom");`);
    const loops = await edgeboxAsync(["run", "--timeout", "1000", join(app, "loops.js")], { cwd: app });
    expect(loops).toEqual({ code: 124, stdout: "", stderr: "edgebox: time limit exceeded (1000 ms)\n" });
  }, 30_000);

  test("fetch with a header or method no HTTP request can carry rejects in the guest; edgebox lives on", async () => {
    const base = `http://127.0.0.1:${server.port}/`;
    const r = await run(
      "headers.js",
      `const base = process.argv[2];
      const bad = [
        { headers: { "x-a": "v\\r\\nInjected: 1" } },
        { headers: { "x-a": "v\\nInjected: 1" } },
        { headers: { "x-a": "v\\rInjected: 1" } },
        { headers: { "x-a": "v\\0" } },
        { headers: [["x-a", "\\u20ac"]] },
        { headers: { "x a": "v" } },
        { headers: { "x-a:": "v" } },
        { headers: { "": "v" } },
        { headers: Object.fromEntries(Array.from({ length: 1001 }, (_, i) => ["x-" + i, "v"])) },
        { method: "GET\\r\\nInjected: 1" },
        { method: "G ET" },
      ];
      (async () => {
        const out = [];
        for (const init of bad) {
          try { await fetch(base, init); out.push("sent"); } catch (e) { out.push(e.name + " " + e.code); }
        }
        out.push((await (await fetch(base, { headers: { "x-ok": "fine" } })).text()));
        console.log(JSON.stringify(out));
      })();`,
      ["--allow-net=127.0.0.1"],
      [base],
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    const out = JSON.parse(r.stdout) as string[];
    expect(out.pop()).toBe("ok");
    expect(out).toHaveLength(11);
    for (const o of out) expect(o).toMatch(/^(TypeError|Error) (ERR_INVALID_CHAR|ERR_INVALID_ARG_VALUE|ERR_INVALID_HTTP_TOKEN)$|^TypeError undefined$/);
    // only the good request reached the server, and nothing was injected
    expect(seen.filter((h) => h.includes("injected"))).toEqual([]);
  });
});
