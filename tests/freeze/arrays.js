"use strict";
// Plain Arrays in frozen functions and compiled loops. Printed for many
// arrays, hostile ones included: a frozen build must print exactly what the
// interpreter (and node) print.

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

// -- frozen functions that only read (they take plain Arrays)

function sum(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i];
  return s;
}
/** Reads at any index (out of range: undefined, NaN in arithmetic; the prototype chain may answer). */
function readAt(a, i) {
  return a[i] * 2;
}
/** Reads past the end on purpose, every call. */
function pastEnd(a) {
  let s = 0;
  for (let i = 0; i <= a.length; i++) s += a[i] | 0;
  return s;
}
function dot(a, b) {
  let s = 0;
  for (let i = 0; i < a.length && i < b.length; i++) s += a[i] * b[i];
  return s;
}
/** Calls frozen functions that take the arrays on. */
function sumBoth(a, b) {
  return sum(a) + sum(b) + dot(a, b) + a.length * b.length;
}
/** Only hands its arrays on (they are arrays because sum's parameter is one). */
function sumTwo(a, b) {
  return sum(a) + sum(b);
}
function maxOf(a) {
  let m = -Infinity;
  for (let i = 0; i < a.length; i++) if (a[i] > m) m = a[i] + 0;
  return m;
}
/** Bitwise on elements (ToInt32 of floats, of -0, of 2^31). */
function mix(a) {
  let h = 0;
  for (let i = 0; i < a.length; i++) h = (h * 31 + (a[i] | 0)) >>> 0;
  return h;
}
function count(a) {
  return a.length * 1;
}
// -- counting loops (i counts in an i32: analyze.ts counterLoop): the index as it is, i read as a number, i's bits under a bitwise operator
function half(x) {
  return x / 2;
}
function indexed(a) {
  let s = 0;
  for (let i = 0; i < a.length; ++i) s += a[i] * i + (i & 3) - (i >>> 1) + (~i & 5) + half(i);
  return s;
}
/** A constant bound, past the end of short arrays (undefined: NaN), counting from 2 by `i += 1`. */
function window(a) {
  let s = 0;
  for (let i = 2; i < 7; i += 1) s += a[i] / (i - 1);
  return s;
}
function skipping(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    if (i % 2 === 1) continue;
    s += a[i];
    if (s > 1e6) break;
  }
  return s;
}
/** Two loops after one another with the same name, one nested in another over a second array. */
function grid(a, b) {
  let s = 0;
  for (let i = 0; i < a.length; i++) for (let j = 0; j < b.length; j++) s += a[i] * b[j] - i * j + b[i];
  for (let i = 0; i < 3; i++) s += i === 1.5 ? 1 : i < 1.5 ? 2 : a[i + 1];
  return s;
}
/** Assigns its counter in the body: the number form, not the i32. */
function stepping(a) {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    s += a[i];
    if (a[i] > 2) i++;
  }
  return s;
}
// -- writes: typed arrays only; plain Arrays go to the interpreter

function bump(a) {
  for (let i = 0; i < a.length; i++) a[i] = a[i] + 1;
  return a.length;
}

const dense = [1, 2, 3, 4, 5];
const floats = [0.5, -0, 1e300, -1e-300, 5e-324, 2 ** 31, 2 ** 53, -(2 ** 31), 4294967295, NaN, Infinity, -Infinity];
const huge = new Array(1000000);
for (let i = 0; i < huge.length; i++) huge[i] = (i * 7) % 1013;
const grown = [];
for (let i = 0; i < 1000; i++) grown.push(i / 3);
class Vec extends Array {}
const sub = Vec.from([3, 4, 5]);
const frozenArr = Object.freeze([1, 2, 3]);
const sealed = Object.seal([4, 5, 6]);
const withProps = Object.assign([1, 2, 3], { extra: "x" });
const trailing = [1, 2, 3];
trailing.length = 5;
const holey = [1, , 3];
const fromCtor = new Array(4);
fromCtor[0] = 1;
fromCtor[1] = 2;
const mixed = [
  [1, "2", 3],
  [1, 2, undefined],
  [null, 1],
  [true, 2],
  [1, { valueOf: () => 41 }],
  [1, [2]],
  [1n === 1n ? 1 : 0, 2],
  ["a", "b"],
  [1, 2, 3, "x"],
  [Symbol.iterator === undefined ? 0 : 1],
];
const arrayLike = { length: 3, 0: 1, 1: 2, 2: 3 };
const inputs = [dense, floats, [], [0], [-0], sub, frozenArr, sealed, withProps, trailing, holey, fromCtor, grown, ...mixed, arrayLike];

for (const [i, a] of inputs.entries()) {
  row(`sum ${i}`, attempt(() => sum(a)));
  row(`maxOf ${i}`, attempt(() => maxOf(a)));
  row(`mix ${i}`, attempt(() => mix(a)));
  row(`count ${i}`, attempt(() => count(a)));
  row(`counting ${i}`, attempt(() => indexed(a)), attempt(() => window(a)), attempt(() => skipping(a)), attempt(() => grid(a, dense)), attempt(() => grid(floats, a)), attempt(() => stepping(a)));
  row(`pastEnd ${i}`, attempt(() => pastEnd(a)));
  for (const at of [0, 1, 2, -1, -0, 1.5, 3, 99, NaN, Infinity, 2 ** 32]) row(`readAt ${i} ${show(at)}`, attempt(() => readAt(a, at)));
  row(`dot ${i}`, attempt(() => dot(a, dense)), attempt(() => dot(floats, a)), attempt(() => dot(a, new Float64Array([1, 2, 3]))));
  row(`sumBoth ${i}`, attempt(() => sumBoth(a, dense)), attempt(() => sumBoth(new Int8Array([5, 6]), a)), attempt(() => sumTwo(a, floats)));
}
// (the counting loops over each typed array kind: the counter indexes them too)
for (const t of [new Int8Array([-128, 5, 127, -1]), new Uint8Array([255, 0, 9]), new Uint8ClampedArray([3, 300, -4, 8, 1, 2, 9]), new Int16Array([-32768, 7, 32767]), new Uint16Array([65535, 1]), new Int32Array([-(2 ** 31), 2 ** 31 - 1, 4]), new Uint32Array([2 ** 32 - 1, 0, 6, 2]), new Float32Array([0.1, -0, NaN, 1e38, 5]), new Float64Array([-0, 2 ** 53, 0.5, Infinity, -1e-300, 3, 4])]) {
  row(`counting ${t.constructor.name}`, indexed(t), window(t), skipping(t), grid(t, new Int16Array([1, -2, 3])), grid(new Float64Array([1.5, 2]), t), stepping(t));
}
row("huge", sum(huge), maxOf(huge), mix(huge), sum(huge.slice(0, 999)));

// mutated between calls: nothing is cached
const moving = [1, 2, 3];
row("moving", sum(moving));
moving.push(4.5);
row("moving", sum(moving));
moving[1] = "z";
row("moving", sum(moving));
moving[1] = 2;
moving.length = 2;
row("moving", sum(moving));
delete moving[0];
row("moving", sum(moving), readAt(moving, 0));

// writes: a plain Array goes to the interpreter; a frozen one throws there (strict mode)
const w = [1, 2, 3];
row("bump", bump(w), ...w, attempt(() => bump(frozenArr)), ...frozenArr, bump(new Int16Array([1, 2])));

// getters on Array.prototype (and Object.prototype) answer for holes and reads past the end
Object.defineProperty(Array.prototype, 3, { get: () => 1000, configurable: true });
Object.prototype[4] = 7;
row("proto", sum(trailing), sum(holey), readAt(dense, 4), readAt([1, 2], 3), readAt([1, 2], 4), pastEnd([1, 2, 3]), sum(fromCtor));
delete Array.prototype[3];
delete Object.prototype[4];
row("proto gone", sum(trailing), readAt([1, 2], 3), pastEnd([1, 2, 3]));

// proxies: every read goes through the trap
const reads = [];
const proxied = new Proxy([1, 2, 3], { get: (t, k) => (reads.push(String(k)), t[k]) });
row("proxy", sum(proxied), readAt(proxied, 1), reads.join(","));

// hostile: an element's getter shortens the array while it is summed
const hostile = [1, 2, 3, 4, 5];
Object.defineProperty(hostile, 1, { get: () => ((hostile.length = 3), 10), configurable: true });
row("hostile", sum(hostile), hostile.length, sum(hostile), maxOf(hostile));
// and one that grows it
const growing = [1, 2, 3];
Object.defineProperty(growing, 2, { get: () => (growing.length < 6 && growing.push(100), 3), configurable: true });
row("growing", sum(growing), growing.length);

// hostile: an element's valueOf empties the array; a getter on Array.prototype fills a hole and grows it
const emptied = [1, 2, 3, 4];
emptied[1] = { valueOf: () => ((emptied.length = 0), 5) };
row("valueOf empties", sum(emptied), emptied.length, sum(emptied));
const filling = [1, 2, , 4];
Object.defineProperty(Array.prototype, 2, { get: () => (filling.push(8), 30), configurable: true });
row("proto grows", sum(filling), filling.length, maxOf(filling), filling.length);
delete Array.prototype[2];

// loops compiled on their own over plain Arrays (the top level)
{
  let total = 0;
  let n = 0;
  for (let i = 0; i < dense.length; i++) {
    total += dense[i] * 2;
    n++;
  }
  row("loop dense", total, n);
}
for (const a of [floats, mixed[0], mixed[4], holey, trailing, sub, proxied]) {
  let total = 0;
  let n = 0;
  for (let i = 0; i < a.length; i++) {
    total += a[i];
    n++;
  }
  row("loop", total, n);
}
{
  // mutated mid-loop: the loop calls a method (not compiled), and reads what changed
  const b = [1, 2, 3];
  let t = 0;
  for (let i = 0; i < b.length && i < 10; i++) {
    t += b[i];
    if (i === 1) b.push(10);
  }
  row("mid-loop push", t, b.length);
}
{
  let s = 0;
  for (let k = 0; k < 3; k++) for (let i = 0; i < huge.length; i++) s += huge[i];
  row("loop huge", s);
}

// -- for-of over arrays: compiled as the indexed loop it is, while the iteration is the built-in one

function sumOf(a) {
  let s = 0;
  for (const v of a) s += v;
  return s;
}
/** The index of the first element above t (break), order-dependent. */
function firstOver(a, t) {
  let r = -1;
  let k = 0;
  for (const v of a) {
    if (v > t) {
      r = k;
      break;
    }
    k++;
  }
  return r;
}
function evens(a) {
  let s = 0;
  for (let v of a) {
    if (v % 2 !== 0) continue;
    s += v;
  }
  return s;
}
/** Nested, over two arrays (or one twice), break and continue in the inner loop. */
function pairs(a, b) {
  let s = 0;
  for (const x of a) {
    for (const y of b) {
      if (y === x) continue;
      if (y > 100) break;
      s += x * y;
    }
  }
  return s;
}
function hashOf(a) {
  let h = 0;
  for (const v of a) h = (h * 31 + (v | 0)) >>> 0;
  return h;
}
function minOf(a) {
  let m = Infinity;
  for (const v of a) m = Math.min(m, v);
  return m;
}
/** Iterates only through sumOf, which it hands its array to. */
function viaSumOf(a) {
  return sumOf(a) * 2 + a.length;
}
/** Writes: typed arrays only. */
function bumpOf(a) {
  let n = 0;
  for (const v of a) n += v;
  a[0] = n;
  return n;
}
// elements read only as objects (o.x): a plain Array's elements themselves
function sumX(xs) {
  let s = 0;
  for (const o of xs) s += o.x;
  return s;
}
function sumPos(xs) {
  let s = 0;
  for (const o of xs) {
    if (o.w < 0) continue;
    s += o.pos.x * o.w;
  }
  return s;
}

const typedInputs = [new Int8Array([1, -2, 3, 127]), new Uint8Array([0, 255, 7]), new Uint8ClampedArray([1, 2, 250]), new Int16Array([-32768, 5]), new Uint16Array([65535, 1]), new Int32Array([2 ** 31 - 1, -(2 ** 31), 4]), new Uint32Array([2 ** 32 - 1, 2 ** 31, 3]), new Float32Array([0.5, -0, NaN, 1e30, 3]), new Float64Array([-0, 2 ** 53, NaN, 1.5]), new Float64Array(0), new Uint8Array(new ArrayBuffer(16), 4, 8)];
const ofInputs = [dense, floats, [], [0], [-0], [-0, -0], [NaN], [2 ** 31, 2 ** 53, -(2 ** 53)], sub, frozenArr, sealed, withProps, trailing, holey, fromCtor, grown, ...mixed, arrayLike, "abc", "", new Set([1, 2, 3]), new Map([[1, 2]]), proxied, ...typedInputs];
for (const [i, a] of ofInputs.entries()) {
  row(`of sumOf ${i}`, attempt(() => sumOf(a)), attempt(() => viaSumOf(a)), attempt(() => minOf(a)), attempt(() => hashOf(a)));
  row(`of firstOver ${i}`, attempt(() => firstOver(a, 2)), attempt(() => firstOver(a, -1)), attempt(() => firstOver(a, Infinity)), attempt(() => evens(a)));
  row(`of pairs ${i}`, attempt(() => pairs(a, dense)), attempt(() => pairs(dense, a)), attempt(() => pairs(a, a)));
}
row("of huge", sumOf(huge), firstOver(huge, 1011), hashOf(huge), pairs([1, 2], huge.slice(0, 300)));
const ints = new Int16Array([1, 2, 3]);
row("of writes", bumpOf(ints), ...ints, attempt(() => bumpOf([1, 2])), attempt(() => bumpOf(frozenArr)));

// the iteration replaced, one way at a time (each put back)
const ArrayIteratorPrototype = Object.getPrototypeOf([][Symbol.iterator]());
const originalValues = Array.prototype[Symbol.iterator];
const originalNext = ArrayIteratorPrototype.next;
Array.prototype[Symbol.iterator] = function* () {
  for (let i = this.length - 1; i >= 0; i--) yield this[i] * 10;
};
row("of @@iterator replaced", sumOf(dense), firstOver(dense, 20), hashOf(dense), viaSumOf([1, 2]), pairs([1, 2], [3, 4]), sumOf(ints));
Array.prototype[Symbol.iterator] = originalValues;
let gets = 0;
Object.defineProperty(Array.prototype, Symbol.iterator, { get: () => (gets++, originalValues), configurable: true });
row("of @@iterator getter", sumOf(dense), firstOver(dense, 2), gets);
Object.defineProperty(Array.prototype, Symbol.iterator, { value: originalValues, writable: true, configurable: true });
ArrayIteratorPrototype.next = function () {
  const r = originalNext.call(this);
  if (!r.done) r.value = r.value + 1;
  return r;
};
row("of next replaced", sumOf(dense), sumOf(ints), firstOver(dense, 2), hashOf(floats), viaSumOf([1]));
ArrayIteratorPrototype.next = originalNext;
delete ArrayIteratorPrototype.next;
row("of next deleted", attempt(() => sumOf(dense)), attempt(() => sumOf(ints)));
ArrayIteratorPrototype.next = originalNext;
let closed = 0;
ArrayIteratorPrototype.return = function () {
  closed++;
  return {};
};
row("of return added", sumOf(dense), firstOver(dense, 2), pairs(dense, [1, 200]), closed);
delete ArrayIteratorPrototype.return;
Object.prototype.return = function () {
  closed += 100;
  return {};
};
row("of Object.prototype.return", firstOver(dense, 2), closed);
delete Object.prototype.return;
const TypedArrayPrototype = Object.getPrototypeOf(Int8Array.prototype);
const originalTypedValues = TypedArrayPrototype[Symbol.iterator];
TypedArrayPrototype[Symbol.iterator] = function* () {
  yield 1000;
};
row("of typed @@iterator replaced", sumOf(ints), sumOf(new Float64Array([1, 2])), sumOf(dense));
TypedArrayPrototype[Symbol.iterator] = originalTypedValues;
Int16Array.prototype[Symbol.iterator] = function* () {
  yield -1;
};
row("of Int16Array's own @@iterator", sumOf(ints), sumOf(new Int8Array([5])));
delete Int16Array.prototype[Symbol.iterator];
const own = [1, 2, 3];
own[Symbol.iterator] = function* () {
  yield 42;
};
class Reversed extends Array {
  *[Symbol.iterator]() {
    for (let i = this.length - 1; i >= 0; i--) yield this[i];
  }
}
const rev = Reversed.from([1, 5, 2]);
const orphan = Object.setPrototypeOf([1, 2], null);
const protoReads = [];
const viaProxy = Object.setPrototypeOf([1, 2, 3], new Proxy(Array.prototype, { get: (t, k, r) => (protoReads.push(String(k)), Reflect.get(t, k, r)) }));
row("of own @@iterator", sumOf(own), firstOver(rev, 1), hashOf(rev), attempt(() => sumOf(orphan)), sumOf(viaProxy), protoReads.join(","));
// next and return as accessors (their getters would run), return null (no method), a proxy on return's way,
// and each kind of array given the other kind's values as its @@iterator
let nextGets = 0;
Object.defineProperty(ArrayIteratorPrototype, "next", { get: () => (nextGets++, originalNext), configurable: true });
row("of next getter", sumOf(dense), sumOf(ints), nextGets);
Object.defineProperty(ArrayIteratorPrototype, "next", { value: originalNext, writable: true, configurable: true });
const IteratorPrototype = Object.getPrototypeOf(ArrayIteratorPrototype);
Object.defineProperty(IteratorPrototype, "return", { get: () => (closed += 1000, undefined), configurable: true });
row("of return getter", firstOver(dense, 1), firstOver(ints, 1), sumOf(dense), closed);
delete IteratorPrototype.return;
ArrayIteratorPrototype.return = null;
row("of return null", firstOver(dense, 1), closed);
delete ArrayIteratorPrototype.return;
Object.setPrototypeOf(ArrayIteratorPrototype, new Proxy(IteratorPrototype, { get: (t, k, r) => (protoReads.push(String(k)), Reflect.get(t, k, r)) }));
row("of proxy under next", firstOver(dense, 1), sumOf(ints), protoReads.join(","));
Object.setPrototypeOf(ArrayIteratorPrototype, IteratorPrototype);
Array.prototype[Symbol.iterator] = originalTypedValues;
TypedArrayPrototype[Symbol.iterator] = originalValues;
row("of values swapped", attempt(() => sumOf(dense)), attempt(() => sumOf(ints)), attempt(() => firstOver(ints, 1)));
Array.prototype[Symbol.iterator] = originalValues;
TypedArrayPrototype[Symbol.iterator] = originalTypedValues;
row("of put back", sumOf(dense), sumOf(ints), firstOver(dense, 2), closed, gets);

// objects as elements
const pts = [];
for (let i = 0; i < 1000; i++) pts.push({ x: i * 0.5, w: (i % 7) - 1, pos: { x: i } });
let xGets = 0;
const withGetter = [{ x: 1 }, { get x() { return xGets++, 2; } }, { x: 3 }];
const objInputs = [pts, [], [{ x: 1 }, {}], [{ x: "1" }, { x: 2 }], [{ x: 1 }, null], [{ x: 1 }, 5], [Object.create({ x: 5 }), { x: -0 }], [{ x: NaN }], withGetter, [new Proxy({ x: 1 }, {})], [{ x: 1 }, , { x: 2 }], new Float64Array([1, 2]), [{ x: 2 ** 53 }, { x: 1 }], [{ w: 1, pos: { x: 2 } }, { w: -1 }], [{ w: 2, pos: {} }], [{ w: 1, pos: null }]];
// the shape a read site keeps within a call: other shapes, a changed value, a changed layout, other classes
const reshaped = { x: 1, y: 2 };
delete reshaped.x;
reshaped.x = 5;
const laterGetter = { x: 1 };
Object.defineProperty(laterGetter, "x", { get: () => (xGets++, 9) });
class P {
  constructor(x) {
    this.x = x;
  }
}
const shapes = [
  [{ x: 1 }, { y: 2, x: 3 }, { x: 4 }, { x: 5, y: 1 }, { x: 6 }],
  [{ x: 1 }, { x: 2 }, { x: "3" }],
  [{ x: 1 }, { x: undefined }, { x: 2 }],
  [{ x: 1 }, { x: 2 }, null],
  [{ x: 1 }, reshaped, { x: 1, y: 2 }, reshaped],
  [{ x: 1 }, { x: 2 }, laterGetter, { x: 3 }],
  [new P(1), new P(2.5), new P(-0)],
  [Object.assign(new Error("e"), { x: 4 }), { x: 1 }, Object.freeze({ x: 2 }), Object.assign(Object.create(null), { x: 8 })],
  [{ x: 1 }, Object.create({ x: 7 }), { x: 2 }],
  [{ x: 2 ** 31 }, { x: -(2 ** 31) }, { x: NaN }, { x: 0.1 }],
];
objInputs.push(...shapes);
for (const [i, a] of objInputs.entries()) row(`of objects ${i}`, attempt(() => sumX(a)), attempt(() => sumPos(a)), xGets);
{
  let t = 0;
  for (const o of pts) t += o.x;
  let u = 0;
  for (const v of floats) u += v;
  let w = 0;
  for (const v of ints) {
    if (v === 2) continue;
    w += v;
  }
  row("of loops", t, u, w);
}
for (const a of [pts, withGetter, [{ x: "s" }], [1, 2]]) {
  let t = 0;
  for (const o of a) t += o.x;
  row("of loop objects", t, xGets);
}

console.log(out.join("\n"));
