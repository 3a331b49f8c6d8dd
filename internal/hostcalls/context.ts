// What a host call needs from the run it serves.

import type { Policy } from "../policy/types.ts";
import type { FsBackend } from "./fs-backend.ts";
import type { FdTable } from "./fs.ts";
import type { Sink } from "./stdio.ts";
import type { NetLimits } from "./net.ts";

export interface AuditEvent {
  capability: string;
  target: string;
  allowed: boolean;
  rule: string;
}

/** A value the host returns to the guest: an already-made guest handle (a compiled function, for instance). */
export interface GuestValueMaker {
  /** Compile `source` as a CommonJS module of `filename`: the wrapper function. */
  compileCommonJS(source: string, filename: string): number;
  /** Evaluate ES module `path` synchronously (require of an ES module); its namespace goes to the guest's edgebox.required hook. */
  requireModule(path: string): void;
  /** One of the runtime's modules kept out of its snapshot: its module function, or undefined for an unknown key. */
  runtimeModule(key: string): number | undefined;
}

export interface HostContext {
  stdout: Sink;
  stderr: Sink;
  /** The guest called process.exit(code): record it and stop the guest. */
  exit(code: number): void;
  policy: Policy;
  /** The guest's working directory (relative paths resolve against it). */
  cwd: string;
  fs: FsBackend;
  fds: FdTable;
  /** Largest file a single readFile may return (the guest's heap would not hold more). */
  maxFileBytes: number;
  /** The guest's stdin is empty: it reads nothing of this process's. */
  noStdin?: boolean;
  audit?: (e: AuditEvent) => void;
  /** The app read a variable it does not have (each name once). */
  envMissing?(name: string): undefined;
  /** The run's network limits (shared with its workers, and with edgebox serve's other requests). */
  netLimits: NetLimits;
  /** Milliseconds left before the run's time limit (Infinity without one): a blocking call must not outlast it. */
  remainingMs(): number;
  /** A stack trace with the frames of source-mapped files at their original positions. */
  mapStack(text: string): string;
  guest: GuestValueMaker;
  /** Start asynchronous work; its result reaches the guest through the `deliver` entry point. */
  async: AsyncOps;
  /** Link a native extension into the guest (its init registers its globals). */
  loadExtension(name: string): void;
  /** worker_threads: the run's workers (internal/sandbox/workers.ts). */
  workers: WorkerOps;
  /** Evaluate Intl chunk `name` in the guest; the time zone dates are shown in by default. */
  loadIntl(name: string): string;
  /** process.memoryUsage() for the guest: the host's RSS, the guest's heap. */
  memoryUsage(): { rss: number; heapTotal: number; heapUsed: number; external: number; arrayBuffers: number };
}

/** A message for an asynchronous operation (see wasm/ABI.md, "Asynchronous operations"). */
export interface Delivery {
  id: number;
  /** "data", "error", "end", ... as the op documents. */
  kind: string;
  str?: string;
  bytes?: Uint8Array;
}

export interface WorkerOps {
  start(a: { filename: string; eval: boolean }, data: Uint8Array | undefined): string;
  post(id: number, bytes: Uint8Array): void;
  terminate(id: number): void;
  self(): string;
  listen(close: boolean): number | undefined;
}

export interface AsyncOps {
  /** A new operation id; the operation keeps the event loop alive until it delivers `final`. */
  start(): number;
  /**
   * `d` for the guest's loop. A worker message (kind "message") counts against the bytes a run may
   * have waiting: past the cap the sender's postMessage gets ENOBUFS (it arrives inside that call);
   * `counted`: bounded already (a worker's inbox handed over when it listens).
   */
  deliver(d: Delivery, final: boolean, counted?: boolean): void;
}
