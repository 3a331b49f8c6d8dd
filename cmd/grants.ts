// The Deno-style grant flags, shared by the commands that run apps.

import type { ArgsDef } from "citty";
import type { GrantFlags } from "../internal/config/resolve.ts";

export const grantArgs = {
  allowRead: { type: "string", valueHint: "path,...", description: "Let the app read these paths (all, without a list)" },
  allowWrite: { type: "string", valueHint: "path,...", description: "Let the app write these paths (all, without a list)" },
  allowEnv: { type: "string", valueHint: "NAME,...", description: "Let the app see these environment variables (all, without a list)" },
  allowRun: { type: "string", valueHint: "cmd,...", description: "Let the app run these commands (any, without a list)" },
  allowNet: { type: "string", valueHint: "host,...", description: "Let fetch reach these hosts (any URL, without a list)" },
  allowAll: { type: "boolean", alias: "A", description: "Grant everything (no sandbox policy at all)" },
  config: { type: "string", valueHint: "file", description: "The policy file to use (default: the nearest .edgebox.json or edgebox.toml)" },
} as const satisfies ArgsDef;

export const grantLists = ["allowRead", "allowWrite", "allowEnv", "allowRun", "allowNet"];

export function grantFlags(flags: Record<string, string | boolean | string[]>): GrantFlags {
  const g = (v: unknown) => (v === true ? true : Array.isArray(v) ? v : undefined);
  return {
    allowRead: g(flags.allowRead),
    allowWrite: g(flags.allowWrite),
    allowEnv: g(flags.allowEnv),
    allowRun: g(flags.allowRun),
    allowNet: g(flags.allowNet),
    allowAll: flags.allowAll === true,
  };
}
