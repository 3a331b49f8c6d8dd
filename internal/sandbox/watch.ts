// `edgebox run --watch`: run the app in a child edgebox, and run it again
// when a file it loaded as code, or its policy file, changes. The child
// appends each such file to a list (WATCH_LIST_ENV) as it loads it, so a
// module loaded late is watched too. A child is a clean stop: whatever the
// run holds (timers, children, sockets) ends with it.

import { existsSync, type FSWatcher, mkdtempSync, readFileSync, rmSync, watch as fsWatch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { POLICY_FILES } from "../config/index.ts";
import { selfCommand } from "../self.ts";
import { WATCH_LIST_ENV } from "./run.ts";

/** Editors write a file in several steps: one restart per burst. */
const SETTLE_MS = 100;

function note(message: string): void {
  const line = `edgebox watch: ${message}`;
  process.stderr.write(process.stderr.isTTY ? `\x1b[2m${line}\x1b[22m\n` : `${line}\n`);
}

/** SIGTERM, then SIGKILL if it has not gone within 2 s; resolves when it has. */
async function stopChild(c: ReturnType<typeof Bun.spawn>): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  c.kill("SIGTERM");
  const killer = setTimeout(() => c.kill("SIGKILL"), 2000);
  await c.exited;
  clearTimeout(killer);
}

/**
 * The files watched whatever the child reports: the script, and the policy
 * files that could apply to it (a run that fails on a broken policy is run
 * again when the policy is fixed).
 */
function alwaysWatched(target: string): string[] {
  const files = existsSync(target) ? [target] : [];
  for (let d = dirname(target); ; d = dirname(d)) {
    for (const f of POLICY_FILES) if (existsSync(join(d, f))) files.push(join(d, f));
    if (dirname(d) === d) return files;
  }
}

export async function watchRun(runArgs: string[], target: string, o: { preserveOutput: boolean }): Promise<number> {
  const dir = mkdtempSync(join(tmpdir(), "edgebox-watch-"));
  const list = join(dir, "files");
  const seeds = alwaysWatched(resolve(target));
  const watchers = new Map<string, FSWatcher>();
  let child: ReturnType<typeof Bun.spawn> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let changed: string | undefined;
  let restarting: Promise<void> | undefined;

  const watch = (f: string) => {
    if (watchers.has(f)) return;
    try {
      watchers.set(f, fsWatch(f, () => schedule(f)));
    } catch {
      // gone already: the next run reports it
    }
  };

  const refresh = () => {
    let files: string[] = [];
    try {
      files = readFileSync(list, "utf8").split("\n").filter(Boolean);
    } catch {
      return;
    }
    for (const f of files) watch(f);
  };

  const schedule = (file: string) => {
    changed ??= file;
    clearTimeout(timer);
    timer = setTimeout(() => void restart(), SETTLE_MS);
  };

  const start = () => {
    // a fresh list and fresh watchers: a file replaced by rename is a new file to watch
    for (const w of watchers.values()) w.close();
    watchers.clear();
    writeFileSync(list, "");
    for (const f of seeds) watch(f);
    if (!o.preserveOutput && process.stdout.isTTY) process.stdout.write("\x1b[2J\x1b[3J\x1b[H");
    const c = Bun.spawn([...selfCommand(), "run", ...runArgs], {
      stdio: ["inherit", "inherit", "inherit"],
      env: { ...process.env, [WATCH_LIST_ENV]: list },
    });
    child = c;
    void c.exited.then((code) => {
      if (child !== c) return;
      refresh();
      note(`exited with code ${code}; watching ${watchers.size} file${watchers.size === 1 ? "" : "s"} for changes`);
    });
  };

  // One restart at a time: a change during one is picked up by the next.
  const restart = async () => {
    if (restarting) return;
    restarting = (async () => {
      while (changed !== undefined) {
        const file = changed;
        changed = undefined;
        const c = child;
        child = undefined;
        if (c) await stopChild(c);
        note(`${file} changed; running again`);
        start();
      }
    })();
    await restarting;
    restarting = undefined;
  };

  const poll = setInterval(refresh, 200);
  start();
  return await new Promise<number>((done) => {
    const stop = async (code: number) => {
      clearInterval(poll);
      clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      await restarting;
      if (child) await stopChild(child);
      rmSync(dir, { recursive: true, force: true });
      done(code);
    };
    process.once("SIGINT", () => void stop(130));
    process.once("SIGTERM", () => void stop(143));
  });
}
