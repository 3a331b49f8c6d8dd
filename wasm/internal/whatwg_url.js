// The URL and URLSearchParams globals: quickjs-wasi's url extension (a native class each), with
// what it lacks in node's behaviour added once, when it is first linked: a URLSearchParams made from
// pairs or a record, a URL's searchParams kept live both ways, node's errors (ERR_INVALID_URL with
// its input), URL.parse, and node's enumerable members and inspection.

import { markNodeError } from "./errors.js";

function nodeTypeError(code, message) {
  const err = new TypeError(message);
  err.code = code;
  return markNodeError(err);
}

/** The constructor's error, as node's binding throws it (its code and input, its base if any; no [code] in its name). */
function invalidURL(input, base) {
  const err = new TypeError("Invalid URL");
  err.code = "ERR_INVALID_URL";
  err.input = input;
  if (base !== undefined) err.base = base;
  return err;
}

const missingURL = () => nodeTypeError("ERR_MISSING_ARGS", 'The "url" argument must be specified');
const notConstructed = (name) => new TypeError(`Class constructor ${name} cannot be invoked without 'new'`);

/** node's order of the members (the extension's differs); all enumerable, as WebIDL makes them. */
const URL_MEMBERS = ["toString", "href", "origin", "protocol", "username", "password", "host", "hostname", "port", "pathname", "search", "searchParams", "hash", "toJSON"];
const PARAMS_MEMBERS = ["size", "append", "delete", "get", "getAll", "has", "set", "sort", "entries", "forEach", "keys", "values", "toString"];

function reorder(proto, names, tag) {
  for (const name of names) {
    const desc = Object.getOwnPropertyDescriptor(proto, name);
    delete proto[name];
    Object.defineProperty(proto, name, { ...desc, enumerable: true });
  }
  Object.defineProperty(proto, Symbol.toStringTag, { value: tag, configurable: true });
}

/** A wrapper constructor for `Native` that shares its prototype, so instances, instanceof and subclasses behave as one class. */
function sharePrototype(wrapper, Native, name, length) {
  // (the bundler may rename the function; a default parameter for the length would cost each call)
  Object.defineProperty(wrapper, "name", { value: name });
  Object.defineProperty(wrapper, "length", { value: length });
  Object.defineProperty(wrapper, "prototype", { value: Native.prototype, writable: false });
  Object.defineProperty(Native.prototype, "constructor", { value: wrapper, writable: true, enumerable: false, configurable: true });
}

/** Replaces `g.URL` and `g.URLSearchParams` (the extension's, just linked) with the completed classes. */
export function completeURL(g) {
  const NativeURL = g.URL;
  const NativeParams = g.URLSearchParams;
  if (typeof NativeURL !== "function" || NativeURL.prototype.constructor !== NativeURL) return;
  const P = NativeParams.prototype;
  const { append, delete: remove, keys } = P;
  const search = Object.getOwnPropertyDescriptor(NativeURL.prototype, "search");
  const href = Object.getOwnPropertyDescriptor(NativeURL.prototype, "href");

  // (each step costs in the interpreter: the common case, a string and no subclass, is taken first)
  function URLSearchParams(init) {
    if (typeof init === "string" && new.target === URLSearchParams) return new NativeParams(init);
    if (new.target === undefined) throw notConstructed("URLSearchParams");
    const isObject = (typeof init === "object" && init !== null) || typeof init === "function";
    const params = Reflect.construct(NativeParams, [isObject || init === undefined || init === null ? "" : `${init}`], new.target);
    if (isObject) appendAll(params, init);
    return params;
  }
  /** Appends a sequence of pairs or a record, as node converts either. */
  function appendAll(params, init) {
    const iterator = init[Symbol.iterator];
    if (iterator === undefined) {
      // a record: its own enumerable keys (a symbol key throws, as converting it to a string does)
      for (const key of Reflect.ownKeys(init)) {
        if (Object.getOwnPropertyDescriptor(init, key)?.enumerable) append.call(params, `${key}`, `${init[key]}`);
      }
      return;
    }
    if (typeof iterator !== "function") throw nodeTypeError("ERR_ARG_NOT_ITERABLE", "Query pairs must be iterable");
    const pairs = [];
    for (const pair of init) {
      const isPairObject = (typeof pair === "object" && pair !== null) || typeof pair === "function";
      if (!isPairObject || typeof pair[Symbol.iterator] !== "function") throw invalidTuple();
      const kv = [...pair];
      if (kv.length !== 2) throw invalidTuple();
      pairs.push(`${kv[0]}`, `${kv[1]}`);
    }
    for (let i = 0; i < pairs.length; i += 2) append.call(params, pairs[i], pairs[i + 1]);
  }
  const invalidTuple = () => nodeTypeError("ERR_INVALID_TUPLE", "Each query pair must be an iterable [name, value] tuple");
  sharePrototype(URLSearchParams, NativeParams, "URLSearchParams", 0);

  // The extension's constructor costs ~0.8 µs (edgebox run), each check here ~0.1 µs more: the
  // common case checks one thing.
  // (Not even how many arguments came: `new URL()` throws ERR_INVALID_URL, where node's code is
  // ERR_MISSING_ARGS; counting them, through `arguments`, would cost every call ~0.2 µs.)
  function URL(url, base) {
    if (new.target !== URL) return constructURL(new.target, url, base);
    try {
      return new NativeURL(url, base);
    } catch (err) {
      throw invalidURLFrom(err, url, base);
    }
  }
  function constructURL(newTarget, url, base) {
    if (newTarget === undefined) throw notConstructed("URL");
    try {
      return Reflect.construct(NativeURL, [url, base], newTarget);
    } catch (err) {
      throw invalidURLFrom(err, url, base);
    }
  }
  /** The extension's "Invalid URL" as node's error; its other errors (a symbol for a string) as they are. */
  function invalidURLFrom(err, url, base) {
    if (!(err instanceof TypeError) || err.message !== "Invalid URL") return err;
    return invalidURL(`${url}`, base === undefined ? undefined : `${base}`);
  }
  sharePrototype(URL, NativeURL, "URL", 1);
  const canParse = NativeURL.canParse;
  const statics = {
    canParse(url, base = undefined) {
      if (arguments.length === 0) throw missingURL();
      return base === undefined ? canParse(`${url}`) : canParse(`${url}`, `${base}`);
    },
    parse(url, base = undefined) {
      if (arguments.length === 0) throw missingURL();
      try {
        return new URL(url, base);
      } catch (err) {
        if (err?.code === "ERR_INVALID_URL") return null;
        throw err;
      }
    },
  };
  for (const [name, value] of Object.entries(statics)) Object.defineProperty(URL, name, { value, writable: true, enumerable: true, configurable: true });

  // A URL's searchParams: made on first use, then the same object for the URL's life. Its changes
  // write the URL's search (the prototype's mutators check whether `this` belongs to a URL, so
  // making one costs no per-object methods); the URL's search and href setters refill it.
  const paramsOf = new WeakMap(); // url -> its searchParams
  const urlOf = new WeakMap(); // searchParams -> its url
  for (const name of ["append", "delete", "set", "sort"]) {
    const original = P[name];
    const value = {
      [name](...args) {
        const r = original.apply(this, args);
        const url = urlOf.get(this);
        if (url !== undefined) search.set.call(url, this.toString());
        return r;
      },
    }[name];
    Object.defineProperty(P, name, { value, writable: true, enumerable: true, configurable: true });
  }
  function refill(params, query) {
    for (const name of new Set(keys.call(params))) remove.call(params, name);
    for (const [name, value] of new NativeParams(query)) append.call(params, name, value);
  }
  Object.defineProperty(NativeURL.prototype, "searchParams", {
    get() {
      let params = paramsOf.get(this);
      if (params === undefined) {
        params = new NativeParams(search.get.call(this));
        paramsOf.set(this, params);
        urlOf.set(params, this);
      }
      return params;
    },
    enumerable: true,
    configurable: true,
  });
  Object.defineProperty(NativeURL.prototype, "search", {
    ...search,
    set(value) {
      search.set.call(this, value);
      const params = paramsOf.get(this);
      if (params !== undefined) refill(params, search.get.call(this));
    },
  });
  Object.defineProperty(NativeURL.prototype, "href", {
    ...href,
    set(value) {
      value = `${value}`;
      try {
        href.set.call(this, value);
      } catch (err) {
        // (the setter's error is node's own, "TypeError [ERR_INVALID_URL]", unlike the constructor's)
        throw err instanceof TypeError ? markNodeError(invalidURL(value)) : err;
      }
      const params = paramsOf.get(this);
      if (params !== undefined) refill(params, search.get.call(this));
    },
  });

  const inspect = Symbol.for("nodejs.util.inspect.custom");
  Object.defineProperty(NativeURL.prototype, inspect, {
    value(depth, options, inspectValue) {
      if (typeof depth === "number" && depth < 0) return this;
      const fields = {};
      for (const name of URL_MEMBERS.slice(1, -1)) fields[name] = this[name];
      return `${this.constructor?.name ?? "URL"} ${inspectValue(fields, options)}`;
    },
    configurable: true,
  });
  Object.defineProperty(P, inspect, {
    value(_depth, options, inspectValue) {
      const items = [...this].map(([k, v]) => `${inspectValue(k, options)} => ${inspectValue(v, options)}`);
      return items.length ? `URLSearchParams { ${items.join(", ")} }` : "URLSearchParams {}";
    },
    configurable: true,
  });
  reorder(NativeURL.prototype, URL_MEMBERS, "URL");
  reorder(P, PARAMS_MEMBERS, "URLSearchParams");

  for (const [name, value] of [["URL", URL], ["URLSearchParams", URLSearchParams]]) {
    Object.defineProperty(g, name, { value, writable: true, enumerable: false, configurable: true });
  }
}
