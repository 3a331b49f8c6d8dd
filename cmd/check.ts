import { UserError } from "../internal/errors.ts";
import type { Command } from "./edgebox.ts";

export default {
  meta: { name: "check", description: "Validate a policy file and print what it grants (not built yet)" },
  args: {},
  async main() {
    throw new UserError("E_NOT_IMPLEMENTED", "'edgebox check' is not built yet in this version");
  },
} satisfies Command;
