// Clocks and randomness that must be fresh in every run. The runtime's
// memory is snapshotted at build time, so anything QuickJS seeded during
// initialisation (Math.random's state, performance's time origin) would
// otherwise repeat in every run. start() calls reseed() with values from the host.

import { needsRun } from "./host.js";

const rawNow = globalThis.performance.now.bind(globalThis.performance);
let origin = 0;

// xoshiro128** in 32-bit arithmetic: fast in the interpreter, well distributed.
let s0 = 1;
let s1 = 2;
let s2 = 3;
let s3 = 4;
let seeded = false;

function next() {
  const result = Math.imul(rotl(Math.imul(s1, 5), 7), 9) >>> 0;
  const t = s1 << 9;
  s2 ^= s0;
  s3 ^= s1;
  s1 ^= s2;
  s0 ^= s3;
  s2 ^= t;
  s3 = rotl(s3, 11);
  return result;
}

function rotl(x, k) {
  return (x << k) | (x >>> (32 - k));
}

/** node's `performance` (QuickJS's own has a fixed, non-configurable now() and a monotonic timeOrigin). */
export const performance = {
  now() {
    return rawNow() - origin;
  },
  timeOrigin: 0,
  toJSON() {
    return { timeOrigin: this.timeOrigin };
  },
};

export function installClock() {
  Object.defineProperty(globalThis, "performance", { value: performance, writable: true, enumerable: false, configurable: true });
  Object.defineProperty(Math, "random", {
    value: function random() {
      if (!seeded) needsRun("Math.random");
      // 53 random bits, as V8 does: 27 from one draw, 26 from the next.
      return ((next() >>> 5) * 67108864 + (next() >>> 6)) / 9007199254740992;
    },
    writable: true,
    enumerable: false,
    configurable: true,
  });
}

/**
 * edgebox serve: where the host writes a request's random seed, 16 bytes, before the request
 * (a memory write, no guest call): reseedFromHost() takes it when the request starts.
 */
const hostSeed = new ArrayBuffer(16);
const hostSeedWords = new Uint32Array(hostSeed);

export function hostSeedBuffer() {
  return hostSeed;
}

/** edgebox serve: the clock origin now and the seed the host wrote (see hostSeed). */
export function reseedFromHost() {
  reseed(hostSeedWords);
}

/** Bind the clock origin and the random state of this run. */
export function reseed(seed) {
  origin = rawNow();
  performance.timeOrigin = Date.now();
  // (indexed, not destructured: no iterator in the interpreter on every request's path)
  s0 = seed[0] | 0;
  s1 = seed[1] | 0;
  s2 = seed[2] | 0;
  s3 = seed[3] | 0;
  seeded = true;
  if ((s0 | s1 | s2 | s3) === 0) s0 = 1;
}
