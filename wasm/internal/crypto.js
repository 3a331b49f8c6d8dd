// node:crypto: random values, digests and HMACs computed by the host
// (CRYPTO_RANDOM, CRYPTO_HASH); Web Crypto from quickjs-wasi's crypto
// extension (the global `crypto`). Ciphers, signatures and key derivation
// are not offered: they throw ERR_NOT_SUPPORTED_IN_SANDBOX naming themselves.

import { OP } from "../abi.js";
import { host } from "./host.js";
import { Buffer } from "./buffer.js";
import { ERR_INVALID_ARG_TYPE, ERR_OUT_OF_RANGE, notSupported } from "./errors.js";
import { setImmediate } from "./timers.js";

const MAX_RANDOM = 65536;

function fillRandom(view) {
  const bytes = new Uint8Array(view.buffer, view.byteOffset, view.byteLength);
  for (let off = 0; off < bytes.length; off += MAX_RANDOM) {
    const n = Math.min(MAX_RANDOM, bytes.length - off);
    bytes.set(host(OP.CRYPTO_RANDOM, String(n)), off);
  }
  return view;
}

export function randomBytes(size, cb) {
  if (typeof size !== "number") throw new ERR_INVALID_ARG_TYPE("size", "of type number", size);
  if (!(size >= 0 && size <= 2 ** 31 - 1) || !Number.isInteger(size)) throw new ERR_OUT_OF_RANGE("size", ">= 0 && <= 2147483647", size);
  const buf = fillRandom(Buffer.alloc(size));
  if (typeof cb === "function") {
    setImmediate(cb, null, buf); // node fills it on the thread pool
    return undefined;
  }
  return buf;
}
export { randomBytes as pseudoRandomBytes, randomBytes as prng, randomBytes as rng };

export function randomFillSync(buf, offset = 0, size) {
  if (!ArrayBuffer.isView(buf) && !(buf instanceof ArrayBuffer)) throw new ERR_INVALID_ARG_TYPE("buf", "an instance of ArrayBuffer or ArrayBufferView", buf);
  const bytes = buf instanceof ArrayBuffer ? new Uint8Array(buf) : new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
  size ??= bytes.length - offset;
  fillRandom(bytes.subarray(offset, offset + size));
  return buf;
}

export function randomFill(buf, offset, size, cb) {
  if (typeof offset === "function") [offset, size, cb] = [0, undefined, offset];
  else if (typeof size === "function") [size, cb] = [undefined, size];
  randomFillSync(buf, offset, size);
  setImmediate(cb, null, buf);
}

export function randomInt(min, max, cb) {
  if (max === undefined || typeof max === "function") [min, max, cb] = [0, min, max];
  if (!Number.isSafeInteger(min)) throw new ERR_INVALID_ARG_TYPE("min", "a safe integer", min);
  if (!Number.isSafeInteger(max)) throw new ERR_INVALID_ARG_TYPE("max", "a safe integer", max);
  if (max <= min) throw new ERR_OUT_OF_RANGE("max", `greater than the value of "min" (${min})`, max);
  const range = max - min;
  if (range > 2 ** 48 - 1) throw new ERR_OUT_OF_RANGE("max - min", "<= 281474976710655", range);
  // Rejection sampling over 48 random bits, as node does, so every value is equally likely.
  const limit = 2 ** 48 - (2 ** 48 % range);
  let x;
  do {
    const b = host(OP.CRYPTO_RANDOM, "6");
    x = b[0] * 2 ** 40 + b[1] * 2 ** 32 + b[2] * 2 ** 24 + ((b[3] << 16) | (b[4] << 8) | b[5]);
  } while (x >= limit);
  const n = min + (x % range);
  if (typeof cb === "function") {
    setImmediate(cb, null, n);
    return undefined;
  }
  return n;
}

export function randomUUID() {
  const b = host(OP.CRYPTO_RANDOM, "16");
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function getRandomValues(view) {
  return globalThis.crypto.getRandomValues(view);
}

function toBytes(data, encoding, name = "data") {
  if (typeof data === "string") return Buffer.from(data, encoding ?? "utf8");
  if (ArrayBuffer.isView(data)) return new Uint8Array(data.buffer, data.byteOffset, data.byteLength);
  if (data instanceof ArrayBuffer) return new Uint8Array(data);
  throw new ERR_INVALID_ARG_TYPE(name, "of type string or an instance of Buffer, TypedArray, or DataView", data);
}

function digestBytes(algorithm, data, key) {
  return host(OP.CRYPTO_HASH, JSON.stringify({ algorithm, key }), data);
}

function output(bytes, encoding) {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return encoding === undefined || encoding === "buffer" ? buf : buf.toString(encoding);
}

/** Algorithms the host has digested, as hashes and as HMACs: known good, not asked again. */
const digestsSeen = new Set();

/** Hash and Hmac: data is gathered in the guest and digested in one host call. */
class Digest {
  constructor(algorithm, key) {
    if (typeof algorithm !== "string") throw new ERR_INVALID_ARG_TYPE("algorithm", "of type string", algorithm);
    this._algorithm = algorithm;
    this._key = key;
    this._chunks = [];
    this._done = false;
    // node rejects an unknown algorithm here, not at digest()
    const seen = (key === undefined ? "hash " : "hmac ") + algorithm;
    if (digestsSeen.has(seen)) return;
    try {
      digestBytes(algorithm, new Uint8Array(0), key);
      digestsSeen.add(seen);
    } catch (e) {
      if (e.code === "ERR_CRYPTO_INVALID_DIGEST") {
        const err = new Error(key === undefined ? "Digest method not supported" : `Invalid digest: ${algorithm}`);
        if (key !== undefined) err.code = "ERR_CRYPTO_INVALID_DIGEST";
        throw err;
      }
      throw e;
    }
  }

  update(data, encoding) {
    if (this._done) throw finalized();
    this._chunks.push(Uint8Array.from(toBytes(data, encoding)));
    return this;
  }

  digest(encoding) {
    if (this._done) throw finalized();
    this._done = true;
    const data = this._chunks.length === 1 ? this._chunks[0] : Buffer.concat(this._chunks);
    this._chunks = [];
    return output(digestBytes(this._algorithm, data, this._key), encoding);
  }
}

function finalized() {
  const err = new Error("Digest already called");
  err.code = "ERR_CRYPTO_HASH_FINALIZED";
  return err;
}

export class Hash extends Digest {
  constructor(algorithm) {
    super(algorithm);
  }
  copy() {
    if (this._done) throw finalized();
    const h = new Hash(this._algorithm);
    h._chunks = this._chunks.slice();
    return h;
  }
}

export class Hmac extends Digest {
  constructor(algorithm, key) {
    super(algorithm, Buffer.from(toBytes(key, undefined, "key")).toString("base64"));
  }
}

export function createHash(algorithm) {
  return new Hash(algorithm);
}

export function createHmac(algorithm, key) {
  return new Hmac(algorithm, key);
}

/** crypto.hash(algorithm, data, outputEncoding = "hex"): a one-shot digest. */
export function hash(algorithm, data, outputEncoding = "hex") {
  return output(digestBytes(algorithm, toBytes(data)), outputEncoding);
}

export function getHashes() {
  return ["md5", "sha1", "sha224", "sha256", "sha384", "sha512", "sha512-224", "sha512-256", "sha3-224", "sha3-256", "sha3-384", "sha3-512", "ripemd160"];
}

export function getCiphers() {
  return [];
}

export function getCurves() {
  return [];
}

export function timingSafeEqual(a, b) {
  const x = toBytes(a, undefined, "buf1");
  const y = toBytes(b, undefined, "buf2");
  if (x.length !== y.length) {
    const err = new RangeError("Input buffers must have the same byte length");
    err.code = "ERR_CRYPTO_TIMING_SAFE_EQUAL_LENGTH";
    throw err;
  }
  let diff = 0;
  for (let i = 0; i < x.length; i++) diff |= x[i] ^ y[i];
  return diff === 0;
}

export { cryptoConstants as constants } from "./constants.js";

/** What node:crypto has and the sandbox does not: each throws, naming itself. */
export const unsupportedApis = Object.fromEntries(
  [
    "createCipheriv", "createDecipheriv", "createSign", "createVerify", "sign", "verify",
    "generateKeyPair", "generateKeyPairSync", "generateKey", "generateKeySync",
    "createPrivateKey", "createPublicKey", "createSecretKey", "createDiffieHellman", "createECDH", "diffieHellman",
    "publicEncrypt", "privateDecrypt", "privateEncrypt", "publicDecrypt",
    "pbkdf2", "pbkdf2Sync", "scrypt", "scryptSync", "hkdf", "hkdfSync",
  ].map((name) => [name, () => {
    throw notSupported(`crypto.${name}`);
  }]),
);
