import { writeSync } from "node:fs";

/**
 * Write to stdout synchronously. (Touching process.stdout makes Bun build a
 * stream, ~8 ms of start-up for one line of output.)
 */
export function out(text: string): void {
  const bytes = Buffer.from(text);
  for (let off = 0; off < bytes.length; ) off += writeSync(1, bytes, off);
}
