// The audit log (--audit <file>, or the policy's "audit"): one JSON line per
// capability decision, appended as it is made, so that a run cut short
// still leaves every line before the cut.

import { closeSync, constants, openSync, writeSync } from "node:fs";
import type { AuditEvent } from "../hostcalls/context.ts";
import { UserError } from "../errors.ts";

export interface AuditLog {
  write(e: AuditEvent): void;
  close(): void;
}

export function openAuditLog(path: string): AuditLog {
  let fd: number;
  try {
    // never through a link: the log must not be steered onto another file
    fd = openSync(path, constants.O_WRONLY | constants.O_APPEND | constants.O_CREAT | constants.O_NOFOLLOW, 0o600);
  } catch (err) {
    throw new UserError("E_USAGE", `cannot open the audit log ${path}: ${(err as Error).message}`);
  }
  return {
    write(e) {
      writeSync(fd, JSON.stringify({ time: new Date().toISOString(), ...e }) + "\n");
    },
    close() {
      closeSync(fd);
    },
  };
}
