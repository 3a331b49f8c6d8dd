const yargs = require("yargs/yargs");
const { hideBin } = require("yargs/helpers");
const argv = yargs(hideBin(["node", "app", "--count", "3", "-v", "build", "--out=dist"]))
  .scriptName("app")
  .option("count", { type: "number", describe: "how many" })
  .option("verbose", { alias: "v", type: "boolean" })
  .command("build", "build it", (y) => y.option("out", { type: "string", default: "build" }))
  .strict()
  .parseSync();
console.log(argv._, argv.count, argv.verbose, argv.out);
yargs([]).scriptName("app").usage("$0 <cmd> [args]").option("name", { describe: "your name", default: "world" }).command("hello", "say hello").showHelp((s) => console.log(s));
yargs(["--bad"]).strict().option("x", {}).fail((msg) => console.log("failed:", msg)).parse();
