// `--help` text: plain (no colour codes, which a pipe or a file would keep),
// each description wrapped to the terminal's width beside its flag column.

import type { ArgDef, CommandDef } from "citty";
import { kebab } from "./args.ts";

interface Row {
  left: string;
  text: string;
}

/** `text` in lines of at most `width` columns, each after `indent` spaces but the first. */
function wrap(text: string, width: number, indent: number): string {
  const lines: string[] = [];
  let line = "";
  for (const word of text.split(/\s+/).filter(Boolean)) {
    if (line && line.length + 1 + word.length > width) {
      lines.push(line);
      line = word;
    } else line = line ? `${line} ${word}` : word;
  }
  if (line) lines.push(line);
  return lines.join("\n" + " ".repeat(indent));
}

function table(rows: Row[], columns: number): string {
  const left = Math.min(Math.max(...rows.map((r) => r.left.length)), 32);
  const width = Math.max(columns - left - 6, 30);
  return rows
    .map((r) => {
      const head = `  ${r.left}`;
      // a flag wider than the column puts its text on the next line
      if (r.left.length > left) return `${head}\n${" ".repeat(left + 6)}${wrap(r.text, width, left + 6)}`;
      return `${head.padEnd(left + 6)}${wrap(r.text, width, left + 6)}`;
    })
    .join("\n");
}

function flag(name: string, d: ArgDef): Row {
  const alias = "alias" in d && d.alias ? `-${[d.alias].flat()[0]}, ` : "";
  const hint = d.type === "string" ? `=<${("valueHint" in d && d.valueHint) || "value"}>` : d.type === "enum" ? `=<${(d.options ?? []).join("|")}>` : "";
  // a flag on by default is typed to turn it off
  const typed = d.type === "boolean" && d.default === true ? `--no-${kebab(name)}` : `--${kebab(name)}`;
  return { left: `${alias}${typed}${hint}`, text: d.description ?? "" };
}

export async function renderHelp(cmd: CommandDef & { examples?: readonly string[] }, parent: CommandDef | undefined, columns: number): Promise<string> {
  const meta: { name?: string; description?: string; version?: string } = (await (typeof cmd.meta === "function" ? cmd.meta() : cmd.meta)) ?? {};
  const args = Object.entries((cmd.args ?? {}) as Record<string, ArgDef>);
  const positionals = args.filter(([, d]) => d.type === "positional");
  const flags = args.filter(([, d]) => d.type !== "positional");
  const subs = Object.entries((cmd.subCommands ?? {}) as Record<string, () => Promise<CommandDef>>);
  const name = parent ? `edgebox ${meta.name}` : "edgebox";
  const out: string[] = [wrap(`${meta.description ?? ""}${meta.version ? ` (edgebox ${meta.version})` : ""}`, columns, 0), ""];
  const usageLine = [name, subs.length ? "<command>" : "", flags.length ? "[options]" : "", ...positionals.map(([n, d]) => (d.required === false ? `[${n.toUpperCase()}]` : `<${n.toUpperCase()}>`))];
  out.push(`USAGE ${usageLine.filter(Boolean).join(" ")}`);
  if (subs.length) {
    const rows: Row[] = [];
    for (const [n, load] of subs) rows.push({ left: n, text: ((await load()).meta as { description?: string } | undefined)?.description ?? "" });
    out.push("", "COMMANDS", table(rows, columns), "", "'edgebox <command> --help' shows a command's options.");
  }
  if (positionals.length) out.push("", "ARGUMENTS", table(positionals.map(([n, d]) => ({ left: n.toUpperCase(), text: d.description ?? "" })), columns));
  if (flags.length) out.push("", "OPTIONS", table([...flags.map(([n, d]) => flag(n, d)), { left: "-h, --help", text: "Show this help" }], columns));
  if (cmd.examples?.length) out.push("", "EXAMPLES", ...cmd.examples.map((e) => `  ${e}`));
  return out.join("\n");
}
