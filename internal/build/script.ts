// Stage 1b: the bundle (one ES module whose only imports are node:
// built-ins) becomes one async function, so that it compiles to bytecode as
// a single value the artifact can hold, pre-run or not:
//
//   (async function (__eb_import, __eb_require, __eb_meta) {"use strict"; <bundle> return {<exports>}; })
//
// Imports become reads of the runtime's built-in modules, `import.meta` the
// run's own values, exports the returned object. Top-level await works as
// it does in a module. Bun's `createRequire(import.meta.url)` becomes the
// runtime's require, so that bundles with CommonJS parts can still be
// pre-run (they would otherwise read import.meta.url at build time).

import { parse, type Node } from "acorn";
import { BUILTINS } from "../../wasm/builtins.js";
import { UserError } from "../errors.ts";

/** The parameters the runtime passes the app function (wasm/runtime.js, runBuilt). */
export const PARAMS = ["__eb_import", "__eb_require", "__eb_meta"] as const;
export const PREFIX = `(async function (${PARAMS.join(", ")}) {"use strict";`;

interface Edit {
  start: number;
  end: number;
  text: string;
}

type AnyNode = Node & Record<string, any>;

function isBuiltin(spec: string): boolean {
  return BUILTINS.includes(spec.startsWith("node:") ? spec.slice(5) : spec);
}

/** Identifiers a declaration pattern binds. */
function boundNames(pattern: AnyNode, out: string[] = []): string[] {
  switch (pattern.type) {
    case "Identifier":
      out.push(pattern.name);
      break;
    case "ObjectPattern":
      for (const p of pattern.properties) boundNames(p.type === "RestElement" ? p.argument : p.value, out);
      break;
    case "ArrayPattern":
      for (const e of pattern.elements) if (e) boundNames(e.type === "RestElement" ? e.argument : e, out);
      break;
    case "AssignmentPattern":
      boundNames(pattern.left, out);
      break;
    case "RestElement":
      boundNames(pattern.argument, out);
      break;
  }
  return out;
}

/** Visit every node (acorn has no walker in its core package; this is enough for our edits). */
function walk(node: AnyNode, visit: (n: AnyNode, parent: AnyNode | undefined) => void, parent?: AnyNode): void {
  visit(node, parent);
  for (const key of Object.keys(node)) {
    if (key === "type" || key === "start" || key === "end" || key === "loc") continue;
    const v = node[key];
    if (Array.isArray(v)) {
      for (const c of v) if (c && typeof c.type === "string") walk(c, visit, node);
    } else if (v && typeof v.type === "string") walk(v, visit, node);
  }
}

export function toScript(code: string): string {
  let ast: AnyNode;
  try {
    ast = parse(code, { ecmaVersion: "latest", sourceType: "module", allowHashBang: true }) as AnyNode;
  } catch (err) {
    throw new UserError("E_BUILD", `the bundle does not parse: ${(err as Error).message}`);
  }
  const edits: Edit[] = [];
  const exported: [string, string][] = [];
  const createRequireNames = new Set<string>();
  const imp = (spec: string) => `${PARAMS[0]}(${JSON.stringify(spec)})`;

  for (const stmt of ast.body as AnyNode[]) {
    switch (stmt.type) {
      case "ImportDeclaration": {
        const spec = stmt.source.value as string;
        if (!isBuiltin(spec)) throw new UserError("E_BUILD", `the bundle still imports '${spec}', which is not a built-in module; install it so that it can be bundled`);
        const decls: string[] = [];
        for (const s of stmt.specifiers as AnyNode[]) {
          if (s.type === "ImportSpecifier") {
            const name = s.imported.type === "Identifier" ? s.imported.name : s.imported.value;
            decls.push(`${s.local.name} = ${imp(spec)}[${JSON.stringify(name)}]`);
            if (name === "createRequire" && (spec === "module" || spec === "node:module")) createRequireNames.add(s.local.name);
          } else decls.push(`${s.local.name} = ${imp(spec)}`);
        }
        edits.push({ start: stmt.start, end: stmt.end, text: decls.length ? `var ${decls.join(", ")};` : `${imp(spec)};` });
        break;
      }
      case "ExportNamedDeclaration": {
        if (stmt.source) throw new UserError("E_BUILD", `unsupported re-export from '${stmt.source.value}' in the bundle`);
        if (stmt.declaration) {
          const d = stmt.declaration as AnyNode;
          const names = d.type === "VariableDeclaration" ? d.declarations.flatMap((x: AnyNode) => boundNames(x.id)) : [d.id.name];
          for (const n of names) exported.push([n, n]);
          edits.push({ start: stmt.start, end: d.start, text: "" });
        } else {
          for (const s of stmt.specifiers as AnyNode[]) {
            const name = s.exported.type === "Identifier" ? s.exported.name : s.exported.value;
            exported.push([name, s.local.name]);
          }
          edits.push({ start: stmt.start, end: stmt.end, text: "" });
        }
        break;
      }
      case "ExportDefaultDeclaration": {
        const d = stmt.declaration as AnyNode;
        if ((d.type === "FunctionDeclaration" || d.type === "ClassDeclaration") && d.id) {
          exported.push(["default", d.id.name]);
          edits.push({ start: stmt.start, end: d.start, text: "" });
        } else {
          exported.push(["default", "__eb_default"]);
          const isDecl = d.type === "FunctionDeclaration" || d.type === "ClassDeclaration";
          edits.push({ start: stmt.start, end: d.start, text: "var __eb_default = " });
          if (isDecl) edits.push({ start: d.end, end: d.end, text: ";" });
        }
        break;
      }
      case "ExportAllDeclaration":
        throw new UserError("E_BUILD", `unsupported 'export * from "${stmt.source.value}"' in the bundle`);
    }
  }

  walk(ast, (n) => {
    if (n.type === "MetaProperty" && n.meta.name === "import") edits.push({ start: n.start, end: n.end, text: PARAMS[2] });
    if (
      n.type === "CallExpression" &&
      n.callee.type === "Identifier" &&
      createRequireNames.has(n.callee.name) &&
      n.arguments.length === 1 &&
      n.arguments[0].type === "MemberExpression" &&
      n.arguments[0].object.type === "MetaProperty" &&
      n.arguments[0].property.name === "url"
    ) {
      edits.push({ start: n.start, end: n.end, text: PARAMS[1] });
    }
  });

  // An edit inside another's range (import.meta inside createRequire(import.meta.url)) gives way to it.
  const outer = edits.filter((e) => !edits.some((o) => o !== e && o.start <= e.start && e.end <= o.end && o.end - o.start > e.end - e.start));
  outer.sort((a, b) => b.start - a.start);
  let out = code;
  // An edit keeps the lines it replaces, so that the bundle's source map still holds.
  for (const e of outer) out = out.slice(0, e.start) + e.text + "\n".repeat(out.slice(e.start, e.end).split("\n").length - 1) + out.slice(e.end);
  const ret = exported.map(([name, local]) => `${JSON.stringify(name)}: ${local}`).join(", ");
  return `${PREFIX}${out.replace(/^#!.*/, "")}\nreturn { __proto__: null${ret ? `, ${ret}` : ""} };\n})`;
}
