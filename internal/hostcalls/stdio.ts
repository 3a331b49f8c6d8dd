// Standard output and error: written synchronously, in order, as node does
// for files and pipes, so that stdout and stderr interleave as the guest wrote them.

import { readSync, writeSync } from "node:fs";
import type { AsyncOps } from "./context.ts";

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

/** Blocking read of up to `max` bytes of fd 0; empty at end of input. */
export function readStdinSync(max: number): Uint8Array {
  const buf = new Uint8Array(Math.min(Math.max(1, max), 1 << 20));
  for (;;) {
    try {
      return buf.subarray(0, readSync(0, buf, 0, buf.length, null));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EOF") return buf.subarray(0, 0);
      if (code !== "EAGAIN") throw err;
      // a non-blocking pipe with nothing yet: wait, as a blocking read would
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
  }
}

/**
 * process.stdin as a stream. Reading is an asynchronous operation that keeps
 * the guest's event loop alive only while the guest reads: pause() ends the
 * operation (node unrefs a paused stdin), and what arrives meanwhile waits for
 * the next start().
 */
export class StdinPump {
  private id = 0;
  private readonly pending: Uint8Array[] = [];
  private ended = false;
  private reader?: ReturnType<ReadableStream<Uint8Array>["getReader"]>;

  constructor(private readonly async: AsyncOps) {}

  start(): number {
    if (this.id) return this.id;
    const id = (this.id = this.async.start());
    for (const bytes of this.pending.splice(0)) this.async.deliver({ id, kind: "data", bytes }, false);
    if (this.ended) this.finish("end");
    else if (!this.reader) void this.pump();
    return id;
  }

  pause(): void {
    if (this.id) this.finish("pause");
  }

  dispose(): void {
    void this.reader?.cancel().catch(() => {});
  }

  private finish(kind: string): void {
    const id = this.id;
    this.id = 0;
    this.async.deliver({ id, kind }, true);
  }

  private async pump(): Promise<void> {
    const reader = (this.reader = Bun.stdin.stream().getReader());
    try {
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        if (this.id) this.async.deliver({ id: this.id, kind: "data", bytes: value }, false);
        else this.pending.push(value);
      }
    } catch {
      // an unreadable stdin ends the stream, as end of input does
    }
    this.ended = true;
    if (this.id) this.finish("end");
  }
}
