// A small flag parser over citty's command definitions. citty's own runMain
// accepts unknown flags and reads --help anywhere on the line; edgebox must
// refuse unknown flags and must pass everything after the script to the
// script untouched (`edgebox run app.js --help` is the app's --help).

import type { ArgDef, ArgsDef } from "citty";
import { UserError } from "../internal/errors.ts";

export interface Parsed {
  flags: Record<string, string | boolean | string[]>;
  positionals: string[];
  /** Arguments after the last declared positional (or after `--`): not parsed. */
  rest: string[];
  help: boolean;
  /** The arguments as given (after the command's name). */
  argv: string[];
}

/** A flag as typed: allowRead -> allow-read. */
export function kebab(name: string): string {
  return name.replace(/[A-Z]/g, (c) => "-" + c.toLowerCase());
}

/**
 * Flags that take an optional list (`--allow-read` alone, or `--allow-read=a,b`):
 * only the `=` form gives a value, so `--allow-read app.js` never eats the script.
 */
export type OptionalListFlags = ReadonlySet<string>;

/**
 * `passRest`: everything after the last positional is the script's own
 * arguments (edgebox run app.js --flag goes to the app), not edgebox's flags.
 */
export function parseArgs(command: string, def: ArgsDef, argv: string[], optionalList: OptionalListFlags = new Set(), passRest = false): Parsed {
  const byName = new Map<string, [string, ArgDef]>();
  const positionalNames: string[] = [];
  for (const [name, d] of Object.entries(def)) {
    if (d.type === "positional") {
      positionalNames.push(name);
      continue;
    }
    byName.set(kebab(name), [name, d]);
    const aliases = "alias" in d && d.alias ? (Array.isArray(d.alias) ? d.alias : [d.alias]) : [];
    for (const a of aliases) byName.set(a, [name, d]);
  }
  const out: Parsed = { flags: {}, positionals: [], rest: [], help: false, argv };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--") {
      out.rest.push(...argv.slice(i + 1));
      break;
    }
    if (arg === "-h" || arg === "--help") {
      out.help = true;
      continue;
    }
    if (arg.startsWith("-") && arg !== "-") {
      const eq = arg.indexOf("=");
      let key = arg.replace(/^--?/, "");
      let value: string | undefined;
      if (eq !== -1) {
        key = arg.slice(arg.startsWith("--") ? 2 : 1, eq);
        value = arg.slice(eq + 1);
      }
      let negated = false;
      let entry = byName.get(key);
      if (!entry && key.startsWith("no-")) {
        entry = byName.get(key.slice(3));
        negated = entry?.[1].type === "boolean";
        if (!negated) entry = undefined;
      }
      if (!entry) {
        throw new UserError("E_UNKNOWN_FLAG", `unknown flag '${arg.split("=")[0]}' for 'edgebox ${command}' (see 'edgebox ${command} --help')`);
      }
      const [name, d] = entry;
      if (optionalList.has(name)) {
        const prev = out.flags[name];
        if (value === undefined || prev === true) out.flags[name] = true;
        else out.flags[name] = [...(Array.isArray(prev) ? prev : []), ...value.split(",").filter(Boolean)];
        continue;
      }
      if (d.type === "boolean") {
        if (value !== undefined && value !== "true" && value !== "false") {
          throw new UserError("E_USAGE", `flag '--${kebab(name)}' takes no value`);
        }
        out.flags[name] = negated ? false : value !== "false";
      } else {
        if (value === undefined) {
          value = argv[++i];
          if (value === undefined) throw new UserError("E_USAGE", `flag '--${kebab(name)}' needs a value`);
        }
        if (d.type === "enum" && d.options && !d.options.includes(value)) {
          throw new UserError("E_USAGE", `flag '--${kebab(name)}' must be one of ${d.options.join(", ")} (got '${value}')`);
        }
        const prev = out.flags[name];
        out.flags[name] = prev === undefined ? value : Array.isArray(prev) ? [...prev, value] : [String(prev), value];
      }
      continue;
    }
    out.positionals.push(arg);
    if (passRest && out.positionals.length === positionalNames.length) {
      // Everything after the last positional belongs to the script.
      out.rest.push(...argv.slice(i + 1));
      break;
    }
  }
  if (!out.help && out.positionals.length > positionalNames.length) {
    throw new UserError("E_USAGE", `unexpected argument '${out.positionals[positionalNames.length]}' for 'edgebox ${command}' (see 'edgebox ${command} --help')`);
  }
  if (!out.help) {
    positionalNames.forEach((name, i) => {
      const d = def[name]!;
      if (out.positionals[i] === undefined && d.required !== false && d.default === undefined) {
        throw new UserError("E_USAGE", `'edgebox ${command}' needs <${name}> (see 'edgebox ${command} --help')`);
      }
    });
  }
  return out;
}
