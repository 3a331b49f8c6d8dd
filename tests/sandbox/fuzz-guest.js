// The guest half of tests/sandbox/fuzz.test.ts: every host call, reached from
// a script with malformed arguments. The runtime builds each call's argument
// text with the guest's own JSON.stringify (and String), so a script that
// replaces them for one call sends the host any text it likes: that is the
// lever, and the reason every op must check what it gets.
//
// argv: seed, time budget in ms, base URL of a local server.
// Prints one JSON line: calls made, error codes seen, and anything that looks
// like a host exception that escaped its op (code ERR_SANDBOX_HOST_CALL, or
// the engine's "host call N failed").

const fs = require("fs");
const cp = require("child_process");
const zlib = require("zlib");
const crypto = require("crypto");

const [seed, budgetMs, base] = [Number(process.argv[2]), Number(process.argv[3]), process.argv[4]];
const deadline = Date.now() + budgetMs;

// mulberry32: a small seeded generator, so that a failure can be replayed
let s = seed >>> 0;
function rand() {
  s = (s + 0x6d2b79f5) >>> 0;
  let t = s;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const pick = (list) => list[Math.floor(rand() * list.length)];

const realStringify = JSON.stringify;
const realString = String;

const STRINGS = () => [
  "",
  "work/a.txt",
  "work",
  "work/fifo",
  "/dev/zero",
  "/etc/passwd",
  "../outside",
  "\0",
  "work/\0x",
  "a\r\nInjected: 1",
  "\ud800",
  "\udfff\ud800",
  "x".repeat(5000),
  "é€😀",
  "true",
  "cat",
  "GET",
  "SIGKILL",
  "SIGNOPE",
  "gzip",
  "brotliDecompress",
  "sha256",
  "__proto__",
  base + "/",
  "http://[::1]:0/",
  "file:///etc/passwd",
];
const STRING_LIST = STRINGS();
const strings = () => STRING_LIST;
const numbers = [0, -1, 1, 3, 7, 65536, 65537, 2 ** 31, -(2 ** 31), 2 ** 53, 1e308, -1e308, 0.5, 1e-300];
function value(depth = 0) {
  switch (Math.floor(rand() * 9)) {
    case 0:
      return pick(numbers);
    case 1:
      return pick(strings());
    case 2:
      return pick([true, false, null]);
    case 3:
      return depth > 2 ? [] : Array.from({ length: Math.floor(rand() * 4) }, () => value(depth + 1));
    case 4:
      return depth > 2 ? {} : Object.fromEntries(Array.from({ length: Math.floor(rand() * 3) }, () => [pick(KEYS), value(depth + 1)]));
    case 5:
      return [[pick(strings()), pick(strings())]];
    case 6:
      return { [pick(strings())]: pick(strings()) };
    default:
      return pick(numbers) * (rand() < 0.5 ? -1 : 1);
  }
}
const KEYS = ["path", "flags", "mode", "fd", "length", "position", "len", "atime", "mtime", "lstat", "recursive", "kind", "force", "from", "to", "target", "encoding", "prefix", "specifier", "parent", "command", "args", "cwd", "env", "timeout", "maxBuffer", "killSignal", "id", "signal", "url", "method", "headers", "redirect", "algorithm", "key", "op", "level", "max", "toString"];

/** Argument text for one call: the real arguments with some made malformed, another object, or text that is not JSON. */
function payload(real) {
  const r = rand();
  if (r < 0.8) {
    const o = r < 0.5 && real && typeof real === "object" ? { ...real } : {};
    const keys = Object.keys(o).length ? Object.keys(o) : KEYS;
    for (let i = 1 + Math.floor(rand() * 3); i > 0; i--) o[rand() < 0.8 ? pick(keys) : pick(KEYS)] = value();
    let text = realStringify(o);
    // numbers JSON cannot say, and escapes of lone surrogates and NUL
    if (rand() < 0.2) text = text.replace(/-?\d+(\.\d+)?(e[+-]?\d+)?/, pick(["1e999", "-1e999", "NaN", "Infinity", "-0", "0x10"]));
    return text;
  }
  return pick(TEXTS);
}
// (made once: building them is most of the time a call takes)
const TEXTS = [
  "",
  "{",
  "null",
  "[]",
  "42",
  '"str"',
  '{"path":"\\ud800"}',
  '{"path":"work/a.txt\\u0000/etc/passwd"}',
  "[".repeat(100000) + "]".repeat(100000),
  realStringify({ path: "x".repeat(1 << 20) }),
  "{" + Array.from({ length: 50000 }, (_, i) => `"k${i}":${i}`).join(",") + "}",
  "\ud800\udfff\ud800",
  "not json at all \r\n\0",
];

const seen = {};
const unexpected = [];
const nameless = [];
let calls = 0;

function note(op, err) {
  const code = err && typeof err === "object" ? realString(err.code) : "thrown " + typeof err;
  seen[code] = (seen[code] ?? 0) + 1;
  const message = err && typeof err === "object" ? realString(err.message) : realString(err);
  if (code === "undefined" && nameless.length < 5) nameless.push(op + ": " + message.slice(0, 120));
  if (code === "ERR_SANDBOX_HOST_CALL" || /^host call \d+ failed/.test(message)) {
    if (unexpected.length < 30) unexpected.push({ op, code, message: message.slice(0, 300) });
  }
}

/** Run `fn` with the guest's `nth` JSON.stringify call answering `text(args)` (and String, when `viaString`). */
function hijacked(op, text, fn, { nth = 0, viaString = false } = {}) {
  calls++;
  let n = 0;
  JSON.stringify = function (...a) {
    return n++ === nth ? text(a[0]) : realStringify.apply(this, a);
  };
  if (viaString) globalThis.String = () => text();
  try {
    const r = fn();
    if (r && typeof r.then === "function") r.then(undefined, (e) => note(op, e));
  } catch (e) {
    note(op, e);
  } finally {
    JSON.stringify = realStringify;
    globalThis.String = realString;
  }
}

fs.writeFileSync("work/a.txt", "hello");
fs.writeFileSync("work/mod.js", "module.exports = 1;");
const fd = fs.openSync("work/a.txt", "r+");
const modPath = require.resolve("./work/mod.js");
const children = [];
function spawned(c) {
  c.on("error", (e) => note("CHILD_SPAWN", e));
  // (a refused write or close of its stdin is that stream's error)
  c.stdin?.on("error", (e) => note("CHILD_WRITE", e));
  children.push(c);
  return c;
}
const child = spawned(cp.spawn("cat", [], { stdio: "pipe" }));
child.stdout.on("data", () => {});
const aborter = new AbortController();

// Each op, reached through the API that sends it.
const triggers = {
  FS_OPEN: () => fs.openSync("work/a.txt", "r"),
  FS_CLOSE: () => fs.closeSync(999),
  FS_READ: () => fs.readSync(fd, Buffer.alloc(16), 0, 16, 0),
  FS_WRITE: () => fs.writeSync(fd, "x", 0),
  FS_FSTAT: () => fs.fstatSync(fd),
  FS_FTRUNCATE: () => fs.ftruncateSync(fd, 5),
  FS_FSYNC: () => fs.fsyncSync(fd),
  FS_FCHMOD: () => fs.fchmodSync(fd, 0o644),
  FS_FUTIMES: () => fs.futimesSync(fd, 1, 1),
  FS_STAT: () => fs.statSync("work/a.txt"),
  FS_READDIR: () => fs.readdirSync("work"),
  FS_MKDIR: () => fs.mkdirSync("work/d", { recursive: true }),
  FS_RM: () => fs.rmSync("work/none", { force: true }),
  FS_RENAME: () => fs.renameSync("work/none", "work/none2"),
  FS_COPYFILE: () => fs.copyFileSync("work/a.txt", "work/b.txt"),
  FS_REALPATH: () => fs.realpathSync("work/a.txt"),
  FS_ACCESS: () => fs.accessSync("work/a.txt"),
  FS_READLINK: () => fs.readlinkSync("work/a.txt"),
  FS_SYMLINK: () => fs.symlinkSync("a.txt", "work/link"),
  FS_LINK: () => fs.linkSync("work/a.txt", "work/hard"),
  FS_CHMOD: () => fs.chmodSync("work/a.txt", 0o644),
  FS_UTIMES: () => fs.utimesSync("work/a.txt", 1, 1),
  FS_TRUNCATE: () => fs.truncateSync("work/b.txt", 1),
  FS_READ_FILE: () => fs.readFileSync("work/a.txt"),
  FS_WRITE_FILE: () => fs.writeFileSync("work/c.txt", "data"),
  FS_MKDTEMP: () => fs.mkdtempSync("work/t-"),
  STDIN_READ: () => fs.readFileSync(0),
  MOD_RESOLVE: () => require("./work/none-such"),
  MOD_LOAD_CJS: () => {
    delete require.cache[modPath];
    return require("./work/mod.js");
  },
  CHILD_SPAWN_SYNC: () => cp.spawnSync("true", []),
  CHILD_SPAWN: () => spawned(cp.spawn("true", [])),
  CHILD_WRITE: () => child.stdin.write("x"),
  CHILD_KILL: () => child.kill("SIGCONT"),
  CHILD_CLOSE_STDIN: () => spawned(cp.spawn("cat", [])).stdin.end(),
  CRYPTO_HASH: () => crypto.createHash("sha256").update("x").digest(),
  ZLIB: () => zlib.gzipSync("hello"),
  NET_FETCH: () => fetch(base + "/"),
  NET_ABORT: () => {
    const ac = new AbortController();
    fetch(base + "/slow", { signal: ac.signal }).catch(() => {});
    ac.abort();
  },
};
// Ops whose text the runtime makes with String(): reached by replacing it.
const viaString = {
  CRYPTO_RANDOM: () => crypto.randomBytes(8),
};

const ops = Object.keys(triggers);
for (let round = 0; Date.now() < deadline && round < 40; round++) {
  for (const op of ops) {
    // (a synchronous child told to read the FIFO would wait for it, legitimately, until the time limit)
    const text = op === "CHILD_SPAWN_SYNC" ? (real) => payload(real).replaceAll("work/fifo", "work/a.txt") : payload;
    hijacked(op, text, triggers[op], { nth: 0 });
    // a second look at ops whose first stringify is something else's (aborts, loads)
    if (op === "NET_ABORT" || op === "MOD_LOAD_CJS" || op === "CHILD_CLOSE_STDIN") hijacked(op, payload, triggers[op], { nth: 1 });
  }
  for (const op of Object.keys(viaString)) hijacked(op, () => pick([...strings(), "NaN", "-5", "1e9", "65536"]), viaString[op], { viaString: true });
  // Values that need no hijack: the guest's own strings and bytes, as they come.
  calls += 3;
  try {
    process.stdout.write(pick(["\ud800", "a\0b\r\n", "\udfff"]));
    process.stdout.write(new Uint8Array([0xff, 0xfe, 0xc0, 0x80]));
    process.stderr.write("");
  } catch (e) {
    note("STDOUT", e);
  }
  try {
    fs.writeSync(fd, new Uint8Array([0xed, 0xa0, 0x80]));
  } catch (e) {
    note("FS_WRITE", e);
  }
  try {
    throw new Error("\ud800" + "m".repeat(1000));
  } catch (e) {
    void e.stack; // a mapped file's stack goes to STACK_MAP (this file has an inline map)
  }
}

// (a cat whose stdin the fuzz left open would keep the run alive, as under node)
for (const c of children) c.kill("SIGKILL");
// The host still answers: a read, a write, a digest and a request after all that.
setTimeout(async () => {
  const alive = [
    fs.readFileSync("work/mod.js", "utf8") === "module.exports = 1;",
    crypto.createHash("md5").update("x").digest("hex") === "9dd4e461268c8034f5c8564e155c67a6",
    zlib.gunzipSync(zlib.gzipSync("again")).toString() === "again",
    (await (await fetch(base + "/")).text()) === "ok",
  ];
  console.log("\n" + realStringify({ calls, codes: seen, unexpected, nameless, alive }));
}, 50);
//# sourceMappingURL=data:application/json;base64,eyJ2ZXJzaW9uIjozLCJzb3VyY2VzIjpbImZ1enotZ3Vlc3QudHMiXSwibWFwcGluZ3MiOiJBQUFBIn0=
