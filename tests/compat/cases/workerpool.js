// workerpool runs functions in worker_threads workers
const workerpool = require("workerpool");
const pool = workerpool.pool({ workerType: "thread", maxWorkers: 2 });
// (sent to the worker as source text: it names only itself)
const fib = function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
};
(async () => {
  const results = await Promise.all([20, 21, 22, 23].map((n) => pool.exec(fib, [n])));
  console.log(results.join(","));
  const sum = await pool.exec((buf) => new Uint8Array(buf).reduce((a, b) => a + b, 0), [new Uint8Array([1, 2, 3, 250]).buffer]);
  console.log(sum);
  try {
    await pool.exec(() => {
      throw new RangeError("inside the worker");
    });
  } catch (e) {
    console.log(e.name, e.message);
  }
  const s = pool.stats();
  console.log(s.totalWorkers <= 2, s.busyWorkers, s.pendingTasks);
  await pool.terminate();
  console.log("terminated");
})();
