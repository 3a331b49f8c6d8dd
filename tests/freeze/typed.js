"use strict";
// Typed arrays in frozen functions, and loops compiled on their own out of
// code that is not frozen. Printed for many inputs, edge values included: a
// frozen build must print exactly what the interpreter (and node) print.

const show = (v) => (Object.is(v, -0) ? "-0" : typeof v === "number" ? String(v) : `${typeof v}:${String(v)}`);
const out = [];
const row = (name, ...values) => out.push(`${name}: ${values.map(show).join(" ")}`);
const attempt = (f) => {
  try {
    return f();
  } catch (e) {
    return `${e.constructor.name}`;
  }
};
const edges = [0, -0, 1, -1, 0.5, 1.5, 2.5, 254.5, 255.5, 256, -129, 65535.5, 2147483647, 2147483648, -2147483649, 4294967295, 4294967296, 2 ** 53, 2 ** 53 + 2, 1e300, -1e-300, 5e-324, NaN, Infinity, -Infinity];
const kinds = [Uint8Array, Uint8ClampedArray, Int8Array, Int16Array, Uint16Array, Int32Array, Uint32Array, Float32Array, Float64Array];

// -- frozen functions with typed-array parameters

function sum(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
/** Stores every edge value; what each kind makes of it is read back. */
function storeAll(a, v) {
  for (let i = 0; i < a.length; i++) a[i] = v;
  return a.length;
}
/** Reads at any index: past the end, negative, fractional, -0, NaN are undefined in JS (NaN here, only ever computed with). */
function readAt(a, i) {
  return a[i] + 0;
}
/** Writes at any index: outside the array nothing happens; -0 is index 0. */
function writeAt(a, i, v) {
  a[i] = v;
  a[i] += 1;
  a[i]++;
  return a.length;
}
/** Reads past the end flow into locals and arithmetic (undefined and NaN agree there). */
function pastEnd(a) {
  let t = a[a.length];
  let s = t | 0;
  if (a[a.length + 1]) s += 100;
  if (!(a[-1] < 0)) s += 10;
  return s + (t > 0 ? 1 : 2);
}
/** Two arrays and a call that passes them on. */
function dot(a, b) {
  let s = 0;
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) s += a[i] * b[i];
  return s;
}
function dotTwice(a, b) {
  let s = 0;
  for (let k = 0; k < 2; k++) s += dot(a, b);
  return s;
}
/** Swaps in place, recursion over a typed array (quick sort). */
function qsort(a, lo, hi) {
  if (lo >= hi) return 0;
  const p = a[(lo + hi) >> 1];
  let i = lo;
  let j = hi;
  while (i <= j) {
    while (a[i] < p) i++;
    while (a[j] > p) j--;
    if (i <= j) {
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
      i++;
      j--;
    }
  }
  qsort(a, lo, j);
  qsort(a, i, hi);
  return a.length;
}
// two element reads compared, one past the end: compiled knowing which (undefined === undefined)
function compares(a) {
  let n = 0;
  for (let i = 0; i <= a.length; i++) if (a[i] === a[i]) n++;
  return n;
}
// not frozen: each tells undefined from NaN
function comparesHeld(a) {
  let n = 0;
  for (let i = 0; i <= a.length; i++) {
    const x = a[i];
    if (x === a[i + 1]) n++;
  }
  return n;
}
function returnsElement(a, i) {
  for (let k = 0; k < 1; k++) i = i + 0;
  return a[i];
}

for (const K of kinds) {
  const a = new K(edges.length);
  edges.forEach((v, i) => (a[i] = v));
  row(`${K.name} sum`, sum(a), sum(new K(0)));
  for (const v of edges) {
    const b = new K(3);
    storeAll(b, v);
    row(`${K.name} store ${show(v)}`, ...b, 1 / b[0]);
  }
  const c = new K([7, 8, 9]);
  row(`${K.name} readAt`, ...[0, -0, 1, 2, 3, -1, 0.5, NaN, Infinity, 2 ** 32, 2 ** 53].map((i) => readAt(c, i)));
  for (const i of [0, -0, 2, 3, -1, 1.5, NaN, 2 ** 32]) {
    const d = new K([1, 2, 3]);
    row(`${K.name} writeAt ${show(i)}`, writeAt(d, i, 41.5), ...d);
  }
  row(`${K.name} pastEnd`, pastEnd(new K([5, 6])), pastEnd(new K(0)));
  row(`${K.name} compares`, compares(new K([1, 2])), comparesHeld(new K([1, 1])), show(returnsElement(new K([1]), 0)), show(returnsElement(new K([1]), 5)));
}
const f = new Float64Array([3, -1, 2.5, NaN, -0, 0, Infinity, -7]);
const g = new Float64Array([1, 2, 3, 4, 5, 6, 7, 8, 9]);
row("dot", dot(f, g), dotTwice(f, g), dot(new Int8Array([-128, 127]), new Uint32Array([4294967295, 2])), dotTwice(new Uint8Array(0), g));
const sorted = new Int32Array(200).map((_, i) => (i * 7919) % 211 - 100);
qsort(sorted, 0, sorted.length - 1);
row("qsort", sorted.join(","), qsort(new Float64Array([3, NaN, 1, -0, 0, 2]), 0, 5));
// a view into part of a buffer: its offset and length, not the buffer's
const buf = new ArrayBuffer(64);
const part = new Int16Array(buf, 8, 4);
storeAll(part, -2);
row("subarray", sum(part), sum(new Int16Array(buf)), sum(new Uint8Array(buf)), sum(new Uint8Array(buf).subarray(10, 20)));
// not typed arrays of a kind it takes: the interpreter runs them
const proxy = new Proxy(new Uint8Array([1, 2, 3]), {});
row("not typed", sum([1, 2, 3]), sum({ length: 2, 0: 5, 1: 6 }), sum("123"), attempt(() => sum(proxy)), attempt(() => sum(null)), sum(new BigInt64Array(0)), attempt(() => sum(new BigInt64Array(2))));
row("dataview", sum(new DataView(new ArrayBuffer(8))), attempt(() => storeAll(undefined, 1)), storeAll([0, 0], 3));
// detached and shrunk buffers: length 0, reads undefined, writes ignored
const gone = new ArrayBuffer(8);
const onGone = new Uint8Array(gone);
onGone.fill(9);
row("before detach", sum(onGone));
const moved = gone.transfer ? gone.transfer() : structuredClone(gone, { transfer: [gone] }); // (node 20 has no transfer)
row("detached", sum(onGone), storeAll(onGone, 1), readAt(onGone, 0), writeAt(onGone, 0, 1), onGone.length, new Uint8Array(moved)[0]);
const rab = new ArrayBuffer(8, { maxByteLength: 16 });
const tracking = new Uint8Array(rab);
const fixed = new Uint8Array(rab, 0, 8);
storeAll(tracking, 3);
rab.resize(4);
row("shrunk", sum(tracking), tracking.length, sum(fixed), storeAll(fixed, 1));
rab.resize(16);
row("grown", sum(tracking), tracking.length, storeAll(tracking, 2), sum(tracking));

// -- loops compiled on their own (this file's top level and a function that creates objects)

const sq = new Float64Array(1000);
for (let i = 0; i < sq.length; i++) sq[i] = i * i - 500.5;
let total = 0;
let count = 0;
for (let i = 0; i < sq.length; i++) {
  if (sq[i] < 0) continue;
  total += sq[i];
  count++;
  if (total > 1e8) break;
}
row("top-level loop", total, count, sq[999]);

let x = 1;
let y = -0;
let z = "text";
for (let i = 0; i < 3; i++) y = y * 2;
row("-0 survives", y);
for (let i = 0; i < 3; i++) x = x * 3 + z.length; // a string: not compiled (properties), the interpreter's result
row("not numbers", x);
let big = 2 ** 53 - 2;
for (let i = 0; i < 4; i++) big += 1;
row("2^53", big);
let wide = 2147483646;
for (let i = 0; i < 3; i++) wide = (wide + 1) | 0;
row("2^31", wide);
let maybeText = 0;
for (let i = 0; i < 2; i++) maybeText += 1;
maybeText = "x";
for (let i = 0; i < 2; i++) maybeText += 1; // not a number now: the guard sends it to the interpreter
row("guarded", show(maybeText));

function withObjects(n) {
  const rows = [];
  const acc = new Uint32Array(4);
  let h = 0x811c9dc5;
  for (let i = 0; i < n; i++) {
    h = Math.imul ? (h ^ (i & 0xff)) >>> 0 : h;
    acc[i & 3] = (acc[i & 3] + h) >>> 0;
  }
  for (let i = 0; i < n; i++) {
    h = (h ^ i) * 16777619;
    h = h >>> 0;
    acc[i & 3] ^= h;
  }
  rows.push({ h, acc: Array.from(acc) });
  return JSON.stringify(rows);
}
row("partly", withObjects(1000), withObjects(0), withObjects(-1));

const K2 = new Uint32Array([0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5]);
const rotr = (v, n) => (v >>> n) | (v << (32 - n));
function rounds(words) {
  const w = new Uint32Array(16);
  w.set(words);
  let a = 0x6a09e667;
  let b = 0xbb67ae85;
  for (let i = 0; i < 64; i++) {
    const t = (a + (rotr(b, 6) ^ rotr(b, 11)) + K2[i & 3] + w[i & 15]) | 0;
    b = a;
    a = t;
    w[i & 15] = t;
  }
  return [a >>> 0, b >>> 0, Array.from(w).join(",")].join(" ");
}
row("rounds", rounds([1, 2, 3]), rounds([]), rounds([4294967295, 2147483648]));

// -- indexes computed as i32s: bitwise results (negative; past 2^31 through >>>), int32
// variables, integer constants; reads past either end give undefined, stores there nothing

function bitIndex(a, x, n) {
  let s = 0;
  for (let i = 0; i < n; i++) {
    const j = (x + i) | 0;
    s += a[x >> 1] + a[x >>> 28] + a[x & 7] + a[~x] + a[x << 2] + a[j] + a[2] + a[i % 3] + a[j % 5] + a[j % 1];
    a[x & 3] = s;
    a[x >> 30] = 7;
    a[x >>> 0] = 9;
    a[~x] = 11;
    a[j] = 13;
    a[j % 6] += i % 7;
    a[1] ^= x;
  }
  for (let i = 0; i < a.length; i++) a[i - 3] += (a[i + 2] | 0) + i;
  return s;
}
for (const K of kinds) {
  for (const x of [0, 1, 3, 7, -1, -2, -8, 2 ** 31, 2 ** 32 - 1, 0x10000007, 1.5, NaN]) {
    const a = new K([1, 2, 3, 4, 5, 6, 7, 8]);
    row(`bitIndex ${K.name} ${x}`, bitIndex(a, x, 9), Array.from(a).join(","));
  }
}
const SIX = 6;
function bitRead(a, x, n) {
  let s = 0;
  const j = x | 0;
  for (let i = 0; i < n; i++) s += a[x >> 1] + a[x & 3] + a[~x] + a[0] + a[x >>> 0] + a[j % 5] + a[j % SIX];
  for (let i = 0; i < a.length; i++) s += a[i % 3] * (i + 1);
  for (let i = 0; i < a.length; i++) s += (a[i - 2] || 0) * 3 + (a[i + 3] || 0) * 5 + (a[i - 0] || 0);
  for (let i = 0; i < 6; i++) s += (a[i + 1] || 0) * 7 + (a[i - 1] || 0) * 11 + (a[i - 2147483647] || 0);
  return s;
}
const plainWithMinus = [1, 2, 3, 4];
plainWithMinus["-1"] = 100;
// (a sparse Array as long as JS allows: read past 2^31 only through its window)
function windowed(a, b) {
  let s = 0;
  for (let i = 0; i < b.length; i++) s += (a[i + 1] || 0) + a[0] + b[i];
  return s;
}
const sparse = [4, 5, 6];
sparse.length = 2 ** 32 - 1;
row("windowed", windowed(sparse, new Float64Array([1, 2, 3, 4])), windowed([1, 2], new Int8Array([-1, 1])), windowed(sparse, new Uint8Array(0)));
for (const x of [0, 2, 5, 7, -1, -3, 2 ** 31]) row(`bitRead ${x}`, bitRead([1, 2, 3, 4], x, 2), bitRead(new Float64Array([1, 2, 3, 4]), x, 2), bitRead(plainWithMinus, x, 2));

// -- a number variable's ToInt32 computed once and reused until the variable is assigned: not
// across an assignment in a branch, not into a later round of a loop that assigns it, not from
// an if's branch into its else or past its end

const low = (y) => y & 0xff;
function reuse(x, n, a) {
  let s = 0;
  let v = x;
  s += low(v) + (v >>> 8) + low(v + 1);
  s += v >>> 1;
  let r = v ^ 0x5a5a;
  let top = r >>> 24;
  s += top + (r & 255);
  if (n > 2) r = r * 1.5;
  s += r >>> 3;
  if (n > 1) v = v * 3 + 0.5;
  s += (v | 0) + (v & 3);
  let w = x * 2;
  s += w >>> 1;
  for (let i = 0; i < n; i++) {
    s += (w ^ i) & 0xffff;
    s += w >>> 28;
    w = w + 1.25 + a[i & 3];
  }
  s += w >> 2;
  let u = x + 0.75;
  if (n > 2) s += (u << 1) + (u >>> 3);
  else s += (u << 2) + (u >>> 5);
  s += (u & 7) + (u & 9);
  for (let i = 0; i < n; i++) if (a[i & 3] > 2) u = u * 5 + 1;
  s += u ^ 1;
  // compound bitwise assignments: the variable read before the right side runs
  let q = x * 1.5;
  q ^= a[n & 3];
  q |= (q = q + 2.5) & 7;
  s += q;
  q >>>= n;
  s += q;
  q <<= a[1];
  q &= q >>> 2;
  return s + q;
}
for (const x of [0, 1, -1, 2.5, 1e10, -7.75, 2 ** 31, 2 ** 32 + 3, NaN]) {
  row(`reuse ${x}`, ...[0, 1, 2, 3, 5].map((n) => reuse(x, n, new Int32Array([1, 5, -3, 9]))));
  row(`reuse f64 ${x}`, ...[0, 1, 2, 3, 5].map((n) => reuse(x, n, new Float64Array([1.5, 2 ** 32 + 5, NaN, -1e20]))));
}

// -- numbers and booleans mixed in && and || where only truthiness counts: conditions and !

function mixedTests(a, n) {
  let c = 0;
  let k = n;
  while (--k && a[k] != a[0]) c++;
  for (let i = 0; i < a.length; i++) {
    if (a[i] || i > 2) c += 2;
    else if (!(a[i] && i)) c += 3;
    c += !(i || a[i]) ? 5 : 7;
    c += (a[i] && i > 0) || (i && a[i] > 1) ? 11 : 13;
  }
  return c + (k > 1 || a[1] ? 1 : 0);
}
for (const a of [[0, 1, 2, 3], [NaN, -0, 0, 5, 0.5], [1, 1, 1, 1, 1, 1], []]) {
  for (const n of [1, 2, 3, 9]) row(`mixedTests ${a.join(",")} ${n}`, mixedTests(new Float64Array(a), n), mixedTests(a, n));
}

// -- % over integers (a remainder of magnitudes, the dividend's sign) and everything else (fmod)

function modAll(xs, ys, out) {
  let k = 0;
  for (let i = 0; i < xs.length; i++) for (let j = 0; j < ys.length; j++) out[k++] = xs[i] % ys[j];
  return k;
}
{
  const xs = new Float64Array([...edges, -1, -7, 7, 16, -16, 4294967295, -4294967295, 4294967294, 3.5, -2147483648]);
  const ys = new Float64Array([...edges, 3, -3, 16, -16, 4294967295, -4294967296, 2147483648]);
  const out = new Float64Array(xs.length * ys.length);
  modAll(xs, ys, out);
  for (let i = 0; i < xs.length; i++) row(`mod ${show(xs[i])}`, ...out.subarray(i * ys.length, (i + 1) * ys.length));
}

// -- DataViews: their get and set methods are called through the engine

function readBE(view, n) {
  let s = 0;
  for (let i = 0; i < n; i++) s = (s + view.getUint32(i * 4) + view.getInt16(i, true) + view.getFloat32(0)) % 1e9;
  return s;
}
function writeLE(view, n, v) {
  for (let i = 0; i < n; i++) {
    view.setUint16(i * 2, v + i, true);
    view.setFloat64(8, v / 3);
  }
  return view.getUint8(0) + view.getInt8(1) + view.getFloat64(8, false);
}
const dv = new DataView(new ArrayBuffer(24));
for (let i = 0; i < 24; i++) dv.setUint8(i, i * 37);
row("dataview read", readBE(dv, 4), readBE(dv, 0), attempt(() => readBE(dv, 7)), readBE(new DataView(new ArrayBuffer(8), 4), 1));
row("dataview write", writeLE(dv, 3, 70000.5), writeLE(dv, 4, -1), writeLE(dv, 1, NaN), attempt(() => writeLE(dv, 13, 1)), dv.getUint16(0, true), dv.getUint16(24 - 2, true));
row("not a dataview", attempt(() => readBE(new Uint8Array(8), 1)), attempt(() => readBE({ getUint32: () => 1, getInt16: () => 2, getFloat32: () => 0.5 }, 3)));
// a loop that throws midway: the variables it changed are seen by the catch, as in the interpreter
let seen = 0;
let lastOk = -1;
try {
  for (let i = 0; i < 10; i++) {
    seen += dv.getUint8(i * 3);
    lastOk = i;
  }
} catch (e) {
  row("thrown midway", e.constructor.name, seen, lastOk);
}
// DataView's method replaced (on the prototype, then on the object): the interpreter runs it
const original = DataView.prototype.getUint32;
DataView.prototype.getUint32 = function (o) {
  return 7 + o;
};
row("patched prototype", readBE(dv, 2));
DataView.prototype.getUint32 = original;
const own = new DataView(new ArrayBuffer(16));
own.getInt16 = () => -5;
row("own method", readBE(own, 3), readBE(dv, 2));
// a detached buffer: a TypeError from the engine
const dvBuf = new ArrayBuffer(8);
const dvGone = new DataView(dvBuf);
dvBuf.transfer ? dvBuf.transfer() : structuredClone(dvBuf, { transfer: [dvBuf] });
row("detached view", attempt(() => readBE(dvGone, 1)), readBE(dvGone, 0));

// a var declared in a loop outlives it: such a loop stays in the interpreter
let varSum = 0;
for (var vi = 0; vi < 5; vi++) varSum += vi;
row("var in loop", varSum, vi);

// bitwise operations nested in each other, with literals far outside int32 (converted at build time)
function lits(x) {
  let s = 0;
  for (let i = 0; i < 2; i++) {
    s += ((x | 4294967296.5) ^ (~2147483648.7 & (1e21 | 0))) + (x >>> 31.9) * 3 + ((9007199254740993 << 1) ^ (-0 | x)) * 5;
    s += (x & 0xffffffff) * 7 + ~~x * 11 + (x >> 1e300) * 13 + (5e-324 | x) * 17 + ((x << 3) >>> 0) * 19 + (~x >>> 1);
  }
  return s;
}
row("literals", ...edges.map(lits));

// arrow functions held in a const (bundlers make them var): candidates like declarations
const tri = (n) => (n <= 0 ? 0 : n + tri(n - 1));
const countDown = (n) => {
  "use strict";
  let k = 0;
  while (n > 0) (n--, k++);
  return k;
};
row("arrows", tri(100), tri(2.5), tri("4"), attempt(() => tri(1e6)), countDown(10), countDown(NaN), countDown("3"));

// a loop with nothing but a local variable reading a const typed array defined later in the code
let late = 0;
const early = new Int8Array([1, -2, 3]);
for (let i = 0; i < 4; i++) late += early[i] | 0;
row("late", late);

// -- functions that return no value (undefined), and variables declared without one

/** Falls off its end: undefined to JS, its writes kept. */
function fillWith(a, v) {
  var i;
  for (i = 0; i < a.length; i++) a[i] = v;
}
/** `return;` part way, under a condition. */
function clampAll(a, hi) {
  if (hi !== hi) return;
  for (let i = 0; i < a.length; i++) if (a[i] > hi) a[i] = hi;
}
/** Calls them as statements, from compiled code; `let t;` is new undefined on each pass. */
function fillThenSum(a, v) {
  fillWith(a, v);
  clampAll(a, 100);
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    let t;
    t = a[i] * 2;
    s += t;
  }
  return s;
}
/** Assigned on both branches before its reads. */
function bothBranches(a) {
  var t, s = 0;
  if (a.length > 2) t = a[0];
  else t = -1;
  for (let i = 0; i < a.length; i++) s += t;
  return s;
}
/** Undefined on the first pass (its read comes before its assignment), and after no pass at all. */
function readFirst(a, k) {
  var t;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    s += t | 0;
    t = k * i;
  }
  return s + t;
}
/** Assigned under a condition only: may return undefined. */
function maybeSet(a, k) {
  var t;
  for (let i = 0; i < a.length; i++) if (a[i] > 1) t = k;
  return t;
}
/** Uses the value of a function that returns none. */
function usesNothing(a) {
  let s = 0;
  for (let i = 0; i < 2; i++) s += fillWith(a, i);
  return s;
}
/** A value on one path, none on another. */
function someValue(a) {
  for (let i = 0; i < a.length; i++) if (a[i] < 0) return i;
  return;
}
/** Recurses past any depth: the interpreter's RangeError. */
function deepVoid(a, n) {
  if (n <= 0) return;
  a[0] = n;
  deepVoid(a, n - 1);
}
for (const K of kinds) {
  const a = new K(edges.length);
  row(`${K.name} fillWith`, fillWith(a, 2.5), ...a.subarray(0, 3));
  const b = new K(edges.length);
  edges.forEach((v, i) => (b[i] = v));
  row(`${K.name} clampAll`, clampAll(b, 7), ...b, clampAll(b, NaN));
  row(`${K.name} fillThenSum`, fillThenSum(new K(4), 300), fillThenSum(new K(0), 1), fillThenSum(new K(3), -0.5));
  row(`${K.name} branches`, bothBranches(new K([5, 6, 7])), bothBranches(new K([5])), bothBranches(new K(0)));
  row(`${K.name} readFirst`, readFirst(new K([1, 2, 3]), 2), readFirst(new K(0), 2));
  row(`${K.name} maybeSet`, maybeSet(new K([1, 2, 3]), 4), maybeSet(new K([1]), 4));
}
const plainA = [1, 2, 3];
row("void on plain and other arrays", fillWith(plainA, 9), ...plainA, fillWith({ length: 2 }, 1), attempt(() => fillWith(null, 1)), clampAll([300, 1], 5));
row("value of none", usesNothing(new Float64Array(2)), someValue(new Int8Array([1, -1])), someValue(new Int8Array([1])));
row("void depth", attempt(() => deepVoid(new Float64Array(1), 1e6)), deepVoid(new Float64Array(1), 3));

// -- variables that only ever hold an int32 (i32 locals), and sums of such kept in i32

/** A quarter round as hashing writes it: every local an int32, sums wrapped by | 0. */
function quarter(a) {
  var x0 = a[0] | 0, x1 = a[1] | 0, x2 = a[2] | 0, x3 = a[3] | 0, u;
  for (let r = 0; r < 4; r++) {
    u = x0 + x3 | 0;
    x1 ^= u << 7 | u >>> 25;
    u = x1 + x0 | 0;
    x2 ^= u << 9 | u >>> 23;
    u = x2 - x1 - 2147483648 | 0;
    x3 ^= (u << 13) | (u >>> 19);
    u = (x3 >>> 0) + (x2 >>> 0) + 4294967295 | 0;
    x0 ^= u << 18 | u >>> 14;
  }
  a[0] = x0;
  a[1] = x1;
  a[2] = x2 >>> 0;
  a[3] = x3;
  return x0 + x1 * 2 + (x2 < 0 ? 1 : 0) + x3 / 3;
}
/** Int32 locals read as numbers: in arithmetic, comparisons, indices, a callee's argument, the result. */
function int32Reads(a, k) {
  let h = k | 0, m = -5, c = 0;
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    h = h * 31 + (a[i] | 0) | 0;
    m = h > 0 ? h & 7 : -1;
    if (m === -1) c = ~c;
    s += h / 2 + m + readAt(a, m) + (h < c ? 1 : 0);
  }
  return s + h + m + c;
}
/** Not int32s: given something else somewhere (+=, >>>=, ++, a fraction, -0), they stay numbers. */
function notInt32(a) {
  let p = 1, q = 2, r = 3, t = 4, z = 5;
  for (let i = 0; i < a.length; i++) {
    p = a[i] | 0;
    p += 0.5;
    q = a[i] | 0;
    q >>>= 0;
    r = a[i] & 3;
    r++;
    t = i & 1 ? 1.5 : a[i] | 0;
    z = i & 1 ? -0 : a[i] ^ 1;
  }
  return p + q + r + t + 1 / z;
}
const words = [0, 1, -1, 2147483647, -2147483648, 4294967295, 0.5, -0.5, 1e10, -1e10, 2 ** 53, NaN, Infinity, -Infinity, -0];
for (const K of [Int32Array, Uint32Array, Float64Array]) {
  for (let i = 0; i + 4 <= words.length; i += 2) {
    const a = K.from(words.slice(i, i + 4));
    row(`${K.name} quarter ${i}`, quarter(a), ...a);
  }
  const b = K.from(words);
  row(`${K.name} int32Reads`, int32Reads(b, 7), int32Reads(b, NaN), int32Reads(new K(0), 3), notInt32(b), notInt32(new K(0)));
}

// -- a loop compiled on its own whose variables it writes before reading them start undefined

/** Creates objects, so only its loop is compiled; u and i are undefined when it starts. */
function firstWrites(a, n) {
  const out = [];
  var u, i, w = 7;
  while (n > 0) {
    u = 1;
    for (i = 0; i < a.length; i++) {
      u = u + (a[i] & 0xff) | 0;
      a[i] = u & 0xff;
      u >>>= 8;
    }
    w = u;
    n--;
  }
  out.push(u, i, w);
  return out;
}
/** Its loop may throw part way (a DataView read past the end): the variables it wrote go back with the exception. */
function firstWritesThrow(v, n) {
  const seen = {};
  var t, k;
  for (k = 0; k < n; k++) t = v.getUint8(k);
  seen.t = t;
  return [t, k, seen.t];
}
row("first writes", ...firstWrites(new Uint8Array([250, 255, 3]), 2), ...firstWrites(new Uint8Array([250, 255, 3]), 0), ...firstWrites(new Uint8Array(0), 1));
row("first writes throw", ...firstWritesThrow(new DataView(new ArrayBuffer(2)), 2), attempt(() => firstWritesThrow(new DataView(new ArrayBuffer(2)), 5)), ...firstWritesThrow(new DataView(new ArrayBuffer(2)), 0));

// -- chained assignments, and a compiled loop's variables that nothing reads after it

/** `a[i] = x = ...` as hashing writes it; `a[x] = x = ...` reads x for its place first: kept in order. */
function chained(a, b) {
  var x, y;
  for (let i = 0; i < a.length; i++) {
    a[i] = x = (b[i] | 0) + 1;
    y = x = x * 2;
  }
  return (x | 0) + (y | 0);
}
function chainedPlace(a) {
  let x = 0;
  for (let i = 0; i < 3; i++) a[x] = x = i + 1;
  return x;
}
/** Creates objects (only its loops are compiled); t, u are read by nothing after the loop, w is. */
function deadAfter(a) {
  const box = { n: 0 };
  var t, u, w = 0;
  for (let i = 0; i < a.length; i++) {
    t = a[i] * 2;
    u = t + 1;
    w += u;
  }
  box.n = w;
  return box.n;
}
/** The same variables read in the next pass of an outer loop, by a closure, or through arguments: given back. */
function liveAround(a) {
  const out = [];
  var t = -1;
  for (let k = 0; k < 2; k++) {
    out.push(t);
    for (let i = 0; i < a.length; i++) t = a[i] + k;
  }
  return out;
}
function liveInClosure(a) {
  var t = -1;
  const read = () => t;
  for (let i = 0; i < a.length; i++) t = a[i] * 3;
  return [read()];
}
function liveThroughArguments(t, a) {
  for (let i = 0; i < a.length; i++) t = a[i] - 1;
  return [arguments[0]];
}
const ch = new Int32Array(3);
row("chained", chained(ch, new Float64Array([1.5, -2, 2 ** 40])), ...ch, chainedPlace(new Float64Array(4)), ...(() => { const z = new Float64Array(4); chainedPlace(z); return z; })());
row("dead after", deadAfter(new Float64Array([1, 2, 3])), deadAfter(new Float64Array(0)), ...liveAround(new Int8Array([4, 5])), ...liveInClosure(new Int8Array([4, 5])), ...liveThroughArguments(9, new Int8Array([4, 5])), ...liveThroughArguments(9, new Int8Array(0)));

// -- var in loops inside a function: the function's own variables, read after the loop or not

/** Creates objects (only its loops are compiled); i and t are read after their loops, the others not. */
function varLoops(a, b) {
  const o = { before: typeof i };
  for (var i = 0; i < a.length; i++) b[i + 1] = a[i];
  for (var j = 0, k = 2; j < a.length; j++) {
    var t = a[j] * k;
    var u;
    u = t + 1;
    b[j] += u;
  }
  o.i = i;
  return [o.before, o.i, t, typeof j === "number" ? "j" : "no j"];
}
const vb = new Float64Array(4);
row("var loops", ...varLoops(new Float64Array([1, 2, 3]), vb), ...vb, ...varLoops(new Float64Array(0), new Float64Array(1)));

// (a chain that assigns a name its outer place reads; a class field and a let of a var's name reading after the loop)
function chain3(a) {
  let i = 0, v = 0;
  for (let k = 0; k < 2; k++) a[i] = v = i = k + 1;
  return v + i;
}
function classAfter(a) {
  let x = 0;
  class C {
    v = x;
  }
  for (let i = 0; i < a.length; i++) x += a[i];
  return new C().v;
}
function varAndLet(a) {
  const o = {};
  let k = 0;
  while (k < a.length) {
    for (var j = 0; j < 3; j++) k++;
    {
      let j = 5;
      k += j * 0;
    }
  }
  o.j = j;
  return o.j;
}
const c3 = new Float64Array(3);
row("review cases", chain3(c3), ...c3, classAfter(new Int8Array([1, 2, 3])), varAndLet(new Int8Array(5)), varAndLet(new Int8Array(0)));

// -- assignments whose value is used, in JS's order

/** out[o++] = v, while (n--), if ((t = ...) > 0), ++i, compound inside compound. */
function packs(a, out) {
  let o = 0, n = a.length, t = 0, s = 0, x = 1;
  while (n--) {
    if ((t = a[n]) > 0) out[o++] = t;
    else out[++o] = -t;
    s += (x *= 2) + (t = t + 1);
  }
  return s + o + t + x;
}
/** The order: a[i] = i++ indexes first; x + (x = 5) reads x first; c ? (x = ..) : (y = ..); && and || on numbers. */
function order(a, c) {
  let i = 0, x = 2, y = 3, z = 0;
  for (let k = 0; k < 2; k++) {
    a[i] = i++;
    z += x + (x = 5) + (x = 7) * x;
    z += c ? (x = x + 1) : (y = y - 1);
    z += (c && (y = y + 10)) + ((c - 1) || (x = 20));
  }
  return z * 1000 + i * 100 + x + y;
}
/** Postfix ++ of -0 and of a fraction gives the old value; prefix the new one. */
function postfix(v) {
  let s = 0;
  for (let k = 0; k < 2; k++) {
    let x = v;
    const old = x++;
    const pre = ++x;
    s += 1 / old + pre;
  }
  return s;
}
/** Whole numbers only: also its int32 form (n-- > 0 bails out where an int32 would not do). */
function countDownSum(n) {
  let s = 0;
  while (n-- > 0) s += n;
  return s;
}
/** A one-expression function that assigns its parameter is not inlined over its caller's variable. */
function bumps(x) {
  return x++ + x;
}
function callsBumps(n) {
  let y = n, s = 0;
  for (let k = 0; k < 3; k++) s += bumps(y) + y;
  return s;
}
const po = new Float64Array(6);
row("assign values", packs(new Float64Array([3, -1, 0, 2]), po), ...po, order(new Float64Array(3), 1), order(new Float64Array(3), 0), order(new Float64Array(3), 2));
row("postfix", postfix(-0), postfix(0.5), postfix(-1), postfix(NaN), postfix(2 ** 53), countDownSum(10), countDownSum(2.5), countDownSum(-1), countDownSum(300000), callsBumps(4), callsBumps(-0.5));

// -- labelled loops: break and continue to an outer loop

/** continue outer, break outer, and an unlabelled break inside. */
function labelled(a, stop) {
  let s = 0, seen = 0;
  outer: for (let i = 0; i < a.length; i++) {
    for (let j = 0; j < a.length; j++) {
      if ((a[j] | 0) === (a[i] | 0) && j !== i) continue outer;
      if (a[j] > stop) break outer;
      if (a[j] < 0) break;
      s += a[i] * a[j];
    }
    seen++;
  }
  return s * 100 + seen;
}
/** As inflate's `top: do { ... break top; ... } while (...)`, in a function that creates objects (only the loop compiled). */
function topLoop(input, out) {
  const state = { left: 0 };
  let i = 0, o = 0, bits = 0;
  top: do {
    bits = input[i++] | 0;
    while (bits > 3) {
      if (bits === 99) break top;
      out[o++] = bits & 3;
      bits >>>= 2;
    }
    if (bits === 0) continue top;
    out[o++] = bits;
  } while (i < input.length && o < out.length);
  state.left = input.length - i;
  return [i, o, state.left];
}
/** An endless loop left only by a labelled break: it may end without returning (not frozen as a whole). */
function endless(a) {
  let n = 0;
  scan: while (true) {
    for (let i = 0; i < a.length; i++) if ((a[i] | 0) === 0) break scan;
    return n;
  }
  return -1;
}
/** A labelled block (not a loop): the interpreter's. */
function blockLabel(a) {
  let s = 0;
  skip: {
    if (a.length > 1) break skip;
    s = 100;
  }
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
const lo = new Uint8Array(8);
row("labelled", labelled(new Int8Array([1, 2, 3, 2]), 10), labelled(new Int8Array([1, 5, -1, 4]), 4), labelled(new Int8Array(0), 0), ...topLoop(new Uint8Array([7, 0, 200, 99, 5]), lo), ...lo, ...topLoop(new Uint8Array([255, 255, 255]), new Uint8Array(3)), endless(new Int8Array([1, 0])), endless(new Int8Array([1])), blockLabel(new Int8Array([5])), blockLabel(new Int8Array([5, 6])));

// (a later argument assigns a variable an inlined leaf reads; an assignment's value read past the end; a break that skips a do-while's test)
function add2(a, b) {
  return (a + b) | 0;
}
function leafArgs(n) {
  let r = 0, s = 1;
  for (let i = 0; i < n; i++) r += add2(s, s = 5 + i) | 0;
  return r + s;
}
function assignTaint(a, n) {
  let s = 0, t = 0;
  for (let i = 0; i < n; i++) s += a[i];
  return (t = a[n]);
}
function doBreak(n) {
  let x;
  do {
    if (n > 0) break;
    n++;
  } while ((x = n) < 0);
  return x;
}
row("review cases 2", leafArgs(3), leafArgs(0), assignTaint(new Float64Array(2), 1), assignTaint(new Float64Array(2), 2), doBreak(1), doBreak(-2));

// (a read past the end compared with a number: unequal as undefined and as NaN alike)
function countsValue(a, v) {
  let n = 0;
  for (let i = 0; i <= a.length + 1; i++) {
    if (a[i] === v) n++;
    if (a[i] != v) n += 10;
    if (v !== a[i + 1]) n += 100;
  }
  return n;
}
row("equality one side", countsValue(new Uint8Array([3, 4, 3]), 3), countsValue(new Float64Array([NaN, 1]), NaN), countsValue(new Int8Array(0), 0), countsValue(new Float32Array([0, -0]), -0));

// -- code with effects reading a plain Array it never writes (SHA-512's K): taken only where each
// read is shown inside the array's first elements and those are all numbers; else the interpreter
const KPAIRS = [0x428a2f98, 0xd728ae22, 0x71374491, 0x23ef65cd, 0xb5c0fbcf, 0xec4d3b2f, 0xe9b5dba5, 0x8189dbbc, 1.5, -0, NaN, 2 ** 31, -1, 7, 2 ** 53, 3];
function mixPairs(out, K) {
  for (let i = 0; i < 8; i++) out[i] = (out[i] + (K[i * 2] ^ K[i * 2 + 1])) | 0;
  return out[7];
}
function varCounter(out, K) {
  var i, s = 0;
  for (i = 0; i <= 3; i++) {
    s += K[i * 3];
    out[i] = s;
  }
  return s;
}
/** Twice into the same Int32Array (a call run twice would add twice), then what it holds. */
const mixedTwice = (K) => {
  const o = new Int32Array(8);
  const r = [attempt(() => mixPairs(o, K)), attempt(() => mixPairs(o, K))];
  return [...r, o.reduce((x, y) => x ^ y, 0)];
};
let valueOfs = 0;
const counting = { valueOf: () => (valueOfs++, 5) };
const longer = [...KPAIRS, "not read", {}];
const withString = KPAIRS.map((x, i) => (i === 3 ? "5" : x));
const withObject = KPAIRS.map((x, i) => (i === 6 ? counting : x));
const holey = KPAIRS.slice();
delete holey[4];
row("plain read-only arrays", ...mixedTwice(KPAIRS), ...mixedTwice(KPAIRS.slice(0, 15)), ...mixedTwice(longer), ...mixedTwice(withString), ...mixedTwice(withObject), valueOfs);
row("plain read-only arrays 2", ...mixedTwice(holey), ...mixedTwice(new Float64Array(KPAIRS)), ...mixedTwice([]), ...mixedTwice(null));
// a hole read through the prototype: its getter runs as often as the interpreter reads it
let protoReads = 0;
Object.defineProperty(Array.prototype, 4, { get: () => (protoReads++, 77), configurable: true });
row("plain read-only arrays, a getter on the prototype", ...mixedTwice(holey), protoReads);
delete Array.prototype[4];
const counterOut = new Float64Array(4);
row("var counter", varCounter(counterOut, [1, 2, 3, 4, 5, 6, 7, 8, 9, 10]), ...counterOut, varCounter(counterOut, [1, 2, 3, 4, 5, 6, 7, 8, 9]), varCounter(counterOut, [0.5, 0, 0, -0, 0, 0, 2 ** 60, 0, 0, 1e300]), ...counterOut);

// S-box reads: x >>> 24 and 0x100 | (x >> 16 & 0xff) stay inside 512 elements, whatever x is
const SBOX = Array.from({ length: 512 }, (_, i) => (i * 2654435761) % 1000003);
function sboxMix(out, S, x) {
  for (let i = 0; i < 4; i++) {
    x = (x ^ (S[x >>> 24] + S[0x100 | ((x >> 16) & 0xff)])) | 0;
    out[i] += x;
  }
  return x;
}
const sboxOut = new Float64Array(4);
row("S-box reads", ...edges.map((x) => sboxMix(sboxOut, SBOX, x)), ...sboxOut, sboxMix(sboxOut, SBOX.slice(0, 511), -1), sboxMix(sboxOut, SBOX.slice(0, 300), 2 ** 31), ...sboxOut);

// a loop compiled on its own (its function creates an object) reading a module-level plain Array
const KTOP = [3, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47, 53, 59];
function hashLike(m, n) {
  const w = new Int32Array(4);
  let a = 1, b = 2;
  for (let r = 0; r < n; r++) {
    for (let i = 0; i < 8; i++) {
      a = (a + (KTOP[i * 2] ^ m[i % 4])) | 0;
      b = (b ^ (KTOP[i * 2 + 1] + a)) | 0;
      w[i & 3] = a ^ b;
    }
  }
  return [a, b, ...w].join(",");
}
const hashRuns = [hashLike([1, 2, 3, 4], 50), hashLike(new Uint8Array([9, 8, 7, 6]), 50), hashLike([1, 2, 3], 5)];
KTOP[9] = "31";
hashRuns.push(hashLike([1, 2, 3, 4], 50));
KTOP[9] = 31;
KTOP.length = 15;
hashRuns.push(hashLike([1, 2, 3, 4], 5));
row("module-level plain Array in a compiled loop", ...hashRuns);

// a compiled loop's variable from around it, read before its declaration ran (in its temporal
// dead zone): the loop runs as written, throwing only where it reads the variable
function tdzAround() {
  function f(n) {
    let s = 0;
    const o = {};
    for (let i = 0; i < n; i++) {
      if (i > 100) s += TDZ_T[0];
      s += i;
    }
    return s + (o.x ?? 0);
  }
  const before = [f(5), attempt(() => f(200))];
  const TDZ_T = new Float64Array([1]);
  return [...before, f(5), f(200)];
}
row("a variable in its dead zone around a compiled loop", ...tdzAround());

// element reads compared with ==, !=, ===, !==: inside and equal, or both past the end
function eqCount(a, b, i, j) {
  let n = 0;
  for (let k = 0; k < 1; k++) n += (a[i] === b[j] ? 1 : 0) + (a[i] !== b[j] ? 2 : 0) + (a[i] == b[j] ? 4 : 0) + (a[i] != b[j] ? 8 : 0) + (a[i + k] === a[i + k] ? 16 : 0);
  return n;
}
// deflate's match loop: past the end on both sides, undefined == undefined goes on
function matchLen(d, i, dif, max) {
  let l = 0;
  while (l < max && d[i + l] == d[i + l - dif]) l++;
  return l;
}
{
  const indices = [0, 1, 2, 3, 4, -1, -0, 0.5, NaN, Infinity, 2 ** 32];
  const fa = new Float64Array([1, NaN, -0, 0]), fb = new Float64Array([1, NaN, 0]);
  for (const i of indices) row(`eqCount ${show(i)}`, ...indices.map((j) => eqCount(fa, fb, i, j)), ...indices.map((j) => eqCount(new Int8Array([1, -1]), new Uint32Array([1, 4294967295]), i, j)));
  const d = new Uint8Array([1, 2, 1, 2, 1]);
  row("matchLen", matchLen(d, 2, 2, 10), matchLen(d, 10, 2, 5), matchLen(d, 4, 4, 3), matchLen(d, 1, 1, 3), matchLen(new Float32Array([NaN, NaN]), 1, 1, 4), matchLen(d, -1, 1, 3));
}

// plain Arrays written by code with effects, every access inside a window: a message schedule
// (crypto-js's SHA-256 keeps W and the message words in plain Arrays) read at an offset
function schedule(W, M, offset) {
  let s = 0;
  for (let i = 0; i < 24; i++) {
    if (i < 8) W[i] = M[offset + i] | 0;
    else W[i] = (W[i - 8] + (W[i - 3] >>> 1) + (W[i - 7] ^ i)) | 0;
    s = (s + W[i]) | 0;
  }
  return s;
}
{
  const words = Array.from({ length: 32 }, (_, i) => (i * 0x9e3779b9) | 0);
  const W = [];
  const runs = [schedule(W, words, 0), W.length, schedule(W, words, 8), schedule(W, words, 24), schedule(W, words, 25), schedule(W, words, -1), schedule(W, words, 1.5), schedule(W, words, NaN)];
  const stringAt3 = words.map((x, i) => (i === 3 ? "3" : x));
  runs.push(schedule(W, stringAt3, 0), schedule(W, stringAt3, 4), W.reduce((x, y) => x ^ y, 0));
  const Wodd = W.slice();
  Wodd[5] = "5";
  runs.push(schedule(Wodd, words, 2), typeof Wodd[5], schedule(new Int32Array(24), words, 3), schedule(W, new Float64Array(words), 5));
  const same = words.slice();
  runs.push(schedule(same, same, 0), same.reduce((x, y) => x ^ y, 0), same.length, W.length);
  row("plain Arrays written in windows", ...runs);
}
function accumulate(W, M, offset) {
  let t = 0;
  for (let i = 0; i < 8; i++) {
    W[i] = (W[i] + 1) | 0;
    t = (t + M[offset + i] + W[i]) | 0;
  }
  return t;
}
{
  // (a call that declined after adding once would add twice: each run leaves W to compare)
  const words = Array.from({ length: 32 }, (_, i) => i * 1000 + 1);
  const W = Array.from({ length: 8 }, () => 1);
  const sum = () => W.reduce((x, y) => (x * 31 + y) | 0, 0);
  const runs = [accumulate(W, words, 0), sum(), accumulate(W, words, 24), sum(), accumulate(W, words, 25), sum(), accumulate(W, words, -1), sum(), accumulate(W, words, 0.5), sum()];
  runs.push(accumulate(W, words.map((x, i) => (i === 2 ? "2" : x)), 0), sum(), typeof W[2]);
  W[2] = 5;
  runs.push(accumulate(W, words, 1), sum(), accumulate(W.concat([9]), words, 3));
  row("plain Arrays accumulated in windows", ...runs);
}
{
  // an Array only read, in one window, with holes or made slow: its window copied (crypto-js pads
  // its message past the end before hashing it)
  const words = Array.from({ length: 32 }, (_, i) => i * 1000 + 1);
  const padded = words.slice();
  padded[100] = 7;
  const holeIn = words.slice();
  delete holeIn[3];
  holeIn[60] = 1;
  let gets = 0;
  const withGetter = words.slice();
  withGetter[50] = 1;
  Object.defineProperty(withGetter, 5, { get: () => (gets++, 5), configurable: true });
  const stringIn = words.slice();
  stringIn[40] = 0;
  stringIn[6] = "6";
  const far = [];
  for (let i = 0; i < 8; i++) far[4294967280 + i] = i * 3;
  const W = Array.from({ length: 8 }, () => 1);
  const sum = () => W.reduce((x, y) => (x * 31 + y) | 0, 0);
  const runs = [accumulate(W, padded, 0), sum(), accumulate(W, padded, 24), sum(), accumulate(W, padded, 30), sum(), accumulate(W, padded, 96), sum()];
  runs.push(accumulate(W, holeIn, 0), sum(), accumulate(W, holeIn, 8), sum(), accumulate(W, withGetter, 0), gets, sum(), accumulate(W, stringIn, 1), sum());
  runs.push(accumulate(W, far, 4294967280), sum(), accumulate(W, far, 4294967270), sum(), far.length);
  row("plain Arrays with holes read in a window", ...runs);
}

// a DataView method behind a getter on the view: the getter runs as often as the interpreter reads
// it (the wrapper's lookup runs no JS: it declines)
function viewSum(dv, n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += dv.getUint8(i);
  return s;
}
{
  const dv = new DataView(new Uint8Array([1, 2, 3, 4]).buffer);
  let gets = 0;
  const before = viewSum(dv, 4);
  Object.defineProperty(dv, "getUint8", { get: () => (gets++, DataView.prototype.getUint8), configurable: true });
  row("a DataView method behind a getter", before, viewSum(dv, 4), gets);
}

// variables from around a function that it only reads (a module's constants and tables, bcryptjs's
// BLOWFISH_NUM_ROUNDS): read by its guard at each call; and a function returning its parameter
function outerScope() {
  function mixOuter(lr, off) {
    if (off < 0) return lr;
    let l = lr[off], r = lr[off + 1];
    for (let i = 0; i < ROUNDS; i++) {
      l = (l ^ (TABLE[(r >>> 4) & 7] + i)) | 0;
      r = (r ^ (TABLE[l & 7] * 3)) | 0;
    }
    lr[off] = r;
    lr[off + 1] = l;
    return lr;
  }
  const early = [attempt(() => mixOuter([1, 2], 0)), attempt(() => mixOuter([1, 2], -1)[1])];
  const TABLE = new Int32Array([3, 1, 4, 1, 5, 9, 2, 6]);
  let ROUNDS = 5;
  const lr = [7, 11];
  const same = mixOuter(lr, 0) === lr;
  const runs = [...early, same, ...lr, ...mixOuter([1, 2, 3], 1)];
  ROUNDS = 9;
  runs.push(...mixOuter([1, 2], 0));
  ROUNDS = "3";
  runs.push(...mixOuter([1, 2], 0));
  ROUNDS = 2.5;
  runs.push(...mixOuter([1, 2], 0), ...mixOuter(new Float64Array([1, 2]), 0));
  return runs;
}
row("variables from around a function, and its parameter returned", ...outerScope());
// ... not where a self call would hand it on, nor where JS it runs (a setter) can change one
const STEP = 3;
function stepped(n, acc) {
  if (n <= 0) return acc;
  return stepped(n - 1, acc + STEP, 0);
}
let weight = 1;
function weighed(o, n) {
  let s = 0;
  for (let i = 0; i < n; i++) {
    o.v = i;
    s += weight;
  }
  return s;
}
const reweigh = { set v(x) { weight = x + 10; } };
row("variables from around, changed or handed on", stepped(4, 0), stepped(0, 1), weighed(reweigh, 3), weight, weighed({ v: 0 }, 2));

// an array handed to a frozen function: the accesses there count here (bcryptjs's _key hands lr to
// _encipher), and `lr = enc(lr, ...)`, which returns it, leaves lr as it was
function encOuter(lr, off, P) {
  let l = lr[off], r = lr[off + 1];
  for (let k = 0; k < 4; k++) {
    l = (l ^ (P[k] + r)) | 0;
    r = (r ^ (l >>> 3)) | 0;
  }
  lr[off] = r;
  lr[off + 1] = l;
  return lr;
}
function keyLike(P, S, lr) {
  const o = {};
  for (let i = 0; i < S.length; i += 2) (lr = encOuter(lr, 0, P)), (S[i] = lr[0]), (S[i + 1] = lr[1]);
  return [lr[0], lr[1], S.join(), o.x ?? 0].join("/");
}
{
  const P = new Int32Array([0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344]);
  const lr = [1, 2];
  row("an array handed to a frozen function", keyLike(P, new Int32Array(6), lr), ...lr, keyLike(P, new Int32Array(4), [1]), keyLike(P, new Int32Array(4), [1, "2"]), keyLike(P, [0, 0, 0, 0], [5, 6]), keyLike(P, new Float64Array(2), new Int32Array([7, 8])));
  // (handed on at an offset: the window is there, [2, 3])
  const keyAt = (buf) => {
    const S = new Int32Array(4);
    for (let i = 0; i < 4; i += 2) (buf = encOuter(buf, 2, P)), (S[i] = buf[2]), (S[i + 1] = buf[3]);
    return [...S, ...buf].join();
  };
  row("an array handed on at an offset", keyAt([1, 2, 3, 4]), keyAt([1, 2, 3]), keyAt([1, 2, 3, 4, 5]));
}

// a small function reading a variable from around it, called from a compiled loop (handed it there)
const K3 = 3;
function g3(x) {
  return x * K3;
}
let s3 = 0;
for (let i = 0; i < 50; i++) s3 += g3(i);
row("a small function reading a variable from around it, from a compiled loop", s3);
// a plain table handed on as a variable from around the callee: its accesses there count here
const TBL = [5, 6, 7, 8];
function readsT(i) {
  let s = 0;
  for (let k = 0; k < 2; k++) s += TBL[i + k];
  return s;
}
function effT(out) {
  out[0] += TBL[0];
  for (let i = 0; i < 3; i++) out[i + 1] += readsT(i);
  return out.length;
}
{
  const o = new Float64Array(4);
  const runs = [effT(o), ...o];
  TBL.length = 3;
  runs.push(effT(o), ...o);
  TBL.push("8");
  runs.push(effT(o), ...o);
  TBL[3] = 8;
  runs.push(effT(o), ...o);
  row("a plain table handed on as a variable from around", ...runs);
  // (by a loop that never indexes it itself)
  let sT = 0;
  for (let i = 0; i < 3; i++) sT += readsT(i);
  row("a plain table handed on by a loop", sT);
}

// a loop's variable that may be left holding a read past an array's end (undefined): given back
// as NaN where the rest of its function uses it only as a number, else the loop runs as written
function afterAsNumber(a, n) {
  const o = {};
  let v = 0;
  let w = 0;
  let s = 0;
  for (let i = 0; i < n; i++) (v = a[i]), (w = a[i + 1]), (s += i);
  w -= 1;
  return [v | 0, v >>> 1, v < 3, v >= 3, !v, -v, v * 2, v ? 1 : 2, w * 1, s, o.x ?? 0].join();
}
// (each of these uses tells undefined from NaN)
function afterStrictEq(a, n) {
  let v = 0;
  for (let i = 0; i < n; i++) v = a[i];
  return v === undefined;
}
function afterLooseEq(a, n) {
  let v = 0;
  for (let i = 0; i < n; i++) v = a[i];
  return v == null;
}
function afterAdded(a, n) {
  let v = 0;
  for (let i = 0; i < n; i++) v = a[i];
  return "v=" + v;
}
function afterTypeof(a, n) {
  let v = 0;
  for (let i = 0; i < n; i++) v = a[i];
  return typeof v;
}
function afterInArray(a, n) {
  let v = 0;
  for (let i = 0; i < n; i++) v = a[i];
  return [v].join();
}
function afterNullish(a, n) {
  let v = 0;
  for (let i = 0; i < n; i++) v = a[i];
  return v ?? "none";
}
function afterShorthand(a, n) {
  let v = 0;
  for (let i = 0; i < n; i++) v = a[i];
  return JSON.stringify({ v });
}
function afterPlusAssigned(a, n) {
  let v = 0;
  for (let i = 0; i < n; i++) v = a[i];
  v += "!";
  return v;
}
function afterAsKey(a, n) {
  const names = { undefined: "u", NaN: "n" };
  let v = 0;
  for (let i = 0; i < n; i++) v = a[i];
  return names[v] ?? "-";
}
function afterTemplate(a, n) {
  let v = 0;
  for (let i = 0; i < n; i++) v = a[i];
  return `${v}`;
}
function afterAnd(a, n) {
  let v = 0;
  for (let i = 0; i < n; i++) v = a[i];
  return String(v && "set");
}
function afterSwitch(a, n) {
  let v = 0;
  for (let i = 0; i < n; i++) v = a[i];
  switch (v) {
    case undefined:
      return "undefined";
    default:
      return "other";
  }
}
function afterInClosure(a, n) {
  let v = 0;
  const get = () => v;
  for (let i = 0; i < n; i++) v = a[i];
  return String(get());
}
function afterReentered(a) {
  const o = {};
  let v = 0;
  let t = 0;
  for (let k = 0; k < 4; k++) {
    for (let i = 0; i < 3; i++) {
      if (v === 7) t++;
      v = a[i + k];
    }
    t += v > 0 ? 1 : 0;
  }
  return [t, v | 0, o.x ?? 0].join();
}
for (const a of [new Uint8Array([7, 2, 9]), new Float64Array([NaN, 7, -0, 0.5]), new Int32Array(0), [7, 8, 9, 10, 11, 12]]) {
  for (const n of [0, 1, 2, 3, 4, 6]) {
    row("a variable left past an end, used as a number after", afterAsNumber(a, n));
    row("a variable left past an end, told apart after", afterStrictEq(a, n), afterLooseEq(a, n), afterAdded(a, n), afterTypeof(a, n), afterInArray(a, n), afterNullish(a, n), afterShorthand(a, n), afterPlusAssigned(a, n), afterAsKey(a, n), afterTemplate(a, n), afterAnd(a, n), afterSwitch(a, n), afterInClosure(a, n));
  }
  row("a variable left past an end, the loop entered again", afterReentered(a));
}

console.log(out.join("\n"));
