// Cold start of a hello world: `edgebox run hello.js` against bun and node, same run;
// and of a TypeScript hello against bun and deno (node 20 does not run TypeScript).
// Usage: bun bench/startup.ts [runs]

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, EDGEBOX, NODE, machine, report, root, timeProcess } from "./lib.ts";

const runs = Number(process.argv[2] ?? 30);
const dir = mkdtempSync(join(tmpdir(), "edgebox-bench-"));
const hello = join(dir, "hello.js");
writeFileSync(hello, `console.log("hello");\n`);
const helloTs = join(dir, "hello.ts");
writeFileSync(helloTs, `interface Greeting { text: string }\nconst g: Greeting = { text: "hello" };\nconsole.log(g.text);\n`);
const DENO = join(root, "node_modules", ".bin", "deno");

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

// TypeScript: the first run transpiles (and caches), later runs read the cache.
Bun.spawnSync([EDGEBOX, "run", helloTs]);
const tsRows = [
  timeProcess("edgebox run hello.ts", [EDGEBOX, "run", helloTs], runs),
  timeProcess("bun", [BUN, helloTs], runs),
  timeProcess("deno", [DENO, "run", "--quiet", helloTs], runs),
];
console.log(`\n# startup: hello.ts, ${runs} runs each\n`);
console.log(report("TypeScript cold start", tsRows, ["bun", "deno"]));
