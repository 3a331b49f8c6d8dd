// `edgebox run --watch`: run the app in a child edgebox, and run it again
// when a file it loaded as code, or its policy file, changes. The child
// appends each such file to a list (EDGEBOX_WATCH_LIST) as it loads it, so a
// module loaded late is watched too. A child is a clean stop: whatever the
// run holds (timers, children, sockets) ends with it.

import { type FSWatcher, readFileSync, rmSync, watch as fsWatch, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { selfCommand } from "../self.ts";
import { WATCH_LIST_ENV } from "./run.ts";

/** Editors write a file in several steps: one restart per burst. */
const SETTLE_MS = 100;


function note(message: string): void {
  const line = `edgebox watch: ${message}`;
  process.stderr.write(process.stderr.isTTY ? `\x1b[2m${line}\x1b[22m\n` : `${line}\n`);
}

export async function watchRun(runArgs: string[], o: { preserveOutput: boolean }): Promise<number> {
  const list = join(tmpdir(), `edgebox-watch-${process.pid}.txt`);
  const watchers = new Map<string, FSWatcher>();
  let child: ReturnType<typeof Bun.spawn> | undefined;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let changed: string | undefined;

  const refresh = () => {
    let files: string[] = [];
    try {
      files = readFileSync(list, "utf8").split("\n").filter(Boolean);
    } catch {
      return;
    }
    for (const f of files) {
      if (watchers.has(f)) continue;
      try {
        watchers.set(f, fsWatch(f, () => schedule(f)));
      } catch {
        // gone already: the next run reports it
      }
    }
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

  const restart = async () => {
    const file = changed;
    changed = undefined;
    const c = child;
    child = undefined;
    if (c && c.exitCode === null && c.signalCode === null) {
      c.kill("SIGTERM");
      const killer = setTimeout(() => c.kill("SIGKILL"), 2000);
      await c.exited;
      clearTimeout(killer);
    }
    note(`${file} changed; running again`);
    start();
  };

  const poll = setInterval(refresh, 200);
  start();
  return await new Promise<number>((resolve) => {
    const stop = (code: number) => {
      clearInterval(poll);
      clearTimeout(timer);
      for (const w of watchers.values()) w.close();
      child?.kill("SIGTERM");
      rmSync(list, { force: true });
      resolve(code);
    };
    process.once("SIGINT", () => stop(130));
    process.once("SIGTERM", () => stop(143));
  });
}
