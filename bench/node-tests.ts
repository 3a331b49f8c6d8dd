// Node's own tests, as the npm packages that carry node's code ship them
// (adapted), run against each runtime's BUILT-IN module: under node and under
// `edgebox run`. A yardstick for the built-ins, not part of `bun test`.
// Packages are fetched by `npm pack` (pinned) into a temp dir at run time;
// nothing is vendored. Usage: bun bench/node-tests.ts [--keep] (--keep: leave the temp dir)

import { cpSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { EDGEBOX, NODE, installedEnv, load, machine, writeResults } from "./lib.ts";

// Where node-derived tests ship. buffer@6.0.3, util@0.12.5 and assert@2.1.0
// were checked too: their tarballs carry no tests (test/ is not published).
const SOURCES = ["events@3.3.0", "path-browserify@1.0.1", "querystring-es3@0.2.1", "url@0.11.4"];
const HELPERS = ["tape@5.9.0", "has@1.0.2", "isarray@2.0.5"];

const root = mkdtempSync(join(tmpdir(), "edgebox-node-tests-"));
const sh = (argv: string[], cwd = root) => {
  const p = Bun.spawnSync(argv, { cwd, stdout: "pipe", stderr: "pipe" });
  if (p.exitCode !== 0) throw new Error(`${argv.join(" ")}: ${p.stderr.toString()}`);
  return p.stdout.toString();
};

writeFileSync(join(root, "package.json"), "{}");
sh(["npm", "install", "--silent", "--no-audit", "--no-fund", "--save-exact", ...HELPERS]);
const pkgs = join(root, "pkgs");
mkdirSync(pkgs);
for (const spec of SOURCES) {
  const tgz = sh(["npm", "pack", "--silent", spec], pkgs).trim().split("\n").pop()!;
  const dir = join(pkgs, spec.split("@")[0]!);
  mkdirSync(dir);
  sh(["tar", "xzf", join(pkgs, tgz), "-C", dir, "--strip-components=1", "--warning=no-unknown-keyword"]);
}

/** Copy `from` (a package's test dir) to root/<name>, pointing its requires of the package at `builtin`. */
function stage(name: string, from: string, rewrites: [RegExp, string][]): string {
  const dir = join(root, name);
  cpSync(join(pkgs, from), dir, { recursive: true });
  for (const f of readdirSync(dir).filter((f) => f.endsWith(".js"))) {
    let text = readFileSync(join(dir, f), "utf8");
    for (const [re, to] of rewrites) text = text.replace(re, to);
    writeFileSync(join(dir, f), text);
  }
  return dir;
}

interface Suite {
  module: string;
  source: string;
  builtin: string; // what edgebox's built-in is (wasm/internal/<module>.js)
  files: string[]; // entry scripts, absolute
}
const suites: Suite[] = [];

// events: each file runs inside one tape test, as the package's tests/index.js
// does (some files use common.test); the file list is theirs, all of it.
{
  const dir = stage("events", "events/tests", [[/require\('\.\.\/'\)/g, "require('node:events')"]]);
  const skip = new Set(["index.js", "common.js", "legacy-compat.js"]);
  const files = readdirSync(dir).filter((f) => f.endsWith(".js") && !skip.has(f)).sort();
  suites.push({
    module: "events",
    builtin: "npm events@3.3.0, the tests' own target, completed to node 20's API",
    source: "events@3.3.0 tests/ (from node's test/parallel/test-event-emitter-*.js)",
    files: files.map((f) => {
      const entry = join(dir, `run-${f}`);
      writeFileSync(entry, `var test = require('tape');
require('./legacy-compat');
var common = require('./common');
test(${JSON.stringify(f)}, function (t) {
  t.on('end', function () { delete common.test; });
  common.test = t;
  try {
    var exp = require('./${f}');
    if (exp && exp.then) { exp.then(function () { t.end(); }, t.fail); return; }
  } catch (err) { t.fail(err); }
  t.end();
});
`);
      return entry;
    }),
  });
}

// path: tape files, run one by one.
{
  const dir = stage("path", "path-browserify/test", [[/require\('\.\.\/'\)/g, "require('node:path')"]]);
  suites.push({
    module: "path",
    builtin: "npm path-browserify@1.0.1, the tests' own target",
    source: "path-browserify@1.0.1 test/ (from node's test/parallel/test-path-*.js)",
    files: readdirSync(dir).filter((f) => /^test-path.*\.js$/.test(f)).sort().map((f) => join(dir, f)),
  });
}

// A TAP line per test for the two single-file suites below (our harness, not theirs).
const tap = `var n = 0, failed = 0;
exports.test = function (name, fn) {
  try { fn(require('assert')); console.log('ok ' + (++n) + ' ' + name); }
  catch (e) { failed++; console.log('not ok ' + (++n) + ' ' + name + ': ' + String(e && e.message).split('\\n')[0]); }
};
process.on('exit', function () { if (failed) process.exitCode = 1; });
exports.done = function () { console.log('# ' + (n - failed) + ' of ' + n + ' passed'); if (failed) process.exit(1); };
`;

// querystring: node's old test-querystring.js as CommonJS "test" exports.
{
  const dir = stage("querystring", "querystring-es3/test", [[/require\('\.\.\/'\)/g, "require('node:querystring')"]]);
  writeFileSync(join(dir, "tap.js"), tap);
  const entry = join(dir, "run-index.js");
  writeFileSync(entry, `var t = require('./tap'), suite = require('./index');
Object.keys(suite).filter(function (k) { return /^test/.test(k); }).forEach(function (k) { t.test(k, suite[k]); });
t.done();
`);
  suites.push({ module: "querystring", builtin: "edgebox's own", source: "querystring-es3@0.2.1 test/index.js (from node's test-querystring.js)", files: [entry] });
}

// url: node's old test-url.js as mocha TDD tests; mocha's test() is the TAP harness.
{
  const dir = stage("url", "url/test", [
    [/require\('mocha'\)\.test/g, "require('./tap').test"],
    [/require\('\.\.\/url'\)/g, "require('node:url')"],
    [/require\('url'\)/g, "require('node:url')"],
  ]);
  writeFileSync(join(dir, "tap.js"), tap);
  const entry = join(dir, "run-index.js");
  writeFileSync(entry, "require('./index');\nrequire('./tap').done();\n");
  suites.push({ module: "url", builtin: "npm url@0.11.4, the tests' own target (legacy API), with node 20's changes", source: "url@0.11.4 test/index.js (from node's test-url.js)", files: [entry] });
}

interface Outcome {
  pass: boolean;
  ok: Set<string>; // numbers of the TAP "ok" lines (tape assertions, or tests of our harness)
  total: number; // TAP lines, ok or not
  firstError: string;
}

function run(argv: string[], cwd: string): Outcome {
  const p = Bun.spawnSync(argv, { cwd, env: installedEnv(), stdout: "pipe", stderr: "pipe", timeout: 120_000 });
  const out = p.stdout.toString();
  const err = p.stderr.toString();
  const lines = out.split("\n");
  const ok = new Set(lines.map((l) => /^ok (\d+)/.exec(l)?.[1]).filter((n) => n !== undefined));
  const notOk = lines.filter((l) => /^not ok \d/.test(l));
  const firstError =
    notOk[0] ?? err.split("\n").find((l) => l.trim() !== "") ?? (p.exitCode === 0 ? "" : `exit ${p.exitCode ?? p.signalCode}`);
  return { pass: p.exitCode === 0 && notOk.length === 0, ok, total: ok.size + notOk.length, firstError: firstError.trim().slice(0, 200) };
}

const runtimes = {
  node: (f: string) => [NODE, f],
  edgebox: (f: string) => [EDGEBOX, "run", "--quiet", `--allow-read=${root}`, "--timeout=120000", f],
};

// Pass rates count what passes under BOTH runtimes against what passes under
// node: a test node itself fails (these tests predate node 20's messages)
// measures nothing about edgebox.
const pct = (a: number, b: number) => (b ? `${((100 * a) / b).toFixed(0)}%` : "-");
const rows: string[] = [];
const failures: string[] = [];
const all = { files: 0, node: 0, both: 0, edgeOnly: 0, tNode: 0, tBoth: 0, tAll: 0 };
for (const s of suites) {
  const m = { files: s.files.length, node: 0, both: 0, edgeOnly: 0, tNode: 0, tBoth: 0, tAll: 0 };
  for (const f of s.files) {
    const cwd = join(f, "..");
    const rn = run(runtimes.node(f), cwd);
    const re = run(runtimes.edgebox(f), cwd);
    m.node += +rn.pass;
    m.both += +(rn.pass && re.pass);
    m.edgeOnly += +(!rn.pass && re.pass);
    m.tNode += rn.ok.size;
    m.tBoth += [...rn.ok].filter((n) => re.ok.has(n)).length;
    m.tAll += rn.total;
    const name = `${s.module}/${f.slice(cwd.length + 1).replace(/^run-/, "")}`;
    for (const [rt, r] of [["node", rn], ["edgebox", re]] as const) {
      if (!r.pass) failures.push(`- ${name} under ${rt} (${r.ok.size}/${r.total} TAP ok): \`${r.firstError.replaceAll("`", "'")}\``);
    }
    console.error(`${name}: node ${rn.pass ? "pass" : "FAIL"} (${rn.ok.size}/${rn.total}), edgebox ${re.pass ? "pass" : "FAIL"} (${re.ok.size}/${re.total})`);
  }
  for (const k of Object.keys(all) as (keyof typeof all)[]) all[k] += m[k];
  rows.push(`| ${s.module} | ${s.builtin} | ${m.files} | ${m.node} | ${m.both} | ${m.edgeOnly} | ${pct(m.both, m.node)} | ${m.tBoth}/${m.tNode} (of ${m.tAll}) | ${pct(m.tBoth, m.tNode)} |`);
}
rows.push(`| **all** | | ${all.files} | ${all.node} | ${all.both} | ${all.edgeOnly} | ${pct(all.both, all.node)} | ${all.tBoth}/${all.tNode} (of ${all.tAll}) | ${pct(all.tBoth, all.tNode)} |`);

const text = [
  "## Node's own tests (node-derived tests from npm packages) against the built-ins",
  "",
  `${machine()}; node ${sh([NODE, "--version"]).trim()}; ${load()}; ${new Date().toISOString().slice(0, 10)}. Produced by \`node_modules/.bin/bun bench/node-tests.ts\`.`,
  "Each test file of the packages below, its requires of the package rewritten to the built-in (`node:events`, `node:path`, `node:querystring`, `node:url`), run by `node` and by `dist/edgebox run --allow-read=<tmp>`. Helpers from npm at run time: " +
    HELPERS.join(", ") + ". Sources: " + suites.map((s) => s.source).join("; ") + ".",
  "buffer@6.0.3, util@0.12.5 (util.format/inspect) and assert@2.1.0 publish no tests in their npm tarballs, so they have no row.",
  "",
  "Files: a file passes when it exits 0 with no TAP `not ok`. Tests: the TAP `ok` lines (tape assertions; for querystring and url, one line per test of the file). Pass rate = passing under both node and edgebox / passing under node; \"edgebox only\" counts files that pass under edgebox but not under node (their expectations are the npm package's, which edgebox's built-in is).",
  "",
  "| module | edgebox's built-in | files | pass under node | pass under both | edgebox only | file pass rate | tests passing under both / under node | test pass rate |",
  "|---|---|---:|---:|---:|---:|---:|---:|---:|",
  ...rows,
  "",
  failures.length ? "Failing files, first error line:" : "No failing files.",
  "",
  ...failures,
].join("\n");
writeResults("node-tests", text);
console.log(text);
if (process.argv.includes("--keep")) console.error(`kept ${root}`);
else rmSync(root, { recursive: true, force: true });
