import { dirname, basename } from "node:path";
import { homedir } from "node:os";
import { UserError } from "../internal/errors.ts";
import type { Command } from "./edgebox.ts";

const DEFAULT_RELEASE_BASE = "https://edgebox.dev/releases";

export default {
  meta: { name: "upgrade", description: "Replace this edgebox with the newest release (or --version), through the release's install.sh" },
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
    const install = process.env.EDGEBOX_INSTALL || (basename(dirname(exe)) === "bin" ? dirname(dirname(exe)) : `${homedir()}/.edgebox`);
    let script: string;
    try {
      const r = await fetch(`${base}/install.sh`);
      if (!r.ok) throw new Error(`HTTP ${r.status}`);
      script = await r.text();
    } catch (err) {
      throw new UserError("E_NOT_FOUND", `cannot download ${base}/install.sh: ${(err as Error).message}`);
    }
    const args = typeof flags.version === "string" ? ["--version", flags.version] : [];
    const p = Bun.spawn(["sh", "-s", "--", ...args], {
      stdin: new TextEncoder().encode(script),
      stdout: "inherit",
      stderr: "inherit",
      env: { ...process.env, EDGEBOX_INSTALL_BASE: base, EDGEBOX_INSTALL: install },
    });
    return await p.exited;
  },
} satisfies Command;
