// The `process` global. Values that belong to one run (argv, env, cwd, pid)
// are bound by start(), never at runtime build time.

import { OP } from "../abi.js";
import { EventEmitter } from "./events.js";
import { host, needsRun } from "./host.js";
import { ERR_INVALID_ARG_TYPE, notSupported } from "./errors.js";
import { performance } from "./clock.js";

class WriteStream extends EventEmitter {
  constructor(op, fd) {
    super();
    this.fd = fd;
    this._op = op;
    this.isTTY = undefined; // as node's for a pipe or file; true for a terminal
    this.writable = true;
  }
  write(chunk, encoding, cb) {
    if (typeof encoding === "function") cb = encoding;
    if (typeof chunk === "string") host(this._op, chunk);
    else if (chunk instanceof Uint8Array) host(this._op, undefined, chunk);
    else if (ArrayBuffer.isView(chunk)) host(this._op, undefined, new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
    else throw new ERR_INVALID_ARG_TYPE("chunk", "of type string or an instance of Buffer or Uint8Array", chunk);
    if (typeof cb === "function") queueMicrotask(cb);
    return true;
  }
  end(chunk, encoding, cb) {
    if (typeof chunk === "function") cb = chunk;
    else if (chunk !== undefined && chunk !== null) this.write(chunk, encoding);
    if (typeof cb === "function") queueMicrotask(cb);
    return this;
  }
  // Terminal queries: node's answers from the environment the guest was granted.
  getColorDepth(env = process.env) {
    if (!this.isTTY || env.NO_COLOR !== undefined || env.TERM === "dumb") return 1;
    if (env.COLORTERM === "truecolor" || env.COLORTERM === "24bit") return 24;
    if (/-256(colou?r)?$/.test(env.TERM ?? "")) return 8;
    return 4;
  }
  hasColors(count = 16, env) {
    if (typeof count === "object") [count, env] = [16, count];
    return 2 ** this.getColorDepth(env) >= count;
  }
  get columns() {
    return this.isTTY ? Number(process.env.COLUMNS) || 80 : undefined;
  }
  get rows() {
    return this.isTTY ? Number(process.env.LINES) || 24 : undefined;
  }
}

const tickQueue = [];
let tickScheduled = false;
function runTicks() {
  tickScheduled = false;
  while (tickQueue.length > 0) {
    const [fn, args] = tickQueue.shift();
    fn(...args);
  }
}

let exiting = false;
let exitCode;

function validateExitCode(code) {
  if (code === undefined || code === null) return undefined;
  if (typeof code === "string" && /^-?\d+$/.test(code.trim())) code = Number(code);
  if (!Number.isInteger(code)) {
    const err = new TypeError(`The "code" argument must be of type number. Received ${typeof code === "string" ? `type string ('${code}')` : typeof code}`);
    err.code = "ERR_INVALID_ARG_TYPE";
    throw err;
  }
  return code;
}

export const process = new EventEmitter();
// String(process) is "[object process]", which packages test to tell node from a browser
Object.defineProperty(process, Symbol.toStringTag, { value: "process", writable: false, enumerable: false, configurable: true });

/** What belongs to one run: bound by start(); reading it before (at build time) stops a pre-run. */
const run = { argv: [], argv0: "edgebox", execPath: "/edgebox", env: {}, pid: 1, ppid: 0 };
for (const name of Object.keys(run)) {
  Object.defineProperty(process, name, {
    get() {
      needsRun(`process.${name}`);
      return run[name];
    },
    set(v) {
      run[name] = v;
    },
    enumerable: true,
    configurable: true,
  });
}

Object.assign(process, {
  title: "edgebox",
  execArgv: [],
  platform: "linux",
  arch: "x64",
  version: "v20.0.0",
  versions: {},
  release: { name: "node" },
  features: {},
  config: { variables: {} },
  stdout: new WriteStream(OP.STDOUT, 1),
  stderr: new WriteStream(OP.STDERR, 2),
  _cwd: "/",

  cwd() {
    needsRun("process.cwd()");
    return process._cwd; // not `this`: packages call it unbound (yargs does)
  },
  chdir() {
    throw notSupported("process.chdir()");
  },
  exit(code) {
    code = validateExitCode(code);
    if (code !== undefined) exitCode = code;
    if (!exiting) {
      exiting = true;
      process.emit("exit", exitCode ?? 0);
    }
    host(OP.EXIT, String(exitCode ?? 0));
  },
  reallyExit(code) {
    host(OP.EXIT, String(code ?? 0));
  },
  abort() {
    host(OP.EXIT, "134");
  },
  nextTick(fn, ...args) {
    if (typeof fn !== "function") throw new ERR_INVALID_ARG_TYPE("callback", "of type function", fn);
    tickQueue.push([fn, args]);
    if (!tickScheduled) {
      tickScheduled = true;
      queueMicrotask(runTicks);
    }
  },
  hrtime(prev) {
    const t = performance.now();
    let s = Math.floor(t / 1000);
    let ns = Math.floor((t - s * 1000) * 1e6);
    if (prev) {
      s -= prev[0];
      ns -= prev[1];
      if (ns < 0) {
        s--;
        ns += 1e9;
      }
    }
    return [s, ns];
  },
  uptime() {
    // (performance.now() counts from the run's start: reseed() in start())
    return performance.now() / 1000;
  },
  emitWarning(warning, type, code) {
    if (typeof type === "object" && type !== null) ({ type, code } = type);
    const name = warning instanceof Error ? warning.name : type || "Warning";
    const message = warning instanceof Error ? warning.message : String(warning);
    process.emit("warning", Object.assign(new Error(message), { name, code }));
    process.stderr.write(`(edgebox:${process.pid}) ${code ? `[${code}] ` : ""}${name}: ${message}\n`);
  },
  umask() {
    return 0o22;
  },
  getuid() {
    return 1000;
  },
  getgid() {
    return 1000;
  },
  geteuid() {
    return 1000;
  },
  getegid() {
    return 1000;
  },
  // The guest's own time, not the host process's CPU: under serve that is
  // shared by every request, and another request's work must not show.
  cpuUsage(previous) {
    const us = Math.round(performance.now() * 1000);
    return previous ? { user: us - previous.user, system: 0 - previous.system } : { user: us, system: 0 };
  },
  memoryUsage: Object.assign(() => JSON.parse(host(OP.MEMORY_USAGE)), { rss: () => JSON.parse(host(OP.MEMORY_USAGE)).rss }),
  resourceUsage() {
    const m = JSON.parse(host(OP.MEMORY_USAGE));
    const us = Math.round(performance.now() * 1000);
    return { userCPUTime: us, systemCPUTime: 0, maxRSS: Math.round(m.rss / 1024), sharedMemorySize: 0, unsharedDataSize: 0, unsharedStackSize: 0, minorPageFault: 0, majorPageFault: 0, swappedOut: 0, fsRead: 0, fsWrite: 0, ipcSent: 0, ipcReceived: 0, signalsCount: 0, voluntaryContextSwitches: 0, involuntaryContextSwitches: 0 };
  },
  binding(name) {
    const err = new Error(`No such module: ${name}`);
    err.code = "ERR_NOT_SUPPORTED_IN_SANDBOX";
    throw err;
  },
});

Object.defineProperty(process, "exitCode", {
  get: () => exitCode,
  set: (v) => {
    exitCode = validateExitCode(v);
  },
  enumerable: true,
  configurable: true,
});

process.hrtime.bigint = () => BigInt(Math.round(performance.now() * 1e6));

/** Bind what is the same for every run of this EdgeBox build on this target (also before a pre-run). */
export function bindPlatform(config) {
  process.platform = config.platform;
  process.arch = config.arch;
  process.version = config.nodeVersion;
  process.versions = config.versions;
}

/** Bind what belongs to this run. */
export function bindProcess(config) {
  bindPlatform(config);
  run.argv = config.argv;
  run.argv0 = config.argv0 ?? "edgebox";
  run.execPath = config.execPath;
  run.env = watchEnv(config.env);
  run.pid = config.pid;
  run.ppid = config.ppid;
  process._cwd = config.cwd;
  // node's isTTY is true for a terminal and absent for a pipe or file
  [stdinIsTTY, process.stdout.isTTY, process.stderr.isTTY] = config.tty.map((t) => t || undefined);
}

/**
 * process.env, telling the host the names the app looks for and does not
 * find, so that it can say when the policy hides a variable that is set.
 */
function watchEnv(env) {
  const told = new Set();
  const tell = (name) => {
    if (typeof name !== "string" || Object.hasOwn(env, name) || told.has(name) || told.size >= 256) return;
    told.add(name);
    host(OP.ENV_MISSING, name);
  };
  return new Proxy(env, {
    get(target, name, receiver) {
      tell(name);
      return Reflect.get(target, name, receiver);
    },
    has(target, name) {
      tell(name);
      return Reflect.has(target, name);
    },
  });
}

let stdinIsTTY = false;
/** Whether this run's stdin is a terminal (process.stdin, made on first use by runtime.js, asks). */
export const isStdinTTY = () => stdinIsTTY;

/** The code the process exits with when the loop runs dry: emits 'exit' once. */
export function naturalExit() {
  if (!exiting) {
    exiting = true;
    process.emit("exit", exitCode ?? 0);
  }
  return exitCode ?? 0;
}
