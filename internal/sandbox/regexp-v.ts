// Regular expression literals with the v flag that QuickJS-NG rejects but
// node accepts (/-/v, /;;/v: wasm/internal/regexp_v.js), rewritten before a
// module is compiled. Only a source that may hold such a literal is tokenized.

import type * as Acorn from "acorn";
import { rewriteV } from "../../wasm/internal/regexp_v.js";

/** A `/.../v`-looking end of a literal: a slash, flags with v, then no identifier character. */
const MAY_HAVE_V = /\/[dgimsuy]*v[dgimsuy]*(?![\w$])/;

/** `source` with its v-flag regular expression literals in a form QuickJS accepts (the same text when none needs it). */
export function rewriteVLiterals(source: string, module: boolean): string {
  if (!MAY_HAVE_V.test(source)) return source;
  const acorn = require("acorn") as typeof Acorn;
  const edits: { start: number; end: number; text: string }[] = [];
  try {
    for (const t of acorn.tokenizer(source, { ecmaVersion: "latest", sourceType: module ? "module" : "script", allowHashBang: true, allowReturnOutsideFunction: true, allowAwaitOutsideFunction: true })) {
      if (t.type !== acorn.tokTypes.regexp) continue;
      const { pattern, flags } = (t as unknown as { value: unknown }).value as { pattern: string; flags: string };
      if (!flags.includes("v")) continue;
      const rewritten = rewriteV(pattern);
      if (rewritten !== pattern) edits.push({ start: t.start, end: t.end, text: `/${rewritten}/${flags}` });
    }
  } catch {
    return source; // not tokenizable here: QuickJS reports the syntax error
  }
  let out = source;
  for (const e of edits.reverse()) out = out.slice(0, e.start) + e.text + out.slice(e.end);
  return out;
}
