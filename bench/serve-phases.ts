// The cost of one edgebox serve request without HTTP: the server image of a
// hello handler, then requests one after the other through the same code as
// the server (an instance made, the handler, the response, the release), each
// phase timed, with the process's CPU time and page faults per request.
// (On Linux, without --pooling, the instance is the request before's, recycled: internal/engine/native.ts dispose.)
// Usage: bun bench/serve-phases.ts [requests] [--pooling] [--stack=KiB] [--url]   (--pooling: Wasmtime's pooling
// allocator instead of the host's memory slots; --stack: a request's runtime.stack_size in place of
// serve's default; both to compare settings in the same minutes; --url: a handler that parses
// request.url, `new URL(request.url).searchParams.get("x")`, in place of the hello one)

import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { prepareApp } from "../internal/sandbox/run.ts";
import { buildImage } from "../internal/serve/image.ts";
import { InstancePool } from "../internal/serve/pool.ts";
import { handleRequest } from "../internal/serve/request.ts";
import { requestDefaults } from "../internal/serve/index.ts";
import { Sandbox } from "../internal/sandbox/index.ts";
import { loadHostLib } from "../internal/engine/index.ts";
import { machine, writeResults } from "./lib.ts";

const pooling = process.argv.includes("--pooling");
const parsesUrl = process.argv.includes("--url");
const stackKiB = Number(process.argv.find((a) => a.startsWith("--stack="))?.slice(8) ?? 0);
const requests = Number(process.argv.slice(2).find((a) => !a.startsWith("--")) ?? 5000);
const warmup = 300;
const dir = mkdtempSync(join(tmpdir(), "edgebox-bench-phases-"));
writeFileSync(
  join(dir, "hello.mjs"),
  parsesUrl ? `export default { fetch(request) { return new Response(new URL(request.url).searchParams.get("x")); } };\n` : `export default { fetch() { return new Response("hello\\n"); } };\n`,
);

// with the limits edgebox serve gives a request
const app = await prepareApp({ target: join(dir, "hello.mjs"), cwd: dir, grants: {} }, { pooling: true, memorySlots: !pooling, epoch: true }, (p) => ({ ...requestDefaults(p, !pooling), ...(stackKiB ? { stackSize: stackKiB << 10 } : {}) }));
const image = await buildImage({ ...app, sandbox: { ...app.sandbox, timeoutMs: 30_000 } }, (m) => console.error(m));
const quiet = () => {};
// size 0: every instance is made on take(), so its cost is counted here
const pool = new InstancePool(() => new Sandbox({ ...image.sandbox, stdout: quiet, stderr: quiet }), 0, (err) => {
  throw err;
});
// pages a slot's reset found written (copied back or dropped; none counted with --pooling)
const lib = await loadHostLib();
const slotPages = () => {
  const out = new BigUint64Array(2);
  lib.eb_slots_pages(out);
  return { resets: Number(out[0]), pages: Number(out[1]) };
};
const minorFaults = () => Number(readFileSync("/proc/self/stat", "utf8").split(") ")[1]!.split(" ")[7]);

const sums: Record<string, number> = { ready: 0, firstCall: 0, handler: 0, response: 0, teardown: 0 };
let faults = 0;
let slots = slotPages();
let cpu = process.cpuUsage();
let wall = 0;
for (let i = 0; i < warmup + requests; i++) {
  if (i === warmup) {
    for (const k in sums) sums[k] = 0;
    faults = minorFaults();
    slots = slotPages();
    cpu = process.cpuUsage();
    wall = performance.now();
  }
  const o = await handleRequest(image, () => pool.take(), new Request("http://127.0.0.1/?x=1"), null, { maxBody: 1 << 20, dev: true }, 0);
  if (o.response.status !== 200) throw new Error(`request failed: ${o.error}`);
  sums.teardown! += await o.after;
  for (const k of ["ready", "firstCall", "handler", "response"] as const) sums[k]! += o.phases[k];
}
const used = process.cpuUsage(cpu);
const slotsNow = slotPages();
const written = slotsNow.resets > slots.resets ? ((slotsNow.pages - slots.pages) / (slotsNow.resets - slots.resets)).toFixed(0) : "-";
const perRequest = (x: number) => (x / requests).toFixed(0);
const lines = [
  parsesUrl ? "## One edgebox serve request without HTTP: a handler that parses the URL" : "## One edgebox serve request without HTTP",
  "",
  `${machine()}; ${parsesUrl ? "the image of a handler that returns `new URL(request.url).searchParams.get(\"x\")`" : "a hello handler's image"}; ${requests} requests one after the other in one process (bench/serve-phases.ts), each in a fresh instance made on demand (${pooling ? "" : "the one before recycled, "}its memory ${pooling ? "from Wasmtime's pooling allocator" : "from the host's memory slots"}), a ${app.sandbox.maxStackSize! >> 10} KiB stack; ${new Date().toISOString().slice(0, 10)}.`,
  "",
  "| ready (instantiate, link) | first call (binding: the seed written) | handler | response | teardown | wall per request | CPU per request (user + sys) | page faults per request | pages reset per request |",
  "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
  `| ${perRequest(sums.ready! * 1000)} µs | ${perRequest(sums.firstCall! * 1000)} µs | ${perRequest(sums.handler! * 1000)} µs | ${perRequest(sums.response! * 1000)} µs | ${perRequest(sums.teardown! * 1000)} µs | ${perRequest((performance.now() - wall) * 1000)} µs | ${perRequest(used.user + used.system)} µs (sys ${perRequest(used.system)}) | ${((minorFaults() - faults) / requests).toFixed(1)} | ${written} |`,
];
console.log(lines.join("\n"));
writeResults(parsesUrl ? "serve-phases-url" : "serve-phases", lines.join("\n"));
rmSync(dir, { recursive: true, force: true });
process.exit(0);
