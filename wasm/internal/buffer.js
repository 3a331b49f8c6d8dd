// node:buffer's Buffer: a Uint8Array with node's methods.

import { ERR_INVALID_ARG_TYPE } from "./errors.js";
import {
  base64Decode,
  base64Encode,
  hexDecode,
  hexEncode,
  latin1Decode,
  latin1Encode,
  utf16leDecode,
  utf16leEncode,
  utf8Decode,
  utf8Encode,
  utf8EncodeInto,
  utf8Length,
} from "./utf8.js";
import { customInspectSymbol } from "./inspect.js";

export const kMaxLength = 2 ** 32 - 1;

function normalizeEncoding(enc) {
  if (enc === undefined || enc === null || enc === "") return "utf8";
  switch (String(enc).toLowerCase()) {
    case "utf8":
    case "utf-8":
      return "utf8";
    case "hex":
      return "hex";
    case "base64":
      return "base64";
    case "base64url":
      return "base64url";
    case "latin1":
    case "binary":
      return "latin1";
    case "ascii":
      return "ascii";
    case "ucs2":
    case "ucs-2":
    case "utf16le":
    case "utf-16le":
      return "utf16le";
    default:
      return undefined;
  }
}

function encodingOrThrow(enc) {
  const e = normalizeEncoding(enc);
  if (e === undefined) {
    const err = new TypeError(`Unknown encoding: ${enc}`);
    err.code = "ERR_UNKNOWN_ENCODING";
    throw err;
  }
  return e;
}

function bytesOf(str, enc) {
  switch (enc) {
    case "utf8":
      return utf8Encode(str);
    case "hex":
      return hexDecode(str);
    case "base64":
    case "base64url":
      return base64Decode(str);
    case "latin1":
    case "ascii":
      return latin1Encode(str);
    case "utf16le":
      return utf16leEncode(str);
  }
}

function checkOffset(buf, offset, size) {
  if (offset === undefined) offset = 0;
  if (typeof offset !== "number") throw new ERR_INVALID_ARG_TYPE("offset", "of type number", offset);
  if (!Number.isInteger(offset) || offset < 0 || offset + size > buf.length) {
    const err = new RangeError(`The value of "offset" is out of range. It must be >= 0 and <= ${buf.length - size}. Received ${offset}`);
    err.code = "ERR_OUT_OF_RANGE";
    throw err;
  }
  return offset;
}

function view(buf) {
  return new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
}

export class Buffer extends Uint8Array {
  static poolSize = 8192;

  static from(value, encodingOrOffset, length) {
    if (typeof value === "string") {
      const b = bytesOf(value, encodingOrThrow(encodingOrOffset));
      return new Buffer(b.buffer, b.byteOffset, b.byteLength);
    }
    if (value instanceof ArrayBuffer || (typeof SharedArrayBuffer !== "undefined" && value instanceof SharedArrayBuffer)) {
      const off = encodingOrOffset === undefined ? 0 : Number(encodingOrOffset);
      return new Buffer(value, off, length === undefined ? value.byteLength - off : Number(length));
    }
    if (ArrayBuffer.isView(value)) {
      const src = new Uint8Array(value.buffer, value.byteOffset, value.byteLength);
      const out = Buffer.allocUnsafe(value instanceof Uint8Array ? src.length : value.length);
      if (value instanceof Uint8Array) out.set(src);
      else for (let i = 0; i < value.length; i++) out[i] = value[i] & 0xff;
      return out;
    }
    if (value !== null && typeof value === "object") {
      if (typeof value[Symbol.toPrimitive] === "function" || typeof value.valueOf === "function") {
        const prim = value[Symbol.toPrimitive]?.("string") ?? value.valueOf();
        if (prim !== value && (typeof prim === "string" || typeof prim === "object")) return Buffer.from(prim, encodingOrOffset, length);
      }
      if (value.type === "Buffer" && Array.isArray(value.data)) return Buffer.from(value.data);
      if (typeof value.length === "number" || Array.isArray(value)) {
        const out = Buffer.allocUnsafe(value.length >>> 0);
        for (let i = 0; i < out.length; i++) out[i] = Number(value[i]) & 0xff;
        return out;
      }
    }
    throw new ERR_INVALID_ARG_TYPE("first argument", "of type string or an instance of Buffer, ArrayBuffer, or Array or an Array-like Object", value);
  }

  static alloc(size, fill, encoding) {
    validateSize(size);
    const b = new Buffer(size);
    if (fill !== undefined && fill !== 0) b.fill(fill, 0, b.length, encoding);
    return b;
  }

  static allocUnsafe(size) {
    validateSize(size);
    return new Buffer(size);
  }

  static allocUnsafeSlow(size) {
    return Buffer.allocUnsafe(size);
  }

  static isBuffer(b) {
    return b instanceof Buffer;
  }

  static isEncoding(enc) {
    return typeof enc === "string" && enc !== "" && normalizeEncoding(enc) !== undefined;
  }

  static byteLength(value, encoding) {
    if (typeof value !== "string") {
      if (ArrayBuffer.isView(value) || value instanceof ArrayBuffer) return value.byteLength;
      throw new ERR_INVALID_ARG_TYPE("string", "of type string or an instance of Buffer or ArrayBuffer", value);
    }
    switch (normalizeEncoding(encoding) ?? "utf8") {
      case "utf8":
        return utf8Length(value);
      case "hex":
        return value.length >>> 1;
      case "base64":
      case "base64url": {
        let n = value.length;
        while (n > 0 && value.charCodeAt(n - 1) === 61) n--;
        return (n * 3) >>> 2;
      }
      case "utf16le":
        return value.length * 2;
      default:
        return value.length;
    }
  }

  static concat(list, totalLength) {
    if (!Array.isArray(list)) throw new ERR_INVALID_ARG_TYPE("list", "an instance of Array", list);
    if (totalLength === undefined) totalLength = list.reduce((n, b) => n + b.length, 0);
    const out = Buffer.alloc(totalLength);
    let off = 0;
    for (const b of list) {
      if (!(b instanceof Uint8Array)) throw new ERR_INVALID_ARG_TYPE("list[0]", "an instance of Buffer or Uint8Array", b);
      const n = Math.min(b.length, totalLength - off);
      if (n <= 0) break;
      out.set(n === b.length ? b : b.subarray(0, n), off);
      off += n;
    }
    return out;
  }

  static compare(a, b) {
    if (!(a instanceof Uint8Array)) throw new ERR_INVALID_ARG_TYPE("buf1", "an instance of Buffer or Uint8Array", a);
    if (!(b instanceof Uint8Array)) throw new ERR_INVALID_ARG_TYPE("buf2", "an instance of Buffer or Uint8Array", b);
    const n = Math.min(a.length, b.length);
    for (let i = 0; i < n; i++) if (a[i] !== b[i]) return a[i] < b[i] ? -1 : 1;
    return a.length < b.length ? -1 : a.length > b.length ? 1 : 0;
  }

  static of(...items) {
    return Buffer.from(items);
  }

  get parent() {
    return this.buffer;
  }

  get offset() {
    return this.byteOffset;
  }

  toString(encoding, start = 0, end = this.length) {
    start = Math.max(0, start | 0);
    end = Math.min(this.length, end === undefined ? this.length : end | 0);
    if (end <= start) return "";
    switch (encodingOrThrow(encoding)) {
      case "utf8":
        if (typeof TextDecoder !== "undefined") return decoder().decode(this.subarray(start, end));
        return utf8Decode(this, start, end);
      case "hex":
        return hexEncode(this, start, end);
      case "base64":
        return base64Encode(this, start, end);
      case "base64url":
        return base64Encode(this, start, end, true);
      case "latin1":
        return latin1Decode(this, start, end);
      case "ascii":
        return latin1Decode(this, start, end, 0x7f);
      case "utf16le":
        return utf16leDecode(this, start, end);
    }
  }

  toLocaleString(encoding, start, end) {
    return this.toString(encoding, start, end);
  }

  write(string, offset, length, encoding) {
    if (typeof offset === "string") {
      encoding = offset;
      offset = 0;
      length = this.length;
    } else if (typeof length === "string") {
      encoding = length;
      length = this.length - (offset ?? 0);
    }
    offset = offset === undefined ? 0 : offset >>> 0;
    length = Math.min(length === undefined ? this.length - offset : length >>> 0, this.length - offset);
    const enc = encodingOrThrow(encoding);
    if (enc === "utf8") return utf8EncodeInto(string, this, offset, length);
    const bytes = bytesOf(string, enc);
    const n = Math.min(bytes.length, length);
    this.set(bytes.subarray(0, n), offset);
    return n;
  }

  toJSON() {
    return { type: "Buffer", data: Array.from(this) };
  }

  equals(other) {
    if (!(other instanceof Uint8Array)) throw new ERR_INVALID_ARG_TYPE("otherBuffer", "an instance of Buffer or Uint8Array", other);
    return Buffer.compare(this, other) === 0;
  }

  compare(target, targetStart = 0, targetEnd = target.length, sourceStart = 0, sourceEnd = this.length) {
    return Buffer.compare(this.subarray(sourceStart, sourceEnd), target.subarray(targetStart, targetEnd));
  }

  copy(target, targetStart = 0, sourceStart = 0, sourceEnd = this.length) {
    sourceEnd = Math.min(sourceEnd, this.length);
    const n = Math.max(0, Math.min(sourceEnd - sourceStart, target.length - targetStart));
    if (n > 0) target.set(this.subarray(sourceStart, sourceStart + n), targetStart);
    return n;
  }

  slice(start, end) {
    return this.subarray(start, end);
  }

  subarray(start, end) {
    const u = Uint8Array.prototype.subarray.call(this, start, end);
    return new Buffer(u.buffer, u.byteOffset, u.byteLength);
  }

  fill(value, offset = 0, end = this.length, encoding) {
    if (typeof offset === "string") {
      encoding = offset;
      offset = 0;
      end = this.length;
    } else if (typeof end === "string") {
      encoding = end;
      end = this.length;
    }
    if (typeof value === "string") {
      const bytes = bytesOf(value, encodingOrThrow(encoding));
      if (bytes.length === 0) return Uint8Array.prototype.fill.call(this, 0, offset, end), this;
      if (bytes.length === 1) return Uint8Array.prototype.fill.call(this, bytes[0], offset, end), this;
      for (let i = offset, j = 0; i < end; i++, j = (j + 1) % bytes.length) this[i] = bytes[j];
      return this;
    }
    if (value instanceof Uint8Array) {
      for (let i = offset, j = 0; i < end; i++, j = (j + 1) % value.length) this[i] = value[j];
      return this;
    }
    Uint8Array.prototype.fill.call(this, Number(value) & 0xff, offset, end);
    return this;
  }

  indexOf(value, byteOffset = 0, encoding) {
    return search(this, value, byteOffset, encoding, true);
  }

  lastIndexOf(value, byteOffset = this.length, encoding) {
    return search(this, value, byteOffset, encoding, false);
  }

  includes(value, byteOffset, encoding) {
    return this.indexOf(value, byteOffset, encoding) !== -1;
  }

  swap16() {
    for (let i = 0; i + 1 < this.length; i += 2) [this[i], this[i + 1]] = [this[i + 1], this[i]];
    return this;
  }

  swap32() {
    for (let i = 0; i + 3 < this.length; i += 4) {
      [this[i], this[i + 1], this[i + 2], this[i + 3]] = [this[i + 3], this[i + 2], this[i + 1], this[i]];
    }
    return this;
  }

  swap64() {
    for (let i = 0; i + 7 < this.length; i += 8) {
      for (let j = 0; j < 4; j++) [this[i + j], this[i + 7 - j]] = [this[i + 7 - j], this[i + j]];
    }
    return this;
  }

  readUIntLE(offset, byteLength) {
    checkOffset(this, offset, byteLength);
    let v = 0;
    for (let i = byteLength - 1; i >= 0; i--) v = v * 256 + this[offset + i];
    return v;
  }

  readUIntBE(offset, byteLength) {
    checkOffset(this, offset, byteLength);
    let v = 0;
    for (let i = 0; i < byteLength; i++) v = v * 256 + this[offset + i];
    return v;
  }

  readIntLE(offset, byteLength) {
    const v = this.readUIntLE(offset, byteLength);
    const limit = 2 ** (8 * byteLength - 1);
    return v >= limit ? v - 2 * limit : v;
  }

  readIntBE(offset, byteLength) {
    const v = this.readUIntBE(offset, byteLength);
    const limit = 2 ** (8 * byteLength - 1);
    return v >= limit ? v - 2 * limit : v;
  }

  writeUIntLE(value, offset, byteLength) {
    checkOffset(this, offset, byteLength);
    for (let i = 0; i < byteLength; i++) {
      this[offset + i] = value & 0xff;
      value = Math.floor(value / 256);
    }
    return offset + byteLength;
  }

  writeUIntBE(value, offset, byteLength) {
    checkOffset(this, offset, byteLength);
    for (let i = byteLength - 1; i >= 0; i--) {
      this[offset + i] = value & 0xff;
      value = Math.floor(value / 256);
    }
    return offset + byteLength;
  }

  writeIntLE(value, offset, byteLength) {
    return this.writeUIntLE(value < 0 ? value + 2 ** (8 * byteLength) : value, offset, byteLength);
  }

  writeIntBE(value, offset, byteLength) {
    return this.writeUIntBE(value < 0 ? value + 2 ** (8 * byteLength) : value, offset, byteLength);
  }

  [customInspectSymbol](_depth, options) {
    const max = 50;
    let str = "";
    const n = Math.min(max, this.length);
    for (let i = 0; i < n; i++) str += (i ? " " : "") + (this[i] < 16 ? "0" : "") + this[i].toString(16);
    const remaining = this.length - max;
    if (remaining > 0) str += ` ... ${remaining} more byte${remaining > 1 ? "s" : ""}`;
    void options;
    return `<${this.constructor.name} ${str}>`;
  }
}

// Fixed-width reads and writes, little and big endian, with node's aliases.
const FIXED = [
  ["UInt8", 1, "getUint8", "setUint8"],
  ["Int8", 1, "getInt8", "setInt8"],
  ["UInt16", 2, "getUint16", "setUint16"],
  ["Int16", 2, "getInt16", "setInt16"],
  ["UInt32", 4, "getUint32", "setUint32"],
  ["Int32", 4, "getInt32", "setInt32"],
  ["Float", 4, "getFloat32", "setFloat32"],
  ["Double", 8, "getFloat64", "setFloat64"],
  ["BigUInt64", 8, "getBigUint64", "setBigUint64"],
  ["BigInt64", 8, "getBigInt64", "setBigInt64"],
];
for (const [name, size, get, set] of FIXED) {
  const ends = size === 1 ? [""] : ["LE", "BE"];
  for (const end of ends) {
    const little = end === "LE";
    const read = function (offset = 0) {
      checkOffset(this, offset, size);
      return view(this)[get](offset, little);
    };
    const write = function (value, offset = 0) {
      checkOffset(this, offset, size);
      view(this)[set](offset, value, little);
      return offset + size;
    };
    for (const n of new Set([name, name.replace("UInt", "Uint")])) {
      Object.defineProperty(Buffer.prototype, `read${n}${end}`, { value: read, writable: true, configurable: true });
      Object.defineProperty(Buffer.prototype, `write${n}${end}`, { value: write, writable: true, configurable: true });
    }
  }
}
for (const n of ["readUIntLE", "readUIntBE", "writeUIntLE", "writeUIntBE"]) {
  Object.defineProperty(Buffer.prototype, n.replace("UInt", "Uint"), { value: Buffer.prototype[n], writable: true, configurable: true });
}

let textDecoder;
function decoder() {
  textDecoder ??= new TextDecoder();
  return textDecoder;
}

function validateSize(size) {
  if (typeof size !== "number") throw new ERR_INVALID_ARG_TYPE("size", "of type number", size);
  if (!(size >= 0 && size <= kMaxLength)) {
    const err = new RangeError(`The value of "size" is out of range. It must be >= 0 && <= ${kMaxLength}. Received ${size}`);
    err.code = "ERR_OUT_OF_RANGE";
    throw err;
  }
}

function search(buf, value, byteOffset, encoding, forward) {
  if (typeof byteOffset === "string") {
    encoding = byteOffset;
    byteOffset = forward ? 0 : buf.length;
  }
  byteOffset = Number(byteOffset);
  if (Number.isNaN(byteOffset)) byteOffset = forward ? 0 : buf.length;
  if (byteOffset < 0) byteOffset = buf.length + byteOffset;
  let needle;
  if (typeof value === "number") needle = [value & 0xff];
  else if (typeof value === "string") needle = bytesOf(value, encodingOrThrow(encoding));
  else if (value instanceof Uint8Array) needle = value;
  else throw new ERR_INVALID_ARG_TYPE("value", "one of type number or string or an instance of Buffer or Uint8Array", value);
  if (needle.length === 0) return forward ? Math.min(Math.max(byteOffset, 0), buf.length) : Math.min(byteOffset, buf.length);
  const last = buf.length - needle.length;
  if (forward) {
    for (let i = Math.max(0, byteOffset); i <= last; i++) if (matchAt(buf, needle, i)) return i;
  } else {
    for (let i = Math.min(byteOffset, last); i >= 0; i--) if (matchAt(buf, needle, i)) return i;
  }
  return -1;
}

function matchAt(buf, needle, i) {
  for (let j = 0; j < needle.length; j++) if (buf[i + j] !== needle[j]) return false;
  return true;
}

export function SlowBuffer(size) {
  return Buffer.allocUnsafeSlow(size);
}

export const constants = { MAX_LENGTH: kMaxLength, MAX_STRING_LENGTH: 2 ** 29 - 24 };

export function isUtf8(input) {
  const b = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  return utf8Decode(b).indexOf("\ufffd") === -1 || utf8Encode(utf8Decode(b)).length === b.length;
}

export function isAscii(input) {
  const b = input instanceof ArrayBuffer ? new Uint8Array(input) : input;
  for (let i = 0; i < b.length; i++) if (b[i] > 0x7f) return false;
  return true;
}
