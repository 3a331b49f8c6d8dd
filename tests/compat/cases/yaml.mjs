import YAML from "yaml";
const src = `# config
name: app
version: 1.2
tags: [a, b, "c d"]
anchors:
  base: &b { x: 1, y: 2 }
  derived: { <<: *b, y: 3 }
multi: |
  line one
  line two
date: 2020-01-01
nothing: ~
`;
const doc = YAML.parse(src, { merge: true });
console.log(JSON.stringify(doc));
console.log(YAML.stringify({ list: [1, { a: "x: y" }], str: "multi\nline", n: null, b: true }));
const d = YAML.parseDocument("a: 1 # c\nb: [1, 2]\n");
d.set("c", "new");
console.log(String(d));
try { YAML.parse("a: [1, 2"); } catch (e) { console.log(e.name, e.code); }
