// node:buffer: the npm `buffer` package (node's Buffer, callable without `new`,
// with enumerable statics as safe-buffer and its kind copy them), plus what
// node 20 has and the package lacks.

import BufferModule from "buffer/index.js";
import { utf8Decode, utf8Encode, utf8Length } from "./utf8.js";

export const { Buffer, SlowBuffer, INSPECT_MAX_BYTES, kMaxLength } = BufferModule;
export const kStringMaxLength = 2 ** 29 - 24;
export const constants = { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: kStringMaxLength };

const isUtf8Name = (e) => !e || (typeof e === "string" && /^utf-?8$/i.test(e));
const isBase64url = (e) => typeof e === "string" && e.toLowerCase() === "base64url";

// The package turns text into bytes and back, and fills, one byte at a time in JS, which
// QuickJS's interpreter runs tens of times slower than native code: UTF-8 goes through the
// encoding extension's TextEncoder/TextDecoder (linked on first use; utf8.js where it is not
// there) and numeric fills through Uint8Array's own. And base64url, which the package lacks:
// decoding is base64's (its decoder takes the URL alphabet); encoding is base64 with the URL
// alphabet and no padding.
let encoder, decoder;
const encodeUtf8 = (text) => (typeof TextEncoder === "undefined" ? utf8Encode(text) : (encoder ??= new TextEncoder()).encode(text));
function decodeUtf8(bytes, start, end) {
  if (typeof TextDecoder === "undefined") return utf8Decode(bytes, start, end);
  decoder ??= new TextDecoder("utf-8", { ignoreBOM: true }); // a BOM stays, as in node
  return decoder.decode(new Uint8Array(bytes.buffer, bytes.byteOffset + start, end - start));
}

const { from, byteLength } = Buffer;
Buffer.from = function (value, encodingOrOffset, length) {
  if (typeof value === "string" && isUtf8Name(encodingOrOffset)) {
    const bytes = encodeUtf8(value);
    return from.call(this, bytes.buffer, bytes.byteOffset, bytes.length);
  }
  return from.call(this, value, isBase64url(encodingOrOffset) ? "base64" : encodingOrOffset, length);
};
Buffer.byteLength = function (value, encoding) {
  if (typeof value === "string" && isUtf8Name(encoding)) return utf8Length(value);
  return byteLength.call(this, value, isBase64url(encoding) ? "base64" : encoding);
};
// (named as node's are: the wrappers above are anonymous)
for (const k of ["from", "byteLength"]) Object.defineProperty(Buffer[k], "name", { value: k });
for (const [target, name] of [
  [Buffer, "alloc"],
  [Buffer.prototype, "write"],
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
const fill = Buffer.prototype.fill;
Buffer.prototype.fill = function (value, start, end, encoding) {
  if (typeof value === "number" && (start === undefined || typeof start === "number") && (end === undefined || typeof end === "number")) {
    if (start < 0 || this.length < start || this.length < end) throw new RangeError("Out of range index");
    return Uint8Array.prototype.fill.call(this, value & 255, start, end);
  }
  const args = [value, start, end, encoding].map((a, i) => (i > 0 && isBase64url(a) ? "base64" : a));
  return fill.apply(this, args);
};
const isEncoding = Buffer.isEncoding;
Buffer.isEncoding = (e) => isBase64url(e) || isEncoding(e);
const toString = Buffer.prototype.toString;
Buffer.prototype.toString = function (encoding, start, end) {
  if (isUtf8Name(encoding)) {
    start = start === undefined || start < 0 ? 0 : start >>> 0;
    end = end === undefined || end > this.length ? this.length : end >>> 0;
    return start >= end ? "" : decodeUtf8(this, start, end);
  }
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
