// node:url: the WHATWG URL (quickjs-wasi's url extension, linked on first
// use), file URL conversions, and node's legacy parse/format/resolve.

import { ERR_INVALID_ARG_TYPE } from "./errors.js";

function invalidFileUrl(code, message) {
  const err = new TypeError(message);
  err.code = code;
  return err;
}

export function fileURLToPath(url) {
  if (typeof url === "string") url = new URL(url);
  else if (url === null || typeof url !== "object" || typeof url.href !== "string") throw new ERR_INVALID_ARG_TYPE("path", "of type string or an instance of URL", url);
  if (url.protocol !== "file:") throw invalidFileUrl("ERR_INVALID_URL_SCHEME", "The URL must be of scheme file");
  if (url.hostname !== "") throw invalidFileUrl("ERR_INVALID_FILE_URL_HOST", 'File URL host must be "localhost" or empty on linux');
  const pathname = url.pathname;
  if (/%2f/i.test(pathname)) throw invalidFileUrl("ERR_INVALID_FILE_URL_PATH", "File URL path must not include encoded / characters");
  return decodeURIComponent(pathname);
}

export function pathToFileURL(path) {
  if (typeof path !== "string") throw new ERR_INVALID_ARG_TYPE("path", "of type string", path);
  let abs = path.startsWith("/") ? path : `${globalThis.process.cwd()}/${path}`;
  const trailing = path.endsWith("/");
  abs = normalize(abs) + (trailing && !abs.endsWith("/") ? "/" : "");
  // Percent-encode what a URL parser would read specially in a path.
  const encoded = abs.replace(/%/g, "%25").replace(/\\/g, "%5C").replace(/\n/g, "%0A").replace(/\r/g, "%0D").replace(/\t/g, "%09").replace(/#/g, "%23").replace(/\?/g, "%3F");
  return new URL(`file://${encoded}`);
}

function normalize(p) {
  const out = [];
  for (const seg of p.split("/")) {
    if (seg === "" || seg === ".") continue;
    if (seg === "..") out.pop();
    else out.push(seg);
  }
  return `/${out.join("/")}`;
}

export function urlToHttpOptions(url) {
  const options = {
    protocol: url.protocol,
    hostname: url.hostname.startsWith("[") ? url.hostname.slice(1, -1) : url.hostname,
    hash: url.hash,
    search: url.search,
    pathname: url.pathname,
    path: `${url.pathname || ""}${url.search || ""}`,
    href: url.href,
  };
  if (url.port !== "") options.port = Number(url.port);
  if (url.username || url.password) options.auth = `${decodeURIComponent(url.username)}:${decodeURIComponent(url.password)}`;
  return options;
}

export function domainToASCII(domain) {
  try {
    return new URL(`http://${domain}`).hostname;
  } catch {
    return "";
  }
}

export function domainToUnicode(domain) {
  // the url extension only encodes: its ASCII form, each xn-- label then decoded by npm's punycode
  try {
    return punycode.toUnicode(domainToASCII(domain));
  } catch {
    return "";
  }
}

// The legacy API (url.parse / format / resolve, kept for the many packages that
// still call them): the npm `url` package, node's own url.js as published for
// browsers, with node's querystring for its queries (./url_qs.js stands in for
// the `qs` it requires) and punycode for international host names. Where node 20
// moved on from it, node's behaviour is added here.

import legacy from "url/url.js";
import punycode from "punycode/punycode.js";

export const Url = legacy.Url;

const legacyFormat = Url.prototype.format;
/** node writes a file: URL with its slashes even without a host (file:/a is file:///a), as the package does not. */
Url.prototype.format = function format() {
  const out = legacyFormat.call(this);
  const protocol = this.protocol && (this.protocol.endsWith(":") ? this.protocol : `${this.protocol}:`);
  if (protocol?.toLowerCase() === "file:" && !this.host && !this.hostname && out.slice(protocol.length, protocol.length + 2) !== "//") {
    return `${out.slice(0, protocol.length)}//${out.slice(protocol.length)}`;
  }
  return out;
};

export function parse(url, parseQueryString, slashesDenoteHost) {
  if (url instanceof Url) return url;
  if (typeof url !== "string") throw new ERR_INVALID_ARG_TYPE("url", "of type string", url);
  // node 20 drops tabs and line breaks inside the authority (user:pass@host), where the package ends the host at them
  const authority = slashesDenoteHost ? /^(\s*(?:[a-z0-9.+-]+:)?\/\/)([^/?#\\]*)/i : /^(\s*[a-z0-9.+-]+:\/\/)([^/?#\\]*)/i;
  let clean = url.replace(authority, (_, head, rest) => head + rest.replace(/[\t\n\r]/g, ""));
  // backslashes are slashes only before the query or hash (the package converts the query's too when there is no
  // hash); after it node escapes them, except in javascript: URLs
  const split = clean.search(/[?#]/);
  if (split !== -1 && clean.includes("\\", split)) {
    const tail = clean.slice(split);
    clean = clean.slice(0, split).replace(/\\/g, "/") + (/^\s*javascript:/i.test(clean) ? tail : tail.replace(/\\/g, "%5C"));
  }
  return legacy.parse(clean, parseQueryString, slashesDenoteHost);
}

export function format(obj, options) {
  if (typeof obj === "string") obj = parse(obj);
  else if (obj !== null && typeof obj === "object" && typeof obj.href === "string" && typeof obj.searchParams === "object") {
    // a WHATWG URL, with node's options
    const o = { auth: true, fragment: true, search: true, unicode: false, ...options };
    const u = new URL(obj.href);
    if (!o.auth) u.username = u.password = "";
    if (!o.fragment) u.hash = "";
    if (!o.search) u.search = "";
    const authority = u.username || u.password ? `${u.protocol}//${u.username}${u.password ? `:${u.password}` : ""}@` : `${u.protocol}//`;
    if (o.unicode && u.hostname && u.href.startsWith(authority + u.hostname)) {
      return authority + domainToUnicode(u.hostname) + u.href.slice(authority.length + u.hostname.length);
    }
    return u.href;
  } else if (obj === null || typeof obj !== "object") throw new ERR_INVALID_ARG_TYPE("urlObject", "one of type object or string", obj);
  return Url.prototype.format.call(obj);
}

export function resolve(from, to) {
  return parse(from, false, true).resolve(to);
}

export function resolveObject(from, to) {
  if (!from) return to;
  return parse(from, false, true).resolveObject(to);
}
