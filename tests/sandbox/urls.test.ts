// URL rules hold whatever the spelling: a host is matched by name and by
// every address it resolves to (this machine under any of its names and
// addresses), ranges and named groups, and blocked paths in any case,
// encoding, parameters or dot segments. Only servers started here, on
// 127.0.0.1 and ::1; a refused request never reaches them.

import { afterAll, describe, expect, test } from "bun:test";
import { lookup } from "node:dns/promises";
import { hostname, networkInterfaces } from "node:os";
import { join } from "node:path";
import { edgeboxAsync, securityTest, tempApp } from "../helpers.ts";

const hits: string[] = [];
function answer(req: Request): Response {
  const url = new URL(req.url);
  hits.push(url.pathname);
  if (url.pathname === "/to") return Response.redirect(url.searchParams.get("u")!, 302);
  return new Response(`${req.headers.get("host")} ${url.pathname}`);
}
// (started here, not in beforeAll: whether ::1 serves decides which tests run)
const server = Bun.serve({ hostname: "127.0.0.1", port: 0, fetch: answer });
const port = server.port!;
let server6: ReturnType<typeof Bun.serve> | undefined;
try {
  server6 = Bun.serve({ hostname: "::1", port, fetch: answer });
} catch {
  server6 = undefined; // no IPv6 loopback here
}

afterAll(() => {
  server?.stop(true);
  server6?.stop(true);
});

/** Fetch each URL in one sandbox under `policy`: "ok <body>" or the error's code and message, one line each. */
async function fetchAll(policy: object, urls: string[]): Promise<{ url: string; out: string }[]> {
  const dir = tempApp({
    ".edgebox.json": JSON.stringify(policy),
    "main.mjs": [
      `for (const u of JSON.parse(process.argv[2])) {`,
      `  try { const r = await fetch(u); console.log("ok " + r.status + " " + (await r.text())); }`,
      `  catch (e) { console.log(e.code + " " + e.message.replace(/\\n/g, " ")); }`,
      `}`,
    ].join("\n"),
  });
  const r = await edgeboxAsync(["run", join(dir, "main.mjs"), JSON.stringify(urls)]);
  if (r.code !== 0) throw new Error(`edgebox failed (${r.code}): ${r.stderr}`);
  const lines = r.stdout.trimEnd().split("\n");
  return urls.map((url, i) => ({ url, out: lines[i] ?? "" }));
}

function expectDenied(results: { url: string; out: string }[], rule?: string): void {
  for (const { url, out } of results) {
    expect({ url, out: out.split(" ")[0] }).toEqual({ url, out: "ERR_ACCESS_DENIED" });
    expect(out).toMatch(/^ERR_ACCESS_DENIED Access to https?:\/\/\S+ denied by the sandbox policy: /);
    if (rule) expect(out).toContain(rule);
  }
}

/** This machine under other names and addresses than 127.0.0.1. */
function spellingsOfThisMachine(p: number): string[] {
  const urls = [
    `http://localhost:${p}/x`,
    `http://LOCALHOST.:${p}/x`,
    `http://127.0.0.2:${p}/x`,
    `http://127.255.255.254:${p}/x`,
    `http://[::1]:${p}/x`,
    `http://[0:0:0:0:0:0:0:1]:${p}/x`,
    `http://[::ffff:7f00:2]:${p}/x`,
    `http://[::ffff:127.0.0.1]:${p}/x`,
    `http://2130706433:${p}/x`,
    `http://0x7f.1:${p}/x`,
    `http://0x7f000001:${p}/x`,
    `http://017700000001:${p}/x`,
    `http://0177.0.0.1:${p}/x`,
    `http://127.1:${p}/x`,
    `http://%31%32%37.0.0.1:${p}/x`,
    `http://0.0.0.0:${p}/x`,
    `http://0:${p}/x`,
    `http://[::]:${p}/x`,
    `http://user:pw@127.0.0.1:${p}/x`,
  ];
  // its own interface addresses answer for a server on 0.0.0.0 too
  for (const i of Object.values(networkInterfaces()).flat()) {
    if (i && !i.internal && i.family === "IPv4") urls.push(`http://${i.address}:${p}/x`);
    if (i && !i.internal && i.family === "IPv6" && !i.address.startsWith("fe80")) urls.push(`http://[${i.address}]:${p}/x`);
  }
  return urls;
}

describe("a blocked host stays blocked under every name and address of it", () => {
  for (const pattern of ["127.0.0.1", "localhost", "127.0.0.0/8", "loopback", "::1/128", "[::1]", `http://127.0.0.1:${"*"}/*`]) {
    test(`blockedUrls ["${pattern}"] alone: this machine is out of reach, by any spelling`, async () => {
      const before = hits.length;
      const results = await fetchAll({ blockedUrls: [pattern] }, [`http://127.0.0.1:${port}/x`, ...spellingsOfThisMachine(port)]);
      expectDenied(results, "blocked by");
      expect(hits.length).toBe(before);
    });
  }

  test("a name that resolves to this machine is checked by its addresses (the host's own name)", async () => {
    let resolved: string[] = [];
    try {
      resolved = (await lookup(hostname(), { all: true })).map((a) => a.address);
    } catch {
      // this machine's name does not resolve here: nothing to try
    }
    if (resolved.length === 0) return;
    const before = hits.length;
    const [r] = await fetchAll({ blockedUrls: ["loopback"] }, [`http://${hostname()}:${port}/x`]);
    expectDenied([r!], `(${hostname().toLowerCase()} is `);
    expect(hits.length).toBe(before);
  });

  test("a redirect to another spelling of a blocked host is refused", async () => {
    const before = hits.length;
    const results = await fetchAll({ allowedUrls: [`http://localhost:${port}/to`], blockedUrls: ["http://127.0.0.1:*/secret"] }, [
      `http://localhost:${port}/to?u=${encodeURIComponent(`http://2130706433:${port}/secret`)}`,
      `http://localhost:${port}/to?u=${encodeURIComponent(`http://[::ffff:7f00:1]:${port}/SECRET`)}`,
    ]);
    expectDenied(results, "/secret");
    expect(hits.slice(before)).toEqual(["/to", "/to"]);
  });

  test("a block list alone allows everything else (here: this machine, not blocked by a private range)", async () => {
    const results = await fetchAll({ blockedUrls: ["private", "link-local", "http://127.0.0.1:*/admin/*"] }, [`http://127.0.0.1:${port}/ok`, `http://127.0.0.1:${port}/admin`, "http://10.1.2.3/", "http://169.254.169.254/latest/meta-data/", "http://[fd00::1]/", "http://192.168.1.1:8080/"]);
    expect(results[0]!.out).toBe(`ok 200 127.0.0.1:${port} /ok`);
    expectDenied(results.slice(1), "blocked by");
  });

  test("neither list: no network at all", async () => {
    expectDenied(await fetchAll({}, [`http://127.0.0.1:${port}/x`, `http://localhost:${port}/x`]), "no network access is granted");
  });
});

describe("allowed hosts by address", () => {
  test("an allowed address is that address in any spelling, not the rest of this machine", async () => {
    const before = hits.length;
    const results = await fetchAll({ allowedUrls: ["http://127.0.0.1:*/*"] }, [`http://2130706433:${port}/a`, `http://0x7f.1:${port}/b`, `http://[::ffff:7f00:1]:${port}/c`, `http://localhost:${port}/x`, `http://127.0.0.2:${port}/x`, `http://[::1]:${port}/x`, `http://${hostname()}:${port}/x`]);
    expect(results.slice(0, 3).map((r) => r.out)).toEqual([`ok 200 127.0.0.1:${port} /a`, `ok 200 127.0.0.1:${port} /b`, `ok 200 127.0.0.1:${port} /c`]);
    expectDenied(results.slice(3), "no pattern in allowedUrls matches");
    expect(hits.length).toBe(before + 3);
  });

  test("an allowed range or group lets in addresses inside it and, for loopback, the name localhost: no other name by its addresses", async () => {
    const allowed = await fetchAll({ allowedUrls: ["loopback:*"] }, [`http://localhost:${port}/a`, `http://0x7f.1:${port}/b`, `http://2130706433:${port}/c`]);
    expect(allowed.map((r) => r.out)).toEqual([`ok 200 localhost:${port} /a`, `ok 200 127.0.0.1:${port} /b`, `ok 200 127.0.0.1:${port} /c`]);
    const refused = await fetchAll({ allowedUrls: ["private:*", "10.0.0.0/8:*", "[fc00::]/7:*"] }, [`http://127.0.0.1:${port}/x`, `http://localhost:${port}/x`, `http://[::1]:${port}/x`]);
    // (a name resolving to 127.0.0.1 is not looked up to be let in)
    expectDenied(await fetchAll({ allowedUrls: ["loopback:*", "127.0.0.0/8:*"] }, [`http://${hostname()}:${port}/x`]), "no pattern in allowedUrls matches");
    expectDenied(refused, "no pattern in allowedUrls matches");
  });

  test("the request goes to the checked address, with the name in the Host header", async () => {
    const [r] = await fetchAll({ allowedUrls: [`http://localhost:${port}/*`] }, [`http://localhost:${port}/host`]);
    expect(r!.out).toBe(`ok 200 localhost:${port} /host`);
  });

  securityTest(Bun.which("openssl") ? undefined : "openssl (to make a test certificate)")("HTTPS to a name goes to the checked address with the name in SNI and the certificate check", async () => {
    const dir = tempApp({ ".edgebox.json": JSON.stringify({ allowedUrls: ["loopback:*"] }), "main.mjs": `for (const u of process.argv.slice(2)) { try { const r = await fetch(u); console.log(await r.text()); } catch (e) { console.log("refused"); } }` });
    const made = Bun.spawnSync(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", join(dir, "key.pem"), "-out", join(dir, "cert.pem"), "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=DNS:localhost"], { stderr: "pipe" });
    expect(made.exitCode).toBe(0);
    const tls = Bun.serve({ hostname: "127.0.0.1", port: 0, tls: { cert: Bun.file(join(dir, "cert.pem")), key: Bun.file(join(dir, "key.pem")) }, fetch: (r) => new Response(`tls ${r.headers.get("host")}`) });
    try {
      const r = await edgeboxAsync(["run", join(dir, "main.mjs"), `https://localhost:${tls.port}/`, `https://127.0.0.1:${tls.port}/`], { env: { NODE_EXTRA_CA_CERTS: join(dir, "cert.pem") } });
      // the certificate names localhost, not the address connected to
      expect(r.stdout).toBe(`tls localhost:${tls.port}\nrefused\n`);
    } finally {
      tls.stop(true);
    }
  });

  securityTest(server6 ? undefined : "an IPv6 loopback interface")("IPv6 loopback: allowed by its literal, blocked by its range", async () => {
    expect((await fetchAll({ allowedUrls: [`http://[::1]:${port}/*`] }, [`http://[::1]:${port}/six`]))[0]!.out).toBe(`ok 200 [::1]:${port} /six`);
    expectDenied(await fetchAll({ blockedUrls: ["::1/128"] }, [`http://[::1]:${port}/six`, `http://[0::1]:${port}/six`]), "blocked by");
  });
});

// (this machine's own name, when it resolves: to 127.0.1.1 or an interface address here)
const ownNameResolves = await lookup(hostname(), { all: true }).then((a) => a.length > 0, () => false);

describe("a name allowed by name is not a way in to this machine or internal ranges", () => {
  test("a wildcard name pattern does not cover this machine's addresses", async () => {
    const before = hits.length;
    const results = await fetchAll({ allowedUrls: [`http://*:${port}/*`] }, [`http://127.0.0.1:${port}/x`, `http://0x7f.1:${port}/x`, `http://[::ffff:7f00:1]:${port}/x`]);
    expectDenied(results, `(loopback), which "http://*:${port}/*" allows only by name`);
    expect(hits.length).toBe(before);
  });

  securityTest(ownNameResolves ? undefined : "a host name that resolves")("a name resolving to this machine is refused unless an address pattern lets that address in", async () => {
    const name = hostname();
    const before = hits.length;
    const [refused] = await fetchAll({ allowedUrls: [`http://${name}:${port}/*`] }, [`http://${name}:${port}/x`]);
    expectDenied([refused!], `${name.toLowerCase()} resolves to `);
    expect(hits.length).toBe(before);
    // with the address let in as well, the name goes through (to an address that was checked)
    const [allowed] = await fetchAll({ allowedUrls: [`http://${name}:${port}/*`, "loopback:*"] }, [`http://${name}:${port}/x`]);
    expect(allowed!.out).not.toStartWith("ERR_ACCESS_DENIED");
  });

  test("edgebox check says so", async () => {
    const dir = tempApp({ ".edgebox.json": JSON.stringify({ allowedUrls: ["https://api.example.com/*"] }) });
    const r = await edgeboxAsync(["check"], { cwd: dir });
    expect(r.stdout).toContain("a name allowed by name that resolves to this machine, a private or a link-local address is refused unless an address, range or group above lets that address in");
  });
});

describe("a blocked path stays blocked however it is written", () => {
  const policy = { allowedUrls: ["http://127.0.0.1:*/*"], blockedUrls: ["http://127.0.0.1:*/admin/*"] };
  test("the path itself, any case, parameters, percent-encoding (twice), dot segments, doubled or back slashes", async () => {
    const before = hits.length;
    const paths = ["/admin", "/admin/", "/admin/x", "/ADMIN/x", "/Admin", "/admin;x/y", "/admin;jsessionid=1", "/%61dmin/x", "/%41DMIN", "/%2561dmin/x", "/x/../admin/y", "/x/%2e%2e/admin", "/x/..%2fadmin", "/x/..;/admin", "/admin%2fx", "/./admin", "//admin", "/admin\\x", "/admin?x=1", "/admin#frag"];
    const results = await fetchAll(policy, paths.map((p) => `http://127.0.0.1:${port}${p}`));
    expectDenied(results, 'blocked by "http://127.0.0.1:*/admin/*"');
    expect(hits.length).toBe(before);
  });

  test("what only looks alike is not blocked", async () => {
    const results = await fetchAll(policy, ["/administrator", "/x/admin", "/hello"].map((p) => `http://127.0.0.1:${port}${p}`));
    expect(results.map((r) => r.out)).toEqual([`ok 200 127.0.0.1:${port} /administrator`, `ok 200 127.0.0.1:${port} /x/admin`, `ok 200 127.0.0.1:${port} /hello`]);
  });

  test("an allowed path must hold as written and as a lenient server reads it", async () => {
    const allowApi = { allowedUrls: ["http://127.0.0.1:*/api/*"] };
    const ok = await fetchAll(allowApi, ["/api", "/api/x", "/api/%78"].map((p) => `http://127.0.0.1:${port}${p}`));
    expect(ok.map((r) => r.out.split(" ").slice(0, 2).join(" "))).toEqual(["ok 200", "ok 200", "ok 200"]);
    const before = hits.length;
    expectDenied(await fetchAll(allowApi, ["/API/x", "/api/..;/admin", "/api%2f..%2fadmin", "/api/%2e%2e%2fadmin", "/apix"].map((p) => `http://127.0.0.1:${port}${p}`)), "no pattern in allowedUrls matches");
    expect(hits.length).toBe(before);
  });
});

describe("edgebox check says what the URL rules do", () => {
  const check = async (policy: object) => {
    const dir = tempApp({ ".edgebox.json": JSON.stringify(policy) });
    return edgeboxAsync(["check"], { cwd: dir });
  };
  test("a block list alone, neither list, ranges and groups", async () => {
    const alone = await check({ blockedUrls: ["private", "169.254.0.0/16", "https://api.example.com/admin/*"] });
    expect(alone.stdout).toContain("Network (fetch):\n  any URL except:\n    private (10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7)\n    169.254.0.0/16\n    https://api.example.com/admin/*\n");
    expect(alone.stdout).toContain("a blocked range or group also blocks the names resolving into it");
    expect(alone.stdout).toContain("without a port, every port");
    expect((await check({})).stdout).toContain("Network (fetch):\n  none (no allowedUrls and no blockedUrls)\n");
    const both = await check({ allowedUrls: ["loopback:8080"], blockedUrls: ["localhost:8080/admin/*"] });
    expect(both.stdout).toContain("  only:\n    loopback:8080 (this machine: 127.0.0.0/8, ::1, 0.0.0.0 and its own interface addresses)\n  (an address, range or group lets in URLs naming such an address, and localhost under loopback; any other name only by name)\n  never (wins over the above):\n    localhost:8080/admin/* (all of this machine: 127.0.0.0/8, ::1, 0.0.0.0 and its own interface addresses, localhost)");
  });

  test("a bad range names the field", async () => {
    for (const [bad, says] of [
      ["10.0.0.0/33", 'bad address range "10.0.0.0/33"'],
      ["[::1]/129", 'bad address range "[::1]/129"'],
      ["10.0.0.0/8:x", 'bad port "x"'],
    ] as const) {
      const r = await check({ blockedUrls: ["ok.example", bad] });
      expect(r.code).toBe(1);
      expect(r.stderr).toContain("blockedUrls[1]");
      expect(r.stderr).toContain(says);
    }
  });
});
