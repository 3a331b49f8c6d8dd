// worker_threads Workers are more guest instances in the same host process:
// they must not multiply what a run may use. Its memory cap and its network
// budget (rateLimitRps) cover the run with its workers together.

import { describe, expect, test } from "bun:test";
import { rmSync } from "node:fs";
import { edgeboxAsync, edgeboxPeak, securityTest, tempApp } from "../helpers.ts";

describe("worker_threads: a run's limits cover its workers", () => {
  // each worker fills its memory until an allocation fails, then says how many MiB it holds
  const FILL = `const { Worker } = require("worker_threads");
const src = 'const a = []; try { for (;;) a.push(new Uint8Array(1 << 20).fill(1)); } catch (e) { require("worker_threads").parentPort.postMessage(a.length); } setInterval(() => {}, 1000);';
let ended = 0, held = 0, errors = 0;
const done = () => { if (++ended < 8) return; const after = new Uint8Array(1 << 20).fill(2); console.log("held", held, "errors", errors, "main", after[0]); process.exit(0); };
for (let i = 0; i < 8; i++) {
  const w = new Worker(src, { eval: true });
  w.on("message", (m) => { held += m; done(); });
  w.on("error", (e) => { errors++; done(); });
}
`;

  securityTest(process.platform === "linux" ? undefined : "Linux's /proc")(
    "8 workers filling memory under --max-memory=64 hold at most 64 MiB together; the host stays small; the main thread goes on",
    async () => {
      const dir = tempApp({ "fill.js": FILL });
      try {
        const r = await edgeboxPeak(["run", "--max-memory=64", "fill.js"], { cwd: dir, env: { PATH: "/usr/bin:/bin" } });
        const m = /^held (\d+) errors (\d+) main 2\n$/.exec(r.stdout);
        expect({ code: r.code, stderr: r.stderr, matched: m !== null }).toEqual({ code: 0, stderr: "", matched: true });
        // (each instance is ~7 MiB before the app's own: the workers' arrays are less than the cap)
        expect(Number(m![1])).toBeGreaterThan(0);
        expect(Number(m![1])).toBeLessThan(64);
        // the workers that found no room left failed as a worker out of memory does: an 'error' event
        expect(Number(m![2])).toBeGreaterThan(0);
        // (each worker with its own 64 MiB: 8 x 64 MiB, a peak past 500 MiB)
        expect(r.peakKiB).toBeGreaterThan(0);
        expect(r.peakKiB).toBeLessThan(250 << 10);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
    60_000,
  );

  test("a worker that runs out of memory uncaught ends as node's does: 'error' with ERR_WORKER_OUT_OF_MEMORY, exit 1, and the run goes on", async () => {
    const dir = tempApp({
      "oom.js": `const { Worker } = require("worker_threads");
const w = new Worker("const a = []; for (;;) a.push(new Uint8Array(1 << 20).fill(1));", { eval: true });
w.on("error", (e) => console.log("error", e.code));
w.on("exit", (c) => console.log("exit", c, "main", new Uint8Array(1 << 20).fill(3)[0]));
`,
    });
    try {
      const r = await edgeboxAsync(["run", "--max-memory=96", "oom.js"], { cwd: dir });
      expect(r).toEqual({ code: 0, stdout: "error ERR_WORKER_OUT_OF_MEMORY\nexit 1 main 3\n", stderr: "" });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);

  securityTest(undefined)("rateLimitRps covers the main thread and its workers together: main + 8 workers x 4 fetches let 2 through (and what refills meanwhile)", async () => {
    let seen = 0;
    const server = Bun.serve({ port: 0, hostname: "127.0.0.1", fetch: () => (seen++, new Response("ok")) });
    const url = `http://127.0.0.1:${server.port}/ok`;
    const app = `const { Worker } = require("worker_threads");
const four = () => Promise.all([1, 2, 3, 4].map(() => fetch(${JSON.stringify(url)}).then(() => 1, () => 0))).then((r) => r.reduce((a, b) => a + b));
const src = 'const { parentPort } = require("worker_threads"); (' + four.toString().replace(/^\\(\\) => /, "() => ") + ')().then((n) => parentPort.postMessage(n));';
let ok = 0, got = 0;
four().then((n) => {
  ok += n;
  for (let i = 0; i < 8; i++) new Worker(src, { eval: true }).on("message", (m) => { ok += m; if (++got === 8) { console.log("let through", ok); process.exit(0); } });
});
`;
    const dir = tempApp({ "app.js": app, ".edgebox.json": JSON.stringify({ allowedUrls: [`http://127.0.0.1:${server.port}/*`], rateLimitRps: 2 }) });
    try {
      const started = performance.now();
      const r = await edgeboxAsync(["run", "app.js"], { cwd: dir });
      const seconds = (performance.now() - started) / 1000;
      expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: "" });
      const through = Number(/^let through (\d+)\n$/.exec(r.stdout)?.[1]);
      expect(through).toBe(seen);
      // a burst of 2, then 2 a second over the run's whole life (each worker its own budget: 2 + 8 x 2 = 18)
      expect(seen).toBeGreaterThanOrEqual(2);
      expect(seen).toBeLessThanOrEqual(2 + Math.ceil(2 * seconds));
      expect(seen).toBeLessThan(18);
    } finally {
      server.stop(true);
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
