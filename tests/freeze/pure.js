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
  return ((a << 3) ^ (b >>> 1)) + (a & b) - (a | b) + (~a >> 2) + (b >>> 0);
}
function floats(x, y) {
  return Math.sqrt(Math.abs(x)) + Math.floor(y) - Math.ceil(x / 3) + Math.trunc(y * 1.5) + Math.min(x, y) * Math.max(x, y, 0.5) + x ** 2 + (y % 3) + Math.sign(x);
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
  return (a || b) + (a && b) * 2 + (!a ? 1 : 0);
}
// names C could confuse: $ and _ (a$ must not become a_S)
function names(n) {
  let a$ = n;
  let a_S = 2;
  let _$ = 3;
  return a$ + 0 * a_S + _$ * 10;
}
function deep(n) {
  return n === 0 ? 0 : 1 + deep(n - 1);
}

// never frozen
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
row("impure", closure(1), property({ x: 2 }), writes({}), tryCatch(1), gen(1).next().value, args(1), self(3), maybe(1), evals(4));
later(1).then((v) => row("async", v)).then(() => console.log(out.join("\n")));
