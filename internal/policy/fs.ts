// Filesystem decisions, on paths already fully resolved (every symlink of
// every existing component followed): the caller resolves, then asks here,
// then must act on exactly the path it asked about.

import { allow, deny, type Decision, type FsCapability, type FsGrant, type Policy } from "./types.ts";

/** Whether `path` is `dir` or lies below it (component-wise: /a/bc is not below /a/b). */
export function isWithin(path: string, dir: string): boolean {
  if (dir === "/") return path.startsWith("/");
  return path === dir || path.startsWith(dir + "/");
}

/**
 * The process-specific parts of /proc (magic links to other files, the host's
 * environment and memory) are refused without --allow-all, even under a grant
 * of "/": they would leak what the policy hides.
 */
function isProcSelf(path: string): boolean {
  return /^\/proc\/(self|thread-self|\d+)(\/|$)/.test(path);
}

/** A policy file, wherever it is: an app that could write one would grant itself more on its next run. */
function isPolicyFile(path: string): boolean {
  const name = path.slice(path.lastIndexOf("/") + 1);
  // (Windows opens a name in any case)
  const n = process.platform === "win32" ? name.toLowerCase() : name;
  return n === ".edgebox.json" || n === "edgebox.toml";
}

const flagOf: Record<FsCapability, string> = { read: "--allow-read", write: "--allow-write", execute: "--allow-run" };

function remedy(policy: Policy, cap: FsCapability, path: string): string {
  const where = policy.file ? `"dirs" in ${policy.file}` : `"dirs" in a .edgebox.json next to the app`;
  return `add { "path": ${JSON.stringify(path)}, "${cap}": true } to ${where}, or run with ${flagOf[cap]}=${path}`;
}

/** May the host so much as look at `path` for the app: inside a grant, or on the way to one. */
export function mayLook(policy: Policy, path: string): boolean {
  return policy.allowAll || policy.fs.some((g) => isWithin(path, g.path) || isWithin(g.path, path));
}

/**
 * The policy grants that decide at a path, given the grants covering it: the
 * most specific of the policy's own (several when they name the same
 * directory), else the app's directory's default. Flags add to these.
 */
function decidingGrants(covering: FsGrant[]): FsGrant[] {
  const dirs = covering.filter((g) => g.from === "dirs");
  if (dirs.length === 0) return covering.filter((g) => g.from === "default");
  const depth = Math.max(...dirs.map((g) => g.path.length));
  return dirs.filter((g) => g.path.length === depth);
}

/** The grant that lets `cap` happen at `path`, or the denial. */
export function checkPath(policy: Policy, cap: FsCapability, path: string): Decision<FsGrant> {
  if (policy.allowAll) return allow({ path: "/", read: true, write: true, execute: true, from: "flag", source: "--allow-all" }, "--allow-all");
  if (isProcSelf(path)) {
    return deny(cap, path, "the process's own /proc entries are never exposed", "only --allow-all exposes them");
  }
  const own = policy.own;
  // (changing a directory that holds one of them, by rename or removal, is changing it too)
  const touches = (p: string) => isWithin(path, p) || (cap !== "read" && isWithin(p, path));
  if (own && (own.hidden.some(touches) || (cap !== "read" && own.fixed.some(touches)))) {
    return deny(cap, path, `${path} is EdgeBox's own (its cache, audit log or policy), never the app's`, "nothing: no grant covers it");
  }
  if (cap === "write" && isPolicyFile(path)) {
    return deny(cap, path, "an app may never write a policy file (.edgebox.json, edgebox.toml)", "edit it yourself, outside the app");
  }
  const covering = policy.fs.filter((g) => isWithin(path, g.path));
  const deciding = decidingGrants(covering);
  let best: FsGrant | undefined;
  for (const g of [...deciding, ...covering.filter((g) => g.from === "flag")]) {
    if (g[cap] && (!best || g.path.length > best.path.length)) best = g;
  }
  if (best) return allow(best, `${best.source} grants ${cap} on ${best.path}`);
  const rule =
    deciding.length && deciding[0]!.from === "dirs" && covering.some((g) => g[cap])
      ? `${deciding.map((g) => g.source).join(", ")}, the most specific grant covering ${path}, does not grant ${cap}`
      : covering.length
        ? `${covering.map((g) => g.source).join(", ")} covers ${path} without ${cap}`
        : `no grant covers ${path}`;
  return deny(cap, path, rule, remedy(policy, cap, path));
}

/**
 * A link (symbolic or hard) may only point inside the grants: a symlink's
 * target anywhere the guest may read or write, a hard link's source where it
 * may write (a hard link shares the file, so it would carry write access).
 */
export function checkLinkTarget(policy: Policy, kind: "symlink" | "hardlink", target: string): Decision<FsGrant> {
  if (kind === "hardlink") return checkPath(policy, "write", target);
  const d = checkPath(policy, "read", target);
  if (d.ok) return d;
  const w = checkPath(policy, "write", target);
  if (w.ok) return w;
  return deny("write", target, `a symlink may not point outside the grants (${target})`, d.denial.remedy);
}
