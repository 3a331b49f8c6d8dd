// Which pages of a server image's memory one hello request writes, phase by
// phase (Linux: /proc/self/pagemap; a page of the image mapped copy-on-write
// is the file's until written, anonymous after). Each written page is copied
// back when the request's slot is reset: this says where they come from.
// The request runs in a fresh slot, through the calls internal/serve/request.ts makes.
// Usage: bun bench/serve-pages.ts

import { mkdtempSync, openSync, readSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { ptr } from "bun:ffi";
import { prepareApp } from "../internal/sandbox/run.ts";
import { buildImage } from "../internal/serve/image.ts";
import { requestDefaults } from "../internal/serve/index.ts";
import { Sandbox } from "../internal/sandbox/index.ts";
import { responseHead } from "../internal/serve/request.ts";
import { STACK_SLACK } from "../internal/engine/quickjs.ts";

const dir = mkdtempSync(join(tmpdir(), "edgebox-bench-pages-"));
writeFileSync(join(dir, "hello.mjs"), `export default { fetch() { return new Response("hello\\n"); } };\n`);
const app = await prepareApp({ target: join(dir, "hello.mjs"), cwd: dir, grants: {} }, { pooling: true, memorySlots: true, epoch: true }, (p) => requestDefaults(p, true));
const image = await buildImage({ ...app, sandbox: { ...app.sandbox, timeoutMs: 30_000 } }, (m) => console.error(m));

const pagemap = openSync("/proc/self/pagemap", "r");
const sb = new Sandbox({ ...image.sandbox, stdout: () => {}, stderr: () => {} });
sb.instantiate();
const vm = sb.guest;
const base = ptr(vm.instance.memory());
const pages = vm.instance.memory().length >> 12;
/** The memory's pages that are present and not the file's: written. */
const written = () => {
  const buf = Buffer.alloc(pages * 8);
  readSync(pagemap, buf, 0, buf.length, (base / 4096) * 8);
  const set = new Set<number>();
  for (let i = 0; i < pages; i++) {
    const e = buf.readBigUInt64LE(i * 8);
    if (e >> 63n && !((e >> 61n) & 1n)) set.add(i);
  }
  return set;
};
// (the request's stack: a region of the heap, its top written by every call)
const stack = image.sandbox.snapshot!.stack;
const label = (p: number) => `0x${(p << 12).toString(16)}${stack && p << 12 >= stack.base && p << 12 < stack.base + stack.size + STACK_SLACK ? " (stack)" : ""}`;
let seen = new Set<number>();
let total = 0;
const phase = (name: string) => {
  const now = written();
  const first = [...now].filter((p) => !seen.has(p));
  total += first.length;
  console.log(`${name}: ${first.length} pages${first.length ? ` (at ${first.map(label).join(", ")})` : ""}`);
  seen = now;
};
const gcThreshold = () => (vm as unknown as { x: Record<string, () => number> }).x.qjs_get_gc_threshold!() >>> 0;
const threshold = gcThreshold();

phase("instantiate, link");
sb.bind();
phase("first call (fresh)");
const reqJson = vm.newString(JSON.stringify({ url: "http://127.0.0.1/?x=1", method: "GET", headers: [["host", "127.0.0.1"]] }));
phase("the request's string");
const out = sb.callEntry("serve", [image.handler, reqJson, vm.undefined()]);
phase("handler");
const desc = vm.getProp(out, "response");
responseHead(vm.toString(vm.getProp(desc, "head")));
vm.toUtf8(vm.getProp(desc, "body"));
phase("response");
console.log(`${total} pages of ${pages} written; ${gcThreshold() === threshold ? "no collection ran" : "a collection ran"}`);
sb.dispose();
rmSync(dir, { recursive: true, force: true });
process.exit(0);
