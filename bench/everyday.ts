// Everyday operations, each timed inside the runtime (start-up excluded): edgebox
// run, node and bun run the same script in turn, and each operation's median goes
// in a table with its ratio to node and bun. What found this session's costs of the
// runtime's own (error stacks, existsSync, emit, createHash: bench/RESULTS.md).
// Usage: bun bench/everyday.ts [rounds]   (the table also goes to bench/RESULTS.md)

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, EDGEBOX, NODE, installedEnv, interleave, load, machine, median, writeResults } from "./lib.ts";

const rounds = Number(process.argv[2] ?? 5);

/** name -> code timed (a function body; it may await). */
const OPS: Record<string, string> = {
  "Buffer.from(string) and back, 2k": `for (let i = 0; i < 2000; i++) Buffer.from("hello world " + i).toString();`,
  "Buffer writeUInt32LE + readUInt32LE, 20k": `const b = Buffer.alloc(64); let s = 0; for (let i = 0; i < 20000; i++) { b.writeUInt32LE(i, 4); s += b.readUInt32LE(4); }`,
  "TextEncoder + TextDecoder, 5k": `const e = new TextEncoder(), d = new TextDecoder(); for (let i = 0; i < 5000; i++) d.decode(e.encode("h\\u00e9llo " + i));`,
  "JSON stringify + parse, 2k": `for (let i = 0; i < 2000; i++) JSON.parse(JSON.stringify({ a: i, b: [1, 2, 3], c: { d: "x" } }));`,
  "a promise chain, 20k thens": `let p = Promise.resolve(0); for (let i = 0; i < 20000; i++) p = p.then((v) => v + 1); await p;`,
  "async function awaited, 20k": `const f = async (x) => x + 1; let s = 0; for (let i = 0; i < 20000; i++) s = await f(s);`,
  "EventEmitter emit, 50k": `const e = new (require("events"))(); let n = 0; e.on("x", () => n++); for (let i = 0; i < 50000; i++) e.emit("x");`,
  "process.nextTick, 20k": `await new Promise((r) => { let n = 0; const f = () => (++n < 20000 ? process.nextTick(f) : r()); f(); });`,
  "setImmediate, 5k": `await new Promise((r) => { let n = 0; const f = () => (++n < 5000 ? setImmediate(f) : r()); f(); });`,
  "Map set + get, 100k": `const m = new Map(); for (let i = 0; i < 100000; i++) m.set("k" + (i % 1000), i); let s = 0; for (let i = 0; i < 100000; i++) s += m.get("k" + (i % 1000));`,
  "string split + join, 5k": `for (let i = 0; i < 5000; i++) ("a,b,c," + i).split(",").join(";");`,
  "regex replace, 5k": `for (let i = 0; i < 5000; i++) "hello world foo bar".replace(/o/g, "0");`,
  "class instances with a getter, 100k": `class P { constructor(x) { this.x = x; } get d() { return this.x * 2; } } let s = 0; for (let i = 0; i < 100000; i++) s += new P(i).d;`,
  "map + filter + reduce, 2k arrays": `let s = 0; for (let i = 0; i < 2000; i++) s += [1, 2, 3, 4, 5, 6, 7, 8, 9, 10].map((x) => x * i).filter((x) => x % 2).reduce((a, b) => a + b, 0);`,
  "util.format, 5k": `const u = require("util"); for (let i = 0; i < 5000; i++) u.format("%s=%d %j", "a", i, { i });`,
  "fs.readFileSync of a small file, 500": `const fs = require("fs"); for (let i = 0; i < 500; i++) fs.readFileSync(__filename);`,
  "fs.existsSync of a missing file, 2k": `const fs = require("fs"); for (let i = 0; i < 2000; i++) fs.existsSync(__dirname + "/nope" + i);`,
  "fs.statSync of a missing file (throws), 2k": `const fs = require("fs"); for (let i = 0; i < 2000; i++) try { fs.statSync(__dirname + "/nope" + i); } catch {}`,
  "path.resolve, 20k": `const p = require("path"); for (let i = 0; i < 20000; i++) p.resolve("/a/b", "../c", "d" + i);`,
  "new URL + searchParams, 5k": `for (let i = 0; i < 5000; i++) new URL("https://example.com/a/b?c=" + i).searchParams.get("c");`,
  "crypto.createHash sha256 hex, 2k": `const c = require("crypto"); for (let i = 0; i < 2000; i++) c.createHash("sha256").update("x" + i).digest("hex");`,
  "structuredClone, 2k": `for (let i = 0; i < 2000; i++) structuredClone({ a: i, b: [1, 2, { c: 3 }] });`,
  "Date toISOString, 20k": `for (let i = 0; i < 20000; i++) new Date(1e12 + i).toISOString();`,
  "Object.keys + entries, 20k": `const o = { a: 1, b: 2, c: 3, d: 4 }; let s = 0; for (let i = 0; i < 20000; i++) s += Object.entries(o).length + Object.keys(o).length;`,
  "object spread + destructuring, 50k": `let s = 0; for (let i = 0; i < 50000; i++) { const o = { ...{ a: i, b: 2 }, c: 3 }; const { a, c } = o; s += a + c; }`,
  "a generator, 50k values": `function* g(n) { for (let i = 0; i < n; i++) yield i; } let s = 0; for (const v of g(50000)) s += v;`,
  "throw + catch, 5k": `for (let i = 0; i < 5000; i++) try { throw new TypeError("x"); } catch {}`,
  "console.log to a stream, 2k": `const { Console } = require("console"); const { Writable } = require("stream"); const c = new Console(new Writable({ write(ch, e, cb) { cb(); } })); for (let i = 0; i < 2000; i++) c.log("x", i, { a: 1 });`,
  "Intl.NumberFormat, first and 1k formats": `const f = new Intl.NumberFormat("en-US"); for (let i = 0; i < 1000; i++) f.format(i * 1.5);`,
};

const script = `const ops = ${JSON.stringify(Object.entries(OPS))};
(async () => {
  const out = {};
  for (const [name, body] of ops) {
    const f = new (async () => {}).constructor("require", "__filename", "__dirname", body);
    const t0 = performance.now();
    await f(require, __filename, __dirname);
    out[name] = performance.now() - t0;
  }
  console.log(JSON.stringify(out));
})();
`;
const dir = mkdtempSync(join(tmpdir(), "edgebox-bench-everyday-"));
writeFileSync(join(dir, "ops.js"), script);
const env = installedEnv({ NO_COLOR: "1" });
const runtimes: [string, string[]][] = [
  ["edgebox", [EDGEBOX, "run", "ops.js"]],
  ["node", [NODE, "ops.js"]],
  ["bun", [BUN, "ops.js"]],
];
const once = (argv: string[]) => (): Record<string, number> => {
  const p = Bun.spawnSync(argv, { cwd: dir, env, stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${argv.join(" ")} exited ${p.exitCode}: ${p.stderr}`);
  return JSON.parse(p.stdout.toString());
};
const loadBefore = load();
const samples = interleave(runtimes.map(([, argv]) => once(argv)), rounds, 1);
const ms = (i: number, op: string) => median(samples[i]!.map((s) => s[op]!));

const lines = [
  "## Everyday operations inside each runtime",
  "",
  `${machine()}; node ${Bun.spawnSync([NODE, "--version"]).stdout.toString().trim()}; ${rounds} rounds, the runtimes in turn, medians; ${loadBefore} before, ${load()} after; ${new Date().toISOString().slice(0, 10)}. Produced by \`bun bench/everyday.ts ${rounds}\`.`,
  "Each operation timed inside its runtime (start-up excluded), first use included (the script runs each once).",
  "",
  "| operation | edgebox ms | node ms | bun ms | vs node | vs bun |",
  "|---|---:|---:|---:|---:|---:|",
  ...Object.keys(OPS).map((op) => {
    const [e, n, b] = [0, 1, 2].map((i) => ms(i, op));
    return `| ${op} | ${e!.toFixed(2)} | ${n!.toFixed(2)} | ${b!.toFixed(2)} | ${(e! / n!).toFixed(1)}x | ${(e! / b!).toFixed(1)}x |`;
  }),
];
console.log(lines.join("\n"));
writeResults("everyday", lines.join("\n"));
