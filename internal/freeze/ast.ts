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

/** Does `n` call anything but Math's functions? */
export function callsBeyondMath(n: N): boolean {
  return someNode(n, (c) => c.type === "CallExpression" && !(c.callee.type === "MemberExpression" && c.callee.object.type === "Identifier" && c.callee.object.name === "Math"));
}
