// Which functions can be frozen, and their C. A function is frozen when all
// it does is arithmetic on numbers: its parameters and locals are numbers
// (or booleans), and it calls only itself, other frozen functions and a few
// exact Math functions. Everything else (property access, closures over
// outer variables, strings, objects, this, arguments, try, generators, async,
// assignments inside expressions) keeps it in the interpreter, with the
// reason recorded for --explain.
//
// Numbers are C doubles throughout: IEEE arithmetic is what JS specifies, so
// + - * / and comparisons are bit-for-bit the interpreter's. `%` and `**` call
// the fmod and pow that QuickJS itself uses (imported from the main module),
// bitwise operators go through ToInt32 as the spec defines it. The C compiler
// sees neither -ffast-math nor any reordering licence.


/** The C name of a JS variable: one-to-one (every character but a letter or digit escaped), so `a$` and `a_S` stay apart. */
function cVar(name: string): string {
  return `v_${name.replace(/[^A-Za-z0-9]/g, (ch) => `_${ch.codePointAt(0)!.toString(16)}_`)}`;
}
import type { Node } from "acorn";

type N = Node & Record<string, any>;
export type Ty = "number" | "boolean";

export interface Candidate {
  name: string;
  /** C identifier: fz_<name>_<n> */
  id: string;
  node: N;
  params: string[];
  /** "line:col" in the bundle */
  where: string;
  /** The declaring scope (function or program node), for resolving calls. */
  scope: N;
}

export interface Frozen {
  cand: Candidate;
  ret: Ty;
  /** The C function (static), its body included. */
  c: string;
}

export class Reject extends Error {}

const MATH_UNARY: Record<string, string> = {
  floor: "__builtin_floor",
  ceil: "__builtin_ceil",
  trunc: "__builtin_trunc",
  sqrt: "__builtin_sqrt",
  abs: "__builtin_fabs",
  sign: "fz_sign",
};

interface FnScope {
  cand: Candidate;
  /** Block scopes, innermost last: JS name -> C name and type. */
  blocks: Map<string, { c: string; ty: Ty }>[];
  locals: Map<string, Ty>; // C name -> type, declared at the top of the C function
  retTy: Ty | undefined;
  tmp: number;
}

/**
 * What a free name used in `from` refers to: a frozen function, the global
 * object ("global", e.g. Math), or anything else (a string saying what).
 */
export type Resolver = (name: string, from: Candidate) => Candidate | "global" | string;

export class FunctionCompiler {
  constructor(
    private readonly resolve: Resolver,
    /** Assumed return types of candidates (refined until stable). */
    private readonly retOf: (c: Candidate) => Ty,
    /** Math members the program writes to (never frozen). */
    private readonly patchedMath: Set<string>,
  ) {}

  compile(cand: Candidate): Frozen {
    const f: FnScope = { cand, blocks: [new Map()], locals: new Map(), retTy: undefined, tmp: 0 };
    const n = cand.node;
    if (n.async) throw new Reject("is async");
    if (n.generator) throw new Reject("is a generator");
    for (const p of n.params as N[]) {
      if (p.type !== "Identifier") throw new Reject("has default, rest or destructured parameters");
      if (f.blocks[0]!.has(p.name)) throw new Reject(`repeats parameter '${p.name}'`);
      f.blocks[0]!.set(p.name, { c: cVar(p.name), ty: "number" });
    }
    const body = this.block(f, n.body.body, true);
    if (!returns(n.body)) throw new Reject("may end without returning a number (it would return undefined)");
    const ret = f.retTy ?? "number";
    const cRet = ret === "number" ? "double" : "int";
    const params = [...cand.params.map((p) => `double ${cVar(p)}`), "int fz_d"].join(", ");
    const decls = [...f.locals].map(([c, ty]) => `  ${ty === "number" ? "double" : "int"} ${c} = 0;\n`).join("");
    // fz_d: the recursion depth, a parameter (no memory traffic). Past the limit every
    // frozen call returns at once and the JS caller throws the interpreter's RangeError.
    const guard = "  if (fz_overflow) return 0;\n  if (fz_d > FZ_MAX_DEPTH) { fz_overflow = 1; return 0; }\n";
    const c = `static ${cRet} ${cand.id}(${params}) {\n${decls}top:;\n${guard}${body}}\n`;
    return { cand, ret, c };
  }

  private lookup(f: FnScope, name: string): { c: string; ty: Ty } | undefined {
    for (let i = f.blocks.length - 1; i >= 0; i--) {
      const v = f.blocks[i]!.get(name);
      if (v) return v;
    }
    return undefined;
  }

  private declare(f: FnScope, name: string, ty: Ty): string {
    if (this.lookup(f, name)) throw new Reject(`declares '${name}' again in an inner block`);
    // Sibling blocks (two for (let i ...) loops) may reuse one C variable of the same type.
    let c = cVar(name);
    if (f.locals.has(c) && f.locals.get(c) !== ty) c = `${c}_${f.tmp++}`;
    f.blocks[f.blocks.length - 1]!.set(name, { c, ty });
    f.locals.set(c, ty);
    return c;
  }

  private block(f: FnScope, stmts: N[], top = false): string {
    if (!top) f.blocks.push(new Map());
    try {
      return stmts.map((s) => this.stmt(f, s, top)).join("");
    } finally {
      if (!top) f.blocks.pop();
    }
  }

  private stmt(f: FnScope, s: N, top = false): string {
    switch (s.type) {
      case "EmptyStatement":
        return "";
      case "BlockStatement":
        return `{\n${this.block(f, s.body)}}\n`;
      case "ExpressionStatement":
        if (s.directive) return "";
        return `(void)(${this.effect(f, s.expression)});\n`;
      case "VariableDeclaration":
        if (s.kind === "var" && !top) throw new Reject("declares a var inside a block");
        return this.varDecl(f, s);
      case "ReturnStatement": {
        if (!s.argument) throw new Reject("returns undefined");
        if (this.isSelfTailCall(f, s.argument)) return this.tailCall(f, s.argument);
        const e = this.expr(f, s.argument);
        if (f.retTy && f.retTy !== e.ty) throw new Reject("returns both numbers and booleans");
        f.retTy = e.ty;
        return `return ${e.c};\n`;
      }
      case "IfStatement": {
        const t = this.test(f, s.test);
        return `if (${t}) ${this.sub(f, s.consequent)}${s.alternate ? ` else ${this.sub(f, s.alternate)}` : ""}`;
      }
      case "WhileStatement":
        return `while (${this.test(f, s.test)}) ${this.sub(f, s.body)}`;
      case "DoWhileStatement":
        return `do ${this.sub(f, s.body)} while (${this.test(f, s.test)});\n`;
      case "ForStatement": {
        f.blocks.push(new Map());
        try {
          let init = "";
          if (s.init?.type === "VariableDeclaration") init = this.varDecl(f, s.init);
          else if (s.init) init = `(void)(${this.effect(f, s.init)});\n`;
          const test = s.test ? this.test(f, s.test) : "1";
          const update = s.update ? `(void)(${this.effect(f, s.update)})` : "";
          return `{\n${init}for (; ${test}; ${update}) ${this.sub(f, s.body)}}\n`;
        } finally {
          f.blocks.pop();
        }
      }
      case "BreakStatement":
      case "ContinueStatement":
        if (s.label) throw new Reject("uses a labelled break or continue");
        return s.type === "BreakStatement" ? "break;\n" : "continue;\n";
      case "FunctionDeclaration":
        throw new Reject("declares a nested function");
      case "TryStatement":
        throw new Reject("uses try/catch");
      case "ThrowStatement":
        throw new Reject("throws");
      case "SwitchStatement":
        throw new Reject("uses switch");
      case "LabeledStatement":
        throw new Reject("uses a label");
      case "ForInStatement":
      case "ForOfStatement":
        throw new Reject("iterates over an object (for-in/for-of)");
      default:
        throw new Reject(`uses ${s.type.replace(/Statement|Declaration/, "").toLowerCase() || s.type}`);
    }
  }

  /** A statement in its own block scope (the body of if/while/for). */
  private sub(f: FnScope, s: N): string {
    if (s.type === "VariableDeclaration") throw new Reject("declares a variable as a lone statement");
    f.blocks.push(new Map());
    try {
      return `{\n${this.stmt(f, s)}}\n`;
    } finally {
      f.blocks.pop();
    }
  }

  private varDecl(f: FnScope, s: N): string {
    let out = "";
    for (const d of s.declarations as N[]) {
      if (d.id.type !== "Identifier") throw new Reject("destructures");
      if (!d.init) throw new Reject(`declares '${d.id.name}' without a value`);
      const e = this.expr(f, d.init);
      const c = this.declare(f, d.id.name, e.ty);
      out += `${c} = ${e.c};\n`;
    }
    return out;
  }

  private isSelfTailCall(f: FnScope, e: N): boolean {
    return e.type === "CallExpression" && e.callee.type === "Identifier" && !this.lookup(f, e.callee.name) && this.resolve(e.callee.name, f.cand) === f.cand;
  }

  /** `return self(args)`: new parameter values, then back to the top (a loop, not a C call). */
  private tailCall(f: FnScope, e: N): string {
    const args = this.args(f, e, f.cand);
    const ret = this.retOf(f.cand);
    if (f.retTy && f.retTy !== ret) throw new Reject("returns both numbers and booleans");
    f.retTy = ret;
    const tmps = args.map((a, i) => `double t${i} = ${a};`).join(" ");
    const sets = f.cand.params.map((p, i) => `${cVar(p)} = t${i};`).join(" ");
    // A loop, but counted as the calls it replaces: where the interpreter would run out
    // of stack, this throws the same RangeError instead of looping for ever.
    return `{ ${tmps} ${sets} fz_d++; goto top; }\n`;
  }

  private test(f: FnScope, e: N): string {
    const t = this.expr(f, e);
    return t.ty === "boolean" ? t.c : `fz_truthy(${t.c})`;
  }

  /** Expression in statement position: assignments and updates are allowed here (and only here). */
  private effect(f: FnScope, e: N): string {
    if (e.type === "SequenceExpression") return e.expressions.map((x: N) => this.effect(f, x)).join(", ");
    if (e.type === "AssignmentExpression") return this.assign(f, e);
    if (e.type === "UpdateExpression") {
      const v = this.variable(f, e.argument);
      if (v.ty !== "number") throw new Reject("increments a boolean");
      return `(${v.c} = ${v.c} ${e.operator === "++" ? "+" : "-"} 1.0)`;
    }
    return this.expr(f, e).c;
  }

  private variable(f: FnScope, target: N): { c: string; ty: Ty } {
    if (target.type !== "Identifier") throw new Reject("assigns to a property");
    const v = this.lookup(f, target.name);
    if (!v) throw new Reject(`assigns to '${target.name}', which is not its own variable`);
    return v;
  }

  private assign(f: FnScope, e: N): string {
    const v = this.variable(f, e.left);
    const r = this.expr(f, e.right);
    if (e.operator === "=") {
      if (r.ty !== v.ty) throw new Reject("changes a variable's type");
      return `(${v.c} = ${r.c})`;
    }
    if (v.ty !== "number" || r.ty !== "number") throw new Reject("uses a compound assignment on a boolean");
    return `(${v.c} = ${this.binary(e.operator.slice(0, -1), v.c, r.c)})`;
  }

  private args(f: FnScope, call: N, callee: Candidate): string[] {
    if (call.arguments.length < callee.params.length) throw new Reject(`calls ${callee.name} with too few arguments`);
    const args = (call.arguments as N[]).map((a) => {
      if (a.type === "SpreadElement") throw new Reject("spreads arguments");
      const x = this.expr(f, a);
      if (x.ty !== "number") throw new Reject(`passes a boolean to ${callee.name}`);
      return x.c;
    });
    return args.slice(0, callee.params.length);
  }

  private binary(op: string, a: string, b: string): string {
    switch (op) {
      case "+":
      case "-":
      case "*":
      case "/":
        return `(${a} ${op} ${b})`;
      case "%":
        return `fmod(${a}, ${b})`;
      case "**":
        return `fz_pow(${a}, ${b})`;
      case "|":
      case "&":
      case "^":
        return `(double)(fz_i32(${a}) ${op} fz_i32(${b}))`;
      case "<<":
        return `(double)(int32_t)((uint32_t)fz_i32(${a}) << (fz_u32(${b}) & 31))`;
      case ">>":
        return `(double)(fz_i32(${a}) >> (fz_u32(${b}) & 31))`;
      case ">>>":
        return `(double)(fz_u32(${a}) >> (fz_u32(${b}) & 31))`;
    }
    throw new Reject(`uses the operator ${op}`);
  }

  expr(f: FnScope, e: N): { c: string; ty: Ty } {
    switch (e.type) {
      case "Literal":
        if (typeof e.value === "number") return { c: cDouble(e.value), ty: "number" };
        if (typeof e.value === "boolean") return { c: e.value ? "1" : "0", ty: "boolean" };
        throw new Reject(typeof e.value === "string" ? "uses a string" : e.regex ? "uses a regular expression" : e.bigint ? "uses a BigInt" : "uses null");
      case "Identifier": {
        const v = this.lookup(f, e.name);
        if (v) return v;
        if ((e.name === "NaN" || e.name === "Infinity") && this.resolve(e.name, f.cand) === "global") {
          return { c: e.name === "NaN" ? '__builtin_nan("")' : "__builtin_inf()", ty: "number" };
        }
        if (e.name === "undefined") throw new Reject("uses undefined");
        if (e.name === "arguments") throw new Reject("uses arguments");
        throw new Reject(`uses '${e.name}' from outside the function`);
      }
      case "ThisExpression":
        throw new Reject("uses this");
      case "BinaryExpression": {
        const a = this.expr(f, e.left);
        const b = this.expr(f, e.right);
        const cmp = ["<", "<=", ">", ">=", "==", "!=", "===", "!=="];
        if (cmp.includes(e.operator)) {
          if (a.ty !== b.ty) throw new Reject("compares a number with a boolean");
          if (a.ty === "boolean" && !["==", "!=", "===", "!=="].includes(e.operator)) throw new Reject("orders booleans");
          const op = e.operator.length === 3 ? e.operator.slice(0, 2) : e.operator;
          return { c: `(${a.c} ${op} ${b.c})`, ty: "boolean" };
        }
        if (a.ty !== "number" || b.ty !== "number") throw new Reject(`uses ${e.operator} on a boolean`);
        if (e.operator === "in" || e.operator === "instanceof") throw new Reject(`uses ${e.operator}`);
        return { c: this.binary(e.operator, a.c, b.c), ty: "number" };
      }
      case "LogicalExpression": {
        const a = this.expr(f, e.left);
        const b = this.expr(f, e.right);
        if (e.operator === "??") throw new Reject("uses ??");
        if (a.ty !== b.ty) throw new Reject(`mixes numbers and booleans in ${e.operator}`);
        if (a.ty === "boolean") return { c: `(${a.c} ${e.operator} ${b.c})`, ty: "boolean" };
        const t = `_l${f.tmp++}`;
        // a || b is a when a is truthy (a itself, not true), else b; && the other way round
        const pick = e.operator === "||" ? `fz_truthy(${t}) ? ${t} : (${b.c})` : `fz_truthy(${t}) ? (${b.c}) : ${t}`;
        return { c: `({ double ${t} = ${a.c}; ${pick}; })`, ty: "number" };
      }
      case "UnaryExpression": {
        if (e.operator === "typeof" || e.operator === "void" || e.operator === "delete") throw new Reject(`uses ${e.operator}`);
        const a = this.expr(f, e.argument);
        if (e.operator === "!") return { c: a.ty === "boolean" ? `(!${a.c})` : `(!fz_truthy(${a.c}))`, ty: "boolean" };
        if (a.ty !== "number") throw new Reject(`uses unary ${e.operator} on a boolean`);
        if (e.operator === "-") return { c: `(-${a.c})`, ty: "number" };
        if (e.operator === "+") return a;
        if (e.operator === "~") return { c: `(double)(~fz_i32(${a.c}))`, ty: "number" };
        throw new Reject(`uses unary ${e.operator}`);
      }
      case "ConditionalExpression": {
        const t = this.test(f, e.test);
        const a = this.expr(f, e.consequent);
        const b = this.expr(f, e.alternate);
        if (a.ty !== b.ty) throw new Reject("mixes numbers and booleans in ?:");
        return { c: `(${t} ? ${a.c} : ${b.c})`, ty: a.ty };
      }
      case "SequenceExpression":
        throw new Reject("uses the comma operator inside an expression");
      case "AssignmentExpression":
      case "UpdateExpression":
        throw new Reject("assigns inside an expression");
      case "CallExpression":
        return this.call(f, e);
      case "MemberExpression":
        throw new Reject(e.object.type === "Identifier" && e.object.name === "arguments" ? "uses arguments" : "reads a property");
      case "NewExpression":
        throw new Reject("creates objects");
      case "ArrayExpression":
      case "ObjectExpression":
        throw new Reject("creates objects");
      case "ArrowFunctionExpression":
      case "FunctionExpression":
        throw new Reject("creates a closure");
      case "TemplateLiteral":
        throw new Reject("uses a string");
      case "AwaitExpression":
        throw new Reject("awaits");
      default:
        throw new Reject(`uses ${e.type}`);
    }
  }

  private call(f: FnScope, e: N): { c: string; ty: Ty } {
    if (e.optional) throw new Reject("uses optional chaining");
    const callee = e.callee as N;
    if (callee.type === "Identifier") {
      if (this.lookup(f, callee.name)) throw new Reject(`calls a local value '${callee.name}'`);
      const target = this.resolve(callee.name, f.cand);
      if (target === "global") throw new Reject(`calls the global '${callee.name}'`);
      if (typeof target === "string") throw new Reject(`calls '${callee.name}', ${target}`);
      return { c: `${target.id}(${[...this.args(f, e, target), "fz_d + 1"].join(", ")})`, ty: this.retOf(target) };
    }
    if (
      callee.type === "MemberExpression" &&
      !callee.computed &&
      callee.object.type === "Identifier" &&
      callee.object.name === "Math" &&
      !this.lookup(f, "Math") &&
      this.resolve("Math", f.cand) === "global"
    ) {
      const m = callee.property.name as string;
      if (this.patchedMath.has(m)) throw new Reject(`calls Math.${m}, which the program replaces`);
      const args = (e.arguments as N[]).map((a) => {
        if (a.type === "SpreadElement") throw new Reject("spreads arguments");
        const x = this.expr(f, a);
        if (x.ty !== "number") throw new Reject(`passes a boolean to Math.${m}`);
        return x.c;
      });
      if (m in MATH_UNARY) {
        if (args.length < 1) throw new Reject(`calls Math.${m} without an argument`);
        return { c: `${MATH_UNARY[m]}(${args[0]})`, ty: "number" };
      }
      if (m === "min" || m === "max") {
        // wasm's f64.min/max are JS's Math.min/max: NaN wins, -0 < +0
        if (args.length === 0) return { c: m === "min" ? "__builtin_inf()" : "(-__builtin_inf())", ty: "number" };
        return { c: args.reduce((acc, a) => `__builtin_wasm_${m}_f64(${acc}, ${a})`), ty: "number" };
      }
      if (m === "pow") {
        if (args.length < 2) throw new Reject("calls Math.pow with fewer than two arguments");
        return { c: `fz_pow(${args[0]}, ${args[1]})`, ty: "number" };
      }
      throw new Reject(`calls Math.${m}`);
    }
    throw new Reject("calls a method or a computed function");
  }
}

/**
 * A first guess of a function's return type from the shape of its return
 * expressions (calls are unknown yet), so that mutual recursion between
 * boolean functions (isEven/isOdd) starts from the right assumption.
 */
export function guessReturn(fn: N): Ty {
  const classify = (e: N): Ty | undefined => {
    switch (e.type) {
      case "Literal":
        return typeof e.value === "boolean" ? "boolean" : typeof e.value === "number" ? "number" : undefined;
      case "BinaryExpression":
        return ["<", "<=", ">", ">=", "==", "!=", "===", "!=="].includes(e.operator) ? "boolean" : "number";
      case "UnaryExpression":
        return e.operator === "!" ? "boolean" : "number";
      case "LogicalExpression":
        return classify(e.left) ?? classify(e.right);
      case "ConditionalExpression":
        return classify(e.consequent) ?? classify(e.alternate);
      default:
        return undefined;
    }
  };
  let found: Ty | undefined;
  const walk = (n: N): void => {
    if (found || !n || typeof n !== "object") return;
    if (n.type === "ReturnStatement" && n.argument) found = classify(n.argument);
    if (n !== fn && (n.type === "FunctionDeclaration" || n.type === "FunctionExpression" || n.type === "ArrowFunctionExpression")) return;
    for (const k of Object.keys(n)) {
      const v = n[k];
      if (Array.isArray(v)) v.forEach((c) => c && typeof c.type === "string" && walk(c));
      else if (v && typeof v.type === "string") walk(v);
    }
  };
  walk(fn);
  return found ?? "number";
}

/** True when every path through this statement returns (control never falls off its end). */
export function returns(s: N): boolean {
  switch (s.type) {
    case "ReturnStatement":
      return true;
    case "BlockStatement":
      return s.body.some((x: N) => returns(x));
    case "IfStatement":
      return !!s.alternate && returns(s.consequent) && returns(s.alternate);
    case "WhileStatement":
    case "ForStatement": {
      // an endless loop without a break out of it never falls through
      const endless = s.type === "WhileStatement" ? s.test.type === "Literal" && s.test.value === true : !s.test;
      return endless && !breaksOut(s.body);
    }
    default:
      return false;
  }
}

function breaksOut(s: N): boolean {
  if (!s || typeof s !== "object") return false;
  if (s.type === "BreakStatement") return true;
  if (["WhileStatement", "ForStatement", "DoWhileStatement", "SwitchStatement", "FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"].includes(s.type)) return false;
  for (const k of Object.keys(s)) {
    const v = s[k];
    if (Array.isArray(v) ? v.some((x) => breaksOut(x)) : v && typeof v.type === "string" && breaksOut(v)) return true;
  }
  return false;
}

/** A double as a C literal that reads back exactly. */
export function cDouble(v: number): string {
  if (Number.isNaN(v)) return '__builtin_nan("")';
  if (v === Infinity) return "__builtin_inf()";
  if (Object.is(v, -0)) return "(-0.0)";
  const s = v.toPrecision(17);
  return s.includes(".") || s.includes("e") ? (s.includes(".") ? s : s.replace("e", ".0e")) : `${s}.0`;
}
