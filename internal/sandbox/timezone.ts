// The time zone a run's Intl formats in, as node names it: TZ, else where
// /etc/localtime points, else what Bun's Intl says (its first use costs ~10 ms
// of ICU set-up: a snapshot holding DateTimeFormat asks at every start). The
// names node shows as UTC are UTC here too.

import { readlinkSync } from "node:fs";

const UTC = new Set(["Etc/UTC", "Etc/UCT", "Etc/Universal", "Etc/Zulu", "UCT", "Universal", "Zulu", "Etc/GMT", "Etc/GMT0", "Etc/GMT+0", "Etc/GMT-0", "Etc/Greenwich", "GMT", "GMT0", "GMT+0", "GMT-0", "Greenwich"]);

let zone: string | undefined;

export function hostTimeZone(): string {
  if (zone === undefined) {
    const named = process.env.TZ?.replace(/^:/, "") || localtime() || Intl.DateTimeFormat().resolvedOptions().timeZone;
    zone = UTC.has(named) ? "UTC" : named;
  }
  return zone;
}

function localtime(): string | undefined {
  if (process.platform === "win32") return undefined;
  try {
    return /\/zoneinfo\/(.+)$/.exec(readlinkSync("/etc/localtime"))?.[1];
  } catch {
    return undefined; // not a link (a copied file) or none: Intl knows
  }
}
