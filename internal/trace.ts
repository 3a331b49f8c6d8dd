// EDGEBOX_TRACE=1: phase timings on stderr, for start-up work: wall time, and the
// process's CPU time (user + system; steadier than wall on a loaded machine).
// Off, it costs one env read. (Written with writeSync: the first use of
// process.stderr builds a stream, ~3 ms that would show in the next phase.)

import { writeSync } from "node:fs";

const on = process.env.EDGEBOX_TRACE === "1";
let last = on ? performance.now() : 0;
let lastCpu = on ? cpuMs() : 0;
let lastFaults = on ? faults() : 0;

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

/** Minor page faults so far: on a short run, each is CPU time the kernel spends on the process. */
function faults(): number {
  return process.resourceUsage().minorPageFault;
}

export function trace(phase: string): void {
  if (!on) return;
  const now = performance.now();
  const cpu = cpuMs();
  const pf = faults();
  writeSync(2, `edgebox trace: ${phase.padEnd(28)} ${(now - last).toFixed(3)} ms (at ${now.toFixed(3)}) cpu ${(cpu - lastCpu).toFixed(3)} ms (at ${cpu.toFixed(3)}) faults ${pf - lastFaults} (at ${pf})\n`);
  last = now;
  lastCpu = cpu;
  lastFaults = pf;
}
