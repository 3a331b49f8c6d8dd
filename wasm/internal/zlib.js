// node:zlib: compression done by the host (ZLIB). The synchronous and
// callback forms are whole-buffer, as node's are. The stream forms
// (createGzip, ...) gather their input and compress it at the end: correct
// output, but not incremental (a stream's whole input is held in the guest).

import { OP } from "../abi.js";
import { host } from "./host.js";
import { Buffer } from "./buffer.js";
import { Transform } from "./stream.js";
import { ERR_INVALID_ARG_TYPE } from "./errors.js";
import { process } from "./process.js";
import { setImmediate } from "./timers.js";

export const constants = {
  Z_NO_FLUSH: 0, Z_PARTIAL_FLUSH: 1, Z_SYNC_FLUSH: 2, Z_FULL_FLUSH: 3, Z_FINISH: 4, Z_BLOCK: 5,
  Z_OK: 0, Z_STREAM_END: 1, Z_NEED_DICT: 2, Z_ERRNO: -1, Z_STREAM_ERROR: -2, Z_DATA_ERROR: -3, Z_MEM_ERROR: -4, Z_BUF_ERROR: -5, Z_VERSION_ERROR: -6,
  Z_NO_COMPRESSION: 0, Z_BEST_SPEED: 1, Z_BEST_COMPRESSION: 9, Z_DEFAULT_COMPRESSION: -1,
  Z_FILTERED: 1, Z_HUFFMAN_ONLY: 2, Z_RLE: 3, Z_FIXED: 4, Z_DEFAULT_STRATEGY: 0, ZLIB_VERNUM: 4865,
  DEFLATE: 1, INFLATE: 2, GZIP: 3, GUNZIP: 4, DEFLATERAW: 5, INFLATERAW: 6, UNZIP: 7, BROTLI_DECODE: 8, BROTLI_ENCODE: 9,
  Z_MIN_WINDOWBITS: 8, Z_MAX_WINDOWBITS: 15, Z_DEFAULT_WINDOWBITS: 15, Z_MIN_CHUNK: 64, Z_MAX_CHUNK: Infinity, Z_DEFAULT_CHUNK: 16384,
  Z_MIN_MEMLEVEL: 1, Z_MAX_MEMLEVEL: 9, Z_DEFAULT_MEMLEVEL: 8, Z_MIN_LEVEL: -1, Z_MAX_LEVEL: 9, Z_DEFAULT_LEVEL: -1,
  BROTLI_OPERATION_PROCESS: 0, BROTLI_OPERATION_FLUSH: 1, BROTLI_OPERATION_FINISH: 2, BROTLI_OPERATION_EMIT_METADATA: 3,
  BROTLI_PARAM_MODE: 0, BROTLI_MODE_GENERIC: 0, BROTLI_MODE_TEXT: 1, BROTLI_MODE_FONT: 2, BROTLI_DEFAULT_MODE: 0,
  BROTLI_PARAM_QUALITY: 1, BROTLI_MIN_QUALITY: 0, BROTLI_MAX_QUALITY: 11, BROTLI_DEFAULT_QUALITY: 11,
  BROTLI_PARAM_LGWIN: 2, BROTLI_MIN_WINDOW_BITS: 10, BROTLI_MAX_WINDOW_BITS: 24, BROTLI_DEFAULT_WINDOW: 22,
  BROTLI_PARAM_SIZE_HINT: 5,
};
Object.freeze(constants);

function input(buffer) {
  if (typeof buffer === "string") return Buffer.from(buffer);
  if (ArrayBuffer.isView(buffer)) return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
  if (buffer instanceof ArrayBuffer) return new Uint8Array(buffer);
  throw new ERR_INVALID_ARG_TYPE("buffer", "of type string or an instance of Buffer, TypedArray, DataView, or ArrayBuffer", buffer);
}

function run(op, buffer, opts) {
  const out = host(OP.ZLIB, JSON.stringify({ op, level: opts?.level }), input(buffer));
  return Buffer.from(out.buffer, out.byteOffset, out.byteLength);
}

const OPS = ["gzip", "gunzip", "deflate", "inflate", "deflateRaw", "inflateRaw", "unzip", "brotliCompress", "brotliDecompress"];
const STREAMS = { gzip: "Gzip", gunzip: "Gunzip", deflate: "Deflate", inflate: "Inflate", deflateRaw: "DeflateRaw", inflateRaw: "InflateRaw", unzip: "Unzip", brotliCompress: "BrotliCompress", brotliDecompress: "BrotliDecompress" };

/** A zlib stream: gathers what is written, and emits the result at the end. */
class ZlibStream extends Transform {
  constructor(op, opts) {
    super(opts);
    this._op = op;
    this._opts = opts;
    this._chunks = [];
    this.bytesWritten = 0;
  }
  _transform(chunk, encoding, cb) {
    const bytes = typeof chunk === "string" ? Buffer.from(chunk, encoding) : chunk;
    this._chunks.push(bytes);
    this.bytesWritten += bytes.length;
    cb();
  }
  _flush(cb) {
    try {
      const out = run(this._op, Buffer.concat(this._chunks), this._opts);
      this._chunks = [];
      cb(null, out);
    } catch (e) {
      cb(e);
    }
  }
  close(cb) {
    if (cb) process.nextTick(cb);
    this.destroy();
  }
  flush(kind, cb) {
    if (typeof kind === "function") cb = kind;
    if (cb) process.nextTick(cb);
  }
  params(_level, _strategy, cb) {
    if (cb) process.nextTick(cb);
  }
  reset() {
    this._chunks = [];
  }
}

const api = {};
for (const op of OPS) {
  api[`${op}Sync`] = (buffer, opts) => run(op, buffer, opts);
  api[op] = (buffer, opts, cb) => {
    if (typeof opts === "function") [opts, cb] = [{}, opts];
    if (typeof cb !== "function") throw new ERR_INVALID_ARG_TYPE("callback", "of type function", cb);
    // node completes these on its thread pool: the callback comes after pending I/O, as an immediate does
    let result;
    try {
      result = run(op, buffer, opts);
    } catch (e) {
      setImmediate(cb, e);
      return;
    }
    setImmediate(cb, null, result);
  };
  const name = STREAMS[op];
  const Stream = { [name]: class extends ZlibStream {
    constructor(opts) {
      super(op, opts);
    }
  } }[name];
  api[name] = Stream;
  api[`create${name}`] = (opts) => new Stream(opts);
}

export const {
  gzip, gzipSync, gunzip, gunzipSync, deflate, deflateSync, inflate, inflateSync,
  deflateRaw, deflateRawSync, inflateRaw, inflateRawSync, unzip, unzipSync,
  brotliCompress, brotliCompressSync, brotliDecompress, brotliDecompressSync,
  Gzip, Gunzip, Deflate, Inflate, DeflateRaw, InflateRaw, Unzip, BrotliCompress, BrotliDecompress,
  createGzip, createGunzip, createDeflate, createInflate, createDeflateRaw, createInflateRaw, createUnzip,
  createBrotliCompress, createBrotliDecompress,
} = api;

/** crc32(data, value = 0), as node 22 has it. */
export function crc32(data, value = 0) {
  const bytes = input(data);
  let c = ~value >>> 0;
  for (let i = 0; i < bytes.length; i++) {
    c ^= bytes[i];
    for (let k = 0; k < 8; k++) c = c & 1 ? (c >>> 1) ^ 0xedb88320 : c >>> 1;
  }
  return ~c >>> 0;
}
