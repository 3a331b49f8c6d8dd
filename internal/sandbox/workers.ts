// worker_threads on the host: each Worker is another Sandbox in this process,
// made from the same options (policy, limits, module), running its own event
// loop beside its parent's on Bun's. Messages cross as the bytes the guests
// serialized (wasm/internal/clone.js); the host never looks inside them.

import { resolve } from "node:path";
import type { Delivery } from "../hostcalls/context.ts";
import { GuestError } from "../hostcalls/errors.ts";

/** What a worker's sandbox knows of its parent (SandboxOptions.worker). */
export interface WorkerLink {
  threadId: number;
  /** workerData as serialized by the parent, or undefined. */
  data: Uint8Array | undefined;
  /** A message to the parent's Worker object. */
  toParent(bytes: Uint8Array): void;
  /** An error nobody caught in the worker: the parent's Worker emits 'error'. */
  onError(info: { message: string; stack: string; code?: string }): void;
  /** The parent's messages not delivered yet: the worker has not started, or does not listen yet. */
  inbox: Uint8Array[];
  /** Bytes in `inbox`: bounded, so that a worker that never listens cannot make the host hold without end. */
  inboxBytes: number;
  /** When the parent's time limit ends the worker too (performance.now() time; 0: none). */
  deadline?: number;
  /** The count of workers alive in this app's run (the main sandbox's and its workers' at all depths). */
  tree: { alive: number };
}

/** Workers alive at once in one app's run, at all depths (each is a guest instance with its own heap). */
export const MAX_WORKERS = 8;
/**
 * Workers alive at once in this process, all runs together: edgebox serve's requests are runs of
 * their own, each with MAX_WORKERS, and each worker is an instance with the request's memory cap.
 * No ceiling beyond MAX_WORKERS until serve sets one (elsewhere a process runs one app).
 */
const inProcess = { alive: 0, max: Infinity };

/** Set the ceiling on workers alive at once in this process (edgebox serve). */
export function limitWorkersInProcess(max: number): void {
  inProcess.max = max;
}

/** Bytes of messages a worker, or its parent, may have waiting unread. */
export const MAX_INBOX_BYTES = 64 << 20;

/** The part of a Sandbox a worker is run by. */
interface WorkerSandbox {
  run(file: string, evalSource?: string): Promise<{ code: number; reason: string }>;
  /** A message from the parent. */
  fromParent(bytes: Uint8Array): void;
  /** Stop at the next turn of its loop (exit code 1). */
  terminate(): void;
}

let lastThreadId = 0;

/** Keep a message for a worker that does not listen yet, within MAX_INBOX_BYTES. */
export function queueFor(link: WorkerLink, bytes: Uint8Array): void {
  if (link.inboxBytes + bytes.length > MAX_INBOX_BYTES) {
    throw new GuestError({ code: "ENOBUFS", message: `the worker has ${MAX_INBOX_BYTES >> 20} MiB of messages unread: postMessage refused` });
  }
  link.inbox.push(bytes);
  link.inboxBytes += bytes.length;
}

/** A Sandbox's workers (the ones it started), and its side of the link when it is one. */
export class Workers {
  private readonly running = new Map<number, WorkerSandbox>();
  private port: number | undefined;
  /** A worker's run ended at the time limit: so does this one's. */
  timedOut = false;
  private portClosed = false;
  /** This sandbox's run has ended: a worker that has not started yet never does. */
  private ended = false;

  constructor(
    private readonly async: { start(): number; deliver(d: Delivery, final: boolean, counted?: boolean): void },
    private readonly make: (link: WorkerLink) => WorkerSandbox,
    /** A file's text as the app may read it (its policy's error otherwise). */
    private readonly readSource: (path: string) => string,
    private readonly cwd: string,
    readonly link: WorkerLink | undefined,
  ) {
    this.tree = link?.tree ?? { alive: 0 };
  }

  /** Workers alive in this app's run, shared down the tree (not per process: serve's requests are separate runs). */
  private readonly tree: { alive: number };

  get count(): number {
    return this.running.size;
  }

  /** WORKER_START: a worker running `filename` (or `eval` source); its messages are deliveries on the returned id. */
  start(a: { filename: string; eval: boolean }, data: Uint8Array | undefined): string {
    // the guest names the file: it is read here, under the policy, and run as that text
    const file = a.eval ? `${this.cwd}/[worker eval]` : resolve(this.cwd, a.filename);
    const source = a.eval ? a.filename : this.readSource(file);
    if (this.tree.alive >= MAX_WORKERS) {
      throw new GuestError({ code: "ERR_WORKER_INIT_FAILED", message: `at most ${MAX_WORKERS} workers run at once in the sandbox` });
    }
    if (inProcess.alive >= inProcess.max) {
      throw new GuestError({ code: "ERR_WORKER_INIT_FAILED", message: `at most ${inProcess.max} workers run at once in this server process (its requests' together)` });
    }
    let id = 0; // (the operation starts once the worker is made: a failed make leaves none open)
    const threadId = ++lastThreadId;
    const worker = this.make({
      threadId,
      data,
      toParent: (bytes) => this.async.deliver({ id, kind: "message", bytes }, false),
      onError: (info) => this.async.deliver({ id, kind: "error", str: JSON.stringify(info) }, false),
      inbox: [],
      inboxBytes: 0,
      tree: this.tree,
    });
    id = this.async.start();
    // (counted only once nothing above can throw: a failed start leaves no slot taken)
    this.tree.alive++;
    inProcess.alive++;
    this.running.set(id, worker);
    // It starts on a later turn of Bun's loop, as a thread would: after the parent's current turn.
    setImmediate(() => this.async.deliver({ id, kind: "online" }, false));
    setImmediate(() => {
      // (the parent ended before this turn: its worker is not started, its slots are given back)
      void (this.ended ? Promise.resolve({ code: 1, reason: "exit" }) : worker.run(file, source))
        .then(
          (r) => {
            if (r.reason === "timeout") this.timedOut = true;
            return r.code;
          },
          () => 1,
        )
        .then((code) => {
          this.tree.alive--;
          inProcess.alive--;
          this.running.delete(id);
          this.async.deliver({ id, kind: "exit", str: String(code) }, true);
        });
    });
    return JSON.stringify({ id, threadId });
  }

  /** WORKER_POST: to worker `id`, or (id 0, inside a worker) to the parent. */
  post(id: number, bytes: Uint8Array): void {
    if (id === 0) {
      if (!this.link) throw new GuestError({ code: "ERR_WORKER_NOT_RUNNING", message: "not a worker: there is no parent port" });
      this.link.toParent(bytes);
      return;
    }
    this.running.get(id)?.fromParent(bytes); // a worker that has exited drops it, as node does
  }

  terminate(id: number): void {
    this.running.get(id)?.terminate();
  }

  /** WORKER_SELF: JSON {threadId, data (base64)}; threadId 0 in the main thread. */
  self(): string {
    if (!this.link) return JSON.stringify({ threadId: 0, data: null });
    return JSON.stringify({ threadId: this.link.threadId, data: this.link.data ? Buffer.from(this.link.data).toString("base64") : null });
  }

  /** WORKER_LISTEN: the parent port's deliveries start (its id; queued messages first), or end (close). */
  listen(close: boolean): number | undefined {
    if (!this.link) throw new GuestError({ code: "ERR_WORKER_NOT_RUNNING", message: "not a worker: there is no parent port" });
    if (close) {
      if (this.port !== undefined && !this.portClosed) this.async.deliver({ id: this.port, kind: "close" }, true);
      this.portClosed = true;
      return undefined;
    }
    if (this.port === undefined) {
      this.port = this.async.start();
      for (const bytes of this.link.inbox.splice(0)) this.async.deliver({ id: this.port, kind: "message", bytes }, false, true);
      this.link.inboxBytes = 0;
    }
    return this.port;
  }

  /** A message from the parent: delivered once the worker listens. */
  fromParent(bytes: Uint8Array): void {
    if (this.portClosed) return;
    if (this.port !== undefined) this.async.deliver({ id: this.port, kind: "message", bytes }, false);
    else if (this.link) queueFor(this.link, bytes);
  }

  /** The parent's run ends: its workers stop. */
  terminateAll(): void {
    this.ended = true;
    for (const w of this.running.values()) w.terminate();
  }
}
