// The runtime JS: evaluated inside the guest before the app. It sets up the
// Node-style globals and built-in modules and hands the host its entry
// points (see ABI.md). Run once at build time; its memory is the snapshot
// every run starts from, so nothing here may depend on the run (start() binds that).

import * as hostModule from "./internal/host.js"; // first: takes __edgebox_host off the global object
import * as abi from "./abi.js";
import { installStacks, mappedFiles, wrappedFiles } from "./internal/stack.js";
import { hostSeedBuffer, installClock, reseed, reseedFromHost } from "./internal/clock.js";
import { installRegExpV } from "./internal/regexp_v.js";
import { installAwaitContext } from "./internal/async_context.js";
import { Console } from "./internal/console.js";
import * as processModule from "./internal/process.js";
import * as timers from "./internal/timers.js";
import * as events from "./internal/events.js";
import * as fs from "./internal/fs.js";
import * as buffer from "./internal/buffer.js";
import * as web from "./internal/web.js";
import * as dc from "./internal/diagnostics_channel.js";
import * as os from "./internal/os.js";
import * as tty from "./internal/tty.js";
import * as url from "./internal/url.js";
import { completeURL } from "./internal/whatwg_url.js";
import * as querystring from "./internal/querystring.js";
import * as timersPromises from "./internal/timers_promises.js";
import * as crypto from "./internal/crypto.js";
import * as perfHooks from "./internal/perf_hooks.js";
import * as asyncHooks from "./internal/async_hooks.js";
import { workerThreadsModule } from "./internal/worker_threads.js";
import * as async from "./internal/async.js";
import * as errors from "./internal/errors.js";
import * as utf8 from "./internal/utf8.js";
import { runtimeModule, shareModules } from "./internal/runtime_modules.js";
import * as util from "./internal/util.js";
import * as path from "./internal/path.js";
import { unsupportedModule, UNSUPPORTED } from "./internal/unsupported.js";
import { Module, registerBuiltin, runMain, mainExports, esmBuiltinSource, esmCommonJsSource, installRequireForEsm, importBuiltin, builtRequire } from "./internal/modules.js";

const { host, bindRun, needsRun } = hostModule;
const { OP } = abi;
const { process, bindProcess, bindPlatform, naturalExit, isStdinTTY } = processModule;
const { deliver } = async;

// What the modules kept out of the snapshot import from it ("process" is the object, as
// node's packages require it).
shareModules({
  abi,
  "internal/async": async,
  "internal/buffer": buffer,
  "internal/errors": errors,
  "internal/events": events,
  "internal/host": hostModule,
  "internal/process": processModule,
  process,
  "internal/timers": timers,
  "internal/utf8": utf8,
  "internal/util": util,
  "internal/web": web,
});
const stream = () => runtimeModule("internal/stream");

installStacks();
installClock();
installRegExpV(globalThis);
installAwaitContext(globalThis);

const g = globalThis;
function define(name, value) {
  Object.defineProperty(g, name, { value, writable: true, enumerable: false, configurable: true });
}

define("global", g);
define("process", process);
define("console", new Console(process.stdout, process.stderr));
Object.defineProperty(g.console, "Console", { value: Console, writable: true, enumerable: true, configurable: true });
define("Buffer", buffer.Buffer);
for (const name of ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate"]) {
  define(name, timers[name]);
}
for (const name of ["Event", "EventTarget", "CustomEvent", "AbortController", "AbortSignal", "Headers", "Request", "Response", "Blob", "fetch"]) {
  define(name, web[name]);
}
installRequireForEsm();

// process.stdin is a stream, made on first use.
let stdin;
Object.defineProperty(process, "stdin", {
  get: () => (stdin ??= runtimeModule("internal/stdin").createStdin(isStdinTTY())),
  enumerable: true,
  configurable: true,
});

/**
 * Globals from native extensions (quickjs-wasi's side modules), linked on
 * first use: a run that never touches URL or TextEncoder never pays for them.
 */
const EXTENSION_GLOBALS = {
  url: ["URL", "URLSearchParams"],
  encoding: ["TextEncoder", "TextDecoder"],
  "structured-clone": ["structuredClone"],
  crypto: ["crypto"],
};
/** Extensions whose globals nothing has touched yet (still the getters below). */
const untouched = new Set(Object.keys(EXTENSION_GLOBALS));
/**
 * Make `names` getters that run `load` on the first access of any of them; `load` leaves them
 * data properties. Returns whether global `n` is still one of these getters (not set since).
 */
function onFirstUse(names, load) {
  const getters = new Set();
  for (const name of names) {
    const get = () => {
      load();
      return g[name];
    };
    getters.add(get);
    Object.defineProperty(g, name, {
      configurable: true,
      enumerable: false,
      get,
      set(v) {
        define(name, v);
      },
    });
  }
  return (n) => getters.has(Object.getOwnPropertyDescriptor(g, n)?.get);
}
for (const [ext, names] of Object.entries(EXTENSION_GLOBALS)) {
  onFirstUse(names, () => {
    untouched.delete(ext);
    for (const n of names) delete g[n];
    host(OP.EXT_LOAD, ext);
    if (ext === "url") completeURL(g);
  });
}

/**
 * edgebox serve's image: link `ext` now, yet leave its globals getters, so that a request
 * whose code never touches them never links it again (the host then skips it). When the app's
 * module scope touched them already, it may hold them anywhere: every request links it.
 */
function linkDeferred(ext) {
  if (!untouched.has(ext)) return;
  const names = EXTENSION_GLOBALS[ext];
  void g[names[0]];
  const linked = names.map((n) => Object.getOwnPropertyDescriptor(g, n));
  const pending = onFirstUse(names, () => {
    host(OP.EXT_LOAD, ext);
    names.forEach((n, i) => pending(n) && Object.defineProperty(g, n, linked[i]));
  });
}

/**
 * Intl, from FormatJS's polyfills (wasm/intl/): each chunk is bytecode of its
 * own, outside the snapshot, evaluated when a script first touches one of its
 * members or a method that formats by locale: a run that never formats pays nothing.
 */
const INTL_CHUNKS = {
  core: ["getCanonicalLocales", "Locale", "Collator"],
  pluralrules: ["PluralRules"],
  numberformat: ["NumberFormat"],
  datetimeformat: ["DateTimeFormat"],
  segmenter: ["Segmenter"],
  listformat: ["ListFormat"],
  relativetimeformat: ["RelativeTimeFormat"],
};
const intl = Object.defineProperty({}, Symbol.toStringTag, { value: "Intl", configurable: true });
/**
 * The chunks a chunk's polyfill uses: FormatJS reads Intl's members as data properties
 * (never through a getter), so they are loaded first.
 */
const INTL_NEEDS = {
  core: [],
  pluralrules: ["core"],
  numberformat: ["core", "pluralrules"],
  datetimeformat: ["core", "pluralrules", "numberformat"],
  relativetimeformat: ["core", "pluralrules", "numberformat"],
  listformat: ["core"],
  segmenter: ["core"],
};
const intlLoaded = new Set();
let preparingIntl = false; // warmIntl's (a build's pre-run asks the host for chunks then)
function loadIntlChunk(chunk) {
  if (intlLoaded.has(chunk)) return;
  for (const c of INTL_NEEDS[chunk]) loadIntlChunk(c);
  intlLoaded.add(chunk);
  for (const n of INTL_CHUNKS[chunk]) delete intl[n];
  const timeZone = hostModule.intlLoad(chunk, preparingIntl);
  // node's default locale where no LANG says otherwise (FormatJS's would be the first it loaded, "en")
  for (const n of INTL_CHUNKS[chunk]) if (intl[n] && "__defaultLocale" in intl[n]) intl[n].__defaultLocale = "en-US";
  for (const n of INTL_CHUNKS[chunk]) intlOwn.set(n, Object.getOwnPropertyDescriptor(intl, n)?.value);
  if (chunk === "datetimeformat") setDefaultTimeZone(timeZone);
}
function setDefaultTimeZone(timeZone) {
  try {
    intl.DateTimeFormat.__setDefaultTimeZone(timeZone);
  } catch {
    intl.DateTimeFormat.__setDefaultTimeZone("UTC"); // a zone without data in the chunk
  }
}
/** start(): a snapshot that holds DateTimeFormat (a built app's, warmIntl) takes this run's time zone (the host's answer to no chunk). */
function bindTimeZone() {
  if (intlLoaded.has("datetimeformat")) setDefaultTimeZone(hostModule.intlLoad(""));
}
/** What the runtime put at each member: its loading getter, then what the chunk installed (warmIntl prepares only these). */
const intlOwn = new Map();
for (const [chunk, names] of Object.entries(INTL_CHUNKS)) {
  for (const name of names) {
    intlOwn.set(name, function () {
      loadIntlChunk(chunk);
      return intl[name];
    });
    Object.defineProperty(intl, name, {
      get: intlOwn.get(name),
      set(v) {
        Object.defineProperty(intl, name, { value: v, writable: true, enumerable: false, configurable: true });
      },
      enumerable: false,
      configurable: true,
    });
  }
}
define("Intl", intl);
/** Methods that format by locale: the engine's until the chunk named here replaces them. */
const LOCALE_METHODS = [
  [Number.prototype, "toLocaleString", "NumberFormat"],
  [BigInt.prototype, "toLocaleString", "NumberFormat"],
  [Date.prototype, "toLocaleString", "DateTimeFormat"],
  [Date.prototype, "toLocaleDateString", "DateTimeFormat"],
  [Date.prototype, "toLocaleTimeString", "DateTimeFormat"],
  [String.prototype, "localeCompare", "Collator"],
];
for (const [proto, name, member] of LOCALE_METHODS) {
  const engine = proto[name];
  const lazy = {
    [name](...args) {
      void intl[member];
      const now = proto[name];
      return (now === lazy ? engine : now).apply(this, args);
    },
  }[name];
  Object.defineProperty(proto, name, { value: lazy, writable: true, enumerable: false, configurable: true });
}

/** A module object: a plain, mutable copy (packages patch built-ins, as graceful-fs patches fs). */
const plain = (ns, extra) => Object.assign({}, ns, extra);

/** Members that are globals from extensions: read on use, so requiring the module does not link them. */
function withGlobals(m, names) {
  for (const name of names) {
    Object.defineProperty(m, name, {
      get: () => g[name],
      set: (v) => Object.defineProperty(m, name, { value: v, writable: true, enumerable: true, configurable: true }),
      enumerable: true,
      configurable: true,
    });
  }
  return m;
}

registerBuiltin("fs", () => {
  const m = plain(fs);
  for (const name of ["ReadStream", "WriteStream"]) {
    Object.defineProperty(m, name, { get: () => fs.streamClasses()[name], enumerable: true, configurable: true });
  }
  return m;
});
registerBuiltin("fs/promises", () => fs.promises);
registerBuiltin("path", () => path.posix);
registerBuiltin("path/posix", () => path.posix);
registerBuiltin("path/win32", () => path.posix.win32);
registerBuiltin("events", () => {
  const E = events.EventEmitter;
  E.default = E;
  return E;
});
registerBuiltin("buffer", () => plain(buffer, { Blob: web.Blob, atob: g.atob, btoa: g.btoa }));
registerBuiltin("stream", () => stream().Stream);
registerBuiltin("stream/promises", () => stream().promises);
registerBuiltin("child_process", () => plain(runtimeModule("internal/child_process")));
registerBuiltin("process", () => process);
registerBuiltin("timers", () => plain(timers));
registerBuiltin("util", () => withGlobals(plain(util), ["TextEncoder", "TextDecoder"]));
registerBuiltin("util/types", () => util.types);
registerBuiltin("console", () => g.console);
registerBuiltin("module", () => Module);
registerBuiltin("diagnostics_channel", () => plain(dc));
registerBuiltin("os", () => plain(os));
registerBuiltin("tty", () => plain(tty));
registerBuiltin("url", () => withGlobals(plain(url), ["URL", "URLSearchParams"]));
registerBuiltin("querystring", () => plain(querystring));
registerBuiltin("string_decoder", () => plain(runtimeModule("string_decoder")));
registerBuiltin("timers/promises", () => plain(timersPromises));
registerBuiltin("assert", () => runtimeModule("internal/assert").assert);
registerBuiltin("assert/strict", () => runtimeModule("internal/assert").assert.strict);
registerBuiltin("crypto", () => {
  const { unsupportedApis, ...api } = crypto;
  const m = plain(api, unsupportedApis);
  Object.defineProperty(m, "webcrypto", { get: () => g.crypto, enumerable: true, configurable: true });
  Object.defineProperty(m, "subtle", { get: () => g.crypto.subtle, enumerable: true, configurable: true });
  return m;
});
registerBuiltin("zlib", () => plain(runtimeModule("internal/zlib")));
registerBuiltin("readline", () => plain(runtimeModule("internal/readline")));
registerBuiltin("readline/promises", () => runtimeModule("internal/readline").promises);
registerBuiltin("perf_hooks", () => plain(perfHooks));
registerBuiltin("async_hooks", () => plain(asyncHooks));
registerBuiltin("worker_threads", workerThreadsModule);
registerBuiltin("constants", () => plain(os.constants.errno, { ...os.constants.signals, ...os.constants.priority, ...fs.constants }));
for (const name of UNSUPPORTED) registerBuiltin(name, () => unsupportedModule(name));

/** Text node prints for an error nobody caught. */
function formatUncaught(err, fromPromise) {
  if (err instanceof Error || (err !== null && typeof err === "object" && typeof err.stack === "string")) {
    return util.inspect(err);
  }
  if (fromPromise) {
    return (
      "[UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, " +
      `or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "${util.inspect(err)}".] {\n  code: 'ERR_UNHANDLED_REJECTION'\n}`
    );
  }
  return `Uncaught ${util.inspect(err)}`;
}

/** edgebox serve: the env every request's handler gets (set with the handler, in the image). */
let serveEnv;

/** edgebox serve: settles when every promise in `waits` has, those added meanwhile too. */
async function settleAll(waits) {
  for (let n = -1; n !== waits.length; ) {
    n = waits.length;
    await Promise.allSettled(waits);
  }
}

/**
 * edgebox serve: what the host makes the HTTP response from; a string body goes as it is (the host
 * takes its UTF-8). The head is lines: the header count, status, status text, then each header's
 * name and value (the host checks the count of lines, so a line break inside one is caught; JSON
 * here cost ~5 µs of every request in the interpreter, these lines <1).
 */
function servedResponse(res) {
  if (!(res instanceof web.Response)) {
    throw new TypeError(`the fetch handler returned ${res === null ? "null" : typeof res === "object" ? `an instance of ${res.constructor?.name ?? "Object"}` : typeof res}, not a Response`);
  }
  const pairs = web.headerPairs(res.headers);
  let head = pairs.length + "\n" + res.status + "\n" + res.statusText;
  for (let i = 0; i < pairs.length; i++) head += "\n" + pairs[i][0] + "\n" + pairs[i][1];
  return { head, body: res._text ?? res._body };
}

// The host's entry points, taken (and removed from the global object) right after this script runs.
define("__edgebox_entry", {
  start(configJson) {
    const config = JSON.parse(configJson);
    bindRun();
    reseed(config.seed);
    fs.bindConstants(config.fsConstants);
    bindProcess(config);
    os.bindOs(config.os);
    bindTimeZone();
  },
  markWrapped(filename, prefixLength) {
    if (prefixLength) wrappedFiles.set(filename, prefixLength);
    else wrappedFiles.delete(filename);
  },
  markMapped(filename) {
    mappedFiles.add(filename);
  },
  runCommonJS: runMain,
  /** Before pre-running a built app's top level (edgebox build): what every run of this build binds the same. */
  prebind(configJson) {
    bindPlatform(JSON.parse(configJson));
  },
  /** Run a built app's function (internal/build/script.ts): a promise of its exports. */
  runBuilt(fn) {
    const main = () => {
      needsRun("import.meta");
      return process.argv[1];
    };
    const meta = {
      get url() {
        return `file://${main()}`;
      },
      get filename() {
        return main();
      },
      get dirname() {
        return path.posix.dirname(main());
      },
      resolve: (specifier) => globalThis[Symbol.for("edgebox.resolve")](specifier, main()),
    };
    return fn(importBuiltin, builtRequire, meta);
  },
  /** edgebox serve: where the host writes each request's random seed (a request starts from a snapshot taken after start(); only the clock and randomness are its own). */
  hostSeedBuffer,
  /** The app's exports: a CommonJS main's module.exports (an ES module's namespace comes from its evaluation). */
  mainExports,
  /** edgebox serve: the app's fetch handler object, or an error saying what the app exports instead. */
  findHandler(exports) {
    // (a request's env is this copy, made once in the image: process.env is the image's in every request)
    serveEnv = { ...process.env };
    for (const candidate of [exports?.default, exports]) {
      if (candidate && typeof candidate.fetch === "function") return candidate;
    }
    const names = exports && typeof exports === "object" ? Object.keys(exports) : [];
    throw new TypeError(
      `the app has no fetch handler: export default { fetch(request, env, ctx) { ... } }${names.length ? ` (it exports ${names.join(", ")})` : ""}`,
    );
  },
  /**
   * edgebox serve: one request, `head` its method, a space, its URL, a line break and the JSON of
   * its header pairs (JSON escapes line breaks: the last one is the separator), parsed when the
   * handler first reads the headers. Returns { response, settled }: the response ({ head: its
   * lines, see servedResponse; body: a string, bytes or null }), or a promise of it when the
   * handler did not return a Response at once; and `settled`, a promise that settles when the
   * promises given to ctx.waitUntil have, set by the first of them (undefined: none yet).
   */
  serve(handler, head, body) {
    reseedFromHost();
    const space = head.indexOf(" ");
    const nl = head.lastIndexOf("\n");
    const request = web.incomingRequest(head.slice(space + 1, nl), head.slice(0, space), head.slice(nl + 1), body);
    const out = { response: undefined, settled: undefined };
    const waits = [];
    const ctx = {
      waitUntil(p) {
        // a failure there has no response left to fail: it goes to the log
        waits.push(Promise.resolve(p).catch((e) => process.stderr.write(`ctx.waitUntil: ${formatUncaught(e, true)}\n`)));
        out.settled ??= settleAll(waits);
      },
      passThroughOnException() {},
    };
    let res;
    try {
      res = handler.fetch(request, serveEnv, ctx);
    } catch (e) {
      res = Promise.reject(e);
    }
    if (res instanceof web.Response) {
      try {
        out.response = servedResponse(res);
        return out;
      } catch (e) {
        // (headers replaced by something that is not Headers: failed as a handler's rejection is)
        res = Promise.reject(e);
      }
    }
    out.response = Promise.resolve(res).then(servedResponse);
    const settle = () => settleAll(waits);
    out.settled = out.response.then(settle, settle);
    return out;
  },
  /** Link extension `ext` now, as first use of its globals would (edgebox serve: before its snapshot). */
  loadExtension(ext) {
    void g[EXTENSION_GLOBALS[ext][0]];
  },
  linkDeferred,
  /**
   * edgebox build and serve: load the Intl chunk of `member` and make one instance, so that the
   * snapshot holds the chunk and its en-US data prepared (FormatJS in the interpreter: a run's,
   * or a request's, first DateTimeFormat would otherwise cost it ~0.8 s). 1 when it did.
   */
  warmIntl(member) {
    // (not what the app put there: its code would run here, with a build's answers)
    const d = Object.getOwnPropertyDescriptor(intl, member);
    if ((d?.get ?? d?.value) !== intlOwn.get(member)) return 0;
    preparingIntl = true;
    let f;
    try {
      f = new intl[member]();
      f.format?.(0);
    } catch {
      // a format that needs more arguments (RelativeTimeFormat's): the instance was made (f is set)
    } finally {
      preparingIntl = false;
    }
    return f === undefined ? 0 : 1;
  },
  tick: timers.tick,
  deliver,
  exit: naturalExit,
  formatUncaught,
  esmBuiltin: esmBuiltinSource,
  esmCommonJs: esmCommonJsSource,
});
