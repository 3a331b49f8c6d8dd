// Loops compiled on their own, out of code that is not frozen: the top level
// and functions that do something frozen code cannot (create objects, call
// methods, ...). A hot loop there is often plain arithmetic over numbers and
// typed arrays, and the rest of its function runs once.
//
// Such a loop becomes a function of the variables it uses from around it
// (numbers, and typed arrays it indexes), compiled like any frozen function;
// its JS stays as the fallback:
//
//   { let __eb_r; if (__eb_frozen.on && typeof s === "number" && (__eb_r = __eb_fz_loop_3(s, a)) !== void 0) { s = __eb_r; } else for (...) ... }
//
// The compiled loop works on copies of the variables and the wrapper hands
// their final values back (one number, or an array of them), which the JS
// assigns. No JS runs while it does (frozen code calls only frozen code), so
// nothing can see the variables in between.

import { callsBeyondMath, children, isFunction, isLoop, isTestOf, NUMERIC_UNARY, someNode, type N } from "./ast.ts";
import { Reject, type Candidate, type Frozen, type FunctionCompiler } from "./analyze.ts";
import { throughEngine } from "./typed.ts";
import { objectsHow, READ_AT_START, RUNS_JS_HOLDING, runsJs } from "./objects.ts";
import { functionOf, lookupIn, mayChange, sameBinding, type ProgramScopes, type Scope } from "./scopes.ts";
import { assignedBeforeRead } from "./assigned.ts";
import { keepsArgument } from "./outer.ts";


export interface CompiledLoop {
  node: N;
  frozen: Frozen;
  /** The function node (or program) the loop is in, and its name for --explain. */
  within: N;
  withinName: string;
  how: string;
}

/** A loop not compiled, and why (--explain). */
export interface RefusedLoop {
  where: string;
  within: string;
  why: string;
}

/** Compiles each outermost loop that can be, outside the functions frozen whole (`skip`); the others go to `refused`. */
export function compileLoops(scopes: ProgramScopes, compiler: FunctionCompiler, skip: Set<N>, lineCol: (pos: number) => string, refused: RefusedLoop[] = []): CompiledLoop[] {
  const out: CompiledLoop[] = [];
  let n = 0;
  for (const { node, scope } of scopes.loops) {
    const within = functionOf(scope);
    if (skip.has(within) || out.some((l) => l.node.start <= node.start && node.end <= l.node.end)) continue;
    const withinName = within.type === "Program" ? "the top level" : (within.id?.name ?? scopes.candidates.find((c) => c.node === within)?.name ?? "a function");
    const refuse = (why: string) => refused.push({ where: lineCol(node.start), within: withinName, why });
    if (!fitsAlone(node)) {
      refuse("it returns, makes a function or class, yields, awaits or uses this");
      continue;
    }
    // (`x = g(..., x, ...)` where frozen g returns that argument unchanged leaves x as it was)
    const { free, assigned } = namesIn(node, (e) => {
      const g = e.right.type === "CallExpression" && e.right.callee.type === "Identifier" ? lookupIn(scope, e.right.callee.name).what : undefined;
      return typeof g === "object" && keepsArgument(e.right, e.left.name, g);
    });
    // a function it calls that reads variables from around it (outer.ts) is handed them: the loop takes
    // them too, where they are the same variables from here
    someNode(node, (n) => {
      const callee = n.type === "CallExpression" && n.callee.type === "Identifier" ? lookupIn(scope, n.callee.name).what : undefined;
      if (typeof callee === "object") for (const name of callee.implicit ?? []) if (!free.includes(name) && sameBinding(scope, scopes.scopeOf.get(callee), name)) free.push(name);
      return false;
    });
    const params: string[] = [];
    let why: string | undefined;
    for (const name of free) {
      const b = lookupIn(scope, name);
      if (b.what !== "other") continue; // a function it may call, or a global (Math, NaN, ...)
      if (name === "arguments") why = "it uses arguments";
      else if (assigned.has(name) && b.isConst) why = `it assigns the const '${name}' from around it`;
      params.push(name);
    }
    if (why) {
      refuse(why);
      continue;
    }
    const written = params.filter((p) => assigned.has(p));
    const after = afterLoop(node, scope, within, scopes.directEval);
    const cand: Candidate = {
      name: `loop@${lineCol(node.start)}`,
      id: `fz_loop_${n}`,
      node: { type: "FunctionDeclaration", params: params.map((p) => ({ type: "Identifier", name: p })), body: { type: "BlockStatement", body: [node] } } as unknown as N,
      params,
      where: lineCol(node.start),
      scope: scope.node,
      // a call may throw (a DataView's range error, a RangeError at depth): then the variables go back with the exception
      // (only those read after it: the others' last values are never seen)
      loop: { outputs: written.filter(after.readAfter), mayThrow: callsBeyondMath(node) },
    };
    cand.loop!.numericAfter = new Set(cand.loop!.outputs.filter(after.numericAfter));
    // Those it need not be given a number for: each pass assigns one before any read. Such a variable may be
    // undefined on entry (`var u;` before the loop): the compiled loop gets NaN for it, never read, and says
    // whether it assigned it; if not, the variable keeps its value (index.ts, emit.ts).
    cand.loop!.firstWritten = assignedBeforeRead([node], new Set(written));
    scopes.scopeOf.set(cand, scope);
    try {
      const frozen = compiler.compile(cand);
      // a method call runs JS, which sees the variables from around the loop: it may change none
      // of them (it would see them stale), nor may anything else change those the loop reads
      // (an assignment anywhere, or a direct eval's)
      if (runsJs(cand) && (cand.loop!.outputs.length || params.some((p) => mayChange(scopes, scope, p)))) throw new Reject(RUNS_JS_HOLDING);
      // creating an object can throw (out of memory), and so can a read or a write: the variables go back
      // with the exception (a read made at the start falls back instead: objects.ts hoistedReads)
      if ([...cand.objectOps!].some((op) => !op.endsWith(READ_AT_START))) cand.loop!.mayThrow = true;
      frozen.entry = true;
      n++;
      const arrays = params.filter((_, i) => frozen.paramTys[i] === "array");
      const numbers = params.filter((_, i) => frozen.paramTys[i] === "number");
      const views = params.filter((_, i) => frozen.paramTys[i] === "view");
      const objects = params.filter((_, i) => frozen.paramTys[i] === "value");
      const how = [numbers.length && `numbers ${numbers.join(", ")}`, arrays.length && `arrays ${arrays.join(", ")}`, views.length && `DataViews ${views.join(", ")}`, objects.length && `objects ${objects.join(", ")}`].filter(Boolean).join("; ");
      out.push({ node, frozen, within, withinName, how: `compiled loop over ${how || "nothing from outside"}${cand.loop!.outputs.length ? `, giving back ${cand.loop!.outputs.join(", ")}` : ""}${throughEngine(cand)}${objectsHow(cand.objectOps)}` });
    } catch (err) {
      if (!(err instanceof Reject)) throw err;
      refuse(`it ${err.message}`);
      scopes.scopeOf.delete(cand);
    }
  }
  return out;
}

/**
 * No return, no closures, yield or await, no this: what a loop lifted into its own function
 * would change. (A var in it is the enclosing function's variable: one the loop uses from
 * around it, namesIn.)
 */
function fitsAlone(loop: N): boolean {
  return !someNode(
    loop,
    (n) => isFunction(n) || n.type === "ClassExpression" || n.type === "ReturnStatement" || n.type === "YieldExpression" || n.type === "AwaitExpression" || n.type === "ThisExpression",
  );
}

/**
 * What the code around the loop does with the variables it assigns, once it is done:
 * - readAfter: which it may read. Not one when it is the enclosing function's own (declared
 *   there, named by no function or class inside it: their code runs later, a default value's
 *   closure too; no `arguments` or direct eval there), the loop is in no other loop of that
 *   function, and nothing after the loop names it.
 * - numericAfter: which it uses only as numbers. There a read past an array's end (undefined)
 *   that the loop leaves in one may go back as NaN, which no such use tells apart: the
 *   function's own variable (no `arguments`, no direct eval, named by no closure), every mention
 *   outside the loop a declaration, an assignment to it, or an operand that takes a number
 *   (numericUse); never compared with ==, added (a string), returned, handed on or used as a key.
 */
function afterLoop(loop: N, scope: Scope, within: N, directEval: boolean): { readAfter: (name: string) => boolean; numericAfter: (name: string) => boolean } {
  if (!isFunction(within) || directEval) return { readAfter: () => true, numericAfter: () => false };
  let inLoop = false;
  let args = false;
  const later = new Set<string>();
  const other = new Set<string>();
  const walk = (n: N, parent: N, enclosed: boolean): void => {
    if (n !== loop && (isLoop(n) || n.type === "ForInStatement") && n.start <= loop.start && loop.end <= n.end) inLoop = true;
    const closure = enclosed || isFunction(n) || n.type === "ClassDeclaration" || n.type === "ClassExpression";
    if (n.type === "Identifier") {
      if (n.name === "arguments") args = true;
      if (closure || n.start >= loop.end) later.add(n.name);
      // (a parameter is a declaration; the loop's own uses are its compiler's to check)
      const inside = loop.start <= n.start && n.end <= loop.end;
      if (parent !== within && !inside && (closure || !numericUse(parent, n))) other.add(n.name);
    }
    for (const c of children(n)) walk(c, n, closure);
  };
  for (const part of [...(within.params as N[]), within.body]) walk(part, within, false);
  const own = (name: string) => {
    for (let s: Scope | undefined = scope; s; s = s.parent) {
      if (s.names.has(name)) return s.names.get(name) === "other";
      if (s.node === within) return false;
    }
    return false;
  };
  return { readAfter: (name) => inLoop || args || !own(name) || later.has(name), numericAfter: (name) => !args && own(name) && !other.has(name) };
}

const NUMERIC_BINARY = ["-", "*", "/", "%", "**", "<<", ">>", ">>>", "&", "|", "^", "<", ">", "<=", ">="];

/** Does `parent` see its child identifier `n` only as a number (or not as a value: a name, a label, a declaration, an assignment's target)? */
function numericUse(parent: N, n: N): boolean {
  switch (parent.type) {
    case "MemberExpression":
      return parent.property === n && !parent.computed;
    case "Property":
      return parent.key === n && !parent.computed && parent.value !== n;
    case "LabeledStatement":
    case "BreakStatement":
    case "ContinueStatement":
      return true;
    case "VariableDeclarator":
      return parent.id === n;
    case "BinaryExpression":
      return NUMERIC_BINARY.includes(parent.operator);
    case "UnaryExpression":
      return NUMERIC_UNARY.includes(parent.operator);
    case "UpdateExpression":
      return true;
    case "AssignmentExpression":
      return parent.left === n && (parent.operator === "=" || NUMERIC_BINARY.includes(parent.operator.slice(0, -1)));
    default:
      return isTestOf(parent, n);
  }
}

/** Names the loop uses but does not declare, and the names it assigns (not by an assignment `keeps` says leaves the variable as it was). */
function namesIn(loop: N, keeps: (assignment: N) => boolean): { free: string[]; assigned: Set<string> } {
  const declared = new Set<string>();
  const used = new Set<string>();
  const assigned = new Set<string>();
  const walk = (n: N, parent?: N): void => {
    if (n.type === "VariableDeclaration" && n.kind === "var") {
      // the enclosing function's variables: used from around the loop, assigned where they have a value
      for (const d of n.declarations as N[]) {
        if (d.id.type === "Identifier") {
          used.add(d.id.name);
          if (d.init) assigned.add(d.id.name);
        } else walk(d.id, d);
        if (d.init) walk(d.init, d);
      }
      return;
    }
    if (n.type === "Identifier") {
      if (parent?.type === "LabeledStatement" || parent?.type === "BreakStatement" || parent?.type === "ContinueStatement") return; // (a label)
      if (parent?.type === "MemberExpression" && parent.property === n && !parent.computed) return;
      if (parent?.type === "Property" && parent.key === n && !parent.computed) return;
      if (parent?.type === "VariableDeclarator" && parent.id === n) declared.add(n.name);
      else used.add(n.name);
      return;
    }
    if (n.type === "AssignmentExpression" && n.left.type === "Identifier" && !(n.operator === "=" && keeps(n))) assigned.add(n.left.name);
    if (n.type === "UpdateExpression" && n.argument.type === "Identifier") assigned.add(n.argument.name);
    for (const c of children(n)) walk(c, n);
  };
  walk(loop);
  // a name declared inside is the loop's own (the compiler refuses to redeclare one in an inner block)
  return { free: [...used].filter((u) => !declared.has(u)), assigned };
}
