const Table = require("cli-table3");
const t = new Table({ head: ["Name", "Qty", "Note"], style: { head: [], border: [] }, colWidths: [10, 6, 20], wordWrap: true });
t.push(["apple", 3, "a fairly long note that wraps"], ["日本", 12, "wide chars"], [{ colSpan: 2, content: "spanning" }, "end"]);
console.log(t.toString());
const v = new Table({ style: { head: [], border: [] } });
v.push({ key: "value" }, { "other key": "👍 emoji" });
console.log(v.toString());
