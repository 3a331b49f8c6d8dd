const Papa = require("papaparse");
const csv = 'name,age,city\n"Smith, J",42,"New\nYork"\nAnn,7,Paris\n,,\n';
const r = Papa.parse(csv, { header: true, dynamicTyping: true, skipEmptyLines: "greedy" });
console.log(JSON.stringify(r.data), JSON.stringify(r.errors), r.meta.delimiter, JSON.stringify(r.meta.fields));
console.log(Papa.unparse([{ a: 1, b: 'x"y' }, { a: 2, b: "p,q" }]));
console.log(JSON.stringify(Papa.parse("a;b\n1;2").data));
