// URL patterns for fetch. A pattern is matched part by part against the
// normalised URL (WHATWG parsing: lower-case host, IDNA to punycode, every
// IPv4 spelling to dotted decimal, IPv6 in brackets, dot segments resolved,
// default ports dropped, userinfo ignored), never as one string, so that
// "https://*.example.com/*" cannot be satisfied by
// "https://evil.test/?.example.com/". Patterns are compiled once, when the
// policy is read.
//
// A host is looked up once and the request connects to an address that was
// checked (net.ts): a second DNS answer cannot send it elsewhere. The host
// part of a pattern is one of:
//   a name glob        "api.example.com", "*.example.com"
//   an address         "10.1.2.3", "[fd00::1]" (any spelling URL parsing accepts)
//   a CIDR range       "10.0.0.0/8", "[fc00::]/7", "::1/128"
//   a named group      "loopback", "private", "link-local"
// A URL's host matches a name glob by name. It matches addresses when it is
// an address itself; in a block list, also when any address it resolves to
// is in the range (in an allow list a name is never let in by its
// addresses: no name is looked up that the policy does not name). A block of
// this machine (localhost, 127.0.0.1, ::1, "loopback") blocks all of it:
// 127.0.0.0/8, ::1, 0.0.0.0, the names resolving there and this machine's
// own interface addresses.
//
// Ports: without one, an allowed pattern means the scheme's default port, a
// blocked pattern every port. Paths: a pattern "/admin/*" covers "/admin"
// itself. A blocked path is compared as servers might read it: any case,
// percent-encoding decoded, ";" parameters dropped, dot segments resolved.
// An allowed path must match both as written and read that way.

import type { AddressRange, HostRule, UrlPattern } from "./types.ts";

const DEFAULT_PORTS: Record<string, string> = { "http:": "80", "https:": "443", "ws:": "80", "wss:": "443" };

export class UrlPatternError extends Error {}

/** One address: its text and its 128-bit value (IPv4 as IPv4-mapped IPv6). */
export interface HostAddress {
  address: string;
  value: bigint;
  /** One of this machine's own interface addresses (a server on 0.0.0.0 answers there too). */
  thisMachine?: boolean;
}

const V4_MAPPED = 0xffffn << 32n;

/** An IP address in any spelling URL parsing accepts ("2130706433", "0x7f.1", "[::ffff:7f00:1]"), or undefined. */
export function parseAddress(text: string): bigint | undefined {
  let host: string;
  try {
    const bare = text.startsWith("[") ? text : text.includes(":") ? `[${text}]` : text;
    host = new URL(`http://${bare}/`).hostname;
  } catch {
    return undefined;
  }
  const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(host);
  if (v4) return V4_MAPPED | v4.slice(1).reduce((n, b) => (n << 8n) | BigInt(b), 0n);
  if (!host.startsWith("[")) return undefined;
  // The serializer writes hex groups only, with at most one "::".
  const [head, tail] = host.slice(1, -1).split("::") as [string, string | undefined];
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const h = groups(head);
  const t = groups(tail);
  const all = tail === undefined ? h : [...h, ...Array(8 - h.length - t.length).fill("0"), ...t];
  return all.reduce((n, g) => (n << 16n) | BigInt(Number.parseInt(g, 16)), 0n);
}

function range(cidr: string): AddressRange {
  const [addr, bits] = cidr.split("/") as [string, string];
  const value = parseAddress(addr)!;
  const v4 = value >> 32n === 0xffffn;
  return { base: value, prefix: Number(bits) + (v4 ? 96 : 0) };
}

/** A named group of addresses; its ranges are parsed on first use (not at start-up: most runs name none). */
function group(cidrs: string[], thisMachine: boolean, words: string): { readonly ranges: AddressRange[]; thisMachine: boolean; words: string } {
  let ranges: AddressRange[] | undefined;
  return {
    get ranges() {
      return (ranges ??= cidrs.map(range));
    },
    thisMachine,
    words,
  };
}

/** The named groups of addresses. */
export const ADDRESS_GROUPS: Record<string, { readonly ranges: AddressRange[]; thisMachine: boolean; words: string }> = {
  loopback: group(["127.0.0.0/8", "0.0.0.0/8", "::1/128", "::/128"], true, "this machine: 127.0.0.0/8, ::1, 0.0.0.0 and its own interface addresses"),
  private: group(["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"], false, "10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10, fc00::/7"),
  "link-local": group(["169.254.0.0/16", "fe80::/10"], false, "169.254.0.0/16 and fe80::/10, where cloud metadata services answer"),
};

export function inRange(r: AddressRange, value: bigint): boolean {
  const shift = BigInt(128 - r.prefix);
  return value >> shift === r.base >> shift;
}

function globToRegExp(glob: string, any: string, flags = ""): RegExp {
  const parts = glob.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(any)}$`, flags);
}

/** A path glob; one ending in "/*" covers the path itself too ("/admin/*" covers "/admin"). */
function pathRegExp(glob: string, flags = ""): RegExp {
  if (!glob.endsWith("/*") || glob.length < 3) return globToRegExp(glob, ".*", flags);
  const head = globToRegExp(glob.slice(0, -2), ".*").source.slice(1, -1);
  return new RegExp(`^${head}(?:/.*)?$`, flags);
}

/** The host part of a pattern, compiled. */
function hostRule(text: string, host: string): HostRule {
  const group = ADDRESS_GROUPS[host.toLowerCase()];
  if (group) return { kind: "addresses", label: host.toLowerCase(), ranges: group.ranges, thisMachine: group.thisMachine };
  const cidr = /^\[?([0-9a-fA-F:.]+)\]?(?:\/(\d{1,3}))$/.exec(host) ?? /^\[([0-9a-fA-F:.]+)\/(\d{1,3})\]$/.exec(host);
  if (cidr) {
    const value = parseAddress(cidr[1]!);
    const v4 = value !== undefined && value >> 32n === 0xffffn && !cidr[1]!.includes(":");
    const bits = Number(cidr[2]);
    if (value === undefined || bits > (v4 ? 32 : 128)) throw new UrlPatternError(`"${text}": bad address range "${host}"`);
    return asAddresses(host, { base: value, prefix: bits + (v4 ? 96 : 0) });
  }
  if (!host.includes("*")) {
    const value = parseAddress(host);
    if (value !== undefined) return asAddresses(host, { base: value, prefix: 128 });
  }
  let name = host;
  if (host !== "*") {
    // Normalise the literal parts the way URL parsing normalises hosts (case, IDNA).
    try {
      name = new URL(`http://${host.replace(/\*/g, "wildcard-edgebox")}/`).hostname.replace(/wildcard-edgebox/g, "*").replace(/\.$/, "");
    } catch {
      throw new UrlPatternError(`"${text}": bad host "${host}"`);
    }
  }
  // A host "*" stands for one or more characters of the host: it never crosses into the path.
  return { kind: "name", glob: name, re: globToRegExp(name, "[^/:@]*"), thisMachine: isLocalhost(name) };
}

/** An address or a range; whether it lies in this machine's loopback. */
function asAddresses(text: string, r: AddressRange): HostRule {
  const thisMachine = loopback().some((l) => inRange(l, r.base) && r.prefix >= l.prefix);
  return { kind: "addresses", label: text, ranges: [r], thisMachine };
}

const loopback = () => ADDRESS_GROUPS.loopback!.ranges;

/** This machine's own name (RFC 6761: every name under localhost is loopback). */
function isLocalhost(name: string): boolean {
  return name === "localhost" || name.endsWith(".localhost");
}

export function parseUrlPattern(text: string, source: string): UrlPattern {
  if (text === "*") return { text, host: { kind: "name", glob: "*", re: /^/, thisMachine: false }, port: "*", source };
  let rest = text;
  let scheme: string | undefined;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(rest);
  if (m) {
    scheme = m[1]!.toLowerCase() + ":";
    rest = rest.slice(m[0].length);
  }
  // An address followed by /bits is a range ("10.0.0.0/8", "[fc00::]/7", "[fc00::/7]", "::1/128"), not a path.
  const cidr = /^(?:\[[0-9a-fA-F:.]+\]\/\d{1,3}|\[[0-9a-fA-F:.]+\/\d{1,3}\]|[0-9.]+\/\d{1,2}(?=$|[:/])|[0-9a-fA-F:.]*:[0-9a-fA-F:.]*\/\d{1,3}$)/.exec(rest)?.[0];
  const slash = rest.indexOf("/", cidr?.length ?? 0);
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? undefined : rest.slice(slash);
  if (authority.includes("@")) throw new UrlPatternError(`"${text}": a URL pattern cannot contain userinfo`);
  let host = authority;
  let port: string | undefined;
  const ipv6 = /^(\[[^\]]+\])(?::(.*))?$/.exec(authority);
  if (cidr) {
    host = cidr;
    const after = authority.slice(cidr.length);
    if (after !== "" && !after.startsWith(":")) throw new UrlPatternError(`"${text}": bad address range "${authority}"`);
    if (after !== "") port = after.slice(1);
  } else if (ipv6) {
    host = ipv6[1]!;
    port = ipv6[2];
  } else {
    const colon = authority.lastIndexOf(":");
    if (colon !== -1) {
      host = authority.slice(0, colon);
      port = authority.slice(colon + 1);
    }
  }
  if (port !== undefined && !/^(\d+|\*)$/.test(port)) throw new UrlPatternError(`"${text}": bad port "${port}"`);
  if (host === "") throw new UrlPatternError(`"${text}": no host`);
  const compiled: UrlPattern = { text, scheme, host: hostRule(text, host), port, path, source };
  if (path !== undefined) {
    let canonical: string;
    try {
      canonical = new URL(`http://x${path}`).pathname;
    } catch {
      throw new UrlPatternError(`"${text}": bad path "${path}"`);
    }
    compiled.pathRe = pathRegExp(canonicalPath(canonical));
    compiled.loosePathRe = pathRegExp(loosePath(canonical), "i");
  }
  return compiled;
}

/** A host that is an address literal, as its one address (the URL parser has spelled it canonically). */
function literalAddress(hostname: string): HostAddress[] | undefined {
  if (!/^[\d.]+$|^\[/.test(hostname)) return undefined;
  const value = parseAddress(hostname);
  return value === undefined ? undefined : [{ address: hostname, value }];
}

/** A URL as the patterns look at it, worked out once per decision. */
export interface UrlQuery {
  scheme: string;
  hostname: string;
  /** The host itself when it is an address. */
  literal?: HostAddress[];
  /** What the host resolved to; undefined before the lookup. */
  addresses?: readonly HostAddress[];
  port: string;
  /** The path as written (canonical) and as a lenient server reads it. */
  path: string;
  loose: string;
}

/** The query for `url` (normalised: see normaliseUrl), whose host resolved to `addresses` (undefined: not yet). */
export function urlQuery(url: URL, addresses?: readonly HostAddress[]): UrlQuery {
  const scheme = url.protocol;
  return {
    scheme,
    hostname: url.hostname,
    literal: literalAddress(url.hostname),
    addresses,
    port: url.port || DEFAULT_PORTS[scheme] || "",
    path: canonicalPath(url.pathname),
    loose: loosePath(url.pathname),
  };
}

/** How a URL's host matches a rule (see the top of this file). */
function hostMatches(rule: HostRule, q: UrlQuery, mode: "allow" | "block"): boolean {
  const known = q.addresses ?? q.literal;
  if (mode === "block" && rule.thisMachine && isThisMachine(q.hostname, known)) return true;
  if (rule.kind === "name") return rule.re.test(q.hostname);
  const hit = (a: HostAddress) => rule.ranges.some((r) => inRange(r, a.value)) || (rule.label === "loopback" && a.thisMachine === true);
  if (mode === "block") return known?.some(hit) ?? false;
  // (the loopback group lets this machine's own name in)
  if (!q.literal) return rule.label === "loopback" && isLocalhost(q.hostname) && (q.addresses?.every(hit) ?? true);
  return known!.every(hit);
}

function isThisMachine(hostname: string, known: readonly HostAddress[] | undefined): boolean {
  return isLocalhost(hostname) || (known?.some((a) => a.thisMachine === true || loopback().some((l) => inRange(l, a.value))) ?? false);
}

/** Whether pattern `p` matches the URL of `q`, as an allow list or a block list reads it. */
export function matchUrl(p: UrlPattern, q: UrlQuery, mode: "allow" | "block"): boolean {
  if (p.text === "*") return true;
  if (p.scheme ? p.scheme !== q.scheme : q.scheme !== "http:" && q.scheme !== "https:") return false;
  if (!hostMatches(p.host, q, mode)) return false;
  if (p.port === undefined) {
    if (mode === "allow" && q.port !== (DEFAULT_PORTS[q.scheme] ?? "")) return false;
  } else if (p.port !== "*" && p.port !== q.port) {
    return false;
  }
  if (!p.pathRe || !p.loosePathRe) return true;
  const loose = p.loosePathRe.test(q.loose);
  return mode === "block" ? loose || p.pathRe.test(q.path) : loose && p.pathRe.test(q.path);
}

/**
 * The path with percent-encoded unreserved characters decoded (%61 is "a"),
 * as servers read it: "/%61dmin" must not slip past a pattern for "/admin/*".
 */
export function canonicalPath(path: string): string {
  // ("//admin" is "/admin" to most servers)
  return path.replace(/\/{2,}/g, "/").replace(/%([0-9a-fA-F]{2})/g, (m, hex: string) => {
    const c = String.fromCharCode(Number.parseInt(hex, 16));
    return /[A-Za-z0-9\-._~]/.test(c) ? c : m.toUpperCase();
  });
}

/**
 * The path as the most lenient server might read it: every percent-encoding
 * decoded (twice-encoded too), backslashes as slashes, ";" parameters of each
 * segment dropped, empty and dot segments resolved. (Case is left to the
 * comparison.)
 */
export function loosePath(path: string): string {
  let p = path;
  for (let i = 0; i < 3 && /%[0-9a-fA-F]{2}/.test(p); i++) p = p.replace(/%([0-9a-fA-F]{2})/g, (_, hex: string) => String.fromCharCode(Number.parseInt(hex, 16)));
  const out: string[] = [];
  const segments = p.replace(/\\/g, "/").split("/");
  segments.forEach((raw, i) => {
    const seg = raw.split(";")[0]!;
    if (seg === "..") out.pop();
    else if (seg !== "." && (seg !== "" || i === segments.length - 1)) out.push(seg);
  });
  return "/" + out.join("/");
}

/** The URL as the policy sees it: parsed and normalised, or undefined when it does not parse. */
export function normaliseUrl(input: string): URL | undefined {
  try {
    const u = new URL(input);
    u.username = "";
    u.password = "";
    u.hash = "";
    // One host, one name: "example.com." is example.com, an IPv4-mapped IPv6 address is the IPv4 one.
    let host = u.hostname.replace(/\.$/, "");
    const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/i.exec(host);
    if (mapped) {
      const [hi, lo] = [Number.parseInt(mapped[1]!, 16), Number.parseInt(mapped[2]!, 16)];
      host = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    }
    if (host !== u.hostname) u.hostname = host;
    return u;
  } catch {
    return undefined;
  }
}

/** A pattern in words, for `edgebox check` (`blocked`: as a block list reads it). */
export function describeUrlPattern(p: UrlPattern, blocked: boolean): string {
  if (p.host.kind === "addresses" && ADDRESS_GROUPS[p.host.label]) return `${p.text} (${ADDRESS_GROUPS[p.host.label]!.words})`;
  if (blocked && p.host.thisMachine) return `${p.text} (all of this machine: ${ADDRESS_GROUPS.loopback!.words.replace("this machine: ", "")}, localhost)`;
  return p.text;
}
