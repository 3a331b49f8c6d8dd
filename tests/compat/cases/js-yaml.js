const yaml = require("js-yaml");
const doc = yaml.load(`
name: edgebox
list: [1, 2.5, true, null, ~]
nested:
  a: "quoted: yes"
  b: |
    literal
    block
anchors:
  base: &b { x: 1 }
  other: *b
date: 2020-01-02
`);
console.log(doc);
console.log(yaml.dump({ a: 1, b: ["x", { c: "multi\nline" }], d: "needs: quoting", e: new Date(0) }));
try {
  yaml.load("a: [unclosed");
} catch (e) {
  console.log(e.name, e.message.split("\n")[0]);
}
