// The seccomp filter (classic BPF) every confined child runs under (Linux,
// through bubblewrap's --seccomp):
// - no file made set-user-ID or set-group-ID (chmod, fchmod, fchmodat,
//   mknod, creat, open with O_CREAT or O_TMPFILE: EPERM): run by root, a
//   child's set-uid file in a write grant would be a root program anyone on
//   the machine could run (openat2, whose mode the filter cannot see, and
//   io_uring_setup, whose queued opens it cannot see either, are ENOSYS:
//   callers fall back to openat);
// - no new user namespace (unshare or clone with CLONE_NEWUSER: EPERM;
//   clone3, whose flags it cannot see, ENOSYS: callers fall back to clone):
//   capabilities inside one would let a child mount over its grants (an
//   overlay whose copy-up makes files the filter never sees);
// - without the network, no socket(AF_UNIX, ...) (EACCES): a new network
//   namespace leaves the Unix socket files under the grants (an agent's,
//   docker's, D-Bus') reachable.
// A 64-bit child can make the calls of another ABI too (int 0x80 on x86-64,
// x32's numbers): i386's are held to the same rules (its socketcall, which
// multiplexes socket(), refused whole), x32's and any other ABI's refused.
// Each program is written once per process and unlinked at once (held by a
// descriptor: no child can replace it); each spawn opens it anew through
// /proc. None on an architecture this does not know.

import { constants, mkdtempSync, openSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

/** An ABI's calls, by number: the ones the rules look at. */
interface Abi {
  audit: number;
  /** Numbers from here on are another ABI's (x32's, on x86-64): refused. */
  foreignFrom?: number;
  socket: number;
  socketcall?: number;
  /** Calls that set a mode: [number, index of the mode argument]. */
  modes: [number, number][];
  /** Calls that may create a file: [number, index of the flags argument, index of the mode argument]. */
  opens: [number, number, number][];
  /** Calls whose mode or flags the filter cannot see (openat2's and clone3's are in a struct, io_uring's opens in its queue): ENOSYS. */
  unseen: number[];
  /** Calls whose first argument holds clone flags (unshare, clone): no new user namespace. */
  clones: number[];
}

const ABIS: Partial<Record<NodeJS.Architecture, Abi[]>> = {
  x64: [
    { audit: 0xc000003e, foreignFrom: 0x40000000, socket: 41, modes: [[90, 1], [91, 1], [268, 2], [452, 2], [133, 1], [259, 2], [85, 1]], opens: [[2, 1, 2], [257, 2, 3]], unseen: [437, 425, 435], clones: [272, 56] },
    // i386, through int 0x80
    { audit: 0x40000003, socket: 359, socketcall: 102, modes: [[15, 1], [94, 1], [306, 2], [452, 2], [14, 1], [297, 2], [8, 1]], opens: [[5, 1, 2], [295, 2, 3]], unseen: [437, 425, 435], clones: [310, 120] },
  ],
  arm64: [{ audit: 0xc00000b7, socket: 198, modes: [[52, 1], [53, 2], [452, 2], [33, 2]], opens: [[56, 2, 3]], unseen: [437, 425, 435], clones: [97, 220] }],
};

const LD_ABS = 0x20, JEQ = 0x15, JGE = 0x35, JSET = 0x45, RET = 0x06;
const ALLOW = 0x7fff0000, ERRNO = 0x00050000;
const EPERM = 1, EACCES = 13, ENOSYS = 38;
const SET_ID = 0o6000;
const CLONE_NEWUSER = 0x10000000;
const CREATES = 0o100 | 0o20000000; // O_CREAT | __O_TMPFILE
const ARG = (i: number) => 16 + 8 * i; // seccomp_data.args[i], its low half

type Jump = number | string;
type Insn = [number, Jump, Jump, number];

/** The program: per ABI, its rules; an unknown ABI's calls refused whole. */
function filterProgram(abis: Abi[], noNet: boolean): [number, number, number, number][] {
  const code: (Insn | string)[] = [[LD_ABS, 0, 0, 4]]; // seccomp_data.arch
  abis.forEach((a, i) => code.push([JEQ, `abi${i}`, 0, a.audit]));
  code.push([RET, 0, 0, ERRNO | EACCES]);
  const modeArgs = new Set<number>();
  const openArgs = new Map<string, [number, number]>();
  abis.forEach((a, i) => {
    code.push(`abi${i}`, [LD_ABS, 0, 0, 0]); // .nr
    if (a.foreignFrom !== undefined) code.push([JGE, "eacces", 0, a.foreignFrom]);
    if (noNet && a.socketcall !== undefined) code.push([JEQ, "eacces", 0, a.socketcall]);
    if (noNet) code.push([JEQ, "domain", 0, a.socket]);
    for (const [nr, m] of a.modes) code.push([JEQ, `mode${m}`, 0, nr]), modeArgs.add(m);
    for (const [nr, f, m] of a.opens) code.push([JEQ, `open${f}_${m}`, 0, nr]), openArgs.set(`${f}_${m}`, [f, m]), modeArgs.add(m);
    for (const nr of a.unseen) code.push([JEQ, "enosys", 0, nr]);
    for (const nr of a.clones) code.push([JEQ, "clone", 0, nr]);
    code.push([RET, 0, 0, ALLOW]);
  });
  // (jumps go forward only: the open checks before the mode checks they lead to)
  for (const [key, [f, m]] of openArgs) code.push(`open${key}`, [LD_ABS, 0, 0, ARG(f)], [JSET, `mode${m}`, 0, CREATES], [RET, 0, 0, ALLOW]);
  for (const m of modeArgs) code.push(`mode${m}`, [LD_ABS, 0, 0, ARG(m)], [JSET, "eperm", 0, SET_ID], [RET, 0, 0, ALLOW]);
  code.push("domain", [LD_ABS, 0, 0, ARG(0)], [JEQ, "eacces", 0, 1], [RET, 0, 0, ALLOW]); // AF_UNIX
  code.push("clone", [LD_ABS, 0, 0, ARG(0)], [JSET, "eperm", 0, CLONE_NEWUSER], [RET, 0, 0, ALLOW]);
  code.push("eacces", [RET, 0, 0, ERRNO | EACCES], "eperm", [RET, 0, 0, ERRNO | EPERM], "enosys", [RET, 0, 0, ERRNO | ENOSYS]);
  // labels -> jump offsets (from the instruction after the jump)
  const at = new Map<string, number>();
  let n = 0;
  for (const c of code) typeof c === "string" ? at.set(c, n) : n++;
  const prog: [number, number, number, number][] = [];
  for (const c of code) {
    if (typeof c === "string") continue;
    const to = (j: Jump) => (typeof j === "number" ? j : at.get(j)! - prog.length - 1);
    prog.push([c[0], to(c[1]), to(c[2]), c[3]]);
  }
  if (prog.some(([, jt, jf]) => jt > 255 || jf > 255)) throw new Error("seccomp: a jump too far");
  return prog;
}

const written = new Map<boolean, number | null>();

/** The filter for a child (with or without the network), as a path bubblewrap can open; undefined on an unknown architecture. */
export function seccompFilter(noNet: boolean): string | undefined {
  if (!written.has(noNet)) {
    const abis = ABIS[process.arch];
    written.set(noNet, abis ? writeFilter(filterProgram(abis, noNet)) : null);
  }
  const fd = written.get(noNet);
  return fd == null ? undefined : `/proc/self/fd/${fd}`;
}

function writeFilter(prog: [number, number, number, number][]): number {
  const bytes = Buffer.alloc(prog.length * 8);
  prog.forEach(([code, jt, jf, k], i) => {
    bytes.writeUInt16LE(code, i * 8);
    bytes.writeUInt8(jt, i * 8 + 2);
    bytes.writeUInt8(jf, i * 8 + 3);
    bytes.writeUInt32LE(k >>> 0, i * 8 + 4);
  });
  const dir = mkdtempSync(join(tmpdir(), "edgebox-filter-"));
  const file = join(dir, "child.bpf");
  writeFileSync(file, bytes, { mode: 0o400 });
  const fd = openSync(file, constants.O_RDONLY);
  rmSync(dir, { recursive: true });
  return fd;
}
