// fetch from the sandbox against a real HTTP server on 127.0.0.1, started here.

import { afterAll, beforeAll, describe, expect, test } from "bun:test";
import { join } from "node:path";
import { edgeboxAsync, tempApp } from "./helpers.ts";

let server: ReturnType<typeof Bun.serve>;
let base = "";
let active = 0;
let peak = 0;

beforeAll(() => {
  server = Bun.serve({
    hostname: "127.0.0.1",
    port: 0,
    async fetch(req) {
      const url = new URL(req.url);
      switch (url.pathname) {
        case "/hello":
          return new Response("hello from the host", { headers: { "x-test": "yes", "content-type": "text/plain" } });
        case "/echo":
          return Response.json({ method: req.method, header: req.headers.get("x-custom"), body: await req.text() });
        case "/redirect":
          return Response.redirect(`${base}/hello`, 302);
        case "/away":
          return Response.redirect(url.searchParams.get("to")!, 302);
        case "/creds":
          return Response.json({ auth: req.headers.get("authorization"), cookie: req.headers.get("cookie"), custom: req.headers.get("x-custom") });
        case "/big":
          return new Response("x".repeat(1 << 20));
        case "/slow": {
          active++;
          peak = Math.max(peak, active);
          await Bun.sleep(100);
          active--;
          return new Response("slow");
        }
        case "/hang":
          await Bun.sleep(5000);
          return new Response("late");
        default:
          return new Response("not here", { status: 404 });
      }
    },
  });
  base = `http://127.0.0.1:${server.port}`;
});

afterAll(() => server?.stop(true));

function app(policy: object, script: string): string {
  const dir = tempApp({ ".edgebox.json": JSON.stringify(policy), "main.mjs": script });
  return join(dir, "main.mjs");
}

const allowLocal = { allowedUrls: ["http://127.0.0.1:*/*"] };

describe("fetch: what a policy blocks stays blocked", () => {
  test("a blocked host by another spelling (trailing dot, IPv4-mapped IPv6, 0.0.0.0) or a path with doubled slashes", async () => {
    const port = server.port;
    const f = app(
      { allowedUrls: [], blockedUrls: [`http://127.0.0.1:${port}/*`, `http://localhost:${port}/*`] },
      [
        `for (const u of process.argv.slice(2)) {`,
        `  try { await fetch(u); console.log("fetched", u); } catch (e) { console.log(e.code); }`,
        `}`,
      ].join("\n"),
    );
    const urls = [`http://localhost.:${port}/hello`, `http://[::ffff:127.0.0.1]:${port}/hello`, `http://0.0.0.0:${port}/hello`];
    const r = await edgeboxAsync(["run", f, ...urls]);
    expect(r.stdout).toBe("ERR_ACCESS_DENIED\n".repeat(3));
    const paths = app({ allowedUrls: [`http://127.0.0.1:${port}/*`], blockedUrls: [`http://127.0.0.1:${port}/hello`] }, `try { await fetch(process.argv[2] + "//hello"); console.log("fetched"); } catch (e) { console.log(e.code); }`);
    expect((await edgeboxAsync(["run", paths, base])).stdout).toBe("ERR_ACCESS_DENIED\n");
  });

  test("credentials do not follow a redirect to another origin", async () => {
    const other = `http://localhost:${server.port}`; // same server, another origin
    const f = app({ allowedUrls: [`http://127.0.0.1:*/*`, `http://localhost:*/*`] }, `const r = await fetch(process.argv[2] + "/away?to=" + encodeURIComponent(process.argv[3] + "/creds"), { headers: { authorization: "Bearer SECRET", cookie: "sid=1", "x-custom": "kept" } });\nconsole.log(JSON.stringify(await r.json()));`);
    const r = await edgeboxAsync(["run", f, base, other]);
    expect(JSON.parse(r.stdout)).toEqual({ auth: null, cookie: null, custom: "kept" });
  });

  test("too many request headers are refused before they reach the host's HTTP stack", async () => {
    const f = app(allowLocal, `try { await fetch(process.argv[2] + "/hello", { headers: Array.from({ length: 5000 }, (_, i) => ["x-h" + i, "v"]) }); console.log("sent"); } catch (e) { console.log(e.code, e.message); }`);
    const r = await edgeboxAsync(["run", "--timeout", "5000", f, base]);
    expect(r.stdout).toBe("ERR_INVALID_ARG_VALUE fetch: more than 1000 request headers\n");
  });
});

describe("fetch", () => {
  test("GET: status, headers, body", async () => {
    const f = app(allowLocal, `const r = await fetch(process.argv[2] + "/hello"); console.log(r.status, r.ok, r.headers.get("x-test"), await r.text());`);
    const r = await edgeboxAsync(["run", f, base]);
    expect(r).toEqual({ code: 0, stdout: "200 true yes hello from the host\n", stderr: "" });
  });

  test("POST with a body and a header; json()", async () => {
    const f = app(
      allowLocal,
      `const r = await fetch(process.argv[2] + "/echo", { method: "POST", headers: { "X-Custom": "abc" }, body: JSON.stringify({ a: 1 }) });
console.log(JSON.stringify(await r.json()));`,
    );
    const r = await edgeboxAsync(["run", f, base]);
    expect(JSON.parse(r.stdout)).toEqual({ method: "POST", header: "abc", body: '{"a":1}' });
  });

  test("an allowed redirect is followed", async () => {
    const f = app(allowLocal, `const r = await fetch(process.argv[2] + "/redirect"); console.log(r.redirected, r.url.endsWith("/hello"), await r.text());`);
    expect((await edgeboxAsync(["run", f, base])).stdout).toBe("true true hello from the host\n");
  });

  test("redirect: manual returns the 302", async () => {
    const f = app(allowLocal, `const r = await fetch(process.argv[2] + "/redirect", { redirect: "manual" }); console.log(r.status, r.headers.get("location").endsWith("/hello"));`);
    expect((await edgeboxAsync(["run", f, base])).stdout).toBe("302 true\n");
  });

  test("a 404 is a response, not an error", async () => {
    const f = app(allowLocal, `const r = await fetch(process.argv[2] + "/nope"); console.log(r.status, r.ok, await r.text());`);
    expect((await edgeboxAsync(["run", f, base])).stdout).toBe("404 false not here\n");
  });

  test("a 1 MiB body arrives whole", async () => {
    const f = app(allowLocal, `const r = await fetch(process.argv[2] + "/big"); const t = await r.text(); console.log(t.length, t[0], t[t.length - 1]);`);
    expect((await edgeboxAsync(["run", f, base])).stdout).toBe("1048576 x x\n");
  });

  test("a refused connection rejects with TypeError: fetch failed", async () => {
    const f = app(allowLocal, `try { await fetch("http://127.0.0.1:1/") } catch (e) { console.log(e.name, e.message, e.cause?.code) }`);
    expect((await edgeboxAsync(["run", f, base])).stdout).toBe("TypeError fetch failed ERR_FETCH_FAILED\n");
  });

  test("AbortController aborts a request in flight", async () => {
    const f = app(
      allowLocal,
      `const c = new AbortController(); setTimeout(() => c.abort(), 50);
try { await fetch(process.argv[2] + "/hang", { signal: c.signal }); console.log("not aborted") } catch (e) { console.log(e.name) }`,
    );
    expect((await edgeboxAsync(["run", f, base])).stdout).toBe("AbortError\n");
  });

  test("maxConnections queues requests beyond the limit", async () => {
    peak = 0;
    const f = app(
      { ...allowLocal, maxConnections: 1 },
      `const rs = await Promise.all([1, 2, 3].map(() => fetch(process.argv[2] + "/slow").then((r) => r.text()))); console.log(rs.join(","));`,
    );
    const r = await edgeboxAsync(["run", f, base]);
    expect(r.stdout).toBe("slow,slow,slow\n");
    expect(peak).toBe(1);
  });

  test("without maxConnections they run at once", async () => {
    peak = 0;
    const f = app(allowLocal, `await Promise.all([1, 2, 3].map(() => fetch(process.argv[2] + "/slow").then((r) => r.text())));`);
    await edgeboxAsync(["run", f, base]);
    expect(peak).toBe(3);
  });

  test("no policy: no network", async () => {
    const dir = tempApp({ "main.mjs": `try { await fetch(process.argv[2] + "/hello") } catch (e) { console.log(e.code, e.message.includes("--allow-net=127.0.0.1")) }` });
    expect((await edgeboxAsync(["run", join(dir, "main.mjs"), base])).stdout).toBe("ERR_ACCESS_DENIED true\n");
  });

  test("--allow-net=127.0.0.1 grants that host", async () => {
    const dir = tempApp({ "main.mjs": `console.log(await (await fetch(process.argv[2] + "/hello")).text())` });
    expect((await edgeboxAsync(["run", "--allow-net=127.0.0.1", join(dir, "main.mjs"), base])).stdout).toBe("hello from the host\n");
  });
});
