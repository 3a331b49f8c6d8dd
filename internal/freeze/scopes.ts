// Just enough scope analysis for the freezer: which declaration a free name
// in a candidate function refers to, which names are ever assigned, and
// which Math members the program replaces.

import { isFunction, isLoop, someNode, type N } from "./ast.ts";
import type { Candidate } from "./analyze.ts";

export interface Scope {
  node: N;
  parent?: Scope;
  /** name -> the candidate declaring it, or "other" (any other binding). */
  names: Map<string, Candidate | "other">;
  /** Its const bindings. */
  consts?: Set<string>;
}

export interface ProgramScopes {
  candidates: Candidate[];
  /** The scope a candidate is declared in. */
  scopeOf: Map<Candidate, Scope>;
  assigned: Set<string>;
  /** It calls eval directly, which may assign any variable in reach without an assignment in the text. */
  directEval: boolean;
  patchedMath: Set<string>;
  /** Every loop (for, while, do-while, for-of; a labelled one with its label), with the scope it is in. */
  loops: { node: N; scope: Scope }[];
}

/** Names the global object goes by. */
const GLOBAL_NAMES = new Set(["globalThis", "window", "self", "global"]);

function bind(scope: Scope, name: string, what: Candidate | "other"): void {
  const prev = scope.names.get(name);
  // two declarations of one name: not a candidate any more
  scope.names.set(name, prev === undefined ? what : "other");
}

function patternNames(p: N, out: string[] = []): string[] {
  if (!p) return out;
  if (p.type === "Identifier") out.push(p.name);
  else if (p.type === "ObjectPattern") for (const q of p.properties) patternNames(q.type === "RestElement" ? q.argument : q.value, out);
  else if (p.type === "ArrayPattern") for (const q of p.elements) patternNames(q, out);
  else if (p.type === "AssignmentPattern") patternNames(p.left, out);
  else if (p.type === "RestElement") patternNames(p.argument, out);
  return out;
}

/** `f = (x) => ...` or `f = function (x) {...}` (anonymous: a named one's name is another binding). */
const functionInit = (d: N): N | undefined =>
  d.id.type === "Identifier" && (d.init?.type === "ArrowFunctionExpression" || (d.init?.type === "FunctionExpression" && !d.init.id)) ? d.init : undefined;

/**
 * var declarations anywhere in a function body (not in nested functions), and
 * function declarations inside its blocks, which also make a var binding in
 * sloppy code (Annex B). Those directly in the body are left to lexical().
 */
function hoisted(stmts: N[], scope: Scope, candidate: (scope: Scope, name: string, fn: N) => void): void {
  const walk = (node: N): void => {
    if (!node || typeof node !== "object") return;
    if (node.type === "VariableDeclaration" && node.kind === "var") {
      for (const d of node.declarations) for (const n of patternNames(d.id)) bind(scope, n, "other");
    }
    if (node.type === "FunctionDeclaration" && node.id) bind(scope, node.id.name, "other");
    if (isFunction(node)) return;
    for (const k of Object.keys(node)) {
      const v = node[k];
      if (Array.isArray(v)) for (const c of v) c && typeof c.type === "string" && walk(c);
      else if (v && typeof v.type === "string") walk(v);
    }
  };
  for (const st of stmts) {
    if (st.type === "FunctionDeclaration") continue;
    if (st.type === "VariableDeclaration" && st.kind === "var") {
      // var f = (x) => ... directly in the body: a candidate like a declaration (bundlers turn
      // top-level const into var); assigned again anywhere, or declared twice, it is not frozen
      for (const d of st.declarations) {
        const fn = functionInit(d);
        if (fn) candidate(scope, d.id.name, fn);
        else {
          for (const n of patternNames(d.id)) bind(scope, n, "other");
          walk(d.init);
        }
      }
      continue;
    }
    if ((st.type === "ExportNamedDeclaration" || st.type === "ExportDefaultDeclaration") && st.declaration?.type === "FunctionDeclaration") continue;
    walk(st);
  }
}

export function analyzeScopes(program: N, lineCol: (pos: number) => string): ProgramScopes {
  const candidates: Candidate[] = [];
  const scopeOf = new Map<Candidate, Scope>();
  const assigned = new Set<string>();
  const patchedMath = new Set<string>();
  let directEval = false;
  let counter = 0;
  const candidate = (scope: Scope, name: string, fn: N) => {
    const id = `fz_${name.replace(/[^A-Za-z0-9_]/g, "_")}_${counter++}`;
    const cand: Candidate = { name, id, node: fn, params: fn.params.map((p: N) => (p.type === "Identifier" ? p.name : "")), where: lineCol(fn.start), scope: scope.node };
    candidates.push(cand);
    scopeOf.set(cand, scope);
    bind(scope, name, cand);
  };

  /** Lexical declarations directly in a statement list; function declarations there become candidates. */
  const lexical = (stmts: N[], scope: Scope, candidatesHere: boolean) => {
    for (const s of stmts) {
      if (s.type === "VariableDeclaration" && s.kind !== "var") {
        for (const d of s.declarations) {
          // const f = (x) => ..., const f = function (x) {...}: a function for good, as a declaration is
          const fn = functionInit(d);
          if (s.kind === "const") for (const n of patternNames(d.id)) (scope.consts ??= new Set()).add(n);
          if (candidatesHere && s.kind === "const" && fn) candidate(scope, d.id.name, fn);
          else for (const n of patternNames(d.id)) bind(scope, n, "other");
        }
      }
      else if (s.type === "ClassDeclaration" && s.id) bind(scope, s.id.name, "other");
      else if (s.type === "ImportDeclaration") for (const sp of s.specifiers) bind(scope, sp.local.name, "other");
      else if ((s.type === "ExportNamedDeclaration" || s.type === "ExportDefaultDeclaration") && s.declaration) lexical([s.declaration], scope, candidatesHere);
      else if (s.type === "FunctionDeclaration" && s.id) {
        if (candidatesHere) candidate(scope, s.id.name, s);
        else bind(scope, s.id.name, "other");
      }
    }
  };

  const loops: ProgramScopes["loops"] = [];
  const labeled = new Set<N>();
  // `Math` where it is only read from (Math.x), and names that are no reference (a property's name, a key)
  const notValues = new Set<N>();
  const mathMember = (n: N) => n?.type === "MemberExpression" && n.object.type === "Identifier" && n.object.name === "Math";
  const visit = (node: N, scope: Scope): void => {
    if (!node || typeof node !== "object") return;
    if (node.type === "MemberExpression") {
      if (mathMember(node)) notValues.add(node.object);
      if (!node.computed) notValues.add(node.property);
      // (globalThis.Math and the like: a way to Math that this does not follow)
      if (!node.computed && node.property.name === "Math" && node.object.type === "Identifier" && GLOBAL_NAMES.has(node.object.name)) patchedMath.add("*");
    }
    if ((node.type === "Property" || node.type === "PropertyDefinition" || node.type === "MethodDefinition") && !node.computed && !node.shorthand) notValues.add(node.key);
    // Math handed on as a value (Object.defineProperty(Math, ...), Object.assign(Math, ...), an alias):
    // any of its functions may be replaced
    if (node.type === "Identifier" && node.name === "Math" && !notValues.has(node)) patchedMath.add("*");
    if ((node.type === "UpdateExpression" || (node.type === "UnaryExpression" && node.operator === "delete")) && mathMember(node.argument)) {
      patchedMath.add(node.argument.computed ? "*" : node.argument.property.name);
    }
    // (a labelled loop with its label: a labelled break or continue inside it names it)
    if (node.type === "LabeledStatement") {
      labeled.add(node.body);
      if (isLoop(node.body)) loops.push({ node, scope });
    }
    if (isLoop(node) && !labeled.has(node)) loops.push({ node, scope });
    if (node.type === "AssignmentExpression") {
      if (node.left.type === "Identifier") assigned.add(node.left.name);
      else for (const n of patternNames(node.left)) assigned.add(n);
      if (mathMember(node.left)) patchedMath.add(node.left.computed ? "*" : node.left.property.name);
      // (a destructuring target: ({ f: Math.floor } = o))
      else if (node.left.type !== "MemberExpression" && someNode(node.left, mathMember)) patchedMath.add("*");
    }
    if ((node.type === "ForInStatement" || node.type === "ForOfStatement") && someNode(node.left, mathMember)) patchedMath.add("*");
    if (node.type === "UpdateExpression" && node.argument.type === "Identifier") assigned.add(node.argument.name);
    if (node.type === "CallExpression" && node.callee.type === "Identifier" && node.callee.name === "eval") directEval = true;
    if ((node.type === "ForInStatement" || node.type === "ForOfStatement") && node.left.type !== "VariableDeclaration") {
      for (const n of patternNames(node.left)) assigned.add(n);
    }

    if (isFunction(node)) {
      let outer = scope;
      if (node.type === "FunctionExpression" && node.id) {
        outer = { node, parent: scope, names: new Map() };
        bind(outer, node.id.name, "other");
      }
      const fn: Scope = { node, parent: outer, names: new Map() };
      for (const p of node.params) for (const n of patternNames(p)) bind(fn, n, "other");
      if (node.type !== "ArrowFunctionExpression") bind(fn, "arguments", "other");
      if (node.body.type === "BlockStatement") {
        hoisted(node.body.body, fn, candidate);
        lexical(node.body.body, fn, true);
        for (const s of node.body.body) visit(s, fn);
      } else visit(node.body, fn);
      for (const p of node.params) visit(p, fn);
      return;
    }
    if (node.type === "BlockStatement" || node.type === "StaticBlock") {
      const block: Scope = { node, parent: scope, names: new Map() };
      lexical(node.body, block, false);
      for (const s of node.body) visit(s, block);
      return;
    }
    if (node.type === "SwitchStatement") {
      visit(node.discriminant, scope);
      const block: Scope = { node, parent: scope, names: new Map() };
      for (const c of node.cases) lexical(c.consequent, block, false);
      for (const c of node.cases) for (const s of [c.test, ...c.consequent]) visit(s, block);
      return;
    }
    if (node.type === "CatchClause") {
      const block: Scope = { node, parent: scope, names: new Map() };
      for (const n of patternNames(node.param)) bind(block, n, "other");
      visit(node.body, block);
      return;
    }
    if ((node.type === "ForStatement" || node.type === "ForInStatement" || node.type === "ForOfStatement") && (node.init ?? node.left)?.type === "VariableDeclaration") {
      const decl = node.init ?? node.left;
      const block: Scope = { node, parent: scope, names: new Map() };
      if (decl.kind !== "var") for (const d of decl.declarations) for (const n of patternNames(d.id)) bind(block, n, "other");
      for (const k of ["init", "left", "test", "update", "right", "body"]) visit(node[k], block);
      return;
    }
    if (node.type === "ClassDeclaration" || node.type === "ClassExpression") {
      const cls: Scope = { node, parent: scope, names: new Map() };
      if (node.id) bind(cls, node.id.name, "other");
      visit(node.superClass, scope);
      visit(node.body, cls);
      return;
    }
    for (const k of Object.keys(node)) {
      if (k === "type" || k === "start" || k === "end") continue;
      const v = node[k];
      if (Array.isArray(v)) for (const c of v) c && typeof c.type === "string" && visit(c, scope);
      else if (v && typeof v.type === "string") visit(v, scope);
    }
  };

  const root: Scope = { node: program, names: new Map() };
  hoisted(program.body, root, candidate);
  lexical(program.body, root, true);
  for (const s of program.body) visit(s, root);
  return { candidates, scopeOf, assigned, directEval, patchedMath, loops };
}

/** The scope that binds `name` as seen from `scope` (undefined: a global). */
function bindingScope(scope: Scope | undefined, name: string): Scope | undefined {
  for (let s = scope; s; s = s.parent) if (s.names.has(name)) return s;
  return undefined;
}

/** What `name` refers to in `scope`, and whether it is a const. */
export function lookupIn(scope: Scope | undefined, name: string): { what: Candidate | "other" | "global"; isConst: boolean } {
  const s = bindingScope(scope, name);
  return s ? { what: s.names.get(name)!, isConst: !!s.consts?.has(name) } : { what: "global", isConst: false };
}

/** Does `name`, seen from scopes `a` and `b`, name the same variable (not a global)? */
export function sameBinding(a: Scope | undefined, b: Scope | undefined, name: string): boolean {
  const s = bindingScope(a, name);
  return s !== undefined && s === bindingScope(b, name);
}

/** May `name`, seen from `scope`, change while compiled code holds its value (assigned somewhere, or a direct eval's reach) and is no const? */
export function mayChange(scopes: ProgramScopes, scope: Scope | undefined, name: string): boolean {
  return (scopes.assigned.has(name) || scopes.directEval) && !lookupIn(scope, name).isConst;
}

/** The nearest function (or the program) around a scope. */
export function functionOf(scope: Scope): N {
  let s = scope;
  while (s.parent && !isFunction(s.node)) s = s.parent;
  return s.node;
}

/** What `name`, used free inside `cand`, refers to. */
export function lookupFrom(scopes: ProgramScopes, cand: Candidate, name: string): Candidate | "other" | "global" {
  return lookupIn(scopes.scopeOf.get(cand), name).what;
}
