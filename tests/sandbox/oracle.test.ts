// What the sandbox answers about a path outside the grants must not depend on
// whether it exists: otherwise an app could map the host's files. Each probe
// runs against an existing hidden file and a missing one; the outputs must be
// the same once the two names are made equal.

import { describe, expect, test } from "bun:test";
import { symlinkSync } from "node:fs";
import { basename, join } from "node:path";
import { edgebox, tempApp } from "../helpers.ts";

const hidden = tempApp({ "present.txt": "here\n", "present.json": `{ "compilerOptions": { "jsxFactory": "leak" } }\n` });

function probe(files: (name: string) => Record<string, string>, main: string): [string, string] {
  const outs = ["present", "absent"].map((name) => {
    const dir = tempApp(files(name));
    const r = edgebox(["run", main], { cwd: dir });
    return (r.stdout + r.stderr + r.code).replaceAll(dir, "<app>").replaceAll(basename(dir), "<app>").replaceAll(name, "<name>");
  });
  return [outs[0]!, outs[1]!];
}

const linkDir = tempApp({ "realdir-HIDDEN-NAME/file": "x" });
symlinkSync(join(linkDir, "realdir-HIDDEN-NAME"), join(linkDir, "link"));

describe("no existence oracle outside the grants", () => {
  test("where a hidden link points is never said", () => {
    const dir = tempApp({ "main.js": `for (const q of ["link", "link/file"]) try { require("fs").readdirSync(${JSON.stringify(linkDir)} + "/" + q); } catch (e) { console.log(e.code, e.message); }\n` });
    const r = edgebox(["run", "main.js"], { cwd: dir });
    expect(r.stdout).toContain("EACCES");
    expect(r.stdout).not.toContain("HIDDEN-NAME");
  });

  test("import and require of a hidden path", () => {
    const [a, b] = probe(
      (name) => ({
        "main.mjs": [
          `try { await import(${JSON.stringify(join(hidden, `${name}.txt`))}); } catch (e) { console.log(e.code, e.message); }`,
          `import { createRequire } from "node:module";`,
          `try { createRequire(import.meta.url)(${JSON.stringify(join(hidden, `${name}.txt`))}); } catch (e) { console.log(e.code, e.message); }`,
        ].join("\n"),
      }),
      "main.mjs",
    );
    expect(a).toBe(b);
    expect(a).toContain("the policy does not let the app read");
  });

  test("fs calls on a hidden path", () => {
    const [a, b] = probe(
      (name) => ({
        "main.js": [
          `const fs = require("fs"); const p = ${JSON.stringify(join(hidden, `${name}.txt`))};`,
          `console.log(fs.existsSync(p));`,
          `for (const f of ["statSync", "readFileSync", "lstatSync", "accessSync", "readlinkSync", "realpathSync", "readdirSync"]) {`,
          `  for (const q of [p, p + "/x", p + "/x/../y", p + "/../../" + require("path").basename(__dirname) + "/main.js"]) {`,
          `    try { fs[f](q); console.log(f, "ok"); } catch (e) { console.log(f, e.code, e.message); }`,
          `  }`,
          `}`,
        ].join("\n"),
      }),
      "main.js",
    );
    expect(a).toBe(b);
  });

  test("a tsconfig that extends a hidden file", () => {
    const [a, b] = probe(
      (name) => ({
        "tsconfig.json": JSON.stringify({ extends: join(hidden, `${name}.json`) }),
        "main.tsx": `const leak = (t: string) => t;\nconst h = (t: string) => "<" + t + ">";\nconsole.log(<b />);\nimport("some-package").catch((e) => console.log(e.code, e.message));\n`,
      }),
      "main.tsx",
    );
    expect(a).toBe(b);
    expect(a).not.toContain("leak(");
  });
});
