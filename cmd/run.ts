import { UserError } from "../internal/errors.ts";
import type { Command } from "./edgebox.ts";
import { grantArgs, grantFlags, grantLists } from "./grants.ts";

function positiveInt(flag: string, value: unknown): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n <= 0) throw new UserError("E_USAGE", `--${flag} takes a positive whole number (got '${value}')`);
  return n;
}

export default {
  meta: { name: "run", description: "Run a script in the sandbox, under the nearest policy file (.edgebox.json or edgebox.toml)" },
  examples: [
    "edgebox run app.js                       # under the nearest .edgebox.json / edgebox.toml",
    "edgebox run app.ts input.txt --verbose   # TypeScript; what follows the script is the app's",
    "edgebox run --allow-read=./data app.js   # grant more than the policy, for this run",
    "edgebox run -e \"console.log(1 + 1)\"      # eval; also: echo \"code\" | edgebox run -",
    "edgebox run --watch app.ts               # run again on change",
    "edgebox run --audit audit.jsonl app.js   # log every capability decision",
    "edgebox run --timeout 5000 --max-memory 64 app.js",
  ],
  args: {
    script: {
      type: "positional",
      description: "The script (.js, .mjs, .cjs, .ts, .tsx, .mts, .cts), an artifact (.ebx) or an app directory. Arguments after it go to the script",
      required: false,
    },
    eval: {
      type: "string",
      alias: "e",
      valueHint: "code",
      description: "Run this code instead of a file, under the policy of the current directory (also: 'edgebox run -' reads the code from stdin)",
    },
    watch: {
      type: "boolean",
      description: "Run again when a file the app loaded as code, or its policy file, changes (the screen is cleared first)",
    },
    watchPreserveOutput: {
      type: "boolean",
      description: "With --watch: keep the previous output instead of clearing the screen",
    },
    audit: {
      type: "string",
      valueHint: "file",
      description: "Append one JSON line per capability decision (time, capability, target, allowed, rule) to this file; default: the policy's \"audit\"",
    },
    quiet: {
      type: "boolean",
      description: "No hints on stderr (such as: the app read a variable that is set but hidden by the policy)",
    },
    ...grantArgs,
    engine: {
      type: "enum",
      options: ["native", "js"],
      description: "WebAssembly engine: native (Wasmtime, precompiled) or js (Bun's own); default native, js when native cannot load",
    },
    timeout: {
      type: "string",
      valueHint: "ms",
      description: "Stop the script after this many milliseconds (exit 124)",
    },
    maxMemory: {
      type: "string",
      valueHint: "MiB",
      description: "Cap the sandbox's memory; an allocation beyond it fails with an out-of-memory error (exit 137 if uncaught)",
    },
  },
  optionalList: grantLists,
  passRest: true,
  async main({ flags, positionals, rest, argv }) {
    const code = typeof flags.eval === "string" ? flags.eval : undefined;
    const target = positionals[0];
    if (code === undefined && target === undefined) throw new UserError("E_USAGE", "'edgebox run' needs <script>, or code with -e (see 'edgebox run --help')");
    if (flags.watch === true) {
      if (code !== undefined || target === "-") throw new UserError("E_USAGE", "--watch needs a script file to watch, not -e or stdin");
      // the same arguments without the watch flags (those before the script are edgebox's)
      const at = argv.indexOf(target!);
      const own = argv.slice(0, at).filter((a) => !/^--(no-)?watch(-preserve-output)?(=.*)?$/.test(a));
      const { watchRun } = await import("../internal/sandbox/watch.ts");
      return await watchRun([...own, ...argv.slice(at)], target!, { preserveOutput: flags.watchPreserveOutput === true });
    }
    // -e: every positional is the code's argument; `-`: the code comes from stdin
    const source = code ?? (target === "-" ? await Bun.stdin.text() : undefined);
    const { runApp } = await import("../internal/sandbox/run.ts");
    return await runApp({
      target: code !== undefined ? "[eval]" : target === "-" ? "[stdin]" : target!,
      source,
      audit: typeof flags.audit === "string" ? flags.audit : undefined,
      args: code !== undefined ? [...positionals, ...rest] : rest,
      cwd: process.cwd(),
      engine: flags.engine as "native" | "js" | undefined,
      timeoutMs: positiveInt("timeout", flags.timeout),
      maxMemoryMiB: positiveInt("max-memory", flags.maxMemory),
      grants: grantFlags(flags),
      config: typeof flags.config === "string" ? flags.config : undefined,
      quiet: flags.quiet === true,
    });
  },
} satisfies Command;
