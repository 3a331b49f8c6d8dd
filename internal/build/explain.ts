// `edgebox build --explain`: what the build did with each function and with
// the top level, in words; and the WebAssembly of the frozen functions.

import type { BuildResult } from "./index.ts";

export function explainReport(r: BuildResult): string {
  const lines: string[] = [];
  const { image } = r;
  if (image.prerun) lines.push("top level: pre-run at build time; a run starts where it ended");
  else if (image.stop) {
    lines.push(`top level: runs at start, not at build time: it ${image.stop.what}`);
    const at = image.stop.stack?.split("\n").find((l) => l.trim().startsWith("at ") && !l.includes("edgebox:runtime"));
    if (at) lines.push(`  ${at.trim()}`);
  } else lines.push("top level: runs at start (--no-prerun)");
  const frozen = r.explain.filter((e) => e.frozen);
  const partly = r.explain.filter((e) => !e.frozen && e.partly);
  lines.push(`functions: ${frozen.length} frozen, ${partly.length} partly, of ${r.explain.length} considered`);
  for (const e of r.explain) {
    const state = e.frozen ? "frozen    " : e.partly ? "partly    " : "not frozen";
    const why = e.frozen ? (e.reason ?? e.how) : e.partly ? `${e.partly}; not whole: it ${e.reason}` : e.reason;
    lines.push(`  ${state} ${e.name} (${e.where})${why ? `: ${why}` : ""}`);
  }
  if (r.loops.length) lines.push(`loops compiled on their own: ${r.loops.length}`);
  for (const l of r.loops) lines.push(`  loop (${l.where}) in ${l.within}: ${l.how}`);
  if (r.refusedLoops.length) lines.push(`loops not compiled: ${r.refusedLoops.length}`);
  for (const l of r.refusedLoops) lines.push(`  loop (${l.where}) in ${l.within}: not compiled: ${l.why}`);
  if (r.listing) lines.push("frozen code (WebAssembly, one instruction a line):", r.listing.trimEnd());
  return `${lines.join("\n")}\n`;
}
