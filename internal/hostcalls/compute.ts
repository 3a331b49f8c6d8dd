// Host calls that only compute: random bytes, digests, compression. No
// capability is involved; the host does them because it does them faster.

import { GuestError, invalidArg } from "./errors.ts";

// Loaded on first use: importing them costs every run a few milliseconds.
const crypto = (): typeof import("node:crypto") => require("node:crypto");
const zlibModule = (): typeof import("node:zlib") => require("node:zlib");
let hashes: Set<string> | undefined;

export function random(str: string | undefined): Uint8Array {
  const n = Number(str);
  if (!Number.isInteger(n) || n < 0 || n > 65536) throw invalidArg("random byte count must be 0..65536");
  return new Uint8Array(crypto().randomBytes(n));
}

export function hash(a: { algorithm?: string; key?: string }, data: Uint8Array | undefined): Uint8Array {
  const alg = String(a.algorithm ?? "").toLowerCase();
  const { createHash, createHmac, getHashes } = crypto();
  hashes ??= new Set(getHashes().map((h) => h.toLowerCase()));
  if (!hashes.has(alg)) throw new GuestError({ code: "ERR_CRYPTO_INVALID_DIGEST", message: `Invalid digest: ${a.algorithm}` });
  const h = a.key !== undefined ? createHmac(alg, Buffer.from(a.key, "base64")) : createHash(alg);
  h.update(data ?? new Uint8Array(0));
  return new Uint8Array(h.digest());
}

/** `maxOutput`: the guest's memory could not hold more, so a decompression bomb stops there. */
export function compress(a: { op?: string; level?: number }, data: Uint8Array | undefined, maxOutput: number): Uint8Array {
  const zlib = zlibModule();
  const input = data ?? new Uint8Array(0);
  const opts = { level: a.level, maxOutputLength: Math.max(1, Math.min(maxOutput, 2 ** 31 - 1)) };
  try {
    switch (a.op) {
      case "gzip":
        return new Uint8Array(zlib.gzipSync(input, opts));
      case "gunzip":
        return new Uint8Array(zlib.gunzipSync(input, opts));
      case "deflate":
        return new Uint8Array(zlib.deflateSync(input, opts));
      case "inflate":
        return new Uint8Array(zlib.inflateSync(input, opts));
      case "deflateRaw":
        return new Uint8Array(zlib.deflateRawSync(input, opts));
      case "inflateRaw":
        return new Uint8Array(zlib.inflateRawSync(input, opts));
      case "unzip":
        return new Uint8Array(zlib.unzipSync(input, opts));
      case "brotliCompress":
        return new Uint8Array(zlib.brotliCompressSync(input, { maxOutputLength: opts.maxOutputLength }));
      case "brotliDecompress":
        return new Uint8Array(zlib.brotliDecompressSync(input, { maxOutputLength: opts.maxOutputLength }));
    }
  } catch (err) {
    const e = err as NodeJS.ErrnoException & { errno?: number };
    throw new GuestError({ code: e.code ?? "Z_DATA_ERROR", errno: e.errno, message: e.message });
  }
  throw invalidArg(`unknown zlib operation ${a.op}`);
}
