// Standard output and error: written synchronously, in order, as node does
// for files and pipes, so that stdout and stderr interleave as the guest wrote them.

import { constants, fstatSync, openSync, readSync, writeSync } from "node:fs";
import type { AsyncOps } from "./context.ts";
import { GuestError } from "./errors.ts";

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

let stdinFd: number | undefined;

/**
 * Standard input to read without waiting in the kernel: a pipe, FIFO or
 * terminal is opened again through /proc (Linux), a new open file
 * description with O_NONBLOCK that leaves the parent's as it was; a file (or
 * another system) is read through fd 0 itself.
 */
function stdinNoWait(): number {
  if (stdinFd === undefined) {
    try {
      stdinFd = process.platform === "linux" && !fstatSync(0).isFile() ? openSync("/proc/self/fd/0", constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY) : 0;
    } catch {
      stdinFd = 0; // (a socket cannot be opened again; it is read as it is)
    }
  }
  return stdinFd;
}

/**
 * Read up to `max` bytes of stdin, waiting for them, but not past `deadline`
 * (performance.now() time: the run's time limit then ends it). Empty at end of input.
 */
export function readStdinSync(max: number, deadline = Infinity): Uint8Array {
  const buf = new Uint8Array(Math.min(Math.max(1, max), 1 << 20));
  const fd = stdinNoWait();
  for (;;) {
    try {
      return buf.subarray(0, readSync(fd, buf, 0, buf.length, null));
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EOF") return buf.subarray(0, 0);
      if (code !== "EAGAIN") throw err;
      if (performance.now() > deadline) throw new GuestError({ code: "ETIMEDOUT", syscall: "read", message: "ETIMEDOUT: stdin had nothing before the run's time limit, read" });
      // nothing yet: wait, as a blocking read would
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
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
