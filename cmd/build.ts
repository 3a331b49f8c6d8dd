import { UserError } from "../internal/errors.ts";
import type { Command } from "./edgebox.ts";

export default {
  meta: { name: "build", description: "Build an app into one artifact: bytecode, snapshot, frozen functions, native code (not built yet)" },
  args: {},
  async main() {
    throw new UserError("E_NOT_IMPLEMENTED", "'edgebox build' is not built yet in this version");
  },
} satisfies Command;
