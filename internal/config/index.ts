// Find, parse, validate and resolve the policy for a run.

import { existsSync, lstatSync, readFileSync, realpathSync, statSync } from "node:fs";
import { isWithin } from "../policy/fs.ts";
import { homedir } from "node:os";
import { basename, dirname, join, resolve } from "node:path";
import { UserError } from "../errors.ts";
import type { Policy } from "../policy/types.ts";
import { parsePolicyText } from "./parse.ts";
import { resolvePolicy, type GrantFlags, type PolicyFile } from "./resolve.ts";

export const POLICY_FILES = [".edgebox.json", "edgebox.toml"] as const;

/**
 * The nearest policy file walking up from `dir`, or undefined. Two in one
 * directory is an error, and so is one another user owns (as git refuses a
 * repository another user owns): whoever could write /tmp/.edgebox.json
 * would otherwise grant anything to every app under /tmp.
 */
export function findPolicyFile(dir: string): string | undefined {
  for (let d = resolve(dir); ; d = dirname(d)) {
    const found = POLICY_FILES.map((f) => join(d, f)).filter((f) => existsSync(f));
    if (found.length > 1) throw new UserError("E_POLICY", `both ${found.join(" and ")} exist: keep one`);
    if (found.length === 1) {
      const me = process.getuid?.() ?? 0;
      // the file and, when it is a link, the link: either could be another user's doing
      const owner = [lstatSync(found[0]!).uid, statSync(found[0]!).uid].find((u) => u !== me && u !== 0);
      if (owner !== undefined) throw new UserError("E_POLICY", `${found[0]} belongs to another user (uid ${owner}): not used; name it with --config if you trust it`);
      return found[0];
    }
    if (dirname(d) === d) return undefined;
  }
}

/** Read, parse and validate a policy file. */
export async function readPolicyFile(file: string): Promise<PolicyFile> {
  let text: string;
  try {
    text = readFileSync(file, "utf8");
  } catch (err) {
    throw new UserError("E_POLICY", `cannot read the policy ${file}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const data = await parsePolicyText(text, file);
  const { validatePolicy } = await import("./validate.ts");
  validatePolicy(data, file);
  return data as PolicyFile;
}

function which(command: string): string | undefined {
  for (const dir of (process.env.PATH ?? "/usr/local/bin:/usr/bin:/bin").split(":")) {
    if (!dir) continue;
    const p = join(dir, command);
    if (existsSync(p)) return p;
  }
  return undefined;
}

export interface LoadOptions {
  /** The app's directory: where the search starts, and readable by default. */
  appDir?: string;
  cwd: string;
  /** --config: this file, no search. */
  config?: string;
  /** false: `config` was named as an argument, not with --config (edgebox check file). */
  configFlag?: boolean;
  /** false: use no policy file at all (eval of stdin has no app directory, for instance). */
  search?: boolean;
  flags: GrantFlags;
}

export async function loadPolicy(opts: LoadOptions): Promise<Policy> {
  let file: string | undefined;
  if (opts.config) {
    file = resolve(opts.cwd, opts.config);
    if (!existsSync(file)) throw new UserError("E_POLICY", `${opts.configFlag === false ? "" : "--config "}${opts.config}: no such file`);
  } else if (opts.search !== false) {
    file = findPolicyFile(opts.appDir ?? opts.cwd);
  }
  const raw = file ? await readPolicyFile(file) : {};
  const policy = resolvePolicy(file, raw, opts.flags, { appDir: opts.appDir, cwd: opts.cwd, home: homedir(), which });
  // The audit log is written by EdgeBox, not the app, so no grant covers it: keep it next to its policy.
  const realDir = (p: string) => {
    try {
      return join(realpathSync(dirname(p)), basename(p));
    } catch {
      return p; // opening it will say what is missing
    }
  };
  if (file && policy.audit && !isWithin(realDir(policy.audit), realpathSync(dirname(file)))) {
    throw new UserError("E_POLICY", `${file}: "audit": ${policy.audit} is outside the policy's directory; a policy's audit log must be in it (or use --audit)`);
  }
  return policy;
}
