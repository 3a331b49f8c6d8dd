"use strict";
// DataView reads and writes done in place by compiled code (dataview.ts), and
// bitwise code kept as i32 (int32.ts): every method, both byte orders (absent,
// literal, a number or a boolean decided at run time), offsets at and past the
// edges, views into part of a buffer, empty, detached and resized ones,
// patched getters and prototypes; stored bytes are printed one by one. A
// frozen build must print exactly what the interpreter and node print (NaNs
// computed in compiled code, whose bytes node does not print as QuickJS does:
// tests/build.test.ts).

const show = (v) => (Object.is(v, -0) ? "-0" : typeof v === "number" ? String(v) : Array.isArray(v) ? `[${v.map(show).join(" ")}]` : `${typeof v}:${String(v)}`);
const out = [];
const row = (name, ...values) => out.push(`${name}: ${values.map(show).join(" ")}`);
const attempt = (f) => {
  try {
    return f();
  } catch (e) {
    return `${e.constructor.name}`;
  }
};

function getInt8(v, o, le) { let r = 0, q = 0, p = 0, d = 0; for (let i = 0; i < 1; i++) { r = v.getInt8(o); q = v.getInt8(o, true); p = v.getInt8(o, false); d = v.getInt8(o, le); } return [r, q, p, d]; }
function setInt8(v, o, x, le) { for (let i = 0; i < 1; i++) { v.setInt8(o, x); v.setInt8(o + 8, x, true); v.setInt8(o + 16, x, le); v.setInt8(o + 24, x, o > 1); } return 0; }
function getUint8(v, o, le) { let r = 0, q = 0, p = 0, d = 0; for (let i = 0; i < 1; i++) { r = v.getUint8(o); q = v.getUint8(o, true); p = v.getUint8(o, false); d = v.getUint8(o, le); } return [r, q, p, d]; }
function setUint8(v, o, x, le) { for (let i = 0; i < 1; i++) { v.setUint8(o, x); v.setUint8(o + 8, x, true); v.setUint8(o + 16, x, le); v.setUint8(o + 24, x, o > 1); } return 0; }
function getInt16(v, o, le) { let r = 0, q = 0, p = 0, d = 0; for (let i = 0; i < 1; i++) { r = v.getInt16(o); q = v.getInt16(o, true); p = v.getInt16(o, false); d = v.getInt16(o, le); } return [r, q, p, d]; }
function setInt16(v, o, x, le) { for (let i = 0; i < 1; i++) { v.setInt16(o, x); v.setInt16(o + 8, x, true); v.setInt16(o + 16, x, le); v.setInt16(o + 24, x, o > 1); } return 0; }
function getUint16(v, o, le) { let r = 0, q = 0, p = 0, d = 0; for (let i = 0; i < 1; i++) { r = v.getUint16(o); q = v.getUint16(o, true); p = v.getUint16(o, false); d = v.getUint16(o, le); } return [r, q, p, d]; }
function setUint16(v, o, x, le) { for (let i = 0; i < 1; i++) { v.setUint16(o, x); v.setUint16(o + 8, x, true); v.setUint16(o + 16, x, le); v.setUint16(o + 24, x, o > 1); } return 0; }
function getInt32(v, o, le) { let r = 0, q = 0, p = 0, d = 0; for (let i = 0; i < 1; i++) { r = v.getInt32(o); q = v.getInt32(o, true); p = v.getInt32(o, false); d = v.getInt32(o, le); } return [r, q, p, d]; }
function setInt32(v, o, x, le) { for (let i = 0; i < 1; i++) { v.setInt32(o, x); v.setInt32(o + 8, x, true); v.setInt32(o + 16, x, le); v.setInt32(o + 24, x, o > 1); } return 0; }
function getUint32(v, o, le) { let r = 0, q = 0, p = 0, d = 0; for (let i = 0; i < 1; i++) { r = v.getUint32(o); q = v.getUint32(o, true); p = v.getUint32(o, false); d = v.getUint32(o, le); } return [r, q, p, d]; }
function setUint32(v, o, x, le) { for (let i = 0; i < 1; i++) { v.setUint32(o, x); v.setUint32(o + 8, x, true); v.setUint32(o + 16, x, le); v.setUint32(o + 24, x, o > 1); } return 0; }
function getFloat32(v, o, le) { let r = 0, q = 0, p = 0, d = 0; for (let i = 0; i < 1; i++) { r = v.getFloat32(o); q = v.getFloat32(o, true); p = v.getFloat32(o, false); d = v.getFloat32(o, le); } return [r, q, p, d]; }
function setFloat32(v, o, x, le) { for (let i = 0; i < 1; i++) { v.setFloat32(o, x); v.setFloat32(o + 8, x, true); v.setFloat32(o + 16, x, le); v.setFloat32(o + 24, x, o > 1); } return 0; }
function getFloat64(v, o, le) { let r = 0, q = 0, p = 0, d = 0; for (let i = 0; i < 1; i++) { r = v.getFloat64(o); q = v.getFloat64(o, true); p = v.getFloat64(o, false); d = v.getFloat64(o, le); } return [r, q, p, d]; }
function setFloat64(v, o, x, le) { for (let i = 0; i < 1; i++) { v.setFloat64(o, x); v.setFloat64(o + 8, x, true); v.setFloat64(o + 16, x, le); v.setFloat64(o + 24, x, o > 1); } return 0; }

const getters = { getInt8, getUint8, getInt16, getUint16, getInt32, getUint32, getFloat32, getFloat64 };
const setters = { setInt8, setUint8, setInt16, setUint16, setInt32, setUint32, setFloat32, setFloat64 };
const offsets = [0, -0, 0.5, -0.5, -0.99, -1, 1, 3, 3.5, 4, 5, 6, 7, 7.9, 8, 9, NaN, Infinity, -Infinity, 2 ** 31, 2 ** 32, -(2 ** 31), 2 ** 53];
const orders = [0, 1, -0, NaN, 0.5, -1];
const bytes = (buf) => Array.from(new Uint8Array(buf)).join(",");

// reads: a view on bytes 3..11 of a 16-byte buffer (so byteOffset counts), with every byte distinct
const buf = new ArrayBuffer(16);
new Uint8Array(buf).forEach((_, i, a) => (a[i] = (i * 73 + 129) & 255));
const part = new DataView(buf, 3, 8);
for (const [name, get] of Object.entries(getters)) {
  for (const o of offsets) row(`${name}(${show(o)})`, ...orders.map((le) => attempt(() => get(part, o, le))));
}
// the float readings of special bit patterns: NaNs, infinities, -0, subnormals
const special = new DataView(new ArrayBuffer(8));
for (const bits of [[0x7f, 0xf0, 0, 0, 0, 0, 0, 1], [0xff, 0xf8, 0, 0, 0, 0, 0, 0], [0x80, 0, 0, 0, 0, 0, 0, 0], [0x7f, 0x80, 0, 0, 0, 0, 0, 0], [0xff, 0xc0, 0, 1, 0, 0, 0, 0]]) {
  bits.forEach((b, i) => special.setUint8(i, b));
  row(`special ${bits}`, getFloat32(special, 0, 0), getFloat64(special, 0, 0), getFloat64(special, 0, 1), getInt32(special, 4, 1));
}

// writes: 32-byte views (each setter writes at o, o + 8, o + 16, o + 24), bytes printed after each
const values = [0, -0, 1, -1, 0.5, -1.5, 127.5, 128, 255, 256, -129, 32767, 32768, 65535, 65536, 2147483647, 2147483648, -2147483649, 4294967295, 4294967296, 2 ** 53 + 2, 1e300, -1e300, 5e-324, 3.4028235677973366e38, 3.4028236e38, 1.401298464324817e-45, 7e-46, NaN, 0 / 0, Infinity, -Infinity];
for (const [name, set] of Object.entries(setters)) {
  for (const o of [0, 1, 0.5, -0.5, 3, 4, 7, 8, -1, NaN]) {
    for (const x of values) {
      const wb = new ArrayBuffer(32);
      const r = attempt(() => set(new DataView(wb), o, x, x > 0 ? 1 : 0));
      row(`${name}(${show(o)}, ${show(x)})`, r, bytes(wb));
    }
  }
}
// empty, detached and resized views; a view whose buffer shrank under it throws, one that tracks it follows
const empty = new DataView(new ArrayBuffer(4), 4);
row("empty view", attempt(() => getUint8(empty, 0, 0)), attempt(() => getUint8(empty, -0.5, 0)), attempt(() => setUint8(empty, 0, 1, 0)));
const gone = new ArrayBuffer(8);
const goneView = new DataView(gone);
gone.transfer ? gone.transfer() : structuredClone(gone, { transfer: [gone] });
row("detached", attempt(() => getInt16(goneView, 0, 0)), attempt(() => setInt16(goneView, 0, 1, 0)));
if (typeof ArrayBuffer.prototype.resize === "function") {
  const rb = new ArrayBuffer(8, { maxByteLength: 64 });
  const tracking = new DataView(rb);
  const fixed = new DataView(rb, 0, 8);
  new Uint8Array(rb).fill(7);
  row("resizable", getUint32(tracking, 4, 0), attempt(() => getUint32(tracking, 8, 0)));
  rb.resize(40);
  new Uint8Array(rb).fill(9, 8);
  row("grown", getUint32(tracking, 36, 1), attempt(() => getUint32(tracking, 37, 1)), getUint32(fixed, 4, 0), attempt(() => getUint32(fixed, 8, 0)));
  rb.resize(4);
  row("shrunk", getUint16(tracking, 2, 0), attempt(() => getUint16(tracking, 3, 0)), attempt(() => getUint16(fixed, 0, 0)), attempt(() => setUint16(fixed, 0, 1, 0)));
} else row("resizable", "none");
if (typeof SharedArrayBuffer === "function") {
  const sb = new SharedArrayBuffer(8);
  new Uint8Array(sb).fill(200);
  row("shared", getInt16(new DataView(sb), 6, 1), attempt(() => getInt16(new DataView(sb), 7, 1)));
}

// getters and methods patched after start: the engine's own internal slots decide (as in the interpreter)
{
  const v = new DataView(new ArrayBuffer(8));
  const byteLength = Object.getOwnPropertyDescriptor(DataView.prototype, "byteLength");
  const byteOffset = Object.getOwnPropertyDescriptor(DataView.prototype, "byteOffset");
  Object.defineProperty(DataView.prototype, "byteLength", { get: () => 1 << 20, configurable: true });
  Object.defineProperty(DataView.prototype, "byteOffset", { get: () => 1 << 20, configurable: true });
  row("patched getters", getUint8(v, 7, 0), attempt(() => getUint8(v, 8, 0)), attempt(() => getUint8(v, 100000, 0)));
  Object.defineProperty(DataView.prototype, "byteLength", byteLength);
  Object.defineProperty(DataView.prototype, "byteOffset", byteOffset);
  const proto = Object.create(DataView.prototype);
  proto.getUint16 = () => -3;
  row("prototype swapped", getUint16(Object.setPrototypeOf(new DataView(new ArrayBuffer(8)), proto), 1, 0));
  const p = new Proxy(v, {});
  row("a proxy", attempt(() => getUint8(p, 0, 0)));
}

// a view handed on from one frozen function to another: its bytes go with it
function byteAt(v, o) {
  let s = 0;
  for (let i = 0; i < 1; i++) s = v.getUint8(o) + v.getInt16(o, true);
  return s;
}
function sumBytes(v, n) {
  let t = 0;
  for (let i = 0; i < n; i++) t += byteAt(v, i) + v.getUint8(n - i - 1);
  return t;
}
row("handed on", sumBytes(part, 7), attempt(() => sumBytes(part, 8)), sumBytes(new DataView(buf, 15), 0), attempt(() => sumBytes(goneView, 1)));

// -- bitwise code as i32: leaf functions under a bitwise operator, inlined with their arguments in place
const rotr = (x, n) => (x >>> n) | (x << (32 - n));
const mix = (a, b) => (a << 3) ^ b;
const half = (x) => x / 2;
const fl = (x) => Math.floor(x * 1.5);
const pos = (x) => x > 0;
const three = (a, b, c) => a - b * c;
function bits(x, y) {
  let s = 0;
  for (let i = 0; i < 2; i++) {
    s += (rotr(x, 7) ^ rotr(x, -0) ^ rotr(x, 32) ^ rotr(x, 33.9) ^ rotr(x, NaN)) >>> 0;
    s += (mix(y, x) ^ mix(x, y) ^ mix(x, x) ^ mix(i, 2 ** 32 + 5, x)) | 0;
    s += (half(7) | half(-7) | half(x)) + (fl(x) & fl(-2.5)) + (three(x, 2, y) ^ three(1e10, 3, 7) ^ three(y, x, -0));
    s += rotr(rotr(x, 3), 29) ^ rotr(y + 0.5, 4) ^ rotr(x * 4294967296, 1);
  }
  return s;
}
const bitEdges = [0, -0, 1, -1, 0.5, 2147483647, 2147483648, -2147483648, -2147483649, 4294967295, 4294967296, 2 ** 53, 1e300, NaN, Infinity, -Infinity];
for (const x of bitEdges) row(`bits(${show(x)})`, ...bitEdges.map((y) => bits(x, y)));
function posBits(x) {
  let s = 0;
  for (let i = 0; i < 2; i++) s += pos(x) | 0;
  return s;
}
row("boolean leaf", posBits(1), posBits(-1), posBits(NaN));
// a leaf whose parameter is a bitwise operand only under ~, itself inside arithmetic (its i32 binding crashed the build)
const notLeaf = (x, y) => (y <= -~x ? 1 : 3);
function notBits(a, b) {
  let s = 0;
  for (let i = 0; i < 3; i++) s = (s | notLeaf(a, i + b)) | 0;
  return s;
}
row("~ in a leaf", ...bitEdges.map((x) => notBits(x, 1)), notBits(0, 2));
// a bitwise result stored into every kind of typed array, as its i32 or as the number
const kinds = [Uint8Array, Uint8ClampedArray, Int8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array];
function storeBits(a, x) {
  for (let i = 0; i < 1; i++) {
    a[0] = x | 0;
    a[1] = x >>> 0;
    a[2] = ~x;
    a[3] = rotr(x, 8);
    a[4] = x ^ 0.5;
    a[5] += x >> 1;
    a[-1] = x | 0;
    a[6.5] = x | 0;
    a[a.length] = x | 0;
  }
  return a.length;
}
for (const K of kinds) {
  for (const x of bitEdges) {
    const a = new K(8);
    storeBits(a, x);
    row(`${K.name} <- ${show(x)}`, Array.from(a).map(show).join(","));
  }
}

// elements read under a bitwise operator (their ToInt32 straight from memory), at every kind of index
function readBits(a, i) {
  let s = 0;
  for (let k = 0; k < 1; k++) s = ((a[i] | 0) ^ (a[i] >>> 3)) + (~a[i] & 0xffff) + rotr(a[i + 1], 5) * 2;
  return s;
}
const readValues = [0, -0, 1, -1, 0.5, -1.5, 127.5, 255.5, 65535.5, 2147483647, 2147483648, 4294967295, 4294967296, -2147483649, 2 ** 53 + 2, 1e300, NaN, Infinity, -Infinity];
for (const K of [...kinds, Array]) {
  const a = K === Array ? [...readValues] : K.from(readValues);
  row(`readBits ${K.name}`, ...[0, 1, 3, 9, 14, 17, 18, 19, -1, 0.5, NaN, -0, 2 ** 32].map((i) => readBits(a, i)));
}
row("readBits holey and mixed", readBits([1, , 3], 0), readBits([1, "2", 3], 0), readBits([1, { valueOf: () => 5 }], 0), readBits([2 ** 40, 2.5], 0));

// one-expression recursion over a DataView (a self call inlined must pass the view's three values, not one number)
function viewDepth(v, n) {
  return n <= 0 ? 0 : v.getUint8(n & 7) + viewDepth(v, n - 1);
}
function viewFib(v, n) {
  return n < 2 ? v.getInt8(n) : viewFib(v, n - 1) + viewFib(v, n - 2);
}
const small = new DataView(new ArrayBuffer(8));
for (let i = 0; i < 8; i++) small.setInt8(i, i * 37 - 100);
row("viewDepth", ...[0, 1, 7, 100, 3.5, -1].map((n) => viewDepth(small, n)));
row("viewDepth NaN (never ends)", (() => { try { return viewDepth(small, NaN); } catch (e) { return e.name; } })());
row("viewFib", ...[0, 1, 2, 10, 15].map((n) => viewFib(small, n)));
row("viewFib short view", (() => { try { return viewFib(new DataView(new ArrayBuffer(1)), 5); } catch (e) { return e.name; } })());

console.log(out.join("\n"));
