// Real packages: require() of a large one (typescript, 9 MB of JS) and the
// start of a CLI (cowsay, through the policy's npm field), edgebox against
// bun and node in the same run. Uses the compat corpus's pinned install.
// Usage: bun bench/packages.ts [runs]

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureCorpus } from "../tests/compat/corpus.ts";
import { BUN, EDGEBOX, NODE, machine, report, timeProcess } from "./lib.ts";

const runs = Number(process.argv[2] ?? 10);
const project = ensureCorpus();
const requireTs = join(project, "bench-require-typescript.js");
writeFileSync(requireTs, `const ts = require("typescript");\nconsole.log(ts.transpileModule("let x: number = 1", {}).outputText.length);\n`);
writeFileSync(join(project, ".edgebox.json"), JSON.stringify({ npm: "cowsay" }));
const cowsay = join(project, "node_modules", "cowsay", "cli.js");

// Fill the precompiled cache first: warm starts are measured.
Bun.spawnSync([EDGEBOX, "run", requireTs]);

console.log(`# packages: ${runs} runs each (${machine()})\n`);
console.log(
  report("require(\"typescript\") + transpileModule", [
    timeProcess("edgebox run (native)", [EDGEBOX, "run", "--engine=native", requireTs], runs, 1, project),
    timeProcess("bun", [BUN, requireTs], runs, 1, project),
    timeProcess("node", [NODE, requireTs], runs, 1, project),
  ]),
);
console.log();
console.log(
  report("CLI start: cowsay hello", [
    timeProcess("edgebox run <dir> (npm: cowsay)", [EDGEBOX, "run", project, "hello"], runs, 1, project),
    timeProcess("bun", [BUN, cowsay, "hello"], runs, 1, project),
    timeProcess("node", [NODE, cowsay, "hello"], runs, 1, project),
  ]),
);
