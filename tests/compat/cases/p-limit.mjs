import pLimit from "p-limit";
const limit = pLimit(2);
let active = 0;
let maxActive = 0;
const order = [];
const task = (n, ms) => limit(async () => {
  active++;
  maxActive = Math.max(maxActive, active);
  await new Promise((r) => setTimeout(r, ms));
  order.push(n);
  active--;
  return n * 10;
});
const results = await Promise.all([task(1, 400), task(2, 20), task(3, 10), task(4, 1)]);
console.log(results.join(","), order.join(","), maxActive, limit.activeCount, limit.pendingCount);
const mapped = await limit.map([1, 2, 3], async (x) => x + 1);
console.log(mapped.join(","));
