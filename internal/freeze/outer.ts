// What a frozen function takes from around it. Variables it only reads (a
// module's constants and tables: bcryptjs's BLOWFISH_NUM_ROUNDS) become its
// last parameters, which its guard reads at each call: frozen code runs no
// JS, so their values stay as read for the whole call. Frozen code calls such
// a function only where it has the same variables to hand on (analyze.ts
// args). And a function whose every return returns the same parameter
// unchanged (`return lr;`) is compiled as returning nothing, its guard
// returning the parameter.

import { children, isFunction, type N } from "./ast.ts";
import { touches } from "./ranges.ts";

/** Names `body` uses as variables (not property names, keys or labels). */
function usedNames(body: N): Set<string> {
  const used = new Set<string>();
  const walk = (n: N, parent?: N): void => {
    if (n.type === "Identifier") {
      if (parent?.type === "LabeledStatement" || parent?.type === "BreakStatement" || parent?.type === "ContinueStatement") return;
      if (parent?.type === "MemberExpression" && parent.property === n && !parent.computed) return;
      if (parent?.type === "Property" && parent.key === n && !parent.computed) return;
      used.add(n.name);
      return;
    }
    for (const c of children(n)) walk(c, n);
  };
  walk(body);
  return used;
}

/** Names declared inside `fn` (its parameters, variables, functions and classes, at any depth). */
function declaredNames(fn: N): Set<string> {
  const declared = new Set<string>();
  const pattern = (p: N): void => {
    if (p.type === "Identifier") declared.add(p.name);
    else for (const c of children(p)) if (!(p.type === "Property" && c === p.key && !p.computed)) pattern(c);
  };
  fn.params.forEach(pattern);
  const walk = (n: N): void => {
    if (n.type === "VariableDeclarator") pattern(n.id);
    if ((n.type === "FunctionDeclaration" || n.type === "ClassDeclaration" || n.type === "FunctionExpression" || n.type === "ClassExpression") && n.id) declared.add(n.id.name);
    if (n !== fn && isFunction(n)) n.params.forEach(pattern);
    if (n.type === "CatchClause" && n.param) pattern(n.param);
    for (const c of children(n)) walk(c);
  };
  walk(fn.body);
  return declared;
}

/** The variables from around `fn` (`isOuter`: a variable there, not a function it may call or a global) that it reads and never assigns. */
export function implicitReads(fn: N, isOuter: (name: string) => boolean): string[] {
  const declared = declaredNames(fn);
  return [...usedNames(fn.body)].filter((name) => name !== "arguments" && !declared.has(name) && isOuter(name) && !touches(fn.body, name));
}

/** The parameter each of `fn`'s returns returns, when they all return the same one, it ends with one, and it never assigns it. */
export function returnedParam(fn: N): string | undefined {
  if (fn.body.type !== "BlockStatement") return undefined;
  const last = fn.body.body[fn.body.body.length - 1];
  const name = last?.type === "ReturnStatement" && last.argument?.type === "Identifier" ? (last.argument.name as string) : undefined;
  if (!name || !fn.params.some((p: N) => p.type === "Identifier" && p.name === name) || touches(fn.body, name)) return undefined;
  let same = true;
  const walk = (n: N): void => {
    if (n.type === "ReturnStatement" && !(n.argument?.type === "Identifier" && n.argument.name === name)) same = false;
    if (n !== fn && isFunction(n)) return;
    children(n).forEach(walk);
  };
  walk(fn.body);
  return same ? name : undefined;
}

/** Does `call`, of function `g`, return its argument `name` unchanged (outer.ts returnedParam)? */
export function keepsArgument(call: N, name: string, g: { params: string[]; returnsParam?: string } | undefined): boolean {
  if (!g?.returnsParam) return false;
  const arg = (call.arguments as N[])[g.params.indexOf(g.returnsParam)];
  return arg?.type === "Identifier" && arg.name === name;
}

/**
 * The argument `call` gives `callee`'s parameter `k`: one of the call's own, or, past its own
 * parameters, the variable from around it, handed on by name (an Identifier).
 */
export function argumentAt(call: N, callee: { params: string[]; implicit?: string[] }, k: number): N | undefined {
  return k < declaredCount(callee) ? (call.arguments as N[])[k] : ({ type: "Identifier", name: callee.params[k], start: call.start, end: call.end } as unknown as N);
}

/** How many of `c`'s parameters are its own (the rest are variables from around it: implicitReads). */
export const declaredCount = (c: { params: string[]; implicit?: string[] }) => c.params.length - (c.implicit?.length ?? 0);
