// Stage 1: bundle the app with Bun.build into one ES module. Every `node:`
// built-in stays an import, resolved at run time to the sandbox's runtime
// (wasm/builtins.js), never to Bun's own modules.

import { BUILTINS } from "../../wasm/builtins.js";
import { UserError } from "../errors.ts";

export async function bundle(entry: string): Promise<string> {
  const external = BUILTINS.flatMap((b) => [b, `node:${b}`]);
  let result;
  try {
    result = await Bun.build({ entrypoints: [entry], target: "node", format: "esm", external, minify: false, throw: false });
  } catch (err) {
    throw new UserError("E_BUILD", `bundling ${entry} failed: ${(err as Error).message}`);
  }
  if (!result.success) {
    const messages = result.logs.filter((l) => l.level === "error").map((l) => String(l.message ?? l));
    throw new UserError("E_BUILD", `bundling ${entry} failed:\n  ${messages.join("\n  ")}`);
  }
  if (result.outputs.length !== 1) throw new UserError("E_BUILD", `bundling ${entry} produced ${result.outputs.length} files; expected one`);
  return await result.outputs[0]!.text();
}
