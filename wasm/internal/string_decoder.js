// node:string_decoder: bytes to text without splitting characters across writes.

import { Buffer } from "./buffer.js";

export class StringDecoder {
  constructor(encoding = "utf8") {
    const e = String(encoding).toLowerCase().replace("-", "");
    if (!Buffer.isEncoding(e)) {
      const err = new TypeError(`Unknown encoding: ${encoding}`);
      err.code = "ERR_UNKNOWN_ENCODING";
      throw err;
    }
    this.encoding = e === "utf8" ? "utf8" : e === "ucs2" || e === "utf16le" ? "utf16le" : e === "binary" ? "latin1" : e;
    this._pending = Buffer.alloc(0);
  }

  /** How many trailing bytes of `b` start a character that is not complete yet. */
  _incomplete(b) {
    if (this.encoding === "utf8") {
      for (let back = 1; back <= Math.min(3, b.length); back++) {
        const c = b[b.length - back];
        if ((c & 0xc0) === 0x80) continue;
        const need = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        return need > back ? back : 0;
      }
      return 0;
    }
    if (this.encoding === "utf16le") return b.length % 2;
    if (this.encoding === "base64" || this.encoding === "base64url") return b.length % 3;
    return 0;
  }

  write(buf) {
    if (typeof buf === "string") return buf;
    const b = this._pending.length ? Buffer.concat([this._pending, buf]) : Buffer.from(buf);
    const keep = this._incomplete(b);
    this._pending = b.subarray(b.length - keep);
    return b.subarray(0, b.length - keep).toString(this.encoding);
  }

  end(buf) {
    let out = buf ? this.write(buf) : "";
    if (this._pending.length) {
      out += this._pending.toString(this.encoding);
      this._pending = Buffer.alloc(0);
    }
    return out;
  }

  get lastNeed() {
    return this._pending.length ? 1 : 0;
  }
}
