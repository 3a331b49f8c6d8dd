// URL patterns for fetch. A pattern is matched part by part against the
// normalised URL (WHATWG parsing: lower-case host, IDNA to punycode, IPv6 in
// brackets, default ports dropped, userinfo ignored), never as one string, so
// that "https://*.example.com/*" cannot be satisfied by
// "https://evil.test/?.example.com/".
//
// Forms: "https://api.example.com/v1/*", "*.example.com", "example.com:8080",
// "http://127.0.0.1:*/health", "*" (any URL). Without a scheme, http and https
// match. Without a port, only the scheme's default port matches. Without a
// path, any path matches.

import type { UrlPattern } from "./types.ts";

const DEFAULT_PORTS: Record<string, string> = { "http:": "80", "https:": "443", "ws:": "80", "wss:": "443" };

export class UrlPatternError extends Error {}

export function parseUrlPattern(text: string, source: string): UrlPattern {
  if (text === "*") return { text, host: "*", port: "*", source };
  let rest = text;
  let scheme: string | undefined;
  const m = /^([a-zA-Z][a-zA-Z0-9+.-]*):\/\//.exec(rest);
  if (m) {
    scheme = m[1]!.toLowerCase() + ":";
    rest = rest.slice(m[0].length);
  }
  const slash = rest.indexOf("/");
  const authority = slash === -1 ? rest : rest.slice(0, slash);
  const path = slash === -1 ? undefined : rest.slice(slash);
  if (authority.includes("@")) throw new UrlPatternError(`"${text}": a URL pattern cannot contain userinfo`);
  let host = authority;
  let port: string | undefined;
  const ipv6 = /^(\[[^\]]+\])(?::(\d+|\*))?$/.exec(authority);
  if (ipv6) {
    host = ipv6[1]!;
    port = ipv6[2];
  } else {
    const colon = authority.lastIndexOf(":");
    if (colon !== -1) {
      host = authority.slice(0, colon);
      port = authority.slice(colon + 1);
      if (!/^(\d+|\*)$/.test(port)) throw new UrlPatternError(`"${text}": bad port "${port}"`);
    }
  }
  if (host === "") throw new UrlPatternError(`"${text}": no host`);
  if (host !== "*" && !host.startsWith("[")) {
    // Normalise the literal parts the way URL parsing normalises hosts (case, IDNA).
    const literal = host.replace(/\*/g, "wildcard-edgebox");
    let normalised: string;
    try {
      normalised = new URL(`http://${literal}/`).hostname;
    } catch {
      throw new UrlPatternError(`"${text}": bad host "${host}"`);
    }
    host = normalised.replace(/wildcard-edgebox/g, "*");
  }
  return { text, scheme, host: host.toLowerCase(), port, path, source };
}

function globToRegExp(glob: string, any: string): RegExp {
  const parts = glob.split("*").map((p) => p.replace(/[.+?^${}()|[\]\\]/g, "\\$&"));
  return new RegExp(`^${parts.join(any)}$`);
}

export function matchUrl(p: UrlPattern, url: URL): boolean {
  if (p.text === "*") return true;
  const scheme = url.protocol;
  if (p.scheme ? p.scheme !== scheme : scheme !== "http:" && scheme !== "https:") return false;
  // A host "*" stands for one or more characters of the host: it never crosses into the path.
  if (!globToRegExp(p.host, "[^/:@]*").test(url.hostname)) return false;
  const port = url.port || DEFAULT_PORTS[scheme] || "";
  if (p.port === undefined) {
    if (port !== (DEFAULT_PORTS[scheme] ?? "")) return false;
  } else if (p.port !== "*" && p.port !== port) {
    return false;
  }
  if (p.path !== undefined && !globToRegExp(p.path, ".*").test(canonicalPath(url.pathname))) return false;
  return true;
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

/** The URL as the policy sees it: parsed and normalised, or undefined when it does not parse. */
export function normaliseUrl(input: string): URL | undefined {
  try {
    const u = new URL(input);
    u.username = "";
    u.password = "";
    u.hash = "";
    // One host, one name: "example.com." is example.com, an IPv4-mapped IPv6 address is the IPv4 one,
    // and 0.0.0.0 is this machine as 127.0.0.1 is.
    let host = u.hostname.replace(/\.$/, "");
    const mapped = /^\[::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})\]$/i.exec(host);
    if (mapped) {
      const [hi, lo] = [Number.parseInt(mapped[1]!, 16), Number.parseInt(mapped[2]!, 16)];
      host = `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
    }
    if (host === "0.0.0.0" || host === "[::]") host = "127.0.0.1";
    if (host !== u.hostname) u.hostname = host;
    return u;
  } catch {
    return undefined;
  }
}
