import type { Command } from "./edgebox.ts";
import { out } from "./out.ts";

export default {
  meta: { name: "check", description: "Validate a policy file and print what it grants, in words" },
  examples: [
    "edgebox check                            # the nearest policy file from here up",
    "edgebox check policies/api.toml",
  ],
  args: {
    policy: {
      type: "positional",
      description: "The policy file (default: the nearest .edgebox.json or edgebox.toml from here up)",
      required: false,
    },
  },
  async main({ positionals }) {
    const { loadPolicy } = await import("../internal/config/index.ts");
    const { describePolicy } = await import("../internal/config/describe.ts");
    const policy = await loadPolicy({ cwd: process.cwd(), config: positionals[0], configFlag: false, flags: {} });
    out(describePolicy(policy));
    if (!policy.allowAll && policy.fs.some((g) => g.execute)) {
      const { commandsHere } = await import("../internal/hostcalls/child.ts");
      const { deniedPrograms, namedPrograms } = await import("../internal/hostcalls/programs.ts");
      const names = [...(policy.run.commands ? Object.keys(policy.run.commands) : (policy.run.allow ?? []))];
      const lines = names.map((n) => `  ${n}: ${namedPrograms(policy, n).join(", ") || "not found"}`);
      const denied = deniedPrograms(policy);
      if (denied.length) lines.push(`  masked: ${denied.join(", ")}`);
      out(`\nHere: ${commandsHere(policy)}\n${lines.map((l) => l + "\n").join("")}`);
    }
    return 0;
  },
} satisfies Command;
