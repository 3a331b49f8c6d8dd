// EDGEBOX_TRACE=1: phase timings on stderr, for start-up work. Off, it costs one env read.

const on = process.env.EDGEBOX_TRACE === "1";
let last = on ? performance.now() : 0;

export function trace(phase: string): void {
  if (!on) return;
  const now = performance.now();
  process.stderr.write(`edgebox trace: ${phase.padEnd(28)} ${(now - last).toFixed(3)} ms (at ${now.toFixed(3)})\n`);
  last = now;
}
