// UTF-8 and the other byte encodings Buffer and TextDecoder need, in plain JS.

export function utf8Encode(str) {
  const out = new Uint8Array(utf8Length(str));
  utf8EncodeInto(str, out, 0);
  return out;
}

export function utf8Length(str) {
  let n = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length && (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** Write `str` as UTF-8 at `off`; stops (at a character boundary) when `out` is full. Returns bytes written. */
export function utf8EncodeInto(str, out, off, max = out.length - off) {
  const end = off + max;
  const start = off;
  for (let i = 0; i < str.length; i++) {
    let c = str.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff && i + 1 < str.length && (str.charCodeAt(i + 1) & 0xfc00) === 0xdc00) {
      c = 0x10000 + ((c - 0xd800) << 10) + (str.charCodeAt(i + 1) - 0xdc00);
      if (off + 4 > end) break;
      out[off++] = 0xf0 | (c >> 18);
      out[off++] = 0x80 | ((c >> 12) & 0x3f);
      out[off++] = 0x80 | ((c >> 6) & 0x3f);
      out[off++] = 0x80 | (c & 0x3f);
      i++;
      continue;
    }
    if (c >= 0xd800 && c <= 0xdfff) c = 0xfffd; // lone surrogate
    if (c < 0x80) {
      if (off + 1 > end) break;
      out[off++] = c;
    } else if (c < 0x800) {
      if (off + 2 > end) break;
      out[off++] = 0xc0 | (c >> 6);
      out[off++] = 0x80 | (c & 0x3f);
    } else {
      if (off + 3 > end) break;
      out[off++] = 0xe0 | (c >> 12);
      out[off++] = 0x80 | ((c >> 6) & 0x3f);
      out[off++] = 0x80 | (c & 0x3f);
    }
  }
  return off - start;
}

/** Decode UTF-8, replacing invalid sequences with U+FFFD as the WHATWG decoder does. */
export function utf8Decode(bytes, start = 0, end = bytes.length) {
  let out = "";
  let chunk = [];
  let i = start;
  while (i < end) {
    const b = bytes[i];
    let cp = 0xfffd;
    let n = 1;
    if (b < 0x80) {
      cp = b;
    } else if (b >= 0xc2 && b <= 0xdf) {
      if (i + 1 < end && (bytes[i + 1] & 0xc0) === 0x80) {
        cp = ((b & 0x1f) << 6) | (bytes[i + 1] & 0x3f);
        n = 2;
      }
    } else if (b >= 0xe0 && b <= 0xef) {
      const lo = b === 0xe0 ? 0xa0 : 0x80;
      const hi = b === 0xed ? 0x9f : 0xbf;
      if (i + 1 < end && bytes[i + 1] >= lo && bytes[i + 1] <= hi) {
        if (i + 2 < end && (bytes[i + 2] & 0xc0) === 0x80) {
          cp = ((b & 0x0f) << 12) | ((bytes[i + 1] & 0x3f) << 6) | (bytes[i + 2] & 0x3f);
          n = 3;
        } else n = 2;
      }
    } else if (b >= 0xf0 && b <= 0xf4) {
      const lo = b === 0xf0 ? 0x90 : 0x80;
      const hi = b === 0xf4 ? 0x8f : 0xbf;
      if (i + 1 < end && bytes[i + 1] >= lo && bytes[i + 1] <= hi) {
        if (i + 2 < end && (bytes[i + 2] & 0xc0) === 0x80) {
          if (i + 3 < end && (bytes[i + 3] & 0xc0) === 0x80) {
            cp = ((b & 0x07) << 18) | ((bytes[i + 1] & 0x3f) << 12) | ((bytes[i + 2] & 0x3f) << 6) | (bytes[i + 3] & 0x3f);
            n = 4;
          } else n = 3;
        } else n = 2;
      }
    }
    i += n;
    if (cp > 0xffff) {
      cp -= 0x10000;
      chunk.push(0xd800 + (cp >> 10), 0xdc00 + (cp & 0x3ff));
    } else {
      chunk.push(cp);
    }
    if (chunk.length >= 8192) {
      out += String.fromCharCode.apply(null, chunk);
      chunk = [];
    }
  }
  return out + String.fromCharCode.apply(null, chunk);
}

const B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const B64_LOOKUP = new Int16Array(256).fill(-1);
for (let i = 0; i < 64; i++) {
  B64_LOOKUP[B64.charCodeAt(i)] = i;
  B64_LOOKUP[B64URL.charCodeAt(i)] = i;
}

export function base64Encode(bytes, start = 0, end = bytes.length, url = false) {
  const alphabet = url ? B64URL : B64;
  let out = "";
  let i = start;
  for (; i + 2 < end; i += 3) {
    const n = (bytes[i] << 16) | (bytes[i + 1] << 8) | bytes[i + 2];
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63] + alphabet[(n >> 6) & 63] + alphabet[n & 63];
  }
  if (i < end) {
    const n = (bytes[i] << 16) | (i + 1 < end ? bytes[i + 1] << 8 : 0);
    out += alphabet[n >> 18] + alphabet[(n >> 12) & 63];
    if (i + 1 < end) out += alphabet[(n >> 6) & 63];
    if (!url) out += i + 1 < end ? "=" : "==";
  }
  return out;
}

/** Lenient like node: skips characters outside the alphabet, stops at '='. */
export function base64Decode(str) {
  const out = new Uint8Array(Math.floor((str.length * 3) / 4) + 3);
  let n = 0;
  let bits = 0;
  let acc = 0;
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    if (c === 61) break; // '='
    const v = c < 256 ? B64_LOOKUP[c] : -1;
    if (v < 0) continue;
    acc = (acc << 6) | v;
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out[n++] = (acc >> bits) & 0xff;
    }
  }
  return out.subarray(0, n);
}

export function hexEncode(bytes, start = 0, end = bytes.length) {
  let out = "";
  for (let i = start; i < end; i++) out += (bytes[i] < 16 ? "0" : "") + bytes[i].toString(16);
  return out;
}

/** As node: decodes pairs until the first invalid one. */
export function hexDecode(str) {
  const out = new Uint8Array(str.length >> 1);
  let n = 0;
  for (; n < out.length; n++) {
    const v = Number.parseInt(str.substr(n * 2, 2), 16);
    if (Number.isNaN(v) || !/^[0-9a-fA-F]{2}$/.test(str.substr(n * 2, 2))) break;
    out[n] = v;
  }
  return out.subarray(0, n);
}

export function latin1Encode(str) {
  const out = new Uint8Array(str.length);
  for (let i = 0; i < str.length; i++) out[i] = str.charCodeAt(i) & 0xff;
  return out;
}

export function latin1Decode(bytes, start = 0, end = bytes.length, mask = 0xff) {
  let out = "";
  for (let i = start; i < end; i += 8192) {
    const part = bytes.subarray(i, Math.min(end, i + 8192));
    out += String.fromCharCode.apply(null, mask === 0xff ? part : Array.from(part, (b) => b & mask));
  }
  return out;
}

export function utf16leEncode(str) {
  const out = new Uint8Array(str.length * 2);
  for (let i = 0; i < str.length; i++) {
    const c = str.charCodeAt(i);
    out[i * 2] = c & 0xff;
    out[i * 2 + 1] = c >> 8;
  }
  return out;
}

export function utf16leDecode(bytes, start = 0, end = bytes.length) {
  let out = "";
  for (let i = start; i + 1 < end; i += 2) out += String.fromCharCode(bytes[i] | (bytes[i + 1] << 8));
  return out;
}
