import { writeSync } from "node:fs";

export type Write = (text: string) => void;

/**
 * Write to stdout synchronously. (Touching process.stdout makes Bun build a
 * stream, ~8 ms of start-up for one line of output.) A non-blocking pipe that
 * is full (a parent reading slower than --explain writes) says EAGAIN: wait a
 * millisecond and write on.
 */
function toStdout(text: string): void {
  const bytes = Buffer.from(text);
  for (let off = 0; off < bytes.length; ) {
    try {
      off += writeSync(1, bytes, off);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

let write: Write = toStdout;

/** A command's output: stdout, or where runMain's caller sent it. */
export function out(text: string): void {
  write(text);
}

/** Send out() to `to`; returns the previous destination (runMain restores it). */
export function setOut(to: Write): Write {
  const prev = write;
  write = to;
  return prev;
}
