const acorn = require("acorn");
const ast = acorn.parse("async function* f(a, ...b) { for await (const x of a) yield* b; } class A { #p = 1; static { } }", { ecmaVersion: "latest", sourceType: "module", allowAwaitOutsideFunction: true });
console.log(JSON.stringify(ast, null, 1).length, ast.body.map((n) => n.type));
try {
  acorn.parse("let = ;", { ecmaVersion: 2022 });
} catch (e) {
  console.log(e.name, e.message, e.pos);
}
const tokens = [...acorn.tokenizer("x = 1 + y", { ecmaVersion: 2020 })].map((t) => t.type.label);
console.log(tokens);
