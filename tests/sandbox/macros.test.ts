// Bun features that would run an app's code in the host, outside the
// sandbox: macros (`import ... with { type: "macro" }` run while Bun
// transpiles or bundles), and a bunfig.toml `preload` or a .env picked up from
// the directory edgebox runs in. Each is tried and must do nothing.

import { describe, expect, test } from "bun:test";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { edgebox, tempApp } from "../helpers.ts";

const secretDir = tempApp({ "secret.txt": "TOP-SECRET-VALUE\n" });
const secret = join(secretDir, "secret.txt");

describe("macros never run in the host", () => {
  const marker = join(tempApp(), "macro-ran");
  const dir = tempApp({
    "read.ts": `import { readFileSync } from "node:fs" with { type: "macro" };\nconsole.log("got", readFileSync(${JSON.stringify(secret)}, "utf8"));\n`,
    "read.js": `import { readFileSync } from "node:fs" with { type: "macro" };\nconsole.log("got", readFileSync(${JSON.stringify(secret)}, "utf8"));\n`,
    "evil.ts": `import { writeFileSync } from "node:fs";\nexport function evil(): string {\n  writeFileSync(${JSON.stringify(marker)}, "ran");\n  return "x";\n}\n`,
    "local.ts": `import { evil } from "./evil.ts" with { type: "macro" };\nconsole.log(evil());\n`,
    "late.mjs": `const name = "./lo" + "cal.ts";\nawait import(name);\n`,
    "handler.ts": `import { readFileSync } from "node:fs" with { type: "macro" };\nexport default { fetch: () => new Response(readFileSync(${JSON.stringify(secret)}, "utf8")) };\n`,
  });

  const refused = (r: { code: number; stdout: string; stderr: string }) => {
    expect(r.code).not.toBe(0);
    expect(r.stderr).toContain("Macros are disabled");
    expect(r.stdout + r.stderr).not.toContain("TOP-SECRET-VALUE");
    expect(existsSync(marker)).toBe(false);
  };

  test("edgebox run of TypeScript: a built-in as a macro, a local file as a macro", () => {
    refused(edgebox(["run", "read.ts"], { cwd: dir }));
    refused(edgebox(["run", "local.ts"], { cwd: dir }));
  });

  test("a TypeScript file reached only at run time (transpiled then)", () => {
    refused(edgebox(["run", "late.mjs"], { cwd: dir }));
  });

  test("edgebox build of TypeScript and of JavaScript: no artifact", () => {
    for (const f of ["read.ts", "read.js", "local.ts"]) {
      const out = join(dir, `${f}.ebx`);
      refused(edgebox(["build", f, "-o", out], { cwd: dir }));
      expect(existsSync(out)).toBe(false);
    }
  });

  test("edgebox serve of TypeScript: it does not start", () => {
    refused(edgebox(["serve", "handler.ts", "--port", "0", "--workers", "1"], { cwd: dir }));
  });
});

describe("the directory edgebox runs in configures nothing of the host", () => {
  test("bunfig.toml's preload does not run; .env does not reach the host or the app", () => {
    const marker = join(tempApp(), "preload-ran");
    const dir = tempApp({
      "bunfig.toml": `preload = ["./preload.js"]\n[run]\npreload = ["./preload.js"]\n`,
      "preload.js": `require("fs").writeFileSync(${JSON.stringify(marker)}, "ran");\n`,
      ".env": `EB_FROM_DOTENV=loaded\nEDGEBOX_DEBUG=1\n`,
      "app.js": `console.log(String(process.env.EB_FROM_DOTENV));\n`,
    });
    const r = edgebox(["run", "--allow-env", "app.js"], { cwd: dir });
    expect(r).toEqual({ code: 0, stdout: "undefined\n", stderr: "" });
    expect(existsSync(marker)).toBe(false);
  });
});
