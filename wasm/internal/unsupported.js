// Modules the sandbox cannot offer (servers, raw sockets, threads): they load,
// so that code which merely imports them still runs, and every function
// throws ERR_NOT_SUPPORTED_IN_SANDBOX naming itself. No silent stubs.

import { http2Constants } from "./constants.js";

const NO_SOCKETS = "no sockets, servers or threads; fetch() reaches the network under the policy";
const reasons = { "stream/web": "web streams are not implemented; node:stream is", vm: "no second realm", v8: "no V8" };

function thrower(prefix, member, module = prefix) {
  const name = `${prefix}.${member}`;
  const fn = function () {
    const err = new Error(`${name} is not supported in the sandbox (${reasons[module] ?? NO_SOCKETS})`);
    err.code = "ERR_NOT_SUPPORTED_IN_SANDBOX";
    throw err;
  };
  Object.defineProperty(fn, "name", { value: name.split(".").pop() });
  return fn;
}

const members = {
  http: ["createServer", "request", "get", "Agent", "Server", "ClientRequest", "IncomingMessage", "ServerResponse", "OutgoingMessage", "validateHeaderName", "validateHeaderValue", "setMaxIdleHTTPParsers"],
  https: ["createServer", "request", "get", "Agent", "Server"],
  http2: ["createServer", "createSecureServer", "connect", "getDefaultSettings", "getPackedSettings", "getUnpackedSettings"],
  net: ["createServer", "createConnection", "connect", "Server", "Socket", "BlockList", "SocketAddress"],
  tls: ["createServer", "connect", "createSecureContext", "checkServerIdentity", "Server", "TLSSocket", "getCiphers"],
  dns: ["lookup", "resolve", "resolve4", "resolve6", "resolveMx", "resolveTxt", "resolveSrv", "resolveNs", "resolveCname", "reverse", "lookupService", "setServers", "getServers", "Resolver"],
  dgram: ["createSocket", "Socket"],
  cluster: ["fork", "setupPrimary", "setupMaster", "disconnect"],
  vm: ["Script", "createContext", "runInContext", "runInNewContext", "runInThisContext", "compileFunction", "isContext"],
  "stream/web": ["ReadableStream", "WritableStream", "TransformStream", "ReadableStreamDefaultReader", "WritableStreamDefaultWriter", "TextEncoderStream", "TextDecoderStream", "CompressionStream", "DecompressionStream", "ByteLengthQueuingStrategy", "CountQueuingStrategy"],
  v8: ["serialize", "deserialize", "getHeapStatistics", "getHeapSnapshot", "setFlagsFromString", "writeHeapSnapshot"],
};

const STATUS_CODES = {
  100: "Continue", 101: "Switching Protocols", 102: "Processing", 103: "Early Hints", 200: "OK", 201: "Created", 202: "Accepted",
  203: "Non-Authoritative Information", 204: "No Content", 205: "Reset Content", 206: "Partial Content", 207: "Multi-Status",
  208: "Already Reported", 226: "IM Used", 300: "Multiple Choices", 301: "Moved Permanently", 302: "Found", 303: "See Other",
  304: "Not Modified", 305: "Use Proxy", 307: "Temporary Redirect", 308: "Permanent Redirect", 400: "Bad Request",
  401: "Unauthorized", 402: "Payment Required", 403: "Forbidden", 404: "Not Found", 405: "Method Not Allowed",
  406: "Not Acceptable", 407: "Proxy Authentication Required", 408: "Request Timeout", 409: "Conflict", 410: "Gone",
  411: "Length Required", 412: "Precondition Failed", 413: "Payload Too Large", 414: "URI Too Long",
  415: "Unsupported Media Type", 416: "Range Not Satisfiable", 417: "Expectation Failed", 418: "I'm a Teapot",
  421: "Misdirected Request", 422: "Unprocessable Entity", 423: "Locked", 424: "Failed Dependency", 425: "Too Early",
  426: "Upgrade Required", 428: "Precondition Required", 429: "Too Many Requests", 431: "Request Header Fields Too Large",
  451: "Unavailable For Legal Reasons", 500: "Internal Server Error", 501: "Not Implemented", 502: "Bad Gateway",
  503: "Service Unavailable", 504: "Gateway Timeout", 505: "HTTP Version Not Supported", 506: "Variant Also Negotiates",
  507: "Insufficient Storage", 508: "Loop Detected", 509: "Bandwidth Limit Exceeded", 510: "Not Extended",
  511: "Network Authentication Required",
};

const METHODS = ["ACL", "BIND", "CHECKOUT", "CONNECT", "COPY", "DELETE", "GET", "HEAD", "LINK", "LOCK", "M-SEARCH", "MERGE", "MKACTIVITY", "MKCALENDAR", "MKCOL", "MOVE", "NOTIFY", "OPTIONS", "PATCH", "POST", "PROPFIND", "PROPPATCH", "PURGE", "PUT", "QUERY", "REBIND", "REPORT", "SEARCH", "SOURCE", "SUBSCRIBE", "TRACE", "UNBIND", "UNLINK", "UNLOCK", "UNSUBSCRIBE"];

/** The module object of unsupported built-in `name`. */
export function unsupportedModule(name) {
  if (name === "dns/promises") return stubs("dns", "dns.promises");
  const m = stubs(name);
  if (name === "http" || name === "https") Object.assign(m, { STATUS_CODES, METHODS, maxHeaderSize: 16384, globalAgent: undefined });
  if (name === "cluster") Object.assign(m, { isPrimary: true, isMaster: true, isWorker: false, workers: {} });
  if (name === "http2") Object.assign(m, { constants: http2Constants(), sensitiveHeaders: Symbol("nodejs.http2.sensitiveHeaders") });
  // (its own members again, not itself: that recursed without end)
  if (name === "dns") m.promises = stubs("dns", "dns.promises");
  return m;
}

/** An object of `module`'s members, each throwing ERR_NOT_SUPPORTED_IN_SANDBOX with its name under `prefix`. */
function stubs(module, prefix = module) {
  const m = {};
  for (const member of members[module] ?? []) m[member] = thrower(prefix, member, module);
  return m;
}

export const UNSUPPORTED = [...Object.keys(members), "dns/promises"];
