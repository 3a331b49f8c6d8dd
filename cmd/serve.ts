import { UserError } from "../internal/errors.ts";
import type { Command } from "./edgebox.ts";

export default {
  meta: { name: "serve", description: "Serve an app over HTTP with a fresh sandbox per request (not built yet)" },
  args: {},
  async main() {
    throw new UserError("E_NOT_IMPLEMENTED", "'edgebox serve' is not built yet in this version");
  },
} satisfies Command;
