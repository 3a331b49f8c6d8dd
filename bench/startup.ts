// Cold start of a hello world: `edgebox run hello.js` against bun and node, same run.
// Usage: bun bench/startup.ts [runs]

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, EDGEBOX, NODE, machine, report, timeProcess } from "./lib.ts";

const runs = Number(process.argv[2] ?? 30);
const dir = mkdtempSync(join(tmpdir(), "edgebox-bench-"));
const hello = join(dir, "hello.js");
writeFileSync(hello, `console.log("hello");\n`);

// Fill the precompiled cache first: the benchmark measures warm starts.
Bun.spawnSync([EDGEBOX, "run", hello]);
const rows = [
  timeProcess("edgebox run (native)", [EDGEBOX, "run", "--engine=native", hello], runs),
  timeProcess("edgebox run (js engine)", [EDGEBOX, "run", "--engine=js", hello], runs),
  timeProcess("bun", [BUN, hello], runs),
  timeProcess("node", [NODE, hello], runs),
];
console.log(`# startup: hello.js, ${runs} runs each (${machine()})\n`);
console.log(report("cold start", rows));
