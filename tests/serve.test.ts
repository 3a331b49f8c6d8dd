// edgebox serve: a real server on 127.0.0.1 (an ephemeral port), a fresh
// sandbox per request, every failure answered and survived.

import { afterAll, describe, expect, test } from "bun:test";
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { EDGEBOX, edgebox, edgeboxAsync, securityTest, TABLE_WRITES, tempApp, wabt, waitFor } from "./helpers.ts";
import { handleRequest, responseHead } from "../internal/serve/request.ts";
import { MAX_HEADERS } from "../internal/hostcalls/net.ts";
import { extensions } from "../internal/assets/index.ts";
import { relinkOnly } from "../internal/engine/dylink.ts";
import { prepareApp } from "../internal/sandbox/run.ts";
import { buildImage } from "../internal/serve/image.ts";
import { requestDefaults } from "../internal/serve/index.ts";
import { InstancePool } from "../internal/serve/pool.ts";
import { Sandbox } from "../internal/sandbox/index.ts";

interface Server {
  url: string;
  proc: ReturnType<typeof Bun.spawn>;
  log(): string;
}

const running: Server[] = [];
afterAll(() => {
  for (const s of running) s.proc.kill("SIGKILL");
});

/** Start `edgebox serve` on a free port and wait for its "serving" line; `stdin`: what its stdin holds (none: ignored). */
async function serve(dir: string, file: string, flags: string[] = [], env: Record<string, string> = {}, stdin?: string): Promise<Server> {
  const workers = flags.includes("--workers") ? [] : ["--workers", "1"];
  const proc = Bun.spawn([EDGEBOX, "serve", file, "--port", "0", ...workers, ...flags], {
    cwd: dir,
    env: { PATH: process.env.PATH ?? "/usr/bin:/bin", HOME: process.env.HOME ?? "/root", ...env },
    stdin: stdin === undefined ? "ignore" : "pipe",
    stdout: "pipe",
    stderr: "pipe",
  });
  if (stdin !== undefined) {
    // (left open: a read of it would wait)
    const sink = proc.stdin as import("bun").FileSink;
    sink.write(stdin);
    sink.flush();
  }
  let out = "";
  const dec = new TextDecoder();
  const pump = async (s: ReadableStream<Uint8Array>) => {
    for await (const c of s) out += dec.decode(c);
  };
  void pump(proc.stdout as ReadableStream<Uint8Array>);
  void pump(proc.stderr as ReadableStream<Uint8Array>);
  // (up to 30 s: it compiles the app's image at start, slow on a loaded 2-core machine)
  let exited = false;
  void proc.exited.then(() => (exited = true));
  for (let i = 0; i < 1200 && !exited && !/http:\/\/[\d.]+:\d+\//.test(out); i++) await Bun.sleep(25);
  const m = /http:\/\/([\d.]+:\d+)\//.exec(out);
  if (!m) throw new Error(`the server did not start:\n${out}`);
  const s = { url: `http://${m[1]}`, proc, log: () => out };
  running.push(s);
  return s;
}

const APP = `import fs from "node:fs";
let counter = 0;
export default {
  async fetch(request, env, ctx) {
    counter++;
    const url = new URL(request.url);
    switch (url.pathname) {
      case "/count": return new Response(String(counter));
      case "/echo": return Response.json({ method: request.method, body: await request.json(), type: request.headers.get("content-type") });
      case "/throw": throw new Error("handler exploded");
      case "/reject": return Promise.reject(new TypeError("rejected on purpose"));
      case "/not-a-response": return { status: 200 };
      case "/slow": while (true) {}
      case "/sleep": await new Promise((r) => setTimeout(r, Number(url.searchParams.get("ms")))); return new Response("slept");
      case "/bomb": { const keep = []; for (;;) keep.push(new Array(1e6).fill(7)); }
      case "/read": try { return new Response(fs.readFileSync(url.searchParams.get("path"), "utf8")); } catch (e) { return new Response(e.code, { status: 403 }); }
      case "/env": return new Response(String(env.EB_GREETING) + " " + String(process.env.EB_SECRET));
      case "/later": ctx.waitUntil(new Promise((r) => setTimeout(r, 100)).then(() => fs.writeFileSync(url.searchParams.get("path"), "done"))); return new Response("accepted", { status: 202 });
      case "/redirect": return Response.redirect("https://example.com/next", 307);
      case "/many": return new Response("many", { headers: Array.from({ length: 30000 }, (_, i) => ["x-h" + i, "v"]) });
      default: return new Response("hello " + url.pathname, { headers: { "x-app": "edgebox" } });
    }
  },
};
`;

describe("edgebox serve", async () => {
  const dir = tempApp({ "app.mjs": APP });
  const work = tempApp();
  const secret = join(tempApp({ "secret.txt": "top secret" }), "secret.txt");
  const { writeFileSync } = await import("node:fs");
  writeFileSync(join(dir, ".edgebox.json"), JSON.stringify({ env: ["EB_GREETING"], dirs: [{ path: work, read: true, write: true }] }));
  const s = await serve(dir, "app.mjs", ["--timeout", "1000", "--max-memory", "64", "--max-body", "1024"], { EB_GREETING: "hi", EB_SECRET: "leak" });
  const get = (path: string, init?: RequestInit) => fetch(s.url + path, init);

  test("answers with the handler's response: status, headers, body", async () => {
    const r = await get("/some/path?x=1");
    expect(r.status).toBe(200);
    expect(r.headers.get("x-app")).toBe("edgebox");
    expect(await r.text()).toBe("hello /some/path");
    const echo = await get("/echo", { method: "POST", body: JSON.stringify({ a: [1, 2] }), headers: { "content-type": "application/json" } });
    expect(await echo.json()).toEqual({ method: "POST", body: { a: [1, 2] }, type: "application/json" });
    const redirect = await get("/redirect", { redirect: "manual" });
    expect([redirect.status, redirect.headers.get("location")]).toEqual([307, "https://example.com/next"]);
  });

  test("every request runs in a fresh instance: a module-level counter reads 1 each time", async () => {
    const counts = await Promise.all(Array.from({ length: 5 }, () => get("/count").then((r) => r.text())));
    expect(counts).toEqual(["1", "1", "1", "1", "1"]);
  });

  test("a handler that throws or rejects: 500, the stack in the log, a generic body", async () => {
    const r = await get("/throw");
    expect(r.status).toBe(500);
    expect(await r.text()).toBe("the handler failed\n");
    const rej = await get("/reject");
    expect(rej.status).toBe(500);
    await Bun.sleep(50);
    expect(s.log()).toContain("handler exploded");
    expect(s.log()).toMatch(/at fetch \(.*app\.mjs:\d+:\d+\)/);
    expect(s.log()).toContain("rejected on purpose");
    expect(s.log()).toMatch(/GET \/throw 500 [\d.]+ ms \(error\)/);
    expect(await (await get("/count")).text()).toBe("1");
  });

  test("a rejection a synchronous handler leaves unhandled behind its response: the response stands, the error is in the log", async () => {
    // (not async: nothing runs the loop for the response, so only the release can see the rejection)
    const dir = tempApp({ "app.mjs": `export default { fetch() { Promise.reject(new Error("left unhandled behind the response")); return new Response("answered"); } };\n` });
    const t = await serve(dir, "app.mjs");
    const r = await fetch(`${t.url}/`);
    expect([r.status, await r.text()]).toEqual([200, "answered"]);
    expect(await waitFor(() => t.log().includes("left unhandled behind the response"), 5000)).toBe(true);
    t.proc.kill("SIGTERM");
  });

  test("a handler that returns something else than a Response: 500", async () => {
    const r = await get("/not-a-response");
    expect(r.status).toBe(500);
    await Bun.sleep(20);
    expect(s.log()).toContain("not a Response");
  });

  test("a handler past the time limit: 504, and the server goes on", async () => {
    const r = await get("/slow");
    expect(r.status).toBe(504);
    expect(await r.text()).toBe("the request took longer than 1000 ms\n");
    expect((await get("/")).status).toBe(200);
  });

  test("a memory bomb: 500 at the memory cap, and the server goes on", async () => {
    const r = await get("/bomb");
    expect(r.status).toBe(500);
    expect(await r.text()).toBe("the request ran out of memory\n");
    expect((await get("/")).status).toBe(200);
  });

  test("a body over --max-body: 413", async () => {
    const r = await get("/echo", { method: "POST", body: "x".repeat(2000) });
    expect(r.status).toBe(413);
    expect((await get("/")).status).toBe(200);
  });

  test("the policy applies inside a handler: a read outside the grants is denied", async () => {
    const r = await get(`/read?path=${encodeURIComponent(secret)}`);
    expect([r.status, await r.text()]).toEqual([403, "EACCES"]);
  });

  test("env carries the granted variables only", async () => {
    expect(await (await get("/env")).text()).toBe("hi undefined");
  });

  test("a body that trickles in gets 408 at the time limit and holds no slot meanwhile", async () => {
    const { hostname, port } = new URL(s.url);
    let answer = "";
    const socket = await Bun.connect({
      hostname,
      port: Number(port),
      socket: { data: (_s, d) => void (answer += new TextDecoder().decode(d)) },
    });
    socket.write(`POST /echo HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{`);
    expect((await get("/count")).status).toBe(200); // served while the slow body is pending
    expect(await waitFor(() => answer.length > 0, 5000)).toBe(true);
    expect(answer).toStartWith("HTTP/1.1 408");
    socket.end();
  });

  test("a response with 30,000 headers is a 500, and the server goes on", async () => {
    const r = await get("/many");
    expect(r.status).toBe(500);
    expect((await get("/count")).status).toBe(200);
    expect(s.log()).toMatch(/the response has 300\d\d headers; at most 1000/);
  });

  test("ctx.waitUntil runs after the response is sent", async () => {
    const path = join(work, "later.txt");
    const r = await get(`/later?path=${encodeURIComponent(path)}`);
    expect(r.status).toBe(202);
    // (bounded: under load the 100 ms wait can take longer)
    expect(await waitFor(() => existsSync(path) && readFileSync(path, "utf8") === "done", 5000)).toBe(true);
  });

  test("a burst of 500 concurrent requests: all answered, each in its own instance", async () => {
    const answers = await Promise.all(Array.from({ length: 500 }, (_, i) => get(`/n${i}`).then(async (r) => [r.status, await r.text()])));
    expect(answers.every(([status, body], i) => status === 200 && body === `hello /n${i}`)).toBe(true);
  });
});

describe("the response head as the runtime writes it (count, status, text, then names and values, one a line)", () => {
  const lines = (n: number, text = "OK") => [String(n), "200", text, ...Array.from({ length: n }, (_, i) => [`x-h${i}`, `v${i}`]).flat()].join("\n");

  test("is read back as it was written, up to the most headers a response may have", () => {
    expect(responseHead("0\n204\n")).toEqual({ status: 204, statusText: "", headers: [] });
    expect(responseHead("2\n200\nOK\nset-cookie\na=1\nset-cookie\nb=2")).toEqual({ status: 200, statusText: "OK", headers: [["set-cookie", "a=1"], ["set-cookie", "b=2"]] });
    const most = responseHead(lines(MAX_HEADERS));
    expect(typeof most === "object" && most.headers.length).toBe(MAX_HEADERS);
    expect(responseHead(lines(MAX_HEADERS + 1))).toBe(`the response has ${MAX_HEADERS + 1} headers; at most ${MAX_HEADERS}`);
  });

  test("a line break inside the status text or a header, or a count that is not the runtime's, is refused", () => {
    const broken = "the response is not valid HTTP: its status text or a header has a line break";
    expect(responseHead("1\n200\nok\nx-injected\n1\ncontent-type\ntext/plain")).toBe(broken);
    expect(responseHead("1\n200\n\nx-a\nline\nbreak")).toBe(broken);
    expect(responseHead("1\n200\n")).toBe(broken);
    for (const count of ["-1", "0.5", "x", ""]) expect(responseHead(`${count}\n200\nOK\na\nb`)).toBe("the response's head is not one the runtime wrote");
  });
});

describe("edgebox serve: start, stop, logs, metrics, workers", () => {
  test("graceful shutdown: an in-flight request completes, then exit 0", async () => {
    const dir = tempApp({ "app.mjs": APP });
    const s = await serve(dir, "app.mjs");
    const pending = fetch(`${s.url}/sleep?ms=400`);
    await Bun.sleep(100);
    s.proc.kill("SIGTERM");
    const r = await pending;
    expect([r.status, await r.text()]).toEqual([200, "slept"]);
    expect(await s.proc.exited).toBe(0);
  });

  test("--json logs one object per request; --metrics serves Prometheus text", async () => {
    const dir = tempApp({ "app.mjs": APP });
    const s = await serve(dir, "app.mjs", ["--json", "--metrics", "0"]);
    const metricsPort = metricsPortOf(s);
    await fetch(`${s.url}/a`);
    await fetch(`${s.url}/throw`);
    await Bun.sleep(50);
    const lines = s.log().split("\n").filter((l) => l.startsWith("{"));
    expect(JSON.parse(lines[0]!)).toMatchObject({ method: "GET", path: "/a", status: 200 });
    expect(JSON.parse(lines[1]!)).toMatchObject({ method: "GET", path: "/throw", status: 500, error: "error" });
    const m = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
    expect(m).toContain('edgebox_requests_total{status="200"} 1');
    expect(m).toContain('edgebox_request_errors_total{kind="error"} 1');
    for (const phase of ["parse", "ready", "first_call", "handler", "response", "teardown"]) {
      expect(m).toMatch(new RegExp(`edgebox_request_phase_seconds_count\\{phase="${phase}"\\} [12]\n`));
    }
    expect(m).toMatch(/edgebox_instances_total\{made="ahead"\} \d+/);
  });

  test("several workers share the port", async () => {
    const dir = tempApp({ "app.mjs": APP });
    const s = await serve(dir, "app.mjs", ["--workers", "2"]);
    const answers = await Promise.all(Array.from({ length: 50 }, () => fetch(`${s.url}/count`).then((r) => r.text())));
    expect(new Set(answers)).toEqual(new Set(["1"]));
    s.proc.kill("SIGTERM");
    expect(await s.proc.exited).toBe(0);
  }, 30_000);

  test("bad input at start: one clear line, non-zero exit", async () => {
    const dir = tempApp({ "nohandler.mjs": `export const x = 1;\n`, "app.mjs": APP, "boom.mjs": `throw new Error("startup failed");\n` });
    const missing = edgebox(["serve", "nope.mjs", "--workers", "1"], { cwd: dir });
    expect(missing.code).toBe(1);
    expect(missing.stderr).toContain("cannot find 'nope.mjs'");
    const nohandler = edgebox(["serve", "nohandler.mjs", "--workers", "1", "--port", "0"], { cwd: dir });
    expect(nohandler.code).toBe(1);
    expect(nohandler.stderr).toContain("the app has no fetch handler: export default { fetch(request, env, ctx) { ... } } (it exports x)");
    const boom = edgebox(["serve", "boom.mjs", "--workers", "1", "--port", "0"], { cwd: dir });
    expect(boom.code).toBe(1);
    expect(boom.stderr).toContain("startup failed");
    const taken = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response() });
    const port = taken.port!;
    const inUse = edgebox(["serve", "app.mjs", "--workers", "1", "--port", String(port)], { cwd: dir });
    taken.stop(true);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toContain(`port ${port} on 127.0.0.1 is in use`);
  });
});

describe("edgebox serve: network limits hold across requests", async () => {
  const upstream = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: () => new Response("up") });
  afterAll(() => upstream.stop(true));
  const dir = tempApp({
    ".edgebox.json": JSON.stringify({ allowedUrls: [`http://127.0.0.1:${upstream.port}/*`], rateLimitRps: 1 }),
    "app.mjs": `export default { async fetch() { try { await fetch("http://127.0.0.1:${upstream.port}/"); return new Response("fetched"); } catch (e) { return new Response(e.code, { status: 429 }); } } };\n`,
  });
  const s = await serve(dir, "app.mjs");

  test("rateLimitRps is one budget for the worker, not one per request", async () => {
    const statuses = await Promise.all(Array.from({ length: 6 }, () => fetch(s.url + "/").then((r) => r.status)));
    expect(statuses.filter((x) => x === 200).length).toBeLessThanOrEqual(2);
    expect(statuses.filter((x) => x === 429).length).toBeGreaterThanOrEqual(4);
  });
});

/** The port a server started with `--metrics 0` serves its metrics on (as its start line says). */
function metricsPortOf(s: Server): number {
  const m = /metrics on http:\/\/[\d.]+:(\d+)\/metrics/.exec(s.log());
  if (!m) throw new Error(`no metrics port in:\n${s.log()}`);
  return Number(m[1]);
}

/** The value of a Prometheus line `name{labels} value`, or undefined. */
async function metric(port: number, line: string): Promise<number | undefined> {
  const m = await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  const at = m.split("\n").find((l) => l.startsWith(line + " "));
  return at === undefined ? undefined : Number(at.slice(line.length + 1));
}

const COUNTER = `let counter = 0;\nexport default { fetch() { counter++; return new Response(String(counter)); } };\n`;

describe("edgebox serve: instances ready ahead", () => {
  test("--pool-size: requests take instances made ahead, each used once (the counter reads 1 under concurrency)", async () => {
    const dir = tempApp({ "app.mjs": COUNTER });
    const s = await serve(dir, "app.mjs", ["--pool-size", "4", "--metrics", "0"]);
    const metricsPort = metricsPortOf(s);
    await Bun.sleep(300); // (the pool fills while the server is idle)
    const answers = await Promise.all(Array.from({ length: 40 }, () => fetch(`${s.url}/`).then((r) => r.text())));
    expect(new Set(answers)).toEqual(new Set(["1"]));
    expect(await metric(metricsPort, 'edgebox_instances_total{made="ahead"}')).toBeGreaterThanOrEqual(4);
    expect(await metric(metricsPort, 'edgebox_requests_total{status="200"}')).toBe(40);
  });

  test("daemon.pool_size 0 in the policy: every instance is made on the request's path, still fresh", async () => {
    const dir = tempApp({ "app.mjs": COUNTER, ".edgebox.json": JSON.stringify({ daemon: { pool_size: 0 } }) });
    const s = await serve(dir, "app.mjs", ["--metrics", "0"]);
    const metricsPort = metricsPortOf(s);
    await Bun.sleep(200);
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${s.url}/`).then((r) => r.text())));
    expect(new Set(answers)).toEqual(new Set(["1"]));
    expect(await metric(metricsPort, 'edgebox_instances_total{made="ahead"}')).toBe(0);
    expect(await metric(metricsPort, 'edgebox_instances_total{made="on_demand"}')).toBe(20);
  });

  test("the pool refills only while requests do not keep coming: a turn of the event loop that took another instance since the last step defers it (under load each request makes its own)", async () => {
    let made = 0;
    const fake = () => ({ instantiate() {}, bind() {}, dispose() {}, n: ++made }) as unknown as Sandbox;
    const pool = new InstancePool(fake, 3, (err) => {
      throw err;
    });
    const turn = () => new Promise((resolve) => setImmediate(resolve));
    pool.take(); // (empty: made on the path)
    expect(made).toBe(1);
    // busy: every turn takes one, so nothing is made ahead
    for (let i = 0; i < 5; i++) {
      pool.take();
      await turn();
    }
    expect(made).toBe(6);
    // quiet turns: the pool fills to its size, one a turn, and stops there
    for (let i = 0; i < 6; i++) await turn();
    expect(made).toBe(9);
    // a burst takes what is ready first (the last made first), then makes its own
    const burst = [pool.take(), pool.take(), pool.take(), pool.take()];
    expect(burst.map((r) => r.ahead)).toEqual([true, true, true, false]);
    expect(made).toBe(10);
    pool.stop();
  });

  test("an instance made ahead starts its clock when a request takes it: performance.now() counts from the request, not from the idle time before", async () => {
    const dir = tempApp({ "app.mjs": `export default { fetch() { return new Response(String(performance.now())); } };\n` });
    const s = await serve(dir, "app.mjs", ["--pool-size", "2"]);
    await Bun.sleep(2500); // (made ahead while idle, then idle for seconds)
    const ms = Number(await (await fetch(`${s.url}/`)).text());
    expect(ms).toBeGreaterThanOrEqual(0);
    expect(ms).toBeLessThan(1000);
  });

  test("an instance made ahead starts its time limit when a request takes it, not when it was made", async () => {
    const dir = tempApp({ "app.mjs": `export default { async fetch() { await new Promise((r) => setTimeout(r, 300)); return new Response("late but in time"); } };\n` });
    const s = await serve(dir, "app.mjs", ["--timeout", "700", "--pool-size", "2"]);
    await Bun.sleep(1200); // longer than the time limit: the instances waited that long in the pool
    const r = await fetch(`${s.url}/`);
    expect([r.status, await r.text()]).toEqual([200, "late but in time"]);
  });

  test("--pool-size takes a whole number", () => {
    const dir = tempApp({ "app.mjs": COUNTER });
    const r = edgebox(["serve", "app.mjs", "--workers", "1", "--port", "0", "--pool-size", "-1"], { cwd: dir });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("--pool-size takes a whole number of at least 0 (got '-1')");
  });
});

describe("edgebox serve: per-request limits", () => {
  const APP_LIMITS = `import fs from "node:fs";
export default {
  async fetch(request) {
    const url = new URL(request.url);
    if (url.pathname === "/alloc") { const mib = Number(url.searchParams.get("mib")); const keep = []; for (let i = 0; i < mib; i++) keep.push(new Uint8Array(1 << 20).fill(1)); return new Response("allocated " + keep.length); }
    if (url.pathname === "/files") { const fds = []; try { for (let i = 0; i < 200; i++) fds.push(fs.openSync(url.searchParams.get("path"), "r")); return new Response("opened " + fds.length); } catch (e) { return new Response(e.code + " after " + fds.length, { status: 503 }); } }
    if (url.pathname === "/bad-header") return new Response("x", { headers: [["x-bad", "a\\u0000b"]] });
    if (url.pathname === "/bad-name") return new Response("x", { headers: { "x-ok": "1", "x-bad": "line\\r\\nbreak" } });
    if (url.pathname === "/bad-status") return new Response("x", { statusText: "ok\\nx-injected\\n1" });
    if (url.pathname === "/timer") { setInterval(() => {}, 5); return new Response("timer left behind"); }
    if (url.pathname === "/reject-spin") { Promise.reject(new Error("never handled")); for (;;) {} }
    return new Response("ok");
  },
};
`;

  test("memory is capped at 128 MiB per request by default: a bomb past it gets 500, below it works", async () => {
    const dir = tempApp({ "app.mjs": APP_LIMITS });
    const s = await serve(dir, "app.mjs");
    const small = await fetch(`${s.url}/alloc?mib=32`);
    expect([small.status, await small.text()]).toEqual([200, "allocated 32"]);
    const big = await fetch(`${s.url}/alloc?mib=200`);
    expect([big.status, await big.text()]).toEqual([500, "the request ran out of memory\n"]);
    expect((await fetch(`${s.url}/`)).status).toBe(200);
  }, 30_000);

  test("a string body whose UTF-8 does not fit in memory: 500, not an empty 200", async () => {
    // (24 MiB of Latin-1 in the guest; its UTF-8 takes 48 MiB more, past the 64 MiB cap)
    const dir = tempApp({ "app.mjs": `export default { fetch() { return new Response("\\u00e9".repeat(24 << 20)); } };\n` });
    const s = await serve(dir, "app.mjs", ["--max-memory", "64"]);
    const r = await fetch(`${s.url}/`);
    expect([r.status, await r.text()]).toEqual([500, "the request ran out of memory\n"]);
  }, 30_000);

  test("--max-memory and runtime.max_memory_pages raise the cap", async () => {
    const dir = tempApp({ "app.mjs": APP_LIMITS });
    const flag = await serve(dir, "app.mjs", ["--max-memory", "400"]);
    expect((await fetch(`${flag.url}/alloc?mib=200`)).status).toBe(200);
    flag.proc.kill("SIGTERM");
    const policy = tempApp({ "app.mjs": APP_LIMITS, ".edgebox.json": JSON.stringify({ runtime: { max_memory_pages: 6400 } }) });
    const viaPolicy = await serve(policy, "app.mjs");
    expect((await fetch(`${viaPolicy.url}/alloc?mib=200`)).status).toBe(200);
    const lower = tempApp({ "app.mjs": APP_LIMITS, ".edgebox.json": JSON.stringify({ runtime: { max_memory_pages: 1024 } }) });
    const viaLower = await serve(lower, "app.mjs");
    expect((await fetch(`${viaLower.url}/alloc?mib=100`)).status).toBe(500);
  }, 60_000);

  // (where a request's memory comes from memory slots, Linux; elsewhere it is 1 MiB unless the policy says)
  test("a request's stack is a script's by default on Linux (4 MiB, ~16,000 calls, a catchable RangeError); runtime.stack_size sets it, 1 and 8 MiB too", async () => {
    const app = `let max = 0;\nfunction down(n) { max = n; return down(n + 1) + 1; }\nexport default { fetch() { try { down(0); } catch (e) { return new Response(e.constructor.name + " " + max); } } };\n`;
    const depth = async (policy?: object) => {
      const s = await serve(tempApp({ "app.mjs": app, ...(policy ? { ".edgebox.json": JSON.stringify(policy) } : {}) }), "app.mjs");
      const [name, n] = (await (await fetch(s.url)).text()).split(" ");
      s.proc.kill("SIGTERM");
      expect(name).toBe("RangeError");
      return Number(n);
    };
    const byDefault = await depth();
    const oneMiB = await depth({ runtime: { stack_size: 1 << 20 } });
    const eight = await depth({ runtime: { stack_size: 8 << 20 } });
    const script = await edgeboxAsync(["run", "-e", `let max = 0; function down(n) { max = n; return down(n + 1) + 1; } try { down(0); } catch (e) { console.log(e.constructor.name, max); }`]);
    expect(oneMiB).toBeGreaterThan(3500);
    if (process.platform === "linux") {
      expect(byDefault / oneMiB).toBeGreaterThan(3.5);
      expect(byDefault / oneMiB).toBeLessThan(4.5);
      expect(script.stdout.trim()).toMatch(/^RangeError \d+$/);
      // (a script's and a request's frames differ by a few: the handler's call, the module's)
      expect(Math.abs(Number(script.stdout.trim().split(" ")[1]) - byDefault) / byDefault).toBeLessThan(0.02);
    } else {
      expect(byDefault).toBe(oneMiB);
    }
    expect(eight / oneMiB).toBeGreaterThan(7);
    expect(eight / oneMiB).toBeLessThan(9);
  }, 60_000);

  test("a request may hold 64 descriptors at once; they close with the request", async () => {
    const data = tempApp({ "data.txt": "x" });
    const file = join(data, "data.txt");
    const dir = tempApp({ "app.mjs": APP_LIMITS, ".edgebox.json": JSON.stringify({ dirs: [{ path: data, read: true }] }) });
    const s = await serve(dir, "app.mjs");
    const open = () => readdirSync(`/proc/${s.proc.pid}/fd`).length;
    await fetch(`${s.url}/`);
    await Bun.sleep(100);
    const before = open();
    for (let i = 0; i < 3; i++) {
      const r = await fetch(`${s.url}/files?path=${encodeURIComponent(file)}`);
      expect([r.status, await r.text()]).toEqual([503, "EMFILE after 64"]);
    }
    await Bun.sleep(100);
    expect(open()).toBeLessThanOrEqual(before + 2);
  }, 30_000);

  test("a response with an invalid header is a 500 for that request only: 700 of them, then a good one", async () => {
    const dir = tempApp({ "app.mjs": APP_LIMITS });
    const s = await serve(dir, "app.mjs", ["--quiet"]);
    for (let round = 0; round < 35; round++) {
      const statuses = await Promise.all(Array.from({ length: 20 }, (_, i) => fetch(`${s.url}/${i % 2 ? "bad-header" : "bad-name"}`).then((r) => r.status)));
      expect(statuses).toEqual(Array(20).fill(500));
    }
    // (a line break in the status text does not become a header of its own)
    const injected = await fetch(`${s.url}/bad-status`);
    expect([injected.status, injected.headers.get("x-injected")]).toEqual([500, null]);
    const good = await fetch(`${s.url}/`);
    expect([good.status, await good.text()]).toEqual([200, "ok"]);
    expect(s.log()).toContain("the response is not valid HTTP");
  }, 60_000);

  test("a timer left running ends with its request: the next requests are answered as before", async () => {
    const dir = tempApp({ "app.mjs": APP_LIMITS });
    const s = await serve(dir, "app.mjs");
    for (let i = 0; i < 5; i++) expect(await (await fetch(`${s.url}/timer`)).text()).toBe("timer left behind");
    expect((await fetch(`${s.url}/`)).status).toBe(200);
  }, 30_000);

  test("a response ready while microtasks never end goes out at once (sync and async handlers); the microtasks end at the time limit, and the server goes on", async () => {
    const endless = "(async () => { for (;;) await null; })();";
    const dir = tempApp({
      "sync.mjs": `export default { fetch() { ${endless} return new Response("sync ready"); } };`,
      "async.mjs": `export default { async fetch() { ${endless} await null; return new Response("async ready"); } };`,
    });
    for (const [file, body] of [["sync.mjs", "sync ready"], ["async.mjs", "async ready"]] as const) {
      const s = await serve(dir, file, ["--timeout", "4000"]);
      const r = await fetch(`${s.url}/`);
      expect(await r.text()).toBe(body);
      // answered before the microtasks reached the time limit (before, the response waited for it)
      expect(s.log()).not.toContain("time limit exceeded");
      expect(await waitFor(() => s.log().includes("time limit exceeded"), 20_000)).toBe(true);
      expect(await (await fetch(`${s.url}/`)).text()).toBe(body);
    }
  }, 90_000);

  test("bodies that stop short of their end cannot fill the server's memory: past 16 x --max-body held, a request gets 503; once they go, bodies are taken again", async () => {
    const dir = tempApp({ "app.mjs": `export default { async fetch(r) { return new Response(String((await r.arrayBuffer()).byteLength)); } };\n` });
    const s = await serve(dir, "app.mjs", ["--max-body", "1024", "--timeout", "30000"]);
    const { hostname, port } = new URL(s.url);
    // 60 uploads of 1,000 bytes of 1,024: 60,000 bytes held, more than 16 x 1,024
    const stalled = await Promise.all(Array.from({ length: 60 }, () => Bun.connect({ hostname, port: Number(port), socket: { data() {} } })));
    for (const c of stalled) c.write(`POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 1024\r\n\r\n${"x".repeat(1000)}`);
    const post = () => fetch(`${s.url}/`, { method: "POST", body: "y".repeat(1000) }).then((r) => r.status);
    // (the server reads the stalled bodies as they come: ask until it has)
    const answers = async (want: number) => {
      for (let i = 0; i < 100; i++) {
        if ((await post()) === want) return true;
        await Bun.sleep(100);
      }
      return false;
    };
    expect(await answers(503)).toBe(true);
    for (const c of stalled) c.end();
    expect(await answers(200)).toBe(true);
  }, 60_000);

  test("a request reads no stdin: not the operator's input, a read does not wait on it, fstat shows the null device", async () => {
    const app = `import fs from "node:fs";
export default { async fetch(r) {
  if (new URL(r.url).pathname === "/stream") { let got = ""; for await (const c of process.stdin) got += c; return new Response("stream " + JSON.stringify(got)); }
  if (new URL(r.url).pathname === "/stat") { const st = fs.fstatSync(0); return new Response(JSON.stringify([st.isCharacterDevice(), st.isFIFO(), st.size, st.ino])); }
  const b = Buffer.alloc(100); return new Response("read " + JSON.stringify(b.subarray(0, fs.readSync(0, b, 0, 100, null)).toString()));
} };\n`;
    const s = await serve(tempApp({ "app.mjs": app }), "app.mjs", ["--timeout", "5000"], {}, "OPERATOR-SECRET\n");
    expect(await (await fetch(`${s.url}/`)).text()).toBe('read ""');
    // (its stdin is the null device's, not the server's pipe)
    expect(await (await fetch(`${s.url}/stat`)).json()).toEqual([true, false, 0, statSync("/dev/null").ino]);
    expect(await (await fetch(`${s.url}/stream`)).text()).toBe('stream ""');
  }, 30_000);

  test("requests that time out holding an unhandled rejection do not take the server down (their release comes past the deadline)", async () => {
    const dir = tempApp({ "app.mjs": APP_LIMITS });
    const s = await serve(dir, "app.mjs", ["--timeout", "300"]);
    // (together: each one's release waits for the others' loops, past its own deadline)
    const statuses = await Promise.all(Array.from({ length: 4 }, () => fetch(`${s.url}/reject-spin`).then((r) => r.status)));
    expect(statuses).toEqual([504, 504, 504, 504]);
    await Bun.sleep(200);
    expect((await fetch(`${s.url}/`)).status).toBe(200);
    expect(s.log()).not.toContain("GuestTrap");
  }, 30_000);
});

describe("edgebox serve: URL linked into a request on first use", () => {
  // The image holds URL linked; a request whose code never touches URL does not link it, one that
  // does links it then, whichever other extension it linked first.
  const APP_LAZY_URL = `let count = 0;
export default {
  fetch(request) {
    count++;
    const path = request.url.slice(request.url.indexOf("/", 8));
    if (path === "/bytes") return new Response(new Uint8Array([104, 105]));
    if (path.startsWith("/encoder-first")) {
      const bytes = new TextEncoder().encode("caf\u00e9");
      const q = new URL(request.url).searchParams.get("q");
      const form = new URLSearchParams("a=1");
      form.append("b", q);
      return new Response([bytes.length, new TextDecoder().decode(bytes), q, form.toString(), structuredClone({ q }).q, count].join(" "));
    }
    if (path.startsWith("/params")) {
      const u = new URL(request.url);
      const params = u.searchParams;
      u.search = "?r=1";
      let code;
      try { new URL("nope"); } catch (e) { code = e.code; }
      return new Response([new URLSearchParams("x=1&y=two").get("y"), count, new URLSearchParams({ a: params.get("r") }), code].join(" "), { headers: { "x-url": String(new URL("../up?z=3#h", request.url)) } });
    }
    if (path === "/replace") {
      globalThis.URL = function Mine() {};
      return new Response([URL.name, typeof URLSearchParams, new URLSearchParams("k=v").get("k")].join(" "));
    }
    return new Response(new URL(request.url).searchParams.get("q") + " " + count);
  },
};
`;
  const APP_SCOPE_URL = `const base = new URL("https://example.com/base/");
const { URLSearchParams: Params } = await import("node:url");
export default {
  fetch(request) {
    if (request.url.endsWith("/plain")) return new Response("plain");
    return new Response([new URL("x?y=1", base).href, new Params("a=b").get("a"), base.searchParams.size].join(" "));
  },
};
`;

  test("requests that do not touch URL, that touch it first, or after TextEncoder: each answered right, in any order and concurrently", async () => {
    const dir = tempApp({ "app.mjs": APP_LAZY_URL });
    const s = await serve(dir, "app.mjs", ["--quiet", "--pool-size", "2"]);
    const get = async (path: string) => {
      const r = await fetch(s.url + path);
      return path.startsWith("/params") ? `${await r.text()} ${r.headers.get("x-url")}` : r.text();
    };
    const expected: Record<string, string> = {
      "/bytes": "hi",
      "/q?q=one": "one 1",
      "/encoder-first/x?q=z%20z": "5 café z z a=1&b=z+z z z 1",
      "/params/a/b": `two 1 a=1 ERR_INVALID_URL ${s.url}/params/up?z=3#h`,
      "/replace": "Mine function v",
    };
    for (const [path, want] of Object.entries(expected)) expect(await get(path)).toBe(want);
    const paths = Object.keys(expected);
    const order = Array.from({ length: 40 }, (_, i) => paths[(i * 7) % paths.length]!);
    expect(await Promise.all(order.map(get))).toEqual(order.map((p) => expected[p]!));
    for (const p of [...paths].reverse()) expect(await get(p)).toBe(expected[p]!);
  }, 60_000);

  test("an app whose module scope uses crypto: each request uses it (the extension linked again at its place, its own globals relocated)", async () => {
    const dir = tempApp({
      "app.mjs": `import { createHash } from "node:crypto";
const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode("abc"));
export default {
  async fetch() {
    const key = await crypto.subtle.generateKey({ name: "HMAC", hash: "SHA-256" }, true, ["sign", "verify"]);
    const sig = await crypto.subtle.sign("HMAC", key, new Uint8Array([1, 2, 3]));
    const ec = await crypto.subtle.generateKey({ name: "ECDSA", namedCurve: "P-256" }, true, ["sign", "verify"]);
    const es = await crypto.subtle.sign({ name: "ECDSA", hash: "SHA-256" }, ec.privateKey, new Uint8Array([9]));
    return new Response([new Uint8Array(digest)[0], sig.byteLength, await crypto.subtle.verify("HMAC", key, sig, new Uint8Array([1, 2, 3])), es.byteLength, await crypto.subtle.verify({ name: "ECDSA", hash: "SHA-256" }, ec.publicKey, es, new Uint8Array([9])), createHash("sha256").update("abc").digest("hex").slice(0, 8)].join(" "));
  },
};
`,
    });
    const s = await serve(dir, "app.mjs", ["--quiet"]);
    for (let i = 0; i < 3; i++) expect(await (await fetch(s.url)).text()).toBe("186 32 true 64 true ba7816bf");
  }, 60_000);

  test("an app whose module scope uses URL keeps it in every request", async () => {
    const dir = tempApp({ "app.mjs": APP_SCOPE_URL });
    const s = await serve(dir, "app.mjs", ["--quiet"]);
    for (const path of ["/", "/plain", "/", "/plain"]) {
      expect(await (await fetch(s.url + path)).text()).toBe(path === "/plain" ? "plain" : "https://example.com/base/x?y=1 b 0");
    }
  }, 60_000);
});

describe("edgebox serve: Intl prepared in the image", () => {
  // A handler that formats dates: the image holds DateTimeFormat's chunk loaded and its data
  // prepared (a request finds a data property, not the getter that loads it), and a request that
  // replaces it leaves the next one the image's.
  const APP_DATES = `const loaded = (name) => typeof Object.getOwnPropertyDescriptor(Intl, name).value === "function";
export default {
  fetch(request) {
    // (a name put together: the app's text names no segmenter)
    const seen = ["DateTimeFormat", "NumberFormat", "Seg" + "menter"].map(loaded).join(" ");
    const text = new Date(0).toLocaleDateString("en-US", { timeZone: "UTC", dateStyle: "full" });
    if (request.url.endsWith("/local")) return new Response(new Date(0).toLocaleString("en-US") + " " + Intl.DateTimeFormat().resolvedOptions().timeZone);
    if (request.url.endsWith("/replace")) Intl.DateTimeFormat = function Mine() {};
    return new Response(seen + " | " + text + " | " + Intl.DateTimeFormat.name);
  },
};
`;

  test("a handler that formats dates finds DateTimeFormat's chunk loaded (a first instance made), in the server's zone; members the app never names stay out", async () => {
    const dir = tempApp({ "app.mjs": APP_DATES });
    const s = await serve(dir, "app.mjs", ["--quiet"], { TZ: "Asia/Tokyo" });
    expect(await (await fetch(s.url + "/local")).text()).toBe("1/1/1970, 9:00:00 AM Asia/Tokyo");
    const first = await (await fetch(s.url + "/replace")).text();
    expect(first).toBe("true true false | Thursday, January 1, 1970 | Mine");
    for (let i = 0; i < 3; i++) expect(await (await fetch(s.url + "/")).text()).toBe("true true false | Thursday, January 1, 1970 | DateTimeFormat");
  });
});

describe("edgebox serve: a request's instance recycled (in-process, Linux)", () => {
  // A dropped request's instance is the next request's (NativeInstance.dispose), kept with the
  // bundled extensions the image links at their places (URL), which it then need not link again.
  const objdump = wabt("wasm-objdump");
  securityTest(objdump.skip)("the bundled extensions, as a request links them, keep nothing of their own: no start function, and their code sets only the guest's stack pointer", () => {
    expect(extensions.map((e) => e.name).sort()).toEqual(["crypto", "encoding", "structured-clone", "url"]);
    for (const ext of extensions) {
      const relink = relinkOnly(ext.source.bytes());
      const details = objdump.run(relink, ["-x"]);
      expect(details).toContain("Import[");
      expect([ext.name, details.includes("\nStart:")]).toEqual([ext.name, false]);
      const code = objdump.run(relink, ["-d"]);
      // (a global of its own has no name in the listing: "global.set 5")
      const sets = new Set([...code.matchAll(/global\.set \d+(?: <([^>]+)>)?/g)].map((m) => m[1] ?? m[0]));
      expect(code.length).toBeGreaterThan(10_000);
      expect([ext.name, [...sets]]).toEqual([ext.name, ["env.__stack_pointer"]]);
      // (its memory and table are the guest's)
      expect([ext.name, /^(Memory|Table)\[/m.test(details)]).toEqual([ext.name, false]);
      expect(code).not.toMatch(TABLE_WRITES);
    }
  });

  test.if(process.platform === "linux")("kept with URL linked, not after an extension linked in the request; each request as fresh", async () => {
    const dir = tempApp({
      "app.mjs": `let count = 0;
export default {
  fetch(request) {
    count++;
    if (request.url.endsWith("/encoder")) return new Response(new TextEncoder().encode("caf\u00e9").length + " " + count);
    return new Response(new URL(request.url).searchParams.get("q") + " " + count);
  },
};
`,
    });
    const app = await prepareApp({ target: join(dir, "app.mjs"), cwd: dir, grants: {} }, { pooling: true, memorySlots: true, epoch: true }, (p) => requestDefaults(p, true));
    const image = await buildImage({ ...app, sandbox: { ...app.sandbox, timeoutMs: 30_000 } }, () => {});
    const pool = new InstancePool(() => new Sandbox({ ...image.sandbox, stdout: () => {}, stderr: () => {} }), 0, (err) => {
      throw err;
    });
    const spares = (image.sandbox.module as unknown as { spares: unknown[] }).spares;
    const ask = async (path: string) => {
      const o = await handleRequest(image, () => pool.take(), new Request(`http://127.0.0.1${path}`), null, { maxBody: 1 << 20, dev: true }, 0);
      await o.after;
      return o.response.text();
    };
    for (let i = 0; i < 4; i++) {
      expect(await ask(`/?q=a${i}`)).toBe(`a${i} 1`);
      expect(spares.length).toBe(1);
      expect(await ask(`/?q=b${i}`)).toBe(`b${i} 1`);
      expect(spares.length).toBe(1);
      expect(await ask("/encoder")).toBe("5 1");
      expect(spares.length).toBe(0);
    }
  }, 60_000);
});

describe("edgebox serve: a reused memory is the image again", () => {
  // Each instance's memory comes from a slot an earlier request used (Linux): what that request
  // wrote, inside the image and in memory it grew, must be gone, whichever pages it touched.
  const APP_SCRIBBLE = `const image = new Uint8Array(512 * 1024).fill(1);
const table = Array.from({ length: 2000 }, (_, i) => ({ i }));
export default {
  fetch(request) {
    const url = new URL(request.url);
    let ones = 0;
    for (let i = 0; i < image.length; i++) ones += image[i] === 1 ? 1 : 0;
    const intact = table.every((o, i) => o.i === i && Object.keys(o).length === 1);
    const seen = [ones, intact, typeof globalThis.leftBehind].join(" ");
    // scribble: every byte of the image's buffer, every object, a global, and memory grown past the image
    image.fill(Number(url.searchParams.get("v") ?? 2));
    for (const o of table) (o.i = -1), (o.extra = "x".repeat(20));
    globalThis.leftBehind = new Array(200000).fill(url.pathname);
    const grown = new Uint8Array(24 << 20).fill(9);
    return new Response(seen + " " + grown[grown.length - 1]);
  },
};
`;

  test("what a request wrote, in the image and past it, is not there for the next (one worker, then under concurrency)", async () => {
    const dir = tempApp({ "app.mjs": APP_SCRIBBLE });
    const s = await serve(dir, "app.mjs", ["--quiet", "--pool-size", "2"]);
    const clean = `${512 * 1024} true undefined 9`;
    for (let i = 0; i < 12; i++) expect(await (await fetch(`${s.url}/one?v=${i + 2}`)).text()).toBe(clean);
    for (let round = 0; round < 4; round++) {
      const seen = await Promise.all(Array.from({ length: 12 }, (_, i) => fetch(`${s.url}/many?v=${i + 3}`).then((r) => r.text())));
      expect(seen).toEqual(Array(12).fill(clean));
    }
  }, 60_000);

  // Every way a request could leave something for the next: bytes the host wrote into the image's
  // pages (a file read into a module-scope buffer), a request stopped at its time limit while
  // writing, one that grew its memory to the cap, one whose Worker wrote; then all of them at once.
  const APP_ATTACK = `import fs from "node:fs";
import { Worker } from "node:worker_threads";
const shared = new Uint8Array(256 * 1024);
const table = Array.from({ length: 1000 }, (_, i) => ({ i }));
let counter = 0;
const sum = (a, step = 1) => { let s = 0; for (let i = 0; i < a.length; i += step) s += a[i]; return s; };
const inWorker = (src) => new Promise((res, rej) => { const w = new Worker(src, { eval: true }); w.on("message", (m) => { res(m); w.terminate(); }); w.on("error", rej); });
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const fresh = new Uint8Array(48 << 20);
    const seen = [counter, sum(shared), table.every((o, i) => o.i === i), typeof globalThis.secret, sum(fresh, 4096)].join(" ");
    counter++;
    globalThis.secret = "s";
    for (const o of table) o.i = -1;
    fresh.fill(5);
    switch (url.pathname) {
      case "/read": { const fd = fs.openSync(url.searchParams.get("path"), "r"); const n = fs.readSync(fd, shared, 0, shared.length, 0); fs.closeSync(fd); return new Response(seen + " read " + n); }
      case "/spin": { let i = 0; for (;;) shared[i++ & 0x3ffff] = 9; }
      case "/bomb": { const keep = []; for (;;) keep.push(new Uint8Array(1 << 20).fill(3)); }
      case "/worker": {
        const got = await inWorker(\`const { parentPort } = require("node:worker_threads"); globalThis.secret = "w"; const b = new Uint8Array(8 << 20).fill(4); parentPort.postMessage(b.subarray(0, 4096));\`);
        shared.set(got);
        return new Response(seen + " worker " + got[0]);
      }
      case "/worker-check": {
        const got = await inWorker(\`const { parentPort } = require("node:worker_threads"); const b = new Uint8Array(8 << 20); let s = 0; for (let i = 0; i < b.length; i += 4096) s += b[i]; parentPort.postMessage(s + " " + typeof globalThis.secret);\`);
        return new Response(seen + " worker " + got);
      }
      default: shared.fill(2); return new Response(seen);
    }
  },
};
`;

  securityTest(undefined)("no request sees what another left: host-written pages, a timed-out writer, memory grown to the cap, a Worker's writes, 1 then 8 at once", async () => {
    const data = tempApp({ "data.bin": "\u0001".repeat(256 * 1024) });
    const file = encodeURIComponent(join(data, "data.bin"));
    const dir = tempApp({ "app.mjs": APP_ATTACK, ".edgebox.json": JSON.stringify({ dirs: [{ path: data, read: true }] }) });
    const s = await serve(dir, "app.mjs", ["--quiet", "--timeout", "4000"]);
    const clean = "0 0 true undefined 0";
    const get = async (path: string) => {
      const r = await fetch(`${s.url}${path}`);
      return `${r.status} ${await r.text()}`;
    };
    expect(await get("/")).toBe(`200 ${clean}`);
    expect(await get(`/read?path=${file}`)).toBe(`200 ${clean} read ${256 * 1024}`);
    expect(await get("/")).toBe(`200 ${clean}`);
    expect(await get("/spin")).toStartWith("504 ");
    expect(await get("/")).toBe(`200 ${clean}`);
    expect(await get("/bomb")).toBe("500 the request ran out of memory\n");
    expect(await get("/")).toBe(`200 ${clean}`);
    expect(await get("/worker")).toBe(`200 ${clean} worker 4`);
    expect(await get("/worker-check")).toBe(`200 ${clean} worker 0 undefined`);
    expect(await get("/")).toBe(`200 ${clean}`);
    for (let round = 0; round < 2; round++) {
      const paths = ["/", `/read?path=${file}`, "/worker", "/bomb", "/", `/read?path=${file}`, "/worker-check", "/"];
      const got = await Promise.all(paths.map(get));
      expect(got.filter((g) => g.startsWith("200 ")).every((g) => g.startsWith(`200 ${clean}`))).toBe(true);
      expect(got[3]).toBe("500 the request ran out of memory\n");
      expect(await Promise.all(Array.from({ length: 8 }, () => get("/")))).toEqual(Array(8).fill(`200 ${clean}`));
    }
    expect(s.proc.exitCode).toBe(null);
  }, 120_000);
});

describe("edgebox serve: the guest stack and the async context per request", () => {
  test("a request that times out deep in recursion is answered with a 5xx alone; the next request on the worker recurses as deep as before", async () => {
    const app = [
      `let max = 0;`,
      `function down(n) { max = n; return down(n + 1) + 1; }`,
      `function spin(n) { if (n > 3000) for (;;) {} return spin(n + 1) + 1; }`,
      `export default { fetch(request) {`,
      `  if (new URL(request.url).pathname === "/spin") spin(0);`,
      `  try { down(0); } catch (e) { return new Response(e.constructor.name + " " + max); }`,
      `} };`,
    ].join("\n");
    const s = await serve(tempApp({ "app.mjs": app }), "app.mjs", ["--timeout", "1000"]);
    const before = await (await fetch(s.url)).text();
    const spun = await fetch(`${s.url}/spin`);
    expect(spun.status).toBeGreaterThanOrEqual(500);
    await spun.text();
    const after = await (await fetch(s.url)).text();
    expect(before).toMatch(/^RangeError \d+$/);
    expect(after).toBe(before);
    expect(s.proc.exitCode).toBe(null);
  }, 60_000);

  test("a store one request sets is never visible to another, concurrent or later (nor through the rewrite's globals)", async () => {
    const app = [
      `import { AsyncLocalStorage } from "node:async_hooks";`,
      `const als = new AsyncLocalStorage();`,
      `export default { async fetch(request) {`,
      `  const who = new URL(request.url).searchParams.get("who");`,
      `  const seen = [String(als.getStore()), __edgebox_context().size].join(" ");`,
      `  if (who === "a") { als.enterWith("secret-a"); await new Promise((r) => setTimeout(r, 400)); return new Response(String(als.getStore())); }`,
      `  return new Response(seen);`,
      `} };`,
    ].join("\n");
    const s = await serve(tempApp({ "app.mjs": app }), "app.mjs");
    const a = fetch(`${s.url}/?who=a`).then((r) => r.text());
    await Bun.sleep(100);
    const during = await (await fetch(`${s.url}/?who=b`)).text();
    expect(await a).toBe("secret-a");
    const later = await (await fetch(`${s.url}/?who=b`)).text();
    expect([during, later]).toEqual(["undefined 0", "undefined 0"]);
  }, 60_000);
});

describe("edgebox serve: worker_threads", () => {
  // n workers that stay alive (an interval each); `mark`: a file written once they are started;
  // `until`: a file the handler waits for before it answers; `hang`: never answers
  const APP_WORKERS = `import { Worker } from "node:worker_threads";
import fs from "node:fs";
export default {
  async fetch(request) {
    const url = new URL(request.url);
    const q = (k) => url.searchParams.get(k);
    let started = 0, error = "";
    for (let i = 0; i < Number(q("n")); i++) {
      try { new Worker("setInterval(() => {}, 1000)", { eval: true }); started++; } catch (e) { error = e.code + ": " + e.message; break; }
    }
    if (q("mark")) fs.writeFileSync(q("mark"), String(started));
    if (q("hang")) await new Promise(() => {});
    while (q("until") && !fs.existsSync(q("until"))) await new Promise((r) => setTimeout(r, 20));
    return Response.json({ started, error });
  },
};
`;
  const spawnWorkers = async (s: Server, query: string) => (await fetch(`${s.url}/?${query}`)).json() as Promise<{ started: number; error: string }>;
  /** Start n workers, again until all n start (the last request's workers end a turn or two after it). */
  const eventually = async (s: Server, n: number) => {
    let got = await spawnWorkers(s, `n=${n}`);
    for (let i = 0; i < 100 && got.started < n; i++) {
      await Bun.sleep(100);
      got = await spawnWorkers(s, `n=${n}`);
    }
    return got;
  };

  test("the process's requests together run at most 2x --pool-size workers (8 at least); a request's end releases its workers", async () => {
    const work = tempApp();
    const dir = tempApp({ "app.mjs": APP_WORKERS, ".edgebox.json": JSON.stringify({ dirs: [{ path: work, read: true, write: true }] }) });
    // (a long time limit: the workers cannot have ended by it)
    const s = await serve(dir, "app.mjs", ["--pool-size", "6", "--timeout", "120000"]);
    const mark = join(work, "started");
    const until = join(work, "answer");
    const holding = spawnWorkers(s, `n=8&mark=${encodeURIComponent(mark)}&until=${encodeURIComponent(until)}`);
    expect(await waitFor(() => existsSync(mark), 30_000)).toBe(true);
    expect(readFileSync(mark, "utf8")).toBe("8");
    // 8 held by the request in flight: 4 more in the process (2 x 6), then the error
    const second = await spawnWorkers(s, "n=8");
    expect(second.started).toBe(4);
    expect(second.error).toBe("ERR_WORKER_INIT_FAILED: at most 12 workers run at once in this server process (its requests' together)");
    writeFileSync(until, "");
    expect((await holding).started).toBe(8);
    // both requests ended: their workers ended with them, every slot is free again
    expect(await eventually(s, 8)).toEqual({ started: 8, error: "" });
    // (and that request's: 8 more would be 16 of 12 otherwise)
    expect(await eventually(s, 8)).toEqual({ started: 8, error: "" });
    // one request alone is still held to 8
    expect((await spawnWorkers(s, "n=9")).error).toContain("at most 8 workers run at once in the sandbox");
  }, 90_000);

  securityTest(undefined)("a request's workers hold its memory cap together with it (8 filling ones: less than 128 MiB, not 8 x 128); the next request is answered", async () => {
    const app = `import { Worker } from "node:worker_threads";
const src = 'const a = []; try { for (;;) a.push(new Uint8Array(1 << 20).fill(1)); } catch (e) { require("worker_threads").parentPort.postMessage(a.length); } setInterval(() => {}, 1000);';
export default {
  fetch(request) {
    if (new URL(request.url).pathname !== "/fill") return new Response("ok");
    return new Promise((resolve) => {
      let ended = 0, held = 0, errors = 0;
      const one = () => { if (++ended === 8) resolve(new Response("held " + held + " errors " + errors)); };
      for (let i = 0; i < 8; i++) { const w = new Worker(src, { eval: true }); w.on("message", (m) => { held += m; one(); }); w.on("error", () => { errors++; one(); }); }
    });
  },
};
`;
    const s = await serve(tempApp({ "app.mjs": app }), "app.mjs", ["--quiet"]);
    const r = await fetch(`${s.url}/fill`);
    const m = /^held (\d+) errors (\d+)$/.exec(await r.text());
    expect(r.status).toBe(200);
    expect(m).not.toBeNull();
    // (8 workers with 128 MiB each held 944 MiB together)
    expect(Number(m![1])).toBeGreaterThan(0);
    expect(Number(m![1])).toBeLessThan(128);
    expect(await (await fetch(`${s.url}/`)).text()).toBe("ok");
    expect(s.proc.exitCode).toBe(null);
  }, 60_000);

  test("a request that times out with workers running releases them", async () => {
    const dir = tempApp({ "app.mjs": APP_WORKERS });
    const s = await serve(dir, "app.mjs", ["--pool-size", "2", "--timeout", "2000"]);
    const hung = await fetch(`${s.url}/?n=8&hang=1`);
    expect(hung.status).toBe(504);
    expect(await eventually(s, 8)).toEqual({ started: 8, error: "" });
    expect((await fetch(`${s.url}/`)).status).toBe(200);
  }, 60_000);
});

describe("edgebox serve: the request and response as the handler sees them", () => {
  const APP_SHAPES = `export default {
  fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/headers") {
      return Response.json({ accept: request.headers.get("Accept"), multi: request.headers.get("x-multi"), names: [...request.headers.keys()].filter((k) => k.startsWith("x-")), aborted: request.signal.aborted, isRequest: request instanceof Request });
    }
    if (url.pathname === "/text") {
      const res = new Response("é \\uD800 \\uD83D\\uDE00 end");
      return new Response(res.body, { headers: { "x-clone": String(res.clone().headers.get("content-type")) } });
    }
    if (url.pathname === "/string") return new Response("é \\uD800 \\uDC00 \\uD83D\\uDE00 end", { headers: [["set-cookie", "b=2"], ["set-cookie", "a=1"], ["x-z", "z"]] });
    if (url.pathname === "/later") {
      Promise.resolve().then(() => ctx.waitUntil(new Promise((r) => setTimeout(r, 50)).then(() => console.log("late wait done"))));
      return new Response("sync");
    }
    if (url.pathname === "/async") return Promise.resolve(new Response(null, { status: 204 }));
    if (url.pathname === "/meta") return Response.json({ method: request.method, url: request.url, quoted: request.headers.get("x-quoted"), random: Math.random() });
    if (url.pathname === "/throw") throw new Error("thrown at once");
    return new Response(new Uint8Array([104, 105]));
  },
};
`;

  test("request headers, signal and body types; a string body's bytes are its UTF-8 (lone surrogates U+FFFD); a waitUntil from a microtask is waited for", async () => {
    const dir = tempApp({ "app.mjs": APP_SHAPES });
    const s = await serve(dir, "app.mjs", ["--dev"]);
    const h = await fetch(`${s.url}/headers`, { headers: [["accept", "text/html"], ["x-multi", "1"], ["x-multi", "2"], ["x-b", "b"]] });
    expect(await h.json()).toEqual({ accept: "text/html", multi: "1, 2", names: ["x-b", "x-multi"], aborted: false, isRequest: true });
    const expected = new TextEncoder().encode("é \uD800 \uDC00 \uD83D\uDE00 end");
    const str = await fetch(`${s.url}/string`);
    expect(new Uint8Array(await str.arrayBuffer())).toEqual(expected);
    expect(str.headers.get("content-type")).toBe("text/plain;charset=UTF-8");
    expect(str.headers.getSetCookie()).toEqual(["b=2", "a=1"]);
    const text = await fetch(`${s.url}/text`);
    expect([await text.text(), text.headers.get("x-clone")]).toEqual(["é \uFFFD \uD83D\uDE00 end", "text/plain;charset=UTF-8"]);
    expect(await (await fetch(`${s.url}/bytes`)).text()).toBe("hi");
    expect((await fetch(`${s.url}/async`)).status).toBe(204);
    const thrown = await fetch(`${s.url}/throw`);
    expect([thrown.status, await thrown.text()]).toEqual([500, expect.stringContaining("thrown at once")]);
    expect(await (await fetch(`${s.url}/later`)).text()).toBe("sync");
    expect(await waitFor(() => s.log().includes("late wait done"), 10_000)).toBe(true);
    // the request's method, URL and headers as the host hands them over (one line, then the headers' JSON);
    // each request's randomness its own, not the image's
    type Meta = { method: string; url: string; quoted: string; random: number };
    const meta = async () => (await (await fetch(`${s.url}/meta?q=a%20b&n=\u00e9`, { method: "PATCH", body: "x", headers: { "x-quoted": 'say "hi" \\ [1, 2]\n' } })).json()) as Meta;
    const [m1, m2] = [await meta(), await meta()];
    expect({ ...m1, random: 0 }).toEqual({ method: "PATCH", url: `${s.url}/meta?q=a%20b&n=%C3%A9`, quoted: 'say "hi" \\ [1, 2]', random: 0 });
    expect(m1.random).not.toBe(m2.random);
  }, 30_000);
});
