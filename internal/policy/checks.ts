// Decisions for commands, URLs and environment variables.

import { checkPath } from "./fs.ts";
import { matchUrl, urlQuery, type HostAddress } from "./url.ts";
import { allow, deny, type Decision, type Policy } from "./types.ts";

function where(policy: Policy, field: string): string {
  return policy.file ? `"${field}" in ${policy.file}` : `"${field}" in a .edgebox.json next to the app`;
}

export interface RunQuery {
  /** The command as the guest named it. */
  command: string;
  /** The executable it resolves to, every symlink followed. */
  path: string;
  args: readonly string[];
}

/** The name rules alone: deny list, allow list, argument allowlist (no filesystem involved). */
export function checkCommand(policy: Policy, command: string, args: readonly string[], path = command): Decision<true> {
  const target = [command, ...args].join(" ");
  if (policy.allowAll) return allow(true, "--allow-all");
  const name = path.slice(path.lastIndexOf("/") + 1);
  const typed = command.slice(command.lastIndexOf("/") + 1);
  for (const n of new Set([name, typed])) {
    if (policy.run.deny.has(n)) return deny("run", target, `"${n}" is in denyCommands (${policy.run.source})`, "remove it from denyCommands");
  }
  // An allowed name is the real program's: a link named "git" to sh is sh (and a link
  // python3 -> python3.11 is python3.11: list that).
  const names = [name];
  if (policy.run.commands) {
    const entry = names.map((n) => policy.run.commands![n]).find((e) => e !== undefined);
    if (entry === undefined) {
      return deny("run", target, `"commands" lists only ${Object.keys(policy.run.commands).join(", ")}`, `add "${name}" to ${where(policy, "commands")}`);
    }
    if (entry !== true && !entry.includes(args[0] ?? "")) {
      return deny(
        "run",
        target,
        `"commands" allows ${name} only with ${entry.map((a) => JSON.stringify(a)).join(", ")} as its first argument`,
        `add ${JSON.stringify(args[0] ?? "")} to commands.${name} in ${policy.file ?? "the policy"}`,
      );
    }
  } else if (policy.run.allow && !names.some((n) => policy.run.allow!.has(n))) {
    return deny("run", target, `"${name}" is not in allowCommands (${policy.run.source})`, `add "${name}" to ${where(policy, "allowCommands")}, or run with --allow-run=${name}`);
  }
  return allow(true, "the command rules allow it");
}

/** May this program run with these arguments? The name rules, then an execute grant on the real executable. */
export function checkRun(policy: Policy, q: RunQuery): Decision<true> {
  const byName = checkCommand(policy, q.command, q.args, q.path);
  if (!byName.ok || policy.allowAll) return byName;
  const exec = checkPath(policy, "execute", q.path);
  if (!exec.ok) {
    const name = q.path.slice(q.path.lastIndexOf("/") + 1);
    const dir = q.path.slice(0, q.path.lastIndexOf("/")) || "/";
    return deny("run", [q.command, ...q.args].join(" "), `no execute grant covers ${q.path}`, `add { "path": ${JSON.stringify(dir)}, "execute": true } to ${where(policy, "dirs")}, or run with --allow-run=${name}`);
  }
  return allow(true, exec.rule);
}

/**
 * May fetch reach this (normalised) URL, whose host resolved to `addresses`?
 * Asked twice: before resolving (undefined: refuse what the name alone
 * refuses, so that a refused name is not even looked up) and after, on every
 * address. Blocked patterns win; without allowedUrls, only a block list
 * (anything else goes) or neither (no network).
 */
export function checkNet(policy: Policy, url: URL, addresses?: readonly HostAddress[]): Decision<true> {
  const target = url.href;
  if (policy.allowAll) return allow(true, "--allow-all");
  const q = urlQuery(url, addresses);
  const blocked = policy.net.block.find((p) => matchUrl(p, q, "block"));
  if (blocked) {
    const how = blocked.host.kind === "addresses" && addresses?.length ? ` (${url.hostname} is ${addresses.map((a) => a.address).join(", ")})` : "";
    return deny("net", target, `blocked by "${blocked.text}" (${blocked.source})${how}`, "remove it from blockedUrls");
  }
  const allowList = policy.net.allow;
  if (allowList === "all") return allow(true, policy.net.block.length ? "not in blockedUrls" : "allowedUrls is empty: any URL");
  if (allowList === "none") {
    return deny("net", target, "no network access is granted", `add a pattern such as "${url.protocol}//${url.host}/*" to ${where(policy, "allowedUrls")}, or run with --allow-net=${url.hostname}`);
  }
  const hit = allowList.find((p) => matchUrl(p, q, "allow"));
  if (hit) return allow(true, `allowed by "${hit.text}" (${hit.source})`);
  return deny("net", target, `no pattern in allowedUrls matches`, `add "${url.protocol}//${url.host}/*" to ${where(policy, "allowedUrls")}, or run with --allow-net=${url.hostname}`);
}

/** May the app see this environment variable? */
export function checkEnv(policy: Policy, name: string): boolean {
  return policy.allowAll || policy.env.all || policy.env.names.has(name);
}

/** The environment the app sees: the host's, with only the granted names. */
export function grantedEnv(policy: Policy, host: Readonly<Record<string, string | undefined>>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(host)) {
    if (v !== undefined && checkEnv(policy, k)) out[k] = v;
  }
  return out;
}
