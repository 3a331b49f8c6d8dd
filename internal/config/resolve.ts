// One merge step: policy file + --allow-* flags -> one resolved Policy.
// Flags add to the file. $HOME, $PWD and ~ are expanded once, here; relative
// paths resolve against the policy file's directory (flags: the working
// directory); every grant path is resolved to its real path.

import { realpathSync } from "node:fs";
import { dirname, isAbsolute, join, resolve } from "node:path";
import { UserError } from "../errors.ts";
import { parseUrlPattern, UrlPatternError } from "../policy/url.ts";
import type { FsGrant, Policy, UrlPattern } from "../policy/types.ts";

/** The policy file's fields (after validation). */
export interface PolicyFile {
  name?: string;
  npm?: string;
  runtime?: { stack_size?: number; heap_size?: number; max_memory_pages?: number; max_instructions?: number; timeout_ms?: number };
  dirs?: { path: string; read?: boolean; write?: boolean; execute?: boolean }[];
  env?: string[];
  allowCommands?: string[];
  denyCommands?: string[];
  commands?: Record<string, true | string[]>;
  allowedUrls?: string[];
  blockedUrls?: string[];
  rateLimitRps?: number;
  maxConnections?: number;
  useKeychain?: boolean;
  processSandbox?: "required" | "best-effort";
  audit?: string;
  daemon?: { pool_size?: number; exec_timeout_ms?: number; port?: number; host?: string };
}

/** A flag given without a value (`--allow-read`) grants everything of its kind. */
export type FlagGrant = true | string[] | undefined;

export interface GrantFlags {
  allowRead?: FlagGrant;
  allowWrite?: FlagGrant;
  allowEnv?: FlagGrant;
  allowRun?: FlagGrant;
  allowNet?: FlagGrant;
  allowAll?: boolean;
}

export interface ResolveContext {
  /** The app's directory: readable by default. */
  appDir?: string;
  cwd: string;
  home: string;
  /** Finds a command on PATH; undefined when it is not there. */
  which(command: string): string | undefined;
}

export const DEFAULT_RUNTIME = {
  // ~16,000 plain calls deep (node: ~11,000); untouched stack costs nothing (internal/sandbox/stack.ts)
  stackSize: 4 << 20,
  heapSize: 256 << 20,
  maxMemoryPages: 32768,
  maxInstructions: -1,
  timeoutMs: 0,
};

export function expandPath(path: string, base: string, ctx: ResolveContext): string {
  let p = path
    .replace(/^~(?=$|\/)/, ctx.home)
    .replace(/\$(HOME|PWD)\b|\$\{(HOME|PWD)\}/g, (_m, a, b) => ((a ?? b) === "HOME" ? ctx.home : ctx.cwd));
  if (!isAbsolute(p)) p = resolve(base, p);
  return resolve(p);
}

/** The real path of `p`: its existing part with symlinks resolved, the rest appended. */
export function realPathOf(p: string): string {
  const missing: string[] = [];
  let cur = p;
  for (;;) {
    try {
      return join(realpathSync(cur), ...missing.reverse());
    } catch {
      const parent = dirname(cur);
      if (parent === cur) return p;
      missing.push(cur.slice(parent.length + (parent.endsWith("/") ? 0 : 1)));
      cur = parent;
    }
  }
}

function urlPatterns(list: string[], field: string): UrlPattern[] {
  return list.map((text, i) => {
    try {
      return parseUrlPattern(text, `${field}[${i}]`);
    } catch (err) {
      if (err instanceof UrlPatternError) throw new UserError("E_POLICY", `${field}[${i}]: ${err.message}`);
      throw err;
    }
  });
}

export function resolvePolicy(file: string | undefined, raw: PolicyFile, flags: GrantFlags, ctx: ResolveContext): Policy {
  const base = file ? dirname(file) : ctx.cwd;
  const label = file ?? "policy";
  const fs: FsGrant[] = [];
  raw.dirs?.forEach((d, i) =>
    fs.push({
      path: realPathOf(expandPath(d.path, base, ctx)),
      read: d.read ?? true,
      write: d.write ?? false,
      execute: d.execute ?? false,
      from: "dirs",
      source: `${label} dirs[${i}]`,
    }),
  );
  if (ctx.appDir) fs.push({ path: realPathOf(ctx.appDir), read: true, write: false, execute: false, from: "default", source: "the app's directory (readable by default)" });
  const fsFlag = (grant: FlagGrant, cap: "read" | "write", flag: string) => {
    if (grant === true) fs.push({ path: "/", read: cap === "read", write: cap === "write", execute: false, from: "flag", source: flag });
    else grant?.forEach((p) => fs.push({ path: realPathOf(expandPath(p, ctx.cwd, ctx)), read: cap === "read", write: cap === "write", execute: false, from: "flag", source: `${flag}=${p}` }));
  };
  fsFlag(flags.allowRead, "read", "--allow-read");
  fsFlag(flags.allowWrite, "write", "--allow-write");

  const envNames = new Set(raw.env ?? []);
  if (Array.isArray(flags.allowEnv)) flags.allowEnv.forEach((n) => envNames.add(n));

  let allow: Set<string> | undefined = raw.allowCommands?.length ? new Set(raw.allowCommands) : undefined;
  let commands: Record<string, true | string[]> | undefined = raw.commands ? { ...raw.commands } : undefined;
  if (flags.allowRun === true) {
    allow = undefined;
    commands = undefined;
    fs.push({ path: "/", read: false, write: false, execute: true, from: "flag", source: "--allow-run" });
  } else if (flags.allowRun) {
    for (const cmd of flags.allowRun) {
      const found = cmd.includes("/") ? resolve(ctx.cwd, cmd) : ctx.which(cmd);
      if (!found) throw new UserError("E_POLICY", `--allow-run=${cmd}: no such command on PATH`);
      fs.push({ path: realPathOf(found), read: false, write: false, execute: true, from: "flag", source: `--allow-run=${cmd}` });
      // (a name means what it finds on PATH; a path, that file)
      const name = cmd.includes("/") ? realPathOf(found) : cmd;
      allow?.add(name);
      if (commands) commands[name] = true;
    }
  }

  // Without allowedUrls, a block list alone means anything else goes; neither field, no network.
  let netAllow: Policy["net"]["allow"] =
    raw.allowedUrls === undefined
      ? raw.blockedUrls?.length
        ? "all"
        : "none"
      : raw.allowedUrls.length === 0
        ? "all"
        : urlPatterns(raw.allowedUrls, `${label} allowedUrls`);
  if (flags.allowNet === true) {
    netAllow = "all";
  } else if (flags.allowNet) {
    const extra = flags.allowNet.map((h) => {
      try {
        const p = parseUrlPattern(h, `--allow-net=${h}`);
        return p.port === undefined && p.scheme === undefined && p.path === undefined ? { ...p, port: "*" } : p;
      } catch (err) {
        throw new UserError("E_USAGE", `--allow-net=${h}: ${(err as Error).message}`);
      }
    });
    netAllow = netAllow === "all" ? "all" : [...(netAllow === "none" ? [] : netAllow), ...extra];
  }

  const rt = raw.runtime ?? {};
  return {
    file,
    name: raw.name,
    npm: raw.npm,
    allowAll: flags.allowAll === true,
    fs,
    env: { all: flags.allowEnv === true, names: envNames, source: raw.env ? `${label} env` : "--allow-env" },
    run: { allow, deny: new Set(raw.denyCommands ?? []), commands, source: label },
    net: {
      allow: netAllow,
      block: urlPatterns(raw.blockedUrls ?? [], `${label} blockedUrls`),
      rateLimitRps: raw.rateLimitRps,
      maxConnections: raw.maxConnections,
    },
    processSandbox: raw.processSandbox ?? "required",
    useKeychain: raw.useKeychain ?? false,
    runtime: {
      stackSize: rt.stack_size ?? DEFAULT_RUNTIME.stackSize,
      heapSize: rt.heap_size ?? DEFAULT_RUNTIME.heapSize,
      maxMemoryPages: rt.max_memory_pages ?? DEFAULT_RUNTIME.maxMemoryPages,
      maxInstructions: rt.max_instructions ?? DEFAULT_RUNTIME.maxInstructions,
      timeoutMs: rt.timeout_ms ?? DEFAULT_RUNTIME.timeoutMs,
    },
    audit: raw.audit ? expandPath(raw.audit, base, ctx) : undefined,
    daemon: {
      poolSize: raw.daemon?.pool_size,
      execTimeoutMs: raw.daemon?.exec_timeout_ms,
      port: raw.daemon?.port,
      host: raw.daemon?.host,
    },
  };
}
