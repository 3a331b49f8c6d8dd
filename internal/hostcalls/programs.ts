// What a command name means on this machine, for the command rules: the real
// program a name resolves to, every file that is that program (other names,
// hard links), and the interpreter a script names on its #! line.

import { closeSync, constants, fstatSync, lstatSync, openSync, readdirSync, readSync, realpathSync, statSync } from "node:fs";
import { NO_WAIT } from "../regular-file.ts";
import { isAbsolute, join, resolve } from "node:path";
import type { Policy } from "../policy/types.ts";

/** The host's PATH directories (absolute ones only). */
function pathDirs(): string[] {
  return (process.env.PATH ?? "/usr/bin:/bin").split(":").filter((d) => isAbsolute(d));
}

/** The real path of the executable `command` names: a path (relative to cwd) or a name found on the host's PATH. */
export function findExecutable(command: string, cwd: string): string | undefined {
  const candidates = command.includes("/") ? [resolve(cwd, command)] : pathDirs().map((d) => join(d, command));
  for (const c of candidates) {
    try {
      if (statSync(c, { throwIfNoEntry: false })?.isFile()) return realpathSync(c);
    } catch {
      // keep looking
    }
  }
  return undefined;
}

/** Where programs live: the usual directories, the host's PATH, and the directories granted execute. */
function programDirs(policy: Policy): string[] {
  const dirs = ["/usr/local/bin", "/usr/local/sbin", "/usr/bin", "/usr/sbin", "/bin", "/sbin", ...pathDirs()];
  for (const g of policy.fs) if (g.execute && g.path !== "/") dirs.push(g.path);
  const real = new Set<string>();
  for (const d of dirs) {
    try {
      if (statSync(d).isDirectory()) real.add(realpathSync(d));
    } catch {
      // not here
    }
  }
  return [...real];
}

/** A policy's command names, each as the real programs it stands for. */
const resolvedNames = new WeakMap<Policy, Map<string, string[]>>();

/**
 * The real programs a name in the policy means: a path, that file; a bare
 * name, each file of that name in a directory of programs (the host's PATH,
 * the usual ones, those granted execute). Cached per policy.
 */
export function namedPrograms(policy: Policy, name: string): string[] {
  let m = resolvedNames.get(policy);
  if (!m) resolvedNames.set(policy, (m = new Map()));
  let found = m.get(name);
  if (!found) {
    const dirs = name.includes("/") ? ["/"] : programDirs(policy);
    found = [...new Set(dirs.map((d) => findExecutable(join(d, name), "/")).filter((f): f is string => f !== undefined))];
    m.set(name, found);
  }
  return found;
}

/**
 * Every file that is a denied program, as the host sees it: what each denied
 * name resolves to, every file of that name in a directory of programs, and
 * the other names (hard links) of each. Computed once per policy: a child
 * cannot add programs where it could execute them unseen (write grants are
 * never executed from, see child.ts).
 */
const deniedCache = new WeakMap<Policy, string[]>();

export function deniedPrograms(policy: Policy): string[] {
  const cached = deniedCache.get(policy);
  if (cached) return cached;
  const dirs = programDirs(policy);
  const files = new Set<string>();
  for (const name of policy.run.deny) for (const f of namedPrograms(policy, name)) files.add(f);
  // Hard links: only a file with more than one name has any.
  const inodes = new Set<string>();
  for (const f of files) {
    const s = statSync(f, { throwIfNoEntry: false });
    if (s && s.nlink > 1) inodes.add(`${s.dev}:${s.ino}`);
  }
  if (inodes.size) {
    for (const d of dirs) {
      let entries: string[] = [];
      try {
        entries = readdirSync(d);
      } catch {
        // an execute-only directory: its files are reached by name only
      }
      for (const e of entries) {
        try {
          const s = lstatSync(join(d, e));
          if (s.isFile() && inodes.has(`${s.dev}:${s.ino}`)) files.add(join(d, e));
        } catch {
          // gone meanwhile
        }
      }
    }
  }
  const out = [...files];
  deniedCache.set(policy, out);
  return out;
}

/**
 * The interpreters a script runs under, outermost last: its #! program
 * (resolved; `env name` is name on PATH), and that one's if it is a script
 * too (the kernel follows at most 4). Empty for a binary.
 */
export function interpretersOf(file: string): string[] {
  const out: string[] = [];
  for (let f = file, depth = 0; depth < 4; depth++) {
    const line = firstLine(f);
    if (!line?.startsWith("#!")) break;
    const words = line.slice(2).trim().split(/\s+/).filter(Boolean);
    let prog = words[0] ? findExecutable(words[0], "/") : undefined;
    if (prog && prog.slice(prog.lastIndexOf("/") + 1) === "env") {
      const name = words.slice(1).find((w) => !w.startsWith("-") && !w.includes("="));
      if (name) {
        out.push(prog);
        prog = findExecutable(name, "/");
      }
    }
    if (!prog) break;
    out.push(prog);
    f = prog;
  }
  return out;
}

function firstLine(file: string): string | undefined {
  let fd: number | undefined;
  try {
    // never waits (a file swapped for a FIFO after it was checked), and only a regular file is read
    fd = openSync(file, constants.O_RDONLY | NO_WAIT);
    if (!fstatSync(fd).isFile()) return undefined;
    const buf = Buffer.alloc(256);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.subarray(0, n).toString("latin1").split("\n")[0];
  } catch {
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
