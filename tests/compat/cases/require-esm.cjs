// require() of ES-module-only packages (node 20.19+): camelcase, nanoid, p-limit
const camelCase = require("camelcase");
const { customAlphabet, nanoid } = require("nanoid");
const pLimit = require("p-limit");
console.log(typeof camelCase, typeof camelCase.default, camelCase.default("foo-bar_baz"), camelCase.default("Foo Bar", { pascalCase: true }));
console.log(nanoid().length, customAlphabet("ab", 8)().replace(/[ab]/g, "").length);
console.log(typeof pLimit.default, Object.keys(pLimit).sort().join(","));
const limit = pLimit.default(1);
limit(async () => "limited").then(console.log);
