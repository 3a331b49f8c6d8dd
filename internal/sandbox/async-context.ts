// AsyncLocalStorage's context carried over `await`, by rewriting each await
// when a module is compiled: `await x` becomes
// `__edgebox_resume(__edgebox_context(), await x)`. The first argument is
// evaluated before the function suspends and stays on its stack, so when it
// resumes the context it had is put back (wasm/internal/async_context.js).
//
// Why a rewrite and not QuickJS-NG's promise hook (JS_SetPromiseHook): the hook
// fires `init` when a promise is made and `resolve` when one is fulfilled, but
// `before`/`after` only around the job that calls a thenable's `then`, never
// around the reaction jobs that resume an `await` or run a `then` callback
// (quickjs.c, promise_reaction_job: no hook). No hook runs when an async
// function resumes, so nothing could set the context there.
//
// `for await` loops resume on each step too: the loop is put in a block that
// saves the context first, and each step and the code after the loop restore
// it. Only sources that contain `await` are parsed.
//
// What the rewrite never does is change what the source computes. So a source is
// left as written (its awaits then do not carry the context) when one of the
// names the rewrite calls could resolve to something of the app's: it names one
// of them itself (a local `__edgebox_resume` would be called instead of ours), it
// has a `with` statement (an object's property of that name would), or it calls
// `eval` directly on code it does not spell out (a sloppy eval can declare one in
// the function's scope; a module is strict, and `eval("require")` is left alone). And
// the host's cost stays bounded: a source larger than MAX_SOURCE, or with more than
// MAX_AWAITS awaits, is not parsed (acorn's tree costs ~50-70 bytes of host memory
// per byte of source, and each await adds ~40 bytes of text for the guest to compile).
// `edgebox build` lifts those two limits: it rewrites the developer's own bundle,
// on the developer's machine, once.

import type * as Acorn from "acorn";

const CONTEXT = "__edgebox_context";
const RESUME = "__edgebox_resume";
/** The names the rewritten code refers to (the loops' saved contexts are __edgebox_loop0, 1, ...). */
const OURS = /^__edgebox_(context|resume|loop\d+)$/;

/** Sources larger than this (UTF-16 units) are left as written. */
const MAX_SOURCE = 4 << 20;
/** Sources with more awaits (counted in the text, comments and strings included) are left as written. */
const MAX_AWAITS = 100_000;

/** A text edit: `text` inserted at `pos`. */
interface Insert {
  pos: number;
  text: string;
  /** closes something opened before (at a shared position, closers go first, inner ones first) */
  close: boolean;
  seq: number;
}

type Node = Acorn.Node & Record<string, unknown>;

/** Where rewrites of large sources are kept between runs (the bytecode cache: entries keyed by name and text, checksummed). */
export interface EditCache {
  get(filename: string, source: string): Uint8Array | undefined;
  put(filename: string, source: string, bytes: Uint8Array): void;
}

/** Sources parsed faster than their cached edits are read. */
const MIN_CACHED = 16 * 1024;

/**
 * `source` with each `await` carrying the async context (the same text when it has none).
 * Parsing is the cost (acorn reads ~10 MB of source a second), so with a cache the edits
 * of a large source are kept, and a later run applies them without parsing.
 */
export function carryAsyncContext(source: string, module: boolean, cache?: EditCache, unbounded = false): string {
  if (!source.includes("await")) return source;
  if (!unbounded && (source.length > MAX_SOURCE || !fewAwaits(source))) return source;
  if (!cache || source.length < MIN_CACHED) return apply(source, edits(source, module));
  const key = `edgebox:await-edits:${module ? "module" : "script"}`;
  const kept = decode(cache.get(key, source), source.length);
  if (kept) return apply(source, kept);
  const made = edits(source, module);
  cache.put(key, source, new TextEncoder().encode(JSON.stringify(made.map((e) => [e.pos, e.text]))));
  return apply(source, made);
}

/** Whether `source` has at most MAX_AWAITS occurrences of "await". */
function fewAwaits(source: string): boolean {
  let n = 0;
  for (let i = source.indexOf("await"); i !== -1; i = source.indexOf("await", i + 5)) if (++n > MAX_AWAITS) return false;
  return true;
}

/** A direct eval of a string literal that names none of the rewrite's names. */
function harmlessEval(call: Node): boolean {
  const arg = (call.arguments as Node[])[0];
  return arg !== undefined && arg.type === "Literal" && typeof arg.value === "string" && !arg.value.includes("__edgebox_");
}

/** Cached edits, or undefined when there are none or they do not fit this source. */
function decode(bytes: Uint8Array | undefined, length: number): Pick<Insert, "pos" | "text">[] | undefined {
  if (!bytes) return undefined;
  try {
    const list = JSON.parse(new TextDecoder().decode(bytes)) as unknown;
    if (!Array.isArray(list)) return undefined;
    let last = 0;
    const out: Pick<Insert, "pos" | "text">[] = [];
    for (const e of list) {
      if (!Array.isArray(e) || !Number.isInteger(e[0]) || e[0] < last || e[0] > length || typeof e[1] !== "string") return undefined;
      last = e[0];
      out.push({ pos: e[0], text: e[1] });
    }
    return out;
  } catch {
    return undefined;
  }
}

function apply(source: string, inserts: Pick<Insert, "pos" | "text">[]): string {
  if (inserts.length === 0) return source;
  let out = "";
  let at = 0;
  for (const e of inserts) {
    out += source.slice(at, e.pos) + e.text;
    at = e.pos;
  }
  return out + source.slice(at);
}

/** The inserts that make `source`'s awaits carry the context, in order (none when it does not parse). */
function edits(source: string, module: boolean): Insert[] {
  const acorn = require("acorn") as typeof Acorn;
  let program: Acorn.Program;
  try {
    program = acorn.parse(source, {
      ecmaVersion: "latest",
      sourceType: module ? "module" : "script",
      allowHashBang: true,
      allowReturnOutsideFunction: !module,
      allowAwaitOutsideFunction: module,
    });
  } catch {
    return []; // QuickJS reports the syntax error (or accepts what acorn does not)
  }
  const inserts: Insert[] = [];
  let seq = 0;
  let loops = 0;
  /** The source could reach a name of the rewrite's as its own (see the top of this file). */
  let captured = false;
  const add = (pos: number, text: string, close: boolean) => inserts.push({ pos, text, close, seq: seq++ });

  const visit = (node: Node, statementStart: number): void => {
    if (node.type === "Identifier" && OURS.test(node.name as string)) captured = true;
    else if (node.type === "WithStatement") captured = true;
    else if (!module && node.type === "CallExpression" && (node.callee as Node).type === "Identifier" && (node.callee as Node).name === "eval" && !harmlessEval(node)) captured = true;
    else if (node.type === "AwaitExpression") {
      add(node.start, `${RESUME}(${CONTEXT}(),`, false);
      add(node.end, ")", true);
    } else if (node.type === "ForOfStatement" && node.await) {
      const saved = `__edgebox_loop${loops++}`;
      const body = node.body as Node;
      add(statementStart, `{const ${saved}=${CONTEXT}();`, false);
      add(node.end, `${RESUME}(${saved})}`, true); // the loop's block closes after its body's
      add(body.start, `{${RESUME}(${saved});`, false);
      add(body.end, "}", true);
    }
    for (const key in node) {
      if (key === "type" || key === "start" || key === "end" || key === "loc" || key === "range") continue;
      const child = node[key];
      if (Array.isArray(child)) {
        for (const c of child) if (c && typeof c === "object" && typeof (c as Node).type === "string") visit(c as Node, (c as Node).start);
      } else if (child && typeof child === "object" && typeof (child as Node).type === "string") {
        // A labelled loop is wrapped with its labels, so that `continue label` still names a loop.
        visit(child as Node, node.type === "LabeledStatement" && key === "body" ? statementStart : (child as Node).start);
      }
    }
  };
  visit(program as unknown as Node, 0);
  if (captured) return [];
  return inserts.sort((a, b) => a.pos - b.pos || (a.close === b.close ? (a.close ? b.seq - a.seq : a.seq - b.seq) : a.close ? -1 : 1));
}
