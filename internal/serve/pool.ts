// Instances ready ahead: a worker keeps `size` instances of the server image
// instantiated, their side modules linked and their seeds written, made while
// the event loop has nothing else to do. A request takes one no other request has
// touched (each is used once, then dropped: on Linux recycled as a fresh one,
// internal/engine/native.ts); when none is ready it makes its own.
//
// Only while idle: a refill step waits while requests keep coming (a turn of
// the event loop that took another instance since the step before). Under
// load, an instance made ahead costs the same CPU as one made on the
// request's path, and more besides, since each one waiting holds a memory
// slot of its own and the requests rotate through them, cold in the cache;
// made on the path, each request's instance is the one the request before
// released (bench/serve.ts: ~6 % less CPU a request with no pool at -c32,
// ~30 % more latency at -c1).

import type { Sandbox } from "../sandbox/index.ts";

export interface ReadyInstance {
  sb: Sandbox;
  /** ms: instantiating and linking; binding (its seed written). */
  readyMs: number;
  firstCallMs: number;
  /** Made ahead (in idle time), not on the request's path. */
  ahead: boolean;
}

export class InstancePool {
  private readonly ready: ReadyInstance[] = [];
  private filling = false;
  private stopped = false;
  /** Instances taken so far: a refill step that sees it moved since the step before waits for a quiet moment. */
  private taken = 0;

  constructor(
    private readonly make: () => Sandbox,
    readonly size: number,
    private readonly onError: (err: unknown) => void,
  ) {}

  /** Fill the pool (in the background: one instance per turn of the event loop). */
  start(): void {
    this.refill();
  }

  /**
   * A fresh instance, bound and never used. Throws when one cannot be made. The one made last:
   * its memory slot is the one the last request released, whose pages are the likeliest in the
   * cache (the oldest rotated a request through every slot of the pool).
   */
  take(): ReadyInstance {
    this.taken++;
    const r = this.ready.pop() ?? this.prepare(false);
    this.refill();
    return r;
  }

  private prepare(ahead: boolean): ReadyInstance {
    const t0 = performance.now();
    const sb = this.make();
    try {
      sb.instantiate();
      const t1 = performance.now();
      sb.bind();
      return { sb, readyMs: t1 - t0, firstCallMs: performance.now() - t1, ahead };
    } catch (err) {
      sb.dispose();
      throw err;
    }
  }

  private refill(): void {
    if (this.filling || this.stopped || this.ready.length >= this.size) return;
    this.filling = true;
    let seen = this.taken;
    const step = () => {
      if (this.stopped || this.ready.length >= this.size) {
        this.filling = false;
        return;
      }
      if (this.taken !== seen) {
        // (requests came in since the last step: not idle, look again on the next turn)
        seen = this.taken;
        setImmediate(step);
        return;
      }
      try {
        this.ready.push(this.prepare(true));
      } catch (err) {
        // (the request path makes its own and answers for the failure; try again on the next take)
        this.filling = false;
        this.onError(err);
        return;
      }
      setImmediate(step);
    };
    setImmediate(step);
  }

  /** Drop every instance made ahead. */
  stop(): void {
    this.stopped = true;
    for (const r of this.ready.splice(0)) r.sb.dispose();
  }
}
