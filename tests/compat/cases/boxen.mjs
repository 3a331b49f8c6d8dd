import boxen from "boxen";
console.log(boxen("Hello from a box", { padding: 1, borderStyle: "round" }));
console.log(boxen("unicode 日本語 ✓\nsecond line", { title: "T", titleAlignment: "center", borderStyle: "double", textAlignment: "right", width: 30 }));
console.log(boxen("", { borderStyle: "classic" }));
