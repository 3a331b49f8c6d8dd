import type { ArgDef } from "citty";
import { UserError } from "../internal/errors.ts";
import { kebab } from "./args.ts";
import { commands } from "./commands.ts";
import type { Command } from "./edgebox.ts";
import { out } from "./out.ts";

interface Spec {
  name: string;
  description: string;
  flags: { name: string; alias?: string; description: string; takesValue: boolean; options?: string[] }[];
}


/** One plain line: the first sentence, without the characters shells quote or zsh's specs reserve. */
function plain(text: string): string {
  const first = text.replace(/\s*\([^()]*\)/g, "").split(/(?<=\.)\s|:\s/)[0] ?? "";
  return first.replace(/\.$/, "").replace(/['"`$\\[\]:()]/g, "");
}

async function specs(): Promise<Spec[]> {
  const out: Spec[] = [];
  for (const [name, load] of Object.entries(commands)) {
    const cmd = (await load()).default;
    const flags = Object.entries((cmd.args ?? {}) as Record<string, ArgDef>)
      .filter(([, d]) => d.type !== "positional")
      .map(([n, d]) => ({
        name: kebab(n),
        alias: "alias" in d && typeof d.alias === "string" ? d.alias : undefined,
        description: plain(d.description ?? ""),
        takesValue: d.type !== "boolean" && !(cmd.optionalList ?? []).includes(n),
        options: d.type === "enum" ? (d.options as string[]) : undefined,
      }));
    flags.push({ name: "help", alias: "h", description: "Show help", takesValue: false, options: undefined });
    const meta = (typeof cmd.meta === "object" ? cmd.meta : {}) as { description?: string };
    out.push({ name, description: plain(meta.description ?? ""), flags });
  }
  return out;
}

function bash(all: Spec[]): string {
  const cases = all
    .map((c) => `    ${c.name}) opts="${c.flags.flatMap((f) => [`--${f.name}`, ...(f.alias ? [`-${f.alias}`] : [])]).join(" ")}" ;;`)
    .join("\n");
  const valued = all.flatMap((c) => c.flags.filter((f) => f.takesValue).map((f) => `--${f.name}`));
  return `# edgebox completions for bash: source <(edgebox completions bash)
_edgebox() {
  local cur prev opts
  cur="\${COMP_WORDS[COMP_CWORD]}"
  prev="\${COMP_WORDS[COMP_CWORD-1]}"
  if [ "$COMP_CWORD" -eq 1 ]; then
    COMPREPLY=( $(compgen -W "${all.map((c) => c.name).join(" ")} help" -- "$cur") )
    return
  fi
  case "\${COMP_WORDS[1]}" in
${cases}
    help) COMPREPLY=( $(compgen -W "${all.map((c) => c.name).join(" ")}" -- "$cur") ); return ;;
    *) opts="" ;;
  esac
  case "$prev" in
    ${[...new Set(valued)].join("|")}) COMPREPLY=( $(compgen -f -- "$cur") ); return ;;
  esac
  if [[ "$cur" == -* ]]; then
    COMPREPLY=( $(compgen -W "$opts" -- "$cur") )
  else
    COMPREPLY=( $(compgen -f -- "$cur") )
  fi
}
complete -o filenames -F _edgebox edgebox
`;
}

function zsh(all: Spec[]): string {
  const flag = (f: Spec["flags"][number]) => {
    const value = f.takesValue ? (f.options ? `:value:(${f.options.join(" ")})` : ":value:_files") : "";
    const spec = `[${f.description}]${value}`;
    return f.alias ? `'(-${f.alias} --${f.name})'{-${f.alias},--${f.name}}'${spec}'` : `'--${f.name}${spec}'`;
  };
  const cases = all.map((c) => `    ${c.name}) _arguments -s ${c.flags.map(flag).join(" ")} '*:file:_files' ;;`).join("\n");
  return `#compdef edgebox
# edgebox completions for zsh: put this file on $fpath as _edgebox, or: source <(edgebox completions zsh)
_edgebox() {
  local -a cmds
  cmds=(${all.map((c) => `'${c.name}:${c.description}'`).join(" ")} 'help:Show help for a command')
  if (( CURRENT == 2 )); then
    _describe 'command' cmds
    return
  fi
  case $words[2] in
${cases}
    help) _describe 'command' cmds ;;
  esac
}
if [[ $zsh_eval_context[-1] == loadautofunc ]]; then
  _edgebox "$@"
else
  compdef _edgebox edgebox
fi
`;
}

function fish(all: Spec[]): string {
  const lines = [
    "# edgebox completions for fish: edgebox completions fish > ~/.config/fish/completions/edgebox.fish",
    "complete -c edgebox -f",
    ...all.map((c) => `complete -c edgebox -n __fish_use_subcommand -a ${c.name} -d '${c.description}'`),
    `complete -c edgebox -n __fish_use_subcommand -a help -d 'Show help for a command'`,
    `complete -c edgebox -n '__fish_seen_subcommand_from help' -a '${all.map((c) => c.name).join(" ")}'`,
    ...all.flatMap((c) => [
      `complete -c edgebox -n '__fish_seen_subcommand_from ${c.name}' -F`,
      ...c.flags.map(
        (f) =>
          `complete -c edgebox -n '__fish_seen_subcommand_from ${c.name}' -l ${f.name}${f.alias ? ` -s ${f.alias}` : ""}${f.takesValue ? " -r" : ""}${f.options ? ` -a '${f.options.join(" ")}'` : ""} -d '${f.description}'`,
      ),
    ]),
  ];
  return lines.join("\n") + "\n";
}

const shells = { bash, zsh, fish } as const;

export default {
  meta: { name: "completions", description: "Print shell completions (bash, zsh, fish)" },
  examples: [
    "source <(edgebox completions bash)       # in ~/.bashrc",
    "source <(edgebox completions zsh)        # in ~/.zshrc",
    "edgebox completions fish > ~/.config/fish/completions/edgebox.fish",
  ],
  args: {
    shell: { type: "positional", description: "bash, zsh or fish", required: true },
  },
  async main({ positionals }) {
    const shell = positionals[0] as keyof typeof shells;
    if (!Object.hasOwn(shells, shell)) throw new UserError("E_USAGE", `no completions for '${positionals[0]}' (shells: ${Object.keys(shells).join(", ")})`);
    out(shells[shell](await specs()));
    return 0;
  },
} satisfies Command;
