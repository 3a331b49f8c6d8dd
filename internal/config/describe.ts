// A policy in words, for `edgebox check`.

import type { Policy } from "../policy/types.ts";

function mib(bytes: number): string {
  return bytes % 1048576 === 0 ? `${bytes / 1048576} MiB` : `${bytes} bytes`;
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
  for (const g of p.fs) {
    const caps = [g.read && "read", g.write && "write", g.execute && "execute"].filter(Boolean).join(", ") || "nothing";
    lines.push(`  ${g.path.padEnd(width)}  ${caps.padEnd(20)}  (${g.source})`);
  }
  if (p.fs.length > 0) lines.push("  (and the app's own directory, readable, when it runs)");

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
    lines.push(`  ${which}, found in ${exec.join(", ")}`);
    if (p.run.deny.size) lines.push(`  never: ${[...p.run.deny].join(", ")}`);
    lines.push(
      `  confined to the granted files (${p.processSandbox === "required" ? "required: refused where confinement is unavailable" : "best effort: unconfined where unavailable"})`,
    );
  }

  lines.push("", "Network (fetch):");
  const allow = p.net.allow;
  if (allow === "none") lines.push("  none");
  else lines.push(`  ${allow === "all" ? "any URL" : allow.map((u) => u.text).join(", ")}`);
  if (allow !== "none" && p.net.block.length) lines.push(`  never: ${p.net.block.map((u) => u.text).join(", ")}`);
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
