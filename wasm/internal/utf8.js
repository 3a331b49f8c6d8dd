// UTF-8 in plain JS, for the runtime's own text (fetch bodies, fs, child output).

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
function utf8EncodeInto(str, out, off, max = out.length - off) {
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
