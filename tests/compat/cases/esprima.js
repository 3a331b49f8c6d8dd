const esprima = require("esprima");
console.log(esprima.tokenize("const answer = 42 // the answer", { comment: true }));
const ast = esprima.parseScript("function f(a, b = 2) { return a ** b; }", { range: true });
console.log(JSON.stringify(ast.body[0].params), ast.body[0].range);
try {
  esprima.parseScript("var = 1");
} catch (e) {
  console.log(e.description, e.lineNumber, e.index);
}
