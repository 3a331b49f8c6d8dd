import chalk, { Chalk, supportsColor } from "chalk";
console.log(chalk.level, supportsColor, JSON.stringify(chalk.red("plain when not a terminal")));
const c = new Chalk({ level: 3 });
console.log(JSON.stringify(c.bold.rgb(10, 20, 30)("rgb") + c.bgBlue.underline("under") + c.hex("#ff8800").italic("hex")));
const c1 = new Chalk({ level: 1 });
console.log(JSON.stringify(c1.green.inverse("16 colours") + c1.rgb(255, 0, 0)("downsampled")));
console.log(JSON.stringify(c.red(`nested ${c.blue("blue")} back`)));
