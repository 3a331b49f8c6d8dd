"use strict";
// Pure numeric functions the freezer must compile, and impure ones it must
// leave alone. Printed for many inputs, edge values included: a frozen build
// must print exactly what the interpreter (and node) print.

function fib(n) {
  return n < 2 ? n : fib(n - 1) + fib(n - 2);
}
function sumTo(n, acc) {
  if (n <= 0) return acc;
  return sumTo(n - 1, acc + n);
}
function gcd(a, b) {
  while (b !== 0) {
    const t = b;
    b = a % b;
    a = t;
  }
  return a;
}
function collatz(n) {
  let steps = 0;
  while (n !== 1 && steps < 1000) {
    if (n % 2 === 0) n = n / 2;
    else n = 3 * n + 1;
    steps++;
  }
  return steps;
}
function isPrime(n) {
  if (n < 2) return false;
  for (let i = 2; i * i <= n; i++) {
    if (n % i === 0) return false;
  }
  return true;
}
function mandel(cx, cy, max) {
  let x = 0;
  let y = 0;
  let i = 0;
  while (i < max && x * x + y * y <= 4) {
    const t = x * x - y * y + cx;
    y = 2 * x * y + cy;
    x = t;
    i++;
  }
  return i;
}
function bits(a, b) {
  for (;;) {
    return ((a << 3) ^ (b >>> 1)) + (a & b) - (a | b) + (~a >> 2) + (b >>> 0);
  }
}
function floats(x, y) {
  for (;;) {
    return Math.sqrt(Math.abs(x)) + Math.floor(y) - Math.ceil(x / 3) + Math.trunc(y * 1.5) + Math.min(x, y) * Math.max(x, y, 0.5) + x ** 2 + (y % 3) + Math.sign(x);
  }
}
function isEven(n) {
  return n === 0 ? true : isOdd(n - 1);
}
function isOdd(n) {
  return n === 0 ? false : isEven(n - 1);
}
function overflow(a, b) {
  let s = a;
  for (let i = 0; i < 4; i++) s = s * b + 2147483647;
  return s | 0;
}
function logic(a, b) {
  for (;;) {
    return (a || b) + (a && b) * 2 + (!a ? 1 : 0);
  }
}
// names C could confuse: $ and _ (a$ must not become a_S)
function names(n) {
  for (;;) {
    let a$ = n;
    let a_S = 2;
    let _$ = 3;
    return a$ + 0 * a_S + _$ * 10;
  }
}
function deep(n) {
  return n === 0 ? 0 : 1 + deep(n - 1);
}

// one operator each, applied to every pair of edge values below. Straight-line
// functions are not worth a call from JS into compiled code, so these loop
// (for (;;) return ...) to be frozen and tested.
function add(a, b) { for (;;) return a + b; }
function sub(a, b) { for (;;) return a - b; }
function mul(a, b) { for (;;) return a * b; }
function div(a, b) { for (;;) return a / b; }
function mod(a, b) { for (;;) return a % b; }
function pow(a, b) { for (;;) return a ** b; }
function mathPow(a, b) { for (;;) return Math.pow(a, b); }
function and(a, b) { for (;;) return a & b; }
function or(a, b) { for (;;) return a | b; }
function xor(a, b) { for (;;) return a ^ b; }
function shl(a, b) { for (;;) return a << b; }
function shr(a, b) { for (;;) return a >> b; }
function ushr(a, b) { for (;;) return a >>> b; }
function lt(a, b) { for (;;) return a < b; }
function le(a, b) { for (;;) return a <= b; }
function eq(a, b) { for (;;) return a === b; }
function ne(a, b) { for (;;) return a != b; }
function min(a, b) { for (;;) return Math.min(a, b); }
function max(a, b) { for (;;) return Math.max(b, a, -Infinity); }
function orNum(a, b) { for (;;) return a || b; }
function andNum(a, b) { for (;;) return a && b; }
function pick(a, b) { for (;;) return a ? a : b; }
function unary(a) { for (;;) return -a; }
function not(a) { for (;;) return !a; }
function tilde(a) { for (;;) return ~a; }
function toInt(a) { for (;;) return a | 0; }
function toUint(a) { for (;;) return a >>> 0; }
function sign(a) { for (;;) return Math.sign(a); }
function rounding(a) { for (;;) return Math.floor(a) * 4 + Math.ceil(a) * 2 + Math.trunc(a); }
function compound(a, b) {
  for (;;) {
    let x = a;
    x += b; x *= 3; x -= a; x /= 2; x %= 7; x **= 2; x |= 1; x <<= 2; x >>= 1; x >>>= 0; x &= 255; x ^= b;
    return x;
  }
}
// control flow: do-while, continue, break out of nested loops, boolean logic
function loops(n) {
  let s = 0;
  let i = 0;
  do {
    i++;
    if (i % 3 === 0) continue;
    for (let j = 0; j < i; j++) {
      if (j > 4) break;
      s += j;
    }
  } while (i < n && i < 50);
  while (true) {
    if (s > 1000 || s < 0 || s !== s) break;
    s = s * 2 + 1;
  }
  return s;
}
function both(a, b) {
  for (;;) {
    const x = a > 0;
    const y = b > 0;
    return (x && !y) || (!x && y) || x === y === false;
  }
}
function extra(n) {
  return fib(n, n + 1) + Math.floor(n, 5) + (Math.min() > Math.max() ? 1 : 0);
}
// a loop around calls that run out of depth: unwinds at once, with the interpreter's RangeError
function loopDeep(n) {
  let k = 0;
  while (deep(n) !== -1 && k < 100) k++;
  return k;
}

// self calls in either branch of ?: are tail calls (loops)
function sumT(n, acc) {
  return n === 0 ? acc : sumT(n - 1, acc + n);
}
function pickT(n, acc) {
  return n <= 0 ? acc : n % 2 ? pickT(n - 1, acc * 2) : n > 100 ? pickT(n - 3, acc + 1) : acc - n;
}

// self calls inlined into one-expression functions (three levels; one with three calls: one)
function trib(n) {
  return n < 3 ? (n < 2 ? 0 : 1) : trib(n - 1) + trib(n - 2) + trib(n - 3);
}
function ack(m, n) {
  return m === 0 ? n + 1 : n === 0 ? ack(m - 1, 1) : ack(m - 1, ack(m, n - 1, m));
}
function nested(a, b) {
  return a <= 0 ? b : nested(a - 1, nested(a - 2, b * 2) - a) | 0;
}

// int32 loops called from f64 code (their int32 variant first, the f64 function when it bails
// out), and constants added at the int32 bounds (checked by one comparison)
function viaSumT(n, k) {
  let s = 0;
  for (let i = 0; i < k; i++) s += sumT(i * 1000, n);
  return s;
}
function addK(a) { for (;;) return a + 2147483647; }
function subK(a) { for (;;) return a - 2147483647; }
function incDec(a) { for (;;) return a + 1 - 1 + (a - 1) + (2 - a); }

// accumulators: added to as i64 without overflow checks, checked where returned (an int32, or
// the f64 function reruns); the tail call unrolled four times
function accRev(n, acc) {
  return n <= 0 ? acc : accRev(n - 1, n * n + acc);
}
function accAlt(n, acc) {
  return n <= 0 ? acc : accAlt(n - 1, acc + (n % 2 ? -2147483647 : 2147483647));
}
function accSub(n, acc) {
  if (n <= 0) return acc;
  return accSub(n - 1, acc - n);
}

// base cases inlined in front of the calls inlining leaves: in either branch, a boolean one
function down(n) {
  return n > 0 ? down(n - 2) + n : -n;
}
function parity(n) {
  return n < 1 ? n === 0 : !parity(n - 1);
}

// int32 variants (loops) that leave int32 midway: the f64 function reruns from the start
function tri(n) {
  let s = 0;
  for (let i = 1; i <= n; i++) s += i;
  return s;
}
function fact(n) {
  let p = 1;
  while (n > 1) {
    p *= n;
    n--;
  }
  return p;
}
function halve(n) {
  let steps = 0;
  while (n !== 0 && steps < 40) {
    n = n / 2;
    steps++;
  }
  return n * steps;
}

// straight-line: compiled only for the frozen function that calls it
function sq(x) {
  return x * x;
}
function sumSq(n) {
  let s = 0;
  for (let i = 0; i < n && i < 100; i++) s += sq(i) - sq(-i / 2);
  return s;
}

// never entered (closure: too little to pay for a call)
let counter = 0;
function closure(x) {
  return x + counter;
}
function property(o) {
  return o.x * 2;
}
function writes(o) {
  o.y = 1;
  return 1;
}
function tryCatch(x) {
  try {
    return x + 1;
  } catch {
    return 0;
  }
}
function* gen(x) {
  yield x;
}
async function later(x) {
  return x;
}
// straight-line code without a loop or recursion: worth a call of its own past 100 operations
function mix(x, y, z) {
  x = (x + y * 3) | 0; y ^= (x << 1) - (y >>> 2); z = z * 0.5 + x / 2 - y;
  x = (x + y * 4) | 0; y ^= (x << 2) - (y >>> 3); z = z * 0.5 + x / 3 - y;
  x = (x + y * 5) | 0; y ^= (x << 3) - (y >>> 4); z = z * 0.5 + x / 4 - y;
  x = (x + y * 6) | 0; y ^= (x << 4) - (y >>> 5); z = z * 0.5 + x / 5 - y;
  x = (x + y * 7) | 0; y ^= (x << 5) - (y >>> 6); z = z * 0.5 + x / 6 - y;
  x = (x + y * 8) | 0; y ^= (x << 6) - (y >>> 2); z = z * 0.5 + x / 7 - y;
  x = (x + y * 9) | 0; y ^= (x << 7) - (y >>> 3); z = z * 0.5 + x / 8 - y;
  x = (x + y * 10) | 0; y ^= (x << 1) - (y >>> 4); z = z * 0.5 + x / 9 - y;
  x = (x + y * 11) | 0; y ^= (x << 2) - (y >>> 5); z = z * 0.5 + x / 10 - y;
  x = (x + y * 12) | 0; y ^= (x << 3) - (y >>> 6); z = z * 0.5 + x / 11 - y;
  x = (x + y * 13) | 0; y ^= (x << 4) - (y >>> 2); z = z * 0.5 + x / 12 - y;
  x = (x + y * 14) | 0; y ^= (x << 5) - (y >>> 3); z = z * 0.5 + x / 13 - y;
  return x + y + z;
}
function mixSmall(x, y) {
  x = (x + y * 3) | 0;
  return x ^ (y << 2);
}
function args(x) {
  return arguments.length + x;
}
function self(x) {
  return this === undefined ? x : 0;
}
function maybe(x) {
  if (x > 0) return 1;
}
function evals(x) {
  return eval("x");
}

const show = (v) => (Object.is(v, -0) ? "-0" : typeof v === "number" ? String(v) : `${typeof v}:${String(v)}`);
const edges = [0, -0, 1, -1, 2.5, -7.25, NaN, Infinity, -Infinity, 2147483647, -2147483648, 2147483648, 4294967296, 1e300, -1e-300, 9007199254740993];
const others = ["3", null, undefined, true, {}];
const fibs = ["3", null, true, "1"];
const out = [];
const attempt = (f) => {
  try {
    return f();
  } catch (e) {
    return `${e.constructor.name}: ${e.message}`;
  }
};
const row = (name, ...values) => out.push(`${name}: ${values.map(show).join(" ")}`);
row("fib", ...[0, 1, 2, 10, 25, -1, 2.5, -3.5].map(fib), fib("7"), fib(true));
row("sumTo", sumTo(100, 0), sumTo(1000, 0), sumTo(10.5, 0.25), attempt(() => sumTo(NaN, 1)), sumTo(3));
row("gcd", gcd(1071, 462), gcd(-48, 18), gcd(2.5, 0.5), gcd(0, 0), gcd(NaN, 0), gcd(-0, 5));
row("collatz", ...[1, 2, 7, 27, 97, 0, -5, 2.5, NaN].map(collatz));
row("isPrime", ...[0, 1, 2, 3, 97, 100, 7919, -7, 2.5, NaN, -Infinity].map(isPrime), isPrime("7"));
row("mandel", mandel(-0.5, 0, 100), mandel(0.25, 0.5, 100), mandel(-2, 0, 50), mandel(NaN, 0, 10), mandel(0.3, 0.6, 1000));
for (const a of edges) row(`bits ${show(a)}`, ...edges.map((b) => bits(a, b)));
for (const a of edges) row(`floats ${show(a)}`, ...edges.map((b) => floats(a, b)));
row("isEven", isEven(10), isOdd(7), isEven(0), isOdd(0), isEven(1001));
row("overflow", ...edges.map((b) => overflow(3, b)), overflow(-2147483648, -1));
row("logic", ...edges.map((b) => logic(0, b)), ...edges.map((b) => logic(NaN, b)), ...edges.map((b) => logic(-0, b)));
row("others", ...fibs.map((v) => fib(v)), attempt(() => fib(undefined)), ...fibs.map((v) => gcd(v, 4)), ...others.map((v) => floats(v, 1)));
row("deep", deep(1000), attempt(() => deep(1e6)));
row("names", names(7), names(-1.5));
const binaries = { add, sub, mul, div, mod, pow, mathPow, and, or, xor, shl, shr, ushr, lt, le, eq, ne, min, max, orNum, andNum, pick, compound };
const more = [...edges, 0.5, -0.5, 1.5, -2147483648.5, 2147483647.5, -2147483649, 2 ** 32 + 5, 2 ** 53, 2 ** 53 + 2, -(2 ** 53), 2 ** 63, 2 ** 64 + 4096, 1e21, -1e21, 5e-324, 1.7976931348623157e308, 33, -1, 3, -3];
for (const [name, f] of Object.entries(binaries)) for (const a of more) row(`${name} ${show(a)}`, ...more.map((b) => f(a, b)));
for (const f of [unary, not, tilde, toInt, toUint, sign, rounding, loops]) row(f.name, ...more.map(f));
row("both", ...more.map((a) => both(a, 1)), ...more.map((a) => both(a, -1)), ...more.map((a) => both(a, NaN)));
row("extra", extra(0), extra(10), extra(2.5));
row("after overflow", attempt(() => loopDeep(1e6)), loopDeep(10), attempt(() => sumTo(1e6, 0)), fib(20), isEven(500));
row("tail ?:", sumT(1000, 0), attempt(() => sumT(10.5, 0)), attempt(() => sumT(1e6, 0)), ...more.map((a) => attempt(() => pickT(a, 1))), pickT(7, 3));
row("inlined", ...[0, 1, 2, 3, 10, 20, -1, 2.5, NaN].map((n) => attempt(() => trib(n))), ack(2, 3), ack(3, 3), ack(0, -0), attempt(() => ack(3, 1e5)), ...more.map((a) => attempt(() => nested(Math.min(a, 12), a))));
row("int32 exits", ...[0, 1, 65535, 65536, 70000, -5, 2.5].map(tri), ...[0, 1, 12, 13, 20, 25, -3, 2.5].map(fact), ...[0, 1, 2, 1024, 3, -6, 2147483647, -2147483648].map(halve));
row("dispatched", ...[0, -0, 1, 100, 2.5, NaN, 2145000000, 2146000000, 2147483647, -2147483648, -5, 1e300].map((n) => viaSumT(n, 3)), viaSumT(-0, 1), attempt(() => viaSumT(1, 20)));
row("int32 bounds", ...more.map(addK), ...more.map(subK), ...more.map(incDec), addK(-2147483648), subK(-1), subK(-2));
row("accumulators", ...[0, 1, 2, 3, 4, 7, 100, 3000, -1, 2.5, NaN].map((n) => attempt(() => accRev(n, 0))), accRev(3, -0), accRev(0, -0), accRev(2, 2147483647), accRev(2000, -2147483648), accRev(1, 2.5));
row("accumulators 2", ...[1, 2, 3, 4, 5, 1000].map((n) => accAlt(n, 2147483647)), accAlt(4, -2147483648), accAlt(3, 0.5), accSub(10, 5), accSub(3000, -2147483000), accSub(3000, 2147483647), sumT(3000, 2147483000), sumTo(3000, -2147483648));
row("accumulators, too deep", attempt(() => accRev(1e6, 0)), attempt(() => accAlt(1e6, 1)), attempt(() => accSub(1e6, 0)), attempt(() => sumT(1e6, 0)));
row("base cases", ...[0, 1, 2, 7, 20, -1, -0, 2.5, NaN, Infinity].map((n) => attempt(() => down(n))), ...[0, 1, 2, 15, -0.5, 2.5, -0].map(parity));
row("base cases, too deep", attempt(() => parity(1e6)), attempt(() => down(1e6)), attempt(() => down(-1e6)), down(3000));
row("sumSq", ...more.map(sumSq), sq(3));
for (const a of more) row(`mix ${show(a)}`, ...more.map((b) => mix(a, b, a - b)), ...more.map((b) => mixSmall(a, b)));
row("non-numbers", ...others.map((v) => add(v, 1)), ...others.map((v) => pow(2, v)), ...others.map((v) => shl(v, 1)), attempt(() => add(Symbol(), 1)).split(":")[0], add(1n, 2n), add([], 1));
row("impure", closure(1), property({ x: 2 }), writes({}), tryCatch(1), gen(1).next().value, args(1), self(3), maybe(1), evals(4));
// Math's functions replaced through a Math the build cannot see (not the name Math): compiled code must not keep the old ones
{
  const M = Reflect.get(globalThis, ["Ma", "th"].join(""));
  const saved = { sign: M.sign, floor: M.floor, min: M.min };
  Object.assign(M, { sign: () => 7, floor: (x) => -x, min: () => 0.5 });
  row("Math replaced", ...[2.5, -3].map(sign), ...[1.5, -2].map(rounding), min(1, 2));
  Object.assign(M, saved);
}
later(1).then((v) => row("async", v)).then(() => console.log(out.join("\n")));
