// Typed arrays in frozen code, before any code is emitted: which parameters
// are typed arrays (from how the function uses them), and where a read past
// the end may flow. JS reads undefined there; frozen code reads NaN, which
// behaves as undefined does wherever a number is taken from it (arithmetic,
// bitwise, <, tests, Math, stores into a typed array, === against a number)
// and differently elsewhere: === between two of them (but for two element
// reads, compiled knowing which is past its end), return, or handed on to
// code that does one of those.
// Those places are refused, so every result stays the interpreter's.

import { children, isTestOf, type N } from "./ast.ts";


/** Names used as typed arrays: `x[...]`, `x.length`, or `for (const v of x)`. */
export function arrayNames(body: N, names: string[]): Set<string> {
  const out = new Set<string>();
  walk(body, (n) => {
    if (n.type === "ForOfStatement" && !n.await && n.right.type === "Identifier" && names.includes(n.right.name)) out.add(n.right.name);
    if (n.type === "MemberExpression" && n.object.type === "Identifier" && names.includes(n.object.name)) {
      if (n.computed || (n.property.type === "Identifier" && n.property.name === "length")) out.add(n.object.name);
    }
  });
  return out;
}

/** Names used only as DataViews (`v.getUint32(...)`, `v.setInt8(...)`, ...), with the methods called on each. */
export function viewNames(body: N, names: string[], methods: string[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  walk(body, (n) => {
    if (n.type !== "CallExpression" || n.callee.type !== "MemberExpression" || n.callee.computed || n.callee.object.type !== "Identifier") return;
    const name = n.callee.object.name;
    const m = n.callee.property.name;
    if (names.includes(name) && methods.includes(m)) out.set(name, (out.get(name) ?? new Set()).add(m));
  });
  return out;
}

/** Statements of a function body; an arrow's expression body is one return. */
export function bodyStatements(fn: N): N[] {
  return fn.body.type === "BlockStatement" ? fn.body.body : [{ type: "ReturnStatement", argument: fn.body, start: fn.body.start, end: fn.body.end } as N];
}

const EQUALITY = ["==", "!=", "===", "!=="];

/** The DataView methods compiled code calls, for --explain (in place, or the engine's own where the bytes are not in the view: dataview.ts). */
export function throughEngine(c: { views?: Map<string, Set<string>> }): string {
  const calls = [...(c.views ?? [])].flatMap(([v, ms]) => [...ms].map((m) => `${v}.${m}`));
  return calls.length ? `; in place, through the engine where the bytes are not in the view: ${calls.join(", ")}` : "";
}

/**
 * Why a read past a typed array's end could be told from NaN in this body, or
 * undefined when it cannot. `numericParam(call, i)`: does the callee take its
 * i-th argument only as a number (see numericOnly)? `outputs`: variables whose
 * final values leave compiled code (a compiled loop's).
 */
export function undefinedFlow(stmts: N[], arrays: Set<string>, numericParam: (call: N, i: number) => boolean, outputs: string[] = []): string | undefined {
  if (arrays.size === 0) return undefined;
  const maybe = new Set<string>();
  const isRead = (e: N) => e.type === "MemberExpression" && e.computed && arrays.has(arrayKey(e.object));
  const tainted = (e: N | null | undefined): boolean => {
    if (!e) return false;
    switch (e.type) {
      case "MemberExpression":
        return isRead(e);
      case "Identifier":
        return maybe.has(e.name);
      case "ConditionalExpression":
        return tainted(e.consequent) || tainted(e.alternate);
      case "LogicalExpression":
        return tainted(e.left) || tainted(e.right);
      case "AssignmentExpression":
        // (x = a[i] is a[i]'s value)
        return e.operator === "=" && tainted(e.right);
      default:
        return false;
    }
  };
  for (let grew = true; grew; ) {
    grew = false;
    for (const s of stmts)
      walk(s, (n) => {
        const target = n.type === "VariableDeclarator" ? n.id : n.type === "AssignmentExpression" && n.operator === "=" ? n.left : undefined;
        const value = n.type === "VariableDeclarator" ? n.init : n.right;
        if (target?.type === "Identifier" && !maybe.has(target.name) && tainted(value)) (maybe.add(target.name), (grew = true));
      });
  }
  const why = "reads a typed array where a read past its end (undefined) could be told from NaN";
  let reason: string | undefined;
  for (const s of stmts)
    walk(s, (n) => {
      if (reason) return;
      // (against anything else, a number here (other types are refused), undefined and NaN are both unequal: only two of them
      // differ; two element reads are compared knowing which is past its end, analyze.ts)
      if (n.type === "BinaryExpression" && EQUALITY.includes(n.operator) && tainted(n.left) && tainted(n.right) && !(isRead(n.left) && isRead(n.right))) reason = `${why}: it compares two such values with ${n.operator}`;
      else if (n.type === "ReturnStatement" && tainted(n.argument)) reason = `${why}: it may return one`;
      else if (n.type === "CallExpression" && n.callee.type === "Identifier") {
        (n.arguments as N[]).forEach((a, i) => {
          if (!reason && tainted(a) && !numericParam(n, i)) reason = `${why}: it passes one to ${n.callee.name}`;
        });
      }
    });
  const out = outputs.find((o) => maybe.has(o));
  if (!reason && out) reason = `${why}: '${out}' may hold one after the loop`;
  return reason;
}

/** The name `arrays` knows an array expression by: a variable's, or "o.p" for an object parameter's property read at the start (analyze.ts hoistReads). */
const arrayKey = (e: N): string =>
  e.type === "Identifier" ? e.name : e.type === "MemberExpression" && !e.computed && e.object.type === "Identifier" && e.property.type === "Identifier" ? `${e.object.name}.${e.property.name}` : "";

/** Does this function use its parameter `name` only as a number (never compares it with ===, returns it, or hands it on)? */
export function numericOnly(fn: N, name: string): boolean {
  let ok = true;
  const visit = (n: N, parent: N | undefined): void => {
    if (!ok) return;
    if (n.type === "Identifier" && n.name === name && parent && !fn.params.includes(n)) {
      if (!consumesNumber(parent, n)) ok = false;
      return;
    }
    for (const c of children(n)) if (parent !== undefined || !n.params.includes(c)) visit(c, n);
  };
  visit(fn, undefined);
  return ok;
}

/** Does `parent` take a number from its child `n` right away? */
function consumesNumber(parent: N, n: N): boolean {
  switch (parent.type) {
    case "BinaryExpression":
      return !EQUALITY.includes(parent.operator);
    case "UnaryExpression":
    case "UpdateExpression":
      return true;
    case "AssignmentExpression":
      return parent.operator !== "=" || parent.left === n;
    case "MemberExpression":
      return parent.computed && parent.property === n;
    case "CallExpression":
      // Math's functions take numbers
      return parent.callee.type === "MemberExpression" && parent.callee.object.type === "Identifier" && parent.callee.object.name === "Math";
    default:
      return isTestOf(parent, n);
  }
}

function walk(n: N, f: (n: N) => void): void {
  f(n);
  for (const c of children(n)) walk(c, f);
}
