// CommonJS modules inside the sandbox: require() with node's resolution
// (done by the host, which reads files only where the policy allows),
// module.exports cycles, JSON, require.resolve, createRequire; and the
// bridges ES modules need (node: built-ins and CommonJS files as ES modules).

import { OP } from "../abi.js";
import { BUILTINS } from "../builtins.js";
import { host } from "./host.js";
import { ERR_INVALID_ARG_TYPE } from "./errors.js";

/** name -> () => exports, filled by runtime.js. */
const factories = new Map();
const builtinCache = new Map();

export function registerBuiltin(name, factory) {
  factories.set(name, factory);
}

export function builtin(name) {
  let m = builtinCache.get(name);
  if (m === undefined) {
    const f = factories.get(name);
    if (!f) {
      const err = new Error(`Cannot find module '${name}'`);
      err.code = "MODULE_NOT_FOUND";
      throw err;
    }
    m = f();
    builtinCache.set(name, m);
  }
  return m;
}

function builtinName(id) {
  const bare = id.startsWith("node:") ? id.slice(5) : id;
  return BUILTINS.includes(bare) && factories.has(bare) ? bare : undefined;
}

function dirname(path) {
  const i = path.lastIndexOf("/");
  return i <= 0 ? "/" : path.slice(0, i);
}

export class Module {
  constructor(id = "", parent) {
    this.id = id;
    this.path = dirname(id);
    this.exports = {};
    this.filename = null;
    this.loaded = false;
    this.children = [];
    this.paths = nodeModulePaths(this.path);
    Object.defineProperty(this, "parent", { value: parent, writable: true, enumerable: false, configurable: true });
    if (parent) parent.children.push(this);
  }

  require(id) {
    return requireFrom(this, id);
  }

  static _cache = Object.create(null);
  static builtinModules = [...BUILTINS];
  static _extensions = { ".js": null, ".json": null, ".cjs": null };
  static wrapper = ["(function (exports, require, module, __filename, __dirname) { ", "\n});"];

  static wrap(script) {
    return Module.wrapper[0] + script + Module.wrapper[1];
  }

  static createRequire(filename) {
    if (typeof filename === "object" && filename !== null && typeof filename.href === "string") filename = filename.href;
    if (typeof filename !== "string") throw new ERR_INVALID_ARG_TYPE("filename", "a file URL object, file URL string, or absolute path string", filename);
    if (filename.startsWith("file://")) filename = decodeURIComponent(filename.slice(7));
    const m = new Module(filename, undefined);
    m.filename = filename;
    return makeRequire(m);
  }

  static isBuiltin(id) {
    return builtinName(id) !== undefined;
  }

  static _resolveFilename(request, parent) {
    return resolveFrom(parent?.filename ?? parent?.id ?? "/", request);
  }

  static _nodeModulePaths(dir) {
    return nodeModulePaths(dir);
  }

  static syncBuiltinESMExports() {}

  static findSourceMap() {
    return undefined;
  }
}
Module.Module = Module;

function nodeModulePaths(dir) {
  const out = [];
  for (let d = dir; ; d = dirname(d)) {
    if (!d.endsWith("/node_modules")) out.push(`${d === "/" ? "" : d}/node_modules`);
    if (d === "/") break;
  }
  return out;
}

function resolveFrom(parentFile, request) {
  if (typeof request !== "string") throw new ERR_INVALID_ARG_TYPE("id", "of type string", request);
  const name = builtinName(request);
  if (name) return request.startsWith("node:") ? request : name;
  const r = JSON.parse(host(OP.MOD_RESOLVE, JSON.stringify({ specifier: request, parent: parentFile, kind: "require" })));
  return r.builtin ?? r.path;
}

function makeRequire(module) {
  const require = (id) => requireFrom(module, id);
  require.resolve = (request, options) => {
    if (options?.paths) {
      for (const p of options.paths) {
        try {
          return resolveFrom(`${p}/noop.js`, request);
        } catch {
          // next
        }
      }
    }
    return resolveFrom(module.filename ?? module.id, request);
  };
  require.resolve.paths = (request) => (builtinName(request) ? null : nodeModulePaths(module.path));
  require.cache = Module._cache;
  require.main = mainModule;
  require.extensions = Module._extensions;
  return require;
}

let mainModule;

function requireFrom(parent, id) {
  if (typeof id !== "string") throw new ERR_INVALID_ARG_TYPE("id", "of type string", id);
  if (id === "") {
    const err = new TypeError("The argument 'id' must be a non-empty string. Received ''");
    err.code = "ERR_INVALID_ARG_VALUE";
    throw err;
  }
  const name = builtinName(id);
  if (name) return builtin(name);
  const r = JSON.parse(host(OP.MOD_RESOLVE, JSON.stringify({ specifier: id, parent: parent.filename ?? parent.id, kind: "require" })));
  if (r.builtin) return builtin(r.builtin);
  const cached = Module._cache[r.path];
  if (cached) return cached.exports;
  if (r.format === "module") return requireModule(r.path);
  const module = new Module(r.path, parent);
  module.filename = r.path;
  Module._cache[r.path] = module;
  let ok = false;
  try {
    if (r.format === "json") {
      const text = host(OP.FS_READ_FILE, JSON.stringify({ path: r.path, encoding: "utf8" }));
      try {
        module.exports = JSON.parse(stripBom(text));
      } catch (e) {
        e.message = `${r.path}: ${e.message}`;
        throw e;
      }
    } else {
      const fn = host(OP.MOD_LOAD_CJS, JSON.stringify({ path: r.path }));
      fn.call(module.exports, module.exports, makeRequire(module), module, r.path, dirname(r.path));
    }
    ok = true;
  } finally {
    if (!ok) delete Module._cache[r.path];
  }
  module.loaded = true;
  return module.exports;
}

/** Namespaces of ES modules required, by path. */
const requiredModules = new Map();
let lastRequired;

/** require() of an ES module (node 20.19+): the host evaluates it now; its namespace comes back through the edgebox.required hook. */
function requireModule(path) {
  let ns = requiredModules.get(path);
  if (ns === undefined) {
    lastRequired = undefined;
    host(OP.MOD_REQUIRE_ESM, JSON.stringify({ path }));
    ns = withEsModule(lastRequired);
    lastRequired = undefined;
    requiredModules.set(path, ns);
  }
  return ns;
}

/** As node: a required ES module with a default export is marked __esModule (its values, not live bindings). */
function withEsModule(ns) {
  if (!Object.prototype.hasOwnProperty.call(ns, "default") || Object.prototype.hasOwnProperty.call(ns, "__esModule")) return ns;
  const o = Object.create(null);
  for (const k of [...Object.keys(ns), "__esModule"].sort()) o[k] = k === "__esModule" ? true : ns[k];
  Object.defineProperty(o, Symbol.toStringTag, { value: "Module" });
  return Object.freeze(o);
}

function stripBom(s) {
  return s.charCodeAt(0) === 0xfeff ? s.slice(1) : s;
}

/** Run the main CommonJS file (compiled by the host). */
export function runMain(fn, filename) {
  const module = new Module(".", undefined);
  module.filename = filename;
  module.id = ".";
  module.path = dirname(filename);
  module.paths = nodeModulePaths(module.path);
  mainModule = module;
  Module._cache[filename] = module;
  const require = makeRequire(module);
  require.main = module;
  fn.call(module.exports, module.exports, require, module, filename, dirname(filename));
  module.loaded = true;
}

/** The main CommonJS module's exports (edgebox serve looks for the fetch handler there). */
export function mainExports() {
  return mainModule?.exports;
}

/** The require() ES modules reach CommonJS through (see esmSource). */
export function requireForEsm(path) {
  return requireFrom({ filename: path, id: path, children: [] }, path);
}

const identifier = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
const reserved = new Set(["default", "await", "enum", "implements", "interface", "let", "package", "private", "protected", "public", "static", "yield", "arguments", "eval"]);

function namedExports(obj) {
  if (obj === null || (typeof obj !== "object" && typeof obj !== "function")) return [];
  return Object.keys(obj).filter((k) => identifier.test(k) && !reserved.has(k));
}

const REQUIRE_KEY = "Symbol.for('edgebox.require')";

/** Source of an ES module that re-exports built-in `name` (default: the module object). */
export function esmBuiltinSource(name) {
  const m = builtin(name);
  // a built-in that is a class (node:module) exports its static methods too, as in node
  const statics = typeof m === "function" ? Object.getOwnPropertyNames(m).filter((k) => !["length", "name", "prototype", "caller", "arguments"].includes(k) && identifier.test(k) && !reserved.has(k)) : [];
  const names = [...new Set([...namedExports(m), ...statics])];
  return (
    `const m = globalThis[${REQUIRE_KEY}](${JSON.stringify("node:" + name)});\nexport default m;\n` +
    (names.length ? `export const { ${names.join(", ")} } = m;\n` : "")
  );
}

/** Source of an ES module for a CommonJS file: default is module.exports, plus its own enumerable names. */
export function esmCommonJsSource(path) {
  const exportsObj = requireForEsm(path);
  const names = namedExports(exportsObj);
  return (
    `const m = globalThis[${REQUIRE_KEY}](${JSON.stringify(path)});\nexport default m;\n` +
    (names.length ? `export const { ${names.join(", ")} } = m;\n` : "")
  );
}

/** The globals the bridging sources above and import.meta.resolve call. */
export function installRequireForEsm() {
  Object.defineProperty(globalThis, Symbol.for("edgebox.require"), {
    value: (id) => (id.startsWith("node:") ? builtin(id.slice(5)) : requireForEsm(id)),
    enumerable: false,
  });
  Object.defineProperty(globalThis, Symbol.for("edgebox.required"), {
    value: (ns) => {
      lastRequired = ns;
    },
    enumerable: false,
  });
  Object.defineProperty(globalThis, Symbol.for("edgebox.resolve"), {
    value: (specifier, parent) => {
      const r = JSON.parse(host(OP.MOD_RESOLVE, JSON.stringify({ specifier, parent, kind: "import" })));
      return r.builtin ? `node:${r.builtin}` : `file://${r.path}`;
    },
    enumerable: false,
  });
}

// A built app (edgebox build): one async function that receives these.

/** `import ... from "node:x"` in a built app. */
export function importBuiltin(spec) {
  const name = builtinName(spec);
  if (!name) throw new Error(`Cannot find module '${spec}'`);
  return builtin(name);
}

/** A built app's require: built-ins, or files next to the artifact (resolved when called, under the policy). */
export function builtRequire(id) {
  const name = typeof id === "string" ? builtinName(id) : undefined;
  if (name) return builtin(name);
  return requireFrom({ filename: globalThis.process.argv[1], id: ".", children: [] }, id);
}
