// A policy in words, for `edgebox check`.

import { isWithin } from "../policy/fs.ts";
import type { FsCapability, FsGrant, Policy, UrlPattern } from "../policy/types.ts";
import { describeUrlPattern } from "../policy/url.ts";

function mib(bytes: number): string {
  return bytes % 1048576 === 0 ? `${bytes / 1048576} MiB` : `${bytes} bytes`;
}

const CAPS: FsCapability[] = ["read", "write", "execute"];

function capsOf(g: FsGrant): string {
  return CAPS.filter((c) => g[c]).join(", ") || "nothing";
}

/** A policy grant inside another that takes away what the outer one gives, in words. */
function nestedLimits(grants: FsGrant[]): string[] {
  const dirs = grants.filter((g) => g.from === "dirs");
  const out: string[] = [];
  for (const g of dirs) {
    const outer = dirs.filter((o) => o.path !== g.path && isWithin(g.path, o.path)).sort((a, b) => b.path.length - a.path.length)[0];
    const lost = outer ? CAPS.filter((c) => outer[c] && !dirs.some((s) => s.path === g.path && s[c])) : [];
    if (outer && lost.length) out.push(`    ${g.path}: no ${lost.join(", no ")}, although inside ${outer.path} (${capsOf(outer)})`);
  }
  return out;
}

export function describePolicy(p: Policy): string {
  const lines: string[] = [];
  lines.push(p.file ? `Policy ${p.file}${p.name ? ` (${p.name})` : ""}: valid.` : "No policy file: the defaults apply.");
  if (p.allowAll) {
    lines.push("Everything is allowed (--allow-all): no sandbox policy applies.");
    return lines.join("\n") + "\n";
  }
  lines.push("", "Files:");
  if (p.fs.length === 0) lines.push("  nothing (the app's own directory is readable when it runs)");
  const width = Math.max(...p.fs.map((g) => g.path.length), 0);
  for (const g of p.fs) lines.push(`  ${g.path.padEnd(width)}  ${capsOf(g).padEnd(20)}  (${g.source})`);
  const narrowed = nestedLimits(p.fs);
  if (narrowed.length) lines.push("  Inside another grant, the most specific grant decides every capability (flags only add):", ...narrowed);
  if (p.fs.length > 0) lines.push("  (and the app's own directory, readable where no grant above says otherwise, when it runs)");

  lines.push("", "Environment:");
  if (p.env.all) lines.push("  every variable");
  else if (p.env.names.size === 0) lines.push("  nothing: process.env is empty");
  else lines.push(`  ${[...p.env.names].join(", ")} (the others are absent)`);

  lines.push("", "Commands:");
  const exec = p.fs.filter((g) => g.execute).map((g) => g.path);
  if (exec.length === 0) lines.push("  none: no directory is granted execute");
  else {
    const which = p.run.commands
      ? Object.entries(p.run.commands).map(([c, a]) => (a === true ? c : `${c} (first argument: ${a.join(", ")})`)).join(", ")
      : p.run.allow
        ? [...p.run.allow].join(", ")
        : "any";
    lines.push(`  ${which}, found in ${exec.join(", ")} (a name is the program it finds there, by real path)`);
    if (p.run.deny.size) lines.push(`  never: ${[...p.run.deny].join(", ")} (masked in the confinement: no other name, path or wrapper executes them)`);
    lines.push(
      `  confined to the granted files (${p.processSandbox === "required" ? "required: refused where confinement is unavailable" : "best effort: unconfined where unavailable"})`,
    );
    const writable = p.fs.filter((g) => g.write).map((g) => g.path);
    if (writable.length) {
      lines.push(`  never a program in ${writable.join(", ")} (writable), nor a script whose interpreter is there`);
      lines.push("  there, EdgeBox's own files stay out of their reach: the policy file read-only, its cache and audit log hidden");
    }
    const named = [...p.env.names].join(", ");
    lines.push(`  their variables: PATH, HOME, LANG, LC_*, TERM, TZ, USER, LOGNAME as the host has them${named ? `, and ${named} as the app passes them` : ""}; no others`);
  }

  lines.push("", "Network (fetch):");
  const allow = p.net.allow;
  const list = (ps: readonly UrlPattern[], blocked: boolean) => ps.map((u) => `    ${describeUrlPattern(u, blocked)}`);
  if (allow === "none") lines.push("  none (no allowedUrls and no blockedUrls)");
  else if (allow === "all" && p.net.block.length === 0) lines.push("  any URL");
  else if (allow === "all") lines.push("  any URL except:", ...list(p.net.block, true));
  else {
    lines.push("  only:", ...list(allow, false));
    if (allow.some((u) => u.host.kind === "addresses")) lines.push("  (an address, range or group lets in URLs naming such an address, and localhost under loopback; any other name only by name)");
    if (allow.some((u) => u.host.kind === "name" && u.text !== "*" && !u.host.thisMachine)) {
      lines.push("  (a name allowed by name that resolves to this machine, a private or a link-local address is refused unless an address, range or group above lets that address in)");
    }
    if (p.net.block.length) lines.push("  never (wins over the above):", ...list(p.net.block, true));
  }
  if (allow !== "none") {
    lines.push("  (a host is looked up once and the request goes to an address that was checked; a blocked range or group also blocks the names resolving into it)");
    if (p.net.block.length) lines.push("  (a blocked path covers itself and what lies below it, in any case and encoding; without a port, every port)");
  }
  if (p.net.rateLimitRps) lines.push(`  at most ${p.net.rateLimitRps} requests per second`);
  else if (p.net.rateLimitRps === 0 && allow !== "none") lines.push("  no limit on requests per second (rateLimitRps 0)");
  if (p.net.maxConnections) lines.push(`  at most ${p.net.maxConnections} requests at once`);

  const r = p.runtime;
  lines.push(
    "",
    "Limits:",
    `  JS heap ${mib(r.heapSize)}; memory ${mib(r.maxMemoryPages * 65536)} (${r.maxMemoryPages} pages); stack ${mib(r.stackSize)} (about ${Math.round(r.stackSize / 256 / 100) * 100} calls deep)`,
    `  instructions ${r.maxInstructions < 0 ? "unlimited" : r.maxInstructions}; time ${r.timeoutMs ? `${r.timeoutMs} ms` : "unlimited"}`,
  );
  const d = p.daemon;
  if (d.port !== undefined || d.host !== undefined || d.execTimeoutMs !== undefined || d.poolSize !== undefined) {
    lines.push("", "edgebox serve:", `  listens on http://${d.host ?? "127.0.0.1"}:${d.port ?? 3000}/ (--host and --port win)`);
    lines.push(`  ${d.execTimeoutMs ?? 30000} ms per request, then 504${d.poolSize !== undefined ? `; a pool of ${d.poolSize} instances prepared ahead per worker` : ""}`);
  }
  if (p.audit) lines.push("", `Audit log: ${p.audit}`);
  if (p.useKeychain) lines.push("", `Keychain: ANTHROPIC_API_KEY from the macOS keychain${process.platform === "darwin" ? "" : " (ignored: not macOS)"}`);
  return lines.join("\n") + "\n";
}
