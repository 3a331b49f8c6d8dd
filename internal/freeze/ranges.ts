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
export function touches(body: N, name: string): boolean {
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

/** `r` where both bounds are safe integers. */
export const safe = (r: Bound): Bound | undefined => (Number.isSafeInteger(r.lo) && Number.isSafeInteger(r.hi) ? r : undefined);

/**
 * An inclusive range of integers, [lo, hi]; with `base`, offset by the value of that number
 * variable (which the code never assigns: the wrapper checks its value is an integer).
 */
export interface Bound {
  lo: number;
  hi: number;
  base?: string;
}

/**
 * The range of integer expression `e` where `known` holds the counters' ranges and `fixed`
 * the number variables the code never assigns; undefined when none is shown.
 */
export function rangeOf(e: N, known: ReadonlyMap<string, Range>, fixed: ReadonlySet<string> = new Set()): Bound | undefined {
  const lit = intLiteral(e);
  if (lit !== undefined) return { lo: lit, hi: lit };
  if (e.type === "Identifier") {
    const r = known.get(e.name);
    return r ? { lo: r[0], hi: r[1] } : fixed.has(e.name) ? { lo: 0, hi: 0, base: e.name } : undefined;
  }
  if (e.type !== "BinaryExpression") return undefined;
  const c = intLiteral(e.right);
  const plain = (x: N) => {
    const r = rangeOf(x, known, fixed);
    return r && r.base === undefined ? r : undefined;
  };
  const bits = e.operator === "&" || e.operator === "|" ? (c ?? intLiteral(e.left)) : undefined;
  // (anything & a non-negative constant: ToInt32 of any value, then its bits within the constant's)
  if (e.operator === "&" && bits !== undefined && bits >= 0 && bits < 2 ** 31) return { lo: 0, hi: bits };
  // (anything >>> c: ToUint32, then c bits fewer)
  if (e.operator === ">>>" && c !== undefined && c > 0 && c < 32) {
    const a = plain(e.left);
    return a && a.lo >= 0 && a.hi < 2 ** 31 ? { lo: a.lo >>> c, hi: a.hi >>> c } : { lo: 0, hi: 2 ** (32 - c) - 1 };
  }
  if (e.operator === "|" && bits !== undefined && bits >= 0 && bits < 2 ** 31) {
    // (a non-negative int32 | c: its bits and c's, no sign bit; at least each, at most their sum)
    const a = plain(c !== undefined ? e.left : e.right);
    return a && a.lo >= 0 && a.hi < 2 ** 31 ? { lo: Math.max(a.lo, bits), hi: Math.min(a.hi + bits, 2 ** 31 - 1) } : undefined;
  }
  if ((e.operator === "%" || e.operator === ">>") && c !== undefined) {
    const a = plain(e.left);
    if (!a || a.lo < 0) return undefined;
    if (e.operator === "%") return c > 0 ? (a.hi < c ? a : { lo: 0, hi: c - 1 }) : undefined;
    return a.hi < 2 ** 31 && c >= 0 && c < 32 ? { lo: a.lo >> c, hi: a.hi >> c } : undefined;
  }
  const a = rangeOf(e.left, known, fixed);
  const b = a && rangeOf(e.right, known, fixed);
  if (!a || !b) return undefined;
  // (a base plus or minus a constant range stays on that base; two bases, or a base otherwise, show nothing)
  if (e.operator === "+" && !(a.base && b.base)) return safe({ lo: a.lo + b.lo, hi: a.hi + b.hi, base: a.base ?? b.base });
  if (e.operator === "-" && !b.base) return safe({ lo: a.lo - b.hi, hi: a.hi - b.lo, base: a.base });
  if (e.operator === "*" && !a.base && !b.base) {
    const p = [a.lo * b.lo, a.lo * b.hi, a.hi * b.lo, a.hi * b.hi].map((x) => x + 0); // (no -0 as a bound)
    return safe({ lo: Math.min(...p), hi: Math.max(...p) });
  }
  return undefined;
}

/** The range of counter `name` where `test` (an if's or ?:'s) is true, and where it is false, given its range `r`. */
function narrowed(test: N, name: string, r: Range): [Range, Range] | undefined {
  if (test.type !== "BinaryExpression") return undefined;
  let op: string = test.operator;
  let c: number | undefined;
  if (test.left.type === "Identifier" && test.left.name === name) c = intLiteral(test.right);
  else if (test.right.type === "Identifier" && test.right.name === name) {
    c = intLiteral(test.left);
    op = ({ "<": ">", "<=": ">=", ">": "<", ">=": "<=" } as Record<string, string>)[op] ?? "";
  }
  if (c === undefined) return undefined;
  // i < c: [lo, c - 1] and [c, hi]; the others the same way
  const below = op === "<" ? c - 1 : op === "<=" ? c : op === ">" ? c : op === ">=" ? c - 1 : undefined;
  if (below === undefined) return undefined;
  const low: Range = [r[0], Math.min(r[1], below)];
  const high: Range = [Math.max(r[0], below + 1), r[1]];
  return op === "<" || op === "<=" ? [low, high] : [high, low];
}

/** The accesses a frozen function makes to the array handed to it as argument `index` of `call`, as ranges where `known` holds; undefined: none shown. */
export type Passed = ((call: N, index: number, known: ReadonlyMap<string, Range>) => Accesses | undefined) & {
  /** Does `call` return its argument `name` unchanged (the callee's returnedParam, outer.ts)? */
  keeps(call: N, name: string): boolean;
  /** The accesses `call`'s callee makes to `name` handed to it as a variable from around it (outer.ts); null: not handed. */
  implicit(call: N, name: string, known: ReadonlyMap<string, Range>): Accesses | undefined | null;
};

/** How code uses an array: the range of each element access's index (undefined: none shown), and whether any stores. */
export interface Accesses {
  ranges: (Bound | undefined)[];
  writes: boolean;
}

/**
 * Each element access `name[e]` (read, or store: =, op=, ++, --) below `body` with the range
 * of `e` there, or undefined when `name` is used otherwise than for those and `name.length`.
 * `fixed`: the number variables the code never assigns (bases of ranges, see Bound); `returned`:
 * `return name` is no use (the function's guard returns it: outer.ts returnedParam).
 */
export function elementAccesses(body: N, name: string, fixed: ReadonlySet<string> = new Set(), returned = false, passed?: Passed): Accesses | undefined {
  const out: Accesses = { ranges: [], writes: false };
  let other = false;
  const isName = (n: N) => n.type === "Identifier" && n.name === name;
  // (`dead`: inside a branch the counter's range shows never runs: its accesses need no window, its other uses still count)
  const walk = (n: N, known: Map<string, Range>, dead: boolean, parent?: N): void => {
    if (other) return;
    if (n.type === "MemberExpression" && isName(n.object)) {
      const stored = parent && ((parent.type === "AssignmentExpression" && parent.left === n) || (parent.type === "UpdateExpression" && parent.argument === n));
      if (n.optional || (parent?.type === "UnaryExpression" && parent.operator === "delete")) other = true;
      else if (n.computed) {
        if (!dead) out.ranges.push(rangeOf(n.property, known, fixed));
        if (stored) out.writes = true;
        walk(n.property, known, dead, n);
      } else if (n.property.name !== "length" || stored) other = true;
      return;
    }
    if (isName(n)) {
      // (`name = g(..., name, ...)` where g returns that argument unchanged: name stays the same array)
      if (parent?.type === "AssignmentExpression" && parent.left === n && parent.operator === "=" && parent.right.type === "CallExpression" && passed?.keeps(parent.right, name)) return;
      // (handed to a frozen function: the accesses it makes there, in this code's terms (`passed`))
      if (parent?.type === "CallExpression" && parent.arguments.includes(n) && passed) {
        const there = dead ? { ranges: [], writes: false } : passed(parent, parent.arguments.indexOf(n), known);
        if (!there) other = true;
        else (out.ranges.push(...there.ranges), (out.writes ||= there.writes));
        return;
      }
      // (a property name `x.name` is not the variable; `return name` where the guard returns it
      // (`returned`, outer.ts) runs no compiled code; anything else uses it as a value)
      if (!(parent?.type === "MemberExpression" && parent.property === n && !parent.computed) && !(returned && parent?.type === "ReturnStatement")) other = true;
      return;
    }
    // (a call handing it over as a variable from around its callee: the accesses there)
    if (n.type === "CallExpression" && passed) {
      const there = dead ? null : passed.implicit(n, name, known);
      if (there === undefined) return void (other = true);
      if (there) (out.ranges.push(...there.ranges), (out.writes ||= there.writes));
    }
    const loop = countingLoop(n);
    // (an if or ?: testing a counter against a constant narrows its range in each branch)
    const branches = (n.type === "IfStatement" || n.type === "ConditionalExpression") && n.test.type === "BinaryExpression" ? [...known].map(([k, r]) => [k, narrowed(n.test, k, r)] as const).find(([, b]) => b) : undefined;
    for (const c of children(n)) {
      if (loop && c === n.body) walk(c, new Map(known).set(loop.name, loop.range), dead, n);
      else if (branches && (c === n.consequent || c === n.alternate)) {
        const r = branches[1]![c === n.consequent ? 0 : 1];
        walk(c, new Map(known).set(branches[0], r), dead || r[0] > r[1], n);
      } else walk(c, known, dead, n);
    }
  };
  walk(body, new Map(), false);
  return other ? undefined : out;
}
