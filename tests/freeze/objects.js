"use strict";
// Objects in compiled code: object literals built in compiled loops, string +
// number, method calls on objects from outside, and reads of numbers from
// objects passed in (own, inherited, missing; getters, proxies, values that
// are no numbers fall back). A frozen build must print exactly what the
// interpreter (and node) print.

const show = (v) => (Object.is(v, -0) ? "-0" : typeof v === "number" ? String(v) : typeof v === "object" && v !== null ? JSON.stringify(v) : `${typeof v}:${String(v)}`);
const out = [];
const row = (name, ...values) => out.push(`${name}: ${values.map(show).join(" ")}`);
// (node's messages differ from QuickJS's: they are printed only when asked, to compare builds with the interpreter)
const messages = process.argv.includes("messages");
const attempt = (f) => {
  try {
    return f();
  } catch (e) {
    return messages ? `${e.constructor.name}: ${e.message}` : e.constructor.name;
  }
};
const edges = [0, -0, 1, -1, 0.5, 0.1 + 0.2, 2147483647, 2147483648, -2147483649, 2 ** 53, 2 ** 53 + 2, 1e21, 1e-7, 5e-324, NaN, Infinity, -Infinity];

// -- object literals in a compiled loop at the top level (the 600k-objects benchmark's shape)

const made = [];
for (let i = 0; i < 40; i++) made.push({ id: i, x: i * 0.5, name: "n" + (i % 7), even: i % 2 === 0, tail: i - 0.25 + "!", "quoted key": -i });
row("made", made.length, made[0], made[13], made[39]);
row("made keys", Object.keys(made[5]).join(","), Object.getPrototypeOf(made[5]) === Object.prototype);
row("made -0", Object.is(made[0].x, 0), Object.is(made[0]["quoted key"], -0));

// every edge value through a literal and through a string
const boxes = [];
for (let k = 0; k < edges.length; k++) boxes.push({ v: edges[k] * 1, s: "v=" + edges[k], t: edges[k] + "" });
for (const b of boxes) row("box", b.v, b.s, b.t);

// nested literals, and an object from outside as a field
const outer = { tag: "outer" };
const nests = [];
for (let i = 0; i < 3; i++) nests.push({ i, inner: { sq: i * i, deeper: { half: i / 2 } }, outer });
row("nests", nests[2], nests[1].outer === outer);

// a literal defines its fields: a setter on Object.prototype is not called
let setterCalls = 0;
Object.defineProperty(Object.prototype, "trap", { set() { setterCalls++; }, get() { return "inherited"; }, configurable: true });
const defined = [];
for (let i = 0; i < 5; i++) defined.push({ trap: i });
row("defined", setterCalls, defined[4].trap, Object.getOwnPropertyNames(defined[4]).join());
delete Object.prototype.trap;

// push patched on one array, a proxy array, and a push that throws: the engine calls what JS would
const patched = [];
let pushes = 0;
patched.push = function (v) { pushes++; return Array.prototype.push.call(this, v); };
for (let i = 0; i < 6; i++) patched.push({ i });
row("patched push", pushes, patched.length, patched[5]);
const trapped = [];
const log = [];
const proxy = new Proxy([], { set(t, k, v) { log.push(String(k)); t[k] = v; return true; } });
for (let i = 0; i < 3; i++) proxy.push({ i });
row("proxy push", log.join(","), proxy.length, trapped.length);
const failing = { n: 0, push(v) { if (++this.n === 4) throw new RangeError("full at " + v.i); } };
row("throwing push", attempt(() => { for (let i = 0; i < 10; i++) failing.push({ i }); return "no throw"; }), failing.n);
const notAFunction = { push: 3 };
row("push not a function", attempt(() => { for (let i = 0; i < 2; i++) notAFunction.push({ i }); return "no throw"; }));
let nothing;
row("push on undefined", attempt(() => { for (let i = 0; i < 2; i++) nothing.push({ i }); return "no throw"; }));
// a string + number whose String.prototype.concat the program replaced: + does not call it
const realConcat = String.prototype.concat;
String.prototype.concat = () => "patched";
const strs = [];
for (let i = 0; i < 3; i++) strs.push("s" + i);
String.prototype.concat = realConcat;
row("strings", strs.join(","));

// strings made from numbers: the digits of an int32 written directly, anything else through concat
function labels(xs, v) {
  for (let k = 0; k < 1; k++) xs.push("é" + v, v + "日本", "x🙂" + v, v + "", "" + v, "a literal longer than thirty-two bytes: " + v);
  return 1;
}
const labelled = [];
for (const v of [...edges, -5, -10, 10, 99, 100, -2147483648, 2147483647, 1234567, 4294967295, -0.5]) labels(labelled, v);
row("labels", labelled.join("|"));

// -- frozen functions that build objects

function fill(xs, n) {
  for (let i = 0; i < n; i++) xs.push({ i, sq: i * i, label: "#" + i });
  return n;
}
const filled = [];
row("fill", fill(filled, 5), filled[4], fill(filled, 0), filled.length, attempt(() => fill(null, 2)), attempt(() => fill(undefined, 0)));
row("fill edges", fill(filled, NaN), fill(filled, -1), fill(filled, 2.5), filled.length);
row("fill into a non-array", attempt(() => fill({ push: (o) => row("custom push", o) }, 2)));

// -- reads of numbers from objects passed in

function sumX(o, n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += o.x * i;
  return s;
}
function norm2(p, q) {
  let s = 0;
  for (let k = 0; k < 3; k++) s += p.x * q.x + p.y * q.y - (p.z | 0);
  return s;
}
/** A read where undefined and NaN differ (kept as it is): a missing property falls back. */
function lastX(o, n) {
  let r = 0;
  for (let i = 0; i < n; i++) r = o.x;
  return r;
}
class Point {
  constructor(x, y) {
    this.x = x;
    this.y = y;
  }
}
class Shifted extends Point {}
const proto = { x: 7, y: 8 };
let getterCalls = 0;
const getter = { get x() { getterCalls++; return 3; }, y: 1 };
const throwing = { get x() { throw new TypeError("no x"); } };
const proxied = new Proxy({ x: 2, y: 3 }, { get(t, k) { log.push("get " + String(k)); return t[k]; } });
const inputs = {
  plain: { x: 2, y: 3 },
  float: { x: 0.5, y: -0 },
  class: new Point(4, 5),
  inherited: new Shifted(6, 7),
  fromProto: Object.create(proto),
  deepProto: Object.create(Object.create(proto)),
  missing: { y: 1 },
  nullProto: Object.assign(Object.create(null), { x: 9 }),
  string: { x: "3", y: "4" },
  stringPlus: { x: "a" },
  nul: { x: null, y: true },
  object: { x: { valueOf() { return 5; } }, y: 1 },
  bigint: { x: 1n, y: 1n },
  getter,
  proxied,
  array: [1, 2],
  func: Object.assign(function () {}, { x: 11 }),
  number: 5,
  str: "abc",
};
for (const [name, o] of Object.entries(inputs)) {
  row(`sumX ${name}`, attempt(() => sumX(o, 4)), attempt(() => norm2(o, o)), attempt(() => lastX(o, 3)));
}
for (const v of edges) row("sumX edge", sumX({ x: v }, 3), norm2({ x: v, y: v, z: v }, { x: 1, y: -1 }));
// reads through a chain: o.pos.x
function sumPos(o, n) {
  let s = 0;
  for (let i = 0; i < n; i++) s += o.pos.x * i + o.pos.y;
  return s;
}
const nested = {
  plain: { pos: { x: 1, y: 2 } },
  inherited: Object.create({ pos: { x: 3, y: 4 } }),
  inheritedInner: { pos: Object.create({ x: 5, y: 6 }) },
  getterPos: { get pos() { getterCalls++; return { x: 7, y: 8 }; } },
  getterInner: { pos: { get x() { getterCalls++; return 9; }, y: 1 } },
  missingPos: {},
  missingInner: { pos: {} },
  nullPos: { pos: null },
  stringPos: { pos: "ab" },
  proxyPos: { pos: new Proxy({ x: 1, y: 1 }, {}) },
  numberPos: { pos: 3 },
};
for (const [name, o] of Object.entries(nested)) row(`sumPos ${name}`, attempt(() => sumPos(o, 3)), attempt(() => sumPos(o, 0)));
row("getter calls", getterCalls);
row("proxy log", log.join(","));
row("throwing getter", attempt(() => sumX(throwing, 2)), attempt(() => sumX(throwing, 0)));
row("no object", attempt(() => sumX(undefined, 2)), attempt(() => sumX(null, 0)), attempt(() => sumX(null, 1)));
// the prototype changes between calls
const changing = Object.create({ x: 1 });
const before = sumX(changing, 3);
Object.setPrototypeOf(changing, { x: 10 });
row("prototype change", before, sumX(changing, 3));
Object.defineProperty(changing, "x", { get: () => 100 });
row("own getter added", sumX(changing, 3));

// a compiled loop at the top level that reads (and gives back its sum)
const pts = [];
for (let i = 0; i < 10; i++) pts.push({ x: i, y: -i });
let total = 0;
const p0 = pts[3];
for (let k = 0; k < 5; k++) total += p0.x * k + p0.y;
row("top-level reads", total);
const g0 = { get x() { return 2; }, y: 0 };
let total2 = 1;
for (let k = 0; k < 5; k++) total2 += g0.x * k + g0.y;
row("top-level getter", total2);

// -- writes (strict-mode assignment: what cannot be written throws)

function stamp(o, n) {
  for (let i = 0; i < n; i++) o.last = i * 2;
  return n;
}
function label(o, n) {
  for (let i = 0; i < n; i++) {
    o.name = "#" + i;
    o.box = { i, half: i / 2 };
  }
  return n;
}
let setCalls = 0;
const writeLog = [];
const targets = {
  plain: {},
  existing: { last: "old", name: 1 },
  frozen: Object.freeze({ last: 1 }),
  sealed: Object.seal({ last: 1 }),
  nonExtensible: Object.preventExtensions({}),
  setter: { set last(v) { setCalls += v; }, set name(v) { setCalls++; }, set box(v) { setCalls += v.i; } },
  getterOnly: { get last() { return 1; }, get name() { return 2; } },
  inheritedSetter: Object.create({ set last(v) { setCalls += 100; } }),
  inheritedReadonly: Object.create(Object.freeze({ last: 0, name: 0 })),
  proxy: new Proxy({}, { set(t, k, v) { writeLog.push(String(k)); t[k] = v; return true; } }),
  refusingProxy: new Proxy({}, { set() { return false; } }),
  array: [1, 2, 3],
  number: 5,
  string: "s",
  nothing: undefined,
};
for (const [name, o] of Object.entries(targets)) {
  row(`stamp ${name}`, attempt(() => stamp(o, 3)), attempt(() => label(o, 2)), typeof o === "object" && o !== null ? Object.keys(o).join("|") : "-", o && o.last, o && o.box);
}
row("set calls", setCalls, writeLog.join(","));
const counter = { count: 0 };
for (let i = 0; i < 5; i++) counter.count = i * 10;
row("top-level write", counter.count);

// compiled code re-entered through JS (a push that calls back, a getter that reads through the
// frozen function) until the interpreter's stack limit: its RangeError, and all still usable
let depth = 0;
const sinkBack = { push(o) { depth++; fill(sinkBack, 1 + o.i); } };
row("re-entered", attempt(() => fill(sinkBack, 1)), depth > 100);
const deep = { get x() { return sumX(deep, 1) + 1; } };
row("getter re-enters", attempt(() => sumX(deep, 1)));
// an object handed on whole: into a literal, to a method
const handed = [];
const item = { tag: "item" };
for (let i = 0; i < 3; i++) handed.push(item, { item, i });
row("handed on", handed.length, handed[0] === item, handed[5].item === item, handed[5]);
// strings and keys as JS has them: a NUL, lone surrogates, a digit key, and the text of the
// freezer's own marker for String.prototype.concat (a literal like any other)
function odd(xs, n) {
  for (let i = 0; i < n; i++) xs.push("\0concat", "\uD800", "x\uDC00" + i, "\uDBFF" + (i + 0.5), { "a\0b": i, "\uD83D": 1, "1": 2, "é": 3 });
  return n;
}
const odds = [];
odd(odds, 2);
row("odd strings", odds.length, odds.slice(0, 4).map((s) => (typeof s === "string" ? Array.from({ length: s.length }, (_, k) => s.charCodeAt(k)).join(".") : typeof s)).join(" "), odds[4], Object.keys(odds[4]).map((k) => k.length).join());

// -- object parameters' properties read once, at the start, by code that stores into typed arrays
// (pako's slide_hash: a state object's arrays and sizes); anything but data properties holding
// typed arrays and numbers (getters, proxies, plain Arrays, strings, missing ones) runs the JS
function slide(s) {
  let n = s.hash_size;
  let p = n;
  const wsize = s.w_size;
  do {
    const m = s.head[--p];
    s.head[p] = m >= wsize ? m - wsize : 0;
  } while (--n);
  n = s.prev.length;
  p = n;
  while (n--) {
    const m = s.prev[--p];
    s.prev[p] = m >= wsize ? m - wsize : 0;
  }
  return s.head.length + s.prev.length;
}
function scaleInto(o, a) {
  for (let i = 0; i < a.length; i++) a[i] = a[i] * o.k + o.b;
  return a.length;
}
function shiftCompare(s) {
  let same = 0;
  for (let i = 0; i < s.n; i++) {
    if (s.src[i] === s.dst[i]) same++;
    s.dst[i] = s.src[i + 1];
  }
  return same;
}
function initTrees(s) {
  const made = { at: 0 };
  for (let n = 0; n < s.codes; n++) s.tree[n * 2] = n;
  for (let n = 0; n < 3; n++) s.bl[n] = s.tree[n] + 1;
  return [made.at, s.tree.join(), s.bl.join()].join("/");
}
// (a read past a hoisted array's end is undefined where it can be told from NaN)
function lastPast(s) {
  let v = 0;
  for (let i = 0; i <= s.n; i++) {
    v = s.a[i];
    s.b[i] = 1;
  }
  return v;
}
function pastCompared(s) {
  let same = 0;
  for (let i = 0; i < 4; i++) {
    const x = s.a[i + 2];
    const y = s.b[i];
    if (x === y) same++;
    s.b[i] = 9;
  }
  return same;
}
// (a property of a property, o.p.q, is read in place, which code that stores cannot do: refused;
// a length alone, which may be a plain Array's, too)
function nestedRead(o, a) {
  for (let i = 0; i < a.length; i++) a[i] = o.p.q + i;
  return a.length;
}
function lengthOnly(o, a) {
  for (let i = 0; i < o.xs.length; i++) a[i] = i;
  return a.length;
}
// (a property write may run a setter, which may replace an array, and changes what a later read
// finds: nothing is read ahead there)
function writesBetween(s) {
  for (let i = 0; i < 3; i++) {
    s.head[i] = s.tag + i;
    s.tag = i;
  }
  return 3;
}
{
  let getterCalls = 0;
  // (node 20 detaches by transferring to a clone, QuickJS-NG by ArrayBuffer.prototype.transfer)
  const detach = (t) => (typeof t.buffer.transfer === "function" ? t.buffer.transfer() : structuredClone(t.buffer, { transfer: [t.buffer] }), t);
  const u16 = () => new Uint16Array([9, 3, 7, 1, 12, 4, 0, 65535]);
  const resizable = new ArrayBuffer(8, { maxByteLength: 32 });
  new Uint16Array(resizable).set([5, 6, 7, 8]);
  const states = {
    plain: () => ({ hash_size: 8, w_size: 4, head: u16(), prev: new Uint16Array(3) }),
    inherited: () => Object.assign(Object.create({ head: u16(), prev: new Uint8Array(2) }), { hash_size: 8, w_size: 5 }),
    "past the end": () => ({ hash_size: 11, w_size: 2, head: u16(), prev: new Uint16Array(1) }),
    float: () => ({ hash_size: 4, w_size: 0.5, head: new Float64Array([1.5, -0, NaN, 3]), prev: new Float32Array(1) }),
    int8: () => ({ hash_size: 3, w_size: 100, head: new Int8Array([-128, 127, 100]), prev: new Uint8ClampedArray(2) }),
    "one array twice": () => { const a = u16(); return { hash_size: 8, w_size: 3, head: a, prev: a }; },
    detached: () => ({ hash_size: 4, w_size: 1, head: detach(u16()), prev: new Uint16Array(3) }),
    "length-tracking": () => ({ hash_size: 4, w_size: 6, head: new Uint16Array(resizable), prev: new Uint16Array(resizable, 2) }),
    getter: () => { const a = u16(); return { hash_size: 8, w_size: 4, get head() { getterCalls++; return a; }, prev: new Uint16Array(3) }; },
    proxy: () => new Proxy({ hash_size: 8, w_size: 4, head: u16(), prev: new Uint16Array(3) }, {}),
    "plain Array": () => ({ hash_size: 8, w_size: 4, head: [9, 3, 7, 1, 12, 4, 0, 65535], prev: [] }),
    "string size": () => ({ hash_size: 8, w_size: "4", head: u16(), prev: new Uint16Array(3) }),
    "missing size": () => ({ hash_size: 8, head: u16(), prev: new Uint16Array(3) }),
    "missing array": () => ({ hash_size: 8, w_size: 4, prev: new Uint16Array(3) }),
    "no object": () => 7,
  };
  for (const [name, make] of Object.entries(states)) {
    const s = make();
    row(`slide ${name}`, attempt(() => slide(s)), typeof s === "object" && s.head ? attempt(() => Array.from(s.head).join()) : "-", getterCalls);
  }
  // (a length-tracking array after its buffer grew and shrank)
  for (const bytes of [16, 4]) {
    resizable.resize(bytes);
    const s = states["length-tracking"]();
    row(`slide resized to ${bytes}`, attempt(() => slide(s)), Array.from(s.head).join());
  }
  for (const o of [{ k: 2, b: 0.5 }, { k: "2", b: 1 }, { k: 3 }, Object.create({ k: -1, b: -0 }), { get k() { getterCalls++; return 4; }, b: 0 }]) {
    for (const a of [new Float64Array([1, -0, NaN, 2.5]), new Uint8Array([1, 200, 255]), new Int32Array(0)]) row("scaleInto", attempt(() => scaleInto(o, a)), Array.from(a).join(), getterCalls);
  }
  for (const n of [0, 3, 4, 6]) {
    const s = { n, src: new Int16Array([1, 1, 2, -3]), dst: new Int16Array([1, 5, 2]) };
    row("shiftCompare", shiftCompare(s), s.dst.join());
  }
  for (const n of [1, 2, 3]) row("lastPast", lastPast({ n, a: new Uint8Array([4, 5, 6]), b: new Uint8Array(2) }));
  row("pastCompared", pastCompared({ a: new Uint8Array([1, 2, 3]), b: new Uint8Array(2) }), pastCompared({ a: new Float64Array(6), b: new Float64Array(4) }));
  row("nestedRead", nestedRead({ p: { q: 2 } }, new Uint8Array(2)), lengthOnly({ xs: [1, 2, 3] }, new Float64Array(4)), lengthOnly({ xs: new Uint8Array(1) }, new Float64Array(2)));
  row("initTrees", initTrees({ codes: 4, tree: new Uint8Array(9), bl: new Float32Array(4) }), initTrees({ codes: 6, tree: new Uint8Array(4), bl: new Int8Array(2) }), attempt(() => initTrees({ codes: 2, tree: [0, 0, 0, 0], bl: new Uint8Array(3) })));
  const first = new Uint8Array(3);
  const swapper = { head: first, get tag() { return 1; }, set tag(v) { if (v === 1) this.head = new Uint8Array([7, 7, 7]); } };
  const plainHead = { head: new Uint8Array(3), tag: 5 };
  row("writesBetween", writesBetween(swapper), first.join(), swapper.head.join(), writesBetween(plainHead), plainHead.head.join(), plainHead.tag);
}

console.log(out.join("\n"));
