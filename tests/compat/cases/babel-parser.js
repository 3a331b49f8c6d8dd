const { parse } = require("@babel/parser");
const ast = parse(`import x from "y";
export const f = async <T,>(a: T): Promise<T> => { await a; return a ?? null; };
class A { #p = 1; static { this.s = 2; } get v() { return this.#p; } }
const j = <div className="x">{1 + 2}</div>;`, { sourceType: "module", plugins: ["typescript", "jsx"] });
const counts = {};
(function walk(n) {
  if (!n || typeof n.type !== "string") return;
  counts[n.type] = (counts[n.type] || 0) + 1;
  for (const k of Object.keys(n)) {
    if (k === "loc" || k === "start" || k === "end") continue;
    const v = n[k];
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") walk(v);
  }
})(ast.program);
console.log(JSON.stringify(counts));
try { parse("let let = 1"); } catch (e) { console.log(e.message, e.loc.line, e.loc.column); }
