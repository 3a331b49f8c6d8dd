// Host calls that only compute: random bytes, digests, compression. No
// capability is involved; the host does them because it does them faster.
// Large inputs are worked through in steps, with the run's deadline checked
// between steps and the output bounded, so that neither time nor memory
// escapes the guest's limits.

import { GuestError, invalidArg, shown } from "./errors.ts";

// Loaded on first use: importing them costs every run a few milliseconds.
const crypto = (): typeof import("node:crypto") => require("node:crypto");
const zlibModule = (): typeof import("node:zlib") => require("node:zlib");
let hashes: Set<string> | undefined;

/** Input bytes between two looks at the clock (brotli's slowest step stays well under a second). */
const STEP = 1 << 16;

function timeUp(what: string): GuestError {
  return new GuestError({ code: "ETIMEDOUT", message: `${what}: the run's time limit passed` });
}

export function random(str: string | undefined): Uint8Array {
  const n = Number(str);
  if (!Number.isInteger(n) || n < 0 || n > 65536) throw invalidArg("random byte count must be 0..65536");
  return new Uint8Array(crypto().randomBytes(n));
}

export function hash(a: { algorithm?: unknown; key?: unknown }, data: Uint8Array | undefined, remainingMs: () => number): Uint8Array {
  const alg = typeof a.algorithm === "string" ? a.algorithm.toLowerCase() : "";
  const { createHash, createHmac, getHashes } = crypto();
  hashes ??= new Set(getHashes().map((h) => h.toLowerCase()));
  if (!hashes.has(alg)) throw new GuestError({ code: "ERR_CRYPTO_INVALID_DIGEST", message: `Invalid digest: ${shown(a.algorithm)}` });
  if (a.key !== undefined && typeof a.key !== "string") throw invalidArg("an HMAC key must be base64 text");
  const h = a.key !== undefined ? createHmac(alg, Buffer.from(a.key, "base64")) : createHash(alg);
  const input = data ?? new Uint8Array(0);
  const deadline = performance.now() + remainingMs();
  for (let off = 0; off < input.length; off += 16 * STEP) {
    if (performance.now() > deadline) throw timeUp("hash");
    h.update(input.subarray(off, off + 16 * STEP));
  }
  return new Uint8Array(h.digest());
}

/** What node:zlib's engines (Bun's as node's) have inside: the native handle written to step by step. */
interface ZlibEngine {
  _handle: { writeSync(flush: number, input: Uint8Array, inOff: number, inLen: number, out: Uint8Array, outOff: number, outLen: number): void };
  _writeState: Uint32Array;
  on(event: "error", fn: (err: unknown) => void): void;
  close(): void;
}

type Op = "gzip" | "gunzip" | "deflate" | "inflate" | "deflateRaw" | "inflateRaw" | "unzip" | "brotliCompress" | "brotliDecompress";

function engine(op: string, level: number | undefined): { z: ZlibEngine; proc: number; fin: number } | undefined {
  const zlib = zlibModule();
  const c = zlib.constants;
  const opts = level === undefined ? {} : { level };
  const zl = (z: unknown) => ({ z: z as ZlibEngine, proc: c.Z_NO_FLUSH, fin: c.Z_FINISH });
  const br = (z: unknown) => ({ z: z as ZlibEngine, proc: c.BROTLI_OPERATION_PROCESS, fin: c.BROTLI_OPERATION_FINISH });
  const make: Record<Op, () => { z: ZlibEngine; proc: number; fin: number }> = {
    gzip: () => zl(zlib.createGzip(opts)),
    gunzip: () => zl(zlib.createGunzip()),
    deflate: () => zl(zlib.createDeflate(opts)),
    inflate: () => zl(zlib.createInflate()),
    deflateRaw: () => zl(zlib.createDeflateRaw(opts)),
    inflateRaw: () => zl(zlib.createInflateRaw()),
    unzip: () => zl(zlib.createUnzip()),
    brotliCompress: () => br(zlib.createBrotliCompress()),
    brotliDecompress: () => br(zlib.createBrotliDecompress()),
  };
  return Object.hasOwn(make, op) ? make[op as Op]() : undefined;
}

/**
 * `maxOutput`: the guest's memory could not hold more, so a decompression
 * bomb stops there; the deadline (`remainingMs`) is checked between steps.
 */
export function compress(a: { op?: unknown; level?: unknown }, data: Uint8Array | undefined, maxOutput: number, remainingMs: () => number): Uint8Array {
  if (a.level !== undefined && a.level !== null && (typeof a.level !== "number" || !Number.isInteger(a.level) || a.level < -1 || a.level > 9)) {
    throw new GuestError({ code: "ERR_OUT_OF_RANGE", name: "RangeError", message: `The value of "options.level" is out of range. It must be >= -1 and <= 9. Received ${shown(a.level)}` });
  }
  let made;
  try {
    made = typeof a.op === "string" ? engine(a.op, (a.level ?? undefined) as number | undefined) : undefined;
  } catch (err) {
    throw zlibError(err);
  }
  if (!made) throw invalidArg(`unknown zlib operation ${shown(a.op)}`);
  const { z, proc, fin } = made;
  // (the engine records its error at once and emits it later: a listener must be there by then)
  z.on("error", () => {});
  const kError = Object.getOwnPropertySymbols(z).find((k) => k.description === "kError");
  const input = data ?? new Uint8Array(0);
  const deadline = performance.now() + remainingMs();
  const cap = Math.max(1, Math.min(maxOutput, 2 ** 31 - 1));
  const out: Uint8Array[] = [];
  let total = 0;
  let buf = new Uint8Array(STEP);
  try {
    for (let off = 0; ; off += STEP) {
      const last = off + STEP >= input.length;
      const chunk = input.subarray(off, off + STEP);
      for (let inOff = 0, inLen = chunk.length; ; ) {
        if (performance.now() > deadline) throw timeUp("zlib");
        z._handle.writeSync(last ? fin : proc, chunk, inOff, inLen, buf, 0, buf.length);
        const failed = kError && (z as unknown as Record<symbol, unknown>)[kError];
        if (failed) throw failed;
        if (!z._handle) throw new Error("the zlib engine stopped");
        const [outLeft, inLeft] = z._writeState as unknown as [number, number];
        const have = buf.length - outLeft;
        if (have > 0) {
          total += have;
          if (total > cap) throw new GuestError({ code: "ERR_BUFFER_TOO_LARGE", name: "RangeError", message: `Cannot create a Buffer larger than ${cap} bytes` });
          out.push(buf.subarray(0, have));
          buf = new Uint8Array(STEP);
        }
        inOff += inLen - inLeft;
        inLen = inLeft;
        if (outLeft !== 0) break; // the engine took all it could of this chunk
      }
      if (last) break;
    }
  } catch (err) {
    throw err instanceof GuestError ? err : zlibError(err);
  } finally {
    z.close();
  }
  return out.length === 1 ? out[0]! : new Uint8Array(Buffer.concat(out, total));
}

function zlibError(err: unknown): GuestError {
  const e = err as NodeJS.ErrnoException & { errno?: number };
  return new GuestError({ code: typeof e?.code === "string" ? e.code : "Z_DATA_ERROR", errno: e?.errno, message: String(e?.message ?? err) });
}
