// Build step: compile policies/edgebox.schema.json with ajv into standalone
// validation code, so `edgebox run` validates a policy without loading ajv
// (compiling a schema at every start would cost more than the whole start-up).

import Ajv from "ajv";
import standaloneCode from "ajv/dist/standalone/index.js";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

export function buildPolicyValidator(root: string, outDir: string): void {
  const schema = JSON.parse(readFileSync(join(root, "policies", "edgebox.schema.json"), "utf8"));
  const ajv = new Ajv({ allErrors: true, strict: true, verbose: true, code: { source: true, esm: true } });
  const validate = ajv.compile(schema);
  writeFileSync(join(outDir, "policy-validate.js"), standaloneCode(ajv, validate));
  writeFileSync(
    join(outDir, "policy-validate.d.ts"),
    `import type { ErrorObject } from "ajv";\ndeclare const validate: ((data: unknown) => boolean) & { errors?: ErrorObject[] | null };\nexport default validate;\n`,
  );
}
