// The errors host calls report to the guest, shaped as node shapes them:
// `code`, `errno`, `syscall`, `path`, and a message such as
// "EACCES: permission denied, open '/etc/passwd'". A policy denial adds the
// rule that refused and how to allow it.

import { constants as osConstants } from "node:os";
import type { Denial } from "../policy/types.ts";

const descriptions: Record<string, string> = {
  EACCES: "permission denied",
  ENOENT: "no such file or directory",
  EEXIST: "file already exists",
  ENOTDIR: "not a directory",
  EISDIR: "illegal operation on a directory",
  ENOTEMPTY: "directory not empty",
  EBADF: "bad file descriptor",
  ELOOP: "too many symbolic links encountered",
  EXDEV: "cross-device link not permitted",
  EINVAL: "invalid argument",
  EPERM: "operation not permitted",
  EMFILE: "too many open files",
  ENAMETOOLONG: "name too long",
  ENOSPC: "no space left on device",
  EROFS: "read-only file system",
  EBUSY: "resource busy or locked",
  ETXTBSY: "text file is busy",
  ENXIO: "no such device or address",
  ETIMEDOUT: "timed out",
};

/** Thrown inside a host call; the dispatcher turns it into the guest's error. */
export class GuestError extends Error {
  constructor(readonly info: { code: string; message: string; [k: string]: unknown }) {
    super(info.message);
  }
}

export function systemError(code: string, syscall: string, path?: string, dest?: string, detail?: string): GuestError {
  let message = `${code}: ${descriptions[code] ?? code.toLowerCase()}, ${syscall}`;
  if (path !== undefined) message += ` '${path}'`;
  if (dest !== undefined) message += ` -> '${dest}'`;
  if (detail) message += ` (${detail})`;
  const errno = (osConstants.errno as Record<string, number>)[code];
  return new GuestError({
    code,
    message,
    errno: errno === undefined ? undefined : -errno,
    syscall,
    ...(path !== undefined ? { path } : {}),
    ...(dest !== undefined ? { dest } : {}),
  });
}

/** A policy denial of a file operation: EACCES, naming the rule and the remedy. */
export function fsDenied(d: Denial, syscall: string, path: string, dest?: string): GuestError {
  const err = systemError("EACCES", syscall, path, dest, `edgebox: ${d.rule}; to allow it, ${d.remedy}`);
  err.info.edgebox = { capability: d.capability, target: d.target, rule: d.rule, remedy: d.remedy };
  return err;
}

/** A policy denial of a command, URL or variable: ERR_ACCESS_DENIED. */
export function accessDenied(d: Denial, what: string): GuestError {
  return new GuestError({
    code: "ERR_ACCESS_DENIED",
    message: `Access to ${what} denied by the sandbox policy: ${d.rule}; to allow it, ${d.remedy}`,
    permission: d.capability,
    resource: d.target,
    edgebox: { capability: d.capability, target: d.target, rule: d.rule, remedy: d.remedy },
  });
}

export function invalidArg(message: string): GuestError {
  return new GuestError({ code: "ERR_INVALID_ARG_VALUE", message });
}

/** A guest value in a message: as JSON (quoted, control characters escaped; never through its own toString), cut short. */
export function shown(v: unknown, max = 100): string {
  const s = JSON.stringify(v) ?? typeof v;
  return s.length > max ? `${s.slice(0, max)}...` : s;
}

// (built on the first use, not at start-up)
let errnoNames: Map<number, string> | undefined;

/** The name of errno `n` (ENOENT for 2); `E<n>` for one the OS does not name. */
export function errnoName(n: number): string {
  errnoNames ??= new Map(Object.entries(osConstants.errno).map(([k, v]) => [v as number, k]));
  return errnoNames.get(n) ?? `E${n}`;
}
