// The audit log (--audit <file>, or the policy's "audit"): one JSON line per
// capability decision, appended as it is made, so that a run cut short
// still leaves every line before the cut.

import { closeSync, openSync, writeSync } from "node:fs";
import type { AuditEvent } from "../hostcalls/context.ts";
import { UserError } from "../errors.ts";

export interface AuditLog {
  write(e: AuditEvent): void;
  close(): void;
}

export function openAuditLog(path: string): AuditLog {
  let fd: number;
  try {
    fd = openSync(path, "a", 0o600);
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
