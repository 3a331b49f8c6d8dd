// The time zone a run's Intl formats in, as node names it: TZ, else where
// /etc/localtime points (none: UTC, as the C library has it), else what Bun's
// Intl says (its first use costs ~10 ms of ICU set-up: a snapshot holding
// DateTimeFormat asks at every start). The names node shows as UTC are UTC here
// too.

import { readlinkSync } from "node:fs";

const UTC = new Set(["Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu", "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Etc/Greenwich", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich"]);

let zone: string | undefined;

export function hostTimeZone(): string {
  if (zone === undefined) {
    const tz = process.env.TZ;
    // (an empty TZ is UTC to the C library)
    const named = tz === "" ? "UTC" : tz !== undefined ? zoneName(tz.replace(/^:/, "")) : localtime();
    zone = named ?? Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (UTC.has(zone)) zone = "UTC";
  }
  return zone;
}

/** A zone file's name as the zone's: a path into a zoneinfo tree, or its posix/ and right/ variants, named by what follows. */
function zoneName(path: string): string {
  return path.replace(/^.*\/zoneinfo\//, "").replace(/^(?:posix|right)\//, "");
}

function localtime(): string | undefined {
  if (process.platform === "win32") return undefined;
  try {
    const target = readlinkSync("/etc/localtime");
    return target.includes("/zoneinfo/") ? zoneName(target) : undefined;
  } catch (err) {
    // none: the C library's UTC; not a link (a copied file): Intl knows
    return (err as NodeJS.ErrnoException).code === "ENOENT" ? "UTC" : undefined;
  }
}
