// Every host call with malformed arguments (fuzz-guest.js makes them): wrong
// types, huge, negative, non-finite numbers, lone surrogates, CR/LF/NUL,
// deep and wide objects, text that is not JSON, a FIFO and a device as
// paths. Whatever the guest sends, edgebox survives, the guest gets an error
// (never a host exception that escaped its op), and the host still answers.
// Seeded: EDGEBOX_FUZZ_SEED=n replays or explores another sequence.

import { afterAll, beforeAll, expect } from "bun:test";
import { copyFileSync, mkdirSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { edgeboxAsync, noConfinement, securityTest, tempApp } from "../helpers.ts";

// (the child-process calls need the confinement: a spawn is refused without it)
const test = securityTest(noConfinement);

const root = tempApp();
const app = join(root, "app");
let server: ReturnType<typeof Bun.serve>;
let base = "";

beforeAll(() => {
  mkdirSync(join(app, "work"), { recursive: true });
  copyFileSync(join(import.meta.dir, "fuzz-guest.js"), join(app, "fuzz.js"));
  Bun.spawnSync(["mkfifo", join(app, "work", "fifo")]);
  server = Bun.serve({
    port: 0,
    hostname: "127.0.0.1",
    fetch: async (req) => {
      if (new URL(req.url).pathname === "/slow") await Bun.sleep(2000);
      return new Response("ok");
    },
  });
  base = `http://127.0.0.1:${server.port}`;
  writeFileSync(
    join(app, ".edgebox.json"),
    JSON.stringify({
      dirs: [
        { path: ".", read: true },
        { path: "./work", read: true, write: true },
        { path: "/usr/bin", read: true, execute: true },
        { path: "/bin", read: true, execute: true },
      ],
      commands: { true: true, cat: true },
      allowedUrls: ["http://127.0.0.1:*/*"],
    }),
  );
});

afterAll(() => server?.stop(true));

const seeds = process.env.EDGEBOX_FUZZ_SEED ? [Number(process.env.EDGEBOX_FUZZ_SEED)] : [20261206, 7];

for (const seed of seeds) {
  test(
    `every host call survives malformed arguments (seed ${seed})`,
    async () => {
      // (the guest stops fuzzing after 15 s of its own; --timeout bounds the whole run)
      const r = await edgeboxAsync(["run", "--timeout", "60000", "fuzz.js", String(seed), "15000", base], { cwd: app });
      const last = r.stdout.trim().split("\n").pop() ?? "";
      expect(r.stderr).not.toContain("internal error");
      expect(r.code).toBe(0);
      const report = JSON.parse(last) as { calls: number; codes: Record<string, number>; unexpected: unknown[]; alive: boolean[] };
      // every op was reached, and refused in its own words
      expect(report.calls).toBeGreaterThan(500);
      expect(report.unexpected).toEqual([]);
      expect(report.codes["ERR_INVALID_ARG_VALUE"]).toBeGreaterThan(0);
      // the host answers after it all
      expect(report.alive).toEqual([true, true, true, true]);
      // nothing escaped the write grant
      expect(readdirSync(app).sort()).toEqual([".edgebox.json", "fuzz.js", "work"]);
    },
    90_000,
  );
}
