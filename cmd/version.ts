import pkg from "../package.json" with { type: "json" };
import built from "../dist/assets/buildinfo.json" with { type: "json" };
import type { Command } from "./edgebox.ts";
import { out } from "./out.ts";

export const VERSION: string = pkg.version;

export function versions(): Record<string, string> {
  return {
    edgebox: VERSION,
    quickjs: built.quickjs,
    "quickjs-wasi": built["quickjs-wasi"],
    wasmtime: built.wasmtime,
    bun: built.bun,
    target: `${process.platform}-${process.arch}`,
  };
}

export default {
  meta: { name: "version", description: "Print EdgeBox's version, the engines it embeds and its target" },
  examples: [
    "edgebox version",
    "edgebox version --json",
  ],
  args: {
    json: { type: "boolean", description: "Print the versions as JSON" },
  },
  async main({ flags }) {
    const v = versions();
    if (flags.json) {
      out(JSON.stringify(v, null, 2) + "\n");
      return 0;
    }
    out(
      `edgebox ${v.edgebox}\nquickjs-ng ${v.quickjs} (quickjs-wasi ${v["quickjs-wasi"]})\nwasmtime ${v.wasmtime}\nbun ${v.bun}\ntarget ${v.target}\n`,
    );
    return 0;
  },
} satisfies Command;
