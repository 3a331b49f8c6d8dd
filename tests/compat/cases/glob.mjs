import { globSync, glob } from "glob";
const opts = { cwd: "node_modules/glob", posix: true };
console.log(globSync("*.json", opts).sort().join(","));
console.log(globSync("dist/*/index.{js,d.ts}", opts).sort().join(","));
console.log((await glob("**/package.json", { ...opts, ignore: "node_modules/**" })).sort().join(","));
console.log(globSync("nothing-*", opts).length, globSync("DIST", { ...opts, nocase: true }).length);
