// Policy validation against policies/edgebox.schema.json (precompiled by
// ajv at build time), with messages that name the field path.

import type { ErrorObject } from "ajv";
import validate from "../../dist/assets/policy-validate.js";
import schema from "../../policies/edgebox.schema.json" with { type: "json" };
import { UserError } from "../errors.ts";

/** `/dirs/0/read` as `dirs[0].read`. */
function fieldPath(pointer: string): string {
  const parts = pointer.split("/").slice(1).map((p) => p.replace(/~1/g, "/").replace(/~0/g, "~"));
  let out = "";
  for (const p of parts) out += /^\d+$/.test(p) ? `[${p}]` : out === "" ? p : `.${p}`;
  return out || "(top level)";
}

function distance(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => [i, ...new Array<number>(b.length).fill(0)]);
  for (let j = 1; j <= b.length; j++) d[0]![j] = j;
  for (let i = 1; i <= a.length; i++) {
    for (let j = 1; j <= b.length; j++) {
      d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
  }
  return d[a.length]![b.length]!;
}

/** The properties the schema allows at a field path (for "did you mean"). */
function knownFields(pointer: string): string[] {
  let node: any = schema;
  for (const part of pointer.split("/").slice(1)) {
    if (/^\d+$/.test(part)) node = node?.items;
    else node = node?.properties?.[part] ?? node?.additionalProperties;
  }
  return Object.keys(node?.properties ?? {});
}

function describe(e: ErrorObject): string {
  const at = fieldPath(e.instancePath);
  switch (e.keyword) {
    case "additionalProperties": {
      const field = (e.params as { additionalProperty: string }).additionalProperty;
      const near = knownFields(e.instancePath).filter((k) => distance(k.toLowerCase(), field.toLowerCase()) <= 2);
      const where = e.instancePath ? `${at}.${field}` : field;
      return `${where}: unknown field${near.length ? ` (did you mean "${near[0]}"?)` : ""}`;
    }
    case "enum":
      return `${at}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(", ")}`;
    case "required":
      return `${at}: missing "${(e.params as { missingProperty: string }).missingProperty}"`;
    case "pattern":
      return `${at}: ${JSON.stringify(e.data)} is not a valid value here`;
    default:
      return `${at}: ${e.message}`;
  }
}

/** Throw one UserError listing every problem (at most 10), each naming its field. */
export function validatePolicy(data: unknown, file: string): void {
  if (validate(data)) return;
  const errors = (validate.errors ?? []).filter((e) => e.keyword !== "oneOf" && e.keyword !== "if");
  const lines = [...new Set(errors.map(describe))].slice(0, 10);
  throw new UserError("E_POLICY", `${file}:${lines.length === 1 ? " " + lines[0] : "\n  " + lines.join("\n  ")}`);
}
