// figlet reads its fonts from its package directory
const figlet = require("figlet");
console.log(figlet.textSync("EdgeBox", { font: "Standard" }));
console.log(figlet.textSync("ok", { font: "Small", horizontalLayout: "full" }));
figlet.text("cb", { font: "Mini" }, (err, out) => console.log(err ?? out));
