// Stage 3: freeze pure numeric functions to WebAssembly. Works on the bundle's syntax
// tree (acorn, an ESTree parser): it is independent of the exact QuickJS
// build, whose opcode numbering is not a stable interface, and sees the
// program as written (names, scopes, types of literals).
//
// Each frozen function keeps its JS body, behind a guard:
//
//   function fib(n) { if (__eb_frozen.on && typeof n === "number") return __eb_fz_fib_0(n); ...its JS... }
//
// so any call with a non-number (or missing) argument runs the interpreter,
// and frozen code only ever sees numbers, where its results are the interpreter's.
// Where frozen code calls Math's functions, the guard also checks that they are
// still the ones it was built with.

import { parse } from "acorn";
import { UserError } from "../errors.ts";
import { arraysNote, markIterated, markPlainArrays } from "./arrays.ts";
import { FunctionCompiler, guessReturn, outputsInArray, Reject, type Candidate, type Frozen, type RetTy } from "./analyze.ts";
import { children, isLoop, someNode, type N } from "./ast.ts";
import { emitModule, FROZEN_GLOBAL } from "./emit.ts";
import { compileLoops, type CompiledLoop, type RefusedLoop } from "./loops.ts";
import { arrayNames, throughEngine } from "./typed.ts";
import { objectsHow, RUNS_JS_HOLDING, runsJs } from "./objects.ts";
import { implicitReads, returnedParam } from "./outer.ts";
import { analyzeScopes, lookupFrom, mayChange, sameBinding } from "./scopes.ts";

export interface FreezeResult {
  /** The bundle with guards and the prologue that takes the frozen functions. */
  code: string;
  /** The side module (dylink.0), when anything was frozen. `frozen` lists what JS calls into. */
  wasm?: Uint8Array;
  /** Its frozen functions as text (--explain). */
  listing?: string;
  frozen: Frozen[];
  /** Per candidate: frozen and how (`how`), or why not (`reason`); `partly`: which of its loops are compiled. */
  explain: { name: string; where: string; frozen: boolean; reason?: string; how?: string; partly?: string }[];
  /** Loops compiled out of code that is not frozen (the top level, other functions). */
  loops: { where: string; within: string; how: string }[];
  /** The loops there that are not, and why. */
  refusedLoops: RefusedLoop[];
}

export function freeze(code: string): FreezeResult {
  let ast: N;
  try {
    ast = parse(code, { ecmaVersion: "latest", sourceType: "module", allowHashBang: true, locations: true }) as N;
  } catch (err) {
    throw new UserError("E_BUILD", `the bundle does not parse: ${(err as Error).message}`);
  }
  const lineStarts = [0];
  for (let i = 0; i < code.length; i++) if (code.charCodeAt(i) === 10) lineStarts.push(i + 1);
  const lineCol = (pos: number) => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid]! <= pos) lo = mid;
      else hi = mid - 1;
    }
    return `${lo + 1}:${pos - lineStarts[lo]! + 1}`;
  };
  const scopes = analyzeScopes(ast, lineCol);
  const reasons = new Map<Candidate, string>();
  for (const c of scopes.candidates) if (scopes.assigned.has(c.name)) reasons.set(c, "is assigned to somewhere in the program");
  // what each takes from around it (outer.ts): variables it only reads, as its last parameters
  // (none under `with`, whose object's getters a guard's read would run)
  const withStatement = someNode(ast, (n) => n.type === "WithStatement");
  for (const c of scopes.candidates) {
    const implicit = withStatement ? [] : implicitReads(c.node, (name) => lookupFrom(scopes, c, name) === "other");
    if (implicit.length) (c.implicit = implicit), (c.params = [...c.params, ...implicit]);
    // (a number parameter returned is a number result as it is)
    const back = returnedParam(c.node);
    if (back && arrayNames(c.node.body, [back]).has(back)) c.returnsParam = back;
  }

  // (the same variable from around two functions: one hands it to the other, outer.ts)
  const sameVariable = (name: string, a: Candidate, b: Candidate) => sameBinding(scopes.scopeOf.get(a), scopes.scopeOf.get(b), name);
  // (whether JS may change a variable from around a candidate: the same every round)
  const holdsChanging = new Map(scopes.candidates.map((c) => [c, c.implicit?.some((name) => mayChange(scopes, scopes.scopeOf.get(c), name)) ?? false]));
  // Freeze optimistically, then drop what fails and what calls it, until nothing changes.
  const retTy = new Map<Candidate, RetTy>(scopes.candidates.map((c) => [c, c.returnsParam ? "void" : guessReturn(c.node)]));
  let frozen: Frozen[] = [];
  for (let round = 0; round < 50; round++) {
    const live = new Set(scopes.candidates.filter((c) => !reasons.has(c)));
    const resolve = (name: string, from: Candidate): Candidate | "global" | string => {
      const b = lookupFrom(scopes, from, name);
      if (b === "global") return "global";
      if (b === "other") return "which is not a function it can freeze";
      return live.has(b) ? b : `which is not frozen (${reasons.get(b) ?? "?"})`;
    };
    const compiler = new FunctionCompiler(resolve, (c) => retTy.get(c) ?? "number", scopes.patchedMath, sameVariable);
    frozen = [];
    let changed = false;
    for (const c of live) {
      try {
        const f = compiler.compile(c);
        // compiled code that runs JS (a method call, a property write: objects.ts; a frozen callee
        // runs none, being handed no object) would keep using the values its guard read of
        // variables JS could change (as loops.ts refuses for a loop's)
        if (holdsChanging.get(c) && runsJs(c)) throw new Reject(RUNS_JS_HOLDING);
        frozen.push(f);
        if ((retTy.get(c) ?? "number") !== f.ret) {
          retTy.set(c, f.ret);
          changed = true;
        }
      } catch (err) {
        if (!(err instanceof Reject)) throw err;
        reasons.set(c, err.message);
        changed = true;
      }
    }
    if (!changed) break;
  }

  // Entered from JS only where it pays: a call from the interpreter into compiled code costs
  // more than a few operations (x * x, 1M calls: 600 ms frozen, 260 ms interpreted), so
  // functions that neither loop nor recurse nor do STRAIGHT_LINE_WORTH operations, nor call
  // one that does, are compiled only for the frozen functions that call them.
  const worth = worthEntering(frozen, (f, name) => lookupFrom(scopes, f.cand, name));
  for (const f of frozen) f.entry = worth.has(f);
  const entries = frozen.filter((f) => f.entry);
  // (one that takes an object is called by no frozen function: frozen code passes none, objects.ts)
  const unused = (f: Frozen) => !f.entry && f.paramTys.includes("value");
  for (const f of frozen) if (!f.entry) reasons.set(f.cand, `does too little to pay for a call into compiled code (no loop, no recursion, under ${STRAIGHT_LINE_WORTH} operations)` + (unused(f) ? "" : "; compiled for the frozen functions that call it"));
  // Loops elsewhere (the top level, functions that are not frozen), compiled on their own.
  const compiler = new FunctionCompiler(
    (name, from) => {
      const b = lookupFrom(scopes, from, name);
      return b === "global" ? "global" : b !== "other" && frozen.some((f) => f.cand === b) ? b : "which is not frozen";
    },
    (c) => retTy.get(c) ?? "number",
    scopes.patchedMath,
    sameVariable,
  );
  const refusedLoops: RefusedLoop[] = [];
  const loops = compileLoops(scopes, compiler, new Set(entries.map((f) => f.cand.node)), lineCol, refusedLoops);
  const compiled = [...frozen, ...loops.map((l) => l.frozen)];
  const frozenCallee = (f: Frozen, name: string) => {
    const b = lookupFrom(scopes, f.cand, name);
    return compiled.find((g) => g.cand === b);
  };
  markPlainArrays(compiled, frozenCallee);
  markIterated(compiled, frozenCallee);
  const returned = (c: Candidate) => (c.returnsParam ? `, returning its parameter ${c.returnsParam}` : ", no value returned (undefined)");
  const outer = (c: Candidate) => (c.implicit ? `; reads ${c.implicit.join(", ")} from around it, as they are at each call` : "");
  const how = new Map(entries.map((f) => [f.cand, (f.int ? "f64, and int32 while its values stay int32" : "f64") + (f.ret === "void" ? returned(f.cand) : "") + outer(f.cand) + throughEngine(f.cand) + arraysNote(f) + objectsHow(f.cand.objectOps)]));
  const byFn = new Map<unknown, CompiledLoop[]>();
  for (const l of loops) byFn.set(l.within, [...(byFn.get(l.within) ?? []), l]);
  const explain = scopes.candidates.map((c) => {
    const inside = byFn.get(c.node);
    const partly = inside && `partly: ${inside.length === 1 ? "its loop at" : "its loops at"} ${inside.map((l) => l.frozen.cand.where).join(", ")} compiled, the rest in the interpreter`;
    return { name: c.name, where: c.where, frozen: !reasons.has(c), reason: reasons.get(c), how: how.get(c), partly };
  });
  const loopList = loops.map((l) => ({ where: l.frozen.cand.where, within: l.withinName, how: l.how + arraysNote(l.frozen) }));
  if (entries.length === 0 && loops.length === 0) return { code, frozen: [], explain, loops: [], refusedLoops };

  // Math's functions compiled in are those of init: an entry checks that the program has not
  // replaced them (scopes.ts sees `Math.abs = ...`, not a Math reached another way, as
  // Reflect.get(globalThis, name) gives it)
  const math = [...new Set(compiled.flatMap((f) => mathCalls(f.cand.node)))].sort();
  const mathTest = math.length ? ["__eb_G.Math === __eb_M", ...math.map((m) => `__eb_M.${m} === __eb_M_${m}`)] : [];
  const guardTest = (f: Frozen) => [baseTest(f), ...mathTest].join(" && ");

  // Guards, from the end of the text backwards so offsets stay valid.
  const edits: { at: number; end: number; text: string }[] = entries.map((f) => {
    const params = f.cand.params;
    const call = `__eb_${f.cand.id}(${params.join(", ")})`;
    const bool = f.ret === "boolean" ? " !== 0" : "";
    // with typed arrays and DataViews the wrapper may decline (undefined: not one it takes), and
    // with objects compiled code may fall back (objects.ts); a function that returns no value
    // returns undefined after its compiled code ran, whose number says only that it did
    const declines = f.paramTys.some((t) => t === "array" || t === "view" || t === "value");
    // (a variable from around it may still be in its temporal dead zone: then the function runs as written)
    const implicit = f.cand.implicit ? ` var ${readsAround(f.cand.implicit)}` : "";
    const test = (implicit ? "__eb_t && " : "") + guardTest(f);
    const back = f.cand.returnsParam ? ` ${f.cand.returnsParam}` : "";
    const guard =
      implicit +
      (f.ret === "void"
        ? ` if (${test}${declines ? ` && ${call} !== void 0) return${back};` : `) { ${call}; return${back}; }`}`
        : declines
          ? ` var __eb_r; if (${test} && (__eb_r = ${call}) !== void 0) return __eb_r${bool};`
          : ` if (${test}) return ${call}${bool};`);
    const body = f.cand.node.body as N;
    if (body.type === "BlockStatement") {
      // after the directive prologue ("use strict" must stay first)
      const directives = (body.body as N[]).filter((st, i, all) => st.directive !== undefined && all.slice(0, i).every((d) => d.directive !== undefined));
      const at = directives.length ? directives[directives.length - 1]!.end : body.start + 1;
      return { at, end: at, text: guard };
    }
    // an arrow's expression body, parenthesised or not: everything after its =>
    const arrow = code.lastIndexOf("=>", body.start) + 2;
    return { at: arrow, end: f.cand.node.end, text: ` {${guard} return (${code.slice(arrow, f.cand.node.end)}); }` };
  });
  for (const l of loops) {
    const { cand } = l.frozen;
    const test = guardTest(l.frozen);
    const outs = cand.loop!.outputs;
    const array = outputsInArray(cand.loop!);
    // the variables' final values; a loop that threw hands back the exception after them
    // (undefined back: a variable the loop writes first that it never wrote, which keeps its value)
    const first = cand.loop!.firstWritten;
    const give = (o: string, v: string) => (first?.has(o) ? `if (${v} !== void 0) ${o} = ${v};` : `${o} = ${v};`);
    const back = !array ? (outs.length ? give(outs[0]!, "__eb_r") : "") : outs.map((o, i) => give(o, `__eb_r[${i}]`)).join(" ") + (cand.loop!.mayThrow ? ` if (__eb_r.length > ${outs.length}) throw __eb_r[${outs.length}];` : "");
    const node = l.node;
    // (a variable from around the loop may still be in its temporal dead zone, a let or const whose
    // declaration has not run: reading it throws, where the loop itself may never have read it; then
    // the loop runs as written)
    const read = cand.params.length ? `let ${readsAround(cand.params)} ` : "let __eb_t = 1; ";
    edits.push({
      at: node.start,
      end: node.end,
      text: `{ let __eb_r; ${read}if (__eb_t && ${test} && (__eb_r = __eb_${cand.id}(${cand.params.join(", ")})) !== void 0) { ${back} } else ${code.slice(node.start, node.end)} }`,
    });
  }
  edits.sort((a, b) => b.at - a.at);
  let out = code;
  for (const e of edits) out = out.slice(0, e.at) + e.text + out.slice(e.end);
  const all = [...entries, ...loops.map((l) => l.frozen)];
  const prologue =
    `var __eb_frozen = globalThis.${FROZEN_GLOBAL}; delete globalThis.${FROZEN_GLOBAL};` +
    all.map((f) => ` var __eb_${f.cand.id} = __eb_frozen.${f.cand.id};`).join("") +
    (math.length ? ` var __eb_G = globalThis, __eb_M = __eb_G.Math${math.map((m) => `, __eb_M_${m} = __eb_M.${m}`).join("")};` : "") +
    " "; // on the first line, so that the bundle's source map still holds
  const hashbang = out.startsWith("#!") ? out.indexOf("\n") + 1 : 0;
  out = out.slice(0, hashbang) + prologue + out.slice(hashbang);
  return { code: out, ...emitModule([...frozen.filter((f) => !unused(f)), ...loops.map((l) => l.frozen)]), frozen: all, explain, loops: loopList, refusedLoops };
}

/**
 * A guard's reads of variables from around compiled code, after `let` or `var`: __eb_t is 1 once
 * all are read, 0 where one is still in its temporal dead zone (a let or const whose declaration
 * has not run), where reading it throws and the code must run as written.
 */
const readsAround = (names: string[]) => `__eb_t = 0; if (__eb_frozen.on) try { __eb_t = (${names.join(", ")}, 1); } catch {}`;

/** The Math functions that `n` calls (Math.m(...)). */
function mathCalls(n: N): string[] {
  const out: string[] = [];
  const walk = (x: N): void => {
    const c = x.type === "CallExpression" ? x.callee : undefined;
    if (c?.type === "MemberExpression" && !c.computed && c.object.type === "Identifier" && c.object.name === "Math") out.push(c.property.name);
    children(x).forEach(walk);
  };
  walk(n);
  return out;
}

/** What JS tests before calling `f` compiled: frozen code is on and its number parameters are numbers. */
function baseTest(f: Frozen): string {
  const numbers = f.cand.params.filter((_, i) => f.paramTys[i] === "number");
  // (a compiled loop's variable that it writes before reading may be undefined: it gets NaN, never read)
  const first = f.cand.loop?.firstWritten;
  return ["__eb_frozen.on", ...numbers.map((p) => (first?.has(p) ? `(typeof ${p} === "number" || ${p} === void 0)` : `typeof ${p} === "number"`))].join(" && ");
}

/**
 * Operations (arithmetic, assignments, element accesses, calls) past which a function without
 * loops is worth a call into compiled code all the same: interpreted, that many cost several
 * µs (tweetnacl's field multiplication M, straight-line code of ~1,300), more than a wrapper's
 * checks of its arguments.
 */
const STRAIGHT_LINE_WORTH = 100;
const OPERATIONS = new Set(["BinaryExpression", "UnaryExpression", "AssignmentExpression", "UpdateExpression", "MemberExpression", "CallExpression", "LogicalExpression", "ConditionalExpression"]);

/** The frozen functions that loop, recurse (alone or with others), do much in straight-line code, or call one that does. */
function worthEntering(frozen: Frozen[], resolve: (f: Frozen, name: string) => unknown): Set<Frozen> {
  const byCand = new Map<unknown, Frozen>(frozen.map((f) => [f.cand, f]));
  const busy = new Set<Frozen>();
  const callees = new Map<Frozen, Frozen[]>();
  for (const f of frozen) {
    const calls: Frozen[] = [];
    let operations = 0;
    const walk = (n: N): void => {
      if (isLoop(n) || (OPERATIONS.has(n.type) && ++operations >= STRAIGHT_LINE_WORTH)) busy.add(f);
      if (n.type === "CallExpression" && n.callee.type === "Identifier") {
        const g = byCand.get(resolve(f, n.callee.name)); // (a call to anything else was not frozen)
        if (g) calls.push(g);
      }
      children(n).forEach(walk);
    };
    walk(f.cand.node.body);
    callees.set(f, calls);
  }
  const reaches = (from: Frozen, to: Frozen): boolean => {
    const seen = new Set<Frozen>();
    const todo = [...callees.get(from)!];
    while (todo.length) {
      const g = todo.pop()!;
      if (g === to) return true;
      if (!seen.has(g)) (seen.add(g), todo.push(...callees.get(g)!));
    }
    return false;
  };
  const worth = new Set(frozen.filter((f) => busy.has(f) || reaches(f, f)));
  for (let grew = true; grew; ) {
    grew = false;
    for (const f of frozen) if (!worth.has(f) && callees.get(f)!.some((g) => worth.has(g))) (worth.add(f), (grew = true));
  }
  return worth;
}
