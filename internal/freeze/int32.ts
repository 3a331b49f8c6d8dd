// Bitwise code as i32, without the trips through f64 between its operations.
// A leaf function called where ToInt32 of its result is taken (rotr(x, 7) ^
// rotr(x, 18) in hashing) is inlined as an i32 expression, its parameters
// bound in place to the arguments that are constants or number variables
// (a one-expression body assigns nothing, so they hold the same values) or,
// when the body uses one only as a bitwise operand, to its argument's ToInt32
// computed once; arithmetic on constants is folded (32 - n with n = 7 is the
// i32 25). A typed array's element read under a bitwise operator is its
// ToInt32 straight from memory (runtime.ts loadInt32Inline).

import { children, identifiers, isFunction, type N } from "./ast.ts";

/** A name in frozen code: a local of the function, or (inside an inlined leaf) a constant. */
export interface Binding {
  local: number;
  ty: "number" | "boolean" | "array" | "view" | "value";
  /** The parameter of an inlined leaf bound to this constant (local is -1). */
  konst?: number;
  /** The parameter of an inlined leaf held as ToInt32 of its argument, an i32 local (it is only ever a bitwise operand). */
  int32?: boolean;
  /** A variable that only ever holds an int32 (int32Variables): an i32 local, converted where a number is read. */
  int32Var?: true;
  /** An int32 variant's accumulator held as an i64 (wideParams), narrowed where read. */
  wide?: true;
  /** A for-of variable over a plain Array's elements (a borrowed JSValue): its reads cache where they found the property (objects.ts cachedRead). */
  element?: true;
  /** A counting loop's variable (analyze.ts counterLoop), an i32 local holding a u32 that nothing else assigns: read as a number, an element index as it is. */
  counter?: true;
  /** A counter bounded by an array's length in its loop's test: that length's local (an index into that array needs no bound check). */
  below?: number;
}

const BITWISE_OPS = ["|", "&", "^", "<<", ">>", ">>>"];

/** Is every use of `name` in the expression `e` an operand of a bitwise operator (so only its ToInt32 matters)? */
export function onlyBitwise(e: N, name: string): boolean {
  const ok = (n: N, parent: N | undefined): boolean => {
    if (n.type === "Identifier" && n.name === name) {
      return !!parent && ((parent.type === "BinaryExpression" && BITWISE_OPS.includes(parent.operator)) || (parent.type === "UnaryExpression" && parent.operator === "~"));
    }
    // (a member's property name is no use of the variable)
    if (n.type === "MemberExpression" && !n.computed) return ok(n.object, n);
    return children(n).every((c) => ok(c, n));
  };
  return ok(e, undefined);
}

/** ToInt32 (ECMA-262 7.1.6) of a number known at build time. */
export const toInt32Const = (v: number): number => (Number.isFinite(v) ? Number(BigInt.asIntN(32, BigInt(Math.trunc(v)))) : 0);

const FOLD: Record<string, (a: number, b: number) => number> = {
  "+": (a, b) => a + b,
  "-": (a, b) => a - b,
  "*": (a, b) => a * b,
  "/": (a, b) => a / b,
};

/**
 * The value of `e` when it is a number known at build time: a literal, a parameter bound to a
 * constant, or + - * / and unary -/+ of those (IEEE arithmetic here is the interpreter's).
 */
export function constantOf(e: N, lookup: (name: string) => Binding | undefined): number | undefined {
  switch (e.type) {
    case "Literal":
      return typeof e.value === "number" ? e.value : undefined;
    case "Identifier":
      return lookup(e.name)?.konst;
    case "UnaryExpression": {
      if (e.operator !== "-" && e.operator !== "+") return undefined;
      const a = constantOf(e.argument, lookup);
      return a === undefined ? undefined : e.operator === "-" ? -a : a;
    }
    case "BinaryExpression": {
      const op = FOLD[e.operator];
      if (!op) return undefined;
      const a = constantOf(e.left, lookup);
      const b = a === undefined ? undefined : constantOf(e.right, lookup);
      return b === undefined ? undefined : op(a!, b);
    }
    default:
      return undefined;
  }
}

const INT32_ASSIGN = ["|=", "&=", "^=", "<<=", ">>="];

/**
 * The variables that only ever hold an int32, held as i32 locals (no trip through f64 between
 * bitwise operations, as in hashing's `u = x0 + x12 | 0; x4 ^= u << 7 | u >>> 25`). Each is
 * declared in the function (with a value, or without one and assigned before any read: `uninit`),
 * and every value it is given is an int32: a bitwise operator's result (not >>>'s, a uint32), ~,
 * an int32 literal (not -0), another such variable, `c ? x : y` of those, or a compound bitwise
 * assignment (x ^= e). Never ++/--, another compound assignment, a for-of variable, or a name a
 * nested function uses.
 */
export function int32Variables(stmts: N[], params: string[], uninit: Set<string>): Set<string> {
  const values = new Map<string, N[]>();
  const out = new Set<string>(params);
  const given = (name: string, v: N) => values.set(name, [...(values.get(name) ?? []), v]);
  const visit = (n: N) => {
    if (isFunction(n)) return void identifiers(n, out);
    if (n.type === "VariableDeclarator" && n.id.type === "Identifier") {
      if (!values.has(n.id.name)) values.set(n.id.name, []);
      if (n.init) given(n.id.name, n.init);
      else if (!uninit.has(n.id.name)) out.add(n.id.name);
    }
    if (n.type === "AssignmentExpression" && n.left.type === "Identifier") {
      if (n.operator === "=") given(n.left.name, n.right);
      else if (!INT32_ASSIGN.includes(n.operator)) out.add(n.left.name);
    }
    if (n.type === "UpdateExpression" && n.argument.type === "Identifier") out.add(n.argument.name);
    if ((n.type === "ForOfStatement" || n.type === "ForInStatement") && n.left) identifiers(n.left, out);
    children(n).forEach(visit);
  };
  stmts.forEach(visit);
  const held = new Set([...values.keys()].filter((name) => !out.has(name)));
  const int32 = (e: N): boolean => {
    switch (e.type) {
      case "BinaryExpression":
        return BITWISE_OPS.includes(e.operator) && e.operator !== ">>>";
      case "UnaryExpression":
        if (e.operator === "~") return true;
        return e.operator === "-" && e.argument.type === "Literal" && isInt32(-e.argument.value);
      case "Literal":
        return isInt32(e.value);
      case "Identifier":
        return held.has(e.name);
      case "ConditionalExpression":
        return int32(e.consequent) && int32(e.alternate);
      default:
        return false;
    }
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const name of held) {
      if (!values.get(name)!.every(int32)) (held.delete(name), (changed = true));
    }
  }
  return held;
}

const isInt32 = (v: unknown): boolean => typeof v === "number" && Number.isInteger(v) && v >= -2147483648 && v <= 2147483647 && !Object.is(v, -0);
