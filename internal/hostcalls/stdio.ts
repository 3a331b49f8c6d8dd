// Standard output and error: written synchronously, in order, as node does
// for files and pipes, so that stdout and stderr interleave as the guest wrote them.

import { writeSync } from "node:fs";

export type Sink = (bytes: Uint8Array) => void;

const enc = new TextEncoder();

/** A sink writing to a file descriptor, retrying short writes and EAGAIN on non-blocking pipes. */
export function fdSink(fd: number): Sink {
  return (bytes) => {
    let off = 0;
    while (off < bytes.length) {
      try {
        off += writeSync(fd, bytes, off, bytes.length - off);
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== "EAGAIN") throw err;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
      }
    }
  };
}

export function writeTo(sink: Sink, str: string | undefined, bytes: Uint8Array | undefined): undefined {
  if (str !== undefined) sink(enc.encode(str));
  else if (bytes !== undefined) sink(bytes);
  return undefined;
}
