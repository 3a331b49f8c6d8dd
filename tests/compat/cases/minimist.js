const parse = require("minimist");
console.log(parse(["-x", "3", "-y", "4", "-n5", "-abc", "--beep=boop", "foo", "bar", "baz"]));
console.log(parse(["--no-color", "--name", "x", "--", "--rest"], { boolean: ["color"], string: ["name"], alias: { n: "name" } }));
