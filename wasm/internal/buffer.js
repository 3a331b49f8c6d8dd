// node:buffer: the npm `buffer` package (node's Buffer, callable without `new`,
// with enumerable statics as safe-buffer and its kind copy them), plus what
// node 20 has and the package lacks.

import BufferModule from "buffer/index.js";
import { utf8Decode, utf8Encode } from "./utf8.js";

export const { Buffer, SlowBuffer, INSPECT_MAX_BYTES, kMaxLength } = BufferModule;
export const kStringMaxLength = 2 ** 29 - 24;
export const constants = { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: kStringMaxLength };

// base64url: decoding is base64's (the package's decoder takes the URL alphabet);
// encoding is base64 with the URL alphabet and no padding.
const isBase64url = (e) => typeof e === "string" && e.toLowerCase() === "base64url";
for (const [target, name] of [
  [Buffer, "from"],
  [Buffer, "alloc"],
  [Buffer, "byteLength"],
  [Buffer.prototype, "write"],
  [Buffer.prototype, "fill"],
  [Buffer.prototype, "indexOf"],
  [Buffer.prototype, "lastIndexOf"],
  [Buffer.prototype, "includes"],
]) {
  const original = target[name];
  target[name] = function (...args) {
    for (let i = 1; i < args.length; i++) if (isBase64url(args[i])) args[i] = "base64";
    return original.apply(this, args);
  };
}
const isEncoding = Buffer.isEncoding;
Buffer.isEncoding = (e) => isBase64url(e) || isEncoding(e);
const toString = Buffer.prototype.toString;
Buffer.prototype.toString = function (encoding, start, end) {
  if (!isBase64url(encoding)) return toString.apply(this, arguments);
  return toString.call(this, "base64", start, end).replace(/=+$/, "").replace(/[+/]/g, (c) => (c === "+" ? "-" : "_"));
};

export function isUtf8(input) {
  const b = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  return utf8Decode(b).indexOf("\ufffd") === -1 || utf8Encode(utf8Decode(b)).length === b.length;
}

export function isAscii(input) {
  const b = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  for (let i = 0; i < b.length; i++) if (b[i] > 0x7f) return false;
  return true;
}
