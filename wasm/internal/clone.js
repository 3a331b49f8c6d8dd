// Structured clone to bytes, for messages between sandbox instances (worker
// threads): values, Date, RegExp, Map, Set, Error, ArrayBuffer, typed arrays,
// DataView, BigInt, cycles and shared references. Functions and symbols throw
// DataCloneError, as in node; a SharedArrayBuffer, ERR_NOT_SUPPORTED_IN_SANDBOX. Transferred ArrayBuffers are detached on the
// sending side (ArrayBuffer.prototype.transfer).
//
// Layout: u32 length of a JSON tree, the tree, then the bytes of every
// ArrayBuffer the tree names by index.

const TYPED = { Int8Array, Uint8Array, Uint8ClampedArray, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array, BigInt64Array, BigUint64Array };
const ERRORS = { Error, EvalError, RangeError, ReferenceError, SyntaxError, TypeError, URIError };

function dataCloneError(what) {
  const err = new Error(`${what} could not be cloned.`);
  err.name = "DataCloneError";
  err.code = 25;
  return err;
}

/** `value` as bytes; the ArrayBuffers in `transfer` are detached. */
export function serialize(value, transfer = []) {
  const seen = new Map(); // object -> ref index
  const buffers = []; // ArrayBuffer in order
  const bufferIndex = new Map();
  const buf = (ab) => {
    let i = bufferIndex.get(ab);
    if (i === undefined) {
      i = buffers.length;
      buffers.push(ab);
      bufferIndex.set(ab, i);
    }
    return i;
  };
  const enc = (v) => {
    switch (typeof v) {
      case "string":
      case "boolean":
        return v;
      case "number":
        return Number.isFinite(v) && !Object.is(v, -0) ? v : { t: "n", v: String(Object.is(v, -0) ? "-0" : v) };
      case "undefined":
        return { t: "u" };
      case "bigint":
        return { t: "b", v: String(v) };
      case "function":
        throw dataCloneError(`${v.toString().slice(0, 40)}`);
      case "symbol":
        throw dataCloneError(String(v));
    }
    if (v === null) return null;
    if (seen.has(v)) return { t: "r", v: seen.get(v) };
    if (v instanceof SharedArrayBuffer || (ArrayBuffer.isView(v) && v.buffer instanceof SharedArrayBuffer)) {
      const err = new Error("a SharedArrayBuffer cannot be posted: workers share no memory in the sandbox");
      err.code = "ERR_NOT_SUPPORTED_IN_SANDBOX";
      throw err;
    }
    const id = seen.size;
    seen.set(v, id);
    if (v instanceof ArrayBuffer) return { t: "ab", id, v: buf(v) };
    if (ArrayBuffer.isView(v)) {
      const kind = v instanceof DataView ? "DataView" : Object.keys(TYPED).find((k) => v instanceof TYPED[k]);
      return { t: "view", id, k: kind, b: buf(v.buffer), o: v.byteOffset, l: v instanceof DataView ? v.byteLength : v.length };
    }
    if (v instanceof Date) return { t: "d", id, v: v.getTime() };
    if (v instanceof RegExp) return { t: "re", id, v: v.source, f: v.flags };
    if (v instanceof Map) return { t: "m", id, v: [...v].map(([k, x]) => [enc(k), enc(x)]) };
    if (v instanceof Set) return { t: "s", id, v: [...v].map(enc) };
    if (v instanceof Error) return { t: "e", id, n: ERRORS[v.name] ? v.name : "Error", m: String(v.message), s: String(v.stack ?? ""), c: "cause" in v ? enc(v.cause) : undefined };
    if (Array.isArray(v)) return { t: "a", id, v: v.map(enc) };
    if (typeof v === "object") {
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null && !(v instanceof Object)) throw dataCloneError(Object.prototype.toString.call(v));
      const out = {};
      for (const k of Object.keys(v)) out[k] = enc(v[k]);
      return { t: "o", id, v: out };
    }
    throw dataCloneError(String(v));
  };
  for (const t of transfer) if (!(t instanceof ArrayBuffer)) throw dataCloneError("Only ArrayBuffers can be transferred: a transferred object");
  const tree = new TextEncoder().encode(JSON.stringify(enc(value)));
  const parts = buffers.map((ab) => new Uint8Array(ab.slice(0)));
  const head = JSON.stringify(parts.map((p) => p.length));
  const headBytes = new TextEncoder().encode(head);
  const total = 8 + tree.length + headBytes.length + parts.reduce((n, p) => n + p.length, 0);
  const out = new Uint8Array(total);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, tree.length, true);
  dv.setUint32(4, headBytes.length, true);
  out.set(tree, 8);
  out.set(headBytes, 8 + tree.length);
  let at = 8 + tree.length + headBytes.length;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  for (const t of transfer) t.transfer(); // detach what was transferred
  return out;
}

/** The value `serialize` made `bytes` of. */
export function deserialize(bytes) {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const treeLen = dv.getUint32(0, true);
  const headLen = dv.getUint32(4, true);
  const dec = new TextDecoder();
  const tree = JSON.parse(dec.decode(bytes.subarray(8, 8 + treeLen)));
  const lengths = JSON.parse(dec.decode(bytes.subarray(8 + treeLen, 8 + treeLen + headLen)));
  let at = 8 + treeLen + headLen;
  const buffers = lengths.map((n) => {
    const ab = bytes.slice(at, at + n).buffer;
    at += n;
    return ab;
  });
  const refs = [];
  const keep = (id, v) => ((refs[id] = v), v);
  const dec2 = (n) => {
    if (n === null || typeof n !== "object") return n;
    switch (n.t) {
      case "n":
        return Number(n.v);
      case "u":
        return undefined;
      case "b":
        return BigInt(n.v);
      case "r":
        return refs[n.v];
      case "ab":
        return keep(n.id, buffers[n.v]);
      case "view":
        return keep(n.id, n.k === "DataView" ? new DataView(buffers[n.b], n.o, n.l) : new TYPED[n.k](buffers[n.b], n.o, n.l));
      case "d":
        return keep(n.id, new Date(n.v));
      case "re":
        return keep(n.id, new RegExp(n.v, n.f));
      case "m": {
        const m = keep(n.id, new Map());
        for (const [k, v] of n.v) m.set(dec2(k), dec2(v));
        return m;
      }
      case "s": {
        const s = keep(n.id, new Set());
        for (const v of n.v) s.add(dec2(v));
        return s;
      }
      case "e": {
        const e = keep(n.id, new (ERRORS[n.n] ?? Error)(n.m));
        Object.defineProperty(e, "stack", { value: n.s, writable: true, configurable: true, enumerable: false });
        if (n.c !== undefined) e.cause = dec2(n.c);
        return e;
      }
      case "a": {
        const a = keep(n.id, []);
        for (const v of n.v) a.push(dec2(v));
        return a;
      }
      case "o": {
        const o = keep(n.id, {});
        for (const k of Object.keys(n.v)) o[k] = dec2(n.v[k]);
        return o;
      }
    }
    throw new Error("malformed message");
  };
  return dec2(tree);
}
