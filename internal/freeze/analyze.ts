// Which functions can be frozen, and their WebAssembly. A function is frozen
// when all it does is arithmetic on numbers: its parameters and locals are
// numbers (or booleans), and it calls only itself, other frozen functions and
// a few exact Math functions; typed arrays and DataViews it is given (typed.ts);
// objects it is given: their properties and methods, object literals and
// string + number (objects.ts). Everything else (other property access,
// closures over outer variables, other strings, this, arguments, try,
// generators, async, assignments inside expressions) keeps it in the
// interpreter, with the reason recorded for --explain.
//
// Numbers are f64 (and i32 only in the int32 variant, see intName): IEEE
// arithmetic is what JS specifies, so
// + - * / and comparisons are bit-for-bit the interpreter's, and so are
// wasm's f64.min/max/floor/ceil/trunc/sqrt/abs for the Math functions of the
// same names (NaN and -0 included). `%` and `**` call the fmod and pow that
// QuickJS itself uses (imported from the main module); bitwise operators go
// through ToInt32 as the spec defines it (runtime.ts).
//
// Each frozen function takes its arguments and its recursion depth (an i32,
// the last parameter). Past MAX_DEPTH it sets the `overflow` global and
// returns; every caller returns as soon as it sees the global set, so the
// whole frozen stack unwinds at once and the JS caller gets the interpreter's
// RangeError (see emit.ts), not a crash. Self tail calls are loops, and a
// one-expression function's self calls are inlined (inlineLevels); where that
// stops, its base case is inlined in front of each call (baseCase).

import { passedAsArrays, PLAIN } from "./arrays.ts";
import { assigns, assignsAny, callsBeyondMath, children, isFunction, isLoop, someNode, storesMember, type N } from "./ast.ts";
import type { Instr, SimpleOp, ValType } from "./encode.ts";
import { argumentAt, declaredCount, keepsArgument } from "./outer.ts";
import { BUFFER_HELPER, DATAVIEW_METHODS, DEOPT, HELPER, inBounds, loadInline, loadInt32Inline, otherKind, OVERFLOW, STATIC, storeInline, TAG, TAG_OF, THROWN, toInt32Inline, type Counter } from "./runtime.ts";
import { arrayNames, bodyStatements, numericOnly, undefinedFlow, viewNames } from "./typed.ts";
import { viewElement, viewFits, viewGet, viewSet } from "./dataview.ts";
import { constantOf, int32Variables, onlyBitwise, toInt32Const, type Binding } from "./int32.ts";
import { assignedBeforeRead, declaredWithoutValue } from "./assigned.ts";
import { atom, cachedRead, FIELD_FLAGS, hoistedReads, ITOA_HELPER, READ_AT_START, keptConcat, keptString, mkval, numericReads, objectNames, READ_HELPER, READ_VALUE_HELPER } from "./objects.ts";

/**
 * "array": a typed array (only as a parameter; see runtime.ts for its three i32s).
 * "view": a DataView (only as a parameter, only its get and set methods: calls into the engine).
 * "value": any JSValue, borrowed (a parameter, or a for-of variable over a plain Array's elements; only its properties and methods: objects.ts).
 */
export type Ty = "number" | "boolean" | "array" | "view" | "value";
/** What a function returns: "void", no value (undefined: its calls are statements). */
export type RetTy = Ty | "void";

export interface Candidate {
  name: string;
  /** The function's name in the side module: fz_<name>_<n> */
  id: string;
  node: N;
  params: string[];
  /** "line:col" in the bundle */
  where: string;
  /** The declaring scope (function or program node), for resolving calls. */
  scope: N;
  /** Variables from around it that it only reads, its last parameters (outer.ts): its guard reads them at each call, frozen callers that have them hand them on. */
  implicit?: string[];
  /** The parameter every one of its returns returns (`return lr;`, bcryptjs's _encipher): compiled as returning nothing, its guard returns it. */
  returnsParam?: string;
  /** A loop compiled out of code that is not frozen (index.ts): its parameters are the variables it uses, `outputs` those it assigns. */
  loop?: {
    outputs: string[];
    mayThrow: boolean;
    /** Variables it assigns that may be undefined on entry: every pass assigns one before reading it (loops.ts firstWritten). */
    firstWritten?: Set<string>;
    /** Outputs JS after the loop uses only as numbers: one read past an array's end may go back as NaN (loops.ts numericAfter). */
    numericAfter?: Set<string>;
  };
  /** Its parameters that are typed arrays (set by the compiler). */
  arrays?: Set<string>;
  /** Its parameters that are DataViews, with the methods it calls on each (set by the compiler). */
  views?: Map<string, Set<string>>;
  /** Its parameters used as objects (set by the compiler). */
  objects?: Set<string>;
  /** Its variables declared without a value that are assigned before any read, and those that only hold int32s (set by the compiler: assigned.ts, int32.ts). */
  vars?: { uninit: Set<string>; int32s: Set<string> };
  /** Its object parameters' properties read once at its start, and how (objects.ts hoistedReads; the same every compile). */
  hoisted?: Map<string, "array" | "number">;
  /** What its compiled code does with objects, for --explain (set by the compiler). */
  objectOps?: Set<string>;
}

/** Elements [lo, hi] of an array, offset by the value of the number parameter at index `baseParam` where given (arrays.ts plainWindows). */
export interface PlainWindow {
  lo: number;
  hi: number;
  baseParam?: number;
}

export interface Frozen {
  cand: Candidate;
  ret: RetTy;
  /** Each parameter's type (typed arrays take three wasm parameters, see runtime.ts). */
  paramTys: Ty[];
  /** Locals beyond the parameters (the arguments as f64, then the depth as i32). */
  locals: ValType[];
  body: Instr[];
  /** The int32 variant (its name: intName(cand)), when the function compiles to one. */
  int?: { params: ValType[]; locals: ValType[]; body: Instr[] };
  /** Called from JS (a guard and a wrapper); otherwise only by other frozen functions. */
  entry?: boolean;
  /** Its array parameters may be plain Arrays of numbers (it has no effects: arrays.ts). */
  plainArrays?: boolean;
  /** Where it has effects: its array parameters that may be plain Arrays all the same, each with the windows its accesses stay within, and whether it only reads it (arrays.ts). */
  plainWindows?: Map<number, { windows: PlainWindow[]; readOnly: boolean }>;
  /** Its array parameters that it, or a frozen function it hands them to, iterates with for-of (arrays.ts markIterated). */
  iterated?: Set<number>;
}

/**
 * The int32 variant of a function that calls nothing but itself in tail
 * position (loops): numbers as i32, for calls whose arguments are all int32
 * (not -0). Any result that would leave int32 (overflow, -0, a fraction)
 * bails out: the OVERFLOW global becomes BAIL, the function returns, and the
 * wrapper runs the f64 function from the start. That re-run is exact because
 * frozen functions have no effects. Measured: a tail-recursive sum ~25% faster.
 */
export const intName = (c: Candidate) => `${c.id}_i32`;
export const BAIL = 2;
/** The module's global holding the JSContext of the call in progress (wrappers set it; DataView calls need it). */
export const CTX = "ctx";

export class Reject extends Error {}

/** A compiled loop hands its variables back in an array (else its one output as the result): when it may throw, has several, or one it may not have assigned. */
export const outputsInArray = (loop: NonNullable<Candidate["loop"]>) => loop.mayThrow || loop.outputs.length > 1 || (loop.firstWritten?.size ?? 0) > 0;

/** Deep enough for anything the interpreter can recurse to, far inside Wasmtime's stack. */
export const MAX_DEPTH = 10000;

const wasmType = (t: Ty, int = false): ValType => (t === "value" ? "i64" : t === "number" && !int ? "f64" : "i32");

const MATH_UNARY: Record<string, Instr> = {
  floor: { op: "f64.floor" },
  ceil: { op: "f64.ceil" },
  trunc: { op: "f64.trunc" },
  sqrt: { op: "f64.sqrt" },
  abs: { op: "f64.abs" },
  sign: { op: "call", func: HELPER.sign },
};

/** JS's bitwise operators on two ToInt32'd operands (wasm takes shift counts modulo 32, as JS does). */
const BITWISE: Record<string, SimpleOp> = { "|": "i32.or", "&": "i32.and", "^": "i32.xor", "<<": "i32.shl", ">>": "i32.shr_s", ">>>": "i32.shr_u" };

const ORDER: Record<string, Instr["op"]> = { "<": "f64.lt", "<=": "f64.le", ">": "f64.gt", ">=": "f64.ge" };
const INT_ORDER: Record<string, Instr["op"]> = { "<": "i32.lt_s", "<=": "i32.le_s", ">": "i32.gt_s", ">=": "i32.ge_s" };

/** A number variable's ToInt32 kept in i32 `local` by the local.tee or local.set at `tee` in `code`, holding it from `at` on. */
interface KeptInt32 {
  code: Instr[];
  tee: number;
  at: number;
  local: number;
}

/** How far knownInt32 looks: past that the ToInt32 is computed again (a long straight line scanned at every use would cost the build quadratic time). */
const KEPT_SCAN = 2000;

/** Is this instruction a number made from an i32 (a bitwise result), whose ToInt32 is that i32? */
const madeFromI32 = (i: Instr | undefined): boolean => i?.op === "f64.convert_i32_s" || i?.op === "f64.convert_i32_u";

/**
 * Does the i32 kept by `known` still hold ToInt32 of the variable in local `v`, where `code`
 * ends? It does when every path to the end passes where it was kept, and nothing since
 * assigned the variable: scanning on from there, no block open then has ended or switched to
 * its else, no loop opened since is still open (its next round may come from below), and no
 * local.set or local.tee of `v`. (Code is only ever appended, and its tee is still in place.)
 */
function knownInt32(code: Instr[], known: KeptInt32, v: number): boolean {
  const kept = code[known.tee];
  if (known.code !== code || (kept?.op !== "local.tee" && kept?.op !== "local.set") || kept.local !== known.local || code.length - known.at > KEPT_SCAN) return false;
  let depth = 0;
  const loops: number[] = [];
  for (let i = known.at; i < code.length; i++) {
    const ins = code[i]!;
    if (ins.op === "block" || ins.op === "if") depth++;
    else if (ins.op === "loop") loops.push(++depth);
    else if (ins.op === "else" && depth === 0) return false;
    else if (ins.op === "end") {
      if (depth === 0) return false;
      if (loops[loops.length - 1] === depth) loops.pop();
      depth--;
    } else if ((ins.op === "local.set" || ins.op === "local.tee") && ins.local === v) return false;
  }
  return loops.length === 0;
}

interface FnScope {
  cand: Candidate;
  /** Block scopes, innermost last: JS name -> local index and type (wide: an accumulator, wideParams). */
  blocks: Map<string, Binding>[];
  /** All locals by JS name, for sibling blocks to share one (two `for (let i ...)` loops). */
  byName: Map<string, Binding>;
  locals: ValType[];
  retTy: RetTy | undefined;
  code: Instr[];
  /** Open wasm blocks, innermost last: what a break or continue may branch to. */
  labels: ("top" | "break" | "continue" | null)[];
  /** Labelled loops open now: where in `labels` each one's blocks start (its break block, then its continue block). */
  named: Map<string, number>;
  /** The constants of `return 0` placeholders, typed once the return type is known. */
  zeros: Instr[];
  /** Frames between this code and the function's own entry: 1 inside a self call inlined into it. */
  inlined: number;
  /** Compiling the int32 variant: numbers are i32. */
  int: boolean;
  /** The int32 variant's accumulators: parameters held as i64 (wideParams). */
  wide: Set<string>;
  /** Scratch i32 locals of the int32 variant's overflow checks. */
  scratch?: [number, number, number];
  /** wasm parameters before the depth (a typed array takes three). */
  slots: number;
  /** Owned JSValues of the expression being compiled (i64 locals), freed if the stack unwinds. */
  temps: number[];
  /** Property reads (which may fall back, DEOPT) and method calls (which run JS) compiled so far. */
  reads: number;
  calls: number;
  /** Its reads whose undefined may be NaN (objects.ts numericReads). */
  numericReads?: Set<N>;
  /** Variables declared without a value that are assigned before any read (assigned.ts). */
  uninit: Set<string>;
  /** Variables that only ever hold an int32: i32 locals (int32.ts int32Variables). */
  int32s: Set<string>;
  /** A compiled loop's outputs first written by it, each with an i32 local (wasm zeroes it) set once it assigns one (loops.ts firstWritten). */
  written: Map<string, number>;
  /** Object parameters' properties read once at the start ("o.p": hoistReads): a number, or a typed array's three values. */
  hoisted: Map<string, Binding>;
  /** ToInt32 of number variables already computed: variable's local -> the i32 local it was kept in (knownInt32). */
  int32Of?: Map<number, KeptInt32>;
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
    private readonly retOf: (c: Candidate) => RetTy,
    /** Math members the program writes to (never frozen). */
    private readonly patchedMath: Set<string>,
    /** Does `name` from around `a` name the same variable as from around `b`? (a callee's implicit parameters: outer.ts) */
    private readonly sameVariable: (name: string, a: Candidate, b: Candidate) => boolean,
  ) {}

  /** Parameter types: arrays where the body indexes them, reads their length or passes them on as a callee's array, else numbers. */
  paramTys(cand: Candidate): Ty[] {
    if (!cand.arrays) {
      cand.arrays = arrayNames(cand.node.body, cand.params); // (first: a call back into this function sees these)
      for (const p of passedAsArrays(cand.node.body, cand.params, (name, i) => {
        const target = this.resolve(name, cand);
        return typeof target === "object" && this.paramTys(target)[i] === "array";
      })) cand.arrays.add(p);
      // (and those handed on as a callee's variables from around it: outer.ts)
      someNode(cand.node.body, (n) => {
        const target = n.type === "CallExpression" && n.callee.type === "Identifier" ? this.resolve(n.callee.name, cand) : undefined;
        if (typeof target === "object" && target !== cand) {
          target.implicit?.forEach((name, j) => cand.params.includes(name) && this.paramTys(target)[declaredCount(target) + j] === "array" && cand.arrays!.add(name));
        }
        return false;
      });
    }
    cand.views ??= viewNames(cand.node.body, cand.params.filter((p) => !cand.arrays!.has(p)), DATAVIEW_METHODS);
    cand.objects ??= objectNames(cand.node.body, cand.params, (p) => cand.arrays!.has(p) || cand.views!.has(p));
    return cand.params.map((p) => (cand.arrays!.has(p) ? "array" : cand.views!.has(p) ? "view" : cand.objects!.has(p) ? "value" : "number"));
  }

  compile(cand: Candidate): Frozen {
    const frozen = this.compileAs(cand, false) as Frozen;
    // the int32 variant re-runs the function from its start when it bails out: only for code without effects
    if (frozen.paramTys.some((t) => t === "array" || t === "view" || t === "value") || cand.objectOps?.size || cand.loop) return frozen;
    try {
      const int = this.compileAs(cand, true);
      if (int.ret === frozen.ret) frozen.int = { params: cand.params.map((p) => (int.wide.has(p) ? "i64" : "i32")), locals: int.locals, body: int.body };
    } catch (err) {
      if (!(err instanceof Reject)) throw err;
    }
    return frozen;
  }

  private compileAs(cand: Candidate, int: boolean): Omit<Frozen, "int"> & { wide: Set<string> } {
    const paramTys = this.paramTys(cand);
    const wide = int ? wideParams(cand) : new Set<string>();
    const stmts = bodyStatements(cand.node);
    // (the same for every compile of this function: the optimistic rounds, its int32 variant)
    const vars = (cand.vars ??= (() => {
      const uninit = assignedBeforeRead(stmts, declaredWithoutValue(stmts));
      return { uninit, int32s: int32Variables(stmts, cand.params, uninit) };
    })());
    const f: FnScope = { cand, blocks: [new Map()], byName: new Map(), locals: [], retTy: undefined, code: [], labels: [], named: new Map(), zeros: [], inlined: 0, int, wide, slots: 0, temps: [], reads: 0, calls: 0, uninit: vars.uninit, int32s: int ? new Set() : vars.int32s, written: new Map(), hoisted: new Map() };
    cand.objectOps = new Set();
    const n = cand.node;
    if (n.async) throw new Reject("is async");
    if (n.generator) throw new Reject("is a generator");
    for (const p of n.params as N[]) if (p.type !== "Identifier") throw new Reject("has default, rest or destructured parameters");
    // (its parameters, then the variables from around it that it only reads: cand.implicit)
    for (const [i, name] of cand.params.entries()) {
      if (f.blocks[0]!.has(name)) throw new Reject(`repeats parameter '${name}'`);
      f.blocks[0]!.set(name, { local: f.slots, ty: paramTys[i]!, ...(wide.has(name) ? { wide: true } : {}) });
      f.slots += paramTys[i] === "array" || paramTys[i] === "view" ? 3 : 1; // (a view: its JSValue, an i64, and its bytes: dataview.ts; a value: its JSValue)
    }
    for (const name of cand.loop?.outputs ?? []) if (cand.loop!.firstWritten?.has(name)) f.written.set(name, this.newLocal(f, "i32"));
    // (reads of object parameters' properties made once, at the start: objects.ts hoistedReads)
    const hoist = int ? new Map<string, "array" | "number">() : (cand.hoisted ??= hoistedReads(n.body, new Set(cand.params.filter((_, i) => paramTys[i] === "value"))));
    const arrays = new Set([...cand.arrays!, ...[...hoist].filter(([, kind]) => kind === "array").map(([key]) => key)]);
    const undef = undefinedFlow(stmts, arrays, (call, i) => this.takesNumber(cand, call, i), cand.loop?.outputs.filter((o) => !cand.loop!.numericAfter?.has(o)));
    if (undef) throw new Reject(undef);
    const depth = f.slots;
    const body = f.code;
    this.hoistReads(f, hoist);
    // the top of the function, where a self tail call branches back to
    body.push({ op: "loop" });
    f.labels.push("top");
    body.push(
      { op: "local.get", local: depth },
      { op: "i32.const", value: MAX_DEPTH },
      { op: "i32.gt_s" },
      { op: "if" },
      { op: "i32.const", value: 1 },
      { op: "global.set", global: OVERFLOW },
    );
    this.returnZero(f);
    body.push({ op: "end" });
    for (const s of stmts) this.stmt(f, s, true);
    if (cand.loop) {
      this.storeOutputs(f);
      body.push({ op: "f64.const", value: 0 }, { op: "return" });
    } else if (!stmts.some((s) => returns(s))) {
      // it may end without a return: a function that returns no value (undefined) anywhere
      if (f.retTy !== undefined && f.retTy !== "void") throw new Reject("may end without returning a number (it would return undefined)");
      this.returnVoid(f);
    }
    body.push({ op: "end" }, { op: "unreachable" }); // every path returned
    const ret = f.retTy ?? "number";
    if (ret === "boolean" || ret === "void" || int) for (const z of f.zeros) Object.assign(z, { op: "i32.const", value: 0 });
    this.checkObjects(f);
    return { cand, ret, paramTys, locals: f.locals, body, wide };
  }

  /** May a value that is NaN where JS has undefined go to argument i of this call (a callee that only computes with it)? */
  private takesNumber(from: Candidate, call: N, i: number): boolean {
    const target = this.resolve(call.callee.name, from);
    if (typeof target !== "object") return false;
    const p = target.params[i];
    return p === undefined || (p !== "" && numericOnly(target.node, p));
  }

  /** A compiled loop: the current values of the variables it assigns, to STATIC.outputs for the wrapper (at its end, and when it unwinds). */
  private storeOutputs(f: FnScope): void {
    const outputs = f.cand.loop?.outputs ?? [];
    outputs.forEach((name, i) => {
      const v = f.blocks[0]!.get(name)!;
      if (v.ty !== "number") throw new Reject(`leaves a non-number in '${name}'`);
      f.code.push({ op: "global.get", global: "__memory_base" }, { op: "local.get", local: v.local }, { op: "f64.store", offset: STATIC.outputs + 8 * i });
      // whether it assigned one it writes first: after the values (emit.ts gives back undefined for "no")
      const flag = f.written.get(name);
      if (flag !== undefined) f.code.push({ op: "global.get", global: "__memory_base" }, { op: "local.get", local: flag }, { op: "i32.store", offset: STATIC.outputs + 8 * (outputs.length + i) });
    });
  }

  /** After an assignment to `name`: a variable the loop writes first is written now. */
  private wrote(f: FnScope, name: string): void {
    const flag = f.written.get(name);
    if (flag !== undefined) f.code.push({ op: "i32.const", value: 1 }, { op: "local.set", local: flag });
  }

  /** `return 0` of the function's return type (what an unwinding call returns; never seen by JS). */
  private returnZero(f: FnScope): void {
    if (f.cand.loop && f.blocks.length) this.storeOutputs(f);
    for (const t of f.temps) f.code.push({ op: "global.get", global: CTX }, { op: "local.get", local: t }, { op: "call", func: "JS_FreeValue" });
    // the type may not be known yet: compile() fixes the constant at the end
    const zero: Instr = { op: "f64.const", value: 0 };
    f.zeros.push(zero);
    f.code.push(zero, { op: "return" });
  }

  /** Leave the function telling the wrapper to hand the call back to JS (a plain Array's element it does not handle: arrays.ts). */
  private deopt(f: FnScope): Instr[] {
    const zero: Instr = { op: "f64.const", value: 0 };
    f.zeros.push(zero);
    return [{ op: "i32.const", value: DEOPT }, { op: "global.set", global: OVERFLOW }, zero, { op: "return" }];
  }

  private lookup(f: FnScope, name: string): Binding | undefined {
    for (let i = f.blocks.length - 1; i >= 0; i--) {
      const v = f.blocks[i]!.get(name);
      if (v) return v;
    }
    return undefined;
  }

  private newLocal(f: FnScope, t: ValType): number {
    f.locals.push(t);
    return this.paramCount(f) + f.locals.length - 1;
  }

  private paramCount(f: FnScope): number {
    return f.slots + 1; // the arguments and the depth
  }

  private declare(f: FnScope, name: string, ty: Ty): number {
    if (this.lookup(f, name)) throw new Reject(`declares '${name}' again in an inner block`);
    const prev = f.byName.get(name);
    const int32 = f.int32s.has(name);
    const v: Binding = prev && prev.ty === ty ? prev : { local: this.newLocal(f, int32 ? "i32" : wasmType(ty, f.int)), ty, ...(int32 ? { int32Var: true as const } : {}) };
    if (!prev) f.byName.set(name, v);
    f.blocks[f.blocks.length - 1]!.set(name, v);
    return v.local;
  }

  /** Opens a wasm block, loop or if; `label` says what break or continue inside it target. */
  private open(f: FnScope, ins: Instr & { op: "block" | "loop" | "if" }, label: FnScope["labels"][number] = null): void {
    f.code.push(ins);
    f.labels.push(label);
  }

  private close(f: FnScope): void {
    f.code.push({ op: "end" });
    f.labels.pop();
  }

  private branch(f: FnScope, to: "break" | "continue" | "top", op: "br" | "br_if" = "br"): void {
    const i = f.labels.lastIndexOf(to);
    f.code.push({ op, depth: f.labels.length - 1 - i });
  }

  private block(f: FnScope, stmts: N[]): void {
    f.blocks.push(new Map());
    try {
      for (const s of stmts) this.stmt(f, s);
    } finally {
      f.blocks.pop();
    }
  }

  private stmt(f: FnScope, s: N, top = false): void {
    switch (s.type) {
      case "EmptyStatement":
        return;
      case "BlockStatement":
        return this.block(f, s.body);
      case "ExpressionStatement":
        if (s.directive) return;
        return this.effect(f, s.expression);
      case "VariableDeclaration":
        if (this.loopVar(f, s)) return;
        if (s.kind === "var" && !top) throw new Reject("declares a var inside a block");
        return this.varDecl(f, s);
      case "ReturnStatement":
        if (!s.argument || (s.argument.type === "Identifier" && s.argument.name === f.cand.returnsParam)) return this.returnVoid(f);
        return this.returnValue(f, s.argument);
      case "IfStatement": {
        this.test(f, s.test);
        this.open(f, { op: "if" });
        this.sub(f, s.consequent);
        if (s.alternate) {
          f.code.push({ op: "else" });
          this.sub(f, s.alternate);
        }
        return this.close(f);
      }
      case "WhileStatement":
      case "ForStatement":
        if (s.type === "ForStatement" && this.counterLoop(f, s)) return;
        f.blocks.push(new Map());
        try {
          if (s.init?.type === "VariableDeclaration") {
            if (!this.loopVar(f, s.init)) this.varDecl(f, s.init);
          } else if (s.init) this.effect(f, s.init);
          this.open(f, { op: "block" }, "break");
          this.open(f, { op: "loop" });
          if (s.test) {
            this.test(f, s.test);
            f.code.push({ op: "i32.eqz" });
            this.branch(f, "break", "br_if");
          }
          this.open(f, { op: "block" }, "continue");
          this.sub(f, s.body);
          this.close(f);
          if (s.update) this.effect(f, s.update);
          f.code.push({ op: "br", depth: 0 });
          this.close(f);
          return this.close(f);
        } finally {
          f.blocks.pop();
        }
      case "DoWhileStatement":
        this.open(f, { op: "block" }, "break");
        this.open(f, { op: "loop" });
        this.open(f, { op: "block" }, "continue");
        this.sub(f, s.body);
        this.close(f);
        this.test(f, s.test);
        f.code.push({ op: "br_if", depth: 0 });
        this.close(f);
        return this.close(f);
      case "BreakStatement":
      case "ContinueStatement": {
        if (!s.label) return this.branch(f, s.type === "BreakStatement" ? "break" : "continue");
        const at = f.named.get(s.label.name);
        if (at === undefined) throw new Reject("uses a labelled break or continue out of what it compiles");
        // (every loop opens its break block, then its continue block, before its body)
        const to = s.type === "BreakStatement" ? at : f.labels.indexOf("continue", at);
        if (f.labels[at] !== "break" || to < 0) throw new Error("freezer: a labelled loop's blocks are not where its label says");
        return void f.code.push({ op: "br", depth: f.labels.length - 1 - to });
      }
      case "LabeledStatement": {
        // a labelled loop: its break and continue blocks take the label (a labelled block: not compiled)
        if (!isLoop(s.body)) throw new Reject("uses a label on something other than a loop");
        if (f.named.has(s.label.name)) throw new Reject("uses a label inside a loop of the same label");
        f.named.set(s.label.name, f.labels.length);
        try {
          return this.stmt(f, s.body);
        } finally {
          f.named.delete(s.label.name);
        }
      }
      case "FunctionDeclaration":
        throw new Reject("declares a nested function");
      case "TryStatement":
        throw new Reject("uses try/catch");
      case "ThrowStatement":
        throw new Reject("throws");
      case "SwitchStatement":
        throw new Reject("uses switch");
      case "ForOfStatement":
        return this.forOf(f, s);
      case "ForInStatement":
        throw new Reject("iterates over an object's keys (for-in)");
      default:
        throw new Reject(`uses ${s.type.replace(/Statement|Declaration/, "").toLowerCase() || s.type}`);
    }
  }

  /**
   * `for (let i = C; i < a.length; i++)` (or `i < N`, `++i`, `i += 1`; C and N integers in
   * [0, 2^31)), whose body never assigns i: i counts in an i32 (an unsigned one: it stays in
   * [C, a.length]), a[i] indexes with it as it is (only the bound checked), and any other read
   * of i converts it to a number. False, and nothing emitted, for any other for loop.
   */
  private counterLoop(f: FnScope, s: N): boolean {
    if (f.int) return false;
    const d = s.init?.type === "VariableDeclaration" && s.init.kind === "let" && s.init.declarations.length === 1 ? s.init.declarations[0] : undefined;
    const smallInt = (n: N | undefined) => n?.type === "Literal" && typeof n.value === "number" && Number.isInteger(n.value) && n.value >= 0 && n.value < 2 ** 31;
    if (d?.id.type !== "Identifier" || !smallInt(d.init)) return false;
    const name: string = d.id.name;
    const isI = (n: N) => n.type === "Identifier" && n.name === name;
    const t = s.test;
    if (t?.type !== "BinaryExpression" || t.operator !== "<" || !isI(t.left)) return false;
    const a = t.right.type === "MemberExpression" && !t.right.computed && !t.right.optional && t.right.property.name === "length" ? this.arrayOf(f, t.right) : undefined;
    if (!a && !smallInt(t.right)) return false;
    const u = s.update;
    const step = u?.type === "UpdateExpression" ? u.operator === "++" && isI(u.argument) : u?.type === "AssignmentExpression" && u.operator === "+=" && isI(u.left) && u.right.type === "Literal" && u.right.value === 1;
    if (!step || this.lookup(f, name)) return false;
    if (assigns(s.body, name)) return false;
    const k = this.newLocal(f, "i32");
    f.code.push({ op: "i32.const", value: d.init.value }, { op: "local.set", local: k });
    const bound: Instr = a ? { op: "local.get", local: a.local + 1 } : { op: "i32.const", value: t.right.value };
    f.blocks.push(new Map([[name, { local: k, ty: "number", counter: true, ...(a ? { below: a.local + 1 } : {}) }]]));
    try {
      this.countingLoop(f, k, bound, () => {}, s.body);
    } finally {
      f.blocks.pop();
    }
    return true;
  }

  /**
   * A loop over i32 local `k` (set already) while k <u `bound`, k + 1 each turn: `head` at the top
   * of each turn, then `body`, whose break and continue are JS's (continue goes on to the step).
   */
  private countingLoop(f: FnScope, k: number, bound: Instr, head: () => void, body: N): void {
    const c = f.code;
    this.open(f, { op: "block" }, "break");
    this.open(f, { op: "loop" });
    c.push({ op: "local.get", local: k }, bound, { op: "i32.ge_u" });
    this.branch(f, "break", "br_if");
    head();
    this.open(f, { op: "block" }, "continue");
    this.sub(f, body);
    this.close(f);
    c.push({ op: "local.get", local: k }, { op: "i32.const", value: 1 }, { op: "i32.add" }, { op: "local.set", local: k }, { op: "br", depth: 0 });
    this.close(f);
    this.close(f);
  }

  /**
   * `for (const v of a)` (or let) over an array parameter: the indexed loop it is, v = a[k] for k
   * from 0 while k < a.length (the wrapper checked that a's iteration is Array's or
   * %TypedArray%'s own, and no JS runs meanwhile to change the array: arrays.ts). v is a number,
   * or, where the body only reads its properties (v.x), a plain Array's element itself: a
   * borrowed JSValue read as objects.ts reads a parameter.
   */
  private forOf(f: FnScope, s: N): void {
    const d = s.left.type === "VariableDeclaration" && s.left.kind !== "var" && s.left.declarations.length === 1 ? s.left.declarations[0] : undefined;
    if (s.await || d?.id.type !== "Identifier") throw new Reject("iterates with for-of other than `for (const v of array)`");
    const a = s.right.type === "Identifier" ? this.lookup(f, s.right.name) : undefined;
    if (a?.ty !== "array") throw new Reject("iterates with for-of over something other than an array parameter");
    const name: string = d.id.name;
    if (assigns(s.body, name)) throw new Reject(`assigns to its for-of variable '${name}'`);
    const ty: Ty = objectNames(s.body, [name], () => false).has(name) ? "value" : "number";
    if (ty === "value" && f.int) throw new Reject("reads a property (no int32 form)");
    const [ptr, len, kind] = [a.local, a.local + 1, a.local + 2];
    const c = f.code;
    // (elements read as objects are a plain Array's JSValues: a typed array's numbers have no properties to read)
    if (ty === "value") c.push({ op: "local.get", local: kind }, { op: "i32.const", value: PLAIN }, { op: "i32.ne" }, { op: "if" }, ...this.deopt(f), { op: "end" });
    const k = this.newLocal(f, "i32");
    c.push({ op: "i32.const", value: 0 }, { op: "local.set", local: k });
    f.blocks.push(new Map());
    try {
      const v = this.declare(f, name, ty);
      if (ty === "value") this.lookup(f, name)!.element = true;
      this.countingLoop(f, k, { op: "local.get", local: len }, () => {
        if (ty === "value") {
          c.push({ op: "local.get", local: ptr }, { op: "local.get", local: k }, { op: "i32.const", value: 3 }, { op: "i32.shl" }, { op: "i32.add" }, { op: "i64.load", offset: 0 }, { op: "local.set", local: v });
        } else {
          const idx = this.newLocal(f, "f64");
          c.push({ op: "local.get", local: k }, { op: "f64.convert_i32_u" }, { op: "local.set", local: idx });
          c.push(...loadInline(ptr, len, kind, idx, this.newLocal(f, "i32"), this.newLocal(f, "i64"), this.deopt(f)), { op: "local.set", local: v });
        }
      }, s.body);
    } finally {
      f.blocks.pop();
    }
  }

  /** What a call to `c` gives. One that returns no value is a statement (its wasm result, dropped). */
  private callValue(c: Candidate, statement: boolean): Ty {
    const ty = this.retOf(c);
    if (ty !== "void") return ty;
    if (!statement) throw new Reject(`uses the value of ${c.name}, which returns none (undefined)`);
    return "number";
  }

  /** `return;`, or the end of a body that may fall off it: the function returns no value (undefined). */
  private returnVoid(f: FnScope): void {
    if (f.cand.loop) throw new Reject("returns undefined");
    this.setReturn(f, "void");
    this.returnZero(f);
  }

  /** `return e`; through `c ? a : b` as `if (c) return a; else return b;`, so that a self call in either branch is a tail call. */
  private returnValue(f: FnScope, e: N): void {
    if (this.isSelfTailCall(f, e)) return this.tailCall(f, e);
    if (e.type === "ConditionalExpression" && this.hasSelfTailCall(f, e)) {
      this.test(f, e.test);
      this.open(f, { op: "if" });
      this.returnValue(f, e.consequent);
      f.code.push({ op: "else" });
      this.returnValue(f, e.alternate);
      return this.close(f);
    }
    this.setReturn(f, this.expr(f, e));
    f.code.push({ op: "return" });
  }

  private hasSelfTailCall(f: FnScope, e: N): boolean {
    if (e.type === "ConditionalExpression") return this.hasSelfTailCall(f, e.consequent) || this.hasSelfTailCall(f, e.alternate);
    return this.isSelfTailCall(f, e);
  }

  private setReturn(f: FnScope, ty: RetTy): void {
    if (f.retTy && f.retTy !== ty) throw new Reject(ty === "void" || f.retTy === "void" ? "returns a value on some paths and none (undefined) on others" : "returns both numbers and booleans");
    f.retTy = ty;
  }

  /** A statement in its own block scope (the body of if/while/for). */
  private sub(f: FnScope, s: N): void {
    if (s.type === "VariableDeclaration") throw new Reject("declares a variable as a lone statement");
    f.blocks.push(new Map());
    try {
      this.stmt(f, s);
    } finally {
      f.blocks.pop();
    }
  }

  /**
   * A `var` in a loop compiled on its own: its variables are the enclosing function's, so the
   * loop's parameters (loops.ts namesIn), and each declarator with a value is an assignment.
   */
  private loopVar(f: FnScope, s: N): boolean {
    if (s.kind !== "var" || !f.cand.loop) return false;
    const decls = s.declarations as N[];
    // (a name the loop also declares with let or const is that binding inside it, not the var)
    if (!decls.every((d) => d.id.type === "Identifier" && f.blocks[0]!.has(d.id.name))) throw new Reject("declares a var that the loop also declares with let or const, or destructures");
    for (const d of decls) if (d.init) this.assign(f, { type: "AssignmentExpression", operator: "=", left: d.id, right: d.init, start: d.start, end: d.end } as N);
    return true;
  }

  private varDecl(f: FnScope, s: N): void {
    for (const d of s.declarations as N[]) {
      if (d.id.type !== "Identifier") throw new Reject("destructures");
      if (!d.init) {
        // (a number from its first assignment on: no read comes before one)
        if (!f.uninit.has(d.id.name)) throw new Reject(`declares '${d.id.name}' without a value and may read it before assigning it`);
        this.declare(f, d.id.name, "number");
        continue;
      }
      if (f.int32s.has(d.id.name)) {
        // (an int32 from here on: int32Variables)
        this.int32Of(f, d.init);
        f.code.push({ op: "local.set", local: this.declare(f, d.id.name, "number") });
        continue;
      }
      const ty = this.expr(f, d.init);
      f.code.push({ op: "local.set", local: this.declare(f, d.id.name, ty) });
    }
  }

  private isSelfTailCall(f: FnScope, e: N): boolean {
    // (not where it reads variables from around it: a self call's arguments are only its own parameters')
    return e.type === "CallExpression" && e.callee.type === "Identifier" && !f.cand.implicit && !this.lookup(f, e.callee.name) && this.resolve(e.callee.name, f.cand) === f.cand;
  }

  /** `return self(args)`: new parameter values, then back to the top (a loop, not a call). */
  private tailCall(f: FnScope, e: N): void {
    this.setReturn(f, this.retOf(f.cand));
    const n = f.wide.size ? this.wideArgs(f, e) : this.args(f, e, f.cand);
    if (f.int && f.inlined < unrollLevels(f.cand)) {
      // the body again, over the arguments in fresh locals (an accumulator stays i64)
      const entries = f.cand.params.map((p) => {
        const wide = f.blocks[0]!.get(p)?.wide;
        return { local: this.newLocal(f, wide ? "i64" : wasmType("number", f.int)), ty: "number" as Ty, ...(wide ? { wide } : {}) };
      });
      for (let i = n - 1; i >= 0; i--) f.code.push({ op: "local.set", local: entries[i]!.local });
      const params = new Map(f.cand.params.map((p, i) => [p, entries[i]!]));
      return this.inFrame(f, params, () => this.returnValue(f, bodyStatements(f.cand.node)[0]!.argument));
    }
    const depth = f.slots;
    // the arguments are all on the stack: into the parameters, last first
    for (let i = n - 1; i >= 0; i--) f.code.push({ op: "local.set", local: i });
    // A loop, but counted as the calls it replaces: where the interpreter would run out
    // of stack, this throws the same RangeError instead of looping for ever.
    f.code.push({ op: "local.get", local: depth }, { op: "i32.const", value: 1 + f.inlined }, { op: "i32.add" }, { op: "local.set", local: depth });
    this.branch(f, "top");
  }

  /**
   * A self tail call's arguments in the int32 variant with accumulators: `acc + e`, `e + acc`,
   * `acc - e` (e an int32) as an i64 sum, unchecked: the depth limit allows at most
   * MAX_DEPTH + 4 updates, so an accumulator stays below 2^31 * (MAX_DEPTH + 5) < 2^45, exact
   * in i64 (and in f64: the interpreter's sums are exact there too).
   */
  private wideArgs(f: FnScope, call: N): number {
    const params = f.cand.params;
    (call.arguments as N[]).forEach((a, i) => {
      const p = params[i];
      if (p !== undefined && f.wide.has(p)) {
        const acc = (x: N) => x.type === "Identifier" && x.name === p && !!this.lookup(f, p)?.wide;
        const local = this.lookup(f, p)!.local;
        if (acc(a)) return void f.code.push({ op: "local.get", local });
        if (a.type !== "BinaryExpression") throw new Reject("updates an accumulator otherwise");
        const [e, op] = acc(a.left) ? [a.right, a.operator === "+" ? "i64.add" : "i64.sub"] : [a.left, "i64.add"];
        f.code.push({ op: "local.get", local });
        if (this.expr(f, e) !== "number") throw new Reject(`passes a boolean to ${f.cand.name}`);
        f.code.push({ op: "i64.extend_i32_s" }, { op } as Instr);
        return;
      }
      if (a.type === "SpreadElement") throw new Reject("spreads arguments");
      if (this.expr(f, a) !== "number") throw new Reject(`passes a boolean to ${f.cand.name}`);
      if (p === undefined) f.code.push({ op: "drop" });
    });
    if (call.arguments.length < params.length) throw new Reject(`calls ${f.cand.name} with too few arguments`);
    return params.length;
  }

  /** An accumulator's i64 as an int32, or a bail where it is none. */
  private narrow(f: FnScope): void {
    const t = this.newLocal(f, "i64");
    const [a] = this.scratch(f);
    f.code.push({ op: "local.tee", local: t }, { op: "i32.wrap_i64" }, { op: "local.tee", local: a }, { op: "i64.extend_i32_s" }, { op: "local.get", local: t }, { op: "i64.ne" });
    this.bailIf(f, []);
    f.code.push({ op: "local.get", local: a });
  }

  /** Leaves an i32 condition. */
  private test(f: FnScope, e: N): void {
    if (e.type === "LogicalExpression" && e.operator !== "??") {
      // as a condition only truthiness matters, so each side may be a number or a boolean
      this.test(f, e.left);
      this.shortCircuit(f, e.operator === "||", () => this.test(f, e.right));
      return;
    }
    if (this.expr(f, e) === "number") this.truthy(f);
  }

  /** The left side's i32 condition on the stack -> a && b (falsy when a is, b not evaluated, else as b) or a || b: `right` leaves b's i32. */
  private shortCircuit(f: FnScope, or: boolean, right: () => void): void {
    f.code.push({ op: "if", result: "i32" });
    if (or) f.code.push({ op: "i32.const", value: 1 }, { op: "else" });
    right();
    if (!or) f.code.push({ op: "else" }, { op: "i32.const", value: 0 });
    f.code.push({ op: "end" });
  }

  /** f64 on the stack -> i32: neither 0, -0 nor NaN. */
  private truthy(f: FnScope): void {
    if (f.int) return; // an i32 is its own condition
    f.code.push({ op: "f64.abs" }, { op: "f64.const", value: 0 }, { op: "f64.gt" });
  }

  /** In the int32 variant: leave the function, telling the wrapper to run the f64 one. */
  private bailIf(f: FnScope, cond: Instr[]): void {
    f.code.push(...cond, { op: "if" }, { op: "i32.const", value: BAIL }, { op: "global.set", global: OVERFLOW }, { op: "i32.const", value: 0 }, { op: "return" }, { op: "end" });
  }

  private scratch(f: FnScope): [number, number, number] {
    f.scratch ??= [this.newLocal(f, "i32"), this.newLocal(f, "i32"), this.newLocal(f, "i32")];
    return f.scratch;
  }

  /** Two i32 on the stack -> the i32 result of `op`, or a bail where JS's result is no int32. */
  private intBinary(f: FnScope, op: string): void {
    const [a, b, r] = this.scratch(f);
    const c = f.code;
    const get = (local: number): Instr => ({ op: "local.get", local });
    const k = (value: number): Instr => ({ op: "i32.const", value });
    const last = c[c.length - 1]!;
    if ((op === "+" || op === "-") && last.op === "i32.const") {
      // a constant right operand (n - 1; a number's value ends in i32.const only when it is one):
      // overflow is one comparison of the other operand with a bound (d = 2^31 wraps to -2^31: a + 2^31)
      c.pop();
      const d = op === "+" ? last.value : -last.value;
      if (d === 0) return; // (the other operand, an int32, is the result)
      c.push({ op: "local.tee", local: a });
      this.bailIf(f, d > 0 ? [k(2147483647 - d), { op: "i32.gt_s" }] : [k(-2147483648 - d), { op: "i32.lt_s" }]);
      return void c.push(get(a), k(d), { op: "i32.add" });
    }
    c.push({ op: "local.set", local: b }, { op: "local.set", local: a });
    switch (op) {
      case "+":
      case "-":
        c.push(get(a), get(b), { op: op === "+" ? "i32.add" : "i32.sub" }, { op: "local.set", local: r });
        // signed overflow: + when both operands differ in sign from the result; - when a and b differ in sign and a and the result do
        if (op === "+") this.bailIf(f, [get(a), get(r), { op: "i32.xor" }, get(b), get(r), { op: "i32.xor" }, { op: "i32.and" }, k(0), { op: "i32.lt_s" }]);
        else this.bailIf(f, [get(a), get(b), { op: "i32.xor" }, get(a), get(r), { op: "i32.xor" }, { op: "i32.and" }, k(0), { op: "i32.lt_s" }]);
        break;
      case "*":
        // the wrapped product is JS's only when the f64 product equals it (that product is exact whenever it fits int32)
        c.push(get(a), get(b), { op: "i32.mul" }, { op: "local.set", local: r });
        this.bailIf(f, [get(a), { op: "f64.convert_i32_s" }, get(b), { op: "f64.convert_i32_s" }, { op: "f64.mul" }, get(r), { op: "f64.convert_i32_s" }, { op: "f64.ne" }]);
        // 0 times a negative number is -0
        this.bailIf(f, [get(r), { op: "i32.eqz" }, get(a), get(b), { op: "i32.or" }, k(0), { op: "i32.lt_s" }, { op: "i32.and" }]);
        break;
      case "/":
        // only exact quotients: not by 0, not -0 (0 / negative), not 2^31 (-2^31 / -1)
        this.bailIf(f, [get(b), { op: "i32.eqz" }]);
        this.bailIf(f, [get(a), k(-2147483648), { op: "i32.eq" }, get(b), k(-1), { op: "i32.eq" }, { op: "i32.and" }]);
        this.bailIf(f, [get(a), get(b), { op: "i32.rem_s" }, k(0), { op: "i32.ne" }]);
        this.bailIf(f, [get(a), { op: "i32.eqz" }, get(b), k(0), { op: "i32.lt_s" }, { op: "i32.and" }]);
        c.push(get(a), get(b), { op: "i32.div_s" }, { op: "local.set", local: r });
        break;
      case "%":
        // x % 0 is NaN; a zero remainder of a negative dividend is -0 (wasm's rem_s of -2^31 by -1 is 0, no trap)
        this.bailIf(f, [get(b), { op: "i32.eqz" }]);
        c.push(get(a), get(b), { op: "i32.rem_s" }, { op: "local.set", local: r });
        this.bailIf(f, [get(r), { op: "i32.eqz" }, get(a), k(0), { op: "i32.lt_s" }, { op: "i32.and" }]);
        break;
      case "|":
      case "&":
      case "^":
      case "<<":
      case ">>":
        c.push(get(a), get(b), { op: ({ "|": "i32.or", "&": "i32.and", "^": "i32.xor", "<<": "i32.shl", ">>": "i32.shr_s" } as const)[op] }, { op: "local.set", local: r });
        break;
      case ">>>":
        // a result of 2^31 or more is no int32
        c.push(get(a), get(b), { op: "i32.shr_u" }, { op: "local.set", local: r });
        this.bailIf(f, [get(r), k(0), { op: "i32.lt_s" }]);
        break;
      default:
        throw new Reject(`uses ${op} (no int32 form)`);
    }
    c.push(get(r));
  }

  /** Expression in statement position: assignments and updates are allowed here (and only here). Leaves nothing. */
  private effect(f: FnScope, e: N): void {
    if (e.type === "SequenceExpression") {
      for (const x of e.expressions as N[]) this.effect(f, x);
      return;
    }
    const member = e.type === "AssignmentExpression" ? e.left : e.type === "UpdateExpression" ? e.argument : undefined;
    if (member?.type === "MemberExpression" && !member.computed && !member.optional && this.isObjectParam(f, member.object)) return this.write(f, member, e);
    if (e.type === "AssignmentExpression" && e.left.type === "MemberExpression") return this.store(f, e.left, e.operator === "=" ? "=" : e.operator.slice(0, -1), e.right);
    if (e.type === "UpdateExpression" && e.argument.type === "MemberExpression") return this.store(f, e.argument, e.operator === "++" ? "+" : "-", undefined);
    if (e.type === "AssignmentExpression" && this.returnsArgument(f, e)) {
      this.call(f, e.right, true);
      return void f.code.push({ op: "drop" });
    }
    if (e.type === "AssignmentExpression") return this.assign(f, e);
    if (e.type === "UpdateExpression") {
      const v = this.variable(f, e.argument);
      if (v.ty !== "number") throw new Reject("increments a boolean");
      if (v.int32Var) throw new Error("freezer: ++ or -- on an int32 variable");
      f.code.push({ op: "local.get", local: v.local });
      this.constant(f, 1);
      this.binary(f, e.operator === "++" ? "+" : "-");
      f.code.push({ op: "local.set", local: v.local });
      this.wrote(f, e.argument.name);
      return;
    }
    if (e.type === "CallExpression") this.call(f, e, true);
    else this.expr(f, e);
    f.code.push({ op: "drop" });
  }

  /** `x = g(..., x, ...)` where frozen g returns that parameter unchanged (outer.ts returnedParam): the assignment leaves x as it is. */
  private returnsArgument(f: FnScope, e: N): boolean {
    if (e.operator !== "=" || e.left.type !== "Identifier" || e.right.type !== "CallExpression" || e.right.callee.type !== "Identifier") return false;
    if (this.lookup(f, e.left.name)?.ty !== "array") return false;
    const target = this.resolve(e.right.callee.name, f.cand);
    return typeof target === "object" && keepsArgument(e.right, e.left.name, target);
  }

  /** The typed array `e` indexes (a[i]) or takes the length of (a.length), if it is one. */
  private arrayOf(f: FnScope, e: N): { local: number } | undefined {
    if (e.optional) return undefined;
    const v = this.arrayBinding(f, e.object);
    if (!v) return undefined;
    if (!e.computed && !(e.property.type === "Identifier" && e.property.name === "length")) throw new Reject(`reads a property of the typed array '${e.object.name}' other than length`);
    return v;
  }

  /** The typed array `e` names: a variable, or an object parameter's property read at the start (hoistReads). */
  private arrayBinding(f: FnScope, e: N): Binding | undefined {
    const v = e.type === "Identifier" ? this.lookup(f, e.name) : this.hoistedOf(f, e);
    return v?.ty === "array" ? v : undefined;
  }

  /** `o.p` read at the start (hoistReads). (No inner block declares `o` again: declare refuses it.) */
  private hoistedOf(f: FnScope, e: N): Binding | undefined {
    if (e.type !== "MemberExpression" || e.computed || e.optional || e.object.type !== "Identifier" || e.property.type !== "Identifier") return undefined;
    return f.hoisted.get(`${e.object.name}.${e.property.name}`);
  }

  /** The reads objects.ts hoistedReads found, made here before anything else: each a number, or a typed array's three values (anything else falls back, DEOPT). */
  private hoistReads(f: FnScope, hoist: Map<string, "array" | "number">): void {
    const c = f.code;
    const get = (local: number): Instr => ({ op: "local.get", local });
    const set = (local: number): Instr => ({ op: "local.set", local });
    const ctx: Instr = { op: "global.get", global: CTX };
    for (const [key, kind] of hoist) {
      const [name, prop] = key.split(".") as [string, string];
      const from = f.blocks[0]!.get(name)!.local;
      f.cand.objectOps!.add(`reads ${key}${READ_AT_START}`);
      if (kind === "number") {
        c.push(get(from), ...atom(prop), { op: "i32.const", value: 0 }, { op: "call", func: READ_HELPER });
        this.fallBackIfSet(f);
        const v = this.newLocal(f, "f64");
        c.push(set(v));
        f.hoisted.set(key, { local: v, ty: "number" });
        continue;
      }
      // (its pointer, length and kind in three locals in a row, as a typed array parameter's)
      const [ptr, len, k] = [this.newLocal(f, "i32"), this.newLocal(f, "i32"), this.newLocal(f, "i32")];
      const v = this.newLocal(f, "i64");
      c.push(get(from), ...atom(prop), { op: "i32.const", value: 0 }, { op: "call", func: READ_VALUE_HELPER });
      this.fallBackIfSet(f);
      c.push({ op: "local.tee", local: v }, ...otherKind(k), { op: "if" }, ctx, get(v), { op: "call", func: "JS_FreeValue" }, ...this.deopt(f), { op: "end" });
      // (the object holds the array, and no JS runs until the end: it stays where it is)
      // (a detached array is JS's empty one: 0, 0, and "gone", which nothing here needs)
      c.push(get(v), { op: "call", func: BUFFER_HELPER }, { op: "drop" }, set(len), set(ptr), ctx, get(v), { op: "call", func: "JS_FreeValue" });
      f.hoisted.set(key, { local: ptr, ty: "array" });
    }
  }

  /** Is `e` an element read `a[i]` of an array binding? */
  private isElementRead(f: FnScope, e: N): boolean {
    return e.type === "MemberExpression" && e.computed && !e.optional && this.arrayBinding(f, e.object) !== undefined;
  }

  /** Element read `e` (isElementRead) into two new locals: its value (NaN past the end) and whether its index is inside the array (i32). */
  private elementAndInside(f: FnScope, e: N): [number, number] {
    const a = this.arrayOf(f, e)!;
    const idx = this.indexOf(f, e.property, a.local + 1);
    const [v, inside] = [this.newLocal(f, "f64"), this.newLocal(f, "i32")];
    f.code.push(...inBounds(idx, a.local + 1), { op: "local.set", local: inside });
    f.code.push(...loadInline(a.local, a.local + 1, a.local + 2, idx, this.newLocal(f, "i32"), this.newLocal(f, "i64"), this.deopt(f)), { op: "local.set", local: v });
    return [v, inside];
  }

  /** a[i] = v, a[i] op= v, a[i]++ (statement position): the index once, the element read first where the operator needs it. */
  private store(f: FnScope, target: N, op: string, value: N | undefined): void {
    const a = this.arrayOf(f, target);
    if (!a) throw new Reject("assigns to a property");
    if (!target.computed) throw new Reject("assigns to a typed array's length");
    const idx = this.indexOf(f, target.property, a.local + 1);
    const k = typeof idx === "number" ? this.newLocal(f, "i32") : idx.counter;
    // (code that stores never gets a plain Array: arrays.ts)
    if (op !== "=") f.code.push(...loadInline(a.local, a.local + 1, a.local + 2, idx, k, this.newLocal(f, "i64"), [{ op: "unreachable" }]));
    if (value) {
      if (this.expr(f, value) !== "number") throw new Reject("stores a boolean into a typed array");
    } else this.constant(f, 1);
    if (op !== "=") this.binary(f, op);
    // a bitwise result: its i32 as it is for the integer kinds, the f64 for the others
    const last = f.code[f.code.length - 1]!;
    let int: number | undefined;
    if (madeFromI32(last)) int = this.keepI32(f, f.code.length - 1);
    const v = this.newLocal(f, "f64");
    f.code.push({ op: "local.set", local: v }, ...storeInline(a.local, a.local + 1, a.local + 2, idx, v, k, int));
  }

  private variable(f: FnScope, target: N): Binding {
    if (target.type !== "Identifier") throw new Reject("assigns to a property");
    const v = this.lookup(f, target.name);
    if (!v) throw new Reject(`assigns to '${target.name}', which is not its own variable`);
    if (v.ty === "array") throw new Reject(`assigns to the typed array parameter '${target.name}'`);
    return v;
  }

  private assign(f: FnScope, e: N): void {
    const v = this.variable(f, e.left);
    if (v.int32Var) {
      // an int32 variable is given only int32s (int32Variables): = e, or a bitwise op= e
      const op = e.operator.slice(0, -1);
      if (e.operator !== "=") {
        if (!(op in BITWISE) || op === ">>>") throw new Error(`freezer: ${e.operator} on an int32 variable`);
        f.code.push({ op: "local.get", local: v.local });
      }
      this.int32Of(f, e.right);
      if (e.operator !== "=") f.code.push({ op: BITWISE[op]! });
      f.code.push({ op: "local.set", local: v.local });
      return;
    }
    const bitwise = e.operator.slice(0, -1);
    if (e.operator === "=") {
      if (this.expr(f, e.right) !== v.ty) throw new Reject("changes a variable's type");
    } else if (v.ty === "number" && !f.int && bitwise in BITWISE) {
      // v ^= e: both operands as i32s (v read first; an element read loads its i32 as it is)
      this.bitwiseNumber(f, bitwise, e.left, e.right);
    } else {
      if (v.ty !== "number") throw new Reject("uses a compound assignment on a boolean");
      f.code.push({ op: "local.get", local: v.local });
      if (this.expr(f, e.right) !== "number") throw new Reject("uses a compound assignment on a boolean");
      this.binary(f, e.operator.slice(0, -1));
    }
    f.code.push({ op: "local.set", local: v.local });
    this.wrote(f, e.left.name);
  }

  /**
   * An assignment to a local whose value is used (`a[o++] = v`, `while (n--)`, `x = y = 0`,
   * `if ((t = a[i]) > 0)`), in JS's order: a postfix ++ or -- gives the old value (a number
   * already), any other the variable as the assignment left it.
   */
  private assignValue(f: FnScope, e: N): Ty {
    const target = e.type === "AssignmentExpression" ? e.left : e.argument;
    if (target.type !== "Identifier") throw new Reject("assigns to a property inside an expression");
    if (e.type === "UpdateExpression" && !e.prefix) {
      if (this.expr(f, target) !== "number") throw new Reject("increments a boolean");
      this.effect(f, e);
      return "number";
    }
    this.effect(f, e);
    return this.expr(f, target);
  }

  /** Pushes the arguments for `callee` (extra ones are evaluated and dropped); returns how many wasm values. */
  private args(f: FnScope, call: N, callee: Candidate): number {
    const declared = declaredCount(callee);
    if (call.arguments.length < declared) throw new Reject(`calls ${callee.name} with too few arguments`);
    const tys = this.paramTys(callee);
    let slots = 0;
    const args = [...callee.params.map((_, k) => argumentAt(call, callee, k)!), ...(call.arguments as N[]).slice(declared)];
    args.forEach((a, i) => {
      if (a.type === "SpreadElement") throw new Reject("spreads arguments");
      if (i >= callee.params.length) {
        // (an extra argument: evaluated, and dropped)
        if (this.expr(f, a) !== "number") throw new Reject(`passes a boolean to ${callee.name}`);
        return void f.code.push({ op: "drop" });
      }
      if (tys[i] === "array") {
        // a typed array goes as its three values; only a typed-array parameter of this function can be one
        const v = a.type === "Identifier" ? this.lookup(f, a.name) : undefined;
        if (v?.ty !== "array") throw new Reject(`passes ${callee.name} something that may not be a typed array`);
        for (let k = 0; k < 3; k++) f.code.push({ op: "local.get", local: v.local + k });
        slots += 3;
        return;
      }
      if (tys[i] === "value") throw new Reject(`passes ${callee.name} an object`);
      if (tys[i] === "view") {
        const v = a.type === "Identifier" ? this.lookup(f, a.name) : undefined;
        if (v?.ty !== "view") throw new Reject(`passes ${callee.name} something that may not be a DataView`);
        for (let k = 0; k < 3; k++) f.code.push({ op: "local.get", local: v.local + k });
        slots += 3;
        return;
      }
      if (this.expr(f, a) !== "number") throw new Reject(`passes a boolean to ${callee.name}`);
      slots++;
    });
    return slots;
  }

  /** Two f64 on the stack -> the f64 result of `op`. */
  private binary(f: FnScope, op: string): void {
    if (f.int) return this.intBinary(f, op);
    const c = f.code;
    const i32 = (...ops: Instr[]) => {
      // the right operand is on top: convert it, then the left one beneath it through a local
      const right = this.newLocal(f, "i32");
      this.toInt32(f);
      c.push({ op: "local.set", local: right });
      this.toInt32(f);
      c.push({ op: "local.get", local: right }, ...ops);
    };
    switch (op) {
      case "+":
        return void c.push({ op: "f64.add" });
      case "-":
        return void c.push({ op: "f64.sub" });
      case "*":
        return void c.push({ op: "f64.mul" });
      case "/":
        return void c.push({ op: "f64.div" });
      case "%":
        return void c.push({ op: "call", func: HELPER.mod });
      case "**":
        return void c.push({ op: "call", func: HELPER.pow });
      case "|":
        return i32({ op: "i32.or" }, { op: "f64.convert_i32_s" });
      case "&":
        return i32({ op: "i32.and" }, { op: "f64.convert_i32_s" });
      case "^":
        return i32({ op: "i32.xor" }, { op: "f64.convert_i32_s" });
      // wasm takes shift counts modulo 32, as JS does
      case "<<":
        return i32({ op: "i32.shl" }, { op: "f64.convert_i32_s" });
      case ">>":
        return i32({ op: "i32.shr_s" }, { op: "f64.convert_i32_s" });
      case ">>>":
        return i32({ op: "i32.shr_u" }, { op: "f64.convert_i32_u" });
    }
    throw new Reject(`uses the operator ${op}`);
  }

  /** `left op right` for a bitwise operator: both operands' ToInt32 as i32s, then the operation. */
  private bitwiseI32(f: FnScope, op: string, left: N, right: N): void {
    this.int32Of(f, left);
    this.int32Of(f, right);
    f.code.push({ op: BITWISE[op]! });
  }

  /** The same as a number (>>>'s result is a uint32). */
  private bitwiseNumber(f: FnScope, op: string, left: N, right: N): void {
    this.bitwiseI32(f, op, left, right);
    f.code.push({ op: op === ">>>" ? "f64.convert_i32_u" : "f64.convert_i32_s" });
  }

  /**
   * ToInt32(e) as an i32. A bitwise operation or ~ nested in another one stays an i32 (x >>> 0
   * is a uint32 whose ToInt32 is its own bits), an integer literal is converted here; anything
   * else is computed as a number and converted (no side effects in between, so the order of
   * evaluation and conversion is JS's).
   */
  private int32Of(f: FnScope, e: N): void {
    const c = f.code;
    if (e.type === "BinaryExpression" && e.operator in BITWISE) return this.bitwiseI32(f, e.operator, e.left, e.right);
    if (e.type === "BinaryExpression" && (e.operator === "+" || e.operator === "-") && this.integral(f, e)) {
      // integers below 2^32 whose sum JS computes exactly: its ToInt32 is the i32 sum, wrapped
      this.int32Of(f, e.left);
      this.int32Of(f, e.right);
      c.push({ op: e.operator === "+" ? "i32.add" : "i32.sub" });
      return;
    }
    if (e.type === "UnaryExpression" && e.operator === "~") {
      this.int32Of(f, e.argument);
      c.push({ op: "i32.const", value: -1 }, { op: "i32.xor" });
      return;
    }
    const k = constantOf(e, (name) => this.lookup(f, name));
    if (k !== undefined) return void c.push({ op: "i32.const", value: toInt32Const(k) });
    const leaf = this.leafCall(f, e);
    if (leaf) return this.inlineLeafInt32(f, e, leaf);
    // (a counter's u32 bits are its ToInt32)
    const b = e.type === "Identifier" ? this.lookup(f, e.name) : undefined;
    if (b?.int32 || b?.int32Var || b?.counter) return void c.push({ op: "local.get", local: b.local });
    const a = e.type === "MemberExpression" && e.computed ? this.arrayOf(f, e) : undefined;
    if (a && !f.int) {
      const idx = this.indexOf(f, e.property, a.local + 1);
      c.push(...loadInt32Inline(a.local, a.local + 1, a.local + 2, idx, this.newLocal(f, "i32"), this.newLocal(f, "i64"), this.newLocal(f, "f64"), this.deopt(f)));
      return;
    }
    if (!f.int && b?.ty === "number" && b.konst === undefined && !b.wide) {
      // a number variable: its ToInt32 once, kept while nothing assigns the variable
      const known = f.int32Of?.get(b.local);
      if (known && knownInt32(f.code, known, b.local)) return void c.push({ op: "local.get", local: known.local });
      const [made, store] = c.slice(-2);
      let t: number;
      let tee: number;
      if (c.length >= 2 && madeFromI32(made) && store!.op === "local.set" && store!.local === b.local) {
        // just assigned a bitwise result (`r = a ^ b;` then `r >>> 24`): that i32, kept as it is converted
        t = this.keepI32(f, c.length - 2);
        tee = c.length - 3;
      } else {
        t = this.newLocal(f, "i32");
        c.push({ op: "local.get", local: b.local }, ...toInt32Inline(this.newLocal(f, "f64")), { op: "local.set", local: t });
        tee = c.length - 1;
      }
      (f.int32Of ??= new Map()).set(b.local, { code: c, tee, at: c.length, local: t });
      return void c.push({ op: "local.get", local: t });
    }
    if (this.expr(f, e) !== "number") throw new Reject("uses a bitwise operator on a boolean");
    this.toInt32(f);
  }

  /**
   * Is `e` an integer that JS computes exactly, whatever the values: an int32 variable, a
   * counter, a bitwise result (a uint32 for >>>), an integer literal below 2^32, or + and - of
   * those, a few levels deep (each level at most doubles the magnitude: far below 2^53). Its
   * ToInt32 is then its operands' ToInt32s added in i32, wrapping.
   */
  private integral(f: FnScope, e: N, depth = 0): boolean {
    switch (e.type) {
      case "Identifier": {
        const b = this.lookup(f, e.name);
        return !!(b?.int32Var || b?.counter);
      }
      case "Literal":
        return typeof e.value === "number" && Number.isInteger(e.value) && Math.abs(e.value) < 2 ** 32;
      case "UnaryExpression":
        return e.operator === "~";
      case "BinaryExpression":
        if (e.operator in BITWISE) return true;
        return (e.operator === "+" || e.operator === "-") && depth < 16 && this.integral(f, e.left, depth + 1) && this.integral(f, e.right, depth + 1);
      default:
        return false;
    }
  }

  /** The leaf function `e` calls, when the call would be inlined (see call). */
  private leafCall(f: FnScope, e: N): Candidate | undefined {
    if (f.int || e.type !== "CallExpression" || e.optional || e.callee.type !== "Identifier" || this.lookup(f, e.callee.name)) return undefined;
    const target = this.resolve(e.callee.name, f.cand);
    if (typeof target !== "object" || target === f.cand || target.implicit || !isLeaf(target) || !this.paramTys(target).every((t) => t === "number")) return undefined;
    return target;
  }

  /**
   * ToInt32 of a leaf's call as an i32 (int32.ts): its arguments evaluated in order (constants
   * and number variables used in place; an argument the body uses only as a bitwise operand as
   * its ToInt32, an i32; any other into a fresh f64), then its expression through int32Of.
   */
  private inlineLeafInt32(f: FnScope, e: N, target: Candidate): void {
    if (e.arguments.length < target.params.length) throw new Reject(`calls ${target.name} with too few arguments`);
    const body = bodyStatements(target.node)[0]!.argument;
    const params = new Map<string, Binding>();
    // (a variable is read where the body reads its parameter: not when an argument assigns one)
    const inPlace = !(e.arguments as N[]).some((a) => assignsAny(a));
    (e.arguments as N[]).forEach((a, i) => {
      if (a.type === "SpreadElement") throw new Reject("spreads arguments");
      const k = constantOf(a, (name) => this.lookup(f, name));
      const v = inPlace && a.type === "Identifier" ? this.lookup(f, a.name) : undefined;
      let b: Binding;
      const param = target.params[i];
      if (k !== undefined) b = { local: -1, ty: "number", konst: k };
      else if (v?.ty === "number" && (param === undefined || !onlyBitwise(body, param))) b = v;
      else if (param !== undefined && onlyBitwise(body, param)) {
        // only its ToInt32 matters: computed once, here, in the order of the arguments
        this.int32Of(f, a);
        b = { local: this.newLocal(f, "i32"), ty: "number", int32: true };
        f.code.push({ op: "local.set", local: b.local });
      } else {
        if (this.expr(f, a) !== "number") throw new Reject(`passes a boolean to ${target.name}`);
        b = { local: this.newLocal(f, "f64"), ty: "number" };
        f.code.push({ op: "local.set", local: b.local });
      }
      if (i < target.params.length) params.set(target.params[i]!, b);
    });
    const outer = f.blocks;
    f.blocks = [params];
    try {
      this.int32Of(f, body);
    } finally {
      f.blocks = outer;
    }
  }

  /** Keeps the i32 that the convert at f.code[at] makes a number of: a new i32 local, teed just before it. */
  private keepI32(f: FnScope, at: number): number {
    const t = this.newLocal(f, "i32");
    f.code.splice(at, 0, { op: "local.tee", local: t });
    return t;
  }

  /**
   * ToInt32 of the f64 on the stack, inline where it is cheap: below 2^63 in magnitude the
   * low 32 bits of the truncated i64 are the answer (uint32 values, common in hashing, are
   * no int32 but take this path); NaN, infinities and the rest call the helper.
   */
  private toInt32(f: FnScope): void {
    // a number just made from an i32 (a bitwise result): that i32 is its ToInt32
    if (madeFromI32(f.code[f.code.length - 1])) return void f.code.pop();
    f.code.push(...toInt32Inline(this.newLocal(f, "f64")));
  }

  /** A number constant; in the int32 variant only an int32 (not -0). */
  private constant(f: FnScope, v: number): void {
    if (!f.int) return void f.code.push({ op: "f64.const", value: v });
    if (!Number.isInteger(v) || v < -2147483648 || v > 2147483647 || Object.is(v, -0)) throw new Reject("uses a number that is no int32");
    f.code.push({ op: "i32.const", value: v });
  }

  /**
   * An index into the array whose length is local `len`: a counting loop's variable as it is,
   * an index that is exactly an i32 (int32Index, or a counter's or int32 variable's remainder by
   * a positive constant) into a fresh i32 local (both a Counter: only the unsigned bound is
   * checked), any other number into a fresh f64 local.
   */
  private indexOf(f: FnScope, e: N, len: number): number | Counter {
    const v = e.type === "Identifier" ? this.lookup(f, e.name) : undefined;
    if (v?.counter) return { counter: v.local, inBounds: v.below === len };
    // an index computed as an i32 into a fresh local: only its unsigned bound is checked (counterIndex)
    const inI32 = (...code: Instr[]): Counter => {
      const k = this.newLocal(f, "i32");
      f.code.push(...code, { op: "local.set", local: k });
      return { counter: k };
    };
    const left = !f.int && e.type === "BinaryExpression" && e.left.type === "Identifier" ? this.lookup(f, e.left.name) : undefined;
    const by = left && (left.counter || left.int32Var) ? constantOf(e.right, (name) => this.lookup(f, name)) : undefined;
    const integer = (lo: number, hi: number) => by !== undefined && Number.isInteger(by) && by >= lo && by < hi;
    if (e.operator === "%" && integer(1, 2 ** 31)) {
      // a counter's (u32) or an int32 variable's remainder by a positive integer: the i32
      // remainder is JS's (a negative one is past the end either way; -0 is index 0)
      return inI32({ op: "local.get", local: left!.local }, { op: "i32.const", value: by! }, { op: left!.counter ? "i32.rem_u" : "i32.rem_s" });
    }
    if (left?.counter && ((e.operator === "-" && integer(0, 2 ** 31)) || (e.operator === "+" && integer(0, 2 ** 20)))) {
      // a counter (u32) minus a constant: below zero it wraps past 2^31, past the end unsigned as
      // in JS; plus a small one: no wrap, as a counter stays below a literal under 2^31 or an
      // array's length: a plain Array's under 2^31 (arrays.ts plainArgument declines longer
      // ones), a typed array's under 2^32 - 2^20 (it shares a 32-bit memory with the runtime)
      return inI32({ op: "local.get", local: left.local }, { op: "i32.const", value: by! }, { op: e.operator === "-" ? "i32.sub" : "i32.add" });
    }
    if (!f.int && this.int32Index(f, e)) {
      // its value is its i32 (a uint32's bits for >>>): negative or past 2^31 is past the end
      // unsigned, as it is in JS
      this.int32Of(f, e);
      return inI32();
    }
    if (this.expr(f, e) !== "number") throw new Reject("indexes a typed array with a boolean");
    const idx = this.newLocal(f, "f64");
    f.code.push({ op: "local.set", local: idx });
    return idx;
  }

  /**
   * Is index `e` exactly its ToInt32 (or, for >>>, its ToUint32): a bitwise result, an int32
   * variable, or an integer constant in [0, 2^31)? Then it is computed as an i32, with no
   * number in between. (Not + and - of those: a sum past 2^32 would wrap into the array.)
   */
  private int32Index(f: FnScope, e: N): boolean {
    if ((e.type === "BinaryExpression" && e.operator in BITWISE) || (e.type === "UnaryExpression" && e.operator === "~")) return true;
    if (e.type === "Identifier" && this.lookup(f, e.name)?.int32Var) return true;
    const k = constantOf(e, (name) => this.lookup(f, name));
    return k !== undefined && Number.isInteger(k) && k >= 0 && k < 2 ** 31;
  }

  /** Emits `e`, leaving its value on the stack (f64 for numbers, i32 0/1 for booleans); returns its type. */
  expr(f: FnScope, e: N): Ty {
    const c = f.code;
    switch (e.type) {
      case "Literal":
        if (typeof e.value === "number") return this.constant(f, e.value), "number";
        if (typeof e.value === "boolean") return c.push({ op: "i32.const", value: e.value ? 1 : 0 }), "boolean";
        throw new Reject(typeof e.value === "string" ? "uses a string" : e.regex ? "uses a regular expression" : e.bigint ? "uses a BigInt" : "uses null");
      case "Identifier": {
        const v = this.lookup(f, e.name);
        if (v?.ty === "array") throw new Reject(`uses the typed array '${e.name}' as a value (only its elements and length)`);
        if (v?.ty === "view") throw new Reject(`uses the DataView '${e.name}' as a value (only its get and set methods)`);
        if (v?.ty === "value") throw new Reject(`uses the object '${e.name}' as a value (only its properties and methods)`);
        if (v?.konst !== undefined) return this.constant(f, v.konst), "number";
        if (v?.int32) throw new Error("freezer: an i32-bound parameter outside a bitwise operation");
        if (v?.int32Var) return c.push({ op: "local.get", local: v.local }, { op: "f64.convert_i32_s" }), "number";
        if (v?.wide) return c.push({ op: "local.get", local: v.local }), this.narrow(f), "number";
        if (v?.counter) return c.push({ op: "local.get", local: v.local }, { op: "f64.convert_i32_u" }), "number";
        if (v) return c.push({ op: "local.get", local: v.local }), v.ty;
        if ((e.name === "NaN" || e.name === "Infinity") && this.resolve(e.name, f.cand) === "global") {
          return this.constant(f, e.name === "NaN" ? NaN : Infinity), "number";
        }
        if (e.name === "undefined") throw new Reject("uses undefined");
        if (e.name === "arguments") throw new Reject("uses arguments");
        throw new Reject(`uses '${e.name}' from outside the function`);
      }
      case "ThisExpression":
        throw new Reject("uses this");
      case "BinaryExpression": {
        if (e.operator === "in" || e.operator === "instanceof") throw new Reject(`uses ${e.operator}`);
        if (!f.int && e.operator in BITWISE) return this.bitwiseNumber(f, e.operator, e.left, e.right), "number";
        const equality = ["==", "!=", "===", "!=="].includes(e.operator);
        if (equality && !f.int && this.isElementRead(f, e.left) && this.isElementRead(f, e.right)) {
          // two elements, either past its array's end (undefined): equal when both are inside and
          // equal numbers, or both are outside (undefined == undefined); NaN alone would say neither
          const [va, ina] = this.elementAndInside(f, e.left);
          const [vb, inb] = this.elementAndInside(f, e.right);
          const get = (local: number): Instr => ({ op: "local.get", local });
          c.push(get(va), get(vb), { op: "f64.eq" }, get(ina), get(inb), { op: "i32.eq" }, get(ina), get(inb), { op: "i32.and" }, { op: "select" });
          if (e.operator[0] === "!") c.push({ op: "i32.eqz" });
          return "boolean";
        }
        const a = this.expr(f, e.left);
        const b = this.expr(f, e.right);
        if (equality || e.operator in ORDER) {
          if (a !== b) throw new Reject("compares a number with a boolean");
          if (a === "boolean" && !equality) throw new Reject("orders booleans");
          const eq = e.operator[0] === "=";
          if (equality) c.push({ op: a === "number" && !f.int ? (eq ? "f64.eq" : "f64.ne") : eq ? "i32.eq" : "i32.ne" });
          else c.push({ op: f.int ? INT_ORDER[e.operator]! : ORDER[e.operator]! } as Instr);
          return "boolean";
        }
        if (a !== "number" || b !== "number") throw new Reject(`uses ${e.operator} on a boolean`);
        this.binary(f, e.operator);
        return "number";
      }
      case "LogicalExpression": {
        if (e.operator === "??") throw new Reject("uses ??");
        const a = this.expr(f, e.left);
        const or = e.operator === "||";
        if (a === "boolean") {
          this.shortCircuit(f, or, () => {
            if (this.expr(f, e.right) !== "boolean") throw new Reject(`mixes numbers and booleans in ${e.operator}`);
          });
          return "boolean";
        }
        // a || b is a when a is truthy (a itself, not true), else b; && the other way round
        const t = this.newLocal(f, wasmType("number", f.int));
        c.push({ op: "local.tee", local: t });
        this.truthy(f);
        c.push({ op: "if", result: wasmType("number", f.int) });
        if (or) c.push({ op: "local.get", local: t }, { op: "else" });
        if (this.expr(f, e.right) !== "number") throw new Reject(`mixes numbers and booleans in ${e.operator}`);
        if (!or) c.push({ op: "else" }, { op: "local.get", local: t });
        c.push({ op: "end" });
        return "number";
      }
      case "UnaryExpression": {
        if (e.operator === "typeof" || e.operator === "void" || e.operator === "delete") throw new Reject(`uses ${e.operator}`);
        // as the binary bitwise operators: its operand through int32Of (an inlined leaf's i32-bound parameter is one only there)
        if (!f.int && e.operator === "~") return this.int32Of(f, e), c.push({ op: "f64.convert_i32_s" }), "number";
        if (e.operator === "!") {
          this.test(f, e.argument);
          c.push({ op: "i32.eqz" });
          return "boolean";
        }
        const a = this.expr(f, e.argument);
        if (a !== "number") throw new Reject(`uses unary ${e.operator} on a boolean`);
        if (e.operator === "+") return "number";
        if (f.int) {
          if (e.operator === "~") return c.push({ op: "i32.const", value: -1 }, { op: "i32.xor" }), "number";
          if (e.operator === "-") {
            // 0 - a, except that -0 and 2^31 are no int32
            const [a] = this.scratch(f);
            c.push({ op: "local.set", local: a });
            this.bailIf(f, [{ op: "local.get", local: a }, { op: "i32.const", value: 0x7fffffff }, { op: "i32.and" }, { op: "i32.eqz" }]);
            return c.push({ op: "i32.const", value: 0 }, { op: "local.get", local: a }, { op: "i32.sub" }), "number";
          }
        }
        if (e.operator === "-") return c.push({ op: "f64.neg" }), "number";
        throw new Reject(`uses unary ${e.operator}`);
      }
      case "ConditionalExpression": {
        this.test(f, e.test);
        const ins = { op: "if", result: "f64" } as Instr & { result: ValType };
        c.push(ins);
        const a = this.expr(f, e.consequent);
        c.push({ op: "else" });
        const b = this.expr(f, e.alternate);
        c.push({ op: "end" });
        if (a !== b) throw new Reject("mixes numbers and booleans in ?:");
        ins.result = wasmType(a, f.int);
        return a;
      }
      case "SequenceExpression":
        throw new Reject("uses the comma operator inside an expression");
      case "AssignmentExpression":
      case "UpdateExpression":
        return this.assignValue(f, e);
      case "CallExpression":
        return this.call(f, e);
      case "MemberExpression": {
        const hoisted = this.hoistedOf(f, e);
        if (hoisted?.ty === "number") return c.push({ op: "local.get", local: hoisted.local }), "number";
        const a = this.arrayOf(f, e);
        if (!a && this.isObjectPath(f, e.object) && !e.computed && !e.optional) return this.read(f, e);
        if (!a) throw new Reject(e.object.type === "Identifier" && e.object.name === "arguments" ? "uses arguments" : "reads a property");
        if (!e.computed) return c.push({ op: "local.get", local: a.local + 1 }, { op: "f64.convert_i32_u" }), "number";
        c.push(...loadInline(a.local, a.local + 1, a.local + 2, this.indexOf(f, e.property, a.local + 1), this.newLocal(f, "i32"), this.newLocal(f, "i64"), this.deopt(f)));
        return "number";
      }
      case "NewExpression":
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

  /**
   * A self call of a one-expression function, inlined: its arguments into
   * fresh locals, then its expression over them (pure code: the same values in
   * the same order). Fewer calls for fib-like recursion; the calls left inside
   * count the frames they replace, so the depth limit is unchanged.
   */
  private inlineSelf(f: FnScope, e: N, target = f.cand): Ty {
    return this.inFrame(f, this.argLocals(f, e, target), () => this.expr(f, bodyStatements(target.node)[0]!.argument));
  }

  /** The arguments of a call to `target` (number parameters only) in fresh locals: its parameters' bindings, for inFrame. */
  private argLocals(f: FnScope, e: N, target: Candidate): Map<string, Binding> {
    const n = this.args(f, e, target);
    const params = new Map<string, Binding>();
    const locals = target.params.map(() => ({ local: this.newLocal(f, wasmType("number", f.int)), ty: "number" as Ty }));
    for (let i = n - 1; i >= 0; i--) f.code.push({ op: "local.set", local: locals[i]!.local });
    target.params.forEach((p, i) => params.set(p, locals[i]!));
    return params;
  }

  /** `compile` as inside an inlined frame of the function whose parameters are `params` (a call there is one deeper). */
  private inFrame<T>(f: FnScope, params: Map<string, Binding>, compile: () => T): T {
    const outer = f.blocks;
    f.blocks = [params];
    f.inlined++;
    try {
      return compile();
    } finally {
      f.blocks = outer;
      f.inlined--;
    }
  }

  /**
   * A self call where inlining stops, with the callee's base case inlined in front of it:
   * `test ? base : call` (or `test ? call : base`) over the arguments in fresh locals, so that
   * calls that would return at once (fib's n < 2, half of its calls) are not made. Pure code:
   * the callee evaluates the test again, to the same value.
   */
  private guardedSelf(f: FnScope, e: N, base: { test: N; leaf: N; leafFirst: boolean }): Ty {
    const c = f.code;
    const params = this.argLocals(f, e, f.cand);
    const ty = this.callValue(f.cand, false);
    const call = () => {
      for (const l of params.values()) c.push({ op: "local.get", local: l.local }); // (a function's parameter names are distinct)
      c.push({ op: "local.get", local: f.slots }, { op: "i32.const", value: 1 + f.inlined }, { op: "i32.add" }, { op: "call", func: f.cand.id });
      c.push({ op: "global.get", global: OVERFLOW }, { op: "if" });
      this.returnZero(f);
      c.push({ op: "end" });
    };
    // the test and the base case as inside the callee's frame
    const leaf = () => this.inFrame(f, params, () => {
      if (this.expr(f, base.leaf) !== ty) throw new Reject("returns both numbers and booleans");
    });
    this.inFrame(f, params, () => this.test(f, base.test));
    c.push({ op: "if", result: wasmType(ty) });
    if (base.leafFirst) leaf();
    else call();
    c.push({ op: "else" });
    if (base.leafFirst) call();
    else leaf();
    c.push({ op: "end" });
    return ty;
  }

  /** Math.floor/ceil/trunc (an int32 is its own), abs, min, max on int32s; the rest has no int32 form. */
  private intMath(f: FnScope, m: string, args: N[]): Ty {
    if (!["floor", "ceil", "trunc", "abs", "min", "max"].includes(m) || args.length === 0) throw new Reject(`calls Math.${m} (no int32 form)`);
    const [a, b] = this.scratch(f);
    const get = (local: number): Instr => ({ op: "local.get", local });
    args.forEach((x, i) => {
      if (x.type === "SpreadElement") throw new Reject("spreads arguments");
      if (this.expr(f, x) !== "number") throw new Reject(`passes a boolean to Math.${m}`);
      if (i > 0 && m !== "min" && m !== "max") f.code.push({ op: "drop" });
      else if (i > 0) {
        f.code.push({ op: "local.set", local: b }, { op: "local.set", local: a }, get(a), get(b), get(a), get(b), { op: m === "min" ? "i32.lt_s" : "i32.gt_s" }, { op: "select" });
      }
    });
    if (m === "abs") {
      f.code.push({ op: "local.set", local: a });
      this.bailIf(f, [get(a), { op: "i32.const", value: -2147483648 }, { op: "i32.eq" }]);
      f.code.push({ op: "i32.const", value: 0 }, get(a), { op: "i32.sub" }, get(a), get(a), { op: "i32.const", value: 0 }, { op: "i32.lt_s" }, { op: "select" });
    }
    return "number";
  }

  private call(f: FnScope, e: N, statement = false): Ty {
    if (e.optional) throw new Reject("uses optional chaining");
    const c = f.code;
    const callee = e.callee as N;
    if (callee.type === "Identifier") {
      if (this.lookup(f, callee.name)) throw new Reject(`calls a local value '${callee.name}'`);
      const target = this.resolve(callee.name, f.cand);
      if (target === "global") throw new Reject(`calls the global '${callee.name}'`);
      if (typeof target === "string") throw new Reject(`calls '${callee.name}', ${target}`);
      // (one that reads variables from around it is handed them: only by a caller that has them from around it too)
      const mine = f.cand.loop ? f.cand.params : (f.cand.implicit ?? []);
      const handed = target.implicit?.every((name) => mine.includes(name) && this.sameVariable(name, f.cand, target)) ?? true;
      if (!handed) throw new Reject(`calls '${callee.name}', which reads variables from around it that this code does not have (JS calls it, with their values)`);
      // (inlining maps parameters to fresh number locals: not a typed array's, a DataView's or an object's values)
      // (inlining binds the call's arguments to the parameters: not those taken from around it)
      const numbers = target === f.cand && !f.cand.implicit && this.paramTys(f.cand).every((t) => t === "number");
      if (numbers && f.inlined < inlineLevels(f.cand)) return this.inlineSelf(f, e);
      const base = numbers && !f.int && inlineLevels(f.cand) > 0 ? baseCase(f.cand) : undefined;
      if (base) return this.guardedSelf(f, e, base);
      if (target !== f.cand && !target.implicit && isLeaf(target) && this.paramTys(target).every((t) => t === "number")) return this.inlineSelf(f, e, target);
      // int32 pays in loops (a self tail call is one), not around calls: fib(35) built was ~35% slower
      // with it (its overflow checks, off the critical path in a loop, are on it here); with
      // constant operands checked by one comparison and base cases inlined, still no faster
      if (f.int) throw new Reject("calls a function (no int32 form)");
      this.args(f, e, target);
      const depth = f.slots;
      c.push({ op: "local.get", local: depth }, { op: "i32.const", value: 1 + f.inlined }, { op: "i32.add" }, { op: "call", func: target.id });
      // the callee ran out of depth: unwind at once
      c.push({ op: "global.get", global: OVERFLOW }, { op: "if" });
      this.returnZero(f);
      c.push({ op: "end" });
      return this.callValue(target, statement);
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
      if (this.patchedMath.has(m) || this.patchedMath.has("*")) throw new Reject(`calls Math.${m}, which the program may replace`);
      if (!(m in MATH_UNARY) && m !== "min" && m !== "max" && m !== "pow") throw new Reject(`calls Math.${m}`);
      if (f.int) return this.intMath(f, m, e.arguments as N[]);
      const args = e.arguments as N[];
      const arg = (a: N) => {
        if (a.type === "SpreadElement") throw new Reject("spreads arguments");
        if (this.expr(f, a) !== "number") throw new Reject(`passes a boolean to Math.${m}`);
      };
      if (m in MATH_UNARY) {
        if (args.length < 1) throw new Reject(`calls Math.${m} without an argument`);
        args.forEach((a, i) => (arg(a), i > 0 && c.push({ op: "drop" })));
        c.push(MATH_UNARY[m]!);
      } else if (m === "pow") {
        if (args.length < 2) throw new Reject("calls Math.pow with fewer than two arguments");
        args.forEach((a, i) => (arg(a), i > 1 && c.push({ op: "drop" })));
        c.push({ op: "call", func: HELPER.pow });
      } else if (args.length === 0) {
        c.push({ op: "f64.const", value: m === "min" ? Infinity : -Infinity });
      } else {
        // wasm's f64.min/max are JS's Math.min/max: NaN wins, -0 < +0
        args.forEach((a, i) => (arg(a), i > 0 && c.push({ op: m === "min" ? "f64.min" : "f64.max" })));
      }
      return "number";
    }
    if (callee.type === "MemberExpression" && !callee.computed && callee.object.type === "Identifier" && this.lookup(f, callee.object.name)?.ty === "view") {
      return this.viewCall(f, this.lookup(f, callee.object.name)!.local, callee.property.name, e.arguments as N[], statement);
    }
    if (callee.type === "MemberExpression" && !callee.computed && !callee.optional && this.isObjectParam(f, callee.object)) {
      return this.methodCall(f, this.lookup(f, callee.object.name)!.local, callee.property, e.arguments as N[], statement);
    }
    throw new Reject("calls a method or a computed function");
  }

  // -- objects (objects.ts): reads, literals, strings, method calls

  private isObjectParam(f: FnScope, e: N): boolean {
    return e.type === "Identifier" && this.lookup(f, e.name)?.ty === "value";
  }

  /** An object parameter, or a chain of plain property reads from one (`o.a.b`'s `o.a`). */
  private isObjectPath(f: FnScope, e: N): boolean {
    return this.isObjectParam(f, e) || (e.type === "MemberExpression" && !e.computed && !e.optional && e.property.type === "Identifier" && this.isObjectPath(f, e.object));
  }

  /** `o.x` or `o.a.x` from an object parameter, as a number (objects.ts readHelper; it may fall back, DEOPT). */
  private read(f: FnScope, e: N): Ty {
    if (f.int) throw new Reject("reads a property (no int32 form)");
    if (e.property.type !== "Identifier") throw new Reject("reads a private field");
    f.numericReads ??= numericReads(f.cand.node);
    f.reads++;
    f.cand.objectOps!.add(`reads ${pathOf(e)}`);
    const element = e.object.type === "Identifier" && this.lookup(f, e.object.name)?.element;
    const from = this.readValue(f, e.object);
    const outer = f.code;
    if (element) f.code = [];
    f.code.push({ op: "local.get", local: from }, ...atom(e.property.name), { op: "i32.const", value: f.numericReads.has(e) ? 1 : 0 }, { op: "call", func: READ_HELPER });
    this.unwindIfSet(f);
    if (element) {
      const slow = f.code;
      f.code = outer;
      const [shape, slot, p, i, n, base] = [0, 0, 0, 0, 0, 0].map(() => this.newLocal(f, "i32")) as [number, number, number, number, number, number];
      f.code.push(...cachedRead(from, atom(e.property.name), slow, { shape, slot, p, i, n, base, v: this.newLocal(f, "i64"), r: this.newLocal(f, "f64") }));
    }
    if (f.temps[f.temps.length - 1] === from) {
      const x = this.newLocal(f, "f64");
      f.code.push({ op: "local.set", local: x });
      this.releaseTemp(f, from);
      f.code.push({ op: "global.get", global: CTX }, { op: "local.get", local: from }, { op: "call", func: "JS_FreeValue" }, { op: "local.get", local: x });
    }
    return "number";
  }

  /** The local holding an object path's value: the parameter itself, or a new temporary (o.a). */
  private readValue(f: FnScope, e: N): number {
    if (this.isObjectParam(f, e)) return this.lookup(f, e.name)!.local;
    const from = this.readValue(f, e.object);
    const v = this.newLocal(f, "i64");
    f.code.push({ op: "local.get", local: from }, ...atom(e.property.name), { op: "i32.const", value: 0 }, { op: "call", func: READ_VALUE_HELPER }, { op: "local.set", local: v });
    this.unwindIfSet(f); // (nothing new to free: a read that falls back or throws gives no value)
    if (f.temps[f.temps.length - 1] === from) {
      this.releaseTemp(f, from);
      f.code.push({ op: "global.get", global: CTX }, { op: "local.get", local: from }, { op: "call", func: "JS_FreeValue" });
    }
    f.temps.push(v);
    return v;
  }

  /** After a call that may set OVERFLOW (a depth, an exception, a fallback): unwind when it did. */
  private unwindIfSet(f: FnScope): void {
    f.code.push({ op: "global.get", global: OVERFLOW }, { op: "if" });
    this.returnZero(f);
    f.code.push({ op: "end" });
  }

  /**
   * After a read made ahead of the code that JS would have run first (hoistReads): unwind when
   * it fell back, and fall back when it threw (a module namespace's binding before its
   * initialisation), so that the JS throws where its own read is, after what comes before it.
   */
  private fallBackIfSet(f: FnScope): void {
    const ctx: Instr = { op: "global.get", global: CTX };
    f.code.push({ op: "global.get", global: OVERFLOW }, { op: "i32.const", value: THROWN }, { op: "i32.eq" }, { op: "if" });
    f.code.push(ctx, ctx, { op: "call", func: "JS_GetException" }, { op: "call", func: "JS_FreeValue" }, { op: "i32.const", value: DEOPT }, { op: "global.set", global: OVERFLOW }, { op: "end" });
    this.unwindIfSet(f);
  }

  /** The engine threw (the i64 result on the stack is JS_EXCEPTION): unwind, the exception is pending. */
  private unwindIfException(f: FnScope): void {
    f.code.push(...TAG_OF, { op: "i32.const", value: TAG.exception }, { op: "i32.eq" }, { op: "if" });
    f.code.push({ op: "i32.const", value: THROWN }, { op: "global.set", global: OVERFLOW });
    this.returnZero(f);
    f.code.push({ op: "end" });
  }

  /**
   * `o.x = v` on an object parameter: JS_SetProperty, as the interpreter's strict-mode assignment
   * (a built app's code is strict: build/script.ts), setters and proxies included; any JS may run.
   * `o.x += v` and `o.x++` would read it too, where a value that is no number has no exact path
   * after JS ran: refused.
   */
  private write(f: FnScope, target: N, e: N): void {
    if (f.int) throw new Reject("assigns to a property (no int32 form)");
    if (e.type !== "AssignmentExpression" || e.operator !== "=") throw new Reject("updates a property in place (o.x += v, o.x++)");
    if (target.property.type !== "Identifier") throw new Reject("assigns to a private field");
    const v = this.valueExpr(f, e.right);
    this.releaseTemp(f, v); // JS_SetProperty takes it, even when it fails
    f.code.push({ op: "global.get", global: CTX }, { op: "local.get", local: this.lookup(f, target.object.name)!.local }, ...atom(target.property.name), { op: "local.get", local: v }, { op: "call", func: "JS_SetProperty" });
    f.code.push({ op: "i32.const", value: 0 }, { op: "i32.lt_s" }, { op: "if" }, { op: "i32.const", value: THROWN }, { op: "global.set", global: OVERFLOW });
    this.returnZero(f);
    f.code.push({ op: "end" });
    f.calls++;
    f.cand.objectOps!.add(`writes ${target.object.name}.${target.property.name}`);
  }

  /** The i64 on the stack becomes a temporary: an owned JSValue the unwinding code frees. */
  private holdTemp(f: FnScope): number {
    const t = this.newLocal(f, "i64");
    f.code.push({ op: "local.set", local: t });
    f.temps.push(t);
    return t;
  }

  /** Hands the newest temporary to whoever consumes or frees it next. */
  private releaseTemp(f: FnScope, t: number): void {
    if (f.temps.pop() !== t) throw new Error("freezer: temporaries out of order");
  }

  /**
   * `e` as an owned JSValue in a new temporary: an object literal, a string, string + number,
   * a number or a boolean (boxed), an object parameter (a new reference).
   */
  private valueExpr(f: FnScope, e: N): number {
    const c = f.code;
    if (e.type === "ObjectExpression") return this.objectLiteral(f, e);
    if (e.type === "Literal" && typeof e.value === "string") {
      c.push({ op: "global.get", global: CTX }, ...keptString(e.value), { op: "call", func: "JS_DupValue" });
      return this.holdTemp(f);
    }
    if (e.type === "BinaryExpression" && e.operator === "+" && [e.left, e.right].some((x: N) => x.type === "Literal" && typeof x.value === "string")) return this.concat(f, e);
    if (this.isObjectParam(f, e)) {
      c.push({ op: "global.get", global: CTX }, { op: "local.get", local: this.lookup(f, e.name)!.local }, { op: "call", func: "JS_DupValue" });
      return this.holdTemp(f);
    }
    const ty = this.expr(f, e);
    if (ty === "number") this.boxNumber(f);
    else if (ty === "boolean") c.push({ op: "i64.extend_i32_u" }, ...mkval(TAG.bool), { op: "i64.or" });
    else throw new Reject(`uses a ${ty} as a value`);
    return this.holdTemp(f);
  }

  /** The f64 on the stack -> a JSValue, as QuickJS boxes numbers (no reference to free). */
  private boxNumber(f: FnScope): void {
    const x = this.newLocal(f, "f64");
    f.code.push({ op: "local.set", local: x }, { op: "global.get", global: CTX }, { op: "local.get", local: x }, { op: "call", func: "JS_NewNumber" });
  }

  /** `{ a: x, b: "s" }`, fixed keys: a new object, then each field defined in order, as the interpreter does. */
  private objectLiteral(f: FnScope, e: N): number {
    const keys = new Set<string>();
    for (const p of e.properties as N[]) {
      if (p.type !== "Property" || p.kind !== "init" || p.method || p.computed) throw new Reject("creates an object with spread, methods, accessors or computed keys");
      const key = p.key.type === "Identifier" ? p.key.name : typeof p.key.value === "string" ? p.key.value : undefined;
      if (key === undefined) throw new Reject("creates an object with a number key");
      if (key === "__proto__") throw new Reject("creates an object with __proto__");
      if (keys.has(key)) throw new Reject(`creates an object that repeats the key '${key}'`);
      keys.add(key);
    }
    if (f.int) throw new Reject("creates an object (no int32 form)");
    const c = f.code;
    const obj = this.newLocal(f, "i64");
    c.push({ op: "global.get", global: CTX }, { op: "call", func: "JS_NewObject" }, { op: "local.tee", local: obj });
    this.unwindIfException(f);
    f.temps.push(obj);
    for (const p of e.properties as N[]) {
      const v = this.valueExpr(f, p.value);
      this.releaseTemp(f, v); // JS_DefinePropertyValue takes it, even when it fails
      c.push({ op: "global.get", global: CTX }, { op: "local.get", local: obj }, ...atom(p.key.type === "Identifier" ? p.key.name : p.key.value), { op: "local.get", local: v }, { op: "i32.const", value: FIELD_FLAGS }, { op: "call", func: "JS_DefinePropertyValue" });
      c.push({ op: "i32.const", value: 0 }, { op: "i32.lt_s" }, { op: "if" }, { op: "i32.const", value: THROWN }, { op: "global.set", global: OVERFLOW });
      this.returnZero(f);
      c.push({ op: "end" });
    }
    f.cand.objectOps!.add("creates object literals");
    return obj;
  }

  /** "s" + n or n + "s" for a number n: String.prototype.concat as it was at init (objects.ts keptConcat), exactly JS's + there. */
  private concat(f: FnScope, e: N): number {
    if (f.int) throw new Reject("uses a string (no int32 form)");
    const c = f.code;
    const lit = (x: N) => x.type === "Literal" && typeof x.value === "string";
    if (lit(e.left) && lit(e.right)) throw new Reject("adds two strings");
    const first = lit(e.left);
    const num = first ? e.right : e.left;
    const text: string = first ? e.left.value : e.right.value;
    if (this.expr(f, num) !== "number") throw new Reject("adds a string and a boolean");
    const x = this.newLocal(f, "f64");
    c.push({ op: "local.set", local: x });
    const r = this.newLocal(f, "i64");
    const utf8 = new TextEncoder().encode(text);
    const direct = utf8.length <= 32 && !/[\uD800-\uDFFF]/.test(text); // (no surrogate, which UTF-8 cannot carry alone)
    if (direct) {
      // an int32 (not -0): its digits and the literal's bytes in one buffer on the C stack, one string
      const buf = this.newLocal(f, "i32");
      const start = this.newLocal(f, "i32");
      const size = 48 + ((utf8.length + 15) & ~15);
      const get = (local: number): Instr => ({ op: "local.get", local });
      c.push(get(x), { op: "call", func: HELPER.isInt32 }, { op: "if", result: "i64" });
      c.push({ op: "global.get", global: "__stack_pointer" }, { op: "i32.const", value: size }, { op: "i32.sub" }, { op: "local.tee", local: buf }, { op: "global.set", global: "__stack_pointer" });
      // digits end at the buffer's end ("s" + n), or where the literal starts (n + "s")
      c.push(get(buf), { op: "i32.const", value: size - (first ? 0 : utf8.length) }, { op: "i32.add" }, get(x), { op: "call", func: ITOA_HELPER }, { op: "local.set", local: start });
      if (first) c.push(get(start), { op: "i32.const", value: utf8.length }, { op: "i32.sub" }, { op: "local.set", local: start });
      utf8.forEach((byte, k) => c.push(first ? get(start) : get(buf), { op: "i32.const", value: byte }, { op: "i32.store8", offset: first ? k : size - utf8.length + k }));
      c.push({ op: "global.get", global: CTX }, get(start), get(buf), { op: "i32.const", value: size }, { op: "i32.add" }, get(start), { op: "i32.sub" }, { op: "call", func: "JS_NewStringLen" });
      c.push(get(buf), { op: "i32.const", value: size }, { op: "i32.add" }, { op: "global.set", global: "__stack_pointer" });
      c.push({ op: "else" });
    }
    const n = this.newLocal(f, "i64");
    c.push({ op: "local.get", local: x });
    this.boxNumber(f);
    c.push({ op: "local.set", local: n });
    const s = keptString(text);
    const [self, arg]: [Instr[], Instr[]] = lit(e.left) ? [s, [{ op: "local.get", local: n }]] : [[{ op: "local.get", local: n }], s];
    const argv = this.newLocal(f, "i32");
    this.pushArgs(f, argv, [arg]);
    c.push({ op: "global.get", global: CTX }, ...keptConcat(), ...self, { op: "i32.const", value: 1 }, { op: "local.get", local: argv }, { op: "call", func: "JS_Call" });
    const res = this.newLocal(f, "i64");
    c.push({ op: "local.set", local: res });
    this.popArgs(f, argv, 1);
    c.push({ op: "local.get", local: res });
    if (direct) c.push({ op: "end" });
    c.push({ op: "local.tee", local: r });
    this.unwindIfException(f);
    f.cand.objectOps!.add("adds strings and numbers");
    c.push({ op: "local.get", local: r });
    return this.holdTemp(f);
  }

  /** argv for a call, on the C stack (__stack_pointer): the engine may call back into compiled code while it reads them. */
  private pushArgs(f: FnScope, argv: number, values: Instr[][]): void {
    const size = (8 * values.length + 15) & ~15;
    f.code.push({ op: "global.get", global: "__stack_pointer" }, { op: "i32.const", value: size }, { op: "i32.sub" }, { op: "local.tee", local: argv }, { op: "global.set", global: "__stack_pointer" });
    values.forEach((v, i) => f.code.push({ op: "local.get", local: argv }, ...v, { op: "i64.store", offset: 8 * i }));
  }

  private popArgs(f: FnScope, argv: number, n: number): void {
    f.code.push({ op: "local.get", local: argv }, { op: "i32.const", value: (8 * n + 15) & ~15 }, { op: "i32.add" }, { op: "global.set", global: "__stack_pointer" });
  }

  /**
   * `o.m(a, b)` on an object parameter: JS_Invoke, which looks the method up and calls it as the
   * interpreter's o.m(...) does; any JS may run inside. Its value is dropped (a statement only).
   */
  private methodCall(f: FnScope, recv: number, property: N, args: N[], statement: boolean): Ty {
    if (f.int) throw new Reject("calls a method (no int32 form)");
    if (!statement) throw new Reject("uses the value of a method call");
    if (property.type !== "Identifier") throw new Reject("calls a private method");
    if (args.some((a) => a.type === "SpreadElement")) throw new Reject("spreads arguments");
    const c = f.code;
    const values = args.map((a) => this.valueExpr(f, a));
    const argv = this.newLocal(f, "i32");
    const r = this.newLocal(f, "i64");
    this.pushArgs(f, argv, values.map((v) => [{ op: "local.get", local: v }]));
    c.push({ op: "global.get", global: CTX }, { op: "local.get", local: recv }, ...atom(property.name), { op: "i32.const", value: values.length }, { op: "local.get", local: argv }, { op: "call", func: "JS_Invoke" }, { op: "local.set", local: r });
    this.popArgs(f, argv, values.length);
    for (const v of values.reverse()) {
      this.releaseTemp(f, v);
      c.push({ op: "global.get", global: CTX }, { op: "local.get", local: v }, { op: "call", func: "JS_FreeValue" });
    }
    c.push({ op: "local.get", local: r });
    this.unwindIfException(f);
    c.push({ op: "global.get", global: CTX }, { op: "local.get", local: r }, { op: "call", func: "JS_FreeValue" });
    f.calls++;
    f.cand.objectOps!.add(`calls ${this.nameOf(f, recv)}.${property.name}`);
    return c.push({ op: "f64.const", value: 0 }), "number";
  }

  private nameOf(f: FnScope, local: number): string {
    return f.cand.params.find((p) => this.lookup(f, p)?.local === local) ?? "?";
  }

  /**
   * What may not meet in one compiled function or loop. A read that falls back re-runs the
   * call as JS from its start: nothing observable may have happened before it (no method
   * call, no typed-array or DataView write). A method call runs JS, which could detach a
   * typed array under compiled code. (Other frozen functions it calls take no objects:
   * args() refuses to pass one, so none of them reads or calls a method.) Reads and arrays
   * meet only where nothing else happens (no element store, no call but Math's): a read that
   * falls back then repeats nothing. (Reads made at the start, hoistReads, are not counted
   * here: they come before any effect, in code that calls nothing and writes no property.)
   */
  private checkObjects(f: FnScope): void {
    if (f.reads && f.calls) throw new Reject("both reads properties and calls methods or writes properties (a read that falls back to the interpreter would repeat them)");
    const readsAlone = !f.calls && !f.cand.views?.size && !someNode(f.cand.node.body, storesMember) && !callsBeyondMath(f.cand.node.body);
    const arrays = f.cand.arrays?.size || f.cand.views?.size || [...f.hoisted.values()].some((b) => b.ty === "array");
    if ((f.reads || f.calls) && arrays && !readsAlone) throw new Reject("works on objects and on typed arrays or DataViews together");
  }

  /**
   * view.getUint32(offset, littleEndian), view.setInt8(offset, value), ...: DataView's own
   * method (the wrapper checked that the view has it) called through the engine. Its
   * exceptions (a range error, a detached buffer) unwind the frozen stack (THROWN) and the
   * wrapper hands them to JS. It runs no JS, so typed arrays stay where they were.
   */
  private viewCall(f: FnScope, view: number, method: string, args: N[], statement = false): Ty {
    if (f.int) throw new Reject("calls a DataView method (no int32 form)");
    if (!DATAVIEW_METHODS.includes(method)) throw new Reject(`calls ${method} on a DataView`);
    const c = f.code;
    if (args.some((a) => a.type === "SpreadElement")) throw new Reject("spreads arguments");
    // every argument first (one may be another call), then into the call's argument area
    const values = args.map((a) => {
      const ty = this.expr(f, a);
      const local = this.newLocal(f, ty === "number" ? "f64" : "i32");
      c.push({ op: "local.set", local });
      return { ty, local };
    });
    if (values.length > 3) throw new Reject("passes a DataView method more than three arguments");
    // in place where the bytes are in the view (dataview.ts), through the engine otherwise
    const el = viewElement(method);
    const getter = method.startsWith("get");
    const needed = getter ? 1 : 2;
    const inPlace = el && values.length >= needed && values.slice(0, needed).every((v) => v.ty === "number");
    if (inPlace) {
      const le = args[needed];
      const little: boolean | Instr[] = !le ? false : le.type === "Literal" && typeof le.value === "boolean" ? le.value : values[needed]!.ty === "boolean" ? [{ op: "local.get", local: values[needed]!.local }] : [{ op: "local.get", local: values[needed]!.local }, { op: "f64.abs" }, { op: "f64.const", value: 0 }, { op: "f64.gt" }];
      const k = this.newLocal(f, "i32");
      this.open(f, { op: "block", result: "f64" });
      c.push(...viewFits(values[0]!.local, view + 2, k, el.size), { op: "if" });
      if (getter) c.push(...viewGet(method, view + 1, k, little));
      else c.push(...viewSet(method, view + 1, k, values[1]!.local, this.newLocal(f, "i32"), this.newLocal(f, "i64"), little), { op: "f64.const", value: 0 });
      c.push({ op: "br", depth: 1 }, { op: "end" });
    }
    values.forEach(({ ty, local }, i) => {
      c.push({ op: "global.get", global: "__memory_base" });
      // a number as QuickJS's JS_NewNumber boxes it; a boolean is JS_MKVAL(JS_TAG_BOOL, b)
      if (ty === "number") c.push({ op: "global.get", global: CTX }, { op: "local.get", local }, { op: "call", func: "JS_NewNumber" });
      else c.push({ op: "local.get", local }, { op: "i64.extend_i32_u" }, ...mkval(TAG.bool), { op: "i64.or" });
      c.push({ op: "i64.store", offset: STATIC.callArgs + 8 * i });
    });
    const r = this.newLocal(f, "i64");
    c.push({ op: "global.get", global: CTX }, { op: "global.get", global: "__memory_base" }, { op: "i64.load", offset: STATIC.dataView + 8 * DATAVIEW_METHODS.indexOf(method) });
    c.push({ op: "local.get", local: view }, { op: "i32.const", value: values.length }, { op: "global.get", global: "__memory_base" }, { op: "i32.const", value: STATIC.callArgs }, { op: "i32.add" });
    c.push({ op: "call", func: "JS_Call" }, { op: "local.tee", local: r });
    const tag = (): Instr[] => [{ op: "local.get", local: r }, ...TAG_OF];
    this.unwindIfException(f);
    if (method.startsWith("set")) {
      // undefined, which only a statement may drop (see effect)
      if (!statement) throw new Reject(`uses the value of ${method} (undefined)`);
      c.push({ op: "f64.const", value: 0 });
    } else {
      // the methods return an int (tag 0) or a float64 (JS_ToFloat64 reads it as QuickJS boxed it)
      c.push(...tag(), { op: "i32.eqz" }, { op: "if", result: "f64" }, { op: "local.get", local: r }, { op: "i32.wrap_i64" }, { op: "f64.convert_i32_s" }, { op: "else" });
      c.push({ op: "global.get", global: CTX }, { op: "global.get", global: "__memory_base" }, { op: "i32.const", value: STATIC.callArgs }, { op: "i32.add" }, { op: "local.get", local: r }, { op: "call", func: "JS_ToFloat64" }, { op: "drop" });
      c.push({ op: "global.get", global: "__memory_base" }, { op: "f64.load", offset: STATIC.callArgs }, { op: "end" });
    }
    if (inPlace) this.close(f);
    return "number";
  }
}

/** `o.a.b` as written, for --explain. */
const pathOf = (e: N): string => (e.type === "Identifier" ? e.name : `${pathOf(e.object)}.${e.property.name}`);

/**
 * A first guess of a function's return type from the shape of its return
 * expressions (calls are unknown yet), so that mutual recursion between
 * boolean functions (isEven/isOdd) starts from the right assumption.
 */
export function guessReturn(fn: N): RetTy {
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
  // (an arrow's expression body is its value)
  let value = fn.body?.type !== "BlockStatement";
  const walk = (n: N): void => {
    if (found) return;
    if (n.type === "ReturnStatement" && n.argument) (value = true), (found = classify(n.argument));
    if (n !== fn && isFunction(n)) return;
    children(n).forEach(walk);
  };
  walk(fn);
  return found ?? (value ? "number" : "void");
}

/**
 * A function whose body is one `return <expression>` calling nothing but Math's functions
 * (rotr(x, n) = x >>> n | x << 32 - n): inlined where frozen code calls it, as a self call
 * is (a call costs more than such a body: SHA-256's round loop ran ~30% of its time in rotr).
 */
function isLeaf(c: Candidate): boolean {
  const body = bodyStatements(c.node);
  if (body.length !== 1 || body[0]!.type !== "ReturnStatement" || !body[0]!.argument || c.params.some((p) => !p)) return false;
  // (inlined with its parameters bound to the caller's values: it may assign none)
  return !callsBeyondMath(body[0]!.argument) && !assignsAny(body[0]!.argument);
}

/**
 * How many levels of self calls to inline: a function whose body is one
 * `return <expression>` (fib's shape) inlines three times when that expression
 * calls itself at most twice (16 calls where there were 2, each behind its
 * base case: fib(35) built ~24.5 ms with two levels, ~23.4 with three, at
 * ~1.2x the wasm), else once.
 */
function inlineLevels(c: Candidate): number {
  const calls = selfCalls(c);
  return calls === undefined ? 0 : calls <= 2 ? 3 : 1;
}

const isSelfCall = (c: Candidate, n: N): boolean => n.type === "CallExpression" && n.callee.type === "Identifier" && n.callee.name === c.name;

/** How many self calls the expression of a one-expression function (its body one `return <expression>`) makes; undefined for any other body. */
function selfCalls(c: Candidate): number | undefined {
  const body = bodyStatements(c.node);
  // (an assignment in it would make its base case, evaluated again by the callee, not the same)
  if (body.length !== 1 || body[0]!.type !== "ReturnStatement" || !body[0]!.argument || assignsAny(body[0]!.argument)) return undefined;
  let calls = 0;
  const walk = (n: N): void => {
    if (isSelfCall(c, n)) calls++;
    children(n).forEach(walk);
  };
  walk(body[0]!.argument);
  return calls;
}

/**
 * The int32 variant's accumulators: parameters never assigned, read only where returned,
 * that every self call (all tail calls there) passes on as `p`, `p + e`, `e + p` or `p - e`,
 * with e using no accumulator, and at least one call changes. Held as i64, added to without
 * overflow checks (wideArgs); where returned, checked to be an int32 (narrow).
 */
function wideParams(c: Candidate): Set<string> {
  if (c.loop) return new Set();
  const calls: N[] = [];
  const assigned = new Set<string>();
  const walk = (n: N): void => {
    if (isSelfCall(c, n)) calls.push(n);
    if (n.type === "AssignmentExpression" && n.left.type === "Identifier") assigned.add(n.left.name);
    if (n.type === "UpdateExpression" && n.argument.type === "Identifier") assigned.add(n.argument.name);
    if (n.type === "VariableDeclarator" && n.id.type === "Identifier") assigned.add(n.id.name); // (a shadowing declaration)
    children(n).forEach(walk);
  };
  walk(c.node.body);
  // read only where it is returned, and in its own updates: an accumulator, not a counter the
  // loop tests every trip (each read elsewhere checks that it is an int32)
  const allowed = new Set<N>();
  const returned = (e: N | undefined): void => {
    if (e?.type === "ConditionalExpression") (returned(e.consequent), returned(e.alternate));
    else if (e?.type === "Identifier") allowed.add(e);
  };
  const stray = new Set<string>();
  const reads = (n: N): void => {
    if (n.type === "ReturnStatement") returned(n.argument);
    if (n.type === "CallExpression" && calls.includes(n)) {
      (n.arguments as N[]).forEach((a, i) => {
        if (a.type === "Identifier" && a.name === c.params[i]) allowed.add(a);
        if (a.type === "BinaryExpression") for (const x of [a.left, a.right]) if (x.type === "Identifier" && x.name === c.params[i]) allowed.add(x);
      });
    }
    if (n.type === "Identifier" && !allowed.has(n)) stray.add(n.name);
    children(n).forEach(reads);
  };
  reads(c.node.body);
  const wide = new Set(c.params.filter((p) => p && !assigned.has(p) && !stray.has(p) && c.params.indexOf(p) === c.params.lastIndexOf(p)));
  const shape = (a: N | undefined, p: string): "same" | "update" | undefined => {
    if (!a) return undefined;
    if (a.type === "Identifier" && a.name === p) return "same";
    if (a.type !== "BinaryExpression" || (a.operator !== "+" && a.operator !== "-")) return undefined;
    const isP = (x: N) => x.type === "Identifier" && x.name === p;
    const e = isP(a.left) ? a.right : a.operator === "+" && isP(a.right) ? a.left : undefined;
    return e && !someNode(e, (x) => x.type === "Identifier" && wide.has(x.name)) && !(e.type === "Literal" && typeof e.value === "string") ? "update" : undefined;
  };
  for (let changed = true; changed; ) {
    changed = false;
    for (const p of wide) {
      const i = c.params.indexOf(p);
      const shapes = calls.map((call) => shape(call.arguments[i], p));
      if (!calls.length || shapes.includes(undefined) || !shapes.includes("update")) (wide.delete(p), (changed = true));
    }
  }
  return wide;
}

/**
 * How many times the int32 variant of a one-expression function inlines its body at its self
 * tail call: one trip round the loop then runs four iterations, with one depth check and one
 * branch back (the frames between go unchecked: at most 3 beyond MAX_DEPTH). With its
 * accumulator unchecked, the tail-recursive sum went from ~5.8 to ~4.3 ms (without, no gain:
 * its overflow checks were the cost).
 */
function unrollLevels(c: Candidate): number {
  if (c.arrays?.size || c.views?.size || c.objects?.size || c.loop) return 0;
  return selfCalls(c) === 1 ? 3 : 0;
}

/** A one-expression function's `test ? base : ...` (or `test ? ... : base`) where neither test nor base calls the function itself. */
function baseCase(c: Candidate): { test: N; leaf: N; leafFirst: boolean } | undefined {
  const e = bodyStatements(c.node)[0]?.argument;
  if (e?.type !== "ConditionalExpression") return undefined;
  const callsSelf = (n: N) => someNode(n, (x) => isSelfCall(c, x));
  if (callsSelf(e.test)) return undefined;
  if (!callsSelf(e.consequent)) return { test: e.test, leaf: e.consequent, leafFirst: true };
  if (!callsSelf(e.alternate)) return { test: e.test, leaf: e.alternate, leafFirst: false };
  return undefined;
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
  // (a labelled break inside a loop within may leave this one too)
  if (["WhileStatement", "ForStatement", "DoWhileStatement", "SwitchStatement"].includes(s.type)) return someNode(s, (n) => n.type === "BreakStatement" && !!n.label);
  if (["FunctionDeclaration", "FunctionExpression", "ArrowFunctionExpression"].includes(s.type)) return false;
  for (const k of Object.keys(s)) {
    const v = s[k];
    if (Array.isArray(v) ? v.some((x) => breaksOut(x)) : v && typeof v.type === "string" && breaksOut(v)) return true;
  }
  return false;
}

