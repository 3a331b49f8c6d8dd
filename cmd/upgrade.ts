import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { basename, dirname, join } from "node:path";
import { homedir, tmpdir } from "node:os";
import { UserError } from "../internal/errors.ts";
import type { Command } from "./edgebox.ts";

const DEFAULT_RELEASE_BASE = "https://edgebox.dev/releases";

export default {
  meta: { name: "upgrade", description: "Replace this edgebox with the newest release (or --version), through the release's install.sh (install.ps1 on Windows)" },
  examples: [
    "edgebox upgrade                          # the newest release",
    "edgebox upgrade --version 0.1.0",
  ],
  args: {
    version: { type: "string", valueHint: "x.y.z", description: "Install this version instead of the newest" },
  },
  async main({ flags }) {
    const base = process.env.EDGEBOX_INSTALL_BASE || DEFAULT_RELEASE_BASE;
    // Where this edgebox lives, when the installer put it there (<install>/bin/edgebox).
    const exe = process.execPath;
    // Homebrew owns its Cellar; writing there would break `brew upgrade` and `brew uninstall`.
    if (exe.includes("/Cellar/")) throw new UserError("E_USAGE", `this edgebox was installed by Homebrew (${exe}): run \`brew upgrade edgebox\``);
    const install = process.env.EDGEBOX_INSTALL || (basename(dirname(exe)) === "bin" ? dirname(dirname(exe)) : join(homedir(), ".edgebox"));
    const windows = process.platform === "win32";
    const installer = windows ? "install.ps1" : "install.sh";
    let script: string;
    try {
      const r = await fetch(`${base}/${installer}`);
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      script = await r.text();
    } catch (err) {
      throw new UserError("E_NOT_FOUND", `cannot download ${base}/${installer}: ${(err as Error).message}`);
    }
    const version = typeof flags.version === "string" ? flags.version : undefined;
    const env = { ...process.env, EDGEBOX_INSTALL_BASE: base, EDGEBOX_INSTALL: install };
    if (windows) {
      // PowerShell runs a script's parameters only from a file; the running edgebox.exe is renamed aside by it
      const dir = mkdtempSync(join(tmpdir(), "edgebox-upgrade-"));
      const file = join(dir, "install.ps1");
      writeFileSync(file, script);
      try {
        const p = Bun.spawn(["powershell", "-NoProfile", "-ExecutionPolicy", "Bypass", "-File", file, ...(version ? ["-Version", version] : [])], { stdout: "inherit", stderr: "inherit", env });
        return await p.exited;
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
    const p = Bun.spawn(["sh", "-s", "--", ...(version ? ["--version", version] : [])], { stdin: new TextEncoder().encode(script), stdout: "inherit", stderr: "inherit", env });
    return await p.exited;
  },
} satisfies Command;
