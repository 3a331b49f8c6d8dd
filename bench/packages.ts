// Real packages: require() of a large one (typescript, 9 MB of JS) and the
// start of a CLI (cowsay, through the policy's npm field), edgebox against
// bun and node in the same run. Uses the compat corpus's pinned install.
// Usage: bun bench/packages.ts [runs]

import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { ensureCorpus } from "../tests/compat/corpus.ts";
import { BUN, EDGEBOX, NODE, installedEnv, load, machine, report, timeProcesses, writeResults } from "./lib.ts";

const runs = Number(process.argv[2] ?? 10);
const project = ensureCorpus();
const requireTs = join(project, "bench-require-typescript.js");
writeFileSync(requireTs, `const ts = require("typescript");\nconsole.log(ts.transpileModule("let x: number = 1", {}).outputText.length);\n`);
writeFileSync(join(project, ".edgebox.json"), JSON.stringify({ npm: "cowsay" }));
const cowsay = join(project, "node_modules", "cowsay", "cli.js");

// Fill the precompiled cache first: warm starts are measured.
Bun.spawnSync([EDGEBOX, "run", requireTs], { env: installedEnv() });

const text = [
  "## Real packages",
  "",
  `${machine()}; ${load()} at the end; ${new Date().toISOString().slice(0, 10)}. Produced by \`bun bench/packages.ts ${runs}\`: the whole process, wall clock, from the compat corpus's pinned install.`,
  "",
  report("require(\"typescript\") + transpileModule", timeProcesses(
    [
      { name: "edgebox run (native)", argv: [EDGEBOX, "run", "--engine=native", requireTs], cwd: project },
      { name: "bun", argv: [BUN, requireTs], cwd: project },
      { name: "node", argv: [NODE, requireTs], cwd: project },
    ],
    runs,
    1,
  )),
  "",
  report("CLI start: cowsay hello", timeProcesses(
    [
      { name: "edgebox run <dir> (npm: cowsay)", argv: [EDGEBOX, "run", project, "hello"], cwd: project },
      { name: "bun", argv: [BUN, cowsay, "hello"], cwd: project },
      { name: "node", argv: [NODE, cowsay, "hello"], cwd: project },
    ],
    runs,
    1,
  )),
].join("\n");
console.log(text);
writeResults("packages", text);
