// Variables declared without a value (`var i;`, `let t;`) in frozen code: the
// interpreter holds undefined in them until the first assignment, compiled code
// a number. That is the same program only when no read can come before an
// assignment, on any path: what assignedBeforeRead checks, on the syntax alone
// (the usual `var i; for (i = 0; ...)` and `let u; ... u = a + b; use(u)`).
// It is conservative: an assignment under a condition, in a loop body, or
// inside && || ?: counts only within that branch, and a name read inside a
// nested function is never taken.

import { children, identifiers, isFunction, someNode, type N } from "./ast.ts";

/** Of `names` (declared without a value in `stmts`), those every read of which comes after an assignment. */
export function assignedBeforeRead(stmts: N[], names: Set<string>): Set<string> {
  const bad = new Set<string>();
  let assigned = new Set<string>();

  const read = (name: string) => {
    if (names.has(name) && !assigned.has(name)) bad.add(name);
  };
  /** `run` in a branch that may not run: what it assigns does not count after it. */
  const branch = (run: () => void): Set<string> => {
    const before = assigned;
    assigned = new Set(before);
    run();
    const after = assigned;
    assigned = before;
    return after;
  };
  const both = (a: Set<string>, b: Set<string>) => {
    for (const n of a) if (b.has(n)) assigned.add(n);
  };

  const expr = (e: N | null | undefined): void => {
    if (!e) return;
    switch (e.type) {
      case "Identifier":
        return read(e.name);
      case "AssignmentExpression":
        if (e.left.type === "Identifier") {
          // (x += v, x ||= v: a read first)
          if (e.operator !== "=") read(e.left.name);
          expr(e.right);
          assigned.add(e.left.name);
          return;
        }
        expr(e.left);
        return expr(e.right);
      case "LogicalExpression":
        expr(e.left);
        branch(() => expr(e.right));
        return;
      case "ConditionalExpression": {
        expr(e.test);
        both(
          branch(() => expr(e.consequent)),
          branch(() => expr(e.alternate)),
        );
        return;
      }
      case "MemberExpression":
        expr(e.object);
        if (e.computed) expr(e.property);
        return;
      case "Property":
        if (e.computed) expr(e.key);
        return expr(e.value);
      case "ChainExpression":
        // (a?.b[x = 1]: may stop before the assignment)
        branch(() => expr(e.expression));
        return;
      default:
        if (isFunction(e)) return nested(e);
        for (const c of children(e)) expr(c);
    }
  };

  /** A function inside: it may run at any time, so any of the names it reads is never taken. */
  const nested = (fn: N) => {
    for (const name of identifiers(fn)) if (names.has(name)) bad.add(name);
  };

  const declare = (d: N, kind: string) => {
    if (d.id.type !== "Identifier") return expr(d.id);
    if (d.init) {
      expr(d.init);
      assigned.add(d.id.name);
    } else if (kind !== "var") {
      // a `let` without a value is undefined again each time it is reached (a loop's body)
      assigned.delete(d.id.name);
    }
  };

  const stmt = (s: N | null | undefined): void => {
    if (!s) return;
    switch (s.type) {
      case "VariableDeclaration":
        for (const d of s.declarations as N[]) declare(d, s.kind);
        return;
      case "ExpressionStatement":
        return expr(s.expression);
      case "BlockStatement":
        for (const x of s.body as N[]) stmt(x);
        return;
      case "IfStatement":
        expr(s.test);
        both(
          branch(() => stmt(s.consequent)),
          s.alternate ? branch(() => stmt(s.alternate)) : new Set(assigned),
        );
        return;
      case "ForStatement":
        if (s.init?.type === "VariableDeclaration") stmt(s.init);
        else expr(s.init);
        expr(s.test);
        // the body may not run, and a continue skips to the update: what they assign counts in neither
        branch(() => stmt(s.body));
        branch(() => expr(s.update));
        return;
      case "WhileStatement":
        expr(s.test);
        branch(() => stmt(s.body));
        return;
      case "DoWhileStatement":
        // (a continue or break may leave the body early: nothing it assigns counts for the test;
        // a break skips the test too)
        branch(() => stmt(s.body));
        if (someNode(s.body, (n) => n.type === "BreakStatement")) branch(() => expr(s.test));
        else expr(s.test);
        return;
      case "ForOfStatement":
      case "ForInStatement":
        expr(s.right);
        branch(() => {
          if (s.left.type === "VariableDeclaration") for (const d of s.left.declarations as N[]) d.id.type === "Identifier" ? assigned.add(d.id.name) : expr(d.id);
          else if (s.left.type === "Identifier") assigned.add(s.left.name);
          else expr(s.left);
          stmt(s.body);
        });
        return;
      case "ReturnStatement":
      case "ThrowStatement":
        return expr(s.argument);
      case "EmptyStatement":
      case "BreakStatement":
      case "ContinueStatement":
        return;
      case "LabeledStatement":
        // (a jump to the label leaves loops and branches whose assignments count only inside them)
        return stmt(s.body);
      default:
        // anything else (switch, try, labels, a nested function): its names are never taken
        return nested(s);
    }
  };

  for (const s of stmts) stmt(s);
  return new Set([...names].filter((n) => !bad.has(n)));
}

/** Names `stmts` declare without a value (`var i;`, `let t;`), not counting nested functions or for-of's variables. */
export function declaredWithoutValue(stmts: N[]): Set<string> {
  const out = new Set<string>();
  const visit = (n: N) => {
    if (isFunction(n)) return;
    if (n.type === "VariableDeclarator" && !n.init && n.id.type === "Identifier") out.add(n.id.name);
    // (for (const x of a): x has a value on each pass)
    if (n.type === "ForOfStatement" || n.type === "ForInStatement") return [n.right, n.body].forEach(visit);
    children(n).forEach(visit);
  };
  stmts.forEach(visit);
  return out;
}
