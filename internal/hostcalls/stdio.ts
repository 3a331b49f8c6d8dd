// Standard output and error: written synchronously, in order, as node does
// for files and pipes, so that stdout and stderr interleave as the guest wrote them.

import { constants, fstatSync, openSync, readSync, writeSync } from "node:fs";
import { constants as osConstants } from "node:os";
import type { AsyncOps } from "./context.ts";
import { errnoName, GuestError, systemError } from "./errors.ts";

/** Where output goes; `deadline` (performance.now() time, 0: none): a write may wait for a full pipe until then, not after. */
export type Sink = (bytes: Uint8Array, deadline?: number) => void;

const enc = new TextEncoder();

/** What a retry waits on (Atomics.wait needs a shared array; nothing ever notifies it). */
const nap = new Int32Array(new SharedArrayBuffer(4));

/** Writes bytes [off, off + len) of `buf`: the count written, or undefined when the descriptor would block (full). */
type Writer = (buf: Uint8Array, off: number, len: number) => number | undefined;

/**
 * A sink writing to a file descriptor, retrying short writes. A pipe or
 * socket (Linux) is written without waiting in the kernel (a pipe through a
 * non-blocking description of its own, opened again through /proc; a socket
 * with MSG_DONTWAIT; the parent's descriptor stays as it was), so that a
 * reader that stops reading holds a write only until the run's deadline: the
 * run then ends at its time limit, what it had left to write dropped.
 */
export function fdSink(fd: number): Sink {
  let write: Writer | undefined;
  return (bytes, deadline = 0) => {
    write ??= writerOf(fd);
    let off = 0;
    while (off < bytes.length) {
      const n = write(bytes, off, bytes.length - off);
      if (n !== undefined) off += n;
      else if (deadline !== 0 && performance.now() > deadline) return;
      else Atomics.wait(nap, 0, 0, 1);
    }
  };
}

const writeFd =
  (fd: number): Writer =>
  (buf, off, len) => {
    try {
      return writeSync(fd, buf, off, len);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "EAGAIN") return undefined;
      throw err;
    }
  };

function writerOf(fd: number): Writer {
  if (process.platform !== "linux") return writeFd(fd);
  try {
    const st = fstatSync(fd);
    if (st.isSocket()) return sendNoWait(fd);
    if (st.isFIFO()) return writeFd(openSync(`/proc/self/fd/${fd}`, constants.O_WRONLY | constants.O_NONBLOCK));
  } catch {
    // (no way around waiting: written as it is)
  }
  return writeFd(fd);
}

const MSG_DONTWAIT = 0x40;
const MSG_NOSIGNAL = 0x4000;

/** send(2), recv(2) and errno from Linux's libc (bun:ffi), loaded on first use. */
let socketCalls: ReturnType<typeof loadSocketCalls> | undefined;
function loadSocketCalls() {
  const { dlopen, read, ptr } = require("bun:ffi") as typeof import("bun:ffi");
  const libc = dlopen("libc.so.6", {
    send: { args: ["i32", "ptr", "usize", "i32"], returns: "i64" },
    recv: { args: ["i32", "ptr", "usize", "i32"], returns: "i64" },
    __errno_location: { args: [], returns: "ptr" },
  }).symbols;
  /** A byte count from send or recv; undefined when the socket would block (or the call was interrupted). */
  const result = (n: number | bigint, syscall: string): number | undefined => {
    if (n >= 0) return Number(n);
    const errno = read.i32(libc.__errno_location()!, 0);
    if (errno === osConstants.errno.EAGAIN || errno === osConstants.errno.EINTR) return undefined;
    throw systemError(errnoName(errno), syscall);
  };
  return { libc, ptr, result };
}

/** send(2) with MSG_DONTWAIT | MSG_NOSIGNAL. */
function sendNoWait(fd: number): Writer {
  const { libc, ptr, result } = (socketCalls ??= loadSocketCalls());
  return (buf, off, len) => result(libc.send(fd, ptr(buf, off), len, MSG_DONTWAIT | MSG_NOSIGNAL), "write");
}

export function writeTo(sink: Sink, str: string | undefined, bytes: Uint8Array | undefined): undefined {
  if (str !== undefined) sink(enc.encode(str));
  else if (bytes !== undefined) sink(bytes);
  return undefined;
}

/** Reads what stdin has into `buf`: a byte count (0 at end of input), or undefined when nothing is there yet. */
type Reader = (buf: Uint8Array) => number | undefined;
let stdinReader: Reader | undefined;

/** read(2) of `fd`; EAGAIN (a non-blocking descriptor with nothing yet) is undefined. */
const readFd =
  (fd: number): Reader =>
  (buf) => {
    try {
      return readSync(fd, buf, 0, buf.length, null);
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      if (code === "EOF") return 0;
      if (code === "EAGAIN") return undefined;
      throw err;
    }
  };

/** recv(2) of fd 0 with MSG_DONTWAIT (Linux's libc, through bun:ffi): a socket read without waiting and without changing its flags. */
function recvNoWait(): Reader {
  const { libc, result } = (socketCalls ??= loadSocketCalls());
  return (buf) => result(libc.recv(0, buf, buf.length, MSG_DONTWAIT), "read");
}

/**
 * Standard input read without waiting in the kernel, so that a read can stop
 * at the run's deadline. Linux: a pipe, FIFO or terminal is opened again
 * through /proc (a new open file description with O_NONBLOCK; the parent's
 * stays as it was), a socket is read with MSG_DONTWAIT. A file (or another
 * system's stdin) is read through fd 0 itself.
 */
function stdin(): Reader {
  if (stdinReader) return stdinReader;
  stdinReader = readFd(0);
  if (process.platform !== "linux") return stdinReader;
  try {
    const st = fstatSync(0);
    if (st.isSocket()) stdinReader = recvNoWait();
    else if (!st.isFile()) stdinReader = readFd(openSync("/proc/self/fd/0", constants.O_RDONLY | constants.O_NONBLOCK | constants.O_NOCTTY));
  } catch {
    // (no stdin, or no way around waiting: read as it is)
  }
  return stdinReader;
}

/**
 * Read up to `max` bytes of stdin, waiting for them, but not past `deadline`
 * (performance.now() time: the run's time limit then ends it). Empty at end of input.
 */
export function readStdinSync(max: number, deadline = Infinity, empty = false): Uint8Array {
  if (empty) return new Uint8Array(0);
  const buf = new Uint8Array(Math.min(Math.max(1, max), 1 << 20));
  const read = stdin();
  for (;;) {
    const n = read(buf);
    if (n !== undefined) return buf.subarray(0, n);
    if (performance.now() > deadline) throw new GuestError({ code: "ETIMEDOUT", syscall: "read", message: "ETIMEDOUT: stdin had nothing before the run's time limit, read" });
    // nothing yet: wait, as a blocking read would
    Atomics.wait(nap, 0, 0, 5);
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

  /** `empty`: at end of input from the start. */
  constructor(
    private readonly async: AsyncOps,
    empty = false,
  ) {
    this.ended = empty;
  }

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
