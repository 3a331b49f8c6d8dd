const JSON5 = require("json5");
const v = JSON5.parse(`{
  // comment
  unquoted: 'single',
  trailing: [1, 2, 3,],
  hex: 0xFF, inf: Infinity, nan: NaN, pos: +1, lead: .5,
  "multi": "line \\
continued",
}`);
console.log(v.unquoted, v.trailing, v.hex, v.inf, Number.isNaN(v.nan), v.pos, v.lead, v.multi);
console.log(JSON5.stringify({ a: 1, "b-c": [true, null], d: "it's" }, null, 2));
try { JSON5.parse("{a:}"); } catch (e) { console.log(e.name, e.lineNumber, e.columnNumber); }
