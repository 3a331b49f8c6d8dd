// What start() binds in the guest: the run's argv, env (as the policy grants
// it), cwd, platform, terminal and machine facts; and the hint when the app
// reads a variable the policy hides.

import { constants as fsConstants } from "node:fs";
import { availableParallelism, endianness, freemem, machine, release, totalmem, uptime } from "node:os";
import { checkEnv, grantedEnv } from "../policy/checks.ts";
import { trace } from "../trace.ts";
import type { Sandbox } from "./index.ts";
import { markMapped } from "./sourcemaps.ts";

/** What every run of this EdgeBox build on this machine binds the same (also bound before a build's pre-run). */
export function platformConfig(versions: Record<string, string>) {
  return { platform: process.platform, arch: process.arch, nodeVersion: `v${versions.node ?? "20.0.0"}`, versions };
}

/** The hint about a hidden variable is given once per process (serve's requests would repeat it). */
let hintedHiddenEnv = false;

/** The variables the guest sees; each one granted is an audit line. */
function guestEnv(sb: Sandbox): Record<string, string> {
  const env = grantedEnv(sb.opts.policy, sb.opts.hostEnv);
  const audit = sb.opts.audit;
  if (audit) for (const name of Object.keys(env)) audit({ capability: "env", target: name, allowed: true, rule: sb.opts.policy.allowAll ? "--allow-all" : `${sb.opts.policy.env.source} grants ${sb.opts.policy.env.all ? "every variable" : name}` });
  return env;
}

/** The app read `name` and did not find it: when the policy hides a variable that is set, say so (once) and audit it. */
export function envMissing(sb: Sandbox, name: string): undefined {
  const o = sb.opts;
  if (name.length > 256 || o.hostEnv[name] === undefined || checkEnv(o.policy, name) || sb.hiddenRead.has(name) || sb.hiddenRead.size >= 256) return;
  sb.hiddenRead.add(name);
  o.audit?.({ capability: "env", target: name, allowed: false, rule: "set in the environment, hidden: not in the policy's env" });
  if (!hintedHiddenEnv && !o.quiet) {
    hintedHiddenEnv = true;
    const where = o.policy.file ? `"env" in ${o.policy.file}` : `"env" in a .edgebox.json`;
    sb.stderr(new TextEncoder().encode(`edgebox: the app read ${name}, which is set but hidden by the policy (it stays undefined): add "${name}" to ${where}, or run with --allow-env=${name} (--quiet: no such hints)\n`));
  }
  return undefined;
}

/**
 * The first guest call: start() binds the run. A started snapshot's instance (edgebox serve) is
 * bound without one: its random seed written where the image keeps it (snapshot.seedAt), which
 * serve() takes, with the clock, when the request starts (a guest call with its four numbers
 * was ~4 µs of a ~90 µs request).
 */
export function bind(sb: Sandbox): void {
  const o = sb.opts;
  if (o.started) {
    const at = o.snapshot.seedAt;
    if (!at) throw new Error("the snapshot says nowhere to write a request's seed");
    crypto.getRandomValues(sb.vm.instance.memory().subarray(at, at + 16));
  } else {
    const seed = Array.from(crypto.getRandomValues(new Uint32Array(4)));
    const c = sb.vm.newString(JSON.stringify(runConfig(sb, seed)));
    try {
      sb.free(sb.callEntry("start", [c]));
    } finally {
      sb.vm.free(c);
    }
  }
  // (a started snapshot's guest knows its mapped files already)
  if (!o.started) for (const file of sb.maps.keys()) markMapped(sb, file);
  trace("start()");
}

/** What start() binds: the run's argv, env, cwd, platform, terminal and machine facts. */
function runConfig(sb: Sandbox, seed: number[]) {
  const o = sb.opts;
  return {
    argv: o.argv,
    execPath: o.execPath,
    cwd: o.cwd,
    env: guestEnv(sb),
    pid: process.pid,
    ppid: process.ppid,
    ...platformConfig(o.versions),
    seed,
    fsConstants,
    tty: o.tty ?? [false, false, false],
    os: {
      cpus: availableParallelism(),
      totalmem: totalmem(),
      freemem: freemem(),
      release: release(),
      machine: machine(),
      endianness: endianness(),
      uptime: Math.floor(uptime()),
    },
  };
}
