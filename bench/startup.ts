// Cold start of a hello world: `edgebox run hello.js` against bun and node, same run;
// and of a TypeScript hello against bun and deno (node 20 does not run TypeScript).
// Usage: bun bench/startup.ts [runs]

import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { BUN, EDGEBOX, NODE, load, machine, report, root, timeProcesses, writeResults } from "./lib.ts";

const runs = Number(process.argv[2] ?? 30);
const dir = mkdtempSync(join(tmpdir(), "edgebox-bench-"));
const hello = join(dir, "hello.js");
writeFileSync(hello, `console.log("hello");\n`);
const helloTs = join(dir, "hello.ts");
writeFileSync(helloTs, `interface Greeting { text: string }\nconst g: Greeting = { text: "hello" };\nconsole.log(g.text);\n`);
const DENO = join(root, "node_modules", ".bin", "deno");

// Fill the precompiled cache first: the benchmark measures warm starts.
Bun.spawnSync([EDGEBOX, "run", hello]);
const rows = timeProcesses(
  [
    { name: "edgebox run (native)", argv: [EDGEBOX, "run", "--engine=native", hello] },
    { name: "edgebox run (js engine)", argv: [EDGEBOX, "run", "--engine=js", hello] },
    { name: "bun", argv: [BUN, hello] },
    { name: "node", argv: [NODE, hello] },
  ],
  runs,
);

// TypeScript: the first run transpiles (and caches), later runs read the cache.
Bun.spawnSync([EDGEBOX, "run", helloTs]);
const tsRows = timeProcesses(
  [
    { name: "edgebox run hello.ts", argv: [EDGEBOX, "run", helloTs] },
    { name: "bun", argv: [BUN, helloTs] },
    { name: "deno", argv: [DENO, "run", "--quiet", helloTs] },
  ],
  runs,
);

const text = [
  "## Cold start",
  "",
  `${machine()}; ${load()} at the end; ${new Date().toISOString().slice(0, 10)}. Produced by \`bun bench/startup.ts ${runs}\`: the whole process, wall clock, a hello world (the precompiled cache warm).`,
  "",
  report("hello.js", rows),
  "",
  report("hello.ts (node 20 runs no TypeScript)", tsRows, ["bun", "deno"]),
].join("\n");
console.log(text);
writeResults("startup", text);
