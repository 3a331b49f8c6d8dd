// Integer ranges of index expressions, on the syntax alone: what lets code
// with effects read a plain Array (arrays.ts). Such code must never deopt (a
// re-run would repeat its effects), so each of its reads of the array is
// shown to fall inside it: the wrapper checks the array is at least that
// long and holds only numbers up to there.
//
// The facts come from counting loops, `for (i = A; i < B; i++)` (or `<=`,
// `++i`, `i += 1`, `let i = A`) with A and B integer literals and a body that
// neither assigns nor declares i: inside the body, i is an integer in
// [A, B - 1]. From there, + - * of ranges, `% c` and `>> c` of a
// non-negative range, `| c` of a non-negative int32 range, and `& c` and
// `>>> c` of anything (c a literal: non-negative; 1 to 31 for `>>>`).

import { children, someNode, type N } from "./ast.ts";

/** An inclusive range of integers. */
export type Range = readonly [number, number];

const intLiteral = (n: N | undefined): number | undefined =>
  n?.type === "Literal" && typeof n.value === "number" && Number.isSafeInteger(n.value) ? n.value : undefined;

/** Does `body` assign or declare `name` (=, op=, ++, --, a pattern, for-in/of, a declarator)? Either makes it another value than the loop's count. */
function touches(body: N, name: string): boolean {
  const isName = (n: N) => n.type === "Identifier" && n.name === name;
  const target = (n: N) => n.type !== "MemberExpression" && someNode(n, isName);
  return someNode(
    body,
    (n) =>
      (n.type === "AssignmentExpression" && target(n.left)) ||
      (n.type === "UpdateExpression" && target(n.argument)) ||
      ((n.type === "ForInStatement" || n.type === "ForOfStatement") && target(n.left)) ||
      (n.type === "VariableDeclarator" && someNode(n.id, isName)),
  );
}

/** The counter of a counting loop and its range inside the body, if `s` is one. */
export function countingLoop(s: N): { name: string; range: Range } | undefined {
  if (s.type !== "ForStatement") return undefined;
  const init = s.init;
  let name: string | undefined;
  let from: number | undefined;
  if (init?.type === "VariableDeclaration" && init.declarations.length === 1 && init.declarations[0].id.type === "Identifier") {
    name = init.declarations[0].id.name;
    from = intLiteral(init.declarations[0].init);
  } else if (init?.type === "AssignmentExpression" && init.operator === "=" && init.left.type === "Identifier") {
    name = init.left.name;
    from = intLiteral(init.right);
  }
  if (name === undefined || from === undefined) return undefined;
  const isI = (n: N) => n.type === "Identifier" && n.name === name;
  const t = s.test;
  const bound = t?.type === "BinaryExpression" && (t.operator === "<" || t.operator === "<=") && isI(t.left) ? intLiteral(t.right) : undefined;
  if (bound === undefined) return undefined;
  const u = s.update;
  const step = (u?.type === "UpdateExpression" && u.operator === "++" && isI(u.argument)) || (u?.type === "AssignmentExpression" && u.operator === "+=" && isI(u.left) && intLiteral(u.right) === 1);
  if (!step || touches(s.body, name)) return undefined;
  const last = t.operator === "<" ? bound - 1 : bound;
  return last >= from ? { name, range: [from, last] } : undefined;
}

const safe = (r: Range): Range | undefined => (Number.isSafeInteger(r[0]) && Number.isSafeInteger(r[1]) ? r : undefined);

/** The range of integer expression `e` where `known` holds the counters' ranges; undefined when none is shown. */
export function rangeOf(e: N, known: ReadonlyMap<string, Range>): Range | undefined {
  const lit = intLiteral(e);
  if (lit !== undefined) return [lit, lit];
  if (e.type === "Identifier") return known.get(e.name);
  if (e.type !== "BinaryExpression") return undefined;
  const c = intLiteral(e.right);
  const bits = e.operator === "&" || e.operator === "|" ? (c ?? intLiteral(e.left)) : undefined;
  // (anything & a non-negative constant: ToInt32 of any value, then its bits within the constant's)
  if (e.operator === "&" && bits !== undefined && bits >= 0 && bits < 2 ** 31) return [0, bits];
  // (anything >>> c: ToUint32, then c bits fewer)
  if (e.operator === ">>>" && c !== undefined && c > 0 && c < 32) {
    const a = rangeOf(e.left, known);
    return a && a[0] >= 0 && a[1] < 2 ** 31 ? [a[0] >>> c, a[1] >>> c] : [0, 2 ** (32 - c) - 1];
  }
  if (e.operator === "|" && bits !== undefined && bits >= 0 && bits < 2 ** 31) {
    // (a non-negative int32 | c: its bits and c's, no sign bit; at least each, at most their sum)
    const a = rangeOf(c !== undefined ? e.left : e.right, known);
    return a && a[0] >= 0 && a[1] < 2 ** 31 ? [Math.max(a[0], bits), Math.min(a[1] + bits, 2 ** 31 - 1)] : undefined;
  }
  const a = rangeOf(e.left, known);
  if (!a) return undefined;
  if (c !== undefined && a[0] >= 0) {
    if (e.operator === "%" && c > 0) return a[1] < c ? a : [0, c - 1];
    if (e.operator === ">>" && a[1] < 2 ** 31 && c >= 0 && c < 32) return [a[0] >> c, a[1] >> c];
  }
  const b = rangeOf(e.right, known);
  if (!b) return undefined;
  if (e.operator === "+") return safe([a[0] + b[0], a[1] + b[1]]);
  if (e.operator === "-") return safe([a[0] - b[1], a[1] - b[0]]);
  if (e.operator === "*") {
    const p = [a[0] * b[0], a[0] * b[1], a[1] * b[0], a[1] * b[1]].map((x) => x + 0); // (no -0 as a bound)
    return safe([Math.min(...p), Math.max(...p)]);
  }
  return undefined;
}

/**
 * Each element read `name[e]` below `body` with the range of `e` there (undefined: none
 * shown), or undefined when `name` is used otherwise than for such reads and `name.length`.
 */
export function elementReads(body: N, name: string): (Range | undefined)[] | undefined {
  const reads: (Range | undefined)[] = [];
  let other = false;
  const isName = (n: N) => n.type === "Identifier" && n.name === name;
  const walk = (n: N, known: Map<string, Range>, parent?: N): void => {
    if (other) return;
    if (n.type === "MemberExpression" && isName(n.object)) {
      const stored = parent && ((parent.type === "AssignmentExpression" && parent.left === n) || (parent.type === "UpdateExpression" && parent.argument === n) || (parent.type === "UnaryExpression" && parent.operator === "delete"));
      if (stored || n.optional) other = true;
      else if (n.computed) {
        reads.push(rangeOf(n.property, known));
        walk(n.property, known, n);
      } else if (n.property.name !== "length") other = true;
      return;
    }
    if (isName(n)) {
      // (a property name `x.name` is not the variable; anything else uses it as a value)
      if (!(parent?.type === "MemberExpression" && parent.property === n && !parent.computed)) other = true;
      return;
    }
    const loop = countingLoop(n);
    for (const c of children(n)) {
      if (loop && c === n.body) {
        const inner = new Map(known);
        inner.set(loop.name, loop.range);
        walk(c, inner, n);
      } else walk(c, known, n);
    }
  };
  walk(body, new Map());
  return other ? undefined : reads;
}
