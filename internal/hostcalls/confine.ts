// Confinement of spawned commands to the policy's grants: bubblewrap on
// Linux (new mount, pid, ipc and uts namespaces; only the granted dirs, the
// system's program and library dirs read-only, a private /tmp and /dev; no
// network unless the policy grants some), sandbox-exec on macOS.

import { existsSync, mkdtempSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Policy } from "../policy/types.ts";
import { isWithin } from "../policy/fs.ts";

/** What every program needs to start: read-only, whatever the grants. */
const SYSTEM_DIRS = ["/usr", "/bin", "/sbin", "/lib", "/lib32", "/lib64", "/libx32"];
const SYSTEM_FILES = ["/etc/ld.so.cache", "/etc/ld.so.conf", "/etc/ld.so.conf.d", "/etc/alternatives", "/etc/localtime"];

export interface Confinement {
  /** The argv to run instead of the command's own, and a file to give the child as its fd 3 (bubblewrap's --seccomp). */
  wrap(argv: string[], cwd: string): { argv: string[]; fd3?: string };
  describe: string;
}

/**
 * A seccomp filter (classic BPF) that refuses socket(AF_UNIX, ...) with
 * EACCES: a new network namespace leaves the Unix socket files under the
 * grants (an agent's, docker's, D-Bus') reachable. Written once per process;
 * none on an architecture it does not know.
 */
let filterFile: string | null | undefined;
function unixSocketFilter(): string | undefined {
  if (filterFile !== undefined) return filterFile ?? undefined;
  const arch = process.arch === "x64" ? { audit: 0xc000003e, socket: 41 } : process.arch === "arm64" ? { audit: 0xc00000b7, socket: 198 } : undefined;
  if (!arch) return (filterFile = null) ?? undefined;
  const LD_ABS = 0x20, JEQ = 0x15, RET = 0x06, ALLOW = 0x7fff0000, EACCES = 0x00050000 | 13;
  const prog: [number, number, number, number][] = [
    [LD_ABS, 0, 0, 4], // seccomp_data.arch
    [JEQ, 0, 4, arch.audit],
    [LD_ABS, 0, 0, 0], // .nr
    [JEQ, 0, 2, arch.socket],
    [LD_ABS, 0, 0, 16], // .args[0], low half: the domain
    [JEQ, 1, 0, 1], // AF_UNIX
    [RET, 0, 0, ALLOW],
    [RET, 0, 0, EACCES],
  ];
  const bytes = Buffer.alloc(prog.length * 8);
  prog.forEach(([code, jt, jf, k], i) => {
    bytes.writeUInt16LE(code, i * 8);
    bytes.writeUInt8(jt, i * 8 + 2);
    bytes.writeUInt8(jf, i * 8 + 3);
    bytes.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  filterFile = join(mkdtempSync(join(tmpdir(), "edgebox-filter-")), "no-unix-sockets.bpf");
  writeFileSync(filterFile, bytes, { mode: 0o400 });
  return filterFile;
}

function which(name: string): string | undefined {
  for (const dir of (process.env.PATH ?? "").split(":")) {
    if (dir && existsSync(join(dir, name))) return join(dir, name);
  }
  return undefined;
}

function bubblewrap(bwrap: string, policy: Policy): Confinement {
  return {
    describe: "bubblewrap",
    wrap(argv, cwd) {
      const args = [bwrap, "--die-with-parent", "--new-session", "--unshare-ipc", "--unshare-pid", "--unshare-uts", "--unshare-cgroup-try"];
      // A child's connections cannot be held to URL patterns: it gets the network only when any URL
      // is allowed and none is blocked; without it, no Unix sockets either.
      const noNet = (policy.net.allow !== "all" || policy.net.block.length > 0) && !policy.allowAll;
      const fd3 = noNet ? unixSocketFilter() : undefined;
      if (noNet) args.push("--unshare-net");
      if (fd3) args.push("--seccomp", "3");
      for (const d of SYSTEM_DIRS) args.push("--ro-bind-try", d, d);
      for (const f of SYSTEM_FILES) args.push("--ro-bind-try", f, f);
      args.push("--tmpfs", "/tmp");
      // Parents first, so that a write grant inside a read grant is mounted over it.
      const grants = [...policy.fs].sort((a, b) => a.path.length - b.path.length);
      for (const g of grants) {
        if (g.path === "/" && !g.write) continue; // "/" read-only: the system dirs above, nothing more
        // The host's /proc (and /dev) never enter: /proc/<pid>/root and /environ lead out of any confinement.
        if (isWithin(g.path, "/proc") || isWithin(g.path, "/dev")) continue;
        args.push(g.write ? "--bind-try" : "--ro-bind-try", g.path, g.path);
      }
      // EdgeBox's cache and audit log out of sight under a read grant (under a write grant no
      // command runs at all: child.ts).
      const granted = (p: string) => grants.some((g) => isWithin(p, g.path));
      for (const p of policy.own?.hidden ?? []) {
        if (!granted(p) || !existsSync(p)) continue;
        if (statSync(p).isDirectory()) args.push("--tmpfs", p);
        else args.push("--ro-bind", "/dev/null", p);
      }
      // Last, so that they cover whatever a grant of "/" brought along.
      args.push("--proc", "/proc", "--dev", "/dev");
      args.push("--chdir", cwd, "--", ...argv);
      return { argv: args, fd3 };
    },
  };
}

/** A macOS sandbox profile allowing reads and writes only under the grants. */
function sandboxExec(policy: Policy): Confinement {
  const q = (p: string) => JSON.stringify(p);
  const rules = ["(version 1)", "(deny default)", "(allow process*)", "(allow sysctl-read)", "(allow mach-lookup)", "(allow signal (target self))"];
  rules.push(`(allow file-read* ${SYSTEM_DIRS.concat(["/System", "/Library", "/private/etc", "/dev"]).map((d) => `(subpath ${q(d)})`).join(" ")})`);
  for (const g of policy.fs) {
    if (g.read || g.execute) rules.push(`(allow file-read* (subpath ${q(g.path)}))`);
    if (g.write) rules.push(`(allow file-write* (subpath ${q(g.path)}))`);
  }
  if (policy.net.allow !== "none") rules.push("(allow network*)");
  const profile = rules.join("\n");
  return { describe: "sandbox-exec", wrap: (argv) => ({ argv: ["/usr/bin/sandbox-exec", "-p", profile, ...argv] }) };
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
