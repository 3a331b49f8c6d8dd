import type { Command } from "./edgebox.ts";
import { out } from "./out.ts";

export default {
  meta: {
    name: "build",
    description:
      "Build an app into one artifact (.ebx): bundled, compiled to bytecode, pure functions frozen to native code, pre-initialised, precompiled for this machine. Run it with 'edgebox run app.ebx'",
  },
  examples: [
    "edgebox build app.ts                     # app.ebx next to it; run it with edgebox run app.ebx",
    "edgebox build app.js -o dist/app.ebx --explain",
    "edgebox build app.js --portable          # do not precompile for this machine",
  ],
  args: {
    app: {
      type: "positional",
      description: "The entry script, or an app directory (its policy's \"npm\" package, package.json \"main\", or index.js)",
      required: true,
    },
    out: { type: "string", alias: "o", valueHint: "file", description: "Where to write the artifact (default: <entry name>.ebx here)" },
    portable: {
      type: "boolean",
      description: "Do not precompile the artifact's code into this machine's cache (its first run compiles it); an artifact never carries native code and runs on any platform",
    },
    explain: {
      type: "boolean",
      description: "Print, for every function, whether it was frozen or why not; and whether the top level was pre-run, or what stopped it",
    },
    freeze: { type: "boolean", default: true, description: "Do not compile pure numeric functions to native code (they are by default)" },
    prerun: {
      type: "boolean",
      default: true,
      description: "Do not run the app's top level at build time (by default it is, when it needs nothing of a run): always at start",
    },
    intl: {
      type: "boolean",
      default: true,
      description:
        "Do not prepare Intl's locale data in the artifact (by default the parts the app's code names are: its first DateTimeFormat then costs ~1 ms, not ~0.8 s, for ~13 MiB more artifact and heap)",
    },
    keepSource: {
      type: "boolean",
      description: "Keep functions' source text, for Function.prototype.toString (artifacts are several times larger)",
    },
    config: { type: "string", valueHint: "file", description: "The policy file (default: the nearest .edgebox.json or edgebox.toml)" },
  },
  async main({ flags, positionals }) {
    const started = performance.now();
    const { createConsola } = await import("consola/basic");
    const log = createConsola({ stdout: process.stderr, stderr: process.stderr });
    const { buildApp } = await import("../internal/build/index.ts");
    const result = await buildApp({
      target: positionals[0]!,
      out: typeof flags.out === "string" ? flags.out : undefined,
      cwd: process.cwd(),
      config: typeof flags.config === "string" ? flags.config : undefined,
      portable: flags.portable === true,
      prerun: flags.prerun !== false,
      intl: flags.intl !== false,
      freeze: flags.freeze !== false,
      keepSource: flags.keepSource === true,
      log: {
        stage: (name, detail, ms) => log.success(`${name.padEnd(15)} ${String(Math.round(ms)).padStart(5)} ms  ${detail}`),
        info: (m) => log.info(m),
        warn: (m) => log.warn(m),
      },
    });
    if (flags.explain === true) {
      const { explainReport } = await import("../internal/build/explain.ts");
      out(explainReport(result));
    }
    log.success(`built ${result.out} in ${Math.round(performance.now() - started)} ms`);
    return 0;
  },
} satisfies Command;
