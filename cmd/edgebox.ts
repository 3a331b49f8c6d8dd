// The `edgebox` CLI: picks the subcommand, loads only its code, and turns
// user errors into one line on stderr. Import-safe: the executable's entry is
// cmd/main.ts, which calls runMain(); tests call it in-process.

import type { CommandDef } from "citty";
import { UserError } from "../internal/errors.ts";
import { parseArgs } from "./args.ts";
import { trace } from "../internal/trace.ts";
import { out, setOut, type Write } from "./out.ts";
import { VERSION } from "./version.ts";
import { commands } from "./commands.ts";

export interface RunContext {
  flags: Record<string, string | boolean | string[]>;
  positionals: string[];
  rest: string[];
  /** The command's arguments as given. */
  argv: string[];
}

export type Command = CommandDef & {
  run?: never;
  /** Flags that take an optional comma-separated list (see args.ts). */
  optionalList?: readonly string[];
  /** Arguments after the positionals belong to the app (edgebox run app.js --its-flag). */
  passRest?: boolean;
  /** Shown under EXAMPLES in --help: a command line and, after '#', what it does. */
  examples?: readonly string[];
  main(ctx: RunContext): Promise<number | void>;
};


const root: CommandDef & { examples: string[] } = {
  examples: [
    "edgebox init && edgebox run app.js      # a policy for this directory, then run under it",
    "edgebox build app.ts && edgebox serve app.ebx",
    "edgebox help run                        # a command's flags and examples",
  ],
  meta: {
    name: "edgebox",
    version: VERSION,
    description: "A sandboxed JavaScript runtime: every file, variable, command and URL a script touches is checked against its policy",
  },
  subCommands: Object.fromEntries(
    Object.entries(commands).map(([name, load]) => [name, async () => (await load()).default as CommandDef]),
  ),
};

/** The help text, wrapped to the terminal (80 columns when output is not a terminal). */
async function usage(cmd: Command | CommandDef, parent?: CommandDef): Promise<string> {
  const { renderHelp } = await import("./usage.ts");
  const columns = require("node:tty").isatty(1) ? (process.stdout.columns ?? 80) : 80;
  return renderHelp(cmd as Command, parent, Math.max(40, columns));
}

function isFile(path: string): boolean {
  try {
    return require("node:fs").statSync(path).isFile();
  } catch {
    return false;
  }
}

async function main(argv: string[]): Promise<number> {
  const [name, ...args] = argv;
  trace("main()");
  if (name === "help" && args[0] && !Object.hasOwn(commands, args[0])) throw new UserError("E_UNKNOWN_COMMAND", `no command '${args[0]}' (commands are ${Object.keys(commands).join(", ")})`);
  if (name === undefined || name === "-h" || name === "--help" || name === "help") {
    const target = name === "help" && args[0] ? (await commands[args[0]]!()).default : undefined;
    out((await usage(target ?? root, target ? root : undefined)) + "\n");
    return name === undefined ? 2 : 0;
  }
  if (name === "-V" || name === "--version") {
    out(`edgebox ${VERSION}\n`);
    return 0;
  }
  // `edgebox app.js`, as `deno app.js` and `bun app.js`: a script path runs
  if (!Object.hasOwn(commands, name) && !name.startsWith("-") && isFile(name)) return main(["run", ...argv]);
  const load = Object.hasOwn(commands, name) ? commands[name] : undefined;
  if (!load) {
    const hint = name.startsWith("-") ? "edgebox flags come after the command" : `commands are ${Object.keys(commands).join(", ")}`;
    const near = Object.keys(commands).find((c) => c.startsWith(name.slice(0, 2)) || name.startsWith(c));
    const script = /\.([cm]?[jt]sx?|ebx)$/.test(name);
    const mean = name.startsWith("-") ? "" : script ? `no such file; did you mean 'edgebox run ${name}'? ` : near ? `did you mean 'edgebox ${near}'? ` : "";
    throw new UserError(name.startsWith("-") ? "E_UNKNOWN_FLAG" : "E_UNKNOWN_COMMAND", `unknown ${name.startsWith("-") ? "flag" : "command"} '${name}' (${mean}${hint}; see 'edgebox --help')`);
  }
  // The executable starts with the JIT reluctant (internal/assets/compile.ts): right for a
  // run's one-off start-up, not for a server's or a build's hot host code.
  if (name !== "run") Bun.unsafe.setJITPolicy(1);
  const cmd = (await load()).default;
  const parsed = parseArgs(name, (cmd.args ?? {}) as Record<string, never>, args, new Set(cmd.optionalList ?? []), cmd.passRest);
  if (parsed.help) {
    out((await usage(cmd, root)) + "\n");
    return 0;
  }
  return (await cmd.main(parsed)) ?? 0;
}

async function reportError(err: unknown, to?: Write): Promise<number> {
  const debug = process.env.EDGEBOX_DEBUG === "1";
  const write = to ?? ((text: string) => void process.stderr.write(text));
  if (err instanceof UserError) {
    // consola/basic: the main entry pulls in prompts (readline, tty, process.stdin) at load.
    const { createConsola } = await import("consola/basic");
    const stream = to ? ({ write: to } as unknown as NodeJS.WriteStream) : process.stderr;
    createConsola({ stderr: stream, stdout: stream }).error(err.message);
    if (debug) write(`${err.stack}\n`);
    return err.exitCode;
  }
  write(debug ? `${err instanceof Error ? err.stack : String(err)}\n` : `edgebox: internal error: ${err instanceof Error ? err.message : String(err)} (set EDGEBOX_DEBUG=1 for the stack)\n`);
  return 70;
}

export interface RunMainOptions {
  /** Where the command's output goes (default: stdout, written synchronously). */
  stdout?: Write;
  /** Where a user error's line goes (default: stderr). */
  stderr?: Write;
}

/**
 * Run the CLI on `rawArgs` (the arguments after `edgebox`) and resolve to its
 * exit code; a user error is reported as one line, never thrown.
 */
export async function runMain(rawArgs: string[], opts: RunMainOptions = {}): Promise<number> {
  const restore = opts.stdout ? setOut(opts.stdout) : undefined;
  try {
    return await main(rawArgs);
  } catch (err) {
    return await reportError(err, opts.stderr);
  } finally {
    if (restore) setOut(restore);
  }
}
