// node:url: the WHATWG URL (quickjs-wasi's url extension, linked on first
// use), file URL conversions, and node's legacy parse/format/resolve.

import * as querystring from "./querystring.js";
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
  // The url extension has no IDNA decoder; ASCII names come back unchanged, punycode ones too.
  return domainToASCII(domain);
}

// The legacy API: node's url.parse / url.format / url.resolve, kept for the
// many packages that still call them.

const slashedProtocols = new Set(["http", "http:", "https", "https:", "ftp", "ftp:", "gopher", "gopher:", "file", "file:", "ws", "ws:", "wss", "wss:"]);

export function Url() {
  this.protocol = null;
  this.slashes = null;
  this.auth = null;
  this.host = null;
  this.port = null;
  this.hostname = null;
  this.hash = null;
  this.search = null;
  this.query = null;
  this.pathname = null;
  this.path = null;
  this.href = null;
}

Url.prototype.parse = function (url, parseQueryString, slashesDenoteHost) {
  if (typeof url !== "string") throw new ERR_INVALID_ARG_TYPE("url", "of type string", url);
  let rest = url.trim();
  // as browsers and node read it: backslashes before the query (or hash) are slashes
  const end = rest.search(/[?#]/);
  rest = (end === -1 ? rest : rest.slice(0, end)).replace(/\\/g, "/") + (end === -1 ? "" : rest.slice(end));
  const hashAt = rest.indexOf("#");
  if (hashAt !== -1) {
    this.hash = rest.slice(hashAt);
    rest = rest.slice(0, hashAt);
  }
  const queryAt = rest.indexOf("?");
  if (queryAt !== -1) {
    this.search = rest.slice(queryAt);
    this.query = rest.slice(queryAt + 1);
    rest = rest.slice(0, queryAt);
  } else if (parseQueryString) {
    this.search = "";
    this.query = {};
  }
  if (parseQueryString && typeof this.query === "string") this.query = querystring.parse(this.query);

  const proto = /^([a-z0-9.+-]+:)/i.exec(rest);
  if (proto) {
    this.protocol = proto[1].toLowerCase();
    rest = rest.slice(proto[1].length);
  }
  if (slashesDenoteHost || proto || /^\/\/[^@/]+@[^@/]+/.test(rest)) {
    const slashes = rest.startsWith("//");
    if (slashes && !(this.protocol === "javascript:")) {
      rest = rest.slice(2);
      this.slashes = true;
    }
  }
  if (this.protocol !== "javascript:" && (this.slashes || (this.protocol && !slashedProtocols.has(this.protocol)))) {
    let hostEnd = rest.search(/[/\\]/);
    if (hostEnd === -1) hostEnd = rest.length;
    let host = rest.slice(0, hostEnd);
    rest = rest.slice(hostEnd);
    const at = host.lastIndexOf("@");
    if (at !== -1) {
      this.auth = decodeURIComponent(host.slice(0, at));
      host = host.slice(at + 1);
    }
    const port = /:(\d*)$/.exec(host);
    if (port) {
      if (port[1]) this.port = port[1];
      host = host.slice(0, port.index);
    }
    this.hostname = host.startsWith("[") && host.endsWith("]") ? host.slice(1, -1) : host.toLowerCase();
    this.host = (host.startsWith("[") ? host : this.hostname) + (this.port ? `:${this.port}` : "");
    if (slashedProtocols.has(this.protocol) && rest === "") rest = "/";
  }
  // characters a URL may not hold unescaped are escaped after the host: in the path, query and hash
  const escape = (x) => x.replace(/[\s"'<>\\^`{|}]/g, (c) => encodeURIComponent(c));
  if (rest !== "" || this.host) this.pathname = escape(rest);
  if (this.protocol !== "javascript:") {
    if (this.hash) this.hash = escape(this.hash);
    if (typeof this.search === "string") this.search = escape(this.search);
    if (typeof this.query === "string") this.query = escape(this.query);
  }
  if (this.protocol && slashedProtocols.has(this.protocol) && this.hostname && !this.pathname) this.pathname = "/";
  if (this.pathname !== null || this.search !== null) this.path = (this.pathname ?? "") + (this.search ?? "");
  this.href = this.format();
  return this;
};

Url.prototype.format = function () {
  let auth = this.auth || "";
  if (auth) auth = `${encodeURIComponent(auth).replace(/%3A/i, ":")}@`;
  let protocol = this.protocol || "";
  let pathname = this.pathname || "";
  let hash = this.hash || "";
  let host = "";
  let query = "";
  if (this.host) host = auth + this.host;
  else if (this.hostname) {
    host = auth + (this.hostname.includes(":") ? `[${this.hostname}]` : this.hostname);
    if (this.port) host += `:${this.port}`;
  }
  if (this.query !== null && typeof this.query === "object") query = querystring.stringify(this.query);
  let search = this.search || (query && `?${query}`) || "";
  if (protocol && !protocol.endsWith(":")) protocol += ":";
  if (this.slashes || ((!protocol || slashedProtocols.has(protocol)) && host)) {
    host = `//${host}`;
    if (pathname && !pathname.startsWith("/")) pathname = `/${pathname}`;
  }
  if (hash && !hash.startsWith("#")) hash = `#${hash}`;
  if (search && !search.startsWith("?")) search = `?${search}`;
  pathname = pathname.replace(/[?#]/g, encodeURIComponent);
  search = search.replace(/#/g, "%23");
  return protocol + host + pathname + search + hash;
};

Url.prototype.resolve = function (relative) {
  return resolve(this.format(), relative);
};

export function parse(url, parseQueryString, slashesDenoteHost) {
  if (url instanceof Url) return url;
  return new Url().parse(url, parseQueryString, slashesDenoteHost);
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
    return u.href;
  } else if (obj === null || typeof obj !== "object") throw new ERR_INVALID_ARG_TYPE("urlObject", "one of type object or string", obj);
  return Url.prototype.format.call(obj);
}

export function resolve(from, to) {
  try {
    const base = new URL(from);
    return new URL(to, base).href;
  } catch {
    // a relative base: resolve against a placeholder origin and strip it again
    const placeholder = "resolve://x";
    const base = new URL(from.startsWith("/") ? from : `/${from}`, placeholder);
    const r = new URL(to, base).href;
    if (!r.startsWith(`${placeholder}/`)) return r;
    const out = r.slice(placeholder.length);
    return from.startsWith("/") || to.startsWith("/") ? out : out.slice(1);
  }
}

export function resolveObject(from, to) {
  // (either may be a parsed Url, as node's accepts)
  const text = (u) => (typeof u === "string" ? u : format(u));
  return parse(resolve(text(from), text(to)));
}
