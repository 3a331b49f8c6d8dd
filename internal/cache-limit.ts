// The host's caches (precompiled modules, QuickJS bytecode, transpiled
// TypeScript, and one directory per EdgeBox build) stay under a size. Without
// a bound every built app run, edited file and upgrade left its entry for
// good: a built app's native code is ~4 MB, and a build's directory ~40 MB.
// Eviction goes by last use (a hit touches its entry) and runs only after a
// miss wrote something (at a process's first write to a cache, then when its
// writes may pass the cap), so a run that finds what it needs pays one utimes.

import { readdirSync, rmSync, statSync, utimesSync } from "node:fs";
import { join } from "node:path";

/** Entries written or used this recently are never evicted (a concurrent run may be writing or mapping them). */
const FRESH_MS = 60_000;

/** Mark a cache entry used now. Best effort: a read-only cache only loses its order. */
export function touch(file: string): void {
  try {
    const now = new Date();
    utimesSync(file, now, now);
  } catch {
    // not ours to change: eviction then sees its write time
  }
}

interface Entry {
  files: string[];
  bytes: number;
  used: number;
}

/**
 * Remove the least recently used entries of `dir` until they take at most
 * `capBytes`. An entry is a file named `*<ext>` with its companion `<name>.sum`;
 * its last use is the newest modification time among them. Other files (the
 * build directory's native libraries) and subdirectories are left alone.
 */
export function limitDir(dir: string, capBytes: number, ext: string): number {
  const entries = new Map<string, Entry>();
  let total = 0;
  try {
    for (const d of readdirSync(dir, { withFileTypes: true })) {
      const key = d.name.endsWith(".sum") ? d.name.slice(0, -4) : d.name;
      if (!d.isFile() || !key.endsWith(ext)) continue;
      const st = statSync(join(dir, d.name), { throwIfNoEntry: false });
      if (!st) continue;
      const e = entries.get(key) ?? { files: [], bytes: 0, used: 0 };
      e.files.push(d.name);
      e.bytes += st.size;
      e.used = Math.max(e.used, st.mtimeMs);
      entries.set(key, e);
      total += st.size;
    }
  } catch {
    return 0; // not there or unreadable: nothing to limit
  }
  if (total <= capBytes) return total;
  const oldest = [...entries.values()].filter((e) => e.used < Date.now() - FRESH_MS).sort((a, b) => a.used - b.used);
  for (const e of oldest) {
    if (total <= capBytes) break;
    if (e.files.every((f) => remove(join(dir, f)))) total -= e.bytes;
  }
  return total;
}

/** Per directory: the bytes its entries held at this process's last scan, plus what it wrote there since. */
const held = new Map<string, number>();

/**
 * After writing an entry of `bytes` into `dir`: limitDir, but a scan only at
 * the process's first write there and when what it wrote since may pass the
 * cap (a cold run writing N entries scanned N times: N^2 stats).
 */
export function wrote(dir: string, bytes: number, capBytes: number, ext: string): void {
  const known = held.get(dir);
  held.set(dir, known !== undefined && known + bytes <= capBytes ? known + bytes : limitDir(dir, capBytes, ext));
}

/** Best effort: a file another process holds open (Windows) stays, and the eviction goes on. */
function remove(path: string): boolean {
  try {
    rmSync(path, { recursive: true, force: true });
    return true;
  } catch {
    return false;
  }
}

/** A build's cache directory name: `<version>-<build id>`. */
const BUILD_DIR = /^\d+\.\d+\.\d+[\w.+-]*-[0-9a-f]{12}$/;

/**
 * Remove the cache directories of other EdgeBox builds (an upgrade's old
 * version, a developer's earlier builds) that no run has used for `idleMs`.
 * Called when a build's directory is first filled, so once per build.
 */
export function dropIdleBuilds(parent: string, current: string, idleMs: number): void {
  let names: string[];
  try {
    names = readdirSync(parent).filter((n) => n !== current && BUILD_DIR.test(n));
  } catch {
    return;
  }
  for (const name of names) {
    const dir = join(parent, name);
    if (lastUse(dir) < Date.now() - idleMs) remove(dir);
  }
}

/** The newest modification time of a directory and the files directly in it (hits touch their entries). */
function lastUse(dir: string): number {
  try {
    let newest = statSync(dir).mtimeMs;
    for (const n of readdirSync(dir)) newest = Math.max(newest, statSync(join(dir, n), { throwIfNoEntry: false })?.mtimeMs ?? 0);
    return newest;
  } catch {
    return Date.now(); // unreadable: not ours to judge
  }
}
