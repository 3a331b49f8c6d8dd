import { existsSync, statSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import pkg from "../package.json" with { type: "json" };
import { UserError } from "../internal/errors.ts";
import { POLICY_FILES } from "../internal/config/index.ts";
import type { Command } from "./edgebox.ts";
import { out } from "./out.ts";

/** Where a release publishes the policy schema (npm run release copies it there). */
export const SCHEMA_URL = `https://edgebox.dev/releases/v${pkg.version}/edgebox.schema.json`;

const json = `{
  "$schema": "${SCHEMA_URL}",
  "dirs": [
    { "path": ".", "read": true }
  ],
  "env": []
}
`;

// The same policy in TOML, with the fields one is likely to add next, commented out.
const toml = `# EdgeBox policy: what the app in this directory may do. Nothing else is
# allowed. Check it with \`edgebox check\`; the fields are described in
# ${SCHEMA_URL}
"$schema" = "${SCHEMA_URL}"

# Environment variables the app can see (the others are absent from process.env).
env = []

# Network: URL patterns fetch may reach; absent means no network at all.
# allowedUrls = ["https://api.example.com/v1/*"]
# blockedUrls = ["https://api.example.com/v1/admin/*"]
# rateLimitRps = 5

# Commands the app may spawn (each runs confined to the granted dirs).
# commands = { git = ["status", "log"] }

# One JSON line per capability decision.
# audit = "./edgebox-audit.jsonl"

# Filesystem grants; relative paths are relative to this file.
[[dirs]]
path = "."
read = true

# [[dirs]]
# path = "./out"
# read = true
# write = true
`;

export default {
  meta: { name: "init", description: "Write a policy for the app in a directory: its own files read-only, nothing else" },
  examples: [
    "edgebox init                             # .edgebox.json here",
    "edgebox init --toml app/                 # a commented edgebox.toml in app/",
  ],
  args: {
    dir: { type: "positional", description: "The app's directory (default: the current one)", required: false },
    toml: { type: "boolean", description: "Write a commented edgebox.toml instead of .edgebox.json" },
  },
  async main({ flags, positionals }) {
    const dir = resolve(process.cwd(), positionals[0] ?? ".");
    if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new UserError("E_NOT_FOUND", `'${positionals[0]}' is not a directory`);
    for (const name of POLICY_FILES) {
      if (existsSync(join(dir, name))) throw new UserError("E_EXISTS", `${join(dir, name)} already exists; edgebox init does not overwrite a policy`);
    }
    const file = join(dir, flags.toml === true ? "edgebox.toml" : ".edgebox.json");
    writeFileSync(file, flags.toml === true ? toml : json, { flag: "wx" });
    out(`wrote ${file}: the app may read its own directory, nothing else\nsee what it grants with: edgebox check ${file}\n`);
    return 0;
  },
} satisfies Command;
