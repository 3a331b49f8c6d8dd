// cls-rtracer: request ids in an AsyncLocalStorage, read after awaits, in concurrent "requests"
const rTracer = require("cls-rtracer");
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const lines = [];
const log = (msg) => lines.push(`[${rTracer.id() ?? "no id"}] ${msg}`);

async function db(query) {
  await sleep(query.length % 3);
  log(`query ${query}`);
  return query.toUpperCase();
}

async function handle(path) {
  log(`start ${path}`);
  const rows = await Promise.all([db(`${path}-a`), db(`${path}-bb`)]);
  await null;
  log(`rows ${rows.join(",")}`);
  for await (const step of (async function* () { yield 1; await sleep(1); yield 2; })()) log(`step ${step}`);
  try {
    await Promise.reject(new Error(`fail ${path}`));
  } catch (err) {
    log(`caught ${err.message}`);
  }
  return rTracer.id();
}

(async () => {
  const ids = await Promise.all(["req-1", "req-2", "req-3"].map((id, i) => rTracer.runWithId(() => handle(`/p${i}`), id)));
  log("outside");
  const generated = await rTracer.runWithId(async () => { await sleep(1); return rTracer.id(); });
  // ids from the same request are grouped; the event loop's interleaving is not the test's business
  console.log(lines.sort().join("\n"));
  console.log(ids, typeof generated, /^[0-9a-f-]{36}$/.test(generated));
})();
