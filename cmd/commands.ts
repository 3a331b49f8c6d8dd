// Every edgebox command, loaded only when used (its code and what it imports).

import type { Command } from "./edgebox.ts";

export const commands: Record<string, () => Promise<{ default: Command }>> = {
  run: () => import("./run.ts"),
  build: () => import("./build.ts"),
  serve: () => import("./serve.ts"),
  check: () => import("./check.ts"),
  version: () => import("./version.ts"),
  upgrade: () => import("./upgrade.ts"),
  init: () => import("./init.ts"),
  completions: () => import("./completions.ts"),
};
