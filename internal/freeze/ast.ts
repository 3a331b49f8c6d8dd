// Walking acorn's ESTree nodes: the child nodes of a node, whatever its type.

import type { Node } from "acorn";

export type N = Node & Record<string, any>;

/** The nodes directly below `n`, in source order of its fields. */
export function children(n: N): N[] {
  const out: N[] = [];
  for (const k of Object.keys(n)) {
    if (k === "type" || k === "start" || k === "end" || k === "loc") continue;
    const v = n[k];
    if (Array.isArray(v)) {
      for (const c of v) if (c && typeof c.type === "string") out.push(c);
    } else if (v && typeof v.type === "string") out.push(v);
  }
  return out;
}

/** Does `pred` hold for `n` or any node below it? (stops at the first) */
export function someNode(n: N, pred: (n: N) => boolean): boolean {
  return pred(n) || children(n).some((c) => someNode(c, pred));
}

/** `x.p = v`, `x[i] op= v`, `x.p++`: a store to a property or an element. */
export const storesMember = (n: N) => (n.type === "AssignmentExpression" && n.left.type === "MemberExpression") || (n.type === "UpdateExpression" && n.argument.type === "MemberExpression");

export const isFunction = (n: N) => n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression";

/** A loop the freezer compiles: for, while, do-while, for-of. */
export const isLoop = (n: N) => n.type === "ForStatement" || n.type === "WhileStatement" || n.type === "DoWhileStatement" || n.type === "ForOfStatement";

/** The unary operators that take their operand as a number (typeof, void and delete do not). */
export const NUMERIC_UNARY = ["-", "+", "~", "!"];

/** Is `n` the test of `parent` (an if, a loop, a ?:), which takes it as a boolean? */
export const isTestOf = (parent: N, n: N) => ["IfStatement", "WhileStatement", "DoWhileStatement", "ForStatement", "ConditionalExpression"].includes(parent.type) && parent.test === n;

/** Does `e` assign anything (=, op=, ++, --)? */
export const assignsAny = (e: N) => someNode(e, (n) => n.type === "AssignmentExpression" || n.type === "UpdateExpression");

/** Does `body` assign to variable `name` (=, op=, ++, --)? */
export function assigns(body: N, name: string): boolean {
  const isName = (n: N) => n.type === "Identifier" && n.name === name;
  return someNode(body, (n) => (n.type === "AssignmentExpression" && isName(n.left)) || (n.type === "UpdateExpression" && isName(n.argument)));
}

/** Every identifier's name below `n` (and `n`'s own), labels and property names too. */
export function identifiers(n: N, out = new Set<string>()): Set<string> {
  if (n.type === "Identifier") out.add(n.name);
  for (const c of children(n)) identifiers(c, out);
  return out;
}

/** Does `n` call anything but Math's functions? */
export function callsBeyondMath(n: N): boolean {
  return someNode(n, (c) => c.type === "CallExpression" && !(c.callee.type === "MemberExpression" && c.callee.object.type === "Identifier" && c.callee.object.name === "Math"));
}
