// Path resolution for the policy: every existing component's symlinks
// followed (a `..` after a symlink resolved against its target, as the
// kernel does), the missing tail appended. The policy then decides on the
// result, and the operation acts on exactly that path (see fs-backend.ts).

import { lstatSync, readlinkSync, realpathSync } from "node:fs";
import { posix } from "node:path";
import { guestPath, hostPath, onWindows } from "../winpath.ts";

const { isAbsolute, resolve } = posix;

const MAX_LINKS = 40;

export class ResolveError extends Error {
  constructor(
    readonly code: "ELOOP" | "ENOTDIR" | "EINVAL" | "ENAMETOOLONG" | "EACCES",
    /** How far resolution got: the policy decides on this before the error may be shown. */
    readonly partial: string,
  ) {
    super(code);
  }
}

/**
 * Where a path would be found once `from` is renamed to `to`: what will be
 * under `to` is under `from` now, and `from` itself is gone.
 */
export function afterRename(from: string, to: string): (path: string) => string | undefined {
  const under = (p: string, dir: string) => p === dir || p.startsWith(dir + "/");
  return (p) => (under(p, to) ? from + p.slice(to.length) : under(p, from) ? undefined : p);
}

/**
 * The real path of `path` (relative to `cwd`). With `followLast` false the
 * last component is kept as is even when it is a symlink (lstat, unlink, rename).
 * `view` resolves in a tree as it would be after a change (see afterRename).
 */
export function resolveReal(
  cwd: string,
  path: string,
  followLast = true,
  mayLook?: (path: string) => boolean,
  view: (path: string) => string | undefined = (p) => p,
): string {
  if (path.includes("\0")) throw new ResolveError("EINVAL", resolve(cwd));
  const pending = (isAbsolute(path) ? path : `${cwd}/${path}`).split("/").filter((p) => p !== "" && p !== ".");
  pending.reverse(); // a stack: next component on top
  const done: string[] = [];
  let links = 0;
  while (pending.length > 0) {
    const part = pending.pop()!;
    if (part === "..") {
      done.pop();
      continue;
    }
    if (part.length > 255) throw new ResolveError("ENAMETOOLONG", "/" + done.join("/"));
    const here = "/" + [...done, part].join("/");
    const last = pending.length === 0;
    // Not even a look at what lies outside the grants: whether it exists or links on would show.
    if (mayLook && !mayLook(here)) throw new ResolveError("EACCES", here);
    const onDisk = view(here);
    let st;
    try {
      const host = onDisk === undefined ? undefined : hostPath(onDisk, true);
      // (a missing path answers undefined: no exception to make for the commonest miss)
      if (host !== undefined) st = lstatSync(host, { throwIfNoEntry: false });
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === "ENOTDIR") throw new ResolveError("ENOTDIR", here);
    }
    // Missing: nothing below can be a link, so the rest resolves lexically.
    if (st === undefined) return resolve("/" + done.join("/"), part, ...pending.reverse());
    if (st.isSymbolicLink() && (!last || followLast)) {
      if (++links > MAX_LINKS) throw new ResolveError("ELOOP", here);
      const target = linkText(onDisk!);
      const parts = target.split("/").filter((p) => p !== "" && p !== ".");
      if (target.startsWith("/")) done.length = 0;
      for (let i = parts.length - 1; i >= 0; i--) pending.push(parts[i]!);
      continue;
    }
    if (!last && !st.isDirectory()) throw new ResolveError("ENOTDIR", here);
    // (a link kept as it is keeps its name: the entry's own name would be its target's)
    done.push(onWindows && !st.isSymbolicLink() ? nameOnDisk(onDisk!, part) : part);
  }
  return "/" + done.join("/");
}

/** A link's text, in the guest's form (a Windows link names `C:\\x` or `..\\x`). */
function linkText(path: string): string {
  const text = readlinkSync(hostPath(path));
  return onWindows ? guestPath(text) : text;
}

/**
 * The name an existing entry really has on Windows, where a name in another
 * case or an 8.3 short name opens it too: the policy decides on this one
 * (`.EDGEBOX.JSON` is the policy file; `PROGRA~1` is `Program Files`).
 */
function nameOnDisk(path: string, part: string): string {
  const real = realpathSync.native(hostPath(path)).replace(/^\\\\\?\\/, "");
  const cut = Math.max(real.lastIndexOf("\\"), real.lastIndexOf("/"));
  const name = real.slice(cut + 1);
  if (name === "" || /^[A-Za-z]:$/.test(name)) return part.toLowerCase();
  // Elsewhere than in its directory: a link the lstat did not show (Wine's Unix links) led on.
  const parent = hostPath(path.slice(0, path.lastIndexOf("/")) || "/", true) ?? "";
  if (real.slice(0, cut).replace(/\\$/, "").toLowerCase() !== parent.replace(/\\$/, "").toLowerCase()) throw new ResolveError("EACCES", path);
  return name;
}
