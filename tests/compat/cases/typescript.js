const ts = require("typescript");
const src = `
enum Color { Red, Green = "g" }
interface P { x: number; y?: string }
export class Point<T> implements P {
  constructor(public x: number, private readonly tag: T) {}
  get double(): number { return this.x * 2; }
}
export const f = async (p: P): Promise<number> => p.x ?? 0;
`;
const out = ts.transpileModule(src, { compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2017 }, reportDiagnostics: true });
console.log(out.outputText);
console.log(out.diagnostics.length, ts.version);
const bad = ts.transpileModule("let x: = 1;", { reportDiagnostics: true });
console.log(bad.diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, "\n")));
