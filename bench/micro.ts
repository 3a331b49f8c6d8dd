// In-process micro-benchmarks (mitata): the FFI boundary alone (eb_echo), a
// guest export call and a guest -> host -> guest round trip on both engines,
// and a policy's URL check. What one host call or one fetch check costs,
// without process start-up in the figure.
// Usage: bun bench/micro.ts

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { bench, do_not_optimize, group, run } from "mitata";
import { nativeHostPath } from "../internal/assets/index.ts";
import { loadPolicy } from "../internal/config/index.ts";
import { JsEngine } from "../internal/engine/js.ts";
import { NativeEngine } from "../internal/engine/native.ts";
import { openHostLib } from "../internal/engine/native-ffi.ts";
import type { Engine } from "../internal/engine/types.ts";
import { checkNet } from "../internal/policy/checks.ts";
import { load, machine, writeResults } from "./lib.ts";

/**
 * wat2wasm of:
 *   (module
 *     (import "env" "h" (func $h (param i32) (result i32)))
 *     (func (export "call") (param i32) (result i32) local.get 0 call $h)
 *     (memory (export "memory") 1)
 *     (func (export "id") (param i32) (result i32) local.get 0))
 */
const MODULE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 6, 1, 96, 1, 127, 1, 127, 2, 9, 1, 3, 101, 110, 118, 1, 104, 0, 0, 3, 3, 2, 0, 0, 5, 3, 1, 0, 1,
  7, 22, 3, 4, 99, 97, 108, 108, 0, 1, 2, 105, 100, 0, 2, 6, 109, 101, 109, 111, 114, 121, 2, 0, 10, 13, 2, 6, 0, 32, 0, 16, 0, 11,
  4, 0, 32, 0, 11,
]);

const lib = openHostLib(await nativeHostPath());
const engines: [string, Engine][] = [
  ["native", new NativeEngine(lib)],
  ["js", new JsEngine()],
];
const host = { env: { h: { params: ["i32"], results: ["i32"], fn: (x: number) => x + 1 } } } as const;

group("the FFI boundary", () => {
  bench("eb_echo (bun:ffi -> Zig -> back)", () => do_not_optimize(lib.eb_echo(42n)));
});

for (const [name, engine] of engines) {
  const inst = engine.instantiate(engine.compile(MODULE), host);
  // (exports are called as methods of the exports object)
  const x = inst.exports;
  if (x.call!(1) !== 2 || x.id!(7) !== 7) throw new Error(`${name}: wrong results`);
  group(`${name} engine`, () => {
    bench(`${name}: guest export call`, () => do_not_optimize(x.id!(7)));
    bench(`${name}: guest -> host -> guest round trip`, () => do_not_optimize(x.call!(7)));
  });
}

const dir = mkdtempSync(join(tmpdir(), "edgebox-bench-"));
const allowed = Array.from({ length: 20 }, (_, i) => `https://api${i}.example.com/v1/*`);
writeFileSync(join(dir, ".edgebox.json"), JSON.stringify({ allowedUrls: allowed, blockedUrls: ["https://api19.example.com/v1/admin/*"] }));
const policy = await loadPolicy({ cwd: dir, flags: {} });
const hit = new URL("https://api19.example.com/v1/users/7?x=1");
const miss = new URL("https://elsewhere.example.org/");
if (!checkNet(policy, hit).ok || checkNet(policy, miss).ok) throw new Error("the policy does not decide as expected");
group("policy: checkNet against 20 allowed URL patterns and 1 blocked", () => {
  bench("an allowed URL (the last pattern)", () => do_not_optimize(checkNet(policy, hit)));
  bench("a refused URL (no pattern matches)", () => do_not_optimize(checkNet(policy, miss)));
});

const { benchmarks } = await run({ colors: Boolean(process.stdout.isTTY) });
const ns = (x: number) => (x >= 1000 ? `${(x / 1000).toFixed(2)} µs` : `${x.toFixed(0)} ns`);
const rows = benchmarks.flatMap((b) => b.runs.map((r) => `| ${r.name} | ${r.stats ? ns(r.stats.p50) : "-"} | ${r.stats ? ns(r.stats.avg) : "-"} | ${r.stats ? ns(r.stats.p99) : "-"} | ${r.stats?.samples.length ?? 0} |`));
writeResults(
  "micro",
  [
    "## In-process micro-benchmarks",
    "",
    `${machine()}; ${load()} at the end; ${new Date().toISOString().slice(0, 10)}. Produced by \`bun bench/micro.ts\` (mitata: each row is the distribution of that many timed samples, each sample a batch of calls; per call).`,
    "",
    "| what | p50 | mean | p99 | samples |",
    "|---|---:|---:|---:|---:|",
    ...rows,
  ].join("\n"),
);
for (const [, e] of engines) e.dispose();
