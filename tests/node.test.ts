// Node's built-in modules inside the sandbox print what they print under node,
// on both engines; what the sandbox cannot offer fails loudly, naming itself.

import { describe, expect, test } from "bun:test";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { edgeboxAsync, ENGINES, nodeAsync, tempApp } from "./helpers.ts";

async function same(name: string, script: string, opts: { stdin?: string; engine?: string; args?: string[] } = {}) {
  const dir = tempApp({ [name]: script });
  const file = join(dir, name);
  const env = { TZ: "UTC" };
  const [expected, actual] = await Promise.all([
    nodeAsync([file, ...(opts.args ?? [])], { cwd: dir, stdin: opts.stdin, env }),
    edgeboxAsync(["run", `--engine=${opts.engine ?? "native"}`, file, ...(opts.args ?? [])], { cwd: dir, stdin: opts.stdin, env }),
  ]);
  expect(expected.stdout.length).toBeGreaterThan(0);
  if (actual.stdout !== expected.stdout) console.error(actual.stderr);
  expect(actual.stdout).toBe(expected.stdout);
  expect(actual.code).toBe(expected.code);
}

test("a URL's searchParams: changes write the URL's search back, for each URL, as under node", async () => {
  await same(
    "search-params.mjs",
    `const u = new URL("http://h/p?a=1&b=2");
const p = u.searchParams;
p.append("c", "3 4");
p.set("a", "9");
p.delete("b");
p.sort();
console.log(u.href, u.search, p === u.searchParams, p instanceof URLSearchParams, p.toString(), [...p].length);
const v = new URL("http://h/");
v.searchParams.set("q", "x y");
v.searchParams.append("r", "é&=");
console.log(v.href, v.searchParams.size, v.searchParams.get("r"), u.href);
for (let i = 0; i < 3; i++) {
  const w = new URL("http://h/?n=" + i);
  w.searchParams.set("n", String(i * 2));
  console.log(w.search, w.searchParams.get("n"));
}
`,
  );
});

test("built-ins' functions carry node's names (a bundled package keeps them; libraries check fn.name)", async () => {
  await same(
    "names.js",
    `const E = require("events"), u = require("util"), p = require("path"), s = require("stream"), { Buffer } = require("buffer");
console.log([E, E.prototype.emit, E.prototype.on, E.prototype.once, E.once, u.inspect, u.format, u.formatWithOptions, u.inherits, p.join, p.resolve, s.Readable, s.pipeline, Buffer, Buffer.from].map((f) => f.name).join(" "));
`,
  );
});

test("process.cpuUsage(previous) is the time since previous, as node's", async () => {
  await same(
    "cpu.js",
    `const spin = (ms) => { const t = Date.now(); while (Date.now() - t < ms) {} };
spin(300);
const a = process.cpuUsage();
spin(30);
const d = process.cpuUsage(a);
// (the 300 ms before \`a\` must not count; under load CPU time is at most the wall time)
console.log(typeof d.user, typeof d.system, d.user < 200000, d.system >= 0);
`,
  );
});

test("legacy url.parse, format and resolve as node 20: international and IPv6 hosts, schemes without //, mailto, tabs and line breaks in the authority, file: without a host, relative resolution", async () => {
  await same("legacy-url-2.js", `const url = require("url");
for (const u of ["/example", "http://example.com", "http://a\\r\\" \\t\\n<'b:b@c\\r\\nd/e?f", "file:/ex/x/y", "mailto:foo@bar.com?subject=hello", "HtTp://x.y.cOm;A/b/c?d=e#f g<h>i", "http://SÉLIER.COM/", "coap://[FEDC:BA98:7654:3210:FEDC:BA98:7654:3210]", "git+ssh://git@github.com:npm/npm", "http://x.com/path?that's#all, folks", "xmpp:isaacschlueter@jabber.org", "http://a:b@c:99999/", "javascript:alert(1)", "//some/path", "http://user:pw@host:8080/p/a/t/h?query=string#hash"])
  console.log(JSON.stringify(u), JSON.stringify(url.parse(u)));
console.log(JSON.stringify(url.parse("/a?x=1&x=2&y", true)), url.format({ protocol: "http", host: "a.com", pathname: "x", query: { a: [1, 2], b: "c d" } }));
console.log(url.resolve("http://a/b/c", "../d"), url.resolve("file:/ex/x/y", "q/r"), url.resolve("/one/two", "three"), url.format(new URL("http://u:p@x.com/a?b#c"), { auth: false }));
try { url.parse(5) } catch (e) { console.log(e.code, e.message) }
console.log(url.parse("http://x.com") instanceof url.Url, Object.keys(url.parse("http://x.com")).join());
for (const [a, b] of [["foo:a/b", "../c"], ["mailto:local1@domain1?query1", "local2@domain2"], ["http:///s//a/b/c", "../g"], ["zz:abc", "/foo/../bar"], ["foo/bar", "../../../baz"], ["http://example.com/b//c//d;p?q#blarg", "https:#hash2"], ["file:/ex/x/y/z", "../r"]])
  console.log(a, b, url.resolve(a, b), JSON.stringify(url.resolveObject(a, b)));
console.log(url.parse("http://www.日本語.com/").hostname, url.parse("http://➡.ws/➡").href, url.parse("http://x:1/' <>\\"\`/{}|\\\\^~\`/").pathname);
`);
});

test("legacy url.resolve of file: URLs without slashes, as node 20 writes them (file:///...)", async () => {
  await same("legacy-url-file.js", `const u = require("url");
for (const [a, b] of [["file:/e/x/y/z", "../abc"], ["file:/ex/x/y", ""], ["file:/ex/x/y", "q/r#s"], ["file:/ex/x/y/z", "/r"], ["file:/some/dir/foo", "./#blort"], ["file:/swap/test/animal.rdf", "#Animal"], ["file:///a/b", "c"], ["file:/a", "file:b"]])
  console.log(u.resolve(a, b), u.format(u.resolveObject(a, b)), JSON.stringify(u.parse(a)));
`);
});

test("legacy url.parse reads backslashes and escapes as node: a host after http:, escaped query and hash; resolveObject of a parsed Url", async () => {
  await same(
    "legacy-url.js",
    `const url = require("url"), qs = require("querystring"), b = String.fromCharCode(92);
for (const u of ["http:" + b + b + "evil-phisher" + b + "foo.html#h" + b + "a", "http://x.com" + b + "a" + b + "b?c" + b + "d e", "/a" + b + "b", "http://a.com/p?q#h x"]) {
  const p = url.parse(u);
  console.log(p.host, p.pathname, p.search, p.hash, p.href);
}
console.log(url.resolveObject(url.parse("http://a.com/b/c"), "../d").href, qs.escape("!'()* ~"));
`,
  );
});

const BUILTINS = `
const os = require("os"), url = require("url"), qs = require("querystring"), assert = require("assert");
const crypto = require("crypto"), zlib = require("zlib"), { StringDecoder } = require("string_decoder");
const util = require("util"), tty = require("tty");
console.log(os.EOL === "\\n", os.cpus().length > 0, os.platform(), os.arch(), os.totalmem() > 0, typeof os.tmpdir());
console.log(url.fileURLToPath("file:///a/b%20c"), url.pathToFileURL("/x y/z#?").href);
console.log(url.parse("http://user:pw@Host.com:8080/p/a/t/h?query=string#hash"));
console.log(url.parse("/foo?a=1&b=2", true).query, url.parse("mailto:a@b.com").host);
console.log(url.format({ protocol: "https", hostname: "ex.com", pathname: "/a", query: { x: 1 } }));
console.log(url.resolve("http://a.com/b/c", "../d"), url.resolve("/one/two/three", "four"));
console.log(qs.stringify({ a: [1, 2], b: "x y" }), qs.parse("a=1&a=2&b=%20"));
console.log(crypto.createHash("sha256").update("abc").digest("hex"));
console.log(crypto.createHash("md5").update("a").update(Buffer.from("b")).digest("base64"));
console.log(crypto.createHash("sha512").update("").digest("base64url"), crypto.createHash("sha1").update("x").digest().length);
console.log(crypto.createHmac("sha256", "key").update("data").digest("hex"));
console.log(crypto.randomBytes(8).length, crypto.randomUUID().length, crypto.randomInt(10) < 10, crypto.randomBytes(70000).length);
console.log(crypto.timingSafeEqual(Buffer.from("ab"), Buffer.from("ab")), crypto.getHashes().includes("sha256"));
try { crypto.createHash("nope"); } catch (e) { console.log(e.message); }
const h = crypto.createHash("sha256"); h.digest(); try { h.update("x"); } catch (e) { console.log(e.code); }
const gz = zlib.gzipSync("hello hello hello");
console.log(zlib.gunzipSync(gz).toString(), zlib.inflateSync(zlib.deflateSync(Buffer.from("xyz"))).toString());
console.log(zlib.inflateRawSync(zlib.deflateRawSync("raw")).toString(), zlib.unzipSync(gz).toString(), zlib.brotliDecompressSync(zlib.brotliCompressSync("brot")).toString());
try { zlib.gunzipSync(Buffer.from("nope")); } catch (e) { console.log(e.code, e.errno, e.message); }
const d = new StringDecoder("utf8"); console.log(d.write(Buffer.from([0xe2, 0x82])) + d.write(Buffer.from([0xac])), d.end());
try { assert.strictEqual(1, 2); } catch (e) { console.log(e.message, e.code, e.name, e.actual, e.expected, e.operator); }
try { assert.deepStrictEqual({ a: 1, b: [1, 2] }, { a: 1, b: [1, 3] }); } catch (e) { console.log(e.message); }
try { assert.throws(() => {}); } catch (e) { console.log(e.message); }
try { assert.notStrictEqual(1, 1); } catch (e) { console.log(e.message); }
try { assert.ok(0, "custom"); } catch (e) { console.log(e.message, e.generatedMessage); }
try { assert.match("abc", /x/); } catch (e) { console.log(e.message); }
assert.throws(() => { throw new TypeError("x"); }, TypeError);
assert.throws(() => { throw new TypeError("boom"); }, { name: "TypeError", message: /oo/ });
assert.deepEqual({ a: 1 }, { a: "1" });
require("assert/strict").deepEqual([1], [1]);
console.log(util.parseArgs({ args: ["-f", "--bar", "b", "pos"], options: { foo: { type: "boolean", short: "f" }, bar: { type: "string" } }, allowPositionals: true }));
console.log(util.parseArgs({ args: ["-abc", "--m", "1", "--m=2"], options: { a: { type: "boolean" }, b: { type: "boolean" }, c: { type: "boolean" }, m: { type: "string", multiple: true }, d: { type: "string", default: "dd" } } }).values);
for (const args of [["--nope"], ["--bar"], ["-f=1"], ["x"]]) {
  try { util.parseArgs({ args, options: { bar: { type: "string" }, foo: { type: "boolean", short: "f" } } }); } catch (e) { console.log(e.code, e.message); }
}
console.log(tty.isatty(1), process.stdout.isTTY, process.stdin.isTTY);
const mu = process.memoryUsage(); console.log(Object.keys(mu), mu.heapUsed > 0, process.memoryUsage.rss() > 0);
const { performance: p2, PerformanceObserver } = require("perf_hooks");
console.log(globalThis.crypto.getRandomValues(new Uint8Array(4)).length, globalThis.crypto.randomUUID().length);
console.log(require("constants").ENOENT, require("module").builtinModules.includes("readline/promises"));
// the asynchronous forms, one at a time (their relative order under node depends on its thread pool)
(async () => {
  await new Promise((resolve) => zlib.gzip("cb", (err, out) => resolve(console.log("gzip cb", err, zlib.gunzipSync(out).toString()))));
  await assert.rejects(Promise.reject(new Error("r")), /r/);
  console.log("rejects ok");
  await new Promise((resolve) => {
    new PerformanceObserver((list, obs) => { console.log("observed", list.getEntries().map((e) => e.name)); obs.disconnect(); resolve(); }).observe({ entryTypes: ["measure"] });
    p2.mark("a"); p2.mark("b"); console.log(p2.measure("m", "a", "b").name, p2.getEntriesByType("mark").length);
  });
  console.log("timers/promises", await require("timers/promises").setTimeout(5, "v"));
  console.log(Buffer.from(await globalThis.crypto.subtle.digest("SHA-256", new TextEncoder().encode("abc"))).toString("hex"));
  await new Promise((resolve) => crypto.randomBytes(4, (err, b) => resolve(console.log("randomBytes cb", err, b.length))));
})();
`;

// events, stream, buffer and path come from the packages that carry node's code: the ES5
// patterns packages use on them (EventEmitter.call, Stream.call, util.inherits, Buffer()
// without new, `for (k in Buffer)`), and node 20's encodings and paths.
const ES5 = `
const EventEmitter = require("events"), Stream = require("stream"), util = require("util");
const { Readable, Writable, Transform, pipeline } = Stream;
// the ES5 patterns packages use on node's built-ins
function Emitter() { EventEmitter.call(this); }
util.inherits(Emitter, EventEmitter);
const e = new Emitter(); e.once("x", (v) => console.log("once", v)); e.emit("x", 1); e.emit("x", 2);
console.log(e instanceof EventEmitter, EventEmitter.listenerCount(e, "x"), EventEmitter.EventEmitter === EventEmitter);
function Legacy() { Stream.call(this); } util.inherits(Legacy, Stream);
console.log(new Legacy() instanceof EventEmitter, typeof Legacy.super_);
function Src(opts) { Readable.call(this, opts); this.n = 0; } util.inherits(Src, Readable);
Src.prototype._read = function () { this.push(this.n < 3 ? String(this.n++) : null); };
console.log(Buffer(2), Buffer("hi").toString("hex"), Buffer.isBuffer(Buffer.from([1])));
const statics = []; for (const k in Buffer) statics.push(k);
console.log(["from", "alloc", "allocUnsafe", "isBuffer", "concat", "byteLength"].every((k) => statics.includes(k)));
const b = Buffer.from("héllo wörld ✓");
console.log(b.toString("base64"), b.toString("base64url"), Buffer.from(b.toString("base64url"), "base64url").equals(b), Buffer.byteLength("aGk", "base64url"));
console.log(b.toString("latin1"), b.toString("hex"), Buffer.from("abc", "utf16le"), Buffer.from("ff00", "hex").readUInt16BE(0), Buffer.isEncoding("base64url"));
const w = Buffer.alloc(16); w.writeBigInt64LE(-5n); w.writeDoubleBE(1.5, 8); console.log(w.readBigInt64LE(), w.readDoubleBE(8), w.slice(8, 10), b.indexOf("wörld"), b.includes("✓"));
console.log(require("buffer").constants.MAX_STRING_LENGTH > 0, require("buffer").isUtf8(b), require("buffer").isAscii(b));
const odd = Buffer.from([0xef, 0xbb, 0xbf, 0x61, 0xff, 0xc3]);
console.log(JSON.stringify(odd.toString()), JSON.stringify(odd.toString("utf8", 3, 5)), odd.toString(undefined, -1, 99).length, odd.toString("utf8", 4, 2), Buffer.from("a\\ud800b"), Buffer.byteLength("€\\ud83d\\ude00"));
console.log(Buffer.alloc(4, 257), Buffer.alloc(3, "ab"), Buffer.alloc(2).fill(7, 1), Buffer.from("x".repeat(3)).fill("é"));
try { Buffer.alloc(2).fill(1, 0, 5); } catch (e) { console.log(e.name); }
const path = require("path");
console.log(path.join("/a/b", "../c", "./d"), path.resolve("/x", "y", "..", "z"), path.relative("/a/b/c", "/a/d"), path.parse("/home/u/file.tar.gz"));
console.log(path.format({ dir: "/x", name: "f", ext: ".js" }), path.normalize("a//b/../c/."), path.extname(".bashrc"), path.basename("/a/b.js", ".js"), path.isAbsolute("a"));
console.log(path.win32.join("C:\\\\a", "..\\\\b", "c"), path.win32.basename("C:\\\\x\\\\y.txt"), path.win32.isAbsolute("C:\\\\"), path.posix === path, path.win32.sep, path.toNamespacedPath("/a"));
const upper = new Transform({ transform(chunk, enc, cb) { cb(null, String(chunk).toUpperCase()); } });
let out = "";
pipeline(new Src(), upper, new Writable({ write(c, enc, cb) { out += c; cb(); } }), (err) => {
  console.log("pipeline", err, out);
  (async () => {
    const chunks = []; for await (const c of Readable.from(["x", "y"])) chunks.push(c);
    console.log("async iteration", chunks);
    await require("stream/promises").pipeline(Readable.from(["p"]), new Writable({ write(c, e, cb) { console.log("promises.pipeline", String(c)); cb(); } }));
  })();
});
`;

// util.inspect and util.format (node-inspect-extracted) and console.table, as node 20 prints them.
const INSPECT = `
const util = require("util");
class Point { constructor() { this.x = 1; this.y = { z: [1, 2, { deep: { deeper: true } }] }; } }
const circular = { name: "c" }; circular.self = circular;
const values = [
  "str", 42, -0, 12345678901234567890n, Symbol("s"), undefined, null, true, [1, , 3], new Array(120).fill(7),
  { a: 1, "b-c": 2, [Symbol("k")]: 3 }, new Point(), circular, new Map([["k", { v: 1 }]]), new Set([1, "two"]),
  new Date(0), /re/gi, function named() {}, () => {}, class K {}, new Uint8Array([1, 2, 3]), new ArrayBuffer(4),
  Object.create(null), new (class Foo extends Map {})(), "multi\\nline 'quoted'", new Error("plain").message, [[[[1]]]],
  { long: "x".repeat(100), other: "y".repeat(20) }, new WeakMap(), Buffer.from("hi"), [new Boolean(false), new String("s")],
];
for (const v of values) console.log(util.inspect(v));
console.log(util.inspect({ a: { b: { c: { d: 1 } } } }, { depth: 0 }), util.inspect([3, 1, 2], { compact: false }), util.inspect("x", { colors: true }));
console.log(util.format("%s %d %i %f %j %o %O %%", "s", 1.5, 1.5, "2.5", { j: 1 }, [1], { O: 1 }), util.format("a", { b: 1 }, 3));
const custom = { [util.inspect.custom](depth, opts, insp) { return "custom!" + typeof insp; } };
console.log(custom, util.inspect.custom === Symbol.for("nodejs.util.inspect.custom"), typeof util.inspect.defaultOptions);
console.log([1, 2], { x: "%s" }, "%s", "y");
console.log("%s|%s", "only one");
console.log(util.stripVTControlCharacters("\\u001b[31mred\\u001b[0m"), util.isString("x"), util.isObject(null));
console.table([{ a: 1, b: "x" }, { a: 2, c: [1, 2, 3, 4] }]);
console.table([1, "two", { three: 3 }]);
console.table(new Map([["k", { v: 1 }], ["l", 2]]));
console.table({ r1: { c: 1 }, r2: { c: 22222, d: null } }, ["c"]);
console.table([{ "wide": "é😀漢" }]);
`;

describe("node built-ins, as node prints them", () => {
  for (const engine of ENGINES) {
    test(`os, url, querystring, crypto, zlib, string_decoder, assert, util.parseArgs, perf_hooks (--engine ${engine})`, async () => {
      await same("builtins.js", BUILTINS, { engine });
    });
  }

  test("events, stream, buffer, path: node's packages, ES5-callable as packages use them", async () => {
    await same("es5.js", ES5);
  });

  test("util.inspect, util.format and console.table", async () => {
    await same("inspect.js", INSPECT);
  });

  test("readline 'line' events from stdin, CRLF and a last line without a newline", async () => {
    const script = `
const rl = require("readline").createInterface({ input: process.stdin });
let n = 0;
rl.on("line", (l) => { n++; console.log("line:", JSON.stringify(l)); });
rl.on("close", () => console.log("closed", n));`;
    await same("lines.js", script, { stdin: "a\r\nb\n\nc" });
  });

  test("readline/promises question, then close lets the process exit", async () => {
    const script = `
import * as readline from "node:readline/promises";
const rl = readline.createInterface({ input: process.stdin, output: process.stdout });
const name = await rl.question("name? ");
console.log("hi " + name);
rl.close();`;
    await same("ask.mjs", script, { stdin: "bob\nignored\n" });
  });

  test("for await over readline, on a large input", async () => {
    const script = `
import { createInterface } from "node:readline";
let sum = 0, lines = 0;
for await (const line of createInterface({ input: process.stdin })) { sum += Number(line); lines++; }
console.log(lines, sum);`;
    await same("sum.mjs", script, { stdin: Array.from({ length: 50000 }, (_, i) => i).join("\n") + "\n" });
  });

  test("stdin read whole: fs.readFileSync(0) and process.stdin events", async () => {
    await same("whole.js", `console.log(JSON.stringify(require("fs").readFileSync(0, "utf8")));`, { stdin: "x\ny\n" });
    await same("events.js", `let s = ""; process.stdin.setEncoding("utf8"); process.stdin.on("data", (c) => (s += c)); process.stdin.on("end", () => console.log(s.length, s.split("\\n").length));`, { stdin: "z".repeat(200000) + "\n" });
  });

  test("a script that never reads stdin exits at once, even when stdin stays open", async () => {
    const dir = tempApp({ "main.js": `process.stdin; setTimeout(() => console.log("done"), 5);` });
    const p = Bun.spawn([join(import.meta.dir, "..", "dist", "edgebox"), "run", join(dir, "main.js")], { stdin: "pipe", stdout: "pipe" });
    const out = await new Response(p.stdout).text();
    expect(out).toBe("done\n");
    expect(await p.exited).toBe(0);
    p.stdin.end();
  });
});

describe("what the sandbox does not offer fails loudly, naming the API", () => {
  const cases: [string, string][] = [
    ["http.createServer", `require("http").createServer()`],
    ["net.connect", `require("net").connect(80, "example.com")`],
    ["worker_threads.Worker option resourceLimits", `new (require("worker_threads").Worker)("x.js", { resourceLimits: { maxOldGenerationSizeMb: 8 } })`],
    ["dgram.createSocket", `require("dgram").createSocket("udp4")`],
    ["crypto.createCipheriv", `require("crypto").createCipheriv("aes-128-cbc", Buffer.alloc(16), Buffer.alloc(16))`],
    ["crypto.pbkdf2Sync", `require("crypto").pbkdf2Sync("p", "s", 1, 32, "sha256")`],
    ["stream/web.ReadableStream", `new (require("stream/web").ReadableStream)()`],
    ["process.stdin.setRawMode", `process.stdin.setRawMode(true)`],
    ["perf_hooks.monitorEventLoopDelay", `require("perf_hooks").monitorEventLoopDelay()`],
    ["process.chdir()", `process.chdir("/")`],
  ];
  for (const [name, code] of cases) {
    test(name, async () => {
      const dir = tempApp({ "main.js": `try { ${code}; console.log("no error"); } catch (e) { console.log(e.code, e.message); }` });
      const r = await edgeboxAsync(["run", join(dir, "main.js")]);
      expect(r.stdout).toStartWith(`ERR_NOT_SUPPORTED_IN_SANDBOX ${name} is not supported in the sandbox`);
      expect(r.code).toBe(0);
    });
  }
});

describe("zlib cannot be turned against the host", () => {
  test("a decompression bomb stops at the guest's memory limit, with node's error", async () => {
    const dir = tempApp({ "main.js": `
const zlib = require("zlib");
const bomb = require("fs").readFileSync(__dirname + "/bomb.gz");
try { zlib.gunzipSync(bomb); console.log("inflated"); } catch (e) { console.log(e.code); }
console.log("still running");` });
    writeFileSync(join(dir, "bomb.gz"), gzipSync(Buffer.alloc(256 << 20), { level: 9 })); // 256 MiB of zeros in ~250 KiB
    writeFileSync(join(dir, ".edgebox.json"), JSON.stringify({ runtime: { max_memory_pages: 1024 } })); // 64 MiB
    const r = await edgeboxAsync(["run", join(dir, "main.js")]);
    expect(r.stdout).toBe("ERR_BUFFER_TOO_LARGE\nstill running\n");
    expect(r.code).toBe(0);
  });
});
