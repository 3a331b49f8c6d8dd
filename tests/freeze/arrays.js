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
  row(`pastEnd ${i}`, attempt(() => pastEnd(a)));
  for (const at of [0, 1, 2, -1, -0, 1.5, 3, 99, NaN, Infinity, 2 ** 32]) row(`readAt ${i} ${show(at)}`, attempt(() => readAt(a, at)));
  row(`dot ${i}`, attempt(() => dot(a, dense)), attempt(() => dot(floats, a)), attempt(() => dot(a, new Float64Array([1, 2, 3]))));
  row(`sumBoth ${i}`, attempt(() => sumBoth(a, dense)), attempt(() => sumBoth(new Int8Array([5, 6]), a)), attempt(() => sumTwo(a, floats)));
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

console.log(out.join("\n"));
