// The resolved policy and the decisions made from it. Pure data: the
// functions in this folder decide; they never touch the filesystem, the
// network or the environment (internal/config builds the Policy, with paths
// already expanded and resolved).

export type FsCapability = "read" | "write" | "execute";
export type Capability = FsCapability | "run" | "net" | "env";

/** Where a grant came from, for messages: a policy field path, a flag, or a default. */
export type Source = string;

export interface FsGrant {
  /** Absolute path with every symlink resolved. */
  path: string;
  read: boolean;
  write: boolean;
  execute: boolean;
  /**
   * "dirs": a policy's grant; the most specific one covering a path decides
   * every capability there (a nested read-only grant stays read-only).
   * "flag": a command-line grant, which only adds. "default": the app's own
   * directory, readable where no policy grant says otherwise.
   */
  from: "dirs" | "flag" | "default";
  source: Source;
}

/** A range of addresses, 128-bit (IPv4 as IPv4-mapped IPv6). */
export interface AddressRange {
  base: bigint;
  prefix: number;
}

/**
 * What the host part of a URL pattern names: host names (a glob), or
 * addresses. `thisMachine`: the pattern names this machine (localhost,
 * 127.0.0.1, ::1, the loopback group), which a block list takes as all of its
 * names and addresses.
 */
export type HostRule =
  | { kind: "name"; glob: string; re: RegExp; thisMachine: boolean }
  | {
      kind: "addresses";
      /** As written, or the group's name ("loopback", "private", "link-local"). */
      label: string;
      ranges: readonly AddressRange[];
      thisMachine: boolean;
    };

/** A URL pattern, compiled when the policy is read (see policy/url.ts). */
export interface UrlPattern {
  /** As written, for messages. */
  text: string;
  /** Lower-case scheme, or undefined for http and https. */
  scheme?: string;
  host: HostRule;
  /** Port, "*" for any, or undefined for the scheme's default (any port in a block list). */
  port?: string;
  /** Path glob (`*` any sequence) as written, or undefined for any path. */
  path?: string;
  /** The path glob against the path as written, and against the path as a lenient server reads it. */
  pathRe?: RegExp;
  loosePathRe?: RegExp;
  source: Source;
}

export interface RuntimeLimits {
  stackSize: number;
  heapSize: number;
  maxMemoryPages: number;
  /** -1: unlimited. */
  maxInstructions: number;
  /** 0: none. */
  timeoutMs: number;
}

export interface DaemonSettings {
  poolSize?: number;
  execTimeoutMs?: number;
  port?: number;
  host?: string;
}

export interface Policy {
  /** The policy file, when one was found or given. */
  file?: string;
  name?: string;
  npm?: string;
  /** --allow-all: every check passes (the process's own /proc included). */
  allowAll: boolean;
  fs: FsGrant[];
  env: { all: boolean; names: ReadonlySet<string>; source: Source };
  run: {
    /** undefined: any command (an execute grant is still needed). */
    allow?: ReadonlySet<string>;
    deny: ReadonlySet<string>;
    /** When present, only these commands run; a list restricts the first argument. */
    commands?: Readonly<Record<string, true | readonly string[]>>;
    source: Source;
  };
  net: {
    /** "none": no network (neither field given); "all": any URL that is not blocked. */
    allow: "none" | "all" | readonly UrlPattern[];
    block: readonly UrlPattern[];
    rateLimitRps?: number;
    maxConnections?: number;
  };
  processSandbox: "required" | "best-effort";
  useKeychain: boolean;
  runtime: RuntimeLimits;
  audit?: string;
  daemon: DaemonSettings;
  /**
   * EdgeBox's own files, whatever the grants: `hidden` (its cache, where native
   * code is trusted; the audit log) the app may not touch at all, `fixed` (the
   * policy file in use) it may not change. Each covers what is beneath it.
   */
  own?: {
    hidden: string[];
    fixed: string[];
    /** The directories where a new policy file would be found before the one in use (from the app's up to the policy's, excluded). */
    nearer?: string[];
  };
}

/** A refusal: what was asked, the rule that refused it, and how to allow it. */
export interface Denial {
  capability: Capability;
  target: string;
  rule: string;
  remedy: string;
}

export type Decision<T = true> = { ok: true; value: T; rule: string } | { ok: false; denial: Denial };

export function allow<T>(value: T, rule: string): Decision<T> {
  return { ok: true, value, rule };
}

export function deny(capability: Capability, target: string, rule: string, remedy: string): Decision<never> {
  return { ok: false, denial: { capability, target, rule, remedy } };
}
