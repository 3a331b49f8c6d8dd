// Confinement of spawned commands to the policy's grants: bubblewrap on
// Linux (new mount, pid, ipc and uts namespaces; only the granted dirs, the
// system's program and library dirs read-only, a private /tmp and /dev; no
// network unless the policy grants some), sandbox-exec on macOS.

import { closeSync, constants, existsSync, fstatSync, lstatSync, mkdirSync, openSync, readFileSync, readlinkSync, readSync, realpathSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { Policy } from "../policy/types.ts";
import { isWithin } from "../policy/fs.ts";
import { deniedPrograms } from "./programs.ts";
import { seccompFilter } from "./seccomp.ts";

/** What every program needs to start: read-only, whatever the grants. */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
const SYSTEM_FILES = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime"];

/** The argv to run instead of the command's own, and open descriptors to give the child as its fds 3, 4, ... (the caller closes them). */
export interface Wrapped {
  argv: string[];
  fds: number[];
  /**
   * Run in a process group of its own; once the wrapper has exited (or is
   * being killed), `reap(pid)` ends whatever it left behind (without a pid:
   * it never started). Called at least once.
   */
  reap?: (pid?: number) => void;
}

export interface Confinement {
  /** Throws CannotConfine when a grant or EdgeBox's own file is no longer where it was. */
  wrap(argv: string[], cwd: string): Wrapped;
  /** A child that only starts: whether the confinement works here at all. */
  probe(): Wrapped;
  /**
   * Whether it keeps a child from moving what lies inside a write grant (a
   * nested grant, EdgeBox's own files): without that, no command may run
   * while a write grant holds any.
   */
  holdsPlaces: boolean;
  describe: string;
}

/**
 * Whether a child gets the network: its connections cannot be held to URL
 * patterns, so only when any URL is allowed and none is blocked.
 */
function childNetwork(policy: Policy): boolean {
  return (policy.net.allow === "all" && policy.net.block.length === 0) || policy.allowAll;
}

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

/** A grant or one of EdgeBox's own files is no longer what the policy decided on (a link now), or cannot be protected: no child may start. */
export class CannotConfine extends Error {}

/** The system dirs here, each with its link's target when it is a link: asked once. */
let systemDirList: [string, string | undefined][] | undefined;
function systemDirs(): [string, string | undefined][] {
  systemDirList ??= SYSTEM_DIRS.filter((d) => existsSync(d)).map((d) => [d, lstatSync(d).isSymbolicLink() ? readlinkSync(d) : undefined]);
  return systemDirList;
}

/** O_PATH (Linux): a descriptor that names a file without opening its contents. */
const O_PATH = 0o10000000;

/**
 * A descriptor of `path` as it stands, or undefined when nothing is there;
 * CannotConfine when any component is now a link (the descriptor's own path,
 * read back from /proc, is not the path asked for). A mount made from it
 * is that very directory or file, whatever is renamed meanwhile.
 */
function openPlace(path: string): number | undefined {
  let fd: number;
  try {
    fd = openSync(path, O_PATH | constants.O_NOFOLLOW);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw new CannotConfine(`${path} is no longer the directory it was (${(err as NodeJS.ErrnoException).code === "ELOOP" ? "a link now" : (err as Error).message})`);
  }
  if (readlinkSync(`/proc/self/fd/${fd}`) !== path || fstatSync(fd).isSymbolicLink()) {
    closeSync(fd);
    throw new CannotConfine(`${path} is no longer the directory it was (a link now)`);
  }
  return fd;
}

/** The directories strictly between `dir` and `path` (below `dir`, above `path`), parents first. */
function between(dir: string, path: string): string[] {
  const out: string[] = [];
  for (let d = dirname(path); d !== dir && isWithin(d, dir) && d !== "/"; d = dirname(d)) out.unshift(d);
  return out;
}

/** The options this bubblewrap knows (its --help): asked once. */
let bwrapHelp: string | undefined;
function knows(bwrap: string, option: string): boolean {
  bwrapHelp ??= Bun.spawnSync([bwrap, "--help"], { stdout: "pipe", stderr: "pipe" }).stdout.toString();
  return bwrapHelp.includes(option);
}

const O_TMPFILE = 0o20200000; // (Linux; node's constants do not name it)

/**
 * Where bubblewrap says what it started (--json-status-fd): an unnamed file,
 * open once for it to write and once for us to read, or undefined where the
 * file system has no unnamed files.
 */
function statusFile(): { write: number; read: number } | undefined {
  let write: number;
  try {
    write = openSync(tmpdir(), constants.O_RDWR | O_TMPFILE, 0o600);
  } catch {
    return undefined;
  }
  try {
    return { write, read: openSync(`/proc/self/fd/${write}`, "r") };
  } catch {
    closeSync(write);
    return undefined;
  }
}

/**
 * Ends what a bubblewrap killed during its set-up left behind (once; later
 * calls do nothing). Its sandbox's first process waits for the word to go on
 * (an eventfd that never reads as closed), then calls setsid, then asks to
 * die with its parent: bubblewrap killed before the word leaves it waiting
 * forever, holding the child's stdio; killed between setsid and that request,
 * running unwatched. The first is still in bubblewrap's process group; the
 * second has the pid bubblewrap reported, the init of the sandbox's pid
 * namespace (killing it ends everything in there). Once bubblewrap reported
 * an exit code, its sandbox is gone and nothing is signalled. Both numbers may
 * be free by then (bubblewrap collected, the init gone by itself): the init is
 * signalled only while that pid is still a namespace's init.
 */
function reaper(status: number | undefined): (pid?: number) => void {
  let done = false;
  return (pid) => {
    if (done) return;
    done = true;
    const text = status === undefined ? "" : readStatus(status);
    // (after a reported exit the group is empty: a signal to its number could reach only whoever took it since)
    if (pid === undefined || text.includes('"exit-code"')) return;
    kill(-pid);
    const child = /"child-pid": *(\d+)/.exec(text);
    if (child && namespaceInit(Number(child[1]))) kill(Number(child[1]));
  };
}

/** What bubblewrap wrote to its status file (closed after). */
function readStatus(status: number): string {
  const buf = Buffer.alloc(4096);
  try {
    return buf.subarray(0, readSync(status, buf, 0, buf.length, 0)).toString();
  } catch {
    return ""; // (unreadable: the process group is all there is to end)
  } finally {
    closeSync(status);
  }
}

/** Whether `pid` is still the init of a pid namespace (not a process that took the number of one gone). */
function namespaceInit(pid: number): boolean {
  try {
    return /^NSpid:[ \t]+\d+([ \t]+\d+)*[ \t]+1$/m.test(readFileSync(`/proc/${pid}/status`, "utf8"));
  } catch {
    return false; // (gone)
  }
}

function kill(target: number): void {
  try {
    process.kill(target, 9);
  } catch {
    // (gone already)
  }
}

/** What lies at `path` out of the child's sight: an empty read-only directory, or an empty file. */
function hide(args: string[], path: string): void {
  let st;
  try {
    st = statSync(path);
  } catch {
    return; // nothing there to see
  }
  if (st.isDirectory()) args.push("--tmpfs", path, "--remount-ro", path);
  else args.push("--ro-bind", "/dev/null", path);
}

function bubblewrap(bwrap: string, policy: Policy): Confinement {
  // (mounts from descriptors: --bind-fd, 0.8 and later)
  const holdsPlaces = knows(bwrap, "--bind-fd");
  const build = (argv: string[], cwd: string, full: boolean): Wrapped => {
    const fds: number[] = [];
    const give = (fd: number) => String(3 + fds.push(fd) - 1);
    let status: number | undefined;
    try {
      const args = [bwrap, "--die-with-parent", "--new-session", "--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"];
      // Run by root, bubblewrap leaves the child every capability, in the host's own user
      // namespace: a mount or mknod away from the whole disk. It runs with none.
      if (process.getuid?.() === 0) {
        if (!knows(bwrap, "--cap-drop")) throw new CannotConfine("this bubblewrap cannot drop a child's capabilities (--cap-drop), which a child of root would keep");
        args.push("--cap-drop", "ALL");
      }
      // (0.4 and later: an older one is left to its --die-with-parent alone)
      const file = knows(bwrap, "--json-status-fd") ? statusFile() : undefined;
      if (file) {
        args.push("--json-status-fd", give(file.write));
        status = file.read;
      }
      // without the network, no Unix sockets either; never a set-uid file (seccomp.ts)
      const noNet = !childNetwork(policy);
      if (noNet) args.push("--unshare-net");
      const filter = seccompFilter(noNet);
      if (filter) args.push("--seccomp", give(openSync(filter, "r")));
      // (a system dir that is a link, /bin -> usr/bin, is the same link in the child: one mount of each
      // directory, so that one mask covers a program under every name)
      for (const [d, link] of systemDirs()) args.push(...(link ? ["--symlink", link, d] : ["--ro-bind", d, d]));
      for (const f of SYSTEM_FILES) args.push("--ro-bind-try", f, f);
      args.push("--tmpfs", "/tmp");
      if (full) mountGrants(args, give);
      // Last, so that they cover whatever a grant of "/" brought along.
      args.push("--proc", "/proc", "--dev", "/dev");
      args.push("--chdir", cwd, "--", ...argv);
      return { argv: args, fds, reap: reaper(status) };
    } catch (err) {
      for (const fd of [...fds, ...(status === undefined ? [] : [status])]) closeSync(fd);
      throw err;
    }
  };

  const mountGrants = (args: string[], give: (fd: number) => string) => {
    const grants = policy.fs.filter((g) => !(g.path === "/" && !g.write) && !isWithin(g.path, "/proc") && !isWithin(g.path, "/dev"));
    // The nearest grant around `path` (other than at it) decides whether a child could move what lies between.
    const around = (path: string) =>
      grants.filter((g) => g.path !== path && isWithin(path, g.path)).sort((a, b) => b.path.length - a.path.length)[0];
    const own = policy.own ?? { hidden: [], fixed: [] };
    // Grants, and the directories between a write grant and what lies inside it (a nested grant,
    // EdgeBox's own files): each a mount point in the child, which it can neither rename nor remove.
    // path -> writable, or "hidden": a grant that takes every capability away shows the child nothing there
    const places = new Map<string, boolean | "hidden">();
    for (const g of grants) {
      const prev = places.get(g.path); // (two grants of one path combine)
      const none = !g.read && !g.write && !g.execute;
      places.set(g.path, prev === true || g.write ? true : none && (prev ?? "hidden") === "hidden" ? "hidden" : false);
    }
    if (holdsPlaces) {
      // (own paths as written may pass through a link: only their real paths are held)
      const real = (p: string) => {
        try {
          return realpathSync(p) === p;
        } catch {
          return false;
        }
      };
      for (const inner of [...grants.map((g) => g.path), ...own.hidden.filter(real), ...own.fixed]) {
        const w = around(inner);
        if (w?.write) for (const d of between(w.path, inner)) if (!places.has(d)) places.set(d, true);
      }
    }
    // Between the app and its policy, read-only: a policy file written there would be found first on the next run.
    const writable = (d: string) => {
      const v = places.get(d);
      return v === undefined ? around(d)?.write : v === true;
    };
    for (const d of own.nearer ?? []) if (writable(d)) places.set(d, false);
    // Parents first, so that a write grant inside a read grant is mounted over it.
    for (const [path, write] of [...places].sort((a, b) => a[0].length - b[0].length)) {
      if (write === "hidden") {
        hide(args, path);
        continue;
      }
      if (!holdsPlaces) {
        args.push(write ? "--bind-try" : "--ro-bind-try", path, path);
        continue;
      }
      const fd = openPlace(path);
      if (fd !== undefined) args.push(write ? "--bind-fd" : "--ro-bind-fd", give(fd), path);
    }
    const mounted = (p: string) => grants.some((g) => isWithin(p, g.path));
    // EdgeBox's cache and audit log out of sight; under a write grant, it could not be created either.
    for (const p of own.hidden) {
      if (!mounted(p)) continue;
      if (!existsSync(p)) {
        if (!around(p)?.write) continue;
        try {
          mkdirSync(p, { recursive: true, mode: 0o700 });
        } catch (err) {
          throw new CannotConfine(`${p} (EdgeBox's own) cannot be kept from the child: ${(err as Error).message}`);
        }
      }
      hide(args, p);
    }
    // The policy in use, read-only where a grant would let the child write it.
    for (const p of own.fixed) {
      if (!around(p)?.write) continue;
      const fd = openPlace(p);
      if (fd !== undefined) args.push("--ro-bind-fd", give(fd), p);
    }
    // Denied programs cannot be executed by any name: each of their files, wherever the child sees it, is empty.
    const roots: [string, string][] = systemDirs().filter(([, link]) => !link).map(([d]) => [d, realpathSync(d)]);
    for (const g of grants) roots.push([g.path, g.path]);
    const masked = new Set<string>();
    for (const file of deniedPrograms(policy)) {
      for (const [dest, src] of roots) if (isWithin(file, src)) masked.add(src === "/" ? file : dest + file.slice(src.length));
    }
    for (const m of masked) args.push("--ro-bind", "/dev/null", m);
  };

  return {
    describe: "bubblewrap",
    holdsPlaces,
    wrap: (argv, cwd) => build(argv, cwd, true),
    probe: () => build(["/bin/sh", "-c", "exit 0"], "/", false),
  };
}

/**
 * A macOS sandbox profile allowing reads and writes only under the grants;
 * EdgeBox's own files and the denied programs excepted (later rules win).
 */
function sandboxExec(policy: Policy): Confinement {
  const q = (p: string) => JSON.stringify(p);
  const rules = ["(version 1)", "(deny default)", "(allow process*)", "(allow sysctl-read)", "(allow mach-lookup)", "(allow signal (target self))"];
  rules.push(`(allow file-read* ${SYSTEM_DIRS.concat(["/System", "/Library", "/private/etc", "/dev"]).map((d) => `(subpath ${q(d)})`).join(" ")})`);
  // the most specific grant decides every capability: deeper grants last (later rules win)
  for (const g of [...policy.fs].sort((a, b) => a.path.length - b.path.length)) {
    rules.push(`(${g.read || g.execute ? "allow" : "deny"} file-read* (subpath ${q(g.path)}))`);
    rules.push(`(${g.write ? "allow" : "deny"} file-write* (subpath ${q(g.path)}))`);
  }
  if (childNetwork(policy)) rules.push("(allow network*)");
  for (const p of policy.own?.hidden ?? []) rules.push(`(deny file-read* file-write* (subpath ${q(p)}))`);
  for (const p of policy.own?.fixed ?? []) rules.push(`(deny file-write* (literal ${q(p)}))`);
  rules.push(`(deny file-write* (regex #"/\\.edgebox\\.json$" #"/edgebox\\.toml$"))`); // no policy file, anywhere
  for (const p of deniedPrograms(policy)) rules.push(`(deny process-exec (literal ${q(p)}))`);
  const profile = rules.join("\n");
  const wrap = (argv: string[]): Wrapped => ({ argv: ["/usr/bin/sandbox-exec", "-p", profile, ...argv], fds: [] });
  return { describe: "sandbox-exec", holdsPlaces: false, wrap, probe: () => wrap(["/bin/sh", "-c", "exit 0"]) };
}

/** The confinement available on this machine, or undefined. */
export function findConfinement(policy: Policy): Confinement | undefined {
  if (process.platform === "linux") {
    const bwrap = which("bwrap");
    return bwrap ? bubblewrap(bwrap, policy) : undefined;
  }
  if (process.platform === "darwin" && existsSync("/usr/bin/sandbox-exec")) return sandboxExec(policy);
  return undefined;
}
