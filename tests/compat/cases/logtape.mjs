// LogTape: implicit contexts (withContext) kept in an AsyncLocalStorage, carried over awaits
import { AsyncLocalStorage } from "node:async_hooks";
import { configure, getLogger, withContext } from "@logtape/logtape";

const records = [];
await configure({
  sinks: { memory: (record) => records.push(record) },
  loggers: [
    { category: ["app"], lowestLevel: "debug", sinks: ["memory"] },
    { category: ["logtape", "meta"], lowestLevel: "warning", sinks: ["memory"] },
  ],
  contextLocalStorage: new AsyncLocalStorage(),
});
const log = getLogger(["app", "orders"]);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function placeOrder(item) {
  log.debug("placing {item}", { item });
  await sleep(2);
  await withContext({ step: "payment" }, async () => {
    await null;
    log.info("charged for {item}", { item });
  });
  log.info("placed {item}", { item });
}

await Promise.all([
  withContext({ requestId: "r1", user: "ann" }, () => placeOrder("book")),
  withContext({ requestId: "r2", user: "bob" }, async () => {
    await sleep(1);
    await placeOrder("pen");
    log.warn("slow request");
  }),
]);
log.error("no context here");

const lines = records.map((r) => `${r.level} ${r.category.join(".")} ${r.message.join("")} ${JSON.stringify(r.properties)}`);
console.log(lines.sort().join("\n"));
