import type { Command } from "./edgebox.ts";

export default {
  meta: { name: "run", description: "Run a script in the sandbox" },
  args: {
    script: {
      type: "positional",
      description: "The script (.js, .mjs, .cjs) or an app directory. Arguments after it go to the script",
      required: true,
    },
    engine: {
      type: "enum",
      options: ["native", "js"],
      description: "WebAssembly engine: native (Wasmtime, precompiled) or js (Bun's own); default native when available",
    },
  },
  async main({ flags, positionals, rest }) {
    const { runApp } = await import("../internal/sandbox/run.ts");
    return await runApp({
      target: positionals[0]!,
      args: rest,
      cwd: process.cwd(),
      engine: flags.engine as "native" | "js" | undefined,
    });
  },
} satisfies Command;
