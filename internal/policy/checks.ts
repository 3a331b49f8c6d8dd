// Decisions for commands, URLs and environment variables.

import { checkPath } from "./fs.ts";
import { ADDRESS_GROUPS, inRange, matchUrl, urlQuery, type HostAddress } from "./url.ts";
import { allow, deny, type Decision, type Policy, type UrlPattern } from "./types.ts";

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

/** The real programs a name in the policy stands for on this machine (each file of that name where programs are found). */
export type NameResolver = (name: string) => readonly string[];

/**
 * The name rules alone: deny list, allow list, argument allowlist. A name in
 * the policy means the program it resolves to, compared by real path (`sh`
 * allows the system's shell, dash; a link named `git` to it is still dash).
 * `path` is the real executable (absent: the command was found nowhere, and
 * names are compared as written). A denied name also refuses any program
 * bearing it.
 */
export function checkCommand(policy: Policy, command: string, args: readonly string[], path = command, named: NameResolver = () => []): Decision<true> {
  const target = [command, ...args].join(" ");
  if (policy.allowAll) return allow(true, "--allow-all");
  const base = (p: string) => p.slice(p.lastIndexOf("/") + 1);
  const is = (n: string) => named(n).includes(path) || (path === command && n === base(command));
  for (const n of policy.run.deny) {
    if (is(n) || n === base(path) || n === base(command)) return deny("run", target, `"${n}" is in denyCommands (${policy.run.source})`, "remove it from denyCommands");
  }
  // what to add to allow this program: the name typed, when it means this program
  const name = named(base(command)).includes(path) || path === command ? base(command) : base(path);
  if (policy.run.commands) {
    const key = Object.keys(policy.run.commands).find(is);
    if (key === undefined) {
      return deny("run", target, `"commands" lists only ${Object.keys(policy.run.commands).join(", ")}`, `add "${name}" to ${where(policy, "commands")}`);
    }
    const entry = policy.run.commands[key]!;
    if (entry !== true && !entry.includes(args[0] ?? "")) {
      return deny(
        "run",
        target,
        `"commands" allows ${key} only with ${entry.map((a) => JSON.stringify(a)).join(", ")} as its first argument`,
        `add ${JSON.stringify(args[0] ?? "")} to commands.${key} in ${policy.file ?? "the policy"}`,
      );
    }
  } else if (policy.run.allow && ![...policy.run.allow].some(is)) {
    return deny("run", target, `${path === command ? `"${name}"` : `${path} ("${name}")`} is not in allowCommands (${policy.run.source})`, `add "${name}" to ${where(policy, "allowCommands")}, or run with --allow-run=${name}`);
  }
  return allow(true, "the command rules allow it");
}

/** May this program run with these arguments? The name rules, then an execute grant on the real executable. */
export function checkRun(policy: Policy, q: RunQuery, named?: NameResolver): Decision<true> {
  const byName = checkCommand(policy, q.command, q.args, q.path, named);
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
  if (hit) {
    const inner = hit.host.kind === "name" && hit.text !== "*" && !hit.host.thisMachine ? innerAddress(allowList, q.addresses) : undefined;
    if (inner) {
      return deny(
        "net",
        target,
        `${q.literal ? `${url.hostname} is` : `${url.hostname} resolves to`} ${inner.address} (${inner.group}), which "${hit.text}" allows only by name`,
        `if ${url.hostname} is meant to reach it, add "${url.protocol}//${inner.group}/*" (or that address) to ${where(policy, "allowedUrls")}`,
      );
    }
    return allow(true, `allowed by "${hit.text}" (${hit.source})`);
  }
  return deny("net", target, `no pattern in allowedUrls matches`, `add "${url.protocol}//${url.host}/*" to ${where(policy, "allowedUrls")}, or run with --allow-net=${url.hostname}`);
}

/**
 * The first resolved address in this machine, a private range or link-local
 * that no address pattern of the allow list lets in: a name allowed by name
 * must not become a way in to them (a DNS answer the name's owner controls,
 * or a wildcard over names nobody checked).
 */
function innerAddress(allowList: readonly UrlPattern[], addresses: readonly HostAddress[] | undefined): { address: string; group: string } | undefined {
  for (const a of addresses ?? []) {
    const group = a.thisMachine ? "loopback" : INNER_GROUPS.find((g) => ADDRESS_GROUPS[g]!.ranges.some((r) => inRange(r, a.value)));
    if (!group) continue;
    const allowed = allowList.some(
      (p) => p.host.kind === "addresses" && (p.host.ranges.some((r) => inRange(r, a.value)) || (p.host.label === "loopback" && a.thisMachine === true)),
    );
    if (!allowed) return { address: a.address, group };
  }
  return undefined;
}
const INNER_GROUPS = ["loopback", "private", "link-local"];

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

/** Variables every child gets, as the host has them: what programs need to start, none that makes one run other code. */
const CHILD_BASE = /^(PATH|HOME|LANG|LANGUAGE|LC_[A-Z_]+|TERM|TZ|USER|LOGNAME)$/;

/**
 * Variables that make a program load or run other code, or read configuration
 * that can (git's from $HOME): an app with every variable (--allow-env) still
 * cannot set them for a child.
 */
const RUNS_CODE =
  /^(LD_|DYLD_|GIT_|XDG_CONFIG_)|^(HOME|BASH_ENV|ENV|BASHOPTS|SHELLOPTS|PS4|PROMPT_COMMAND|IFS|PERL5OPT|PERL5LIB|PERLLIB|PERL5DB|PYTHON\w*|NODE_OPTIONS|NODE_PATH|RUBYOPT|RUBYLIB|JAVA_TOOL_OPTIONS|_JAVA_OPTIONS|JDK_JAVA_OPTIONS|GCONV_PATH|HOSTALIASES|LOCALDOMAIN|RES_OPTIONS|TAR_OPTIONS|SSH_ASKPASS|EDITOR|VISUAL|PAGER|LESSOPEN|LESSCLOSE|MANPAGER)$/;

/**
 * The variables a child gets: the safe base as the host has it, and of what
 * the app passes, the names the policy grants (with --allow-env, all but
 * those that run code). The app's other values are dropped, whatever it
 * asked (`dropped`: those that differ from what the child gets).
 */
export function childEnv(
  policy: Policy,
  passed: Readonly<Record<string, string>>,
  host: Readonly<Record<string, string | undefined>>,
): { env: Record<string, string>; dropped: string[] } {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(host)) if (v !== undefined && CHILD_BASE.test(k)) env[k] = v;
  const dropped: string[] = [];
  for (const [k, v] of Object.entries(passed)) {
    if (policy.allowAll || policy.env.names.has(k) || (policy.env.all && !RUNS_CODE.test(k))) env[k] = v;
    else if (env[k] !== v) dropped.push(k);
  }
  return { env, dropped };
}
