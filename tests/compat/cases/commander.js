const { Command, Option } = require("commander");
const program = new Command();
program
  .name("tool")
  .description("A CLI made with commander")
  .version("1.2.3")
  .option("-d, --debug", "output extra debugging")
  .option("-p, --pizza-type <type>", "flavour of pizza", "margherita")
  .addOption(new Option("-s, --size <size>", "size").choices(["small", "large"]))
  .exitOverride()
  .configureOutput({ writeErr: (s) => process.stdout.write(`[err] ${s}`) });
program.command("serve <dir>").option("--port <n>", "port", (v) => Number(v), 80).action((dir, opts) => console.log("serve", dir, opts));
program.parse(["node", "tool", "-d", "--pizza-type", "hawaii", "-s", "large", "serve", "/srv", "--port", "8080"]);
console.log(program.opts());
console.log(program.helpInformation());
try {
  program.parse(["node", "tool", "--nope"]);
} catch (e) {
  console.log(e.code, e.exitCode);
}
