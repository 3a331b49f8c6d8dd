// The runtime JS: evaluated inside the guest before the app. It sets up the
// Node-style globals and hands the host its entry points (see ABI.md).
// Bundled into one script and compiled to QuickJS bytecode at build time.

import { host } from "./internal/host.js"; // first: takes __edgebox_host off the global object
import { installStacks, wrappedFiles } from "./internal/stack.js";
import { installClock, reseed } from "./internal/clock.js";
import { Console } from "./internal/console.js";
import { inspect } from "./internal/inspect.js";
import { process, bindProcess, naturalExit } from "./internal/process.js";
import * as timers from "./internal/timers.js";

void host;
installStacks();
installClock();

const g = globalThis;
function define(name, value) {
  Object.defineProperty(g, name, { value, writable: true, enumerable: false, configurable: true });
}

define("global", g);
define("process", process);
define("console", new Console(process.stdout, process.stderr));
for (const name of ["setTimeout", "clearTimeout", "setInterval", "clearInterval", "setImmediate", "clearImmediate"]) {
  define(name, timers[name]);
}

function notFound(specifier) {
  const err = new Error(`Cannot find module '${specifier}'`);
  err.code = "MODULE_NOT_FOUND";
  return err;
}

function dirname(path) {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

/** Text node prints for an error nobody caught. */
function formatUncaught(err, fromPromise) {
  if (err instanceof Error || (err !== null && typeof err === "object" && typeof err.stack === "string")) {
    return inspect(err);
  }
  if (fromPromise) {
    return (
      "[UnhandledPromiseRejection: This error originated either by throwing inside of an async function without a catch block, " +
      `or by rejecting a promise which was not handled with .catch(). The promise rejected with the reason "${inspect(err)}".] {\n  code: 'ERR_UNHANDLED_REJECTION'\n}`
    );
  }
  return `Uncaught ${inspect(err)}`;
}

// The host's entry points, taken (and removed from the global object) right after this script runs.
define("__edgebox_entry", {
  start(configJson) {
    const config = JSON.parse(configJson);
    reseed(config.seed);
    bindProcess(config);
  },
  markWrapped(filename, wrapped) {
    if (wrapped) wrappedFiles.add(filename);
    else wrappedFiles.delete(filename);
  },
  runCommonJS(fn, filename) {
    const module = { id: ".", filename, loaded: false, exports: {}, children: [], paths: [] };
    const require = (specifier) => {
      throw notFound(specifier);
    };
    fn.call(module.exports, module.exports, require, module, filename, dirname(filename));
    module.loaded = true;
  },
  tick: timers.tick,
  exit: naturalExit,
  formatUncaught,
});
